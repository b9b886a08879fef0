"""Voorbereiden: the subgroups (dimensions such as *functie* and their options)."""

from __future__ import annotations

from flask import abort, flash, redirect, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from rok.accounts.access import Permission, school_required
from rok.extensions import db
from rok.forms import ConfirmForm
from rok.surveys.manage import services
from rok.surveys.manage.forms import LabelForm
from rok.surveys.manage.services import SurveyError
from rok.surveys.manage.views import bp, load_survey, page, refuse
from rok.surveys.models import SubgroupDimension, SubgroupOption

# --- subgroups ---------------------------------------------------------------------


def _dimension(survey, dimension_id: int) -> SubgroupDimension:
    dimension = db.session.scalar(
        select(SubgroupDimension).where(
            SubgroupDimension.id == dimension_id,
            SubgroupDimension.survey_id == survey.id,
        )
    )
    if dimension is None:
        abort(404)
    return dimension


def _option(dimension, option_id: int) -> SubgroupOption:
    option = db.session.scalar(
        select(SubgroupOption).where(
            SubgroupOption.id == option_id, SubgroupOption.dimension_id == dimension.id
        )
    )
    if option is None:
        abort(404)
    return option


def _render_subgroups(school, survey, status=200, form=None):
    return page(
        "subgroups.html",
        school,
        survey,
        status=status,
        new_form=form or LabelForm(prefix="new"),
        label_form=LabelForm(),
        confirm_form=ConfirmForm(),
    )


def _to_subgroups(survey):
    return redirect(
        url_for("surveys.subgroups", school_id=survey.school_id, survey_id=survey.id)
    )


def _label_action(school, survey, action, success: str):
    """Validate a LabelForm and run ``action(label)``; the shared POST flow."""
    form = LabelForm()
    try:
        services.ensure_editable(survey)
    except SurveyError as error:
        return _render_subgroups(school, survey, refuse(error))
    if not form.validate_on_submit():
        for error in form.label.errors:
            flash(str(error), "error")
        return _render_subgroups(school, survey, 400)
    try:
        action(form.label.data)
    except SurveyError as error:
        return _render_subgroups(school, survey, refuse(error))
    db.session.commit()
    flash(success, "info")
    return _to_subgroups(survey)


@bp.route("/<int:survey_id>/deelgroepen")
@school_required(Permission.MANAGE)
def subgroups(school, survey_id: int):
    return _render_subgroups(school, load_survey(school, survey_id))


@bp.route("/<int:survey_id>/deelgroepen", methods=["POST"])
@school_required(Permission.MANAGE)
def add_dimension(school, survey_id: int):
    survey = load_survey(school, survey_id)
    form = LabelForm(prefix="new")
    try:
        services.ensure_editable(survey)
    except SurveyError as error:
        return _render_subgroups(school, survey, refuse(error), form=form)
    if not form.validate_on_submit():
        return _render_subgroups(school, survey, 400, form=form)
    try:
        services.add_dimension(survey, form.label.data)
    except SurveyError as error:
        return _render_subgroups(school, survey, refuse(error), form=form)
    db.session.commit()
    flash(_("De indeling is toegevoegd; geef ze nu keuzes."), "info")
    return _to_subgroups(survey)


@bp.route("/<int:survey_id>/deelgroepen/<int:dimension_id>/naam", methods=["POST"])
@school_required(Permission.MANAGE)
def rename_dimension(school, survey_id: int, dimension_id: int):
    survey = load_survey(school, survey_id)
    dimension = _dimension(survey, dimension_id)
    return _label_action(
        school,
        survey,
        lambda label: services.rename_dimension(survey, dimension, label),
        _("De naam is aangepast."),
    )


@bp.route(
    "/<int:survey_id>/deelgroepen/<int:dimension_id>/verwijderen", methods=["POST"]
)
@school_required(Permission.MANAGE)
def remove_dimension(school, survey_id: int, dimension_id: int):
    survey = load_survey(school, survey_id)
    dimension = _dimension(survey, dimension_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        services.remove_dimension(survey, dimension)
    except SurveyError as error:
        return _render_subgroups(school, survey, refuse(error))
    db.session.commit()
    flash(_("De indeling is verwijderd."), "info")
    return _to_subgroups(survey)


@bp.route("/<int:survey_id>/deelgroepen/<int:dimension_id>/keuzes", methods=["POST"])
@school_required(Permission.MANAGE)
def add_option(school, survey_id: int, dimension_id: int):
    survey = load_survey(school, survey_id)
    dimension = _dimension(survey, dimension_id)
    return _label_action(
        school,
        survey,
        lambda label: services.add_option(survey, dimension, label),
        _("De keuze is toegevoegd."),
    )


@bp.route(
    "/<int:survey_id>/deelgroepen/<int:dimension_id>/keuzes/<int:option_id>/naam",
    methods=["POST"],
)
@school_required(Permission.MANAGE)
def rename_option(school, survey_id: int, dimension_id: int, option_id: int):
    survey = load_survey(school, survey_id)
    option = _option(_dimension(survey, dimension_id), option_id)
    return _label_action(
        school,
        survey,
        lambda label: services.rename_option(survey, option, label),
        _("De naam is aangepast."),
    )


@bp.route(
    "/<int:survey_id>/deelgroepen/<int:dimension_id>/keuzes/<int:option_id>"
    "/verwijderen",
    methods=["POST"],
)
@school_required(Permission.MANAGE)
def remove_option(school, survey_id: int, dimension_id: int, option_id: int):
    survey = load_survey(school, survey_id)
    option = _option(_dimension(survey, dimension_id), option_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        services.remove_option(survey, option)
    except SurveyError as error:
        return _render_subgroups(school, survey, refuse(error))
    db.session.commit()
    flash(_("De keuze is verwijderd."), "info")
    return _to_subgroups(survey)
