"""The lists, subgroups side by side, the previous round and the priority matrix."""

from __future__ import annotations

import pandas as pd
from flask import request
from flask_babel import gettext as _

from rok.accounts.access import Permission, school_required
from rok.dashboard import analysis, charts, presenting
from rok.dashboard.views import bp
from rok.dashboard.views.context import FilterError, load_dashboard, records, render
from rok.dashboard.views.pages import chart_block, page_table

#: How each list is sorted: (column, ascending).
LIST_ORDER = {
    "sterkte": ("pct_agree", False),
    "werkpunt": ("pct_agree", True),
    "gespreksthema": ("consensus", True),
    "blinde_vlek": ("share_no_view", False),
    "prioriteit": ("pct_ready", False),
}
POOLED = ("rubriek", "area", "expectation")


@bp.get("/lijsten")
@school_required(Permission.VIEW)
def lists(school, survey_id: int):
    """Sterktes, werkpunten, gespreksthema's, blinde vlekken and prioriteiten."""
    dash = load_dashboard(school, survey_id)
    if dash.responses == 0:
        return render(dash, "dashboard/lists.html")
    group = dash.group_from_request()
    only_label = dash.label_from_request()
    level = dash.level_from_request("statement", ("expectation", "statement"))
    notice = None
    if group is not None and dash.breakdown_reason(group.dimension.key):
        notice = presenting.reason_text(dash.breakdown_reason(group.dimension.key),
                                        dash.min_group)
    table = page_table(dash, level, group)
    rules = presenting.label_rules(dash.thresholds)
    groups = []
    for label in analysis.LABELS:
        if only_label is not None and label != only_label:
            continue
        rows = table
        if not table.empty:
            rows = table.loc[table[f"is_{label}"].astype(bool)]
        column, ascending = LIST_ORDER[label]
        rows = rows.sort_values(column, ascending=ascending, kind="mergesort")
        groups.append({"label": label, "title": presenting.LABEL_PLURALS[label],
                       "rule": rules[label], "rows": records(rows)})
    return render(dash, "dashboard/lists.html", groups=groups, group=group,
                  level=level, notice=notice)


@bp.get("/deelgroepen")
@school_required(Permission.VIEW)
def subgroups(school, survey_id: int):
    """One dimension's parts side by side, each against the rest of the team."""
    dash = load_dashboard(school, survey_id)
    if dash.responses == 0:
        return render(dash, "dashboard/subgroups.html")
    level = dash.level_from_request("area", POOLED + ("statement",))
    key = request.args.get("deelgroep", "")
    dimension = dash.dimension(key) if key else (
        dash.dimensions[0] if dash.dimensions else None)
    if key and dimension is None:
        raise FilterError(_("Deze bevraging heeft geen deelgroep '%(k)s'.", k=key[:40]))
    reason = None
    units, parts, chart = [], [], None
    if dimension is not None:
        reason = dash.breakdown_reason(dimension.key)
    if dimension is not None and reason is None:
        table = dash.breakdown(dimension.key, level)
        parts = list(dict.fromkeys(
            table.loc[table["part"].notna(), "part_name"]))
        unit_key = "statement_id" if level == "statement" else "unit"
        for unit, rows in table.groupby(unit_key, sort=False):
            first = rows.iloc[0]
            withheld = first["part"] is None or pd.isna(first["part"])
            units.append({
                "unit": unit, "name": first["name"], "code": first["code"],
                "statement_id": first.get("statement_id"),
                "withheld": presenting.reason_text(first["status"], dash.min_group)
                if withheld else None,
                "parts": {} if withheld else {
                    r["part_name"]: r for r in records(rows)},
            })
        shown = table.loc[table["status"].eq("shown") & table["part"].notna()]
        if not shown.empty:
            chart = chart_block(
                "chart-subgroups",
                charts.subgroup_heatmap_chart(
                    table, points=dash.points,
                    labels={"row": presenting.LEVEL_NAMES[level],
                            "part": dimension.label, "mean": _("gemiddelde"),
                            "pct_agree": _("% (eerder) eens"),
                            "n": _("aantal antwoorden")}),
                _("%(d)s: gemiddelde (kleur) en %% (eerder) eens (getal) per groep",
                  d=dimension.label),
                [presenting.LEVEL_NAMES[level], dimension.label, _("% (eerder) eens"),
                 _("gemiddelde"), _("aantal antwoorden")],
                [[r["name"], r["part_name"], presenting.pct(r["pct_agree"]),
                  presenting.dec(r["mean"], 2), int(r["n_valid"])]
                 for r in records(shown)],
            )
    return render(dash, "dashboard/subgroups.html", dimension=dimension,
                  level=level, units=units, parts=parts, chart=chart, reason=reason,
                  reason_text=presenting.reason_text(reason, dash.min_group)
                  if reason else None)


