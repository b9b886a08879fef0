"""The respondent's pages over HTTP: links, cards, saving, review and submission."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from rok.extensions import db
from rok.surveys import links
from rok.surveys.models import (
    Answer,
    Comment,
    Participant,
    Response,
    SurveyStatus,
)


def add_participant(survey, email="leerkracht@linde.example", subgroups=None):
    token = links.new_token()
    participant = Participant(survey=survey, email=email, subgroups=subgroups or {},
                              token_hash=links.participant_hash(token),
                              link_ciphertext=links.encrypt_token(token))
    db.session.add(participant)
    db.session.commit()
    return participant, token


def count(model, **where) -> int:
    query = sa.select(sa.func.count()).select_from(model)
    for key, value in where.items():
        query = query.where(getattr(model, key) == value)
    return db.session.scalar(query)


@pytest.fixture
def survey(school, create_survey):
    return create_survey(school, statements=8)


@pytest.fixture
def personal(client, survey):
    """A participant (with imported subgroup) who opened their link and started."""
    participant, token = add_participant(survey, subgroups={"functie": "lager"})
    response = client.get(f"/b/{token}")
    assert response.status_code == 302
    assert client.post(f"/b/s/{survey.id}/start").status_code == 302
    return participant, token


def test_personal_link_moves_token_into_cookie_and_redirects(client, survey):
    _participant, token = add_participant(survey)
    response = client.get(f"/b/{token}")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/b/s/{survey.id}/")
    assert token not in response.headers["Location"]
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert f"Path=/b/s/{survey.id}/" in cookie
    page = client.get(f"/b/s/{survey.id}/")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Deze bevraging is anoniem." in text  # the survey's intro text
    assert "anoniem" in text.lower()
    assert '<meta name="referrer" content="no-referrer">' in text
    assert page.headers["Referrer-Policy"] == "no-referrer"


@pytest.mark.parametrize("token", ["kort", "x" * 43, "a" * 200, "<script>", "%00"])
def test_unknown_or_malformed_link_is_a_clear_404(client, token):
    response = client.get(f"/b/{token}")
    assert response.status_code == 404
    assert "Deze link werkt niet" in response.get_data(as_text=True)


@pytest.mark.parametrize("status,code,text", [
    (SurveyStatus.PREPARING, 403, "nog niet geopend"),
    (SurveyStatus.CLOSED, 410, "afgesloten"),
])
def test_link_of_survey_not_open_is_a_clear_page(client, school, create_survey, status,
                                                  code, text):
    survey = create_survey(school, status=status)
    _participant, token = add_participant(survey)
    response = client.get(f"/b/{token}")
    assert response.status_code == code
    assert text in response.get_data(as_text=True)


def test_answer_pages_without_link_cookie_ask_to_open_link(client, survey):
    for url in (f"/b/s/{survey.id}/", f"/b/s/{survey.id}/stelling/1",
                f"/b/s/{survey.id}/overzicht"):
        response = client.get(url)
        assert response.status_code == 400
        assert "Open je link opnieuw" in response.get_data(as_text=True)
    assert client.get("/b/s/999999/").status_code == 404


def test_start_copies_imported_subgroups_and_shows_first_card(client, survey, personal):
    response = db.session.scalars(sa.select(Response)).one()
    assert response.subgroups == {"functie": "lager"}
    assert response.resume_key_hash == links.resume_hash(personal[1])
    page = client.get(f"/b/s/{survey.id}/", follow_redirects=True)
    text = page.get_data(as_text=True)
    assert "Stelling 1 over R2." in text
    assert "1 van 8" in text
    for label in ("Helemaal oneens", "Eerder oneens", "Eerder eens", "Helemaal eens",
                  "Geen zicht / weet ik niet", "Hier wil ik mee trekken"):
        assert label in text


def test_missing_subgroups_are_asked_first(client, school, create_survey):
    survey = create_survey(school, dimensions={"functie": ["beleidsteam", "lager"],
                                               "ervaring": ["kort", "lang"]})
    _p, token = add_participant(survey, subgroups={"functie": "lager"})
    client.get(f"/b/{token}")
    response = client.post(f"/b/s/{survey.id}/start")
    assert response.headers["Location"].endswith(f"/b/s/{survey.id}/groep")
    page = client.get(f"/b/s/{survey.id}/groep").get_data(as_text=True)
    assert "Ervaring" in page and 'name="functie"' not in page
    assert client.get(f"/b/s/{survey.id}/stelling/1").status_code == 302
    bad = client.post(f"/b/s/{survey.id}/groep", data={"ervaring": "eeuwig"})
    assert bad.status_code == 400
    assert client.post(f"/b/s/{survey.id}/groep",
                       data={"ervaring": ""}).status_code == 400
    ok = client.post(f"/b/s/{survey.id}/groep", data={"ervaring": "lang"})
    assert ok.headers["Location"].endswith("/stelling/1")
    response = db.session.scalars(sa.select(Response)).one()
    db.session.refresh(response)
    assert response.subgroups == {"functie": "lager", "ervaring": "lang"}


def test_card_post_saves_and_moves_on(client, survey, personal):
    response = client.post(f"/b/s/{survey.id}/stelling/1",
                           data={"agreement": "3", "action": "4", "nav": "next"})
    assert response.status_code == 302
    # statement 1 is the only one of its area: its comment box comes next
    assert response.headers["Location"].endswith(f"/b/s/{survey.id}/opmerking/RE")
    answer = db.session.scalars(sa.select(Answer)).one()
    assert (answer.agreement, answer.no_view, answer.action) == (3, False, 4)
    response = client.post(f"/b/s/{survey.id}/stelling/2",
                           data={"agreement": "nv", "nav": "back"})
    assert response.headers["Location"].endswith("/opmerking/RE")
    row = db.session.scalars(sa.select(Answer).where(
        Answer.statement_id == survey.statements[1].id)).one()
    assert (row.agreement, row.no_view, row.action) == (None, True, None)


def test_saving_twice_stores_one_row_with_the_last_answer(client, survey, personal):
    for value in ("2", "2", "4"):
        assert client.post(f"/b/s/{survey.id}/stelling/3",
                           data={"agreement": value}).status_code == 302
    for value in ("1", "1"):
        response = client.post(f"/b/s/{survey.id}/opslaan", json={
            "statement": survey.statements[3].id, "agreement": value, "action": None})
        assert response.status_code == 200
        assert response.get_json()["saved"] is True
    assert count(Answer) == 2
    assert db.session.scalar(sa.select(Answer.agreement).where(
        Answer.statement_id == survey.statements[2].id)) == 4


@pytest.mark.parametrize("payload", [
    {"agreement": "5"}, {"agreement": "0"}, {"agreement": "-1"}, {"agreement": "drie"},
    {"agreement": "3", "action": "9"}, {"agreement": True}, {"agreement": 2.5},
    {"agreement": ["3"]}, {"agreement": "3" * 100},
])
def test_out_of_range_values_are_400_and_store_nothing(client, survey, personal,
                                                       payload):
    body = {"statement": survey.statements[0].id, **payload}
    response = client.post(f"/b/s/{survey.id}/opslaan", json=body)
    assert response.status_code == 400
    assert response.get_json()["error"]
    form = {k: v for k, v in payload.items() if isinstance(v, str)}
    if form:
        page = client.post(f"/b/s/{survey.id}/stelling/1", data=form)
        assert page.status_code == 400
        assert "past niet bij de schaal" in page.get_data(as_text=True)
    assert count(Answer) == 0


def test_statement_of_another_survey_is_refused(client, school, create_survey, survey,
                                                personal):
    other = create_survey(school, title="Andere")
    for statement in (other.statements[0].id, "abc", None, 10**12):
        response = client.post(f"/b/s/{survey.id}/opslaan",
                               json={"statement": statement, "agreement": "3"})
        assert response.status_code == 400
    assert client.post(f"/b/s/{survey.id}/opslaan", data="niet-json",
                       content_type="application/json").status_code == 400
    assert client.get(f"/b/s/{survey.id}/stelling/99").status_code == 404
    assert client.get(f"/b/s/{survey.id}/opmerking/XX").status_code == 404
    assert count(Answer) == 0


def test_resume_on_another_device_continues_at_first_unanswered(app, client, survey,
                                                                 personal):
    for number in (1, 2, 3):
        client.post(f"/b/s/{survey.id}/stelling/{number}", data={"agreement": "3"})
    other_device = app.test_client()
    response = other_device.get(f"/b/{personal[1]}", follow_redirects=True)
    assert response.request.path == f"/b/s/{survey.id}/stelling/4"
    assert "4 van 8" in response.get_data(as_text=True)
    page = other_device.get(f"/b/s/{survey.id}/stelling/2").get_data(as_text=True)
    assert re.search(r'value="3"\s+checked', page)
    assert count(Response) == 1


def test_hostile_comment_is_inert_and_long_comment_400(client, survey, personal):
    hostile = '<script>alert(1)</script> " onmouseover="alert(1) \x00 \u202e'
    response = client.post(f"/b/s/{survey.id}/opmerking/RE", data={"comment": hostile})
    assert response.status_code == 302
    stored = db.session.scalar(sa.select(Comment.text))
    assert "\x00" not in stored and "\u202e" not in stored
    page = client.get(f"/b/s/{survey.id}/overzicht").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert 'onmouseover="alert(1)' not in page
    too_long = client.post(f"/b/s/{survey.id}/opmerking/RE",
                           data={"comment": "x" * 2001})
    assert too_long.status_code == 400
    assert "2000" in too_long.get_data(as_text=True)
    assert db.session.scalar(sa.select(Comment.text)) == stored
    assert client.post(f"/b/s/{survey.id}/opmerking/RE",
                       data={"comment": "x" * 2000}).status_code == 302
    # An empty comment removes it.
    client.post(f"/b/s/{survey.id}/opmerking/RE", data={"comment": "  "})
    assert count(Comment) == 0


def test_review_lists_answers_with_change_links(client, survey, personal):
    client.post(f"/b/s/{survey.id}/stelling/1", data={"agreement": "4", "action": "3"})
    client.post(f"/b/s/{survey.id}/stelling/2", data={"agreement": "nv"})
    page = client.get(f"/b/s/{survey.id}/overzicht").get_data(as_text=True)
    assert "Helemaal eens" in page and "Hier wil ik mee aan de slag" in page
    assert "Geen zicht / weet ik niet" in page
    assert "nog 6 stellingen niet beantwoord" in page
    assert f"/b/s/{survey.id}/stelling/1?terug=overzicht" in page
    back = client.post(f"/b/s/{survey.id}/stelling/1?terug=overzicht",
                       data={"agreement": "1"})
    assert back.headers["Location"].endswith("/overzicht")


def test_submit_finishes_participant_in_one_go_and_link_shows_thanks(app, client,
                                                                     survey, personal):
    participant, token = personal
    client.post(f"/b/s/{survey.id}/stelling/1", data={"agreement": "4"})
    response = client.post(f"/b/s/{survey.id}/indienen")
    assert response.headers["Location"].endswith(f"/b/s/{survey.id}/bedankt")
    assert "Bedankt" in client.get(response.headers["Location"]).get_data(as_text=True)
    stored = db.session.scalars(sa.select(Response)).one()
    db.session.refresh(stored)
    db.session.refresh(participant)
    assert stored.is_submitted and stored.resume_key_hash is None
    assert participant.has_finished and participant.link_ciphertext is None
    # The link now only says thank you; nothing can be seen or changed.
    again = app.test_client()
    page = again.get(f"/b/{token}")
    assert page.status_code == 200
    assert "al ingediend" in page.get_data(as_text=True)
    assert "Stelling 1" not in page.get_data(as_text=True)
    for method, url, data in [
        ("get", f"/b/s/{survey.id}/overzicht", None),
        ("post", f"/b/s/{survey.id}/stelling/1", {"agreement": "1"}),
        ("post", f"/b/s/{survey.id}/start", None),
        ("post", f"/b/s/{survey.id}/indienen", None),
    ]:
        page = getattr(client, method)(url, data=data)
        assert page.status_code in {200, 400}, (url, page.status_code)
        assert "Helemaal eens" not in page.get_data(as_text=True)
    late = client.post(f"/b/s/{survey.id}/opslaan",
                       json={"statement": survey.statements[0].id, "agreement": "1"})
    assert late.status_code in {400, 409}
    assert db.session.scalar(sa.select(Answer.agreement)) == 4
    assert count(Response) == 1


def test_submitting_twice_is_harmless(client, survey, personal):
    assert client.post(f"/b/s/{survey.id}/indienen").status_code == 302
    assert client.post(f"/b/s/{survey.id}/indienen").status_code in {200, 302, 400}
    assert count(Response) == 1
    assert count(Response, is_submitted=True) == 1


def test_closing_the_survey_stops_answering(client, survey, personal):
    survey.status = SurveyStatus.CLOSED
    db.session.commit()
    page = client.get(f"/b/s/{survey.id}/stelling/1")
    assert page.status_code == 410
    body = {"statement": survey.statements[0].id, "agreement": "1"}
    response = client.post(f"/b/s/{survey.id}/opslaan", json=body)
    assert response.status_code == 410
    assert count(Answer) == 0


def test_json_save_without_csrf_token_is_400(app, survey):
    app.config["WTF_CSRF_ENABLED"] = True
    client = app.test_client()
    _p, token = add_participant(survey, subgroups={"functie": "lager"})
    client.get(f"/b/{token}")
    intro = client.get(f"/b/s/{survey.id}/").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', intro).group(1)
    assert client.post(f"/b/s/{survey.id}/start").status_code == 400
    assert client.post(f"/b/s/{survey.id}/start",
                       data={"csrf_token": csrf}).status_code == 302
    body = {"statement": survey.statements[0].id, "agreement": "3"}
    refused = client.post(f"/b/s/{survey.id}/opslaan", json=body)
    assert refused.status_code == 400
    assert refused.get_json()["status"] == 400
    assert count(Answer) == 0
    accepted = client.post(f"/b/s/{survey.id}/opslaan", json=body,
                           headers={"X-CSRFToken": csrf})
    assert accepted.status_code == 200
    assert count(Answer) == 1


# --- team link ------------------------------------------------------------------------


def test_team_link_asks_subgroups_and_blocks_second_response(app, client, school,
                                                             create_survey):
    survey = create_survey(school, team_link=True)
    response = client.get(f"/t/{survey.team_key}")
    assert response.headers["Location"].endswith(f"/b/s/{survey.id}/")
    assert survey.team_key not in response.headers["Location"]
    assert client.get(f"/b/s/{survey.id}/").status_code == 200
    started = client.post(f"/b/s/{survey.id}/start")
    assert started.headers["Location"].endswith("/groep")
    team_cookie = [c for c in started.headers.getlist("Set-Cookie")
                   if c.startswith("rok_team=")][0]
    assert "HttpOnly" in team_cookie and "Max-Age=2592000" in team_cookie
    client.post(f"/b/s/{survey.id}/groep", data={"functie": "zorg"})
    client.post(f"/b/s/{survey.id}/stelling/1", data={"agreement": "2"})
    # Resuming on the same device finds the draft.
    assert client.get(f"/t/{survey.team_key}", follow_redirects=True).request.path \
        == f"/b/s/{survey.id}/stelling/2"
    client.post(f"/b/s/{survey.id}/indienen")
    stored = db.session.scalars(sa.select(Response)).one()
    assert stored.subgroups == {"functie": "zorg"} and stored.is_submitted
    again = client.get(f"/t/{survey.team_key}", follow_redirects=True)
    assert "al geantwoord" in again.get_data(as_text=True)
    assert client.post(f"/b/s/{survey.id}/start").status_code == 200
    assert count(Response) == 1
    # Another device may answer.
    other = app.test_client()
    other.get(f"/t/{survey.team_key}")
    assert other.post(f"/b/s/{survey.id}/start").status_code == 302
    assert count(Response) == 2


@pytest.mark.parametrize("enabled,status,code", [
    (False, SurveyStatus.OPEN, 404),
    (True, SurveyStatus.CLOSED, 410),
    (True, SurveyStatus.PREPARING, 403),
])
def test_team_link_not_available(client, school, create_survey, enabled, status, code):
    survey = create_survey(school, team_link=True, status=status)
    survey.team_link_enabled = enabled
    db.session.commit()
    assert client.get(f"/t/{survey.team_key}").status_code == code
    assert client.get("/t/onbekende-sleutel").status_code == 404
    assert client.get("/t/x").status_code == 404


def test_forged_cookie_is_refused(client, survey):
    client.set_cookie("rok_link", '{"k": "t"}', path=f"/b/s/{survey.id}/")
    assert client.get(f"/b/s/{survey.id}/").status_code == 400


def _draft_of(survey) -> Response:
    # The test shares its session with the requests it made; end the transaction a
    # POST left open (it holds SQLite's write lock), as the request teardown would.
    db.session.commit()
    return db.session.scalars(sa.select(Response).where(
        Response.survey_id == survey.id)).one()


@pytest.mark.parametrize("change", ["submitted", "closed"])
def test_store_answer_refuses_a_draft_submitted_or_closed_after_the_read(
        client, survey, personal, change):
    from rok.surveys import answering

    draft = _draft_of(survey)
    survey_id, draft_id = survey.id, draft.id
    statement = survey.statements[0].id
    db.session.commit()  # SQLite: no read snapshot may outlive the write below
    values = answering.AnswerValues(statement, 3, False, None)
    with db.engine.begin() as connection:
        assert answering.store_answer(connection, survey_id, draft_id, values) is True
    # What the hot path read is stale now: another tab submitted, or the school
    # closed the survey, between the read and the write.
    if change == "submitted":
        draft.is_submitted = True
    else:
        survey.status = SurveyStatus.CLOSED
    db.session.commit()
    later = answering.AnswerValues(statement, 1, False, 4)
    with db.engine.begin() as connection:
        assert answering.store_answer(connection, survey_id, draft_id, later) is False
    assert db.session.execute(sa.select(Answer.agreement, Answer.action)).one() == (
        3, None)


def test_save_context_sees_every_reason_to_refuse(client, school, create_survey,
                                                  survey, personal):
    from rok.surveys import answering

    _participant, token = personal
    statement = survey.statements[0].id

    def context(survey_id=survey.id, secret=token, statement_id=statement):
        with db.engine.connect() as connection:
            return answering.save_context(connection, survey_id, secret, statement_id,
                                          personal=True)

    assert context().ready(personal=True)
    other = create_survey(school, title="Andere")
    assert not context(statement_id=other.statements[0].id).ready(personal=True)
    assert not context(secret=links.new_token()).ready(personal=True)
    assert context(survey_id=10**6) is None
    draft = _draft_of(survey)
    draft.subgroups = {}
    db.session.commit()
    assert context().dimension_keys == {"functie"}
    assert not context().ready(personal=True)  # the group is still to be chosen
    draft.subgroups = {"functie": "lager"}
    survey.status = SurveyStatus.CLOSED
    db.session.commit()
    assert not context().ready(personal=True)


def test_a_normal_save_reads_once_and_writes_once(client, survey, personal):
    """The staff-meeting hot path: one query, one conditional upsert, nothing else."""
    statements: list[str] = []

    def record(_conn, _cursor, statement, *_args):
        if statement.split()[0].upper() in {"SELECT", "INSERT", "UPDATE", "DELETE"}:
            statements.append(statement.split()[0].upper())

    url, statement_id = f"/b/s/{survey.id}/opslaan", survey.statements[2].id
    db.session.commit()
    sa.event.listen(db.engine, "before_cursor_execute", record)
    try:
        response = client.post(url, json={
            "statement": statement_id, "agreement": "4", "action": "1"})
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", record)
    assert response.status_code == 200
    assert response.get_json() == {"saved": True, "statement": statement_id}
    assert statements == ["SELECT", "INSERT"]
    row = db.session.scalars(sa.select(Answer)).one()
    assert (row.agreement, row.no_view, row.action) == (4, False, 1)
