"""Voorbereiden: statements, subgroups, the intro text and the preview."""

from __future__ import annotations

from itertools import groupby

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from rok.accounts.access import Permission, school_required
from rok.extensions import db
from rok.forms import ConfirmForm
from rok.framework import services as bank
from rok.surveys.manage import services
from rok.surveys.manage.forms import (
    AddFromBankForm,
    BankFilterForm,
    IntroForm,
    MoveForm,
    OwnStatementForm,
    StatementTextForm,
)
from rok.surveys.manage.services import SurveyError
from rok.surveys.manage.views import bp, load_survey, page, refuse
from rok.surveys.models import SurveyStatement

# --- statements --------------------------------------------------------------------


def _expectation_choices(survey) -> list[SelectChoice]:
    version = services.bank_version_of(survey)
    if version is None:
        return []
    choices = []
    for rubriek in version.framework.rubrieken:
        for area in rubriek.areas:
            for e in area.expectations:
                if not e.is_retired:
                    choices.append(
                        SelectChoice(
                            e.code, f"{e.code} · {e.title}", optgroup=rubriek.title
                        )
                    )
    return choices


def _expectation_titles(survey) -> dict[str, str]:
    version = services.bank_version_of(survey)
    if version is None:
        return {}
    return {e.code: e.title for e in version.framework.expectations}


def _statement(survey, statement_id: int) -> SurveyStatement:
    statement = db.session.scalar(
        select(SurveyStatement).where(
            SurveyStatement.id == statement_id, SurveyStatement.survey_id == survey.id
        )
    )
    if statement is None:
        abort(404)
    return statement


def _render_statements(school, survey, status=200, own_form=None):
    own_form = own_form or OwnStatementForm(prefix="own")
    own_form.expectation.choices = _expectation_choices(survey)
    return page(
        "statements.html",
        school,
        survey,
        status=status,
        own_form=own_form,
        confirm_form=ConfirmForm(),
        titles=_expectation_titles(survey),
    )


def _to_statements(survey, anchor: str | None = None):
    return redirect(
        url_for(
            "surveys.statements",
            school_id=survey.school_id,
            survey_id=survey.id,
            _anchor=anchor,
        )
    )


@bp.route("/<int:survey_id>/stellingen")
@school_required(Permission.MANAGE)
def statements(school, survey_id: int):
    """List the survey's statements in order, with their tools."""
    return _render_statements(school, load_survey(school, survey_id))


@bp.route(
    "/<int:survey_id>/stellingen/<int:statement_id>/verplaatsen", methods=["POST"]
)
@school_required(Permission.MANAGE)
def move_statement(school, survey_id: int, statement_id: int):
    survey = load_survey(school, survey_id)
    statement = _statement(survey, statement_id)
    form = MoveForm()
    if not form.validate_on_submit():
        flash(_("Kies omhoog of omlaag."), "error")
        return _render_statements(school, survey, 400)
    try:
        services.move_statement(survey, statement, form.direction.data)
    except SurveyError as error:
        return _render_statements(school, survey, refuse(error))
    db.session.commit()
    return _to_statements(survey, f"s{statement.id}")


