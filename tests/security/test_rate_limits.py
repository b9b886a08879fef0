"""Rate limits on the answering pages: tight per respondent, generous per address.

A staff meeting answers from behind one school address (NAT), so the address alone
must never throttle a team; one respondent (one link) hammering must be stopped.
The app under test has the limiter switched on (the test config switches it off).
"""

from __future__ import annotations

import os
import re
from contextlib import contextmanager

import pytest

from rok.extensions import db, limiter
from rok.surveys import links
from rok.surveys.models import Answer, Participant
from tests.conftest import add_participants

TOO_MANY = "Te veel pogingen na elkaar"


@contextmanager
def _limiter_on(app, storage_uri: str = "memory://"):
    """Switch the limiter on for this app, counting in ``storage_uri`` (emptied
    before and after when it is memory), and off again afterwards."""
    app.config.update(RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI=storage_uri)
    limiter.init_app(app)
    empty = storage_uri == "memory://"
    if empty:
        limiter.reset()
    try:
        yield app
    finally:
        if empty:
            limiter.reset()
        app.config.update(RATELIMIT_ENABLED=False, RATELIMIT_STORAGE_URI="memory://")
        limiter.init_app(app)


@pytest.fixture
def limited(app):
    """The limiter on, counting in memory."""
    with _limiter_on(app):
        yield app


@pytest.fixture
def storage_down(app):
    """The limiter on, counting in a Redis that does not answer."""
    from tests.live import free_port

    with _limiter_on(app, f"redis://127.0.0.1:{free_port()}/0"):
        yield app


def _personal(app, survey, index: int = 0):
    """Open a fresh personal link in its own client and start answering."""
    token = links.new_token()
    db.session.add(Participant(survey=survey, email=f"p{index}@linde.example",
                               subgroups={"functie": "lager"},
                               token_hash=links.participant_hash(token)))
    db.session.commit()
    client = app.test_client()
    assert client.get(f"/b/{token}").status_code == 302
    assert client.post(f"/b/s/{survey.id}/start").status_code == 302
    return client


def _team(app, survey):
    """Open the team link in a new "device" and start answering."""
    client = app.test_client()
    assert client.get(f"/t/{survey.team_key}").status_code == 302
    assert client.get(f"/b/s/{survey.id}/").status_code == 200
    assert client.post(f"/b/s/{survey.id}/start").status_code == 302
    assert client.post(f"/b/s/{survey.id}/groep",
                       data={"functie": "lager"}).status_code == 302
    return client


def _save(client, survey, statement_id: int, agreement: int):
    return client.post(f"/b/s/{survey.id}/opslaan", json={
        "statement": statement_id, "agreement": str(agreement), "action": "2"})


def test_answer_rate_limit_defaults_are_in_config(app):
    assert app.config["ANSWER_RATE_LIMIT"] == "120 per minute"
    assert app.config["ANSWER_IP_RATE_LIMIT"] == "60000 per hour"


def test_answer_rate_limit_stops_one_respondent_hammering_save(limited, school,
                                                                create_survey):
    survey = create_survey(school, statements=4)
    client = _personal(limited, survey)
    statement_id = survey.statements[0].id
    codes = [_save(client, survey, statement_id, 1 + n % 4).status_code
             for n in range(120)]
    assert codes == [200] * 120
    response = _save(client, survey, statement_id, 3)
    assert response.status_code == 429
    assert response.is_json
    assert TOO_MANY in response.get_json()["error"]
    assert response.get_json()["status"] == 429
    assert int(response.headers["Retry-After"]) > 0
    # The refused request stored nothing: the last accepted answer stands.
    db.session.expire_all()
    assert [a.agreement for a in db.session.query(Answer).all()] == [4]
    # Another respondent behind the same address is not affected.
    other = _personal(limited, survey, index=1)
    assert _save(other, survey, statement_id, 2).status_code == 200


def test_answer_rate_limit_stops_one_respondent_hammering_pages(limited, school,
                                                                 create_survey):
    survey = create_survey(school, statements=4, team_link=True)
    client = _team(limited, survey)
    codes = [client.get(f"/b/s/{survey.id}/stelling/1").status_code
             for _ in range(120)]
    assert codes == [200] * 120
    response = client.get(f"/b/s/{survey.id}/stelling/1")
    assert response.status_code == 429
    assert response.mimetype == "text/html"
    assert TOO_MANY in response.get_data(as_text=True)
    # Each page counts on its own: saving still works for this respondent.
    assert _save(client, survey, survey.statements[0].id, 2).status_code == 200


@pytest.mark.slow
def test_answer_rate_limit_lets_a_staff_meeting_behind_one_address_through(
        limited, school, create_survey):
    """150 colleagues (half personal links, half the team link) x 60 answers, one IP.

    The limiter counts in its own storage, never in the database, so one backend
    proves it; tests/surveys/test_respond_load.py sends a staff meeting through the
    limiter of a real server on PostgreSQL too.
    """
    if db.engine.dialect.name != "sqlite":
        pytest.skip("the rate limiter does not depend on the database")
    survey = create_survey(school, statements=60, team_link=True)
    statement_ids = [s.id for s in survey.statements]
    refused = []
    for person in range(150):
        client = (_personal(limited, survey, index=person) if person % 2
                  else _team(limited, survey))
        for n, statement_id in enumerate(statement_ids):
            response = _save(client, survey, statement_id, 1 + (person + n) % 4)
            if response.status_code != 200:
                refused.append((person, n, response.status_code))
        assert client.post(f"/b/s/{survey.id}/indienen").status_code == 302
        # The test shares one session with the app: keep its identity map small.
        db.session.expunge_all()
        survey = db.session.merge(survey, load=False)
    assert refused == []
    assert db.session.query(Answer).count() == 150 * 60


