"""Verwerken: notes, self-placement, the action plan, the report and the exports.

Every URL lives under ``/scholen/<school_id>``; the survey's pages under
``/scholen/<school_id>/bevragingen/<survey_id>/…``:

==============================================  ======  ================================
``/verwerken``                                  VIEW    surveys with results (school)
``…/verwerken``                                 VIEW    the survey's processing hub
``…/notities``                                  VIEW    notes per quality area
``…/notities`` (POST)                           MANAGE  add a team note (or ADVISE: an
                                                        advisor's preparation note)
``…/notities/<note_id>`` (GET, POST)            author  edit a note
``…/notities/<note_id>/verwijderen`` (POST)     author  delete a note
``…/zelfevaluatie`` (GET / POST)                VIEW /  the self-placement
                                                MANAGE
``…/actieplan``                                 VIEW    the action plan (+ previous
                                                        round)
``…/actieplan/bord``                            VIEW    the printable team board
``…/actieplan/nieuw``                           MANAGE  a new goal
``…/actieplan/<goal_id>``                       MANAGE  edit a goal
``…/actieplan/<goal_id>/verwijderen``           MANAGE  delete a goal
``…/actieplan/<goal_id>/acties/nieuw``          MANAGE  a new action
``…/acties/<action_id>``                        MANAGE  edit an action
``…/acties/<action_id>/verwijderen``            MANAGE  delete an action
``…/export/tabellen.xlsx``                      VIEW    aggregated tables (XLSX)
``…/export/tabellen.csv?tabel=…&deelgroep=…``   VIEW    one aggregated table (CSV)
``…/export/antwoorden.csv``                     MANAGE  the anonymous answers (CSV)
``…/rapport.pdf``                               VIEW    the PDF report
==============================================  ======  ================================

"Author" routes are guarded with VIEW and then :func:`services.may_edit_note`:
an advisor edits only their own advisor notes, the school only its own notes.
"""

from __future__ import annotations

from collections.abc import Iterable

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from rok.accounts.access import Permission, permissions_for, school_required
from rok.dashboard import exports
from rok.extensions import db
from rok.forms import ConfirmForm
from rok.main.menu import MenuItem, register
from rok.processing import labels, services
from rok.processing.forms import (
    ActionForm,
    GoalForm,
    NoteEditForm,
    NoteForm,
    PlacementForm,
    placement_prefix,
)
from rok.processing.models import Action, AreaNote, Goal, UnitLevel
from rok.processing.services import ActionValues, GoalValues, ProcessingError
from rok.surveys.models import Survey, SurveyStatus

bp = Blueprint("processing", __name__, url_prefix="/scholen/<int:school_id>")
SURVEY = "/bevragingen/<int:survey_id>"

register(MenuItem(
    "processing.school_index", _l("Verwerken"),
    _l("Notities, zelfevaluatie, actieplan, rapport en exports van afgesloten "
       "bevragingen."),
    Permission.VIEW, order=20))


# --- helpers -------------------------------------------------------------------------


def _load_survey(school, survey_id: int) -> Survey:
    from rok.surveys.manage.views import load_survey

    return load_survey(school, survey_id)


def _permissions(school) -> frozenset:
    return permissions_for(current_user, school.id)


def _render(template: str, school, survey: Survey | None, status: int = 200,
            **context):
    permissions = _permissions(school)
    dashboard_url = None
    if survey is not None and "dashboard.overview" in current_app.view_functions:
        dashboard_url = url_for("dashboard.overview", school_id=school.id,
                                survey_id=survey.id)
    return render_template(
        f"processing/{template}", school=school, survey=survey,
        dashboard_url=dashboard_url,
        can_manage=Permission.MANAGE in permissions,
        can_advise=Permission.ADVISE in permissions,
        results_problem=exports.results_problem(survey) if survey else None,
        labels=labels, UnitLevel=UnitLevel, **context), status


def _refuse(error: ProcessingError) -> int:
    db.session.rollback()
    flash(str(error), "error")
    return error.status


def _redirect(endpoint: str, survey: Survey, anchor: str | None = None):
    return redirect(url_for(endpoint, school_id=survey.school_id,
                            survey_id=survey.id, _anchor=anchor))


def _unit_choices(survey: Survey, levels=tuple(UnitLevel)) -> list[SelectChoice]:
    choices = []
    for unit in services.flatten(services.survey_units(survey)):
        if unit.level in levels:
            indent = {"rubriek": "", "area": "— ", "expectation": "—— "}[unit.level]
            choices.append(SelectChoice(unit.key, f"{indent}{unit.label}"))
    return choices