@bp.route(
    "/<int:survey_id>/stellingen/<int:statement_id>/verwijderen", methods=["POST"]
)
@school_required(Permission.MANAGE)
def remove_statement(school, survey_id: int, statement_id: int):
    survey = load_survey(school, survey_id)
    statement = _statement(survey, statement_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        services.remove_statement(survey, statement)
    except SurveyError as error:
        return _render_statements(school, survey, refuse(error))
    db.session.commit()
    flash(_("De stelling is uit de bevraging gehaald."), "info")
    return _to_statements(survey)


@bp.route("/<int:survey_id>/stellingen/<int:statement_id>", methods=["GET", "POST"])
@school_required(Permission.MANAGE)
def edit_statement(school, survey_id: int, statement_id: int):
    """Reword a statement; the link to its expectation stays."""
    survey = load_survey(school, survey_id)
    statement = _statement(survey, statement_id)
    form = StatementTextForm(obj=statement)
    status = 200
    if request.method == "POST" and (reason := services.lock_reason(survey)):
        return _render_statements(school, survey, refuse(services.LockedError(reason)))
    if form.validate_on_submit():
        try:
            services.reword_statement(survey, statement, form.text.data)
        except SurveyError as error:
            status = refuse(error)
        else:
            db.session.commit()
            flash(_("De stelling is aangepast."), "info")
            return _to_statements(survey, f"s{statement.id}")
    elif form.is_submitted():
        status = 400
    return page(
        "statement_edit.html",
        school,
        survey,
        status=status,
        form=form,
        statement=statement,
        titles=_expectation_titles(survey),
    )


@bp.route("/<int:survey_id>/stellingen/eigen", methods=["POST"])
@school_required(Permission.MANAGE)
def add_own_statement(school, survey_id: int):
    """Add the school's own statement, linked to an expectation."""
    survey = load_survey(school, survey_id)
    form = OwnStatementForm(prefix="own")
    form.expectation.choices = _expectation_choices(survey)
    try:
        services.ensure_editable(survey)
    except SurveyError as error:
        return _render_statements(school, survey, refuse(error), own_form=form)
    if not form.validate_on_submit():
        return _render_statements(school, survey, 400, own_form=form)
    try:
        statement = services.add_own_statement(
            survey, form.text.data, form.expectation.data
        )
    except SurveyError as error:
        return _render_statements(school, survey, refuse(error), own_form=form)
    db.session.commit()
    flash(_("Jullie eigen stelling staat onderaan de lijst."), "info")
    return _to_statements(survey, f"s{statement.id}")


def _bank_filter(survey, version) -> BankFilterForm:
    form = BankFilterForm(request.args)
    form.rubriek.choices = [SelectChoice("", _("Alle rubrieken"))] + [
        SelectChoice(r.code, r.title) for r in version.framework.rubrieken
    ]
    form.verwachting.choices = [SelectChoice("", _("Alle verwachtingen"))] + [
        SelectChoice(e.code, f"{e.code} · {e.title}")
        for e in version.framework.expectations
        if not e.is_retired
    ]
    return form


@bp.route("/<int:survey_id>/stellingen/bank", methods=["GET", "POST"])
@school_required(Permission.MANAGE)
def bank_statements(school, survey_id: int):
    """Pick statements of the survey's level from the bank (filtered)."""
    survey = load_survey(school, survey_id)
    version = services.bank_version_of(survey)
    if version is None:
        return page(
            "bank.html",
            school,
            survey,
            version=None,
            status=409 if request.method == "POST" else 200,
        )
    add_form = AddFromBankForm()
    status = 200
    if request.method == "POST":
        if add_form.validate_on_submit():
            try:
                added = services.add_bank_statements(survey, add_form.keys.data)
            except SurveyError as error:
                status = refuse(error)
            else:
                db.session.commit()
                flash(_("%(n)d stelling(en) toegevoegd.", n=added), "info")
                return _to_statements(survey)
        else:
            status = 400
    filters = _bank_filter(survey, version)
    if not filters.validate():
        status = 400
        found = []
    else:
        found = bank.browse(
            version,
            survey.level,
            rubriek=filters.rubriek.data or None,
            expectation=filters.verwachting.data or None,
        )
    present = {s.origin_key for s in survey.statements}
    groups = [
        (expectation, list(rows))
        for expectation, rows in groupby(
            sorted(found, key=lambda s: (s.expectation.position, s.position)),
            key=lambda s: s.expectation,
        )
    ]
    return page(
        "bank.html",
        school,
        survey,
        status=status,
        version=version,
        filters=filters,
        add_form=add_form,
        groups=groups,
        present=present,
        count=len(found),
    )


# --- intro and preview ---------------------------------------------------------------


@bp.route("/<int:survey_id>/inleiding", methods=["GET", "POST"])
@school_required(Permission.MANAGE)
def intro(school, survey_id: int):
    """The intro text staff read before the first statement."""
    survey = load_survey(school, survey_id)
    form = IntroForm(obj=survey)
    status = 200
    if form.validate_on_submit():
        try:
            services.set_intro(survey, form.intro_text.data)
        except SurveyError as error:
            status = refuse(error)
        else:
            db.session.commit()
            flash(_("De inleiding is bewaard."), "info")
            return redirect(
                url_for("surveys.intro", school_id=school.id, survey_id=survey.id)
            )
    elif form.is_submitted():
        status = 400
    return page(
        "intro.html",
        school,
        survey,
        form=form,
        status=status,
        max_length=services.MAX_INTRO,
    )


@bp.route("/<int:survey_id>/voorbeeld")
@school_required(Permission.MANAGE)
def preview(school, survey_id: int):
    """Show the intro and every statement card as a respondent sees them."""
    survey = load_survey(school, survey_id)
    version = services.bank_version_of(survey)
    areas = {}
    if version is not None:
        areas = {
            (r.code, a.code): a.title
            for r in version.framework.rubrieken
            for a in r.areas
        }
    labels = {
        s.id: areas.get((s.rubriek_code, s.area_code), s.area_code)
        for s in survey.statements
    }
    return page(
        "preview.html", school, survey, scales=survey.scales or {}, area_labels=labels
    )
