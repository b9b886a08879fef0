"""Overview → rubriek → expectation → statement, for the team or one subgroup."""

from __future__ import annotations

from typing import Any

import pandas as pd
from flask import abort
from flask_babel import gettext as _

from rok.accounts.access import Permission, school_required
from rok.dashboard import analysis, charts, presenting
from rok.dashboard.views import bp
from rok.dashboard.views.context import (
    Dashboard,
    FilterError,
    Group,
    filter_error,
    load_dashboard,
    records,
    render,
)

bp.register_error_handler(FilterError, filter_error)


# --- chart blocks ------------------------------------------------------------------


def chart_block(
    chart_id: str, chart, caption: str, headers: list[str], rows: list[list[Any]],
    *, large: bool = False,
) -> dict:
    """Bundle a chart's spec with its caption and its table alternative."""
    return {"id": chart_id, "spec": charts.embed(chart, large=large),
            "caption": caption, "headers": headers, "rows": rows}


def point_names(dash: Dashboard) -> list[str]:
    return [dash.point_labels.get(p, str(p)) for p in dash.points]


def bars_block(dash: Dashboard, chart_id: str, table: pd.DataFrame, caption: str,
               row_title: str, *, large: bool = False) -> dict | None:
    """Diverging bars of the shown rows of ``table``; None when nothing is shown."""
    shown = table.loc[table["status"].eq("shown")]
    if shown.empty:
        return None
    long = analysis.distribution_long(shown, dash.points, kind="agree")
    chart = charts.statement_bars_chart(
        long,
        points=dash.points,
        labels={
            "points": dash.point_labels,
            "row": row_title,
            "share": _("aandeel van de antwoorden"),
            "count": _("aantal"),
            "answer": _("antwoord"),
        },
    )
    rows = []
    for record in records(shown):
        n = int(record["n_valid"])
        cells = []
        for point in dash.points:
            c = int(record[f"agree_{point}"])
            cells.append(f"{c} ({presenting.pct(c / n)})")
        rows.append([record["name"], *cells, n])
    headers = [row_title, *point_names(dash), _("aantal antwoorden")]
    return chart_block(chart_id, chart, caption, headers, rows, large=large)


def overview_block(dash: Dashboard, chart_id: str, table: pd.DataFrame, caption: str,
                   row_title: str) -> dict | None:
    shown = table.loc[table["status"].eq("shown")]
    if shown.empty:
        return None
    chart = charts.area_overview_chart(
        shown,
        thresholds=dash.thresholds,
        labels={
            "row": row_title,
            "pct_agree": _("% (eerder) eens"),
            "consensus": {k: presenting.unity(k, "area")
                          for k in presenting.CONSENSUS_NAMES},
            "consensus_title": _("eensgezindheid"),
            "n": _("aantal antwoorden"),
            "work": _("grens werkpunt (%(p)s)",
                      p=presenting.pct(dash.thresholds.work_pct_agree)),
            "strength": _("grens sterkte (%(p)s)",
                          p=presenting.pct(dash.thresholds.strength_pct_agree)),
        },
    )
    rows = [[r["name"], presenting.pct(r["pct_agree"]),
             presenting.unity(r["consensus_label"], "area"),
             int(r["n_valid"])] for r in records(shown)]
    headers = [row_title, _("% (eerder) eens"), _("eensgezindheid"),
               _("aantal antwoorden")]
    return chart_block(chart_id, chart, caption, headers, rows)


# --- helpers ------------------------------------------------------------------------


def with_label(table: pd.DataFrame, label: str | None) -> pd.DataFrame:
    if label is None or table.empty:
        return table
    return table.loc[table[f"is_{label}"].astype(bool)]


def filters(dash: Dashboard) -> tuple[Group | None, str | None]:
    return dash.group_from_request(), dash.label_from_request()


def group_notice(dash: Dashboard, group: Group | None) -> str | None:
    """Explain a withheld dimension (cross-dimension rule), or None."""
    if group is None:
        return None
    reason = dash.breakdown_reason(group.dimension.key)
    if reason is None:
        return None
    return presenting.reason_text(reason, dash.min_group)


def page_table(dash: Dashboard, level: str, group: Group | None) -> pd.DataFrame:
    if group is not None and dash.breakdown_reason(group.dimension.key):
        return dash.summary(level).iloc[0:0]
    return dash.table(level, group)


def only(table: pd.DataFrame, column: str, value) -> pd.DataFrame:
    return table.loc[table[column].astype(str) == str(value)]


def row_of(table: pd.DataFrame, column: str, value) -> dict | None:
    rows = only(table, column, value)
    return records(rows)[0] if not rows.empty else None


# --- pages -----------------------------------------------------------------------


