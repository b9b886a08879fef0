"""A director builds a survey from scratch in Chromium, imports participants, opens
it and reads the response monitor, against a real server (tests/live.py).

Screenshots of every page land in /tmp/shots/manage-*.png (desktop and phone).
"""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from rok.extensions import db
from rok.surveys.models import Participant, Survey, SurveyStatus
from tests.e2e.conftest import PHONE, SHOTS

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1280, "height": 900}
PASSWORD = "correct-horse-battery"
CSV = "\n".join(
    ["e-mail;naam;functie"]
    + [f"lager{i}@linde.example;Lager {i};lager" for i in range(6)]
    + [f"kleuter{i}@linde.example;Kleuter {i};kleuter" for i in range(5)]
    + ["zorg0@linde.example;Zorg 0;zorg", "geen-adres;Niemand;lager"]
)


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"manage-{name}.png"), full_page=True)


def log_in(page, base: str, email: str) -> None:
    page.goto(base + "/aanmelden")
    page.get_by_label("E-mailadres").fill(email)
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Aanmelden").click()
    page.wait_for_url(re.compile(r".*/(start|scholen/\d+)$"))


@pytest.fixture
def director_school(app, school, director):
    from rok.framework.services import load_bank

    load_bank()
    db.session.commit()
    return school, director


def test_director_builds_opens_and_follows_a_survey(
    browser, live_server, director_school, tmp_path
):
    from rok.mail import OutboxMessage  # here: importing rok.mail first is circular

    school, director = director_school
    base = live_server.url
    context = browser.new_context(viewport=DESKTOP, locale="nl-BE")
    context.set_default_timeout(15_000)
    page = context.new_page()
    failures = []  # server errors and missing resources (the favicon aside)
    page.on(
        "response",
        lambda r: (
            failures.append((r.status, r.url))
            if r.status >= 500 or (r.status == 404 and "favicon" not in r.url)
            else None
        ),
    )
    log_in(page, base, director.email)

    # Beslissen: the tile on the school's home page, then a new survey.
    page.goto(f"{base}/scholen/{school.id}")
    page.get_by_role("link", name="Bevragingen").click()
    expect(page.get_by_role("heading", name="Bevragingen")).to_be_visible()
    shot(page, "index-empty")
    page.get_by_role("link", name="Nieuwe bevraging").click()
    page.get_by_label("Titel").fill("Teambevraging voorjaar")
    page.get_by_label("Start (gepland)").fill("2026-11-23")
    page.get_by_label("Einde (gepland, die dag inbegrepen)").fill("2026-12-11")
    shot(page, "new")
    page.get_by_role("button", name="Bevraging aanmaken").click()
    expect(page.locator(".flash")).to_contain_text("standaardselectie")
    expect(page.locator(".phase.is-current")).to_contain_text("Voorbereiden")
    shot(page, "overview-preparing")
    db.session.rollback()  # end the test's read snapshot: the server wrote since
    survey = db.session.scalars(sa.select(Survey)).one()
    assert len(survey.statements) > 20

    page.get_by_role("link", name="Stellingen", exact=True).click()
    expect(page.locator(".statement-row")).to_have_count(len(survey.statements))
    shot(page, "statements")

    # Voorbereiden: import a CSV with one bad row, then only the valid rows.
    page.get_by_role("link", name="Deelnemers", exact=True).click()
    csv_path = tmp_path / "personeel.csv"
    csv_path.write_text(CSV, encoding="utf-8")
    page.get_by_label("CSV-bestand").set_input_files(str(csv_path))
    page.get_by_role("button", name="Lijst controleren en importeren").click()
    expect(page.locator(".report-table")).to_contain_text("geen geldig e-mailadres")
    shot(page, "import-report")
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Participant)) == 0
    page.get_by_role("button", name=re.compile("Alleen de geldige rijen")).click()
    expect(page.locator(".flash")).to_contain_text("12 deelnemer(s) toegevoegd")
    shot(page, "participants")

    page.get_by_role("link", name="Teamlink", exact=True).click()
    page.get_by_label("Teamlink aanzetten").check()
    page.get_by_label("Verwachte teamgrootte").fill("25")
    page.get_by_role("button", name="Bewaren").click()
    expect(page.locator("img.qr")).to_be_visible()
    # The QR image is a separate request: wait until the browser has decoded it.
    page.wait_for_function(
        "() => { const img = document.querySelector('img.qr');"
        " return img && img.complete && img.naturalWidth > 0; }", timeout=15_000)
    assert page.locator("img.qr").evaluate("img => img.naturalWidth") > 100
    shot(page, "team-link")

    page.get_by_role("link", name="Voorbeeld", exact=True).click()
    expect(page.locator(".answer-card").first).to_contain_text("Helemaal eens")
    shot(page, "preview")

    # Uitvoeren: open, then one colleague finishes.
    page.get_by_role("link", name="Overzicht", exact=True).click()
    page.get_by_role("button", name="Bevraging openen").click()
    expect(page.locator(".flash")).to_contain_text("12 uitnodiging(en)")
    expect(page.locator(".phase.is-current")).to_contain_text("Uitvoeren")
    shot(page, "overview-open")
    db.session.rollback()
    assert db.session.scalar(sa.select(Survey.status)) == SurveyStatus.OPEN
    invitations = db.session.scalars(
        sa.select(OutboxMessage.to_address).where(
            OutboxMessage.kind == "survey_invitation"
        )
    ).all()
    assert sorted(invitations) == sorted(
        [f"lager{i}@linde.example" for i in range(6)]
        + [f"kleuter{i}@linde.example" for i in range(5)]
        + ["zorg0@linde.example"]
    )
    first = db.session.scalars(
        sa.select(Participant).where(Participant.email == "lager0@linde.example")
    ).one()
    first.has_finished = True
    db.session.commit()

    page.get_by_role("link", name="Opvolgen", exact=True).click()
    personal = page.locator("table.rates").first
    expect(personal).to_contain_text("1 van 12")
    expect(page.get_by_text("Lager onderwijs", exact=True)).to_be_visible()
    # zorg (1) is too small: kleuter (5) joins it in "overige" (6), so zorg's
    # count cannot be recovered from the total.
    expect(page.locator(".rates").nth(1)).to_contain_text("overige")
    expect(page.locator(".rates").nth(1)).not_to_contain_text("Zorg en ondersteuning")
    assert "lager0@linde.example" not in page.content()
    shot(page, "monitor")
    assert failures == []

    # The same pages on a phone.
    phone_context = browser.new_context(
        viewport=PHONE,
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        locale="nl-BE",
    )
    phone_context.set_default_timeout(15_000)
    phone = phone_context.new_page()
    log_in(phone, base, director.email)
    survey_url = f"{base}/scholen/{school.id}/bevragingen/{survey.id}"
    for name, path in [
        ("index", "/.."),
        ("overview", ""),
        ("statements", "/stellingen"),
        ("participants", "/deelnemers"),
        ("monitor", "/opvolgen"),
    ]:
        url = (
            f"{base}/scholen/{school.id}/bevragingen"
            if name == "index"
            else (survey_url + path)
        )
        phone.goto(url)
        width = phone.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"{name} scrolls sideways ({width}px)"
        shot(phone, f"phone-{name}")
    phone_context.close()
    context.close()
