"""The school's survey pages: the list, a new survey, the overview of the four
phases, settings, opening and closing, the next round and deleting.

Every URL of the package lives under ``/scholen/<school_id>/bevragingen``; the
pages of the other phases are in ``views_prepare``, ``views_participants`` and
``views_run``. Views load → authorise → validate → call a service → commit.
"""

from __future__ import annotations

from datetime import date

from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    render_template,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import func, select

from rok.accounts.access import Permission, permissions_for, school_required
from rok.extensions import db
from rok.forms import ConfirmForm
from rok.framework import services as bank
from rok.main.menu import MenuItem, register
from rok.surveys.manage import running, services
from rok.surveys.manage.forms import (
    DeleteForm,
    NewSurveyForm,
    NextRoundForm,
    SettingsForm,
)
from rok.surveys.manage.services import SurveyError
from rok.surveys.models import Participant, Response, Survey, SurveyStatus

bp = Blueprint("surveys", __name__, url_prefix="/scholen/<int:school_id>/bevragingen")

register(
    MenuItem(
        "surveys.index",
        _l("Bevragingen"),
        _l(
            "Een bevraging beslissen, voorbereiden, uitvoeren en verwerken: "
            "stellingen, deelnemers, uitnodigingen en de responsgraad."
        ),
        Permission.VIEW,
        order=10,
    )
)

LEVEL_TITLES = {
    "bao": _l("Basisonderwijs"),
    "bubao": _l("Buitengewoon basisonderwijs"),
    "so": _l("Secundair onderwijs"),
    "buso": _l("Buitengewoon secundair onderwijs"),
    "dko": _l("Deeltijds kunstonderwijs"),
}
PHASE_TITLES = {
    "beslissen": _l("Beslissen"),
    "voorbereiden": _l("Voorbereiden"),
    "uitvoeren": _l("Uitvoeren"),
    "verwerken": _l("Verwerken"),
}


def today() -> date:
    return date.today()


# --- helpers shared by the view modules --------------------------------------------


def load_survey(school, survey_id: int) -> Survey:
    """Return the school's survey (404 for another school's id); close it if due."""
    survey = db.session.scalar(
        select(Survey).where(Survey.id == survey_id, Survey.school_id == school.id)
    )
    if survey is None:
        abort(404)
    if running.close_if_due(survey, today()):
        db.session.commit()
    return survey


def can_manage(school) -> bool:
    return Permission.MANAGE in permissions_for(current_user, school.id)


def page(
    template: str, school, survey: Survey | None = None, status: int = 200, **context
):
    """Render a page of the package with what every survey page needs."""
    if survey is not None:
        context.setdefault("phase", services.phase(survey))
        context.setdefault("lock_reason", services.lock_reason(survey))
    return render_template(
        f"surveys/manage/{template}",
        school=school,
        survey=survey,
        can_manage=can_manage(school),
        phases=services.PHASES,
        phase_titles=PHASE_TITLES,
        level_titles=LEVEL_TITLES,
        Status=SurveyStatus,
        **context,
    ), status


def refuse(error: SurveyError):
    """Undo what the failed action flushed and keep its message for the page."""
    db.session.rollback()
    flash(str(error), "error")
    return error.status


def to_overview(survey: Survey):
    return redirect(
        url_for("surveys.overview", school_id=survey.school_id, survey_id=survey.id)
    )


# --- beslissen ---------------------------------------------------------------------


@bp.route("")
@school_required(Permission.VIEW)
def index(school):
    """List the school's surveys with the phase each is in."""
    surveys = db.session.scalars(
        select(Survey)
        .where(Survey.school_id == school.id)
        .order_by(Survey.created_at.desc(), Survey.id.desc())
    ).all()
    for survey in surveys:
        running.close_if_due(survey, today())
    db.session.commit()
    return page("index.html", school, surveys=surveys, phase_of=services.phase)


def _new_form(school, version) -> NewSurveyForm:
    from wtforms.fields.choices import SelectChoice

    form = NewSurveyForm()
    served = version.level_codes if version is not None else []
    form.level.choices = [
        SelectChoice(code, LEVEL_TITLES.get(code, code))
        for code in school.levels
        if code in served
    ]
    rubrieken = version.framework.rubrieken if version is not None else []
    form.rubrieken.choices = [SelectChoice(r.code, r.title) for r in rubrieken]
    if not form.is_submitted():
        form.rubrieken.data = [r.code for r in rubrieken]
        if len(form.level.choices) == 1:
            form.level.data = form.level.choices[0].value
    return form


@bp.route("/nieuw", methods=["GET", "POST"])
@school_required(Permission.MANAGE)
def new(school):
    """Beslissen: title, level, rubrieken and the planned window."""
    version = bank.latest_version()
    form = _new_form(school, version)
    if version is None:
        return page(
            "new.html",
            school,
            form=form,
            version=None,
            status=409 if form.is_submitted() else 200,
        )
    if form.validate_on_submit():
        try:
            survey = services.create_survey(
                school,
                title=form.title.data,
                level=form.level.data,
                rubrieken=form.rubrieken.data,
                planned_start=form.planned_start.data,
                planned_end=form.planned_end.data,
                version=version,
            )
        except SurveyError as error:
            status = refuse(error)
        else:
            db.session.commit()
            flash(
                _(
                    "De bevraging is aangemaakt met de standaardselectie van %(n)d "
                    "stellingen. Pas ze nu aan jullie school aan.",
                    n=len(survey.statements),
                ),
                "info",
            )
            return to_overview(survey)
    else:
        status = 400 if form.is_submitted() else 200
    return page("new.html", school, form=form, version=version, status=status)


