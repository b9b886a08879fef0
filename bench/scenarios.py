"""Benchmark scenarios that drive real servers over HTTP."""

from __future__ import annotations

import os
import random
import time
from dataclasses import dataclass

import sqlalchemy as sa

from bench.load import Browser, Outcome, csrf_token, run, timed
from bench.servers import start_gunicorn

#: Seconds every simulated person saves before the measured interval begins.
WARM_UP_SECONDS = 1.0


@dataclass
class Prepared:
    survey_id: int
    statement_ids: list[int]
    tokens: list[str]


def prepare(
    database_url: str, *, participants: int, statements: int, secret: str
) -> Prepared:
    """Create a fresh schema, one open survey and ``participants`` personal links."""
    os.environ["DATABASE_URL"] = database_url
    os.environ["SECRET_KEY"] = secret
    from flask_migrate import upgrade

    from rok import create_app
    from rok.accounts.models import School
    from rok.extensions import db
    from rok.surveys import links
    from rok.surveys.models import (
        Participant,
        SubgroupDimension,
        SubgroupOption,
        Survey,
        SurveyStatement,
        SurveyStatus,
    )

    app = create_app()
    with app.app_context():
        db.drop_all()
        with db.engine.begin() as connection:
            connection.execute(sa.text("DROP TABLE IF EXISTS alembic_version"))
        upgrade(directory=os.path.join(os.path.dirname(__file__), "..", "migrations"))
        school = School(name="Benchschool", levels=["bao"])
        scales = {
            "agreement": {
                "points": [{"value": v, "label": str(v)} for v in (1, 2, 3, 4)],
                "no_view": {"label": "Geen zicht"},
            },
            "action": {
                "optional": True,
                "points": [{"value": v, "label": str(v)} for v in (1, 2, 3, 4)],
            },
        }
        survey = Survey(
            school=school,
            title="Bench",
            level="bao",
            scales=scales,
            rubrieken=["RE", "OL", "BE", "KO"],
            status=SurveyStatus.OPEN,
            intro_text="Bench",
        )
        codes = [
            ("R2", "RE", "RE"),
            ("D1", "D", "OL"),
            ("BL1", "BV", "BE"),
            ("K2", "KO", "KO"),
        ]
        for index in range(statements):
            expectation, area, rubriek = codes[index % len(codes)]
            survey.statements.append(
                SurveyStatement(
                    position=index,
                    text=f"Stelling {index + 1}",
                    original_text=None,
                    origin_key=None,
                    expectation_code=expectation,
                    area_code=area,
                    rubriek_code=rubriek,
                )
            )
        dimension = SubgroupDimension(key="functie", label="Functie", is_role=True)
        for index, key in enumerate(["beleidsteam", "lager", "kleuter"]):
            dimension.options.append(
                SubgroupOption(
                    key=key, label=key, position=index, is_leadership=index == 0
                )
            )
        survey.dimensions.append(dimension)
        tokens = []
        for index in range(participants):
            token = links.new_token()
            tokens.append(token)
            survey.participants.append(
                Participant(
                    email=f"p{index}@bench.example",
                    token_hash=links.participant_hash(token),
                    link_ciphertext=links.encrypt_token(token),
                    subgroups={
                        "functie": ["beleidsteam", "lager", "kleuter"][index % 3]
                    },
                )
            )
        db.session.add(survey)
        db.session.commit()
        prepared = Prepared(survey.id, [s.id for s in survey.statements], tokens)
        db.engine.dispose()
    return prepared


async def open_session(
    base: str, token: str, survey_id: int, outcome: Outcome | None = None
) -> tuple[Browser, str]:
    """Open a personal link like a phone would: link → intro → start. Return CSRF."""
    browser = Browser(base)
    scratch = outcome or Outcome()
    await timed(browser, scratch, "GET", f"/b/{token}")
    intro = await timed(browser, scratch, "GET", f"/b/s/{survey_id}/")
    csrf = csrf_token(intro.text)
    await timed(
        browser, scratch, "POST", f"/b/s/{survey_id}/start", form={"csrf_token": csrf}
    )
    return browser, csrf


async def save_answer(browser, outcome, survey_id, csrf, statement_id, rng) -> None:
    reply = await timed(
        browser,
        outcome,
        "POST",
        f"/b/s/{survey_id}/opslaan",
        json={
            "statement": statement_id,
            "agreement": rng.randint(1, 4),
            "action": rng.randint(1, 4),
        },
        headers={"X-CSRFToken": csrf},
    )
    if reply.status == 200 and not reply.json().get("saved"):
        outcome.error(f"not saved: {reply.text[:80]}")


# --- 1. answer saving -----------------------------------------------------------


def saving_rok(
    base: str,
    prepared: Prepared,
    concurrency: int,
    duration: float,
    first: int = 0,
    processes: int = 1,
) -> Outcome:
    """Each of ``concurrency`` respondents (fresh links from ``first`` on) saves
    answers back to back for ``duration`` seconds, after a short warm-up."""

    async def person(job, outcome):
        index, token = job
        browser, csrf = await open_session(base, token, prepared.survey_id)
        rng = random.Random(index)
        position = 0

        async def save() -> None:
            nonlocal position
            statement = prepared.statement_ids[position % len(prepared.statement_ids)]
            await save_answer(
                browser, outcome, prepared.survey_id, csrf, statement, rng
            )
            position += 1

        await _measured(save, outcome, duration, start_at)
        await browser.close()

    jobs = list(enumerate(prepared.tokens[first : first + concurrency]))
    start_at = _start_at(concurrency)
    outcome = run(person, jobs, processes=processes)
    outcome.elapsed = duration
    return outcome


