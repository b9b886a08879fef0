"""Chart builders: mark types, encodings, no marks for withheld cells, static SVG."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from rok.dashboard import analysis, charts
from rok.dashboard.analysis import SurveyData, Thresholds
from rok.dashboard.disclosure import Privacy

POINTS = (1, 2, 3, 4)
LABELS = {1: "Helemaal oneens", 2: "Eerder oneens", 3: "Eerder eens",
          4: "Helemaal eens"}


@pytest.fixture(scope="module")
def data() -> SurveyData:
    rng = np.random.default_rng(4)
    n, statements = 30, 6
    responses = pd.DataFrame({
        "response_id": np.arange(1, n + 1),
        "functie": pd.array(rng.choice(["beleidsteam", "lager", "kleuter"], n,
                                       p=[.2, .5, .3]), dtype="string"),
    })
    rows = []
    for sid in range(1, statements + 1):
        for rid in range(1, n + 1):
            # Statement 6: only 3 people answer on the scale, so it is withheld.
            agree = int(rng.integers(1, 5)) if sid < 6 or rid <= 3 else pd.NA
            rows.append((rid, sid, agree, agree is pd.NA, int(rng.integers(1, 5))))
    answers = pd.DataFrame(rows, columns=["response_id", "statement_id", "agreement",
                                          "no_view", "action"])
    answers["agreement"] = answers["agreement"].astype("Int64")
    answers["action"] = answers["action"].astype("Int64")
    statements_frame = pd.DataFrame({
        "statement_id": range(1, statements + 1), "position": range(statements),
        "text": [f"Stelling {i}" for i in range(1, statements + 1)],
        "expectation": ["D1", "D1", "D2", "D2", "B1", "B1"],
        "area": ["D", "D", "D", "D", "B", "B"], "rubriek": ["OL"] * statements,
        "origin": [f"o{i}" for i in range(1, statements + 1)],
    }).astype({"text": "string", "expectation": "string", "area": "string",
               "rubriek": "string", "origin": "string"})
    return SurveyData(answers, responses, statements_frame, POINTS, POINTS,
                      role_dimension="functie", leadership_option="beleidsteam")


def named(table, column="text"):
    out = table.copy()
    out["name"] = out[column].astype(str)
    return out


def layers(spec):
    return spec["layer"]


def rows_of(spec, layer):
    data = layer.get("data", spec.get("data"))
    return spec["datasets"][data["name"]]


def test_statement_bars_are_diverging_stacked_bars_without_withheld_rows(data):
    table = named(analysis.summary_table(data, privacy=Privacy()))
    assert table.loc[table["statement_id"] == 6, "status"].item() == "too_small"
    long = analysis.distribution_long(table, POINTS)
    chart = charts.statement_bars_chart(long, points=POINTS, labels={
        "points": LABELS, "row": "stelling", "share": "aandeel", "count": "aantal",
        "answer": "antwoord"})
    spec = chart.to_dict()
    bars, text, zero = layers(spec)
    assert bars["mark"]["type"] == "bar"
    assert bars["encoding"]["x"]["field"] == "start"
    assert bars["encoding"]["x2"]["field"] == "end"
    assert bars["encoding"]["color"]["scale"]["range"] == charts.PALETTES[4]
    assert text["mark"]["type"] == "text" and zero["mark"]["type"] == "rule"
    rows = rows_of(spec, bars)
    assert {r["name"] for r in rows} == {f"Stelling {i}" for i in range(1, 6)}
    assert len(rows) == 5 * 4
    # Disagreeing answers lie left of zero, agreeing ones right of it.
    for r in rows:
        assert (r["end"] <= 1e-9) if r["point"] <= 2 else (r["start"] >= -1e-9)


def test_area_overview_has_bars_and_threshold_rules(data):
    table = named(analysis.summary_table(data, level="expectation"), "unit")
    spec = charts.area_overview_chart(table, thresholds=Thresholds(), labels={
        "row": "verwachting", "pct_agree": "% eens", "consensus": {},
        "consensus_title": "eensgezindheid", "n": "n", "work": "werkpunt",
        "strength": "sterkte"}).to_dict()
    bars, rules, *texts = layers(spec)
    assert bars["mark"]["type"] == "bar" and rules["mark"]["type"] == "rule"
    assert bars["encoding"]["x"]["field"] == "pct_agree"
    assert rules["encoding"]["strokeDash"]["field"] == "rule"
    assert [r["x"] for r in rows_of(spec, rules)] == [0.5, 0.75]


def test_subgroup_heatmap_shows_only_visible_parts(data):
    table = analysis.breakdown_table(data, "functie", level="statement")
    table = named(table)
    table["part_name"] = table["part"].fillna("").astype(str)
    spec = charts.subgroup_heatmap_chart(table, points=POINTS, labels={
        "row": "stelling", "part": "functie", "mean": "gemiddelde",
        "pct_agree": "% eens", "n": "n"}).to_dict()
    cells, text = layers(spec)
    assert cells["mark"]["type"] == "rect"
    assert cells["encoding"]["color"]["field"] == "mean"
    rows = rows_of(spec, cells)
    shown = table.loc[table["status"].eq("shown") & table["part"].notna()]
    assert len(rows) == len(shown)
    assert "Stelling 6" not in {r["name"] for r in rows}
    assert all(r["n"] >= 5 for r in rows)


def test_priority_matrix_plots_agreement_against_readiness(data):
    table = analysis.summary_table(data)
    table = named(table)
    table["code"] = [f"S{i}" for i in table["statement_id"]]
    spec = charts.priority_matrix_chart(table, thresholds=Thresholds(), labels={
        "row": "stelling", "pct_agree": "% eens", "pct_ready": "% klaar", "n": "n",
        "kinds": {"prioriteit": "prioriteit", "werkpunt": "werkpunt",
                  "other": "andere"}}).to_dict()
    points = next(layer for layer in layers(spec) if layer["mark"]["type"] == "point")
    assert points["encoding"]["x"]["field"] == "pct_agree"
    assert points["encoding"]["y"]["field"] == "pct_ready"
    assert points["encoding"]["shape"]["field"] == "kind"
    assert {r["code"] for r in rows_of(spec, points)} == {f"S{i}" for i in range(1, 6)}


def test_round_change_chart_is_a_dumbbell_of_shown_rows(data):
    table = analysis.compare_rounds(data, data, level="statement")
    table = named(table)
    spec = charts.round_change_chart(table, labels={
        "row": "stelling", "pct_agree": "% eens", "previous": "vorige",
        "current": "nu", "round": "ronde", "change": "verschil"}).to_dict()
    line, dots = layers(spec)
    assert line["mark"]["type"] == "line" and dots["mark"]["type"] == "point"
    rows = rows_of(spec, dots)
    assert len(rows) == 2 * 5  # statement 6 is withheld: no marks
    assert {r["round"] for r in rows} == {"vorige", "nu"}


def test_to_svg_renders_static_svg(data):
    table = named(analysis.summary_table(data))
    long = analysis.distribution_long(table, POINTS)
    chart = charts.statement_bars_chart(long, points=POINTS, labels={
        "points": LABELS, "row": "stelling", "share": "aandeel", "count": "aantal",
        "answer": "antwoord"})
    svg = charts.to_svg(chart)
    assert svg.lstrip().startswith("<svg") and "Stelling 1" in svg
    spec = charts.embed(chart)
    assert "$schema" not in spec and spec["width"] == "container"
