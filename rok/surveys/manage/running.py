"""Uitvoeren and verwerken: open, invite, remind, close, purge, delete, next round.

Plain functions like those in :mod:`rok.surveys.manage.services`: they take values,
may flush, never commit and never read the request.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import delete, select, update

from rok.accounts.models import utcnow
from rok.extensions import db
from rok.mail import queue_mail
from rok.surveys import links
from rok.surveys.manage.services import MAX_TITLE, SurveyError, ensure_not_closed
from rok.surveys.manage.urls import personal_url
from rok.surveys.models import (
    Answer,
    Comment,
    Participant,
    Reminder,
    Response,
    SubgroupDimension,
    SubgroupOption,
    Survey,
    SurveyStatement,
    SurveyStatus,
)

# --- uitvoeren ----------------------------------------------------------------------


def add_participants(
    survey: Survey, rows: Iterable, *, now: datetime | None = None
) -> int:
    """Add imported rows (see rok.surveys.manage.participants); invite if open."""
    ensure_not_closed(survey)
    present = {p.email for p in survey.participants if p.email}
    added = 0
    for row in rows:
        if row.email in present:
            continue
        participant = Participant(
            email=row.email, name=row.name or None, subgroups=dict(row.subgroups)
        )
        survey.participants.append(participant)
        present.add(row.email)
        added += 1
        if survey.status == SurveyStatus.OPEN:
            db.session.flush()
            invite(survey, participant, now=now)
    db.session.flush()
    return added


def open_problems(survey: Survey) -> list[str]:
    """Return what still keeps the survey from opening (empty when it can open)."""
    problems = []
    if survey.status != SurveyStatus.PREPARING:
        problems.append(_("Alleen een bevraging in voorbereiding kan geopend worden."))
    if not survey.statements:
        problems.append(_("Kies minstens één stelling."))
    if not survey.participants and not survey.team_link_enabled:
        problems.append(_("Voeg deelnemers toe of zet de teamlink aan."))
    return problems


def invite(
    survey: Survey, participant: Participant, *, now: datetime | None = None
) -> None:
    """Issue a personal link and queue the invitation mail."""
    token = links.new_token()
    participant.token_hash = links.participant_hash(token)
    participant.link_ciphertext = links.encrypt_token(token)
    participant.invited_at = now or utcnow()
    if participant.email:
        queue_mail(
            participant.email,
            _("Uitnodiging: %(title)s", title=survey.title),
            _invitation_body(survey, personal_url(token)),
            kind="survey_invitation",
            school_id=survey.school_id,
        )


def _invitation_body(survey: Survey, url: str) -> str:
    end = ""
    if survey.planned_end:
        end = (
            _(
                "Je kunt antwoorden tot en met %(date)s.",
                date=survey.planned_end.strftime("%d-%m-%Y"),
            )
            + "\n\n"
        )
    return _(
        "Beste collega\n\n"
        "%(school)s vraagt jouw blik op de kwaliteit van onze school: "
        '"%(title)s". Het duurt ongeveer een kwartier en je antwoorden zijn '
        "anoniem.\n\n"
        "Je persoonlijke link (deel hem niet, hij is alleen voor jou):\n%(url)s\n\n"
        "%(end)sDank je wel!",
        school=survey.school.name,
        title=survey.title,
        url=url,
        end=end,
    )


def open_survey(survey: Survey, *, now: datetime | None = None) -> int:
    """Open the survey and invite every participant; return the number invited."""
    problems = open_problems(survey)
    if problems:
        raise SurveyError(" ".join(problems))
    now = now or utcnow()
    survey.status = SurveyStatus.OPEN
    survey.opened_at = now
    invited = 0
    for participant in survey.participants:
        if participant.token_hash is None:
            invite(survey, participant, now=now)
            invited += 1
    db.session.flush()
    return invited


def add_reminder(survey: Survey, send_on: date, *, today: date) -> Reminder:
    ensure_not_closed(survey)
    if send_on < today:
        raise SurveyError(_("Kies een datum vanaf vandaag."))
    if survey.planned_end and send_on > survey.planned_end:
        raise SurveyError(_("Deze datum ligt na het einde van de bevraging."))
    if any(r.send_on == send_on and r.sent_at is None for r in survey.reminders):
        raise SurveyError(_("Op die dag staat al een herinnering gepland."))
    if len(survey.reminders) >= 10:
        raise SurveyError(_("Plan hoogstens tien herinneringen."))
    reminder = Reminder(send_on=send_on)
    survey.reminders.append(reminder)
    db.session.flush()
    return reminder


def remove_reminder(survey: Survey, reminder: Reminder) -> None:
    if reminder.sent_at is not None:
        raise SurveyError(_("Een verstuurde herinnering kan niet meer weg."))
    survey.reminders.remove(reminder)
    db.session.flush()


def send_reminder(
    survey: Survey, reminder: Reminder, *, today: date, now: datetime | None = None
) -> int:
    """Queue the reminder to everyone who has not finished; return the count."""
    if survey.status != SurveyStatus.OPEN:
        raise SurveyError(
            _("Herinneringen gaan alleen uit terwijl de bevraging open is.")
        )
    if reminder.sent_at is not None:
        raise SurveyError(_("Deze herinnering is al verstuurd."))
    if reminder.send_on > today:
        raise SurveyError(
            _(
                "Deze herinnering staat pas gepland op %(date)s.",
                date=reminder.send_on.strftime("%d-%m-%Y"),
            )
        )
    now = now or utcnow()
    sent = 0
    for participant in survey.participants:
        if participant.has_finished or not participant.email:
            continue
        token = links.decrypt_token(participant.link_ciphertext)
        if token is None:
            continue
        queue_mail(
            participant.email,
            _("Herinnering: %(title)s", title=survey.title),
            _reminder_body(survey, personal_url(token)),
            kind="survey_reminder",
            school_id=survey.school_id,
        )
        participant.last_reminded_at = now
        participant.reminder_count += 1
        sent += 1
    reminder.sent_at = now
    reminder.recipients = sent
    db.session.flush()
    return sent


def _reminder_body(survey: Survey, url: str) -> str:
    return _(
        "Beste collega\n\n"
        "Misschien is het je ontgaan: %(school)s vraagt nog altijd jouw blik op "
        'de kwaliteit van onze school ("%(title)s"). Heb je al een deel '
        "ingevuld, dan ga je verder waar je stopte. Je antwoorden blijven "
        "anoniem.\n\n%(url)s\n\nDank je wel!",
        school=survey.school.name,
        title=survey.title,
        url=url,
    )


def close_survey(survey: Survey, *, now: datetime | None = None) -> None:
    if survey.status != SurveyStatus.OPEN:
        raise SurveyError(_("Alleen een open bevraging kan afgesloten worden."))
    survey.status = SurveyStatus.CLOSED
    survey.closed_at = now or utcnow()
    db.session.flush()


def close_if_due(survey: Survey, today: date, *, now: datetime | None = None) -> bool:
    """Close an open survey whose planned end date has passed (the end day counts)."""
    if (
        survey.status == SurveyStatus.OPEN
        and survey.planned_end is not None
        and survey.planned_end < today
    ):
        close_survey(survey, now=now)
        return True
    return False


def close_due_surveys(today: date, *, now: datetime | None = None) -> int:
    """Close every open survey whose end date lies before ``today``."""
    due = db.session.scalars(
        select(Survey).where(
            Survey.status == SurveyStatus.OPEN,
            Survey.planned_end.is_not(None),
            Survey.planned_end < today,
        )
    ).all()
    for survey in due:
        close_survey(survey, now=now)
    return len(due)


# --- verwerken ----------------------------------------------------------------------


@dataclass
class PurgeReport:
    closed: int = 0
    surveys: int = 0
    participants: int = 0


def purge_date(survey: Survey) -> datetime | None:
    """Return when the survey's addresses will be deleted (None while not closed)."""
    if survey.closed_at is None or survey.purged_at is not None:
        return None
    return survey.closed_at + timedelta(days=current_app.config["PURGE_AFTER_DAYS"])


