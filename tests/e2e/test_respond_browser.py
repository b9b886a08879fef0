"""Answer a whole survey on a phone, with the server crashing half-way.

Every test drives Chromium against a real gunicorn server (tests/live.py), SIGKILLs
the server in the middle, restarts it, and checks that every acknowledged answer is
still there — on another device for a personal link — and that the database holds
exactly what was clicked.
"""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from rok.extensions import db
from rok.surveys import links
from rok.surveys.models import Answer, Comment, Participant, Response
from tests.conftest import DEFAULT_SCALES
from tests.e2e.conftest import screenshot

pytestmark = pytest.mark.browser

STATEMENTS = 45  # about a default selection
HALF = 22
AGREEMENT = {p["value"]: p["label"] for p in DEFAULT_SCALES["agreement"]["points"]}
NO_VIEW = DEFAULT_SCALES["agreement"]["no_view"]["label"]
ACTION = {p["value"]: p["label"] for p in DEFAULT_SCALES["action"]["points"]}
COMMENTS = {"D": "Meer overleg over doelen, graag.", "KO": "<b>niet vet</b> & eerlijk"}


def expected(number: int) -> tuple[int | None, bool, int | None]:
    """Return the answer given to statement ``number``: agreement, no_view, action."""
    choice = number % 5
    agreement, no_view = (None, True) if choice == 0 else (choice, False)
    action = 1 + number % 4 if number % 2 == 0 else None
    return agreement, no_view, action


def answer_card(page, number: int, *, javascript: bool) -> None:
    """Tap the answers for statement ``number`` and go to the next step."""
    assert page.locator(".progress-text").inner_text().startswith(f"{number} van")
    agreement, no_view, action = expected(number)
    label = NO_VIEW if no_view else AGREEMENT[agreement]
    radios = [page.get_by_role("radio", name=label, exact=True)]
    if action is not None:
        radios.append(page.get_by_role("radio", name=ACTION[action], exact=True))
    changed = False
    for radio in radios:
        changed = changed or not radio.is_checked()
        radio.check()
    if javascript and changed:
        expect(page.locator(".save-status")).to_contain_text("Opgeslagen")
    go_next(page)


def go_next(page) -> None:
    form = page.locator("main form").first
    target = form.get_attribute("data-next")
    name = re.compile("^(Volgende|Terug naar overzicht)$")
    page.get_by_role("button", name=name).click()
    if target:
        page.wait_for_url(f"**{target}")
    else:
        page.wait_for_load_state()


def answer_steps(page, *, until: int, javascript: bool) -> None:
    """Answer cards (and comment boxes) until statement ``until`` is done."""
    while True:
        path = page.url.split("://", 1)[1].split("/", 1)[1]
        if m := re.search(r"/stelling/(\d+)$", path):
            number = int(m.group(1))
            if number > until:
                return
            answer_card(page, number, javascript=javascript)
        elif m := re.search(r"/opmerking/(\w+)$", path):
            if m.group(1) in COMMENTS:
                box = page.get_by_label(re.compile("Jouw opmerking"))
                box.fill(COMMENTS[m.group(1)])
            go_next(page)
        else:
            return


def check_review(page, upto: int, *, also: int | None = None) -> None:
    """The review page shows every answer given so far (and statement ``also``)."""
    items = page.locator(".review-item:not(.review-comment)")
    assert items.count() == STATEMENTS
    for number in range(1, upto + 1):
        agreement, no_view, action = expected(number)
        text = items.nth(number - 1).locator(".review-answer").inner_text()
        assert (NO_VIEW if no_view else AGREEMENT[agreement]) in text, (number, text)
        if action is not None:
            assert ACTION[action] in text, (number, text)
    for number in range(upto + 1, STATEMENTS + 1):
        if number == also:
            continue
        assert "Nog niet beantwoord" in items.nth(number - 1).inner_text()


