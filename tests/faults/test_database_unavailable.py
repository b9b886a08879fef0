"""A locked or unreachable database answers 503 "try again", never 500, and stores
nothing half-done (rok/errors.py); the retried save then stores exactly one row."""

from __future__ import annotations

import sqlite3
import threading
import time

import pytest
import sqlalchemy as sa
from fault_support import add_participants

from rok import create_app
from rok.extensions import db
from rok.surveys.models import Answer, Response
from tests.live import free_port

TRY_AGAIN = "De dienst is even niet beschikbaar. Probeer het zo meteen opnieuw."


def _sqlite_only(database_url: str) -> str:
    if not database_url.startswith("sqlite"):
        pytest.skip("SQLite locking")
    return sa.make_url(database_url).database


def _respondent(app, token: str, survey_id: int):
    """A test client of ``app`` with an open draft for ``token``."""
    client = app.test_client()
    assert client.get(f"/b/{token}").status_code == 302
    assert client.post(f"/b/s/{survey_id}/start").status_code == 302
    return client


def _answers() -> list[tuple]:
    db.session.rollback()
    return db.session.execute(sa.select(Answer.statement_id, Answer.agreement,
                                        Answer.action)).all()


def _count(model) -> int:
    db.session.rollback()  # a fresh snapshot: see what the other app committed
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_locked_sqlite_answers_503_and_the_retry_stores_one_row(
        app, database_url, school, create_survey):
    path = _sqlite_only(database_url)
    survey = create_survey(school, statements=3)
    statement_id = survey.statements[0].id
    token, = add_participants(survey, 1)
    # The same database, with a busy timeout lowered to 200 ms.
    impatient = create_app({"SQLALCHEMY_DATABASE_URI": database_url,
                            "SQLITE_BUSY_TIMEOUT_MS": 200,
                            "BASE_URL": "http://localhost"})
    client = _respondent(impatient, token, survey.id)
    save = {"statement": statement_id, "agreement": "3", "action": "2"}

    blocker = sqlite3.connect(path, isolation_level=None, timeout=5)
    try:
        blocker.execute("BEGIN EXCLUSIVE")  # another process holds the write lock
        started = time.monotonic()
        response = client.post(f"/b/s/{survey.id}/opslaan", json=save)
        waited = time.monotonic() - started
        assert response.status_code == 503
        assert response.headers["Retry-After"] == "2"
        assert response.get_json() == {"error": TRY_AGAIN, "status": 503}
        assert 0.15 < waited < 5  # it waited the busy timeout, not forever
        # The plain form (no JavaScript) gets the same message as a page.
        page = client.post(f"/b/s/{survey.id}/stelling/1",
                           data={"agreement": "3", "action": "2", "nav": "next"})
        assert page.status_code == 503
        assert page.headers["Retry-After"] == "2"
        assert page.mimetype == "text/html"
        assert TRY_AGAIN in page.get_data(as_text=True)
        # Nothing half-stored (readers still see the database while it is locked).
        assert blocker.execute("SELECT count(*) FROM answers").fetchone() == (0,)
    finally:
        blocker.rollback()
        blocker.close()

    response = client.post(f"/b/s/{survey.id}/opslaan", json=save)
    assert response.status_code == 200
    assert response.get_json() == {"saved": True, "statement": statement_id}
    assert _answers() == [(statement_id, 3, 2)]
    with impatient.app_context():
        # The connection that waited for the lock keeps its busy timeout.
        assert db.engine.pool.checkedin() == 1
        with db.engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 200
        db.engine.dispose()


def test_briefly_locked_sqlite_waits_instead_of_failing(
        app, client, database_url, school, create_survey):
    """A lock shorter than the busy timeout (10 s by default) only delays the save."""
    path = _sqlite_only(database_url)
    survey = create_survey(school, statements=3)
    statement_id = survey.statements[1].id
    token, = add_participants(survey, 1)
    assert client.get(f"/b/{token}").status_code == 302
    assert client.post(f"/b/s/{survey.id}/start").status_code == 302
    db.session.rollback()  # the test app keeps its context (and write lock) open

    blocker = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    blocker.execute("BEGIN EXCLUSIVE")
    release = threading.Timer(0.5, blocker.rollback)
    release.start()
    try:
        started = time.monotonic()
        response = client.post(f"/b/s/{survey.id}/opslaan",
                               json={"statement": statement_id, "agreement": "nv"})
        waited = time.monotonic() - started
    finally:
        release.join()
        blocker.close()
    assert response.status_code == 200, response.get_data(as_text=True)
    assert waited >= 0.4
    assert _answers() == [(statement_id, None, None)]


def test_unreachable_postgresql_answers_503_never_500(tmp_path):
    """Nothing listens on the port: every page that needs the database says
    "try again" (503 with Retry-After), in JSON for the save endpoint."""
    url = f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/test"
    engine_options = {"pool_pre_ping": True, "connect_args": {"connect_timeout": 2}}
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "BASE_URL": "http://localhost",
                      "SQLALCHEMY_ENGINE_OPTIONS": engine_options})
    app.instance_path = str(tmp_path)
    client = app.test_client()

    started = time.monotonic()
    page = client.get("/b/" + "x" * 43)  # a well-formed personal link
    assert page.status_code == 503
    assert page.headers["Retry-After"] == "2"
    assert TRY_AGAIN in page.get_data(as_text=True)
    assert time.monotonic() - started < 10

    save = client.post("/b/s/1/opslaan", json={"statement": 1, "agreement": "3"})
    assert save.status_code == 503
    assert save.get_json() == {"error": TRY_AGAIN, "status": 503}

    login = client.post("/aanmelden", data={"email": "directeur@linde.example",
                                            "password": "correct-horse-battery"})
    assert login.status_code == 503
    assert TRY_AGAIN in login.get_data(as_text=True)


def test_locked_sqlite_leaves_no_draft_half_made(app, database_url, school,
                                                  create_survey):
    """Starting while the database is locked: 503, and no draft row appears."""
    path = _sqlite_only(database_url)
    survey = create_survey(school, statements=2)
    token, = add_participants(survey, 1)
    impatient = create_app({"SQLALCHEMY_DATABASE_URI": database_url,
                            "SQLITE_BUSY_TIMEOUT_MS": 200,
                            "BASE_URL": "http://localhost"})
    client = impatient.test_client()
    assert client.get(f"/b/{token}").status_code == 302
    blocker = sqlite3.connect(path, isolation_level=None)
    try:
        blocker.execute("BEGIN EXCLUSIVE")
        assert client.post(f"/b/s/{survey.id}/start").status_code == 503
    finally:
        blocker.rollback()
        blocker.close()
    assert _count(Response) == 0
    assert client.post(f"/b/s/{survey.id}/start").status_code == 302
    assert _count(Response) == 1
    with impatient.app_context():
        db.engine.dispose()
