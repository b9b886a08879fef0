"""Open every dashboard page in Chromium: charts render under the CSP, no console
errors, no serious accessibility violations, and screenshots for people to look at.

Runs against a real gunicorn server (tests/live.py) with a closed survey of 40
synthetic respondents and a previous round.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from rok.surveys.models import SurveyStatus
from tests.conftest import PASSWORD
from tests.dashboard.synthetic import fill_survey
from tests.e2e.conftest import AXE, CHROMIUM_ARGS, SHOTS  # noqa: F401

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}
PROJECTOR = {"width": 1920, "height": 1080}
DIMENSIONS = {"functie": ["beleidsteam", "kleuter", "lager", "zorg"],
              "ervaring": ["kort", "lang"]}


@pytest.fixture
def dashboard_survey(school, director, create_survey):
    previous = create_survey(school, title="Bevraging 2025", statements=24,
                             status=SurveyStatus.CLOSED, dimensions=DIMENSIONS)
    fill_survey(previous, 36, seed=7)
    survey = create_survey(school, title="Bevraging 2026", statements=24,
                           status=SurveyStatus.CLOSED, dimensions=DIMENSIONS,
                           previous_round_id=previous.id)
    fill_survey(survey, 40, seed=3, groups={
        "functie": [("beleidsteam", 6), ("kleuter", 12), ("lager", 18), ("zorg", 2)],
        "ervaring": [("kort", 1), ("lang", 1)],
    })
    return survey


AXE_RUN = """async () => {
    const r = await axe.run(document, {resultTypes: ['violations']});
    return r.violations.filter(v => ['serious', 'critical'].includes(v.impact))
        .map(v => ({id: v.id, help: v.help,
                    nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 3)}));
}"""


def pages(survey) -> dict[str, str]:
    base = f"/scholen/{survey.school_id}/bevragingen/{survey.id}/dashboard"
    statement = survey.statements[0].id
    return {
        "overview": f"{base}/",
        "rubriek": f"{base}/rubriek/OL",
        "expectation": f"{base}/verwachting/D1",
        "statement": f"{base}/stelling/{statement}",
        "group": f"{base}/verwachting/D1?groep=functie:kleuter",
        "lists": f"{base}/lijsten",
        "subgroups": f"{base}/deelgroepen?deelgroep=functie&niveau=area",
        "matrix": f"{base}/prioriteiten",
        "rounds": f"{base}/vorige-ronde",
        "present": f"{base}/presentatie?dia=2",
    }


def log_in(page, url: str, email: str) -> None:
    page.goto(url + "/aanmelden")
    page.get_by_label("E-mailadres").fill(email)
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Aanmelden").click()
    page.wait_for_load_state()


def open_context(browser, viewport, *, bypass_csp=False):
    context = browser.new_context(viewport=viewport, locale="nl-BE",
                                  bypass_csp=bypass_csp)
    context.set_default_timeout(20_000)
    # Browsers ask for /favicon.ico by themselves; rOK has none.
    context.route("**/favicon.ico", lambda route: route.fulfill(status=204))
    return context


def shoot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"dash-{name}.png"), full_page=True)


def test_every_dashboard_page_renders_its_charts_without_errors(
    live_server, browser, dashboard_survey, director
):
    urls = pages(dashboard_survey)
    context = open_context(browser, DESKTOP)
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(f"{m.type}: {m.text}")
            if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda e: problems.append(f"pageerror: {e}"))
    try:
        log_in(page, live_server.url, director.email)
        for name, path in urls.items():
            page.goto(live_server.url + path)
            charts = page.locator("[data-chart]")
            count = charts.count()
            for index in range(count):
                charts.nth(index).locator("svg").first.wait_for(state="attached")
            assert page.locator(".chart-failed").count() == 0, name
            if name in ("overview", "rubriek", "expectation", "subgroups", "matrix",
                        "rounds", "present", "statement"):
                assert count >= 1, f"{name}: no chart"
            shoot(page, f"desktop-{name}")
        assert not problems, "\n".join(problems)
        # Presentation mode: the arrow keys move between slides.
        page.set_viewport_size(PROJECTOR)
        page.goto(live_server.url + urls["present"])
        shoot(page, "projector-present")
        page.keyboard.press("ArrowRight")
        page.wait_for_url("**dia=3**")
        page.keyboard.press("ArrowLeft")
        page.wait_for_url("**dia=2**")
        assert not problems, "\n".join(problems)
    finally:
        context.close()


def test_dashboard_on_a_phone_and_its_accessibility(
    live_server, browser, dashboard_survey, director
):
    urls = pages(dashboard_survey)
    context = open_context(browser, PHONE, bypass_csp=True)
    page = context.new_page()
    try:
        log_in(page, live_server.url, director.email)
        found = []
        for name, path in urls.items():
            page.goto(live_server.url + path)
            for index in range(page.locator("[data-chart]").count()):
                page.locator("[data-chart]").nth(index).locator(
                    "svg").first.wait_for(state="attached")
            shoot(page, f"phone-{name}")
            # Charts must fit the phone: no horizontal scrolling of the page.
            overflow = page.evaluate(
                "document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 1, f"{name}: page scrolls sideways by {overflow}px"
            if not os.path.exists(AXE):
                continue
            page.add_script_tag(path=str(Path(AXE)))
            violations = page.evaluate(AXE_RUN)
            found += [(name, v) for v in violations]
        if not os.path.exists(AXE):
            pytest.skip(f"axe-core is not vendored at {AXE}: accessibility not checked")
        assert not found, found
    finally:
        context.close()
