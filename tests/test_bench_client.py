"""The benchmark's load client against the real server: what it measures is real.

``make bench`` is not part of the test run, so this keeps its HTTP client honest:
a simulated respondent opens a personal link, saves answers over keep-alive and
closed connections alike, and submits; the database holds exactly those answers.
"""

from __future__ import annotations

import random

import sqlalchemy as sa

from bench.load import Outcome, run
from bench.scenarios import open_session, save_answer
from rok.extensions import db
from rok.surveys.models import Answer, Response
from tests.conftest import add_participants
from tests.live import live_server  # noqa: F401  (the fixture)


def test_the_bench_client_saves_what_the_database_then_holds(live_server,  # noqa: F811
                                                             school, create_survey):
    survey = create_survey(school, statements=6)
    tokens = add_participants(survey, 3)
    survey_id = survey.id
    statement_ids = [s.id for s in survey.statements]

    async def person(job, outcome: Outcome) -> None:
        index, token = job
        browser, csrf = await open_session(live_server.url, token, survey_id, outcome)
        rng = random.Random(index)
        for statement_id in statement_ids:
            await save_answer(browser, outcome, survey_id, csrf, statement_id, rng)
        reply = await browser.request("POST", f"/b/s/{survey_id}/indienen",
                                      form={"csrf_token": csrf})
        assert reply.status == 302
        await browser.close()

    outcome = run(person, list(enumerate(tokens)))
    assert outcome.errors == 0, outcome.error_samples
    assert outcome.count == 3 * (3 + 6)  # link, intro, start and six saves each
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Response).where(
        Response.is_submitted.is_(True))) == 3
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Answer)) == 18
