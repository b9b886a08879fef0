"""Surveys, their statements and subgroups, participants, and anonymous responses.

Anonymity by construction (design.md §5):

* :class:`Response` and :class:`Answer` rows carry no participant reference, no
  token, no e-mail, no IP address, no user agent and no timestamp; a response's id is
  random, so ids do not follow invitation order.
* A participant's personal link token is stored only as a hash
  (:attr:`Participant.token_hash`). The unfinished draft is found through a *different*
  hash of the same token (:attr:`Response.resume_key_hash`), so nobody without the
  link can connect the two. On submission the draft's resume hash is wiped.
* :attr:`Participant.link_ciphertext` keeps the link encrypted under the server's
  secret so the school can send reminders and export links; it is wiped as soon as the
  participant finishes and when addresses are purged.
"""

from __future__ import annotations

import enum
import secrets
from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from rok.accounts.models import School, utcnow
from rok.extensions import db, str_enum


class SurveyStatus(enum.StrEnum):
    """Where a survey is in the four phases (beslissen and voorbereiden share PREPARING)."""  # noqa: E501

    PREPARING = "preparing"
    OPEN = "open"
    CLOSED = "closed"


def random_id() -> str:
    """A random, unordered identifier for anonymous rows."""
    return secrets.token_hex(16)


#: Default privacy and classification settings stored with every new survey.
DEFAULT_MIN_GROUP = 5
DEFAULT_MIN_COMMENTS = 10


