"""Voorbereiden: participants (CSV or pasted list), link export and the team link."""

from __future__ import annotations

import csv
import io

import segno
from flask import Response, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from sqlalchemy import func, select

from rok.accounts.access import Permission, school_required
from rok.extensions import db
from rok.forms import ConfirmForm
from rok.spreadsheets import neutralise
from rok.surveys import links
from rok.surveys.manage import participants as importer
from rok.surveys.manage import running, services
from rok.surveys.manage.forms import ImportForm, TeamLinkForm
from rok.surveys.manage.services import SurveyError
from rok.surveys.manage.urls import personal_url, team_url
from rok.surveys.manage.views import bp, load_survey, page, refuse
from rok.surveys.models import Participant, SurveyStatus


def safe_cell(value: object) -> str:
    """Neutralise a spreadsheet formula: prefix ' when a cell could start one."""
    return neutralise("" if value is None else str(value))


def _dimensions(survey) -> list[importer.Dimension]:
    return [
        importer.Dimension(d.key, d.label, {o.key: o.label for o in d.options})
        for d in survey.dimensions
    ]


def _finished_count(survey) -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(Participant)
        .where(Participant.survey_id == survey.id, Participant.has_finished.is_(True))
    )


def _render_participants(school, survey, status=200, form=None, report=None):
    people = db.session.scalars(
        select(Participant)
        .where(Participant.survey_id == survey.id)
        .order_by(Participant.email)
    ).all()
    labels = {d.key: {o.key: o.label for o in d.options} for d in survey.dimensions}
    return page(
        "participants.html",
        school,
        survey,
        status=status,
        form=form or ImportForm(),
        report=report,
        people=people,
        labels=labels,
        confirm_form=ConfirmForm(),
        can_export=_finished_count(survey) == 0,
        max_rows=importer.MAX_ROWS,
    )


@bp.route("/<int:survey_id>/deelnemers")
@school_required(Permission.MANAGE)
def participants(school, survey_id: int):
    return _render_participants(school, load_survey(school, survey_id))


@bp.route("/<int:survey_id>/deelnemers/importeren", methods=["POST"])
@school_required(Permission.MANAGE)
def import_participants(school, survey_id: int):
    """Check a CSV upload or pasted list; import it when clean or when confirmed."""
    survey = load_survey(school, survey_id)
    form = ImportForm()
    if not form.validate_on_submit():
        return _render_participants(school, survey, 400, form)
    if survey.status == SurveyStatus.CLOSED:
        flash(_("De bevraging is afgesloten; dit kan niet meer."), "error")
        return _render_participants(school, survey, 409, form)
    upload = request.files.get(form.file.name)
    if form.carried.data:
        text = form.carried.data
    elif upload is not None and upload.filename:
        try:
            text = importer.decode_upload(
                upload.read(importer.MAX_UPLOAD_BYTES + 1), upload.filename
            )
        except importer.ImportFileError as error:
            flash(str(error), "error")
            return _render_participants(school, survey, 400, form)
    elif form.pasted.data and form.pasted.data.strip():
        text = form.pasted.data
    else:
        flash(_("Kies een CSV-bestand of plak een lijst met e-mailadressen."), "error")
        return _render_participants(school, survey, 400, form)

    existing = [p.email for p in survey.participants if p.email]
    report = importer.parse(text, _dimensions(survey), existing)
    if report.problems or not report.rows:
        return _render_participants(
            school, survey, 400, ImportForm(formdata=None), report
        )
    if report.invalid_rows and not (form.carried.data and form.only_valid.data):
        carry = ImportForm(formdata=None)
        carry.carried.data = text
        return _render_participants(school, survey, 400, carry, report)
    try:
        added = running.add_participants(survey, report.valid_rows)
    except SurveyError as error:
        return _render_participants(school, survey, refuse(error))
    db.session.commit()
    skipped = len(report.invalid_rows)
    message = _("%(n)d deelnemer(s) toegevoegd.", n=added)
    if skipped:
        message += " " + _("%(n)d rij(en) met fouten zijn overgeslagen.", n=skipped)
    if survey.status == SurveyStatus.OPEN and added:
        message += " " + _("Hun uitnodiging staat klaar in de uitgaande mail.")
    flash(message, "info")
    return redirect(
        url_for("surveys.participants", school_id=school.id, survey_id=survey.id)
    )