def test_answer_ip_rate_limit_is_a_ceiling_for_the_whole_address(limited, school,
                                                                 create_survey):
    limited.config["ANSWER_IP_RATE_LIMIT"] = "30 per hour"
    survey = create_survey(school, statements=2, team_link=True)
    codes = []
    for _ in range(12):  # 3 requests per new team device
        client = limited.test_client()
        codes.append(client.get(f"/t/{survey.team_key}").status_code)
        codes.append(client.get(f"/b/s/{survey.id}/").status_code)
        codes.append(client.post(f"/b/s/{survey.id}/start").status_code)
    assert codes[:30] == [302, 200, 302] * 10
    assert set(codes[30:]) == {429}
    # Other parts of the app are not counted against the answering ceiling.
    assert limited.test_client().get("/aanmelden").status_code == 200


# --- several app servers share their counts in Redis ------------------------------

REDIS_URL = os.environ.get("ROK_TEST_REDIS_URL")


@pytest.fixture
def redis_url():
    """An emptied Redis database for the limiter (``ROK_TEST_REDIS_URL``).

    Skipped when the variable is unset; a failure, never a skip, when it is set
    but Redis does not answer (CI sets it).
    """
    if not REDIS_URL:
        pytest.skip("ROK_TEST_REDIS_URL is not set")
    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_timeout=5)
    try:
        client.flushdb()
    except redis.RedisError as error:
        pytest.fail(f"ROK_TEST_REDIS_URL is set but Redis does not answer: {error}")
    yield REDIS_URL
    client.flushdb()
    client.close()


@pytest.mark.slow
def test_two_app_servers_share_one_respondents_limit_in_redis(
        app, database_url, tmp_path, school, create_survey, redis_url):
    """With RATELIMIT_STORAGE_URI pointing at Redis, a respondent whose requests
    alternate between two app servers is counted once, not once per server."""
    if not database_url.startswith("sqlite"):
        pytest.skip("the rate limiter does not depend on the database")
    import requests

    from tests.live import LiveServer

    survey = create_survey(school, statements=8)
    token, = add_participants(survey, 1)
    statement_ids = [s.id for s in survey.statements]
    env = {"RATELIMIT_STORAGE_URI": redis_url, "ROK_ANSWER_RATE_LIMIT": "6 per minute"}
    servers = [LiveServer(database_url, tmp_path / f"{name}.log", workers=1, env=env)
               for name in ("a", "b")]
    try:
        for server in servers:
            server.start()
        session = requests.Session()
        intro = session.get(f"{servers[0].url}/b/{token}", timeout=30)
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', intro.text).group(1)
        assert session.post(f"{servers[1].url}/b/s/{survey.id}/start", timeout=30,
                            data={"csrf_token": csrf}).status_code == 200
        codes = [session.post(
            f"{servers[n % 2].url}/b/s/{survey.id}/opslaan", timeout=30,
            json={"statement": statement_ids[n], "agreement": "3"},
            headers={"X-CSRFToken": csrf}).status_code for n in range(8)]
    finally:
        for server in servers:
            server.stop()
    # Six saves in a minute, wherever they land; per-server counting would let
    # the seventh and eighth (each server's fourth) through.
    assert codes == [200] * 6 + [429] * 2
    db.session.rollback()
    assert db.session.query(Answer).count() == 6


def test_answering_goes_on_when_the_limit_storage_is_down(storage_down, school,
                                                          create_survey, caplog):
    """Redis unreachable: respondents keep answering (a limit never costs an
    answer), and the log says why nothing is counted."""
    survey = create_survey(school, statements=3)
    client = _personal(storage_down, survey)
    with caplog.at_level("WARNING"):
        response = _save(client, survey, survey.statements[0].id, 3)
    assert response.status_code == 200
    assert response.get_json()["saved"] is True
    assert "rate-limit storage unavailable" in caplog.text
    db.session.expire_all()
    assert [a.agreement for a in db.session.query(Answer).all()] == [3]


def test_log_in_limit_falls_back_to_memory_when_the_storage_is_down(storage_down,
                                                                    create_user):
    create_user("inlog@linde.example")
    client = storage_down.test_client()
    codes = [client.post("/aanmelden", data={"email": "inlog@linde.example",
                                             "password": "fout"}).status_code
             for _ in range(11)]
    # Wrong passwords are refused as always, and the eleventh attempt within a
    # minute is stopped: the limit still counts, no error page.
    assert codes == [400] * 10 + [429], codes


@pytest.mark.parametrize("hops", [0, 1])
def test_log_in_limit_counts_the_client_behind_the_proxy(database_url, tmp_path,
                                                         hops):
    """Behind nginx (ROK_PROXY_HOPS=1) each client has its own log-in limit; without
    it a forged X-Forwarded-For changes nothing (everyone counts as the proxy)."""
    from rok import create_app

    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "PROXY_HOPS": hops,
                      "RATELIMIT_ENABLED": True, "BASE_URL": "http://localhost"})
    app.instance_path = str(tmp_path)
    limiter.reset()
    client = app.test_client()

    def attempt(address: str) -> int:
        return client.post("/aanmelden", headers={"X-Forwarded-For": address},
                           data={"email": "niemand@linde.example",
                                 "password": "fout"}).status_code

    try:
        assert [attempt("203.0.113.7") for _ in range(10)] == [400] * 10
        assert attempt("203.0.113.7") == 429
        # Another colleague behind the same proxy:
        assert attempt("198.51.100.9") == (400 if hops else 429)
    finally:
        limiter.reset()
        with app.app_context():
            db.engine.dispose()