def purge(now: datetime, after_days: int) -> PurgeReport:
    """Close due surveys, then delete addresses of surveys closed long enough ago.

    Safe to run repeatedly: a purged survey is skipped.
    """
    report = PurgeReport(closed=close_due_surveys(now.date(), now=now))
    cutoff = now - timedelta(days=after_days)
    surveys = db.session.scalars(
        select(Survey).where(
            Survey.status == SurveyStatus.CLOSED,
            Survey.purged_at.is_(None),
            Survey.closed_at.is_not(None),
            Survey.closed_at <= cutoff,
        )
    ).all()
    for survey in surveys:
        result = db.session.execute(
            update(Participant)
            .where(Participant.survey_id == survey.id)
            .values(email=None, name=None, link_ciphertext=None)
        )
        report.participants += result.rowcount or 0
        survey.purged_at = now
        report.surveys += 1
    db.session.flush()
    return report


def delete_survey(survey: Survey, confirmation: str) -> None:
    """Delete the survey with all its answers; ``confirmation`` must be its title."""
    if " ".join((confirmation or "").split()) != " ".join(survey.title.split()):
        raise SurveyError(
            _("Typ de titel van de bevraging precies over om te bevestigen.")
        )
    responses = select(Response.id).where(Response.survey_id == survey.id)
    db.session.execute(delete(Answer).where(Answer.response_id.in_(responses)))
    db.session.execute(delete(Comment).where(Comment.response_id.in_(responses)))
    db.session.execute(delete(Response).where(Response.survey_id == survey.id))
    db.session.execute(
        update(Survey)
        .where(Survey.previous_round_id == survey.id)
        .values(previous_round_id=None)
    )
    db.session.delete(survey)
    db.session.flush()


