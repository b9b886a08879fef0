"""Two stateless app servers behind one PostgreSQL (design.md §7).

Two separate gunicorn instances (different ports, the same ``DATABASE_URL`` and
``SECRET_KEY``) serve the same people: every next request of a respondent or of a
logged-in director goes to the other server, as a round-robin load balancer would
send it. Nothing may depend on one process's memory: no lost answer, no lost log-in,
no CSRF failure, only 2xx/3xx answers.
"""

from __future__ import annotations

import re
import threading
from collections import Counter
from datetime import date, timedelta

import pytest
import requests
import sqlalchemy as sa
from fault_support import CSRF, Respondent, add_participants, answer_for, stored

from rok.extensions import db
from rok.surveys.models import Answer, Participant, Reminder, Response

PEOPLE = 12
STATEMENTS = 8
PASSWORD = "correct-horse-battery"


@pytest.fixture
def postgresql_only(database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("several app servers need PostgreSQL (ROK_TEST_DATABASE_URL)")


def answer_on_both(person: Respondent, seed: int, statement_ids: list[int],
                   errors: list) -> None:
    """Answer every statement, half through respond.js's JSON save and half with
    the plain form; each request lands on the other server than the one before."""
    try:
        person.open_link()
        person.start()
        for number, statement_id in enumerate(statement_ids, 1):
            agreement, action = answer_for(seed, number)
            if number % 2:
                person.save(statement_id, agreement, action)
            else:
                person.answer_card(number, agreement, action)
            if number == STATEMENTS // 2:  # reload the page halfway: resume works
                page = person.request("GET", person.prefix + "/", allow_redirects=True)
                assert page.url.endswith(f"/stelling/{number + 1}"), page.url
        person.review()
        person.submit()
        person.request("GET", person.prefix + "/bedankt")
    except Exception as error:  # noqa: BLE001 - every failure is reported
        errors.append(f"respondent {seed}: {error!r}")


class Director:
    """A logged-in director whose requests alternate between the servers."""

    def __init__(self, bases: list[str]) -> None:
        self.bases = bases
        self.turn = 0
        self.session = requests.Session()
        self.log: list[tuple[str, str, int, str]] = []

    def request(self, method: str, path: str, **kwargs) -> requests.Response:
        base = self.bases[self.turn % len(self.bases)]
        self.turn += 1
        response = self.session.request(method, base + path, timeout=30,
                                        allow_redirects=False, **kwargs)
        self.log.append((method, path, response.status_code, base))
        return response


@pytest.mark.slow
def test_two_app_servers_share_sessions_and_lose_nothing(
        postgresql_only, start_server, school, director, create_survey):
    a, b = start_server("server-a"), start_server("server-b")
    assert a.port != b.port
    survey = create_survey(school, statements=STATEMENTS)
    survey_id, school_id = survey.id, school.id
    statement_ids = [s.id for s in survey.statements]
    tokens = add_participants(survey, PEOPLE)

    errors: list[str] = []
    people = [Respondent([a.url, b.url], survey_id, token) for token in tokens]
    # Half of the people start on server B, so both servers see every kind of step.
    for person in people[::2]:
        person.turn = 1
    threads = [threading.Thread(target=answer_on_both, daemon=True,
                                args=(person, seed, statement_ids, errors))
               for seed, person in enumerate(people)]
    for thread in threads:
        thread.start()

    # Meanwhile the director logs in on A and follows the survey on both servers.
    boss = Director([a.url, b.url])
    login_page = boss.request("GET", "/aanmelden")
    assert login_page.status_code == 200
    boss.turn = 0  # the log-in itself goes to A as well
    logged_in = boss.request("POST", "/aanmelden", data={
        "csrf_token": CSRF.search(login_page.text).group(1),
        "email": director.email, "password": PASSWORD})
    assert logged_in.status_code == 302, logged_in.text[:300]
    monitor = f"/scholen/{school_id}/bevragingen/{survey_id}/opvolgen"
    planned = []
    for round_number in range(1, 7):
        page = boss.request("GET", monitor)  # B, A, B, …
        assert page.status_code == 200, (page.status_code, page.headers.get("Location"))
        assert "Datum van de herinnering" in page.text
        if round_number % 2:
            send_on = date.today() + timedelta(days=round_number)
            added = boss.request("POST", monitor.replace("opvolgen", "herinneringen"),
                                 data={"csrf_token": CSRF.search(page.text).group(1),
                                       "send_on": send_on.isoformat()})
            assert added.status_code == 302, added.text[:500]
            assert added.headers["Location"].endswith(monitor)
            planned.append(send_on)
    page = boss.request("GET", monitor)
    assert all(day.strftime("%d-%m-%Y") in page.text for day in planned)

    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads)
    assert errors == []

    # Every request was answered 2xx/3xx (no 400 from CSRF, no 5xx), on both servers.
    log = [entry for person in people for entry in person.log] + boss.log
    statuses = Counter(status for _method, _path, status, _base in log)
    assert all(200 <= status < 400 for status in statuses), statuses
    served = Counter(base for *_, base in log)
    assert set(served) == {a.url, b.url} and min(served.values()) > len(log) // 3
    logged = [int(code) for server in (a, b)
              for code in re.findall(r'HTTP/1\.1" (\d{3})', server.log)]
    assert logged and all(code < 400 for code in logged)

    db.session.rollback()  # see the servers' writes
    count = lambda model, *where: db.session.scalar(  # noqa: E731
        sa.select(sa.func.count()).select_from(model).where(*where))
    assert count(Response, Response.is_submitted.is_(True)) == PEOPLE
    assert count(Response) == PEOPLE
    assert count(Participant, Participant.has_finished.is_(True)) == PEOPLE
    assert count(Answer) == PEOPLE * STATEMENTS
    expected = Counter((statement_id, stored(*answer_for(seed, number)))
                       for seed in range(PEOPLE)
                       for number, statement_id in enumerate(statement_ids, 1))
    rows = db.session.execute(sa.select(Answer.statement_id, Answer.agreement,
                                        Answer.no_view, Answer.action))
    assert Counter((r[0], (r[1], r[2], r[3])) for r in rows) == expected
    assert sorted(db.session.scalars(sa.select(Reminder.send_on))) == planned
    for person in people:
        person.close()
    boss.session.close()
