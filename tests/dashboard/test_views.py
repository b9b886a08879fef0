"""The dashboard pages: figures, readings, withheld cells, filters and access."""

from __future__ import annotations

import html
import re

import pytest

from rok.accounts.models import Role
from rok.surveys.models import SurveyStatus
from tests.dashboard.synthetic import fill_survey

DIMENSIONS = {"functie": ["beleidsteam", "kleuter", "lager", "zorg"],
              "ervaring": ["kort", "lang"]}


@pytest.fixture
def survey(school, create_survey):
    survey = create_survey(school, statements=16, status=SurveyStatus.CLOSED,
                           dimensions=DIMENSIONS)
    fill_survey(survey, 40, seed=3, groups={
        "functie": [("beleidsteam", 6), ("kleuter", 12), ("lager", 18), ("zorg", 2)],
        "ervaring": [("kort", 1), ("lang", 1)],
    })
    return survey


@pytest.fixture
def viewer(client, director, login):
    login(director)
    return client


def url(survey, path=""):
    return f"/scholen/{survey.school_id}/bevragingen/{survey.id}/dashboard/{path}"


def text(response) -> str:
    return html.unescape(re.sub(r"\s+", " ", response.get_data(as_text=True)))


def test_overview_shows_readings_figures_and_the_perception_note(viewer, survey):
    response = viewer.get(url(survey))
    assert response.status_code == 200
    page = text(response)
    assert "40 collega's vulden de bevraging in" in page
    assert "geen oordeel van de inspectie" in page
    assert "Hoe berekenen we dit?" in page
    assert re.search(r"\d+% van de \d+ antwoorden is \(eerder\) eens; de antwoorden",
                     page)
    assert "Resultaten en effecten" in page  # rubriek title from the framework
    assert 'data-chart="chart-areas"' in page
    assert 'type="application/json" id="chart-areas"' in page


def test_pages_of_every_level_render(viewer, survey):
    statement = survey.statements[0]
    for path in ("rubriek/OL", "verwachting/D1", f"stelling/{statement.id}",
                 "lijsten", "lijsten?niveau=expectation", "deelgroepen",
                 "deelgroepen?deelgroep=functie&niveau=statement", "prioriteiten",
                 "prioriteiten?niveau=statement", "vorige-ronde", "presentatie",
                 "presentatie?dia=2", "presentatie?niveau=expectation&dia=3"):
        response = viewer.get(url(survey, path))
        assert response.status_code == 200, path


def test_statement_page_reads_people_and_shows_the_distribution(viewer, survey):
    statement = survey.statements[0]
    page = text(viewer.get(url(survey, f"stelling/{statement.id}")))
    assert re.search(r"\d+ van de \d+ collega's zijn het \(eerder\) eens", page)
    assert "Helemaal oneens" in page and "Leik" in page
    assert "wil ermee aan de slag" in page


def test_unknown_codes_are_404(viewer, survey):
    assert viewer.get(url(survey, "rubriek/XX")).status_code == 404
    assert viewer.get(url(survey, "verwachting/Z9")).status_code == 404
    assert viewer.get(url(survey, "stelling/999999")).status_code == 404


@pytest.mark.parametrize("query", [
    "groep=nope:kleuter", "groep=functie:nope", "groep=functie", "label=mooi",
    "groep=functie:kleuter:x", "niveau=planeet",
])
def test_bad_filters_are_400_with_a_message(viewer, survey, query):
    for path in ("", "rubriek/OL", "lijsten", "prioriteiten"):
        response = viewer.get(url(survey, path) + "?" + query)
        if "niveau" in query and path in ("", "rubriek/OL"):
            assert response.status_code == 200
            continue
        assert response.status_code == 400, (path, query)
        assert "Er ging iets mis" in text(response)


