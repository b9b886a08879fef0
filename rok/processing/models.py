"""What the school makes of its results: notes, self-placement and the action plan.

Everything here belongs to one survey (round). A next round looks back on the
previous round's action plan through ``Survey.previous_round_id``.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from rok.accounts.models import User, utcnow
from rok.extensions import db, str_enum


class UnitLevel(enum.StrEnum):
    """The OK-kader level a note or self-placement is about."""

    RUBRIEK = "rubriek"
    AREA = "area"
    EXPECTATION = "expectation"


class GoalStatus(enum.StrEnum):
    """Where a goal is in the PDCA cycle."""

    PLANNED = "planned"  #: gepland
    IN_PROGRESS = "in_progress"  #: bezig
    DONE = "done"  #: afgerond
    ADJUSTED = "adjusted"  #: bijgestuurd


class ActionStatus(enum.StrEnum):
    PLANNED = "planned"  #: gepland
    IN_PROGRESS = "in_progress"  #: bezig
    DONE = "done"  #: afgerond


class DevelopmentLevel(enum.StrEnum):
    """The four levels of the OK-kader's development scale (ontwikkelingsschaal)."""

    BELOW = "below"  #: beneden de verwachting
    APPROACHING = "approaching"  #: benadert de verwachting
    MEETS = "meets"  #: volgens de verwachting
    EXCEEDS = "exceeds"  #: overstijgt de verwachting


class AreaNote(db.Model):
    """A note about one quality area of a survey's results.

    Notes of the beleidsteam and preparation notes of an advisor live in the same
    table; :attr:`is_advisor_note` marks the latter, and only its author edits it.
    """

    __tablename__ = "area_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(
        ForeignKey("surveys.id", ondelete="CASCADE"), index=True)
    #: Level of the unit: rubriek, area or expectation.
    unit_level: Mapped[UnitLevel] = mapped_column(str_enum(UnitLevel))
    #: Code of the unit at that level, e.g. "OL", "D", "D1".
    unit_code: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text)
    #: Written by a granted advisor (marked "notitie van de begeleider").
    is_advisor_note: Mapped[bool] = mapped_column(Boolean, default=False)
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    author: Mapped[User | None] = relationship()


class SelfPlacement(db.Model):
    """The team's own placement of an area on the development scale.

    The team's own judgement, never an inspectorate judgement.
    """

    __tablename__ = "self_placements"
    __table_args__ = (UniqueConstraint("survey_id", "unit_level", "unit_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(
        ForeignKey("surveys.id", ondelete="CASCADE"), index=True)
    unit_level: Mapped[UnitLevel] = mapped_column(str_enum(UnitLevel))
    unit_code: Mapped[str] = mapped_column(String(16))
    level: Mapped[DevelopmentLevel] = mapped_column(str_enum(DevelopmentLevel))
    #: A short motivation.
    motivation: Mapped[str] = mapped_column(Text, default="")
    updated_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Goal(db.Model):
    """A goal of the action plan, with its actions (plan – do – check – act)."""

    __tablename__ = "action_goals"

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(
        ForeignKey("surveys.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    title: Mapped[str] = mapped_column(String(200))
    #: Linked quality areas: ["area:D", "expectation:D1", "rubriek:OL", …].
    unit_keys: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: Linked statements (ids of the survey's own statements).
    statement_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    expected_effect: Mapped[str] = mapped_column(Text, default="")
    #: How the team will see that the goal is reached.
    indicator: Mapped[str] = mapped_column(Text, default="")
    review_on: Mapped[date | None] = mapped_column(Date, index=True)
    status: Mapped[GoalStatus] = mapped_column(
        str_enum(GoalStatus), default=GoalStatus.PLANNED)
    #: The review date for which a reminder was queued (reminders are idempotent).
    reminded_for: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    actions: Mapped[list[Action]] = relationship(
        back_populates="goal", order_by="Action.position",
        cascade="all, delete-orphan", passive_deletes=True)


class Action(db.Model):
    """One action towards a goal: what, who, when."""

    __tablename__ = "action_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    goal_id: Mapped[int] = mapped_column(
        ForeignKey("action_goals.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    what: Mapped[str] = mapped_column(Text)
    #: Who carries it (free text: a name, a team, a function).
    owner: Mapped[str] = mapped_column(String(120), default="")
    #: When, in words ("na de herfstvakantie"), and/or dates.
    timing: Mapped[str] = mapped_column(String(120), default="")
    starts_on: Mapped[date | None] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)
    status: Mapped[ActionStatus] = mapped_column(
        str_enum(ActionStatus), default=ActionStatus.PLANNED)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    goal: Mapped[Goal] = relationship(back_populates="actions")
