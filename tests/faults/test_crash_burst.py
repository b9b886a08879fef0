"""The server dies in the middle of a staff-meeting burst (design.md §9).

About 40 people answer at once through the real gunicorn server; halfway the whole
server (master and workers) is SIGKILLed and started again on the same port. The
clients behave like respond.js: an answer counts as saved only when the server
acknowledged it (200 with ``saved: true``); until then it waits in a queue and is
sent again with a growing pause. Every acknowledged answer must be in the database,
even while the server is still down, and everybody finishes with their own link.
"""

from __future__ import annotations

import threading
import time
from collections import Counter

import pytest
import sqlalchemy as sa
from fault_support import Respondent, Unavailable, add_participants, answer_for, stored

from rok.extensions import db
from rok.surveys import links
from rok.surveys.models import Answer, Participant, Response

PEOPLE = 40
STATEMENTS = 12
CRASH_AFTER = PEOPLE * STATEMENTS // 4  # acknowledged answers before the crash
THINK_TIME = 0.05  # seconds between two taps of one person
DEADLINE = 90  # seconds for the whole burst, restart included


class Burst:
    """What the respondents acknowledged and what went wrong, shared by threads."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.acknowledged: dict[tuple[str, int], tuple[str, str]] = {}
        self.failed_saves = 0
        self.errors: list[str] = []

    def ack(self, token: str, statement_id: int, answer: tuple[str, str]) -> None:
        with self.lock:
            self.acknowledged[(token, statement_id)] = answer

    def failed(self) -> None:
        with self.lock:
            self.failed_saves += 1

    def snapshot(self) -> dict:
        with self.lock:
            return dict(self.acknowledged)


def answer_everything(person: Respondent, seed: int, statement_ids: list[int],
                      burst: Burst, barrier: threading.Barrier) -> None:
    """Tap through every card; saves that fail wait in a queue and are retried
    (oldest first, pause doubling from 0.25 s to 2 s), like respond.js does."""
    deadline = time.monotonic() + DEADLINE
    queue: list[tuple[int, tuple[str, str]]] = []
    delay, next_try = 0.25, 0.0

    def flush() -> None:
        nonlocal delay, next_try
        while queue and time.monotonic() >= next_try:
            statement_id, answer = queue[0]
            try:
                person.save(statement_id, *answer)
            except Unavailable:
                burst.failed()
                next_try = time.monotonic() + delay
                delay = min(delay * 2, 2.0)
                return
            queue.pop(0)
            burst.ack(person.token, statement_id, answer)
            delay = 0.25

    try:
        barrier.wait(timeout=60)
        person.open_link(deadline=deadline)
        person.start(deadline=deadline)
        for number, statement_id in enumerate(statement_ids, 1):
            queue.append((statement_id, answer_for(seed, number)))
            flush()
            time.sleep(THINK_TIME)
        while queue:
            if time.monotonic() > deadline:
                raise AssertionError(f"{len(queue)} answers never acknowledged")
            time.sleep(max(0.0, min(next_try - time.monotonic(), 0.5)))
            flush()
    except Exception as error:  # noqa: BLE001 - every failure is reported
        burst.errors.append(f"respondent {seed}: {error!r}")


def drafts_by_token(tokens: list[str]) -> dict[str, dict[int, tuple]]:
    """{token: {statement id: stored answer}} read straight from the database."""
    db.session.rollback()  # see what the server committed
    result = {}
    for token in tokens:
        draft = db.session.scalar(sa.select(Response).where(
            Response.resume_key_hash == links.resume_hash(token)))
        rows = [] if draft is None else db.session.scalars(
            sa.select(Answer).where(Answer.response_id == draft.id)).all()
        result[token] = {r.statement_id: (r.agreement, r.no_view, r.action)
                         for r in rows}
    return result


def missing_acknowledged(acknowledged: dict, tokens: list[str]) -> list:
    in_database = drafts_by_token(tokens)
    return [(token[:6], statement_id, answer)
            for (token, statement_id), answer in acknowledged.items()
            if in_database[token].get(statement_id) != stored(*answer)]


@pytest.mark.slow
def test_crash_burst_loses_no_acknowledged_answer(start_server, school, create_survey):
    server = start_server("crash-burst")
    survey = create_survey(school, statements=STATEMENTS)
    survey_id = survey.id
    statement_ids = [s.id for s in survey.statements]
    tokens = add_participants(survey, PEOPLE)
    people = [Respondent(server.url, survey_id, token) for token in tokens]

    burst = Burst()
    barrier = threading.Barrier(PEOPLE)
    threads = [threading.Thread(target=answer_everything, daemon=True,
                                args=(person, seed, statement_ids, burst, barrier))
               for seed, person in enumerate(people)]
    started = time.monotonic()
    for thread in threads:
        thread.start()

    # The middle of the burst: kill everything at once, no clean-up.
    while len(burst.snapshot()) < CRASH_AFTER and time.monotonic() - started < 60:
        time.sleep(0.01)
    server.crash()
    before_crash = burst.snapshot()
    assert CRASH_AFTER <= len(before_crash) < PEOPLE * STATEMENTS, len(before_crash)
    # While the server is down, everything it acknowledged is already stored.
    assert missing_acknowledged(before_crash, tokens) == []
    time.sleep(0.5)  # clients notice the outage and queue their answers
    server.start()

    for thread in threads:
        thread.join(timeout=DEADLINE + 30)
    elapsed = time.monotonic() - started
    assert not any(thread.is_alive() for thread in threads)
    assert burst.errors == []
    assert burst.failed_saves > 0  # the crash did hit answers in flight
    acknowledged = burst.snapshot()
    assert len(acknowledged) == PEOPLE * STATEMENTS
    assert missing_acknowledged(acknowledged, tokens) == []
    # Nothing but acknowledged answers: each draft holds exactly its own answers.
    drafts = drafts_by_token(tokens)
    assert all(len(answers) == STATEMENTS for answers in drafts.values())

    # Everybody comes back with the same link (on another device, even), lands on
    # the review page because everything is answered, and submits.
    for token in tokens:
        person = Respondent(server.url, survey_id, token)
        page = person.open_link()
        assert page.url.endswith(f"/b/s/{survey_id}/overzicht"), page.url
        person.submit()
        person.close()

    db.session.rollback()
    count = lambda model, *where: db.session.scalar(  # noqa: E731
        sa.select(sa.func.count()).select_from(model).where(*where))
    assert count(Response) == PEOPLE
    assert count(Response, Response.is_submitted.is_(True)) == PEOPLE
    assert count(Response, Response.resume_key_hash.is_not(None)) == 0
    assert count(Participant, Participant.has_finished.is_(True)) == PEOPLE
    assert count(Answer) == PEOPLE * STATEMENTS
    per_response = Counter(db.session.scalars(sa.select(Answer.response_id)))
    assert sorted(per_response.values()) == [STATEMENTS] * PEOPLE
    expected = Counter((statement_id, stored(*answer_for(seed, number)))
                       for seed in range(PEOPLE)
                       for number, statement_id in enumerate(statement_ids, 1))
    rows = db.session.execute(sa.select(Answer.statement_id, Answer.agreement,
                                        Answer.no_view, Answer.action))
    assert Counter((r[0], (r[1], r[2], r[3])) for r in rows) == expected

    statuses = Counter(status for person in people for *_, status, _ in person.log)
    print(f"\n{PEOPLE} respondents, crash after {len(before_crash)} acknowledged "
          f"answers, {burst.failed_saves} failed saves retried, "
          f"{elapsed:.1f} s on {db.engine.dialect.name}: {dict(statuses)}")
    for person in people:
        person.close()