def test_bad_presentation_slide_and_subgroup_are_400(viewer, survey):
    assert viewer.get(url(survey, "presentatie?dia=99")).status_code == 400
    assert viewer.get(url(survey, "presentatie?dia=x")).status_code == 400
    assert viewer.get(url(survey, "deelgroepen?deelgroep=nope")).status_code == 400


def test_group_filter_shows_the_part_and_merged_parts(viewer, survey):
    page = text(viewer.get(url(survey, "verwachting/D1?groep=functie:zorg")))
    # zorg is tiny: it is shown within "overige (...)", never on its own.
    assert "overige (" in page
    assert "Je bekijkt de cijfers van: Functie — Zorg" in page


def test_small_survey_withholds_cells(viewer, school, create_survey):
    small = create_survey(school, statements=8, status=SurveyStatus.CLOSED)
    fill_survey(small, 4, seed=1)
    page = text(viewer.get(url(small)))
    assert "te weinig antwoorden om te tonen (minder dan 5)" in page.lower()
    assert 'id="chart-areas"' not in page  # nothing to draw


def test_survey_without_answers_says_so(viewer, school, create_survey):
    empty = create_survey(school, status=SurveyStatus.OPEN)
    page = text(viewer.get(url(empty)))
    assert "Nog geen antwoorden" in page


def test_open_survey_is_labelled_interim(viewer, school, create_survey):
    running = create_survey(school, statements=8, status=SurveyStatus.OPEN)
    fill_survey(running, 12, seed=2)
    page = text(viewer.get(url(running)))
    assert "voorlopig" in page


def test_advisor_reads_and_outsiders_do_not(app, survey, school, create_user,
                                           add_membership, create_school, login):
    advisor = create_user("adviseur@net.example")
    add_membership(advisor, school, Role.ADVISOR)
    client = app.test_client()
    login(advisor, c=client)
    assert client.get(url(survey)).status_code == 200
    other = create_school("Andere school", "654321")
    stranger = create_user("ander@net.example")
    add_membership(stranger, other, Role.ADVISOR)
    client2 = app.test_client()
    login(stranger, c=client2)
    assert client2.get(url(survey)).status_code == 404
    anonymous = app.test_client().get(url(survey))
    assert anonymous.status_code == 302
    assert "/aanmelden" in anonymous.headers["Location"]


def test_second_dimension_is_withheld_when_it_would_reveal_a_small_group(
    viewer, school, create_survey
):
    from rok.extensions import db
    from rok.surveys.models import Response

    survey = create_survey(school, statements=8, status=SurveyStatus.CLOSED,
                           dimensions={"functie": ["beleidsteam", "kleuter", "lager"],
                                       "ervaring": ["kort", "lang"]})
    fill_survey(survey, 36, seed=5, unsubmitted=0)
    responses = db.session.scalars(
        db.select(Response)
        .where(Response.survey_id == survey.id)
        .order_by(Response.id)
    ).all()
    # kleuter (12) all "kort", plus 2 of lager: "lang" = everyone else, so
    # (beleidsteam + lager) + kort − total = the 2 lager colleagues with "kort".
    for index, response in enumerate(responses):
        functie = ("beleidsteam", "kleuter", "lager")[min(index // 12, 2)]
        if index < 6:
            functie = "beleidsteam"
        ervaring = "kort" if functie == "kleuter" or index in (30, 31) else "lang"
        response.subgroups = {"functie": functie, "ervaring": ervaring}
    db.session.commit()
    page = text(viewer.get(url(survey, "deelgroepen?deelgroep=ervaring")))
    assert "Samen met de indeling naar een andere deelgroep" in page
    assert 'id="chart-subgroups"' not in page
    page = text(viewer.get(url(survey, "deelgroepen?deelgroep=functie")))
    assert "Samen met de indeling naar een andere deelgroep" not in page
    assert 'id="chart-subgroups"' in page
    page = text(viewer.get(url(survey, "?groep=ervaring:kort")))
    assert "Samen met de indeling naar een andere deelgroep" in page
    assert "Je bekijkt de cijfers van: Ervaring — Kort" in page
