"""A staff-meeting burst: 150 people answer at the same moment (design.md §9).

Runs against the real gunicorn server (tests/live.py) on SQLite and, when
``ROK_TEST_DATABASE_URL`` is set, on PostgreSQL. Nothing may be lost and no request
may fail; the access log must not contain a single link token.
"""

from __future__ import annotations

import re
import threading
import time
from collections import Counter

import pytest
import requests
import sqlalchemy as sa

from rok.extensions import db
from rok.surveys import links
from rok.surveys.models import Answer, Comment, Participant, Response
from tests.conftest import add_participants
from tests.live import LiveServer


@pytest.fixture
def live_server(app, database_url, tmp_path):
    """The real gunicorn server on the test database (see tests/live.py)."""
    server = LiveServer(database_url, tmp_path / "live-server.log")
    server.start()
    try:
        yield server
    finally:
        server.stop()

PEOPLE = 150
STATEMENTS = 10
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def respondent(base: str, survey_id: int, token: str, seed: int, barrier,
               results: list, errors: list) -> None:
    session = requests.Session()
    statuses = []

    def call(method, url, **kwargs):
        response = session.request(method, base + url, timeout=120, **kwargs)
        statuses.extend(r.status_code for r in [*response.history, response])
        return response

    try:
        barrier.wait(timeout=60)
        intro = call("GET", f"/b/{token}")  # follows the redirect to the intro
        csrf = CSRF.search(intro.text).group(1)
        call("POST", f"/b/s/{survey_id}/start", data={"csrf_token": csrf},
             allow_redirects=False)
        for number in range(1, STATEMENTS + 1):
            mix = seed + number
            agreement = "nv" if mix % 7 == 0 else str(1 + mix % 4)
            call("POST", f"/b/s/{survey_id}/stelling/{number}",
                 data={"csrf_token": csrf, "agreement": agreement,
                       "action": str(1 + seed % 4), "nav": "next"},
                 allow_redirects=False)
        if seed % 3 == 0:
            call("POST", f"/b/s/{survey_id}/opmerking/RE",
                 data={"csrf_token": csrf, "comment": f"opmerking {seed}"},
                 allow_redirects=False)
        call("POST", f"/b/s/{survey_id}/indienen", data={"csrf_token": csrf},
             allow_redirects=False)
    except Exception as error:  # noqa: BLE001 - every failure is reported
        errors.append(repr(error))
    finally:
        results.append(statuses)
        session.close()


@pytest.mark.slow
def test_150_respondents_at_once_lose_nothing(live_server, school, create_survey):
    survey = create_survey(school, statements=STATEMENTS)
    tokens = add_participants(survey, PEOPLE)
    survey_id = survey.id

    barrier = threading.Barrier(PEOPLE)
    results: list = []
    errors: list = []
    threads = [threading.Thread(target=respondent, args=(
        live_server.url, survey_id, token, seed, barrier, results, errors))
        for seed, token in enumerate(tokens)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    elapsed = time.monotonic() - started

    statuses = Counter(code for codes in results for code in codes)
    print(f"\n{PEOPLE} respondents, {sum(statuses.values())} requests in "
          f"{elapsed:.1f} s on {db.engine.dialect.name}: {dict(statuses)}")
    assert errors == []
    assert all(200 <= code < 400 for code in statuses), statuses
    assert sum(statuses.values()) == PEOPLE * (STATEMENTS + 4) + PEOPLE // 3

    db.session.rollback()  # see the server's writes
    count = lambda model, *where: db.session.scalar(  # noqa: E731
        sa.select(sa.func.count()).select_from(model).where(*where))
    assert count(Response) == PEOPLE
    assert count(Response, Response.is_submitted.is_(True)) == PEOPLE
    assert count(Response, Response.resume_key_hash.is_not(None)) == 0
    assert count(Answer) == PEOPLE * STATEMENTS
    assert count(Comment) == PEOPLE // 3
    assert count(Participant, Participant.has_finished.is_(True)) == PEOPLE
    log = live_server.log
    assert "/b/[link]" in log
    assert not any(token in log for token in tokens)


def test_concurrent_identical_saves_store_one_row(live_server, school, create_survey):
    """The same answer sent 20 times at once (double taps, retries): one row, no 5xx."""
    survey = create_survey(school, statements=3, team_link=True)
    token = links.new_token()
    db.session.add(Participant(survey=survey, email="dubbel@linde.example",
                               subgroups={"functie": "zorg"},
                               token_hash=links.participant_hash(token)))
    db.session.commit()
    session = requests.Session()
    intro = session.get(f"{live_server.url}/b/{token}", timeout=30)
    csrf = CSRF.search(intro.text).group(1)
    session.post(f"{live_server.url}/b/s/{survey.id}/start", data={"csrf_token": csrf},
                 timeout=30)
    statement_id = survey.statements[1].id
    barrier = threading.Barrier(20)
    codes: list[int] = []

    def save() -> None:
        barrier.wait(timeout=30)
        response = session.post(
            f"{live_server.url}/b/s/{survey.id}/opslaan", timeout=60,
            json={"statement": statement_id, "agreement": "2", "action": "3"},
            headers={"X-CSRFToken": csrf})
        codes.append(response.status_code)

    threads = [threading.Thread(target=save) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert codes == [200] * 20
    db.session.rollback()
    rows = db.session.scalars(sa.select(Answer)).all()
    assert [(r.statement_id, r.agreement, r.action) for r in rows] == [
        (statement_id, 2, 3)]
    # The team link's key is redacted from the access log too.
    requests.get(f"{live_server.url}/t/{survey.team_key}", timeout=30)
    log = live_server.log
    assert token not in log and survey.team_key not in log
    assert "GET /t/[link]" in log and "GET /b/[link]" in log