def _download(body: str | bytes | Iterable[str], mimetype: str,
              filename: str) -> Response:
    return Response(body, mimetype=mimetype, headers={
        "Content-Disposition": f'attachment; filename="{filename}"',
        "Cache-Control": "no-store",
        "X-Content-Type-Options": "nosniff",
    })


def _results_or_409(school, survey: Survey):
    """Return the survey's results, or a page that explains why there are none."""
    problem = exports.results_problem(survey)
    if problem is not None:
        flash(problem, "error")
        return None, _render("index.html", school, survey, status=409,
                             **_hub_context(survey))
    return exports.load_results(survey), None


# --- the school's list ---------------------------------------------------------------


@bp.route("/verwerken")
@school_required(Permission.VIEW)
def school_index(school):
    """List the school's surveys with what there is to process (no other school)."""
    surveys = db.session.scalars(
        select(Survey).where(Survey.school_id == school.id)
        .order_by(Survey.created_at.desc(), Survey.id.desc())).all()
    goals = {survey.id: len(services.goals_of(survey)) for survey in surveys}
    return _render("school.html", school, None, surveys=surveys, goals=goals,
                   Status=SurveyStatus)


# --- the survey's hub ---------------------------------------------------------------


def _hub_context(survey: Survey) -> dict:
    results_ok = exports.results_problem(survey) is None
    levels = [(slug, exports.LEVEL_TITLES[level])
              for slug, level in exports.LEVEL_SLUGS.items()]
    return {
        "levels": levels,
        "dimensions": survey.dimensions,
        "results_ok": results_ok,
        "n_goals": len(services.goals_of(survey)),
        "n_notes": len(services.notes_of(survey)),
        "n_placements": len(services.placements_of(survey)),
    }


@bp.route(f"{SURVEY}/verwerken")
@school_required(Permission.VIEW)
def index(school, survey_id: int):
    survey = _load_survey(school, survey_id)
    return _render("index.html", school, survey, **_hub_context(survey))


# --- notes ------------------------------------------------------------------------


def _note_form(survey: Survey) -> NoteForm:
    form = NoteForm()
    form.unit.choices = _unit_choices(survey)
    return form


def _render_notes(school, survey: Survey, form: NoteForm, status: int = 200):
    permissions = _permissions(school)
    notes = services.notes_of(survey)
    return _render(
        "notes.html", school, survey, status=status, form=form,
        units=services.survey_units(survey), notes=services.notes_by_unit(notes),
        may_edit=lambda note: services.may_edit_note(note, current_user.id,
                                                     permissions),
        confirm_form=ConfirmForm())


@bp.get(f"{SURVEY}/notities")
@school_required(Permission.VIEW)
def notes(school, survey_id: int):
    survey = _load_survey(school, survey_id)
    form = _note_form(survey)
    unit = request.args.get("over", "")
    if unit in {c.value for c in form.unit.choices}:
        form.unit.data = unit
    return _render_notes(school, survey, form)


@bp.post(f"{SURVEY}/notities")
@school_required(Permission.VIEW)
def add_note(school, survey_id: int):
    """Add a note: the school's (MANAGE) or the advisor's own (ADVISE)."""
    permissions = _permissions(school)
    if Permission.MANAGE in permissions:
        as_advisor = False
    elif Permission.ADVISE in permissions:
        as_advisor = True
    else:
        abort(403)
    survey = _load_survey(school, survey_id)
    form = _note_form(survey)
    status = 400
    if form.validate_on_submit():
        try:
            note = services.add_note(survey, current_user, form.unit.data,
                                     form.text.data, as_advisor=as_advisor)
        except ProcessingError as error:
            status = _refuse(error)
        else:
            db.session.commit()
            flash(_("De notitie is bewaard."), "info")
            return _redirect("processing.notes", survey, f"note-{note.id}")
    return _render_notes(school, survey, form, status)


def _editable_note(school, survey: Survey, note_id: int) -> AreaNote:
    note = db.session.scalar(select(AreaNote).where(
        AreaNote.id == note_id, AreaNote.survey_id == survey.id))
    if note is None:
        abort(404)
    if not services.may_edit_note(note, current_user.id, _permissions(school)):
        abort(403)
    return note