def next_round(survey: Survey, *, title: str, copy_participants: bool) -> Survey:
    """Duplicate a survey as its next round (statements as they were, subgroups)."""
    title = title.strip()
    if not title or len(title) > MAX_TITLE:
        raise SurveyError(_("Geef de bevraging een titel van hoogstens 200 tekens."))
    new = Survey(
        school_id=survey.school_id,
        title=title,
        level=survey.level,
        bank_version_id=survey.bank_version_id,
        scales=dict(survey.scales or {}),
        rubrieken=list(survey.rubrieken or []),
        status=SurveyStatus.PREPARING,
        intro_text=survey.intro_text,
        min_group=survey.min_group,
        min_comments=survey.min_comments,
        thresholds=dict(survey.thresholds or {}),
        expected_team_size=survey.expected_team_size,
        previous_round_id=survey.id,
    )
    for s in survey.statements:
        new.statements.append(
            SurveyStatement(
                position=s.position,
                text=s.text,
                original_text=s.original_text,
                origin_key=s.origin_key,
                expectation_code=s.expectation_code,
                area_code=s.area_code,
                rubriek_code=s.rubriek_code,
            )
        )
    for d in survey.dimensions:
        dimension = SubgroupDimension(
            key=d.key, label=d.label, position=d.position, is_role=d.is_role
        )
        for o in d.options:
            dimension.options.append(
                SubgroupOption(
                    key=o.key,
                    label=o.label,
                    position=o.position,
                    is_leadership=o.is_leadership,
                )
            )
        new.dimensions.append(dimension)
    if copy_participants:
        for p in survey.participants:
            if p.email:
                new.participants.append(
                    Participant(
                        email=p.email, name=p.name, subgroups=dict(p.subgroups or {})
                    )
                )
    db.session.add(new)
    db.session.flush()
    return new
