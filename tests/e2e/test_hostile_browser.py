"""Hostile text is shown as text, never run: every page where stored text appears.

Markup, a ``javascript:`` URL, a 5,000-character string, control characters and a
right-to-left override are stored in statement texts, subgroup names, respondents'
comments, the school's name, participant names (CSV import, with a hostile file
name), notes and action-plan goal titles: through the real forms where they accept
the text, directly in the database where a form refuses it (and then the refusal
must be a 4xx). Then Chromium opens every page that shows them, against the real
server (tests/live.py), and checks that no injected script ran, no dialog opened,
no injected markup triggered a Content-Security-Policy violation, no injected
element (``img``, inline ``script``, ``javascript:`` link) exists, and the text is
visible on the page as text (``innerText``, with fold-outs opened).
"""

from __future__ import annotations

import csv
import io
import re

import pytest
import sqlalchemy as sa

from rok.extensions import db
from tests.conftest import PASSWORD
from tests.dashboard.synthetic import fill_survey

pytestmark = pytest.mark.browser

SCRIPT = "<script>window.__pwned=1</script>"
IMG = '"><img src=x onerror="window.__pwned=1">'
JS_URL = "javascript:window.__pwned=1"
LONG = ("<b>lang</b>" * 500)[:5000]
CTRL = "ctrl\x01\x07\x08\x0b\x0c\x1b\x7f|einde"
RTL = "rtl\u202egevaarlijk.exe"
HOSTILE = {"script": SCRIPT, "img": IMG, "js": JS_URL, "long": LONG, "ctrl": CTRL,
           "rtl": RTL}
#: What must be readable on a page that shows the hostile texts.
MARKUP = (SCRIPT, IMG, JS_URL)
ALL = (*MARKUP, LONG[:200], RTL, CTRL)
#: Participant names are at most 120 characters (the column's length).
NAMES = (*MARKUP, LONG[:100], RTL, CTRL)

DESKTOP = {"width": 1280, "height": 900}
WATCH = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', e => window.__csp.push(
    e.violatedDirective + ' ' + (e.blockedURI || '') + ' ' + (e.sample || '')));