@bp.route(
    "/<int:survey_id>/deelnemers/<int:participant_id>/verwijderen", methods=["POST"]
)
@school_required(Permission.MANAGE)
def remove_participant(school, survey_id: int, participant_id: int):
    survey = load_survey(school, survey_id)
    participant = db.session.scalar(
        select(Participant).where(
            Participant.id == participant_id, Participant.survey_id == survey.id
        )
    )
    if participant is None:
        abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        services.remove_participant(survey, participant)
    except SurveyError as error:
        return _render_participants(school, survey, refuse(error))
    db.session.commit()
    flash(
        _("De deelnemer is verwijderd; de persoonlijke link werkt niet meer."), "info"
    )
    return redirect(
        url_for("surveys.participants", school_id=school.id, survey_id=survey.id)
    )


@bp.route("/<int:survey_id>/deelnemers/links.csv")
@school_required(Permission.MANAGE)
def export_links(school, survey_id: int):
    """Export e-mail, name and personal link, for a mail merge.

    Only until the first person finishes: a finished person's link is wiped, so a
    missing link would tell who already answered.
    """
    survey = load_survey(school, survey_id)
    if survey.status != SurveyStatus.OPEN:
        flash(
            _("De persoonlijke links bestaan pas wanneer de bevraging open is."),
            "error",
        )
        return _render_participants(school, survey, 409)
    if _finished_count(survey):
        flash(
            _(
                "Iemand heeft de bevraging al afgerond. Om niet te verraden wie, "
                "kunnen de links niet meer geëxporteerd worden. Herinneringen via "
                "rOK gaan vanzelf alleen naar wie nog niet klaar is."
            ),
            "error",
        )
        return _render_participants(school, survey, 409)
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow([_("e-mail"), _("naam"), _("link")])
    for p in sorted(survey.participants, key=lambda p: p.email or ""):
        token = links.decrypt_token(p.link_ciphertext)
        writer.writerow(
            [
                safe_cell(p.email),
                safe_cell(p.name),
                safe_cell(personal_url(token) if token else ""),
            ]
        )
    return Response(
        "\ufeff" + buffer.getvalue(),
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="links-{survey.id}.csv"',
            "Cache-Control": "no-store",
        },
    )


# --- team link ---------------------------------------------------------------------


@bp.route("/<int:survey_id>/teamlink", methods=["GET", "POST"])
@school_required(Permission.MANAGE)
def team_link(school, survey_id: int):
    """Turn the open team link on or off and set the expected team size."""
    survey = load_survey(school, survey_id)
    form = TeamLinkForm(obj=survey) if request.method == "GET" else TeamLinkForm()
    if request.method == "GET":
        form.enabled.data = survey.team_link_enabled
    status = 200
    if form.validate_on_submit():
        try:
            services.set_team_link(
                survey,
                enabled=form.enabled.data,
                expected_team_size=form.expected_team_size.data,
            )
        except SurveyError as error:
            status = refuse(error)
        else:
            db.session.commit()
            flash(
                _("De teamlink staat aan.")
                if survey.team_link_enabled
                else _("De teamlink staat uit."),
                "info",
            )
            return redirect(
                url_for("surveys.team_link", school_id=school.id, survey_id=survey.id)
            )
    elif form.is_submitted():
        status = 400
    url = team_url(survey.team_key) if survey.team_key else None
    return page("team_link.html", school, survey, form=form, status=status, url=url)


def _qr(survey):
    if not survey.team_key or not survey.team_link_enabled:
        abort(404)
    return segno.make(team_url(survey.team_key), error="m")


@bp.route("/<int:survey_id>/teamlink/qr.png")
@school_required(Permission.MANAGE)
def team_qr_png(school, survey_id: int):
    buffer = io.BytesIO()
    _qr(load_survey(school, survey_id)).save(buffer, kind="png", scale=10, border=4)
    return Response(
        buffer.getvalue(),
        mimetype="image/png",
        headers={"Content-Disposition": 'inline; filename="teamlink-qr.png"'},
    )


@bp.route("/<int:survey_id>/teamlink/qr.svg")
@school_required(Permission.MANAGE)
def team_qr_svg(school, survey_id: int):
    buffer = io.BytesIO()
    _qr(load_survey(school, survey_id)).save(
        buffer, kind="svg", scale=10, border=4, xmldecl=True, title=_("Teamlink")
    )
    return Response(
        buffer.getvalue(),
        mimetype="image/svg+xml",
        headers={"Content-Disposition": 'attachment; filename="teamlink-qr.svg"'},
    )
