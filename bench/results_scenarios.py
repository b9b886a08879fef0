"""Benchmark scenarios for reading results: dashboard, page weight and exports."""

from __future__ import annotations

import gzip
import os
import statistics
import time

import numpy as np
import pandas as pd
import requests
import sqlalchemy as sa

from bench.load import csrf_token

DIRECTOR = ("bench-directeur@bench.example", "bench-wachtwoord-123")


def make_app(database_url: str, secret: str):
    os.environ["DATABASE_URL"] = database_url
    os.environ["SECRET_KEY"] = secret
    from flask_migrate import upgrade

    from rok import create_app
    from rok.extensions import db

    app = create_app()
    with app.app_context():
        db.drop_all()
        with db.engine.begin() as connection:
            connection.execute(sa.text("DROP TABLE IF EXISTS alembic_version"))
        upgrade(directory=os.path.join(os.path.dirname(__file__), "..", "migrations"))
    return app


def closed_survey(
    app, respondents: int, statements: int, *, title: str
) -> tuple[int, int]:
    """Create a school with a director and a closed survey of synthetic answers."""
    from rok.accounts import services
    from rok.accounts.models import Membership, Role
    from rok.extensions import db
    from rok.surveys.models import (
        SubgroupDimension,
        SubgroupOption,
        Survey,
        SurveyStatement,
        SurveyStatus,
    )
    from tests.conftest import DEFAULT_SCALES, STATEMENT_CODES
    from tests.dashboard.synthetic import fill_survey

    with app.app_context():
        user = services.find_user(DIRECTOR[0]) or services.create_user(
            DIRECTOR[0], "Bench", DIRECTOR[1]
        )
        school = services.create_school(title, None, ["bao"])
        db.session.add(Membership(user=user, school=school, role=Role.SCHOOL_ADMIN))
        survey = Survey(
            school=school,
            title=title,
            level="bao",
            scales=DEFAULT_SCALES,
            rubrieken=["RE", "OL", "BE", "KO"],
            status=SurveyStatus.CLOSED,
            intro_text="Bench",
        )
        for index in range(statements):
            expectation, area, rubriek = STATEMENT_CODES[index % len(STATEMENT_CODES)]
            survey.statements.append(
                SurveyStatement(
                    position=index,
                    text=f"Stelling {index + 1} over {expectation}.",
                    original_text=None,
                    origin_key=f"bao-{expectation}-{index:03d}",
                    expectation_code=expectation,
                    area_code=area,
                    rubriek_code=rubriek,
                )
            )
        for d_index, (key, options) in enumerate(
            {
                "functie": ["beleidsteam", "kleuter", "lager", "zorg"],
                "ervaring": ["kort", "midden", "lang"],
            }.items()
        ):
            dimension = SubgroupDimension(
                key=key, label=key, position=d_index, is_role=d_index == 0
            )
            for o_index, option in enumerate(options):
                dimension.options.append(
                    SubgroupOption(
                        key=option,
                        label=option,
                        position=o_index,
                        is_leadership=option == "beleidsteam",
                    )
                )
            survey.dimensions.append(dimension)
        db.session.add(survey)
        db.session.commit()
        fill_survey(survey, respondents, seed=respondents, unsubmitted=0)
        db.session.commit()
        return school.id, survey.id


def analysis_seconds(app, survey_id: int, repeat: int = 3) -> float:
    """Median time to load the answers and compute every analysis table."""
    from rok.dashboard.analysis import breakdown_table, summary_table
    from rok.dashboard.data import load_survey_data, survey_privacy, survey_thresholds
    from rok.extensions import db
    from rok.surveys.models import Survey

    timings = []
    with app.app_context():
        survey = db.session.get(Survey, survey_id)
        privacy, thresholds = survey_privacy(survey), survey_thresholds(survey)
        for _ in range(repeat):
            began = time.perf_counter()
            data = load_survey_data(survey)
            _all_tables(data, privacy, thresholds, summary_table, breakdown_table)
            timings.append(time.perf_counter() - began)
    return statistics.median(timings)


def _all_tables(data, privacy, thresholds, summary_table, breakdown_table) -> None:
    for level in ("statement", "expectation", "area", "rubriek"):
        summary_table(data, level=level, privacy=privacy, thresholds=thresholds)
    for dimension in data.dimensions:
        breakdown_table(
            data, dimension, level="statement", privacy=privacy, thresholds=thresholds
        )


def overview_seconds(app, school_id: int, survey_id: int, repeat: int = 3) -> float:
    """Median server time to render the dashboard overview page (in process)."""
    client = app.test_client()
    form = client.get("/aanmelden").get_data(as_text=True)
    response = client.post("/aanmelden", data={
        "csrf_token": csrf_token(form), "email": DIRECTOR[0], "password": DIRECTOR[1]})
    assert response.status_code == 302, response.status_code
    url = f"/scholen/{school_id}/bevragingen/{survey_id}/dashboard/"
    timings = []
    for _ in range(repeat + 1):
        began = time.perf_counter()
        page = client.get(url)
        timings.append(time.perf_counter() - began)
        assert page.status_code == 200, page.status_code
    return statistics.median(timings[1:])