class Survey(db.Model):
    __tablename__ = "surveys"

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(
        ForeignKey("schools.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    #: Education level code (bao, bubao, so, buso, dko).
    level: Mapped[str] = mapped_column(String(10))
    #: Bank version the statements were taken from
    #: (texts are copied, see SurveyStatement).
    bank_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("bank_versions.id", ondelete="SET NULL"))
    #: Copy of the answer scales (agreement, action) at creation; frozen with answers.
    scales: Mapped[dict] = mapped_column(JSON, default=dict)
    #: Rubriek codes included in this survey (e.g. ["RE", "OL", "BE", "KO"]).
    rubrieken: Mapped[list[str]] = mapped_column(JSON, default=list)
    status: Mapped[SurveyStatus] = mapped_column(
        str_enum(SurveyStatus), default=SurveyStatus.PREPARING)
    planned_start: Mapped[date | None]
    planned_end: Mapped[date | None]
    opened_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    #: Text shown to staff before the first statement (what the OK is, why, anonymity).
    intro_text: Mapped[str] = mapped_column(Text, default="")
    #: Smallest group whose figures may be shown (never below 3).
    min_group: Mapped[int] = mapped_column(SmallInteger, default=DEFAULT_MIN_GROUP)
    #: Smallest group whose free-text comments may be shown.
    min_comments: Mapped[int] = mapped_column(
        SmallInteger, default=DEFAULT_MIN_COMMENTS
    )
    #: Classification thresholds (rok.dashboard.analysis.Thresholds.to_dict()).
    thresholds: Mapped[dict] = mapped_column(JSON, default=dict)
    #: Open team link: a public key in the URL (not a secret per person).
    team_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    team_link_enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    #: Team size entered by the school, so a team-link response rate exists.
    expected_team_size: Mapped[int | None] = mapped_column(Integer)
    #: The previous round of the same survey (for comparisons and the action plan).
    previous_round_id: Mapped[int | None] = mapped_column(
        ForeignKey("surveys.id", ondelete="SET NULL"))
    #: When participant e-mail addresses were deleted.
    purged_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    school: Mapped[School] = relationship()
    statements: Mapped[list[SurveyStatement]] = relationship(
        back_populates="survey", order_by="SurveyStatement.position",
        cascade="all, delete-orphan", passive_deletes=True)
    dimensions: Mapped[list[SubgroupDimension]] = relationship(
        back_populates="survey", order_by="SubgroupDimension.position",
        cascade="all, delete-orphan", passive_deletes=True)
    participants: Mapped[list[Participant]] = relationship(
        back_populates="survey", cascade="all, delete-orphan", passive_deletes=True)
    reminders: Mapped[list[Reminder]] = relationship(
        back_populates="survey", order_by="Reminder.send_on",
        cascade="all, delete-orphan", passive_deletes=True)
    previous_round: Mapped[Survey | None] = relationship(remote_side=[id])

    def __repr__(self) -> str:
        return f"<Survey {self.id} {self.status}>"


class SurveyStatement(db.Model):
    """The survey's own copy of a statement; bank edits never change it."""

    __tablename__ = "survey_statements"

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(
        ForeignKey("surveys.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    #: The text respondents see.
    text: Mapped[str] = mapped_column(Text)
    #: The bank's wording when the statement was taken over (None for own statements).
    original_text: Mapped[str | None] = mapped_column(Text)
    #: Stable bank key ("bao-D1-01"); rounds are matched on it. None for own statements.
    origin_key: Mapped[str | None] = mapped_column(String(64))
    expectation_code: Mapped[str] = mapped_column(String(16))
    area_code: Mapped[str] = mapped_column(String(16))
    rubriek_code: Mapped[str] = mapped_column(String(16))

    survey: Mapped[Survey] = relationship(back_populates="statements")

    @property
    def is_own(self) -> bool:
        return self.origin_key is None

    @property
    def is_reworded(self) -> bool:
        return self.original_text is not None and self.text != self.original_text


class SubgroupDimension(db.Model):
    """A way to split the team, e.g. *functie* or *ervaring*."""

    __tablename__ = "subgroup_dimensions"
    __table_args__ = (UniqueConstraint("survey_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(
        ForeignKey("surveys.id", ondelete="CASCADE"), index=True)
    #: Short machine key used in CSV columns and response data (e.g. "functie").
    key: Mapped[str] = mapped_column(String(40))
    label: Mapped[str] = mapped_column(String(80))
    position: Mapped[int] = mapped_column(Integer, default=0)
    #: The role dimension; it always has an option flagged as beleidsteam.
    is_role: Mapped[bool] = mapped_column(Boolean, default=False)

    survey: Mapped[Survey] = relationship(back_populates="dimensions")
    options: Mapped[list[SubgroupOption]] = relationship(
        back_populates="dimension", order_by="SubgroupOption.position",
        cascade="all, delete-orphan", passive_deletes=True)


class SubgroupOption(db.Model):
    __tablename__ = "subgroup_options"
    __table_args__ = (UniqueConstraint("dimension_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    dimension_id: Mapped[int] = mapped_column(
        ForeignKey("subgroup_dimensions.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(40))
    label: Mapped[str] = mapped_column(String(80))
    position: Mapped[int] = mapped_column(Integer, default=0)
    #: The beleidsteam option of the role dimension (blind spots compare it).
    is_leadership: Mapped[bool] = mapped_column(Boolean, default=False)

    dimension: Mapped[SubgroupDimension] = relationship(back_populates="options")


class Participant(db.Model):
    """An invited staff member. Knows *whether* they finished, never *what* they said."""  # noqa: E501

    __tablename__ = "participants"
    __table_args__ = (UniqueConstraint("survey_id", "email"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(
        ForeignKey("surveys.id", ondelete="CASCADE"), index=True)
    #: Lower-cased address; None after the purge.
    email: Mapped[str | None] = mapped_column(String(254))
    name: Mapped[str | None] = mapped_column(String(120))
    #: Subgroup options from the import: {dimension key: option key}.
    subgroups: Mapped[dict] = mapped_column(JSON, default=dict)
    #: SHA-256 of the personal link token (see rok.surveys.links).
    token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    #: The link token encrypted under the server secret, for reminders and export.
    link_ciphertext: Mapped[str | None] = mapped_column(Text)
    invited_at: Mapped[datetime | None]
    last_reminded_at: Mapped[datetime | None]
    reminder_count: Mapped[int] = mapped_column(Integer, default=0)
    #: Set on submission so reminders skip this person. The only trace of answering.
    has_finished: Mapped[bool] = mapped_column(Boolean, default=False)

    survey: Mapped[Survey] = relationship(back_populates="participants")


class Reminder(db.Model):
    """A reminder date chosen by the school; sent by hand on or after that date."""

    __tablename__ = "reminders"

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(
        ForeignKey("surveys.id", ondelete="CASCADE"), index=True)
    send_on: Mapped[date]
    sent_at: Mapped[datetime | None]
    #: How many unfinished participants the reminder went to.
    recipients: Mapped[int | None] = mapped_column(Integer)

    survey: Mapped[Survey] = relationship(back_populates="reminders")


class Response(db.Model):
    """One person's answers. Deliberately without time, person or order."""

    __tablename__ = "responses"
    # WITHOUT ROWID: SQLite's hidden rowid would otherwise record the order in which
    # respondents started (the random primary key then also orders the table).
    __table_args__ = (Index("ix_responses_survey_id_is_submitted", "survey_id",
                            "is_submitted"), {"sqlite_with_rowid": False})

    #: Random hex id: reveals nothing about when or by whom it was made.
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=random_id)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"))
    #: Hash that only the respondent's link (or team cookie) can produce; None once
    #: submitted, so afterwards nothing leads to this row.
    resume_key_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    is_submitted: Mapped[bool] = mapped_column(Boolean, default=False)
    #: Subgroup options of the respondent: {dimension key: option key}.
    subgroups: Mapped[dict] = mapped_column(JSON, default=dict)

    answers: Mapped[list[Answer]] = relationship(
        back_populates="response", cascade="all, delete-orphan", passive_deletes=True)
    comments: Mapped[list[Comment]] = relationship(
        back_populates="response", cascade="all, delete-orphan", passive_deletes=True)


class Answer(db.Model):
    """The answer to one statement; saving it again replaces it (idempotent)."""

    __tablename__ = "answers"
    __table_args__ = ({"sqlite_with_rowid": False},)

    response_id: Mapped[str] = mapped_column(
        ForeignKey("responses.id", ondelete="CASCADE"), primary_key=True)
    statement_id: Mapped[int] = mapped_column(
        ForeignKey("survey_statements.id", ondelete="CASCADE"), primary_key=True,
        index=True)
    #: Agreement scale value, None when "geen zicht" or not (yet) given.
    agreement: Mapped[int | None] = mapped_column(SmallInteger)
    no_view: Mapped[bool] = mapped_column(Boolean, default=False)
    #: Action-readiness scale value (optional question).
    action: Mapped[int | None] = mapped_column(SmallInteger)

    response: Mapped[Response] = relationship(back_populates="answers")


class Comment(db.Model):
    """An optional open comment per rubriek/area; shown only above min_comments."""

    __tablename__ = "comments"
    __table_args__ = ({"sqlite_with_rowid": False},)

    response_id: Mapped[str] = mapped_column(
        ForeignKey("responses.id", ondelete="CASCADE"), primary_key=True)
    #: Area (or rubriek) code the comment belongs to.
    area_code: Mapped[str] = mapped_column(String(16), primary_key=True)
    text: Mapped[str] = mapped_column(Text)

    response: Mapped[Response] = relationship(back_populates="comments")
