"""The JSON results endpoint: the dashboard's figures, its authorisation and rules."""

from __future__ import annotations

import math
import re

import pytest

from rok.dashboard import presenting
from rok.dashboard.analysis import LEVELS, breakdown_table, summary_table
from rok.dashboard.data import load_survey_data, survey_privacy, survey_thresholds
from rok.surveys.models import SurveyStatus
from tests.processing.synthetic import fill_survey


def api_url(survey) -> str:
    return f"/api/v1/scholen/{survey.school_id}/bevragingen/{survey.id}/resultaten"


def _same(a, b) -> bool:
    if a is None or (isinstance(a, float) and math.isnan(a)):
        return b is None or (isinstance(b, float) and math.isnan(b))
    if isinstance(a, float) or isinstance(b, float):
        return b is not None and math.isclose(float(a), float(b), abs_tol=1e-12)
    return a == b


def test_json_figures_equal_the_summary_tables(client, director, login, closed_survey):
    login(director)
    response = client.get(api_url(closed_survey))
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.headers["Cache-Control"] == "no-store"
    document = response.get_json()
    assert document["survey"]["n_responses"] == 40
    assert document["privacy"] == {"min_group": 5, "min_comments": 10}
    assert document["thresholds"]["strength_pct_agree"] == 0.75
    data = load_survey_data(closed_survey)
    privacy, thresholds = survey_privacy(closed_survey), survey_thresholds(
        closed_survey)
    compared = 0
    for level in LEVELS:
        table = summary_table(data, level=level, privacy=privacy,
                              thresholds=thresholds)
        rows = document["tables"][level]
        assert len(rows) == len(table)
        for row, expected in zip(rows, table.to_dict("records"), strict=True):
            assert row["status"] == expected["status"]
            assert row["labels"] == list(expected["labels"])
            if row["status"] != "shown":
                assert row["figures"] is None
                continue
            for name in ("n_valid", "n_no_view", "pct_agree", "mean", "median",
                         "consensus", "consensus_leik", "consensus_label",
                         "leadership_gap"):
                assert _same(expected[name], row["figures"][name]), (level, name)
                compared += 1
            assert row["figures"]["distribution"] == {
                str(p): int(expected[f"agree_{p}"]) for p in (1, 2, 3, 4)}
            if expected["action_status"] == "shown":
                assert _same(expected["pct_ready"], row["action"]["pct_ready"])
    assert compared > 100
    table = breakdown_table(data, "functie", level="expectation", privacy=privacy,
                            thresholds=thresholds)
    rows = document["breakdowns"]["functie"]["tables"]["expectation"]
    assert [r["part"] for r in rows] == [
        None if not isinstance(p, str) else p for p in table["part"]]
    for row, expected in zip(rows, table.to_dict("records"), strict=True):
        if row["status"] == "shown":
            assert _same(expected["diff_mean"], row["figures"]["diff_mean"])
            assert row["figures"]["n_valid"] >= 5
    labels = document["classification"]["statement"]
    assert set(labels) == {"sterkte", "werkpunt", "gespreksthema", "blinde_vlek",
                           "prioriteit"}
    for label, ids in labels.items():
        expected = summary_table(data, privacy=privacy, thresholds=thresholds)
        assert ids == [int(i) for i in expected.loc[expected[f"is_{label}"],
                                                    "statement_id"]]


def test_json_figures_equal_the_dashboard_page(client, director, login,
                                               closed_survey, app):
    if "dashboard.overview" not in app.view_functions:
        pytest.skip("the dashboard is not there yet")
    login(director)
    document = client.get(api_url(closed_survey)).get_json()
    page = client.get(f"/scholen/{closed_survey.school_id}/bevragingen/"
                      f"{closed_survey.id}/dashboard/")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    with app.test_request_context():
        for row in document["tables"]["rubriek"]:
            start = html.index(f'id="rubriek-{row["unit"]}"')
            section = html[start:html.index("</section>", start)]
            big = re.search(r'class="big">([^<]+)<', section).group(1)
            assert big == presenting.pct(row["figures"]["pct_agree"])
            assert f"van {row['figures']['n_valid']} antwoorden" in section


def test_json_withholds_small_groups_without_numbers(client, director, login, school,
                                                     create_survey):
    survey = create_survey(school, statements=3, status=SurveyStatus.CLOSED)
    fill_survey(survey, {"beleidsteam": 2, "lager": 2})  # 4 people: nothing shown
    login(director)
    document = client.get(api_url(survey)).get_json()
    assert document["survey"]["n_responses"] == 4
    for level, rows in document["tables"].items():
        for row in rows:
            assert row["status"] == "too_small", level
            assert row["figures"] is None and row["action"] is None
            assert row["labels"] == []
            assert "minder dan 5" in row["reason"]
    for rows in document["breakdowns"]["functie"]["tables"].values():
        for row in rows:
            assert row["status"] == "too_small" and row["figures"] is None
            assert row["part"] is None and row["members"] == []
    assert all(ids == [] for labels in document["classification"].values()
               for ids in labels.values())


def test_json_needs_a_closed_survey(client, director, login, school, create_survey):
    survey = create_survey(school, status=SurveyStatus.OPEN)
    login(director)
    response = client.get(api_url(survey))
    assert response.status_code == 409
    assert "afgesloten" in response.get_json()["error"]


def test_json_authorisation(app, client, director, advisor, login, closed_survey,
                            create_user):
    assert client.get(api_url(closed_survey)).status_code == 302  # anonymous
    login(advisor)
    assert client.get(api_url(closed_survey)).status_code == 200
    stranger = create_user("ander@elders.example")
    other = app.test_client()
    login(stranger, c=other)
    assert other.get(api_url(closed_survey)).status_code == 404
    wrong = f"/api/v1/scholen/{closed_survey.school_id}/bevragingen/999999/resultaten"
    login(director)
    assert client.get(wrong).status_code == 404
