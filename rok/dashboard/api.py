"""The read-only JSON results endpoint (``/api/v1/…``), documented in README.md.

Same authorisation as the dashboard (a session log-in with VIEW permission on the
school) and the same figures: the document is built from the tables of
``summary_table`` and ``breakdown_table`` (via :class:`rok.dashboard.exports.Results`),
so a withheld cell has a status and a reason but no numbers.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
from flask import Blueprint, abort, jsonify
from sqlalchemy import select

from rok.accounts.access import Permission, school_required
from rok.dashboard.analysis import ACTION_PREFIX, AGREE_PREFIX, LABELS, LEVELS
from rok.dashboard.disclosure import SHOWN
from rok.dashboard.exports import (
    Results,
    _plain,
    load_results,
    neutralise,
    reason_text,
    results_problem,
    titles_by_level,
)
from rok.extensions import db
from rok.surveys.models import Survey

API_VERSION = 1

bp = Blueprint("api", __name__,
               url_prefix="/api/v1/scholen/<int:school_id>/bevragingen")

_KEYS = {
    "statement": ("statement_id", "position", "text", "expectation", "area",
                  "rubriek", "origin"),
    "expectation": ("unit", "area", "rubriek", "n_statements", "statement_ids"),
    "area": ("unit", "rubriek", "n_statements", "statement_ids"),
    "rubriek": ("unit", "n_statements", "statement_ids"),
}
_FIGURES = ("n_responses", "n_valid", "n_no_view", "share_no_view", "pct_agree",
            "mean", "median", "consensus", "consensus_leik", "consensus_label",
            "polarised")
_SUMMARY_FIGURES = ("leadership_mean", "rest_mean", "leadership_gap")
_PART_FIGURES = ("rest_n_valid", "rest_pct_agree", "rest_mean", "diff_pct_agree",
                 "diff_mean", "differs")
_ACTION = ("n_action", "pct_ready", "n_lead")


def _value(value: Any) -> Any:
    value = _plain(value)
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    return value


def _row(results: Results, row: dict, level: str, *, by_part: bool,
         titles: dict[str, str]) -> dict[str, Any]:
    data = results.data
    item: dict[str, Any] = {key: _value(row.get(key)) for key in _KEYS[level]}
    if level != "statement":
        item["title"] = titles.get(row["unit"], row["unit"])
    status = row["status"]
    shown = status == SHOWN
    if by_part:
        item["part"] = _value(row.get("part")) if shown else None
        item["part_label"] = (results.part_label(row["dimension"], row["part"],
                                                 row["members"]) if shown else None)
        item["members"] = list(row.get("members") or ()) if shown else []
    item["status"] = status
    item["reason"] = reason_text(status, results.privacy.min_group) or None
    figures = None
    if shown:
        names = _FIGURES + (_PART_FIGURES if by_part else _SUMMARY_FIGURES)
        figures = {name: _value(row.get(name)) for name in names}
        figures["distribution"] = {
            str(p): _value(row[f"{AGREE_PREFIX}{p}"]) for p in data.agreement_points}
    item["figures"] = figures
    action_status = row.get("action_status")
    item["action_status"] = action_status
    action = None
    if shown and action_status == SHOWN:
        action = {name: _value(row.get(name)) for name in _ACTION}
        if by_part:
            action["rest_pct_ready"] = _value(row.get("rest_pct_ready"))
        action["distribution"] = {
            str(p): _value(row[f"{ACTION_PREFIX}{p}"]) for p in data.action_points}
    item["action"] = action
    item["labels"] = list(row.get("labels") or ()) if shown else []
    return item


def _rows(results: Results, table: pd.DataFrame, level: str, *, by_part: bool,
          titles: dict[str, str]) -> list[dict[str, Any]]:
    return [_row(results, row, level, by_part=by_part, titles=titles)
            for row in table.to_dict("records")]


def neutralise_all(value: Any) -> Any:
    """Neutralise every text value of a JSON document (numbers stay numbers).

    Integrations often paste the figures into a spreadsheet, so texts that a school
    typed (titles, statements, labels) get the same protection as in the CSV.
    """
    if isinstance(value, dict):
        return {neutralise(k): neutralise_all(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [neutralise_all(v) for v in value]
    return neutralise(value)


def _scale(scale: dict | None) -> list[dict[str, Any]]:
    return [{"value": int(p["value"]), "label": p.get("label", "")}
            for p in (scale or {}).get("points", [])]


def results_document(results: Results,
                     titles: dict[str, dict[str, str]] | None = None) -> dict:
    """Return the JSON document of a survey's results (see README, "Results API")."""
    survey = results.survey
    titles = titles or {}
    tables = {
        level: _rows(results, results.summary(level), level, by_part=False,
                     titles=titles.get(level, {}))
        for level in LEVELS
    }
    breakdowns = {}
    for dimension, label in results.dimension_labels.items():
        status = results.dimension_status(dimension)
        breakdowns[dimension] = {
            "label": label,
            "status": status,
            "reason": reason_text(status, results.privacy.min_group) or None,
            "options": [{"key": k, "label": v}
                        for k, v in results.option_labels[dimension].items()],
            "tables": {
                level: _rows(results, results.breakdown(dimension, level), level,
                             by_part=True, titles=titles.get(level, {}))
                for level in LEVELS
            },
        }
    classification = {}
    for level in LEVELS:
        key = "statement_id" if level == "statement" else "unit"
        classification[level] = {
            label: [row[key] for row in tables[level] if label in row["labels"]]
            for label in LABELS
        }
    scales = survey.scales or {}

    def day(value) -> str | None:
        return value.isoformat() if value is not None else None

    return {
        "api_version": API_VERSION,
        "survey": {
            "id": survey.id,
            "title": survey.title,
            "school": {"id": survey.school.id, "name": survey.school.name},
            "level": survey.level,
            "status": survey.status.value,
            "planned_start": day(survey.planned_start),
            "planned_end": day(survey.planned_end),
            "opened_at": day(survey.opened_at.date() if survey.opened_at else None),
            "closed_at": day(survey.closed_at.date() if survey.closed_at else None),
            "previous_round_id": survey.previous_round_id,
            "n_responses": results.n_responses,
        },
        "privacy": results.privacy.to_dict(),
        "thresholds": results.thresholds.to_dict(),
        "scales": {"agreement": _scale(scales.get("agreement")),
                   "action": _scale(scales.get("action"))},
        "tables": tables,
        "breakdowns": breakdowns,
        "classification": classification,
    }


@bp.route("/<int:survey_id>/resultaten")
@school_required(Permission.VIEW)
def results(school, survey_id: int):
    """Return the survey's results as JSON (read-only)."""
    survey = db.session.scalar(
        select(Survey).where(Survey.id == survey_id, Survey.school_id == school.id))
    if survey is None:
        abort(404)
    problem = results_problem(survey)
    if problem is not None:
        return jsonify({"error": problem, "status": 409}), 409
    document = neutralise_all(results_document(load_results(survey),
                                               titles_by_level(survey)))
    response = jsonify(document)
    response.headers["Cache-Control"] = "no-store"
    return response