def submit_and_check_database(page, survey, *, subgroups: dict) -> None:
    page.get_by_role("button", name="Antwoorden indienen").click()
    page.wait_for_url("**/bedankt")
    assert "Bedankt" in page.locator("h1").inner_text()
    db.session.rollback()  # end the test's read snapshot: see the server's writes
    response = db.session.scalars(sa.select(Response)).one()
    assert response.is_submitted and response.resume_key_hash is None
    assert response.subgroups == subgroups
    answers = {a.statement_id: a for a in db.session.scalars(sa.select(Answer))}
    assert len(answers) == STATEMENTS
    for number, statement in enumerate(survey.statements, 1):
        stored = answers[statement.id]
        assert (stored.agreement, stored.no_view, stored.action) == expected(number)
    comments = {c.area_code: c.text for c in db.session.scalars(sa.select(Comment))}
    assert comments == COMMENTS


@pytest.fixture
def survey(app, school, create_survey):
    return create_survey(school, statements=STATEMENTS, team_link=True)


@pytest.fixture
def participant(survey):
    token = links.new_token()
    person = Participant(survey=survey, email="juf@linde.example",
                         subgroups={"functie": "kleuter"},
                         token_hash=links.participant_hash(token),
                         link_ciphertext=links.encrypt_token(token))
    db.session.add(person)
    db.session.commit()
    return person, token


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
def test_personal_link_survives_a_crash_and_a_device_change(live_server, phone, survey,
                                                            participant, javascript):
    person, token = participant
    page = phone(javascript=javascript)
    page.goto(f"{live_server.url}/b/{token}")
    assert token not in page.url  # moved into a cookie at once
    page.get_by_role("button", name="Start").click()
    page.wait_for_url("**/stelling/1")
    answer_steps(page, until=HALF, javascript=javascript)

    live_server.crash()
    if javascript:
        # Offline: the tap is kept on the device and retried until the server is back.
        page.get_by_role("radio", name=AGREEMENT[3], exact=True).check()
        expect(page.locator(".save-status")).to_contain_text("opnieuw geprobeerd")
        live_server.start()
        expect(page.locator(".save-status")).to_contain_text("Opgeslagen",
                                                             timeout=30_000)
        resumed_at = HALF + 2
    else:
        live_server.start()
        resumed_at = HALF + 1

    other = phone(javascript=javascript)  # another device, the same link
    other.goto(f"{live_server.url}/b/{token}")
    other.wait_for_url(f"**/stelling/{resumed_at}")
    other.goto(f"{live_server.url}/b/s/{survey.id}/overzicht")
    check_review(other, HALF, also=HALF + 1 if javascript else None)
    if javascript:  # the answer given while the server was down
        text = other.locator(".review-item:not(.review-comment)").nth(HALF).inner_text()
        assert AGREEMENT[3] in text
    other.goto(f"{live_server.url}/b/s/{survey.id}/stelling/{HALF + 1}")
    answer_steps(other, until=STATEMENTS, javascript=javascript)
    assert other.url.endswith("/overzicht")
    check_review(other, STATEMENTS)
    submit_and_check_database(other, survey, subgroups={"functie": "kleuter"})
    db.session.refresh(person)
    assert person.has_finished
    # The link now only thanks; the first device cannot change anything either.
    other.goto(f"{live_server.url}/b/{token}")
    assert "al ingediend" in other.content()
    page.goto(f"{live_server.url}/b/s/{survey.id}/stelling/1")
    assert "al ingediend" in page.content()


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
def test_team_link_survives_a_crash_and_blocks_a_second_response(live_server, phone,
                                                                 survey, javascript):
    page = phone(javascript=javascript)
    page.goto(f"{live_server.url}/t/{survey.team_key}")
    assert survey.team_key not in page.url
    page.get_by_role("button", name="Start").click()
    page.wait_for_url("**/groep")
    page.get_by_role("radio", name="Zorg", exact=True).check()
    page.get_by_role("button", name="Verder").click()
    page.wait_for_url("**/stelling/1")
    answer_steps(page, until=HALF, javascript=javascript)

    live_server.crash()
    live_server.start()
    # The same device (its cookie is the key) resumes where it stopped.
    page.goto(f"{live_server.url}/t/{survey.team_key}")
    page.wait_for_url(f"**/stelling/{HALF + 1}")
    answer_steps(page, until=STATEMENTS, javascript=javascript)
    check_review(page, STATEMENTS)
    submit_and_check_database(page, survey, subgroups={"functie": "zorg"})
    page.goto(f"{live_server.url}/t/{survey.team_key}")
    assert "al geantwoord" in page.content()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Response)) == 1
    screenshot(page, "team-done")
