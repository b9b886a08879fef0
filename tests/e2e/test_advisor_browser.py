"""An advisor's access in Chromium, against a real server (tests/live.py).

The school grants an advisor access on its team page, the advisor logs in, reads
the results and adds a preparation note; the school revokes the access, and the
advisor's very next request is refused (404).

Screenshots land in /tmp/shots/advisor-*.png.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from rok.accounts import services as accounts
from rok.extensions import db
from rok.processing.models import AreaNote
from rok.surveys.models import SurveyStatus
from tests.e2e.conftest import SHOTS
from tests.processing.synthetic import fill_survey

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1280, "height": 900}
PASSWORD = "correct-horse-battery"
ADVISOR_EMAIL = "bea.begeleider@net.example"


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"advisor-{name}.png"), full_page=True)


def log_in(page, base: str, email: str) -> None:
    page.goto(base + "/aanmelden")
    page.get_by_label("E-mailadres").fill(email)
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Aanmelden").click()
    page.wait_for_url(re.compile(r".*/(start|scholen/\d+)$"))


def set_password(email: str) -> None:
    """Stand in for the advisor following the invitation link and choosing one."""
    db.session.rollback()  # end the test's transaction: see the server's writes
    user = accounts.find_user(email)
    assert user is not None, "the grant did not create the advisor's account"
    accounts.set_password(user, PASSWORD)
    db.session.commit()


def new_page(browser):
    context = browser.new_context(viewport=DESKTOP, locale="nl-BE")
    context.set_default_timeout(15_000)
    return context, context.new_page()


def test_advisor_is_granted_reads_adds_a_note_and_is_revoked(
    app, browser, live_server, school, director, create_survey
):
    survey = create_survey(school, title="Teambevraging najaar", statements=8,
                           status=SurveyStatus.CLOSED)
    fill_survey(survey)
    base = live_server.url
    school_id, school_name, email = school.id, school.name, director.email
    survey_base = f"{base}/scholen/{school_id}/bevragingen/{survey.id}"
    failures = []

    def watch(page):
        page.on("response", lambda r: failures.append((r.status, r.url))
                if r.status >= 500 else None)

    school_context, school_page = new_page(browser)
    advisor_context, advisor_page = new_page(browser)
    try:
        watch(school_page)
        watch(advisor_page)

        # The school grants access on its team page.
        log_in(school_page, base, email)
        school_page.goto(f"{base}/scholen/{school_id}/team")
        school_page.get_by_label("E-mailadres van de begeleider").fill(ADVISOR_EMAIL)
        school_page.locator("#advisor-name").fill("Bea Begeleider")
        school_page.get_by_role("button", name="Toegang geven").click()
        expect(school_page.locator(".flash")).to_contain_text("leestoegang")
        expect(school_page.get_by_role("cell", name=ADVISOR_EMAIL)).to_be_visible()
        shot(school_page, "granted")
        set_password(ADVISOR_EMAIL)

        # The advisor logs in, finds the school and reads the results.
        log_in(advisor_page, base, ADVISOR_EMAIL)
        advisor_page.goto(base + "/start")
        advisor_page.get_by_role("link", name=school_name).click()
        advisor_page.get_by_role("link", name="Verwerken").first.click()
        advisor_page.get_by_role("link", name="Teambevraging najaar").click()
        expect(advisor_page.get_by_role("heading", level=1)).to_contain_text(
            "actieplan")
        if "dashboard.overview" in app.view_functions:
            response = advisor_page.goto(survey_base + "/dashboard/")
            assert response.status == 200
            expect(advisor_page.locator("main")).to_contain_text("eens")
            shot(advisor_page, "dashboard")
        response = advisor_page.goto(survey_base + "/verwerken")
        assert response.status == 200
        # Nothing to change for an advisor: no goal button, no answers export.
        expect(advisor_page.get_by_role("link", name="Anonieme antwoorden "
                                        "downloaden")).to_have_count(0)

        # ... and adds a preparation note.
        advisor_page.get_by_role("link", name="Notities", exact=True).first.click()
        advisor_page.get_by_label("Over").select_option("area:D")
        advisor_page.get_by_role("textbox", name="Notitie").fill(
            "Vraag: hoe zichtbaar zijn de doelen in de klas?")
        advisor_page.get_by_role("button", name="Notitie bewaren").click()
        note = advisor_page.locator(".note-advisor")
        expect(note).to_contain_text("notitie van de begeleider")
        expect(note).to_contain_text("hoe zichtbaar zijn de doelen")
        shot(advisor_page, "note")
        db.session.rollback()
        stored = db.session.scalars(db.select(AreaNote)).one()
        assert stored.is_advisor_note and stored.unit_code == "D"

        # The school sees the note, marked, and revokes the access.
        school_page.goto(survey_base + "/notities")
        expect(school_page.locator(".note-advisor")).to_contain_text(
            "notitie van de begeleider")
        school_page.goto(f"{base}/scholen/{school_id}/team")
        row = school_page.get_by_role("row").filter(has_text=ADVISOR_EMAIL)
        row.get_by_role("button", name="Toegang intrekken").click()
        expect(school_page.get_by_role("cell", name=ADVISOR_EMAIL)).to_have_count(0)

        # The advisor's next request is refused.
        response = advisor_page.goto(survey_base + "/notities")
        assert response.status == 404
        shot(advisor_page, "revoked")
        for path in ("/verwerken", "/rapport.pdf", "/export/tabellen.csv"):
            assert advisor_page.request.get(survey_base + path).status == 404
        api = survey_base.replace("/scholen/", "/api/v1/scholen/") + "/resultaten"
        assert advisor_page.request.get(api).status == 404
        assert failures == []
    finally:
        school_context.close()
        advisor_context.close()
