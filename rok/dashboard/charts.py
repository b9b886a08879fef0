"""Altair charts built from analysis output; one builder per chart.

Every builder takes an analysis table (with a ``name`` column the caller adds:
the unit's or statement's title as shown on screen) and ``labels``, a mapping of
already translated texts, and returns an ``alt.Chart``. Rows whose figures are
withheld never become a mark: builders drop them before the data reaches the
chart. Colours come from a colour-blind-safe diverging palette (PuOr) and every
chart also says what it shows with text (percentages on the bars, shapes and
dash patterns), so it reads in black and white too.

``to_svg`` renders a chart to static SVG without a browser (vl-convert), for
reports. This module never calls gettext.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import altair as alt
import pandas as pd

#: Diverging purple-orange palettes (ColorBrewer PuOr), negative end first.
PALETTES: dict[int, list[str]] = {
    2: ["#e08214", "#8073ac"],
    3: ["#e08214", "#d9d9d9", "#8073ac"],
    4: ["#b35806", "#fdb863", "#b2abd2", "#542788"],
    5: ["#b35806", "#fdb863", "#d9d9d9", "#b2abd2", "#542788"],
    6: ["#b35806", "#e08214", "#fdb863", "#b2abd2", "#8073ac", "#542788"],
    7: ["#b35806", "#e08214", "#fdb863", "#d9d9d9", "#b2abd2", "#8073ac", "#542788"],
}
#: Segments whose fill is dark get white text.
DARK = {"#b35806", "#542788", "#8073ac", "#e08214"}
FONT = "system-ui, -apple-system, Segoe UI, Roboto, Arial, sans-serif"
#: Segments below this share get no text label (they would not fit).
MIN_LABEL_SHARE = 0.08


def _shown(table: pd.DataFrame, column: str = "status") -> pd.DataFrame:
    if table.empty or column not in table.columns:
        return table.iloc[0:0]
    return table.loc[table[column].astype(object).eq("shown")]


def _height(rows: int, step: int = 34) -> int:
    """Return a fixed height for ``rows`` bands (a step height cannot fit-x)."""
    return max(1, rows) * step


def _config(chart: alt.Chart) -> alt.Chart:
    # One configure call: each copies the whole (layered) chart.
    return chart.configure(
        font=FONT,
        axis=alt.AxisConfig(labelFontSize=13, titleFontSize=13, labelColor="#1d2430"),
        legend=alt.LegendConfig(labelFontSize=13, titleFontSize=13, orient="bottom"),
        view=alt.ViewConfig(stroke=None),
    )


def palette(points: Sequence[int]) -> list[str]:
    """Return a diverging palette for a scale with these points."""
    size = len(points)
    if size in PALETTES:
        return PALETTES[size]
    return (PALETTES[7] * (size // 7 + 1))[:size]


def diverging_frame(
    long: pd.DataFrame, points: Sequence[int], point_labels: Mapping[int, str]
) -> pd.DataFrame:
    """Lay out a ``distribution_long`` table as diverging segments around zero.

    The lower half of the scale goes left of zero (nearest point first), the
    upper half right; on an odd scale the middle point straddles zero. Withheld
    rows (share <NA>) are dropped.
    """
    points = list(points)
    k = len(points)
    colours = palette(points)
    rows: list[dict[str, Any]] = []
    frame = long.loc[long["share"].notna()] if not long.empty else long
    for name, group in frame.groupby("name", sort=False):
        shares = dict(zip(group["point"].astype(int), group["share"].astype(float),
                          strict=True))
        counts = dict(zip(group["point"].astype(int), group["count"].astype(int),
                          strict=True))
        order = int(group["order"].iloc[0]) if "order" in group else 0
        half = k // 2
        lower, upper = points[:half], points[k - half :]
        middle = points[half] if k % 2 else None
        left = -(shares.get(middle, 0.0) / 2 if middle is not None else 0.0)
        right = -left
        spans: dict[int, tuple[float, float]] = {}
        if middle is not None:
            spans[middle] = (left, right)
        for p in reversed(lower):
            spans[p] = (left - shares[p], left)
            left -= shares[p]
        for p in upper:
            spans[p] = (right, right + shares[p])
            right += shares[p]
        for index, p in enumerate(points):
            start, end = spans[p]
            rows.append(
                {
                    "name": str(name),
                    "order": order,
                    "point": int(p),
                    "answer": str(point_labels.get(p, p)),
                    "rank": index,
                    "count": counts[p],
                    "share": shares[p],
                    "start": start,
                    "end": end,
                    "middle": (start + end) / 2,
                    "text": f"{round(shares[p] * 100)}%"
                    if shares[p] >= MIN_LABEL_SHARE
                    else "",
                    "ink": "#ffffff" if colours[index] in DARK else "#1d2430",
                }
            )
    return pd.DataFrame(
        rows,
        columns=["name", "order", "point", "answer", "rank", "count", "share",
                 "start", "end", "middle", "text", "ink"],
    )


def statement_bars_chart(
    long: pd.DataFrame,
    *,
    points: Sequence[int],
    labels: Mapping[str, Any],
) -> alt.Chart:
    """Build diverging stacked bars: one bar per row, one segment per answer.

    ``long`` is ``distribution_long`` output with a ``name`` column (and
    ``order``). ``labels``: ``points`` ({point: label}), ``row`` (axis title),
    ``share``, ``count``, ``answer``.
    """
    data = diverging_frame(long, points, labels["points"])
    names = list(dict.fromkeys(data["name"]))
    colours = palette(points)
    answers = [str(labels["points"].get(p, p)) for p in points]
    y = alt.Y(
        "name:N",
        sort=names,
        title=None,
        axis=alt.Axis(labelLimit=260, labelFontSize=13),
    )
    base = alt.Chart(data)
    bars = base.mark_bar(stroke="#ffffff", strokeWidth=1).encode(
        x=alt.X(
            "start:Q",
            title=labels["share"],
            scale=alt.Scale(domain=[-1, 1]),
            axis=alt.Axis(
                format="~%",
                values=[-1, -0.5, 0, 0.5, 1],
                labelExpr="replace(replace(datum.label, '-', ''), '\u2212', '')",
            ),
        ),
        x2="end:Q",
        y=y,
        color=alt.Color(
            "answer:N",
            title=labels["answer"],
            scale=alt.Scale(domain=answers, range=colours),
            sort=answers,
        ),
        order=alt.Order("rank:Q"),
        tooltip=[
            alt.Tooltip("name:N", title=labels["row"]),
            alt.Tooltip("answer:N", title=labels["answer"]),
            alt.Tooltip("count:Q", title=labels["count"]),
            alt.Tooltip("share:Q", title=labels["share"], format=".0%"),
        ],
    )
    text = base.mark_text(fontSize=12, fontWeight="bold").encode(
        x="middle:Q",
        y=y,
        text="text:N",
        color=alt.Color("ink:N", scale=None, legend=None),
    )
    zero = alt.Chart(pd.DataFrame({"x": [0.0]})).mark_rule(
        color="#1d2430", strokeWidth=1.5
    ).encode(x="x:Q")
    chart = alt.layer(bars, text, zero).resolve_scale(color="independent").properties(
        width="container", height=_height(len(names)), title=labels.get("title", "")
    )
    return _config(chart)


def area_overview_chart(
    table: pd.DataFrame,
    *,
    thresholds: Any,
    labels: Mapping[str, Any],
) -> alt.Chart:
    """Build one bar per unit: the share that agrees, with the label thresholds.

    ``table`` is a summary table (pooled level) with ``name``. Dashed rules mark
    the werkpunt and sterkte thresholds; each bar says its percentage and how
    united the team is. ``labels``: ``row``, ``pct_agree``, ``consensus``
    ({label: text}), ``n``, ``strength``, ``work``.
    """
    shown = _shown(table)
    data = pd.DataFrame(
        {
            "name": shown["name"].astype(str).to_numpy(),
            "pct_agree": shown["pct_agree"].astype(float).to_numpy(),
            "n": shown["n_valid"].astype(int).to_numpy(),
            "unity": [
                str(labels["consensus"].get(c, c)) for c in shown["consensus_label"]
            ],
        }
    )
    data["text"] = [
        f"{round(p * 100)}% · {u}" for p, u in zip(data["pct_agree"], data["unity"],
                                                   strict=True)
    ]
    names = list(data["name"])
    y = alt.Y("name:N", sort=names, title=None, axis=alt.Axis(labelLimit=260))
    bars = alt.Chart(data).mark_bar(
        color="#542788", height=alt.RelativeBandSize(0.7)
    ).encode(
        x=alt.X(
            "pct_agree:Q",
            title=labels["pct_agree"],
            scale=alt.Scale(domain=[0, 1]),
            axis=alt.Axis(format="~%"),
        ),
        y=y,
        tooltip=[
            alt.Tooltip("name:N", title=labels["row"]),
            alt.Tooltip("pct_agree:Q", title=labels["pct_agree"], format=".0%"),
            alt.Tooltip("unity:N", title=labels["consensus_title"]),
            alt.Tooltip("n:Q", title=labels["n"]),
        ],
    )
    data["inside"] = data["pct_agree"] >= 0.5
    inside = alt.Chart(data.loc[data["inside"]]).mark_text(
        align="right", dx=-6, fontSize=12, fontWeight="bold", color="#ffffff"
    ).encode(x="pct_agree:Q", y=y, text="text:N")
    outside = alt.Chart(data.loc[~data["inside"]]).mark_text(
        align="left", dx=6, fontSize=12, fontWeight="bold", color="#1d2430"
    ).encode(x="pct_agree:Q", y=y, text="text:N")
    marks = pd.DataFrame(
        {
            "x": [
                float(thresholds.work_pct_agree),
                float(thresholds.strength_pct_agree),
            ],
            "rule": [labels["work"], labels["strength"]],
        }
    )
    rules = alt.Chart(marks).mark_rule(strokeWidth=2, color="#1d2430").encode(
        x="x:Q",
        strokeDash=alt.StrokeDash(
            "rule:N",
            title=None,
            scale=alt.Scale(domain=list(marks["rule"]), range=[[2, 2], [8, 4]]),
        ),
    )
    chart = alt.layer(bars, rules, inside, outside).properties(
        width="container", height=_height(len(names)), title=labels.get("title", "")
    )
    return _config(chart)


def subgroup_heatmap_chart(
    table: pd.DataFrame,
    *,
    points: Sequence[int],
    labels: Mapping[str, Any],
) -> alt.Chart:
    """Build a heatmap of units × subgroup parts: colour = mean, text = % eens.

    ``table`` is a ``breakdown_table`` with ``name`` (unit) and ``part_name``
    (e.g. "overige (kleuter, zorg)"); withheld rows are dropped. ``labels``:
    ``row``, ``part``, ``mean``, ``pct_agree``, ``n``.
    """
    shown = _shown(table)
    shown = shown.loc[shown["part"].notna()] if not shown.empty else shown
    data = pd.DataFrame(
        {
            "name": shown["name"].astype(str).to_numpy(),
            "part_name": shown["part_name"].astype(str).to_numpy(),
            "mean": shown["mean"].astype(float).to_numpy(),
            "pct_agree": shown["pct_agree"].astype(float).to_numpy(),
            "n": shown["n_valid"].astype(int).to_numpy(),
        }
    )
    data["text"] = [f"{round(p * 100)}%" for p in data["pct_agree"]]
    low, high = min(points), max(points)
    mid = (low + high) / 2
    data["ink"] = [
        "#ffffff" if abs(m - mid) > (high - low) * 0.3 else "#1d2430"
        for m in data["mean"]
    ]
    y = alt.Y("name:N", sort=list(dict.fromkeys(data["name"])), title=None,
              axis=alt.Axis(labelLimit=240))
    x = alt.X("part_name:N", sort=list(dict.fromkeys(data["part_name"])),
              title=labels["part"], axis=alt.Axis(labelAngle=0, labelLimit=240,
                                                  orient="top"))
    cells = alt.Chart(data).mark_rect(stroke="#ffffff", strokeWidth=2).encode(
        x=x,
        y=y,
        color=alt.Color(
            "mean:Q",
            title=labels["mean"],
            scale=alt.Scale(scheme="purpleorange", domain=[low, high], domainMid=mid,
                            reverse=True),
        ),
        tooltip=[
            alt.Tooltip("name:N", title=labels["row"]),
            alt.Tooltip("part_name:N", title=labels["part"]),
            alt.Tooltip("pct_agree:Q", title=labels["pct_agree"], format=".0%"),
            alt.Tooltip("mean:Q", title=labels["mean"], format=".2f"),
            alt.Tooltip("n:Q", title=labels["n"]),
        ],
    )
    text = alt.Chart(data).mark_text(fontSize=13, fontWeight="bold").encode(
        x=x, y=y, text="text:N", color=alt.Color("ink:N", scale=None, legend=None)
    )
    chart = alt.layer(cells, text).resolve_scale(color="independent").properties(
        width="container",
        height=_height(data["name"].nunique(), 38),
        title=labels.get("title", ""),
    )
    return _config(chart)


def priority_matrix_chart(
    table: pd.DataFrame,
    *,
    thresholds: Any,
    labels: Mapping[str, Any],
) -> alt.Chart:
    """Build the priority matrix: agreement (x) against action-readiness (y).

    One point per unit or statement whose agreement and action figures are both
    shown; the shape says whether it is a prioriteit, a werkpunt or neither
    (``labels["kinds"]``), and a short ``code`` column names it beside the
    point. Dashed rules mark the werkpunt and readiness thresholds.
    """
    shown = _shown(_shown(table), "action_status")
    data = pd.DataFrame(
        {
            "name": shown["name"].astype(str).to_numpy(),
            "code": shown["code"].astype(str).to_numpy(),
            "pct_agree": shown["pct_agree"].astype(float).to_numpy(),
            "pct_ready": shown["pct_ready"].astype(float).to_numpy(),
            "n": shown["n_valid"].astype(int).to_numpy(),
            "kind": [
                labels["kinds"]["prioriteit"]
                if p
                else (labels["kinds"]["werkpunt"] if w else labels["kinds"]["other"])
                for p, w in zip(shown["is_prioriteit"], shown["is_werkpunt"],
                                strict=True)
            ],
        }
    )
    kinds = [labels["kinds"][k] for k in ("prioriteit", "werkpunt", "other")]
    scale = alt.Scale(domain=[0, 1])
    points = alt.Chart(data).mark_point(size=140, filled=True, opacity=0.9).encode(
        x=alt.X("pct_agree:Q", title=labels["pct_agree"], scale=scale,
                axis=alt.Axis(format="~%")),
        y=alt.Y("pct_ready:Q", title=labels["pct_ready"], scale=scale,
                axis=alt.Axis(format="~%")),
        shape=alt.Shape("kind:N", title=None,
                        scale=alt.Scale(domain=kinds,
                                        range=["diamond", "square", "circle"])),
        color=alt.Color("kind:N", title=None,
                        scale=alt.Scale(domain=kinds,
                                        range=["#b35806", "#e08214", "#542788"])),
        tooltip=[
            alt.Tooltip("name:N", title=labels["row"]),
            alt.Tooltip("pct_agree:Q", title=labels["pct_agree"], format=".0%"),
            alt.Tooltip("pct_ready:Q", title=labels["pct_ready"], format=".0%"),
            alt.Tooltip("n:Q", title=labels["n"]),
        ],
    )
    text = alt.Chart(data).mark_text(align="left", dx=9, fontSize=12).encode(
        x="pct_agree:Q", y="pct_ready:Q", text="code:N"
    )
    lines = pd.DataFrame(
        {"x": [float(thresholds.work_pct_agree)], "y": [float(thresholds.ready_share)]}
    )
    vrule = alt.Chart(lines).mark_rule(strokeDash=[6, 4], color="#5a6473").encode(
        x="x:Q"
    )
    hrule = alt.Chart(lines).mark_rule(strokeDash=[6, 4], color="#5a6473").encode(
        y="y:Q"
    )
    chart = alt.layer(vrule, hrule, points, text).properties(
        width="container", height=360, title=labels.get("title", "")
    )
    return _config(chart)


def round_change_chart(
    table: pd.DataFrame,
    *,
    labels: Mapping[str, Any],
) -> alt.Chart:
    """Build a dumbbell per unit: % eens in the previous round → this round.

    ``table`` is ``compare_rounds`` output with ``name``; only rows shown in
    both rounds take part. A hollow circle is the previous round, a filled one
    this round, joined by a line; changes that matter are drawn thicker.
    ``labels``: ``row``, ``pct_agree``, ``previous``, ``current``, ``change``.
    """
    shown = _shown(table)
    rows = []
    for record in shown.to_dict("records"):
        for which, column in (("previous", "pct_agree_previous"),
                              ("current", "pct_agree_current")):
            rows.append(
                {
                    "name": str(record["name"]),
                    "round": labels[which],
                    "pct_agree": float(record[column]),
                    "change": float(record["change_pct_agree"]),
                    "matters": bool(record["matters"]),
                }
            )
    data = pd.DataFrame(rows, columns=["name", "round", "pct_agree", "change",
                                       "matters"])
    names = list(dict.fromkeys(data["name"]))
    y = alt.Y("name:N", sort=names, title=None, axis=alt.Axis(labelLimit=260))
    x = alt.X("pct_agree:Q", title=labels["pct_agree"], scale=alt.Scale(domain=[0, 1]),
              axis=alt.Axis(format="~%"))
    line = alt.Chart(data).mark_line(color="#5a6473").encode(
        x=x, y=y, detail="name:N",
        strokeWidth=alt.condition("datum.matters", alt.value(4), alt.value(1.5)),
    )
    rounds = [labels["previous"], labels["current"]]
    dots = alt.Chart(data).mark_point(size=150, strokeWidth=2).encode(
        x=x,
        y=y,
        shape=alt.Shape("round:N", title=None,
                        scale=alt.Scale(domain=rounds, range=["circle", "diamond"])),
        fill=alt.Fill("round:N", title=None,
                      scale=alt.Scale(domain=rounds, range=["#ffffff", "#542788"])),
        color=alt.value("#542788"),
        tooltip=[
            alt.Tooltip("name:N", title=labels["row"]),
            alt.Tooltip("round:N", title=labels["round"]),
            alt.Tooltip("pct_agree:Q", title=labels["pct_agree"], format=".0%"),
            alt.Tooltip("change:Q", title=labels["change"], format="+.0%"),
        ],
    )
    chart = alt.layer(line, dots).properties(
        width="container", height=_height(len(names)), title=labels.get("title", "")
    )
    return _config(chart)


def to_svg(chart: alt.TopLevelMixin, *, width: int = 720) -> str:
    """Render ``chart`` to a static SVG string without a browser (vl-convert).

    A chart that fills its container gets ``width`` pixels instead. Skips
    Altair's schema validation, as :func:`embed` does (the builders' tests
    validate every chart; it took a fifth of the time of a report's charts).
    """
    import vl_convert

    spec = chart.to_dict(validate=False)
    _fix_width(spec, width)
    return vl_convert.vegalite_to_svg(spec, format_locale="nl-NL")


def _scale_height(spec: dict, factor: float) -> None:
    if isinstance(spec.get("height"), int | float):
        spec["height"] = int(spec["height"] * factor)


def _fix_width(spec: dict, width: int) -> None:
    if spec.get("width") == "container":
        spec["width"] = width
    for child in spec.get("layer", []) + spec.get("vconcat", []) + spec.get(
        "hconcat", []
    ):
        _fix_width(child, width)


def embed(chart: alt.TopLevelMixin, *, large: bool = False) -> dict:
    """Return the chart's Vega-Lite spec for the page (rendered by dashboard.js).

    ``large`` enlarges the type, for the presentation mode on a projector.
    Skips Altair's schema validation (a tenth of a second per chart); the
    builders' tests validate every chart.
    """
    spec = chart.to_dict(validate=False)
    if large:
        config = spec.setdefault("config", {})
        for part in ("axis", "legend"):
            config.setdefault(part, {}).update(labelFontSize=20, titleFontSize=20)
        config.setdefault("text", {}).update(fontSize=18)
        _scale_height(spec, 1.6)
    # The page's bundle is the one current Vega-Lite; the schema URL would only
    # make vega-embed warn about Altair's (older) version.
    spec.pop("$schema", None)
    return spec
