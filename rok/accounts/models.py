"""Schools, users and their memberships (roles)."""

from __future__ import annotations

import enum
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from rok.clock import utcnow
from rok.extensions import db, str_enum


class EducationLevel(enum.StrEnum):
    """Education levels the statement bank serves (codes are stable)."""

    BAO = "bao"
    BUBAO = "bubao"
    SO = "so"
    BUSO = "buso"
    DKO = "dko"


class Role(enum.StrEnum):
    """What a membership lets a user do for one school."""

    #: Director or beleidsteam member: everything for their own school.
    SCHOOL_ADMIN = "school_admin"
    #: Guidance advisor: reads the dashboards, writes own notes; granted by the school.
    ADVISOR = "advisor"


class School(db.Model):
    __tablename__ = "schools"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Display name, e.g. "Vrije Basisschool De Regenboog".
    name: Mapped[str] = mapped_column(String(200))
    #: The school's instellingsnummer (institution number), digits only.
    institution_number: Mapped[str | None] = mapped_column(String(20), unique=True)
    #: Education level codes (:class:`EducationLevel` values) the school offers.
    levels: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    memberships: Mapped[list[Membership]] = relationship(
        back_populates="school", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<School {self.id} {self.name!r}>"


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Lower-cased e-mail address; the log-in name.
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120), default="")
    #: Argon2 hash; None until the user has set a password through an invitation.
    password_hash: Mapped[str | None] = mapped_column(String(255))
    is_platform_admin: Mapped[bool] = mapped_column(default=False)
    is_active_account: Mapped[bool] = mapped_column(default=True)
    #: Preferred interface language ("nl" or "en"); None follows the browser.
    language: Mapped[str | None] = mapped_column(String(5))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]

    memberships: Mapped[list[Membership]] = relationship(
        back_populates="user", cascade="all, delete-orphan",
        foreign_keys="Membership.user_id",
    )

    @property
    def is_active(self) -> bool:  # Flask-Login
        return self.is_active_account

    @property
    def display_name(self) -> str:
        return self.name or self.email

    def __repr__(self) -> str:
        return f"<User {self.id}>"


class Membership(db.Model):
    """A user's role for one school; advisor memberships are the school's grants."""

    __tablename__ = "memberships"
    __table_args__ = (UniqueConstraint("user_id", "school_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id", ondelete="CASCADE"))
    role: Mapped[Role] = mapped_column(str_enum(Role))
    #: Free description shown in the team list, e.g. "directeur", "zorgcoördinator".
    position: Mapped[str] = mapped_column(String(80), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    granted_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )

    user: Mapped[User] = relationship(
        back_populates="memberships", foreign_keys=[user_id]
    )
    school: Mapped[School] = relationship(back_populates="memberships")