@bp.route("/<int:survey_id>")
@school_required(Permission.VIEW)
def overview(school, survey_id: int):
    """The survey's phase, what is done and what comes next."""
    survey = load_survey(school, survey_id)
    return _render_overview(school, survey)


def _render_overview(school, survey: Survey, status: int = 200):
    counts = db.session.execute(
        select(func.count(Participant.id), func.count(Participant.invited_at)).where(
            Participant.survey_id == survey.id
        )
    ).one()
    submitted = db.session.scalar(
        select(func.count())
        .select_from(Response)
        .where(Response.survey_id == survey.id, Response.is_submitted.is_(True))
    )
    dashboard_url = url_for("dashboard.overview", school_id=school.id,
                            survey_id=survey.id)
    processing_url = url_for("processing.index", school_id=school.id,
                             survey_id=survey.id)
    return page(
        "overview.html",
        school,
        survey,
        status=status,
        participants=counts[0],
        invited=counts[1],
        submitted=submitted,
        open_problems=running.open_problems(survey)
        if survey.status == SurveyStatus.PREPARING
        else [],
        dashboard_url=dashboard_url,
        processing_url=processing_url,
        purge_date=running.purge_date(survey),
        confirm_form=ConfirmForm(),
    )


@bp.route("/<int:survey_id>/instellingen", methods=["GET", "POST"])
@school_required(Permission.MANAGE)
def settings(school, survey_id: int):
    """Change the title and the planned window."""
    survey = load_survey(school, survey_id)
    form = SettingsForm(obj=survey)
    status = 200
    if form.validate_on_submit():
        try:
            services.update_settings(
                survey,
                title=form.title.data,
                planned_start=form.planned_start.data,
                planned_end=form.planned_end.data,
            )
        except SurveyError as error:
            status = refuse(error)
        else:
            db.session.commit()
            flash(_("De instellingen zijn bewaard."), "info")
            return to_overview(survey)
    elif form.is_submitted():
        status = 400
    return page("settings.html", school, survey, form=form, status=status)


# --- uitvoeren: open and close -----------------------------------------------------


@bp.route("/<int:survey_id>/openen", methods=["POST"])
@school_required(Permission.MANAGE)
def open_survey(school, survey_id: int):
    survey = load_survey(school, survey_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        invited = running.open_survey(survey)
    except SurveyError as error:
        status = refuse(error)
        db.session.refresh(survey)
        return _render_overview(school, survey, status)
    db.session.commit()
    flash(
        _(
            "De bevraging is open. %(n)d uitnodiging(en) staan klaar in de "
            "uitgaande mail.",
            n=invited,
        ),
        "info",
    )
    return to_overview(survey)


@bp.route("/<int:survey_id>/sluiten", methods=["POST"])
@school_required(Permission.MANAGE)
def close(school, survey_id: int):
    survey = load_survey(school, survey_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        running.close_survey(survey)
    except SurveyError as error:
        status = refuse(error)
        return _render_overview(school, survey, status)
    db.session.commit()
    flash(_("De bevraging is afgesloten. Er kan niet meer geantwoord worden."), "info")
    return to_overview(survey)


# --- verwerken: next round and delete ----------------------------------------------


@bp.route("/<int:survey_id>/volgende-ronde", methods=["GET", "POST"])
@school_required(Permission.MANAGE)
def next_round(school, survey_id: int):
    """Duplicate the survey as its next round."""
    survey = load_survey(school, survey_id)
    form = NextRoundForm()
    if not form.is_submitted():
        form.title.data = _("%(title)s – volgende ronde", title=survey.title)[:200]
    status = 200
    if form.validate_on_submit():
        try:
            new_survey = running.next_round(
                survey,
                title=form.title.data,
                copy_participants=form.copy_participants.data,
            )
        except SurveyError as error:
            status = refuse(error)
        else:
            db.session.commit()
            flash(
                _(
                    "De volgende ronde staat klaar, met dezelfde stellingen, "
                    "deelgroepen en inleiding."
                ),
                "info",
            )
            return to_overview(new_survey)
    elif form.is_submitted():
        status = 400
    return page("next_round.html", school, survey, form=form, status=status)


@bp.route("/<int:survey_id>/verwijderen", methods=["GET", "POST"])
@school_required(Permission.MANAGE)
def delete(school, survey_id: int):
    """Delete the survey and everything in it, after typing its title."""
    survey = load_survey(school, survey_id)
    form = DeleteForm()
    status = 200
    if form.validate_on_submit():
        title = survey.title
        try:
            running.delete_survey(survey, form.confirmation.data)
        except SurveyError as error:
            status = refuse(error)
            survey = load_survey(school, survey_id)
        else:
            db.session.commit()
            flash(
                _(
                    'De bevraging "%(title)s" en alle antwoorden zijn verwijderd.',
                    title=title,
                ),
                "info",
            )
            return redirect(url_for("surveys.index", school_id=school.id))
    elif form.is_submitted():
        status = 400
    return page("delete.html", school, survey, form=form, status=status)