@bp.get("/")
@school_required(Permission.VIEW)
def overview(school, survey_id: int):
    """The helicopter view: every rubriek and onderdeel, and the lists in short."""
    dash = load_dashboard(school, survey_id)
    if dash.responses == 0:
        return render(dash, "dashboard/overview.html")
    group, label = filters(dash)
    notice = group_notice(dash, group)
    rubrieken = page_table(dash, "rubriek", group)
    areas = page_table(dash, "area", group)
    statements = dash.summary("statement") if group is None else page_table(
        dash, "statement", group)
    counts = {lab: int(statements[f"is_{lab}"].astype(bool).sum())
              if not statements.empty else 0 for lab in analysis.LABELS}
    chart = overview_block(
        dash, "chart-areas", areas,
        _("Aandeel (eerder) eens per onderdeel van het OK-kader"), _("onderdeel"))
    team = records(dash.summary("rubriek"))
    return render(
        dash, "dashboard/overview.html",
        group=group, label=label, notice=notice,
        rubrieken=records(with_label(rubrieken, label)),
        areas=records(with_label(areas, label)),
        counts=counts, chart=chart, team=team,
    )


@bp.get("/rubriek/<rubriek_code>")
@school_required(Permission.VIEW)
def rubriek(school, survey_id: int, rubriek_code: str):
    """One rubriek: its onderdelen and their kwaliteitsverwachtingen."""
    dash = load_dashboard(school, survey_id)
    if dash.responses == 0:
        return render(dash, "dashboard/unit.html")
    if rubriek_code not in set(dash.data.statements["rubriek"].astype(str)):
        abort(404)
    group, label = filters(dash)
    notice = group_notice(dash, group)
    top = page_table(dash, "rubriek", group)
    areas = only(page_table(dash, "area", group), "rubriek", rubriek_code)
    expectations = only(page_table(dash, "expectation", group), "rubriek",
                        rubriek_code)
    sections = []
    for area in records(areas):
        code = area["unit"]
        sections.append({
            "row": area,
            "children": records(with_label(only(expectations, "area", code), label)),
            "comments": dash.comments_for(code) if group is None else [],
        })
    chart = bars_block(
        dash, "chart-expectations", expectations,
        _("Verdeling van de antwoorden per kwaliteitsverwachting"),
        _("kwaliteitsverwachting"))
    return render(
        dash, "dashboard/unit.html", level="rubriek", code=rubriek_code,
        title=dash.title("rubriek", rubriek_code),
        explanation=dash.names.explanation("rubriek", rubriek_code),
        row=row_of(top, "unit", rubriek_code), sections=sections, chart=chart,
        group=group, label=label, notice=notice, parents=[],
    )


@bp.get("/verwachting/<expectation_code>")
@school_required(Permission.VIEW)
def expectation(school, survey_id: int, expectation_code: str):
    """One kwaliteitsverwachting: its statements and the open comments."""
    dash = load_dashboard(school, survey_id)
    if dash.responses == 0:
        return render(dash, "dashboard/unit.html")
    meta = dash.data.statements
    mine = meta.loc[meta["expectation"].astype(str) == expectation_code]
    if mine.empty:
        abort(404)
    area_code = str(mine["area"].iloc[0])
    rubriek_code = str(mine["rubriek"].iloc[0])
    group, label = filters(dash)
    notice = group_notice(dash, group)
    top = page_table(dash, "expectation", group)
    statements = only(page_table(dash, "statement", group), "expectation",
                      expectation_code)
    chart = bars_block(dash, "chart-statements", statements,
                       _("Verdeling van de antwoorden per stelling"), _("stelling"))
    sections = [{
        "row": None,
        "children": records(with_label(statements, label)),
        "comments": [],
    }]
    return render(
        dash, "dashboard/unit.html", level="expectation", code=expectation_code,
        title=dash.title("expectation", expectation_code),
        explanation=dash.names.explanation("expectation", expectation_code),
        row=row_of(top, "unit", expectation_code), sections=sections, chart=chart,
        group=group, label=label, notice=notice,
        comments=dash.comments_for(area_code) if group is None else [],
        area_title=dash.title("area", area_code),
        parents=[("rubriek", rubriek_code, dash.title("rubriek", rubriek_code))],
        questions=presenting.questions(
            (row_of(top, "unit", expectation_code) or {}).get("labels") or ()),
    )


@bp.get("/stelling/<int:statement_id>")
@school_required(Permission.VIEW)
def statement(school, survey_id: int, statement_id: int):
    """One statement with every figure: distribution, consensus, action, gap."""
    dash = load_dashboard(school, survey_id)
    if dash.responses == 0:
        return render(dash, "dashboard/statement.html")
    group = dash.group_from_request()
    notice = group_notice(dash, group)
    table = page_table(dash, "statement", group)
    if statement_id not in set(dash.data.statements["statement_id"].astype(int)):
        abort(404)
    row = row_of(table, "statement_id", statement_id)
    meta = row_of(dash.summary("statement"), "statement_id", statement_id)
    chart = bars_block(dash, "chart-statement",
                       only(table, "statement_id", statement_id),
                       _("Verdeling van de antwoorden"), _("stelling"))
    expectation_code = str(meta["expectation"])
    rubriek_code = str(meta["rubriek"])
    return render(
        dash, "dashboard/statement.html", row=row, meta=meta, chart=chart,
        group=group, notice=notice,
        parents=[("rubriek", rubriek_code, dash.title("rubriek", rubriek_code)),
                 ("expectation", expectation_code,
                  dash.title("expectation", expectation_code))],
        rules=presenting.label_rules(dash.thresholds),
    )