def synthetic_analysis_seconds(respondents: int, statements: int = 60) -> float:
    """Analysis alone on frames built in memory (no database), e.g. 10,000 × 60."""
    from rok.dashboard.analysis import (
        SurveyData,
        Thresholds,
        breakdown_table,
        summary_table,
    )
    from rok.dashboard.disclosure import Privacy

    rng = np.random.default_rng(respondents)
    codes = [
        ("R2", "RE", "RE"),
        ("D1", "D", "OL"),
        ("BL1", "BV", "BE"),
        ("K2", "KO", "KO"),
    ]
    statements_frame = pd.DataFrame(
        {
            "statement_id": np.arange(1, statements + 1),
            "position": np.arange(statements),
            "text": [f"Stelling {i}" for i in range(statements)],
            "expectation": [codes[i % 4][0] for i in range(statements)],
            "area": [codes[i % 4][1] for i in range(statements)],
            "rubriek": [codes[i % 4][2] for i in range(statements)],
            "origin": [f"o{i}" for i in range(statements)],
        }
    )
    responses = pd.DataFrame(
        {
            "response_id": np.arange(1, respondents + 1),
            "functie": pd.Series(
                rng.choice(["beleidsteam", "kleuter", "lager", "zorg"], respondents),
                dtype="string",
            ),
            "ervaring": pd.Series(
                rng.choice(["kort", "midden", "lang"], respondents), dtype="string"
            ),
        }
    )
    n = respondents * statements
    no_view = rng.random(n) < 0.05
    agreement = pd.array(rng.integers(1, 5, n), dtype="Int64")
    agreement[no_view] = pd.NA
    answers = pd.DataFrame(
        {
            "response_id": np.repeat(responses["response_id"].to_numpy(), statements),
            "statement_id": np.tile(
                statements_frame["statement_id"].to_numpy(), respondents
            ),
            "agreement": agreement,
            "no_view": no_view,
            "action": pd.array(rng.integers(1, 5, n), dtype="Int64"),
        }
    )
    data = SurveyData(
        answers=answers,
        responses=responses,
        statements=statements_frame,
        agreement_points=(1, 2, 3, 4),
        action_points=(1, 2, 3, 4),
        role_dimension="functie",
        leadership_option="beleidsteam",
    )
    began = time.perf_counter()
    _all_tables(data, Privacy(), Thresholds(), summary_table, breakdown_table)
    return time.perf_counter() - began


def logged_in_session(base: str) -> requests.Session:
    session = requests.Session()
    page = session.get(f"{base}/aanmelden", timeout=30)
    response = session.post(
        f"{base}/aanmelden",
        data={
            "csrf_token": csrf_token(page.text),
            "email": DIRECTOR[0],
            "password": DIRECTOR[1],
        },
        allow_redirects=False,
        timeout=30,
    )
    if response.status_code != 302:
        raise RuntimeError(f"log-in failed: {response.status_code}")
    return session


def timed_get(
    session: requests.Session, url: str, timeout: float = 300
) -> tuple[float, int, int]:
    began = time.perf_counter()
    response = session.get(url, timeout=timeout)
    return time.perf_counter() - began, response.status_code, len(response.content)


def page_weight(url: str, *, login: tuple[str, str] | None = None) -> dict:
    """Bytes and requests of one cold page load in Chromium, and third-party requests.

    With ``login`` (e-mail, password), a first browser context logs in through the
    log-in form; the page is then loaded in a fresh context that has only its
    cookies (an empty cache, as on a first visit).
    """
    from playwright.sync_api import sync_playwright

    seen: list[tuple[str, int, int]] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=[
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--no-first-run",
            ],
        )
        state = None
        if login:
            first = browser.new_context()
            page = first.new_page()
            base = url.split("/", 3)[:3]
            page.goto("/".join(base) + "/aanmelden")
            page.fill("input[name=email]", login[0])
            page.fill("input[name=password]", login[1])
            with page.expect_navigation():
                page.press("input[name=password]", "Enter")
            state = first.storage_state()
            first.close()
        context = browser.new_context(
            viewport={"width": 390, "height": 844}, storage_state=state
        )
        page = context.new_page()

        def on_response(response):
            try:
                body = response.body()
            except Exception:  # noqa: BLE001 - redirects have no body
                body = b""
            seen.append((response.url, len(body), len(gzip.compress(body))))

        page.on("response", on_response)
        page.goto(url, wait_until="networkidle")
        final = page.url
        browser.close()
    third_party = [u for u, *_ in seen if not u.startswith("http://127.0.0.1")]
    return {
        "requests": len(seen),
        "bytes": sum(size for _, size, _ in seen),
        # What a reverse proxy that compresses (gzip) would send.
        "gzip_bytes": sum(size for *_, size in seen),
        "third_party": third_party,
        "urls": [u for u, *_ in seen],
        "final": final,
    }