@bp.get("/vorige-ronde")
@school_required(Permission.VIEW)
def rounds(school, survey_id: int):
    """This round against the previous one: what moved."""
    dash = load_dashboard(school, survey_id)
    if dash.responses == 0:
        return render(dash, "dashboard/rounds.html")
    level = dash.level_from_request("area")
    previous = dash.previous
    rows, chart = [], None
    if previous is not None:
        table = analysis.compare_rounds(
            dash.data, previous.data, level=level, privacy=dash.privacy,
            thresholds=dash.thresholds)
        table = dash._named(table, level) if not table.empty else table.assign(
            name=pd.Series(dtype=object), code=pd.Series(dtype=object))
        rows = records(table)
        shown = table.loc[table["status"].eq("shown")] if not table.empty else table
        if not shown.empty:
            chart = chart_block(
                "chart-rounds",
                charts.round_change_chart(
                    table,
                    labels={"row": presenting.LEVEL_NAMES[level],
                            "pct_agree": _("% (eerder) eens"),
                            "previous": _("vorige bevraging"),
                            "current": _("deze bevraging"), "round": _("bevraging"),
                            "change": _("verschil")}),
                _("% (eerder) eens: vorige bevraging (open cirkel) en deze "
                  "bevraging (ruit)"),
                [presenting.LEVEL_NAMES[level], _("vorige bevraging"),
                 _("deze bevraging"), _("verschil")],
                [[r["name"], presenting.pct(r["pct_agree_previous"]),
                  presenting.pct(r["pct_agree_current"]),
                  presenting.signed_points(r["change_pct_agree"])]
                 for r in records(shown)],
            )
    return render(dash, "dashboard/rounds.html", previous=previous, level=level,
                  rows=rows, chart=chart)


@bp.get("/prioriteiten")
@school_required(Permission.VIEW)
def matrix(school, survey_id: int):
    """The priority matrix: agreement against action-readiness."""
    dash = load_dashboard(school, survey_id)
    if dash.responses == 0:
        return render(dash, "dashboard/matrix.html")
    level = dash.level_from_request("expectation", ("expectation", "statement"))
    group = dash.group_from_request()
    label = dash.label_from_request()
    notice = None
    if group is not None and dash.breakdown_reason(group.dimension.key):
        notice = presenting.reason_text(dash.breakdown_reason(group.dimension.key),
                                        dash.min_group)
    table = page_table(dash, level, group)
    both = table.loc[table["status"].eq("shown") & table["action_status"].eq("shown")]
    chart = None
    if not both.empty:
        chart = chart_block(
            "chart-matrix",
            charts.priority_matrix_chart(
                table, thresholds=dash.thresholds,
                labels={"row": presenting.LEVEL_NAMES[level],
                        "pct_agree": _("% (eerder) eens"),
                        "pct_ready": _("% wil ermee aan de slag"),
                        "n": _("aantal antwoorden"),
                        "kinds": {"prioriteit": _("prioriteit"),
                                  "werkpunt": _("werkpunt"), "other": _("andere")}}),
            _("Prioriteitenmatrix: instemming (horizontaal) en actiebereidheid "
              "(verticaal)"),
            [presenting.LEVEL_NAMES[level], _("% (eerder) eens"),
             _("% wil ermee aan de slag"), _("indeling")],
            [[r["name"], presenting.pct(r["pct_agree"]), presenting.pct(r["pct_ready"]),
              ", ".join(presenting.label_names(r["labels"]))] for r in records(both)],
        )
    rows = records(table if label is None else table.loc[table[f"is_{label}"]])
    return render(dash, "dashboard/matrix.html", level=level, rows=rows, chart=chart,
                  group=group, notice=notice,
                  rules=presenting.label_rules(dash.thresholds))
