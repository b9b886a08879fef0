"""Account use cases: plain functions that flush but never commit."""

from __future__ import annotations

import re

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import func, select

from rok.accounts.models import Membership, Role, School, User, utcnow
from rok.accounts.passwords import hash_password, verify_password
from rok.accounts.tokens import make_token, read_token
from rok.extensions import db
from rok.mail import queue_mail
from rok.urls import external_url

INSTITUTION_NUMBER = re.compile(r"^\d{5,10}$")


class AccountError(ValueError):
    """A use case refused; the message is shown to the user."""


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def find_user(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


def authenticate(email: str, password: str) -> User | None:
    user = find_user(email)
    if user is None or not user.is_active:
        verify_password(None, password)
        return None
    if not verify_password(user.password_hash, password):
        return None
    user.last_login_at = utcnow()
    return user


def create_user(email: str, name: str = "", password: str | None = None) -> User:
    email = normalise_email(email)
    if find_user(email) is not None:
        raise AccountError(_("Er bestaat al een account met dit e-mailadres."))
    user = User(email=email, name=(name or "").strip(), password_hash=None)
    if password:
        user.password_hash = hash_password(password)
    db.session.add(user)
    db.session.flush()
    return user


def set_password(user: User, password: str) -> None:
    user.password_hash = hash_password(password)


def create_school(
    name: str, institution_number: str | None, levels: list[str]
) -> School:
    number = (institution_number or "").strip() or None
    if number is not None:
        if not INSTITUTION_NUMBER.match(number):
            raise AccountError(_("Een instellingsnummer bestaat uit 5 tot 10 cijfers."))
        if db.session.scalar(select(School).where(School.institution_number == number)):
            raise AccountError(_("Er bestaat al een school met dit instellingsnummer."))
    school = School(name=name.strip(), institution_number=number, levels=list(levels))
    db.session.add(school)
    db.session.flush()
    return school


def _mail_language(user: User) -> str:
    return user.language or "nl"


def request_password_reset(email: str) -> None:
    """Queue a reset mail if the account exists; say nothing either way."""
    user = find_user(email)
    if user is None or not user.is_active:
        return
    link = external_url("accounts.reset_password", token=make_token(user, "reset"))
    minutes = current_app.config["PASSWORD_RESET_MAX_AGE"] // 60
    with force_locale(_mail_language(user)):
        subject = _("Je wachtwoord voor rOK opnieuw instellen")
        body = _(
            "Dag %(name)s,\n\nVia deze link stel je een nieuw wachtwoord in voor rOK:\n"
            "%(link)s\n\nDe link werkt %(minutes)s minuten en maar één keer. Heb je dit "  # noqa: E501
            "niet zelf gevraagd? Dan mag je deze mail negeren.\n",
            name=user.display_name, link=link, minutes=minutes,
        )
    queue_mail(user.email, subject, body, kind="password_reset")


def reset_password(token: str, password: str) -> User | None:
    user = read_token(token, "reset", current_app.config["PASSWORD_RESET_MAX_AGE"])
    if user is None:
        return None
    set_password(user, password)
    return user


def accept_invitation(token: str, name: str, password: str) -> User | None:
    user = read_token(token, "invite", current_app.config["INVITATION_MAX_AGE"])
    if user is None or user.password_hash:
        return None
    if name.strip():
        user.name = name.strip()
    set_password(user, password)
    return user


def invitation_user(token: str) -> User | None:
    user = read_token(token, "invite", current_app.config["INVITATION_MAX_AGE"])
    if user is None or user.password_hash:
        return None
    return user


def add_member(
    school: School,
    email: str,
    name: str,
    role: Role,
    *,
    position: str = "",
    granted_by: User | None = None,
) -> Membership:
    """Give a (possibly new) user a role for the school and tell them by e-mail."""
    user = find_user(email)
    is_new = user is None
    if user is None:
        user = create_user(email, name)
    existing = db.session.scalar(
        select(Membership).where(
            Membership.user_id == user.id, Membership.school_id == school.id
        )
    )
    if existing is not None:
        if existing.role == role:
            raise AccountError(_("Deze persoon heeft al toegang tot deze school."))
        raise AccountError(
            _("Deze persoon heeft al een andere rol voor deze school. "
              "Trek die eerst in.")
        )
    membership = Membership(
        user=user, school=school, role=role, position=(position or "").strip(),
        granted_by_id=granted_by.id if granted_by else None,
    )
    db.session.add(membership)
    db.session.flush()
    _queue_membership_mail(
        user, school, role, is_new or not user.password_hash, granted_by
    )
    return membership


def _queue_membership_mail(
    user: User,
    school: School,
    role: Role,
    needs_password: bool,
    granted_by: User | None,
) -> None:
    inviter = granted_by.display_name if granted_by else "rOK"
    with force_locale(_mail_language(user)):
        if role == Role.ADVISOR:
            subject = _("%(school)s geeft je toegang tot hun resultaten in rOK",
                        school=school.name)
            what = _("%(inviter)s gaf je als begeleider leestoegang tot de bevragingen "
                     "van %(school)s.", inviter=inviter, school=school.name)
        else:
            subject = _("Uitnodiging voor het beleidsteam van %(school)s in rOK",
                        school=school.name)
            what = _("%(inviter)s nodigt je uit in het beleidsteam van %(school)s.",
                     inviter=inviter, school=school.name)
        if needs_password:
            link = external_url("accounts.accept_invitation",
                                token=make_token(user, "invite"))
            action = _(
                "Kies via deze link je wachtwoord (de link werkt 14 dagen):\n%(link)s",
                link=link,
            )
        else:
            action = _("Meld je aan op %(link)s", link=external_url("accounts.login"))
        body = f"{what}\n\n{action}\n"
    queue_mail(user.email, subject, body, kind=f"membership_{role.value}",
               school_id=school.id)


def remove_member(school: School, membership_id: int, acting_user: User) -> Membership:
    membership = db.session.get(Membership, membership_id)
    if membership is None or membership.school_id != school.id:
        raise LookupError(membership_id)
    if membership.role == Role.SCHOOL_ADMIN:
        admins = db.session.scalar(
            select(func.count()).select_from(Membership).where(
                Membership.school_id == school.id, Membership.role == Role.SCHOOL_ADMIN
            )
        )
        if admins <= 1:
            raise AccountError(_("Een school houdt minstens één beheerder."))
    db.session.delete(membership)
    db.session.flush()
    return membership


def schools_of(user: User) -> list[tuple[School, Membership]]:
    rows = db.session.execute(
        select(School, Membership)
        .join(Membership, Membership.school_id == School.id)
        .where(Membership.user_id == user.id)
        .order_by(School.name)
    ).all()
    return [(school, membership) for school, membership in rows]
