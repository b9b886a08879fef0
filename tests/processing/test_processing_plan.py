"""Notes, advisor notes, self-placement and the action plan (PDCA)."""

from __future__ import annotations

from datetime import date

import pytest

from rok.extensions import db
from rok.processing.models import Action, AreaNote, Goal, GoalStatus, SelfPlacement
from rok.surveys.models import SurveyStatus
from tests.processing.conftest import base_url
from tests.processing.synthetic import fill_survey


@pytest.fixture
def advisor_client(app, advisor, login):
    other = app.test_client()
    login(advisor, c=other)
    return other


def _notes():
    return db.session.scalars(db.select(AreaNote).order_by(AreaNote.id)).all()


def test_school_and_advisor_notes_are_kept_apart(client, director, login, advisor,
                                                 advisor_client, closed_survey):
    login(director)
    base = base_url(closed_survey)
    response = client.post(base + "/notities", data={"unit": "area:D",
                                                      "text": "Ons beeld."})
    assert response.status_code == 302
    response = advisor_client.post(base + "/notities", data={
        "unit": "expectation:D1", "text": "Voorbereiding begeleider."})
    assert response.status_code == 302
    school_note, advisor_note = _notes()
    assert not school_note.is_advisor_note and school_note.author_id == director.id
    assert advisor_note.is_advisor_note and advisor_note.author_id == advisor.id
    page = client.get(base + "/notities").get_data(as_text=True)
    assert "notitie van de begeleider" in page
    assert "Voorbereiding begeleider." in page and "Ons beeld." in page
    # The advisor edits only their own note; the school cannot edit it.
    edit = f"{base}/notities/{{}}"
    assert advisor_client.post(edit.format(school_note.id),
                               data={"text": "x"}).status_code == 403
    assert advisor_client.post(edit.format(school_note.id) + "/verwijderen"
                               ).status_code == 403
    assert client.post(edit.format(advisor_note.id), data={"text": "x"}
                       ).status_code == 403
    assert advisor_client.post(edit.format(advisor_note.id),
                               data={"text": "Bijgewerkt."}).status_code == 302
    assert client.post(edit.format(school_note.id),
                       data={"text": "Ons beeld, aangevuld."}).status_code == 302
    db.session.expire_all()
    assert [n.text for n in _notes()] == ["Ons beeld, aangevuld.", "Bijgewerkt."]
    assert advisor_client.post(edit.format(advisor_note.id) + "/verwijderen"
                               ).status_code == 302
    assert [n.id for n in _notes()] == [school_note.id]


def test_advisor_cannot_change_anything_else(advisor_client, closed_survey):
    base = base_url(closed_survey)
    goal = Goal(survey_id=closed_survey.id, title="Doel")
    goal.actions.append(Action(what="Actie"))
    db.session.add(goal)
    db.session.commit()
    for path, data in [
        ("/actieplan/nieuw", {"title": "x", "status": "planned"}),
        (f"/actieplan/{goal.id}", {"title": "x", "status": "done"}),
        (f"/actieplan/{goal.id}/verwijderen", {}),
        (f"/actieplan/{goal.id}/acties/nieuw", {"what": "x", "status": "planned"}),
        (f"/acties/{goal.actions[0].id}", {"what": "x", "status": "done"}),
        (f"/acties/{goal.actions[0].id}/verwijderen", {}),
        ("/zelfevaluatie", {"unit": "area:D", "p-area-D-level": "meets"}),
    ]:
        assert advisor_client.post(base + path, data=data).status_code == 403, path
    assert advisor_client.get(base + "/export/antwoorden.csv").status_code == 403
    db.session.expire_all()
    assert db.session.get(Goal, goal.id).title == "Doel"
    assert db.session.scalar(db.select(db.func.count()).select_from(SelfPlacement)
                             ) == 0
    for path in ("/verwerken", "/notities", "/zelfevaluatie", "/actieplan",
                 "/actieplan/bord"):
        assert advisor_client.get(base + path).status_code == 200, path


@pytest.mark.parametrize("data", [{"unit": "area:ZZ", "text": "x"},
                                  {"unit": "area:D", "text": ""},
                                  {"unit": "area:D", "text": "x" * 5001},
                                  {"text": "geen eenheid"}])
def test_bad_notes_are_refused(client, director, login, closed_survey, data):
    login(director)
    response = client.post(base_url(closed_survey) + "/notities", data=data)
    assert response.status_code == 400
    assert _notes() == []


def test_self_placement_is_labelled_as_own_judgement(client, director, login,
                                                     closed_survey, advisor_client):
    login(director)
    base = base_url(closed_survey)
    response = client.post(base + "/zelfevaluatie", data={
        "unit": "area:D", "p-area-D-level": "approaching",
        "p-area-D-motivation": "Doelen zijn er, maar niet gedeeld."})
    assert response.status_code == 302
    placement = db.session.scalars(db.select(SelfPlacement)).one()
    assert placement.level.value == "approaching" and placement.unit_code == "D"
    page = advisor_client.get(base + "/zelfevaluatie").get_data(as_text=True)
    assert "benadert de verwachting" in page
    assert "het eigen oordeel van het team, geen inspectieoordeel" in page
    assert client.post(base + "/zelfevaluatie", data={
        "unit": "area:D", "p-area-D-level": "bestaat-niet"}).status_code == 400
    assert client.post(base + "/zelfevaluatie", data={
        "unit": "area:ZZ", "p-area-ZZ-level": "meets"}).status_code == 400
    # An empty level removes the placement.
    assert client.post(base + "/zelfevaluatie", data={
        "unit": "area:D", "p-area-D-level": ""}).status_code == 302
    assert db.session.scalars(db.select(SelfPlacement)).all() == []


