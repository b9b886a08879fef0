"""Uitvoeren: the response monitor and the reminders."""

from __future__ import annotations

from flask import abort, flash, redirect, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from rok.accounts.access import Permission, school_required
from rok.extensions import db
from rok.forms import ConfirmForm
from rok.surveys.manage import monitor as counting
from rok.surveys.manage import running
from rok.surveys.manage import views as core
from rok.surveys.manage.forms import ReminderForm
from rok.surveys.manage.services import SurveyError
from rok.surveys.manage.views import bp, load_survey, page, refuse
from rok.surveys.models import Reminder


def _render_monitor(school, survey, status=200, form=None):
    data = counting.response_monitor(
        survey,
        overall_label=_("Hele team"),
        other_label=_("overige"),
        missing_label=_("niet ingedeeld"),
    )
    return page(
        "monitor.html",
        school,
        survey,
        status=status,
        monitor=data,
        reminder_form=form or ReminderForm(),
        confirm_form=ConfirmForm(),
        today=core.today(),
        TOO_SMALL=counting.TOO_SMALL,
    )


def _to_monitor(survey):
    return redirect(
        url_for("surveys.monitor", school_id=survey.school_id, survey_id=survey.id)
    )


def _reminder(survey, reminder_id: int) -> Reminder:
    reminder = db.session.scalar(
        select(Reminder).where(
            Reminder.id == reminder_id, Reminder.survey_id == survey.id
        )
    )
    if reminder is None:
        abort(404)
    return reminder


@bp.route("/<int:survey_id>/opvolgen")
@school_required(Permission.MANAGE)
def monitor(school, survey_id: int):
    """Response rate overall and per subgroup against the recommended minimum."""
    return _render_monitor(school, load_survey(school, survey_id))


@bp.route("/<int:survey_id>/herinneringen", methods=["POST"])
@school_required(Permission.MANAGE)
def add_reminder(school, survey_id: int):
    survey = load_survey(school, survey_id)
    form = ReminderForm()
    if not form.validate_on_submit():
        return _render_monitor(school, survey, 400, form)
    try:
        running.add_reminder(survey, form.send_on.data, today=core.today())
    except SurveyError as error:
        return _render_monitor(school, survey, refuse(error), form)
    db.session.commit()
    flash(
        _(
            "De herinnering staat gepland op %(date)s. Vanaf die dag kun je ze hier "
            "versturen.",
            date=form.send_on.data.strftime("%d-%m-%Y"),
        ),
        "info",
    )
    return _to_monitor(survey)


@bp.route(
    "/<int:survey_id>/herinneringen/<int:reminder_id>/versturen", methods=["POST"]
)
@school_required(Permission.MANAGE)
def send_reminder(school, survey_id: int, reminder_id: int):
    survey = load_survey(school, survey_id)
    reminder = _reminder(survey, reminder_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        sent = running.send_reminder(survey, reminder, today=core.today())
    except SurveyError as error:
        return _render_monitor(school, survey, refuse(error))
    db.session.commit()
    flash(
        _(
            "De herinnering staat klaar voor %(n)d collega('s) die nog niet "
            "klaar zijn.",
            n=sent,
        ),
        "info",
    )
    return _to_monitor(survey)


@bp.route(
    "/<int:survey_id>/herinneringen/<int:reminder_id>/verwijderen", methods=["POST"]
)
@school_required(Permission.MANAGE)
def remove_reminder(school, survey_id: int, reminder_id: int):
    survey = load_survey(school, survey_id)
    reminder = _reminder(survey, reminder_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        running.remove_reminder(survey, reminder)
    except SurveyError as error:
        return _render_monitor(school, survey, refuse(error))
    db.session.commit()
    flash(_("De herinnering is geschrapt."), "info")
    return _to_monitor(survey)