def saving_baseline(
    base: str, concurrency: int, duration: float, processes: int = 1
) -> Outcome:
    async def person(job, outcome):
        browser = Browser(base)
        rng = random.Random(job)

        async def save() -> None:
            body = {"statement": rng.randint(1, 60), "agreement": rng.randint(1, 4)}
            await timed(browser, outcome, "POST", "/save", json=body)

        await _measured(save, outcome, duration, start_at)
        await browser.close()

    start_at = _start_at(concurrency)
    outcome = run(person, list(range(concurrency)), processes=processes)
    outcome.elapsed = duration
    return outcome


async def _measured(step, outcome: Outcome, duration: float, start_at: float) -> None:
    """Repeat ``step`` until ``start_at`` (a warm-up, not counted), then for
    ``duration`` seconds: every person, in every client process, measures the same
    interval of wall-clock time."""
    while time.time() < start_at:
        await step()
    outcome.latencies.clear()
    outcome.errors, outcome.error_samples = 0, []
    end = start_at + duration
    while time.time() < end:
        await step()


def _start_at(concurrency: int) -> float:
    """When measuring starts: after every session is open and warm."""
    return time.time() + WARM_UP_SECONDS + 0.02 * concurrency


# --- 2. staff-meeting burst -----------------------------------------------------


def burst(base: str, prepared: Prepared) -> Outcome:
    """Every participant answers every statement and submits, all at once."""

    async def person(job, outcome):
        index, token = job
        rng = random.Random(1000 + index)
        browser, csrf = await open_session(base, token, prepared.survey_id, outcome)
        for statement in prepared.statement_ids:
            await save_answer(
                browser, outcome, prepared.survey_id, csrf, statement, rng
            )
        reply = await timed(
            browser,
            outcome,
            "POST",
            f"/b/s/{prepared.survey_id}/indienen",
            form={"csrf_token": csrf},
        )
        if reply.status != 302:
            outcome.error(f"submit -> {reply.status}")
        await browser.close()

    began = time.perf_counter()
    outcome = run(person, list(enumerate(prepared.tokens)), processes=2)
    outcome.elapsed = time.perf_counter() - began
    return outcome


def count_stored(database_url: str, survey_id: int) -> tuple[int, int]:
    """Return (submitted responses, their answers) as stored in the database."""
    url = database_url.replace("postgresql://", "postgresql+psycopg://", 1)
    engine = sa.create_engine(url)
    with engine.connect() as connection:
        responses = connection.execute(
            sa.text(
                "SELECT count(*) FROM responses WHERE survey_id = :s AND is_submitted"
            ),
            {"s": survey_id},
        ).scalar()
        answers = connection.execute(
            sa.text(
                "SELECT count(*) FROM answers a "
                "JOIN responses r ON r.id = a.response_id "
                "WHERE r.survey_id = :s AND r.is_submitted"
            ),
            {"s": survey_id},
        ).scalar()
    engine.dispose()
    return responses, answers


def rok_server(
    database_url: str, secret: str, workers: int = 2, *, lift_limits: bool = False
):
    """Start rOK under gunicorn with its own settings for the answering limits.

    ``lift_limits`` is for the saving measurement only: one simulated person there
    saves hundreds of times a second, far beyond any person's tapping.
    """
    env = {"DATABASE_URL": database_url, "SECRET_KEY": secret, "ROK_ENV": "development",
           "ROK_SECURE_COOKIES": "0", "RATELIMIT_STORAGE_URI": "memory://"}
    if lift_limits:
        env.update(ROK_ANSWER_RATE_LIMIT="1000000 per minute",
                   ROK_ANSWER_IP_RATE_LIMIT="100000000 per hour")
    return start_gunicorn("wsgi:app", env, workers=workers, probe="/aanmelden")


def baseline_server(sqlite_path: str):
    return start_gunicorn(
        "bench.baseline_app:app",
        {"BASELINE_SQLITE_PATH": sqlite_path},
        workers=2,
        probe="/",
    )


# --- 4. the respondent's page -----------------------------------------------------


def page_latencies(base: str, path: str, count: int, *, token: str | None = None,
                   survey_id: int | None = None) -> Outcome:
    """Time ``count`` GETs of ``path`` by one person, after ten unmeasured ones.

    With ``token``, the person first opens that personal link and starts answering,
    so ``path`` can be one of the respondent's pages.
    """

    async def person(_job, outcome):
        if token is None:
            browser = Browser(base)
        else:
            browser, _csrf = await open_session(base, token, survey_id)
        for _ in range(10):
            await timed(browser, Outcome(), "GET", path)
        for _ in range(count):
            await timed(browser, outcome, "GET", path)
        await browser.close()

    return run(person, [0])