window.alert = window.confirm = window.prompt = () => { window.__dialog = 1; };
"""
INJECTED = """() => ({
    pwned: typeof window.__pwned,
    dialog: typeof window.__dialog,
    csp: window.__csp || [],
    img: document.querySelectorAll('img[src="x"], [onerror], [onload]').length,
    script: [...document.scripts].filter(s => s.textContent.includes('__pwned')
        && s.type !== 'application/json').length,
    href: document.querySelectorAll('[href^="javascript:" i], [src^="javascript:" i],'
        + ' [action^="javascript:" i], [formaction^="javascript:" i]').length,
    text: document.body.innerText,
})"""


class Stored:
    """Store hostile text through a form, or in the database when it refuses."""

    def __init__(self, client) -> None:
        self.client = client
        self.how: list[tuple[str, str, str]] = []

    def __call__(self, what: str, name: str, url: str, data: dict, direct) -> str:
        response = self.client.post(url, data=data)
        if response.status_code in (302, 303):
            self.how.append((what, name, "form"))
            return "form"
        assert 400 <= response.status_code < 500, (what, name, response.status_code)
        direct()
        db.session.commit()
        self.how.append((what, name, f"db ({response.status_code})"))
        return "db"


@pytest.fixture
def hostile_world(app, school, director, client, login, create_user, add_membership):
    """A school full of hostile text: returns what the browser needs."""
    from rok.accounts.models import Role
    from rok.framework.services import load_bank
    from rok.processing.models import AreaNote, Goal, UnitLevel
    from rok.surveys import links
    from rok.surveys.models import (
        Comment,
        Participant,
        SubgroupDimension,
        SubgroupOption,
        Survey,
        SurveyStatement,
        SurveyStatus,
    )

    load_bank()
    db.session.commit()
    login(director)
    store = Stored(client)
    base = f"/scholen/{school.id}/bevragingen"

    # The school's name: the platform form refuses control characters and bidi
    # overrides, so the director's school gets the worst name directly.
    root = create_user("beheer@rok.example", "Beheer", is_platform_admin=True)
    admin = app.test_client()
    login(root, c=admin)
    for key in ("img", "ctrl", "rtl"):
        response = admin.post("/beheer/scholen", data={
            "name": HOSTILE[key], "levels": ["bao"],
            "admin_email": f"dir-{key}@elders.example"})
        expected = 302 if key == "img" else 400
        assert response.status_code == expected, (key, response.status_code)
    school.name = f"{SCRIPT} {IMG} {RTL} {CTRL}"
    # Mail text can carry anything (a failing server's answer too).
    from rok.mail import OutboxMessage

    db.session.add_all([
        OutboxMessage(to_address="ouder@linde.example", subject=IMG,
                      body=f"{SCRIPT}\n{LONG}\n{CTRL}", school_id=school.id),
        OutboxMessage(to_address="fout@linde.example", subject="Fout",
                      body="-", attempts=3, last_error=f"550 {IMG}"[:255])])
    colleague = create_user("collega@linde.example", f"{IMG} {SCRIPT}")
    add_membership(colleague, school, Role.SCHOOL_ADMIN, position=RTL + JS_URL)
    db.session.commit()

    # A survey from the bank, with its title through the form.
    response = client.post(f"{base}/nieuw", data={
        "title": IMG, "level": "bao", "rubrieken": ["RE", "OL", "BE", "KO"]})
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    survey = db.session.scalars(sa.select(Survey)).one()
    sid = survey.id
    url = f"{base}/{sid}"

    # Statement texts: reworded bank statements and the school's own statements.
    expectation = survey.statements[0].expectation_code
    reworded = {}
    for index, (key, text) in enumerate(HOSTILE.items()):
        statement = survey.statements[index]
        reworded[key] = statement.id

        def rewrite(statement=statement, text=text):
            statement.text = text
        store("reworded statement", key, f"{url}/stellingen/{statement.id}",
              {"text": text}, rewrite)

        def own(text=text, statement=statement):
            survey.statements.append(SurveyStatement(
                position=len(survey.statements), text=text, original_text=None,
                expectation_code=expectation, area_code=statement.area_code,
                rubriek_code=statement.rubriek_code))
        store("own statement", key, f"{url}/stellingen/eigen",
              {"own-text": text, "own-expectation": expectation}, own)

    # Subgroups: one dimension per hostile name, each with hostile options.
    for key, text in HOSTILE.items():
        def dimension(text=text, key=key):
            survey.dimensions.append(SubgroupDimension(
                key=f"dim-{key}", label=text[:80], position=len(survey.dimensions)))
        store("dimension", key, f"{url}/deelgroepen", {"new-label": text}, dimension)
    db.session.expire_all()
    hostile_dimension = survey.dimensions[-len(HOSTILE)]  # the "script" one
    for key, text in HOSTILE.items():
        def option(text=text, key=key):
            hostile_dimension.options.append(SubgroupOption(
                key=f"opt-{key}", label=text[:80],
                position=len(hostile_dimension.options)))
        store("option", key, f"{url}/deelgroepen/{hostile_dimension.id}/keuzes",
              {"label": text}, option)
    db.session.expire_all()

    # A respondent with a known link, and one to open the survey's invitations.
    token = links.new_token()
    db.session.add(Participant(survey_id=sid, email="respondent@linde.example",
                               name="Respondent", token_hash=links.participant_hash(
                                   token), link_ciphertext=links.encrypt_token(token)))
    db.session.commit()
    return {"school": school, "survey_id": sid, "url": url, "store": store,
            "reworded": reworded, "token": token,
            "dimension": hostile_dimension.key,
            "Survey": Survey, "SurveyStatus": SurveyStatus, "Comment": Comment,
            "AreaNote": AreaNote, "Goal": Goal, "UnitLevel": UnitLevel,
            "Participant": Participant}


def _csv(rows) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow(["e-mail", "naam"])
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def _log_in(page, base: str, email: str) -> None:
    page.goto(base + "/aanmelden")
    page.get_by_label("E-mailadres").fill(email)
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Aanmelden").click()
    page.wait_for_url(re.compile(r".*/(start|scholen/\d+)$"))


class Watcher:
    """Collect dialogs and CSP reports of a page and check it after each visit."""

    def __init__(self, page) -> None:
        self.page = page
        self.dialogs: list[str] = []
        self.console: list[str] = []
        self.problems: list[str] = []
        page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))
        page.on("console", lambda m: self.console.append(m.text)
                if "Content Security Policy" in m.text else None)
        page.on("pageerror", lambda e: self.problems.append(f"pageerror: {e}"))

    def check(self, name: str, *, expect=(), status: int | None = 200) -> str:
        found = self.page.evaluate(INJECTED)
        if found["pwned"] != "undefined":
            self.problems.append(f"{name}: window.__pwned is set")
        if found["dialog"] != "undefined" or self.dialogs:
            self.problems.append(f"{name}: a dialog opened {self.dialogs}")
        for kind in ("img", "script", "href"):
            if found[kind]:
                self.problems.append(f"{name}: {found[kind]} injected {kind} "
                                     "element(s)")
        if found["csp"] or self.console:
            self.problems.append(f"{name}: CSP violation {found['csp']} {self.console}")
        for text in expect:
            if text not in found["text"]:
                self.problems.append(f"{name}: {text[:40]!r} is not shown as text")
        self.dialogs.clear()
        self.console.clear()
        return found["text"]

    def visit(self, base: str, path: str, name: str, *, expect=(), status=200) -> str:
        response = self.page.goto(base + path)
        if status is not None and response.status != status:
            self.problems.append(f"{name}: {path} answered {response.status}")
        for chart in self.page.locator("[data-chart]").all():
            chart.locator("svg, .chart-failed").first.wait_for(state="attached")
        # Fold-outs (comments, mail bodies) are opened as a reader would.
        self.page.evaluate("document.querySelectorAll('details')"
                           ".forEach(d => { d.open = true; })")
        return self.check(name, expect=expect)


def test_hostile_text_is_shown_as_text_on_every_page(live_server, browser,
                                                    hostile_world, director, tmp_path):
    world = hostile_world
    base, url, sid = live_server.url, world["url"], world["survey_id"]
    store = world["store"]
    Survey, SurveyStatus = world["Survey"], world["SurveyStatus"]
    context = browser.new_context(viewport=DESKTOP, locale="nl-BE")
    context.set_default_timeout(15_000)
    context.route("**/favicon.ico", lambda route: route.fulfill(status=204))
    context.add_init_script(WATCH)
    page = context.new_page()
    watch = Watcher(page)
    _log_in(page, base, director.email)

    # Participants through the real upload, from a file with a hostile name.
    rows = [[f"naam-{key}@linde.example", text] for key, text in HOSTILE.items()]
    page.goto(f"{base}{url}/deelnemers")
    page.get_by_label("CSV-bestand").set_input_files(files=[{
        "name": f"{IMG}{SCRIPT}{RTL}.csv", "mimeType": "text/csv",
        "buffer": _csv(rows)}])
    page.get_by_role("button", name="Lijst controleren en importeren").click()
    page.wait_for_load_state()
    report = watch.check("import report")
    if "Alleen de geldige rijen" in report:  # some names refused: import the rest
        page.get_by_role("button", name=re.compile("Alleen de geldige rijen")).click()
        page.wait_for_load_state()
        watch.check("import of the valid rows")
    db.session.rollback()
    Participant = world["Participant"]
    imported = {p.name for p in db.session.scalars(sa.select(Participant))}
    for key, text in HOSTILE.items():
        if text not in imported:
            db.session.add(Participant(survey_id=sid, email=f"db-{key}@linde.example",
                                       name=text[:120]))
            store.how.append(("participant name", key, "db (import refused)"))
        else:
            store.how.append(("participant name", key, "form (CSV)"))
    db.session.commit()

    # Preparing: every management page that shows the texts.
    reworded = world["reworded"]
    preparing = {
        "school home": (f"/scholen/{world['school'].id}", [SCRIPT, IMG]),
        "team": (f"/scholen/{world['school'].id}/team", [SCRIPT, IMG, JS_URL]),
        "start": ("/start", [SCRIPT]),
        "surveys": (url.rsplit("/", 1)[0], [IMG]),
        "overview": (url, [IMG]),
        "statements": (f"{url}/stellingen", ALL),
        "edit statement": (f"{url}/stellingen/{reworded['img']}", []),
        "edit long statement": (f"{url}/stellingen/{reworded['long']}", []),
        "subgroups": (f"{url}/deelgroepen", []),
        "participants": (f"{url}/deelnemers", NAMES),
        "preview": (f"{url}/voorbeeld", ALL),
        "intro": (f"{url}/inleiding", []),
        "settings": (f"{url}/instellingen", []),
        "team link": (f"{url}/teamlink", []),
    }
    for name, (path, expect) in preparing.items():
        watch.visit(base, path, name, expect=expect)
    # Input values keep the text as an attribute value, not as markup.
    page.goto(f"{base}{url}/deelgroepen")
    values = page.locator("input[name=label]").evaluate_all(
        "inputs => inputs.map(i => i.value)")
    assert SCRIPT in values and IMG in values and JS_URL in values, values

    # Open the survey: invitations (with the participants' names) in the outbox.
    page.goto(f"{base}{url}")
    page.get_by_role("button", name=re.compile("openen", re.I)).first.click()
    page.wait_for_load_state()
    db.session.rollback()
    if db.session.get(Survey, sid).status != SurveyStatus.OPEN:  # a confirm step
        page.get_by_role("button", name=re.compile("openen", re.I)).last.click()
        page.wait_for_load_state()
        db.session.rollback()
    assert db.session.get(Survey, sid).status == SurveyStatus.OPEN
    watch.check("opened")
    for name, path, expect in [
        ("monitor", f"{url}/opvolgen", []),
        ("outbox", f"/scholen/{world['school'].id}/uitgaande-mail",
         [SCRIPT, IMG, LONG[:200]]),
    ]:
        watch.visit(base, path, name, expect=expect)

    # The respondent, in a phone-sized context of their own.
    respondent = browser.new_context(viewport={"width": 390, "height": 844},
                                     locale="nl-BE")
    respondent.set_default_timeout(15_000)
    respondent.add_init_script(WATCH)
    phone = respondent.new_page()
    answer = Watcher(phone)
    answer.visit(base, f"/b/{world['token']}", "respondent intro",
                 expect=[SCRIPT, IMG])
    phone.get_by_role("button", name=re.compile("Start|Begin", re.I)).first.click()
    phone.wait_for_url(re.compile(r".*/groep$"))
    answer.check("respondent subgroups", expect=MARKUP)
    for fieldset in phone.locator("fieldset").all():
        fieldset.locator("input[type=radio]").first.check()
    phone.get_by_role("button", name=re.compile("Verder|Volgende|Start",
                                                re.I)).first.click()
    phone.wait_for_url(re.compile(r".*/stelling/\d+$"))
    answer.check("card 1", expect=[SCRIPT])
    db.session.rollback()
    survey = db.session.get(Survey, sid)
    numbers = {s.id: n for n, s in enumerate(
        sorted(survey.statements, key=lambda s: s.position), start=1)}
    for key, statement_id in reworded.items():
        answer.visit(base, f"/b/s/{sid}/stelling/{numbers[statement_id]}",
                     f"card {key}", expect=[HOSTILE[key]] if key in ("img", "js")
                     else [])
    for number in range(len(numbers) - len(HOSTILE) + 1, len(numbers) + 1):
        answer.visit(base, f"/b/s/{sid}/stelling/{number}", f"own card {number}")
    # A comment through the real form; a 5,000-character one is refused.
    area = survey.statements[0].area_code
    comment_text = f"{SCRIPT} {IMG} {JS_URL} {RTL}"
    answer.visit(base, f"/b/s/{sid}/opmerking/{area}", "comment page")
    csrf = phone.locator("input[name=csrf_token]").first.input_value()
    phone.locator("textarea").fill(comment_text)
    phone.get_by_role("button", name=re.compile("Verder|Volgende|Bewaren",
                                                re.I)).last.click()
    phone.wait_for_load_state()
    answer.check("after comment")
    refused = respondent.request.post(f"{base}/b/s/{sid}/opmerking/{area}",
                                      form={"comment": LONG, "csrf_token": csrf})
    assert refused.status == 400, refused.status
    assert "hoogstens 2000 tekens" in refused.text()
    # Control characters and bidi overrides are stripped from comments.
    answer.visit(base, f"/b/s/{sid}/overzicht", "review", expect=MARKUP)
    assert not answer.problems, "\n".join(answer.problems)
    respondent.close()

    # Many more (synthetic) respondents, hostile comments, then close the survey.
    db.session.rollback()
    survey = db.session.get(Survey, sid)
    options = [o.key for d in survey.dimensions if d.key == world["dimension"]
               for o in d.options]
    ids = fill_survey(survey, 36, seed=5, comment_share=0, groups={
        world["dimension"]: [(option, 1) for option in options]})
    Comment = world["Comment"]
    db.session.add_all(Comment(response_id=rid, area_code=area, text=f"Opm: {text}")
                       for rid, text in zip(ids[:12], [*HOSTILE.values()] * 2,
                                               strict=True))
    survey.status = SurveyStatus.CLOSED
    db.session.commit()

    # Processing: notes and goal titles through the forms (or the database).
    AreaNote, Goal, UnitLevel = world["AreaNote"], world["Goal"], world["UnitLevel"]
    for key, text in HOSTILE.items():
        def note(text=text):
            db.session.add(AreaNote(survey_id=sid, unit_level=UnitLevel.AREA,
                                    unit_code=area, text=text))
        store("note", key, f"{url}/notities", {"unit": f"area:{area}", "text": text},
              note)

        def goal(text=text):
            db.session.add(Goal(survey_id=sid, title=text[:200]))
        store("goal title", key, f"{url}/actieplan/nieuw",
              {"title": text, "status": "planned"}, goal)
    db.session.rollback()
    note_id = db.session.scalar(sa.select(AreaNote.id).where(
        AreaNote.survey_id == sid).limit(1))
    goal_id = db.session.scalar(sa.select(Goal.id).where(
        Goal.survey_id == sid).limit(1))
    rubriek = survey.statements[0].rubriek_code
    dash = f"{url}/dashboard"
    closed = {
        "dashboard": (f"{dash}/", []),
        "dashboard rubriek with comments": (f"{dash}/rubriek/{rubriek}", [
            f"Opm: {SCRIPT}", f"Opm: {IMG}", f"Opm: {JS_URL}", f"Opm: {RTL}"]),
        "dashboard expectation": (
            f"{dash}/verwachting/{survey.statements[0].expectation_code}", [SCRIPT]),
        "dashboard statement": (f"{dash}/stelling/{reworded['img']}", [IMG]),
        "dashboard lists": (f"{dash}/lijsten", []),
        "dashboard subgroups": (
            f"{dash}/deelgroepen?deelgroep={world['dimension']}", [SCRIPT]),
        "dashboard group filter": (
            f"{dash}/rubriek/{rubriek}?groep={world['dimension']}:{options[0]}",
            [SCRIPT]),
        "dashboard matrix": (f"{dash}/prioriteiten", []),
        "dashboard present": (f"{dash}/presentatie", []),
        "dashboard present 2": (f"{dash}/presentatie?dia=2", []),
        "processing": (f"{url}/verwerken", []),
        "notes": (f"{url}/notities", ALL),
        "edit note": (f"{url}/notities/{note_id}", []),
        "action plan": (f"{url}/actieplan", ALL),
        "edit goal": (f"{url}/actieplan/{goal_id}", []),
        "board": (f"{url}/actieplan/bord", ALL),
        "self placement": (f"{url}/zelfevaluatie", []),
        "school processing": (f"/scholen/{world['school'].id}/verwerken", []),
        "overview closed": (url, []),
    }
    for name, (path, expect) in closed.items():
        watch.visit(base, path, name, expect=expect)
    context.close()

    # The platform administration lists every school and every mail.
    admin = browser.new_context(viewport=DESKTOP, locale="nl-BE")
    admin.add_init_script(WATCH)
    admin_page = admin.new_page()
    root = Watcher(admin_page)
    _log_in(admin_page, base, "beheer@rok.example")
    root.visit(base, "/beheer/scholen", "platform schools", expect=[SCRIPT, IMG])
    root.visit(base, "/beheer/uitgaande-mail", "platform outbox", expect=[IMG])
    admin.close()

    print("\nhow the hostile texts were stored:")
    for what, key, how in store.how:
        print(f"  {what:<20} {key:<7} {how}")
    assert not watch.problems + root.problems, "\n".join(watch.problems + root.problems)