@bp.route(f"{SURVEY}/notities/<int:note_id>", methods=["GET", "POST"])
@school_required(Permission.VIEW)
def edit_note(school, survey_id: int, note_id: int):
    survey = _load_survey(school, survey_id)
    note = _editable_note(school, survey, note_id)
    form = NoteEditForm(obj=note)
    status = 200
    if form.validate_on_submit():
        try:
            services.update_note(note, form.text.data)
        except ProcessingError as error:
            status = _refuse(error)
        else:
            db.session.commit()
            flash(_("De notitie is bewaard."), "info")
            return _redirect("processing.notes", survey, f"note-{note.id}")
    elif form.is_submitted():
        status = 400
    unit = services.unit_index(survey).get(
        services.unit_key(note.unit_level, note.unit_code))
    return _render("note_edit.html", school, survey, status=status, form=form,
                   note=note, unit=unit)


@bp.post(f"{SURVEY}/notities/<int:note_id>/verwijderen")
@school_required(Permission.VIEW)
def delete_note(school, survey_id: int, note_id: int):
    survey = _load_survey(school, survey_id)
    note = _editable_note(school, survey, note_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    services.delete_note(note)
    db.session.commit()
    flash(_("De notitie is verwijderd."), "info")
    return _redirect("processing.notes", survey)


# --- self-placement ---------------------------------------------------------------


def _render_placements(school, survey: Survey, status: int = 200,
                       failed: tuple[str, PlacementForm] | None = None):
    placements = services.placements_of(survey)
    forms = {}
    for unit in services.flatten(services.survey_units(survey)):
        if unit.level != UnitLevel.AREA:
            continue
        if failed is not None and failed[0] == unit.key:
            forms[unit.key] = failed[1]
            continue
        existing = placements.get(unit.key)
        forms[unit.key] = PlacementForm(
            formdata=None, prefix=placement_prefix(unit.key),
            level=existing.level.value if existing else "",
            motivation=existing.motivation if existing else "")
    return _render("self_placement.html", school, survey, status=status,
                   units=services.survey_units(survey), placements=placements,
                   forms=forms)


@bp.get(f"{SURVEY}/zelfevaluatie")
@school_required(Permission.VIEW)
def self_placement(school, survey_id: int):
    survey = _load_survey(school, survey_id)
    return _render_placements(school, survey)


@bp.post(f"{SURVEY}/zelfevaluatie")
@school_required(Permission.MANAGE)
def save_self_placement(school, survey_id: int):
    survey = _load_survey(school, survey_id)
    unit = request.form.get("unit", "")
    if unit not in services.unit_index(survey):
        abort(400)
    form = PlacementForm(prefix=placement_prefix(unit))
    status = 400
    if form.validate_on_submit():
        try:
            services.set_placement(survey, current_user, unit, form.level.data,
                                   form.motivation.data or "")
        except ProcessingError as error:
            status = _refuse(error)
        else:
            db.session.commit()
            flash(_("De zelfevaluatie is bewaard."), "info")
            return _redirect("processing.self_placement", survey,
                             "unit-" + unit.replace(":", "-"))
    return _render_placements(school, survey, status, failed=(unit, form))


# --- the action plan ----------------------------------------------------------------


def _goal_form(survey: Survey, goal: Goal | None = None) -> GoalForm:
    form = GoalForm(obj=goal) if goal is not None else GoalForm()
    form.units.choices = _unit_choices(survey)
    form.statements.choices = [
        SelectChoice(s.id, f"{s.position + 1}. {s.text}") for s in survey.statements]
    if goal is not None and not form.is_submitted():
        form.units.data = list(goal.unit_keys)
        form.statements.data = list(goal.statement_ids)
        form.status.data = goal.status.value
    return form


def _goal_values(form: GoalForm) -> GoalValues:
    return GoalValues(
        title=form.title.data, unit_keys=form.units.data or [],
        statement_ids=form.statements.data or [],
        expected_effect=form.expected_effect.data or "",
        indicator=form.indicator.data or "", review_on=form.review_on.data,
        status=form.status.data)


def _action_values(form: ActionForm) -> ActionValues:
    return ActionValues(
        what=form.what.data, owner=form.owner.data or "",
        timing=form.timing.data or "", starts_on=form.starts_on.data,
        ends_on=form.ends_on.data, status=form.status.data)


def _goal(survey: Survey, goal_id: int) -> Goal:
    goal = db.session.scalar(select(Goal).where(Goal.id == goal_id,
                                                Goal.survey_id == survey.id))
    if goal is None:
        abort(404)
    return goal


def _action(survey: Survey, action_id: int) -> Action:
    action = db.session.scalar(
        select(Action).join(Goal).where(Action.id == action_id,
                                        Goal.survey_id == survey.id))
    if action is None:
        abort(404)
    return action


def _plan_context(survey: Survey) -> dict:
    index = services.unit_index(survey)
    statements = {s.id: s for s in survey.statements}
    return {"goals": services.goals_of(survey), "unit_index": index,
            "statements": statements}


@bp.get(f"{SURVEY}/actieplan")
@school_required(Permission.VIEW)
def action_plan(school, survey_id: int):
    survey = _load_survey(school, survey_id)
    previous, look_back = services.look_back(survey)
    return _render("plan.html", school, survey, previous=previous,
                   look_back=look_back, confirm_form=ConfirmForm(),
                   **_plan_context(survey))


@bp.get(f"{SURVEY}/actieplan/bord")
@school_required(Permission.VIEW)
def board(school, survey_id: int):
    """The action plan as a board to print and hang in the staff room."""
    survey = _load_survey(school, survey_id)
    return _render("board.html", school, survey, **_plan_context(survey))


@bp.route(f"{SURVEY}/actieplan/nieuw", methods=["GET", "POST"])
@school_required(Permission.MANAGE)
def new_goal(school, survey_id: int):
    survey = _load_survey(school, survey_id)
    form = _goal_form(survey)
    if not form.is_submitted():
        unit = request.args.get("over", "")
        if unit in {c.value for c in form.units.choices}:
            form.units.data = [unit]
    status = 200
    if form.validate_on_submit():
        try:
            goal = services.create_goal(survey, _goal_values(form))
        except ProcessingError as error:
            status = _refuse(error)
        else:
            db.session.commit()
            flash(_("Het doel is toegevoegd. Voeg nu de acties toe."), "info")
            return _redirect("processing.action_plan", survey, f"goal-{goal.id}")
    elif form.is_submitted():
        status = 400
    return _render("goal_form.html", school, survey, status=status, form=form,
                   goal=None)


@bp.route(f"{SURVEY}/actieplan/<int:goal_id>", methods=["GET", "POST"])
@school_required(Permission.MANAGE)
def edit_goal(school, survey_id: int, goal_id: int):
    survey = _load_survey(school, survey_id)
    goal = _goal(survey, goal_id)
    form = _goal_form(survey, goal)
    status = 200
    if form.validate_on_submit():
        try:
            services.update_goal(survey, goal, _goal_values(form))
        except ProcessingError as error:
            status = _refuse(error)
            goal = _goal(survey, goal_id)
        else:
            db.session.commit()
            flash(_("Het doel is bewaard."), "info")
            return _redirect("processing.action_plan", survey, f"goal-{goal.id}")
    elif form.is_submitted():
        status = 400
    return _render("goal_form.html", school, survey, status=status, form=form,
                   goal=goal, confirm_form=ConfirmForm())


@bp.post(f"{SURVEY}/actieplan/<int:goal_id>/verwijderen")
@school_required(Permission.MANAGE)
def delete_goal(school, survey_id: int, goal_id: int):
    survey = _load_survey(school, survey_id)
    goal = _goal(survey, goal_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    services.delete_goal(goal)
    db.session.commit()
    flash(_("Het doel en zijn acties zijn verwijderd."), "info")
    return _redirect("processing.action_plan", survey)


@bp.route(f"{SURVEY}/actieplan/<int:goal_id>/acties/nieuw", methods=["GET", "POST"])
@school_required(Permission.MANAGE)
def new_action(school, survey_id: int, goal_id: int):
    survey = _load_survey(school, survey_id)
    goal = _goal(survey, goal_id)
    form = ActionForm()
    status = 200
    if form.validate_on_submit():
        try:
            services.add_action(goal, _action_values(form))
        except ProcessingError as error:
            status = _refuse(error)
            goal = _goal(survey, goal_id)
        else:
            db.session.commit()
            flash(_("De actie is toegevoegd."), "info")
            return _redirect("processing.action_plan", survey, f"goal-{goal.id}")
    elif form.is_submitted():
        status = 400
    return _render("action_form.html", school, survey, status=status, form=form,
                   goal=goal, action=None)


@bp.route(f"{SURVEY}/acties/<int:action_id>", methods=["GET", "POST"])
@school_required(Permission.MANAGE)
def edit_action(school, survey_id: int, action_id: int):
    survey = _load_survey(school, survey_id)
    action = _action(survey, action_id)
    form = ActionForm(obj=action)
    if not form.is_submitted():
        form.status.data = action.status.value
    status = 200
    if form.validate_on_submit():
        try:
            services.update_action(action, _action_values(form))
        except ProcessingError as error:
            status = _refuse(error)
            action = _action(survey, action_id)
        else:
            db.session.commit()
            flash(_("De actie is bewaard."), "info")
            return _redirect("processing.action_plan", survey,
                             f"goal-{action.goal_id}")
    elif form.is_submitted():
        status = 400
    return _render("action_form.html", school, survey, status=status, form=form,
                   goal=action.goal, action=action, confirm_form=ConfirmForm())


@bp.post(f"{SURVEY}/acties/<int:action_id>/verwijderen")
@school_required(Permission.MANAGE)
def delete_action(school, survey_id: int, action_id: int):
    survey = _load_survey(school, survey_id)
    action = _action(survey, action_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    goal_id = action.goal_id
    services.delete_action(action)
    db.session.commit()
    flash(_("De actie is verwijderd."), "info")
    return _redirect("processing.action_plan", survey, f"goal-{goal_id}")


# --- exports and the report ---------------------------------------------------------


def report_extras(survey: Survey, results: exports.Results | None = None) -> dict:
    """Return the school's own material for the PDF report (shown to all viewers).

    ``results`` are the survey's, when loaded already (for the look back).
    """
    notes = services.notes_of(survey)
    rubriek_notes: dict[str, list[AreaNote]] = {}
    area_notes: dict[str, list[AreaNote]] = {}
    area_of = {s.expectation_code: s.area_code for s in survey.statements}
    for note in notes:
        if note.unit_level == UnitLevel.RUBRIEK:
            rubriek_notes.setdefault(note.unit_code, []).append(note)
        elif note.unit_level == UnitLevel.AREA:
            area_notes.setdefault(note.unit_code, []).append(note)
        elif note.unit_code in area_of:
            area_notes.setdefault(area_of[note.unit_code], []).append(note)
    previous, look_back = services.look_back(survey, results)
    return {
        "labels": labels,
        "previous": previous,
        "look_back": look_back,
        "placements": services.placements_of(survey),
        "rubriek_notes": rubriek_notes,
        "area_notes": area_notes,
        "goals": services.goals_of(survey),
        "unit_index": services.unit_index(survey),
        "statement_index": {s.id: s for s in survey.statements},
    }



@bp.get(f"{SURVEY}/export/tabellen.xlsx")
@school_required(Permission.VIEW)
def export_xlsx(school, survey_id: int):
    survey = _load_survey(school, survey_id)
    results, refused = _results_or_409(school, survey)
    if refused is not None:
        return refused
    body = exports.tables_xlsx(results, exports.titles_by_level(survey))
    return _download(
        body, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        exports.safe_filename(survey.title, "-tabellen.xlsx"))


@bp.get(f"{SURVEY}/export/tabellen.csv")
@school_required(Permission.VIEW)
def export_csv(school, survey_id: int):
    survey = _load_survey(school, survey_id)
    slug = request.args.get("tabel", "stellingen")
    level = exports.LEVEL_SLUGS.get(slug)
    dimension = request.args.get("deelgroep") or None
    if level is None or (dimension is not None and dimension not in
                         {d.key for d in survey.dimensions}):
        abort(404)
    results, refused = _results_or_409(school, survey)
    if refused is not None:
        return refused
    body = exports.tables_csv(results, level, dimension)
    table = exports.safe_filename(f"{slug}-{dimension or ''}", ".csv")
    return _download(body, "text/csv",
                     exports.safe_filename(survey.title, f"-{table}"))


@bp.get(f"{SURVEY}/export/antwoorden.csv")
@school_required(Permission.MANAGE)
def export_answers(school, survey_id: int):
    """The anonymous answers, only when every cell meets the group-size rule."""
    survey = _load_survey(school, survey_id)
    results, refused = _results_or_409(school, survey)
    if refused is not None:
        return refused
    problem = exports.anonymous_answers_problem(results)
    if problem is not None:
        flash(problem, "error")
        return _render("index.html", school, survey, status=409,
                       **_hub_context(survey))
    # Streamed: a big survey has hundreds of thousands of rows.
    return _download(exports.anonymous_answers_chunks(results), "text/csv",
                     exports.safe_filename(survey.title, "-antwoorden.csv"))


@bp.get(f"{SURVEY}/rapport.pdf")
@school_required(Permission.VIEW)
def report(school, survey_id: int):
    from rok.dashboard.report import render_report_pdf

    survey = _load_survey(school, survey_id)
    results, refused = _results_or_409(school, survey)
    if refused is not None:
        return refused
    pdf = render_report_pdf(results, report_extras(survey, results))
    return _download(pdf, "application/pdf",
                     exports.safe_filename(survey.title, "-rapport.pdf"))
