"""The PDF report of a survey (WeasyPrint): for the staff meeting and the advisor.

It shows the same figures as the dashboard, from the same tables (via
:class:`rok.dashboard.exports.Results`), under the same group-size rule: withheld
rows say why and carry no numbers, breakdowns withheld across dimensions are left
out with their reason. Charts are the dashboard's Altair charts rendered to static
SVG (:func:`rok.dashboard.charts.to_svg`); every chart has a table beside it, and
labels are written out, so the report reads in black and white.

The caller adds the school's own material (notes, self-placement, action plan) as
``extras``; the report does not query it itself.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from datetime import date
from typing import Any

import pandas as pd
from flask import current_app, render_template
from flask_babel import gettext as _

from rok.dashboard import analysis, charts, presenting
from rok.dashboard.data import collector_paused
from rok.dashboard.disclosure import SHOWN
from rok.dashboard.exports import Results, reason_text, titles_by_level

#: Pixel width the charts are rendered at (the PDF scales them to the text width).
CHART_WIDTH = 560


def _records(table: pd.DataFrame) -> list[dict[str, Any]]:
    return table.to_dict("records")


def _named(results: Results, table: pd.DataFrame, level: str,
           titles: Mapping[str, Mapping[str, str]]) -> pd.DataFrame:
    """Add ``name`` (chart label), ``code`` and ``title`` columns, as the dashboard."""
    table = table.copy()
    if table.empty:
        for column in ("name", "code", "title"):
            table[column] = pd.Series(dtype=object)
        return table
    if level == "statement":
        table["code"] = [str(int(p) + 1) for p in table["position"]]
        table["title"] = table["text"].astype(str)
        table["name"] = [_short(f"{c}. {t}") for c, t in
                         zip(table["code"], table["title"], strict=True)]
    else:
        names = titles.get(level, {})
        table["code"] = table["unit"].astype(str)
        table["title"] = [names.get(str(u), str(u)) for u in table["unit"]]
        table["name"] = [_short(f"{c} {t}" if t != c else c) for c, t in
                         zip(table["code"], table["title"], strict=True)]
    return table


def _short(text: str, limit: int = 48) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _svg(chart) -> str | None:
    """Return the chart as a data URI (SVG), or None when it cannot be drawn."""
    try:
        svg = charts.to_svg(chart, width=CHART_WIDTH)
    except Exception:  # a chart must never break the whole report
        current_app.logger.exception("report chart failed")
        return None
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


def _point_labels(results: Results, kind: str) -> dict[int, str]:
    scale = (results.survey.scales or {}).get(kind, {})
    return {int(p["value"]): p.get("label", str(p["value"]))
            for p in scale.get("points", [])}


def _overview_chart(results: Results, table: pd.DataFrame, row: str) -> str | None:
    shown = table.loc[table["status"].eq(SHOWN)]
    if shown.empty:
        return None
    thresholds = results.thresholds
    return _svg(charts.area_overview_chart(shown, thresholds=thresholds, labels={
        "row": row,
        "pct_agree": _("% (eerder) eens"),
        "consensus": {k: str(v) for k, v in presenting.CONSENSUS_NAMES.items()},
        "consensus_title": _("eensgezindheid"),
        "n": _("aantal antwoorden"),
        "work": _("grens werkpunt (%(p)s)",
                  p=presenting.pct(thresholds.work_pct_agree)),
        "strength": _("grens sterkte (%(p)s)",
                      p=presenting.pct(thresholds.strength_pct_agree)),
    }))


def _bars_chart(results: Results, table: pd.DataFrame) -> str | None:
    shown = table.loc[table["status"].eq(SHOWN)]
    if shown.empty:
        return None
    points = results.data.agreement_points
    long = analysis.distribution_long(shown, points, kind="agree")
    return _svg(charts.statement_bars_chart(long, points=points, labels={
        "points": _point_labels(results, "agreement"),
        "row": _("stelling"),
        "share": _("aandeel van de antwoorden"),
        "count": _("aantal"),
        "answer": _("antwoord"),
    }))


def _heatmap_chart(results: Results, table: pd.DataFrame, dimension: str,
                   level: str) -> str | None:
    shown = table.loc[table["status"].eq(SHOWN) & table["part"].notna()]
    if shown.empty:
        return None
    return _svg(charts.subgroup_heatmap_chart(
        table, points=results.data.agreement_points, labels={
            "row": str(presenting.LEVEL_NAMES[level]),
            "part": results.dimension_labels[dimension],
            "mean": _("gemiddelde"), "pct_agree": _("% (eerder) eens"),
            "n": _("aantal antwoorden")}))


def _matrix_chart(results: Results, table: pd.DataFrame) -> str | None:
    both = table.loc[table["status"].eq(SHOWN) & table["action_status"].eq(SHOWN)]
    if both.empty:
        return None
    return _svg(charts.priority_matrix_chart(
        table, thresholds=results.thresholds, labels={
            "row": str(presenting.LEVEL_NAMES["area"]),
            "pct_agree": _("% (eerder) eens"),
            "pct_ready": _("% wil ermee aan de slag"),
            "n": _("aantal antwoorden"),
            "kinds": {"prioriteit": _("prioriteit"), "werkpunt": _("werkpunt"),
                      "other": _("geen werkpunt")},
        }))


def _subgroups(results: Results, titles, level: str = "rubriek") -> list[dict]:
    """Return per dimension: its reason when withheld, else a table and a heatmap."""
    blocks = []
    for dimension, label in results.dimension_labels.items():
        status = results.dimension_status(dimension)
        block: dict[str, Any] = {"label": label, "reason": None, "units": [],
                                 "parts": [], "chart": None}
        if status != SHOWN:
            block["reason"] = reason_text(status, results.privacy.min_group)
            blocks.append(block)
            continue
        table = _named(results, results.breakdown(dimension, level), level, titles)
        table["part_name"] = [
            results.part_label(dimension, p, m) if isinstance(p, str) else ""
            for p, m in zip(table["part"], table["members"], strict=True)]
        block["parts"] = list(dict.fromkeys(
            table.loc[table["part"].notna(), "part_name"]))
        for _unit, rows in table.groupby("unit", sort=False):
            first = rows.iloc[0]
            withheld = not isinstance(first["part"], str)
            block["units"].append({
                "name": f"{first['code']} {first['title']}",
                "withheld": reason_text(first["status"], results.privacy.min_group)
                if withheld else None,
                "parts": {} if withheld else {r["part_name"]: r
                                             for r in _records(rows)},
            })
        block["chart"] = _heatmap_chart(results, table, dimension, level)
        blocks.append(block)
    return blocks


def _lists(statements: pd.DataFrame) -> list[dict]:
    """Return the classification lists: per label the statements that carry it."""
    lists = []
    for label in analysis.LABELS:
        rows = statements.loc[statements[f"is_{label}"].astype(bool)]
        lists.append({"label": label, "title": presenting.LABEL_PLURALS[label],
                      "rows": _records(rows)})
    return lists


def report_context(results: Results, extras: Mapping[str, Any] | None = None,
                   *, today: date | None = None) -> dict[str, Any]:
    """Return everything the report template needs."""
    survey = results.survey
    titles = titles_by_level(survey)
    rubrieken = _named(results, results.summary("rubriek"), "rubriek", titles)
    areas = _named(results, results.summary("area"), "area", titles)
    statements = _named(results, results.summary("statement"), "statement", titles)
    sections = []
    for rubriek in _records(rubrieken):
        in_rubriek = statements.loc[statements["rubriek"] == rubriek["unit"]]
        sections.append({
            "rubriek": rubriek,
            "areas": _records(areas.loc[areas["rubriek"] == rubriek["unit"]]),
            "statements": _records(in_rubriek),
            "chart": _bars_chart(results, in_rubriek),
        })
    return {
        "survey": survey,
        "school": survey.school,
        "results": results,
        "n_responses": results.n_responses,
        "min_group": results.privacy.min_group,
        "points": list(results.data.agreement_points),
        "point_labels": _point_labels(results, "agreement"),
        "rubrieken": _records(rubrieken),
        "overview_chart": _overview_chart(results, rubrieken, _("rubriek")),
        "areas_chart": _overview_chart(results, areas, _("onderdeel")),
        "matrix_chart": _matrix_chart(results, areas),
        "areas": _records(areas),
        "sections": sections,
        "lists": _lists(statements),
        "label_rules": presenting.label_rules(results.thresholds),
        "label_names": presenting.LABEL_NAMES,
        "consensus_names": presenting.CONSENSUS_NAMES,
        "subgroups": _subgroups(results, titles),
        "pct": presenting.pct,
        "dec": presenting.dec,
        "reason_text": lambda status: reason_text(status, results.privacy.min_group),
        "SHOWN": SHOWN,
        "today": today or date.today(),
        **(extras or {}),
    }


def render_report_html(results: Results, extras: Mapping[str, Any] | None = None,
                       *, today: date | None = None) -> str:
    return render_template("report/report.html",
                           **report_context(results, extras, today=today))


def render_report_pdf(results: Results, extras: Mapping[str, Any] | None = None,
                      *, today: date | None = None) -> bytes:
    """Render the report to PDF bytes (A4)."""
    from pathlib import Path

    from weasyprint import CSS, HTML

    html = render_report_html(results, extras, today=today)
    css = Path(current_app.static_folder) / "css" / "report.css"
    with collector_paused():  # a big report's layout is hundreds of thousands of boxes
        return HTML(string=html, base_url=current_app.static_folder).write_pdf(
            stylesheets=[CSS(filename=str(css))])