def test_action_plan_goal_actions_and_board(client, director, login, closed_survey):
    login(director)
    base = base_url(closed_survey)
    statement = closed_survey.statements[1]
    response = client.post(base + "/actieplan/nieuw", data={
        "title": "Doelen zichtbaar maken", "units": ["area:D", "expectation:D1"],
        "statements": [str(statement.id)],
        "expected_effect": "Leerlingen weten waarom.",
        "indicator": "70 % eens met stelling 2", "review_on": "2026-03-01",
        "status": "planned"})
    assert response.status_code == 302
    goal = db.session.scalars(db.select(Goal)).one()
    assert goal.unit_keys == ["area:D", "expectation:D1"]
    assert goal.statement_ids == [statement.id]
    assert goal.review_on == date(2026, 3, 1)
    response = client.post(f"{base}/actieplan/{goal.id}/acties/nieuw", data={
        "what": "Doelenbord in elke klas", "owner": "werkgroep", "timing":
        "na de herfstvakantie", "starts_on": "2026-01-05", "ends_on": "2026-02-01",
        "status": "in_progress"})
    assert response.status_code == 302
    response = client.post(f"{base}/actieplan/{goal.id}", data={
        "title": "Doelen zichtbaar maken", "units": ["area:D"], "status": "adjusted",
        "review_on": "2026-03-01"})
    assert response.status_code == 302
    db.session.expire_all()
    goal = db.session.get(Goal, goal.id)
    assert goal.status == GoalStatus.ADJUSTED and goal.statement_ids == []
    plan = client.get(base + "/actieplan").get_data(as_text=True)
    assert "Doelenbord in elke klas" in plan and "bijgestuurd" in plan
    board = client.get(base + "/actieplan/bord")
    assert board.status_code == 200
    text = board.get_data(as_text=True)
    assert "Doelenbord in elke klas" in text and "processing.css" in text
    assert "<script" not in text and "style=" not in text


@pytest.mark.parametrize("data", [
    {"title": "", "status": "planned"},
    {"title": "x", "status": "klaar"},
    {"title": "x", "status": "planned", "units": ["area:ZZ"]},
    {"title": "x", "status": "planned", "statements": ["999999"]},
    {"title": "x", "status": "planned", "review_on": "31-31-2026"},
    {"title": "x\u202e", "status": "planned"},
])
def test_bad_goals_are_refused(client, director, login, closed_survey, data):
    login(director)
    response = client.post(base_url(closed_survey) + "/actieplan/nieuw", data=data)
    assert response.status_code == 400
    assert db.session.scalars(db.select(Goal)).all() == []


def test_bad_actions_are_refused(client, director, login, closed_survey):
    goal = Goal(survey_id=closed_survey.id, title="Doel")
    db.session.add(goal)
    db.session.commit()
    login(director)
    url = f"{base_url(closed_survey)}/actieplan/{goal.id}/acties/nieuw"
    for data in ({"what": "", "status": "planned"},
                 {"what": "x", "status": "planned", "starts_on": "2026-02-01",
                  "ends_on": "2026-01-01"},
                 {"what": "x", "status": "weg"}):
        assert client.post(url, data=data).status_code == 400
    assert db.session.scalars(db.select(Action)).all() == []


def test_goal_of_another_survey_is_404(client, director, login, school, create_survey,
                                       closed_survey):
    other = create_survey(school, title="Andere")
    goal = Goal(survey_id=other.id, title="Elders")
    db.session.add(goal)
    db.session.commit()
    login(director)
    assert client.get(f"{base_url(closed_survey)}/actieplan/{goal.id}"
                      ).status_code == 404


def test_next_round_looks_back_on_the_plan(client, director, login, school,
                                           create_survey, closed_survey):
    goal = Goal(survey_id=closed_survey.id, title="Feedback versterken",
                unit_keys=["area:O"], statement_ids=[closed_survey.statements[4].id])
    db.session.add(goal)
    nxt = create_survey(school, title="Ronde 2", status=SurveyStatus.CLOSED,
                        previous_round_id=closed_survey.id)
    fill_survey(nxt, {"beleidsteam": 6, "kleuter": 10, "lager": 16, "zorg": 8},
                seed=99)
    login(director)
    page = client.get(base_url(nxt) + "/actieplan").get_data(as_text=True)
    assert "Terugblik" in page and "Feedback versterken" in page
    assert "Stelling 5 over O3." in page
    assert "% eens vorige ronde" in page
    assert page.count("niet te vergelijken") == 0
    from rok.processing.services import look_back

    _previous, items = look_back(nxt)
    rows = items[0].rows
    assert [r.status for r in rows] == ["shown", "shown"]
    assert all(r.pct_agree_previous is not None and r.change_mean is not None
               for r in rows)


def test_advisor_start_page_links_to_the_survey_list(client, advisor, login,
                                                     closed_survey, school):
    login(advisor)
    start = client.get("/start").get_data(as_text=True)
    assert f"/scholen/{school.id}/bevragingen" in start
    listing = client.get(f"/scholen/{school.id}/bevragingen")
    assert listing.status_code == 200
    text = listing.get_data(as_text=True)
    assert closed_survey.title in text and "Verwerken" in text
    assert "Nieuwe bevraging" not in text  # read-only for advisors
    processing = client.get(f"/scholen/{school.id}/verwerken").get_data(as_text=True)
    assert closed_survey.title in processing
