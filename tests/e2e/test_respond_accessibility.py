"""axe-core finds no serious or critical problem on any respondent page.

axe-core is vendored (tests/e2e/vendor, MPL-2.0) and injected into each page; the
context bypasses the CSP only so that the test may inject it. Screenshots of every
page are kept in /tmp/shots/respond-*.png.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from rok.extensions import db
from rok.surveys import links
from rok.surveys.models import Participant, SurveyStatus
from tests.e2e.conftest import axe_violations, screenshot

pytestmark = pytest.mark.browser


def check(page, name: str) -> None:
    screenshot(page, name)
    violations = axe_violations(page)
    assert violations == [], f"{name}: {violations}"


def test_respondent_pages_have_no_serious_accessibility_problems(
        live_server, phone, school, create_survey):
    survey = create_survey(school, statements=3, team_link=True, dimensions={
        "functie": ["beleidsteam", "kleuter", "lager", "zorg", "ondersteunend"],
        "ervaring": ["minder dan 5 jaar", "5 tot 15 jaar", "meer dan 15 jaar"]})
    closed = create_survey(school, title="Vorig jaar", status=SurveyStatus.CLOSED)
    token, closed_token = links.new_token(), links.new_token()
    db.session.add_all([
        Participant(survey=survey, email="a@linde.example", subgroups={},
                    token_hash=links.participant_hash(token)),
        Participant(survey=closed, email="a@linde.example",
                    token_hash=links.participant_hash(closed_token))])
    db.session.commit()
    base = live_server.url
    page = phone(bypass_csp=True)

    page.goto(f"{base}/b/{'x' * 43}")
    check(page, "invalid-link")
    page.goto(f"{base}/b/{closed_token}")
    check(page, "closed")

    page.goto(f"{base}/b/{token}")
    check(page, "intro")
    page.get_by_role("button", name="Start").click()
    page.wait_for_url("**/groep")
    check(page, "subgroups")
    page.get_by_role("radio", name="Lager", exact=True).check()
    page.get_by_role("radio", name="Meer dan 15 jaar", exact=True).check()
    page.get_by_role("button", name="Verder").click()
    page.wait_for_url("**/stelling/1")
    check(page, "card-empty")
    page.get_by_role("radio", name="Eerder eens", exact=True).check()
    page.get_by_role("radio", name="Hier wil ik mee aan de slag", exact=True).check()
    expect(page.locator(".save-status")).to_contain_text("Opgeslagen")
    check(page, "card-answered")
    page.get_by_role("button", name="Volgende").click()
    page.wait_for_url("**/opmerking/RE")
    page.get_by_label("Jouw opmerking (hoogstens 2000 tekens)").fill(
        "We mogen trots zijn op onze leerlingen.")
    check(page, "comment")
    page.get_by_role("button", name="Volgende").click()
    page.wait_for_url("**/stelling/2")
    page.goto(f"{base}/b/s/{survey.id}/overzicht")
    check(page, "review")
    page.get_by_role("button", name="Antwoorden indienen").click()
    page.wait_for_url("**/bedankt")
    check(page, "thanks")
    page.goto(f"{base}/b/{token}")
    check(page, "already-submitted")

    team = phone(bypass_csp=True)  # another device, through the team link
    team.goto(f"{base}/t/{survey.team_key}")
    team.get_by_role("button", name="Start").click()
    team.wait_for_url("**/groep")
    team.get_by_role("button", name="Verder").click()  # nothing chosen
    expect(team.locator(".error-summary")).to_be_visible()
    check(team, "subgroups-error")
