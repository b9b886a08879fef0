"""Exports: formula injection, the group-size rule, names, XLSX, anonymous answers."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

from rok.dashboard.exports import FORMULA_STARTS, neutralise, safe_filename
from rok.extensions import db
from rok.surveys.models import SurveyStatus
from tests.processing.conftest import base_url
from tests.processing.synthetic import fill_survey

HOSTILE = ["=HYPERLINK(\"http://evil\",\"klik\")", "+1+2", "-3+cmd|' /C calc'!A0",
           "@SUM(A1:A2)", "\tverborgen", "\rregel"]


def _csv_rows(body: bytes) -> list[list[str]]:
    text = body.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def _is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


def assert_csv_safe(body: bytes) -> list[list[str]]:
    rows = _csv_rows(body)
    assert rows
    for row in rows:
        for cell in row:
            # A number written by rOK (e.g. -0.25) is no formula; text never starts so.
            assert not cell.startswith(FORMULA_STARTS) or _is_number(cell), cell
    return rows


def assert_json_safe(value) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            assert not key.startswith(FORMULA_STARTS), key
            assert_json_safe(item)
    elif isinstance(value, list):
        for item in value:
            assert_json_safe(item)
    elif isinstance(value, str):
        assert not value.startswith(FORMULA_STARTS), value


@pytest.fixture
def hostile_survey(school, create_survey):
    """A closed survey whose every school-typed text tries to start a formula."""
    survey = create_survey(school, title="=cmd|' /C calc'!A0", statements=6,
                           status=SurveyStatus.CLOSED,
                           dimensions={"functie": ["beleidsteam", "kleuter", "lager"],
                                       "=ervaring": ["+kort", "-lang"]})
    for statement, text in zip(survey.statements, HOSTILE, strict=True):
        statement.text = text
    role, other = survey.dimensions
    role.label = "@functie"
    for option, label in zip(role.options, ["=Beleid", "+Kleuter", "-Lager"],
                             strict=True):
        option.label = label
    other.options[0].label, other.options[1].label = "\tkort", "\rlang"
    db.session.commit()
    fill_survey(survey, {"beleidsteam": 10, "kleuter": 10, "lager": 10},
                extra={"=ervaring": ["+kort", "-lang"]}, no_view_rate=0.0)
    return survey


# --- the shared helper ----------------------------------------------------------


@pytest.mark.parametrize("value", HOSTILE)
def test_neutralise_prefixes_an_apostrophe(value):
    assert neutralise(value) == "'" + value


@pytest.mark.parametrize("value", ["gewone tekst", "", "3 = 3", "'al veilig", 12,
                                   -0.5, None, True])
def test_neutralise_leaves_safe_values(value):
    assert neutralise(value) == value


def test_safe_filename_is_an_ascii_slug():
    assert safe_filename("Bevraging ’t Kompas: één/twee?", ".csv") == (
        "bevraging-t-kompas-een-twee.csv")
    assert safe_filename("=== \r\n", "-x.pdf") == "bevraging-x.pdf"
    assert safe_filename("a" * 300, ".xlsx") == "a" * 60 + ".xlsx"


# --- formula injection on every export ---------------------------------------------


@pytest.mark.parametrize("query", ["", "?tabel=verwachtingen",
                                   "?tabel=rubrieken&deelgroep=functie",
                                   "?tabel=stellingen&deelgroep=%3Dervaring"])
def test_tables_csv_neutralises_every_cell(client, director, login, hostile_survey,
                                           query):
    login(director)
    response = client.get(base_url(hostile_survey) + "/export/tabellen.csv" + query)
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    rows = assert_csv_safe(response.data)
    if not query:
        texts = [row[rows[0].index("text")] for row in rows[1:]]
        assert texts == ["'" + text for text in HOSTILE]


def test_tables_xlsx_opens_and_neutralises_every_cell(client, director, login,
                                                      hostile_survey):
    login(director)
    response = client.get(base_url(hostile_survey) + "/export/tabellen.xlsx")
    assert response.status_code == 200
    assert 'filename="cmd-c-calc-a0-tabellen.xlsx"' in response.headers[
        "Content-Disposition"]
    workbook = load_workbook(io.BytesIO(response.data))
    assert workbook.sheetnames[:5] == ["Toelichting", "Stellingen", "Verwachtingen",
                                       "Onderdelen", "Rubrieken"]
    seen = []
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate)
                if isinstance(cell.value, str):
                    assert not cell.value.startswith(FORMULA_STARTS), cell.value
                    seen.append(cell.value)
    assert "'" + HOSTILE[0] in seen and "'=Beleid" in seen
    statements = workbook["Stellingen"]
    header = [c.value for c in statements[1]]
    assert header[:3] == ["nr", "verwachting", "onderdeel"]
    assert statements.cell(row=2, column=header.index("% (eerder/helemaal) eens") + 1
                           ).number_format == "0%"


def test_anonymous_answers_csv_neutralises_every_cell(client, director, login,
                                                      hostile_survey):
    login(director)
    response = client.get(base_url(hostile_survey) + "/export/antwoorden.csv")
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    rows = assert_csv_safe(response.data)
    assert rows[0][-2:] == ["functie", "'=ervaring"]
    assert {row[-1] for row in rows[1:]} == {"'\tkort", "'\rlang"}


def test_json_results_neutralise_every_text(client, director, login, hostile_survey):
    login(director)
    response = client.get(f"/api/v1/scholen/{hostile_survey.school_id}/bevragingen/"
                          f"{hostile_survey.id}/resultaten")
    assert response.status_code == 200
    document = response.get_json()
    assert_json_safe(document)
    assert document["survey"]["title"] == "'=cmd|' /C calc'!A0"
    assert [r["text"] for r in document["tables"]["statement"]] == [
        "'" + text for text in HOSTILE]


# --- the group-size rule ----------------------------------------------------------


@pytest.fixture
def small_group_survey(school, create_survey):
    """A closed survey where 'zorg' has 2 people and one statement few answers."""
    survey = create_survey(school, title="Kleine groepen", statements=4,
                           status=SurveyStatus.CLOSED)
    fill_survey(survey, {"beleidsteam": 6, "kleuter": 7, "lager": 8, "zorg": 2},
                no_view_rate=0.0)
    # Statement 4: only 3 people answer on the scale, the rest has no view.
    last = survey.statements[-1]
    for index, response in enumerate(sorted(_responses(survey), key=lambda r: r.id)):
        answer = next(a for a in response.answers if a.statement_id == last.id)
        if index >= 3:
            answer.agreement, answer.no_view = None, True
    db.session.commit()
    return survey


def _responses(survey):
    from rok.surveys.models import Response

    return db.session.scalars(db.select(Response).where(
        Response.survey_id == survey.id)).all()


def test_tables_csv_leaves_withheld_cells_empty(client, director, login,
                                                small_group_survey):
    login(director)
    rows = assert_csv_safe(client.get(
        base_url(small_group_survey) + "/export/tabellen.csv").data)
    header, body = rows[0], rows[1:]
    last = dict(zip(header, body[-1], strict=True))
    assert last["status"] == "too_small"
    assert last["reason"].startswith("Te weinig antwoorden")
    for column in ("n_valid", "pct_agree", "mean", "agree_1", "agree_4", "consensus",
                   "pct_ready", "labels"):
        assert last[column] == "", column
    first = dict(zip(header, body[0], strict=True))
    assert first["status"] == "shown" and int(first["n_valid"]) == 23


def test_breakdown_csv_never_shows_a_small_part(client, director, login,
                                                small_group_survey):
    login(director)
    rows = assert_csv_safe(client.get(
        base_url(small_group_survey)
        + "/export/tabellen.csv?tabel=stellingen&deelgroep=functie").data)
    header, body = rows[0], rows[1:]
    parts = [dict(zip(header, row, strict=True)) for row in body]
    shown = [p for p in parts if p["status"] == "shown"]
    assert shown
    assert all(int(p["n_valid"]) >= 5 for p in shown)
    assert all(p["part"] != "Zorg" for p in parts)
    assert any(p["part"].startswith("overige (") and "Zorg" in p["part"]
               for p in shown)
    withheld = [p for p in parts if p["status"] != "shown"]
    assert withheld and all(p["n_valid"] == "" and p["pct_agree"] == ""
                            for p in withheld)


def test_xlsx_withheld_cells_are_empty(client, director, login, small_group_survey):
    login(director)
    workbook = load_workbook(io.BytesIO(client.get(
        base_url(small_group_survey) + "/export/tabellen.xlsx").data))
    sheet = workbook["Stellingen"]
    header = [c.value for c in sheet[1]]
    last = dict(zip(header, [c.value for c in sheet[sheet.max_row]], strict=True))
    assert last["status"] == "niet getoond"
    assert last["aantal antwoorden"] is None and last["gemiddelde"] is None
    for sheet in workbook.worksheets[5:]:
        header = [c.value for c in sheet[1]]
        for row in sheet.iter_rows(min_row=2, values_only=True):
            record = dict(zip(header, row, strict=True))
            if record["status"] == "getoond":
                assert record["aantal antwoorden"] >= 5
                assert record["groep"] != "Zorg"


def test_anonymous_answers_refused_when_a_cell_is_small(client, director, login,
                                                       small_group_survey):
    login(director)
    response = client.get(base_url(small_group_survey) + "/export/antwoorden.csv")
    assert response.status_code == 409
    text = response.get_data(as_text=True)
    assert "niet anoniem uitgevoerd" in text
    assert response.mimetype == "text/html"


def test_anonymous_answers_refused_for_a_small_crossing(client, director, login,
                                                       school, create_survey):
    survey = create_survey(school, statements=3, status=SurveyStatus.CLOSED,
                           dimensions={"functie": ["kleuter", "lager"],
                                       "ervaring": ["kort", "lang"]})
    # Each option has 10 people, but kleuter × kort has only 3.
    fill_survey(survey, {"kleuter": 3}, extra={"ervaring": ["kort"]}, seed=1,
                no_view_rate=0)
    fill_survey(survey, {"kleuter": 7}, extra={"ervaring": ["lang"]}, seed=2,
                no_view_rate=0)
    fill_survey(survey, {"lager": 7}, extra={"ervaring": ["kort"]}, seed=3,
                no_view_rate=0)
    fill_survey(survey, {"lager": 3}, extra={"ervaring": ["lang"]}, seed=4,
                no_view_rate=0)
    login(director)
    response = client.get(base_url(survey) + "/export/antwoorden.csv")
    assert response.status_code == 409
    assert "combinatie van deelgroepen" in response.get_data(as_text=True)


def test_anonymous_answers_have_no_links_and_random_order(client, director, login,
                                                          closed_survey):
    login(director)
    url = base_url(closed_survey) + "/export/antwoorden.csv"
    first = assert_csv_safe(client.get(url).data)
    second = assert_csv_safe(client.get(url).data)
    assert first[0] == ["nr", "expectation", "area", "rubriek", "statement",
                        "agreement", "no_view", "action", "functie"]
    assert len(first) - 1 == 40 * 8
    assert sorted(first[1:]) == sorted(second[1:])
    assert first[1:] != second[1:]  # shuffled (chance of equal order ~ 1/320!)
    body = client.get(url).get_data(as_text=True)
    from rok.surveys.models import Response

    for response_id in db.session.scalars(db.select(Response.id)):
        assert response_id not in body


def test_anonymous_answers_are_every_answer_with_its_subgroup(client, director, login,
                                                              school, create_survey):
    survey = create_survey(school, statements=4, status=SurveyStatus.CLOSED)
    fill_survey(survey, {"kleuter": 12, "lager": 9, None: 8}, no_view_rate=0.1)
    login(director)
    response = client.get(base_url(survey) + "/export/antwoorden.csv")
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    rows = assert_csv_safe(response.data)
    statements = {s.id: s for s in survey.statements}
    labels = {o.key: o.label for o in survey.dimensions[0].options}
    expected = [
        [str(s.position + 1), s.expectation_code, s.area_code, s.rubriek_code, s.text,
         "" if a.agreement is None else str(a.agreement),
         "true" if a.no_view else "false", "" if a.action is None else str(a.action),
         labels[r.subgroups["functie"]] if r.subgroups else "niet ingevuld"]
        for r in _responses(survey) for a in r.answers
        for s in [statements[a.statement_id]]]
    assert sorted(rows[1:]) == sorted(expected)
    assert {row[6] for row in expected} == {"true", "false"}
    assert "niet ingevuld" in {row[-1] for row in expected}


def test_anonymous_answers_only_for_the_school(client, advisor, login, closed_survey):
    login(advisor)
    assert client.get(base_url(closed_survey)
                      + "/export/antwoorden.csv").status_code == 403
    assert client.get(base_url(closed_survey)
                      + "/export/tabellen.csv").status_code == 200


@pytest.mark.parametrize("path", ["/export/tabellen.csv", "/export/tabellen.xlsx",
                                  "/export/antwoorden.csv", "/rapport.pdf"])
def test_no_exports_while_the_survey_is_open(client, director, login, school,
                                              create_survey, path):
    survey = create_survey(school, status=SurveyStatus.OPEN)
    fill_survey(survey)
    login(director)
    response = client.get(base_url(survey) + path)
    assert response.status_code == 409
    assert "zodra de bevraging is afgesloten" in response.get_data(as_text=True)


def test_unknown_table_or_dimension_is_404(client, director, login, closed_survey):
    login(director)
    base = base_url(closed_survey) + "/export/tabellen.csv"
    assert client.get(base + "?tabel=bestaatniet").status_code == 404
    assert client.get(base + "?tabel=stellingen&deelgroep=x").status_code == 404


def test_cross_dimension_breakdown_is_withheld_in_exports(client, director, login,
                                                          school, create_survey):
    """Two dimensions whose crossing isolates 3 people: the second is withheld."""
    survey = create_survey(school, statements=2, status=SurveyStatus.CLOSED,
                           dimensions={"functie": ["kleuter", "lager"],
                                       "ervaring": ["kort", "lang"]})
    for option, exp, count, seed in [("kleuter", "kort", 3, 1),
                                     ("kleuter", "lang", 7, 2),
                                     ("lager", "kort", 7, 3),
                                     ("lager", "lang", 3, 4)]:
        fill_survey(survey, {option: count}, extra={"ervaring": [exp]}, seed=seed,
                    no_view_rate=0, action_rate=0)
    login(director)
    rows = _csv_rows(client.get(
        base_url(survey) + "/export/tabellen.csv?tabel=stellingen&deelgroep=ervaring"
    ).data)
    records = [dict(zip(rows[0], r, strict=True)) for r in rows[1:]]
    assert records and all(r["status"] == "cross_dimension" for r in records)
    assert all(r["n_valid"] == "" and r["part"] == "" for r in records)
    document = client.get(f"/api/v1/scholen/{school.id}/bevragingen/{survey.id}"
                          "/resultaten").get_json()
    assert document["breakdowns"]["functie"]["status"] == "shown"
    assert document["breakdowns"]["ervaring"]["status"] == "cross_dimension"
    for rows in document["breakdowns"]["ervaring"]["tables"].values():
        assert all(r["figures"] is None and r["action"] is None for r in rows)
