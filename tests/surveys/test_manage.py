"""A director runs a survey alone, through HTTP: the four phases end to end."""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ElementTree
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from manage_support import base_url, count, new_survey, text

from rok.extensions import db
from rok.framework import services as bank_services
from rok.mail import OutboxMessage, send_pending
from rok.surveys import links
from rok.surveys.manage import running
from rok.surveys.models import (
    Answer,
    Participant,
    Reminder,
    Response,
    SubgroupDimension,
    Survey,
    SurveyStatement,
    SurveyStatus,
)

#: 14 people: 6 lager, 5 kleuter, 2 zorg, 1 beleidsteam; plus five broken rows.
CSV_WITH_ERRORS = "\n".join(
    ["e-mail;naam;Functie;ervaring"]
    + [f"lager{i}@linde.example;Lager {i};lager;Meer dan 5 jaar" for i in range(6)]
    + [f"kleuter{i}@linde.example;Kleuter {i};Kleuteronderwijs;" for i in range(5)]
    + [
        "zorg0@linde.example;Zorg 0;zorg;",
        "zorg1@linde.example;Zorg 1;zorg;",
        "directeur@linde.example;Directeur;beleidsteam;Meer dan 5 jaar",
        "geen-adres;Niemand;lager;",
        "lager0@linde.example;Dubbel;lager;",
        "iemand@linde.example;Iemand;turnleraar;",
        'formule@linde.example;=HYPERLINK("http://x");lager;',
        "plus@linde.example;+32 3 123;lager;",
    ]
)

pytest_plugins = ["manage_fixtures"]


def _default_statements(version, rubrieken=("RE", "OL", "BE", "KO")):
    return [
        s
        for s in bank_services.browse(version, "bao", default_only=True)
        if s.expectation.area.rubriek.code in rubrieken
    ]


def test_director_runs_a_survey_through_the_four_phases(
    admin, school, bank, smtp_server, runner, app
):
    url = base_url(school)

    # --- beslissen -------------------------------------------------------------
    page = admin.get(url)
    assert page.status_code == 200 and "Nieuwe bevraging" in text(page)
    survey = new_survey(admin, school, rubrieken=["RE", "OL", "BE"])
    defaults = _default_statements(bank, ("RE", "OL", "BE"))
    assert [s.origin_key for s in survey.statements] == [s.key for s in defaults]
    first = survey.statements[0]
    assert first.text == first.original_text == defaults[0].text
    assert (first.expectation_code, first.rubriek_code) == (
        defaults[0].expectation.code,
        defaults[0].expectation.area.rubriek.code,
    )
    assert {s.rubriek_code for s in survey.statements} <= {"RE", "OL", "BE"}
    assert survey.scales == bank.scales
    assert survey.bank_version_id == bank.id
    role = survey.dimensions[0]
    assert role.is_role and role.key == "functie"
    assert [o.key for o in role.options] == [
        "beleidsteam",
        "kleuter",
        "lager",
        "zorg",
        "ondersteunend",
    ]
    assert [o.is_leadership for o in role.options] == [True, False, False, False, False]
    overview = text(admin.get(f"{url}/{survey.id}"))
    assert 'aria-current="step"' in overview and "Volgende stap" in overview
    assert re.search(
        r'is-current"[^>]*>\s*<span[^>]*>2</span>\s*<span class="phase-title">'
        r"Voorbereiden",
        overview,
    )

    # --- voorbereiden: statements ----------------------------------------------
    s_url = f"{url}/{survey.id}/stellingen"
    second = survey.statements[1]
    assert (
        admin.post(
            f"{s_url}/{second.id}/verplaatsen", data={"direction": "up"}
        ).status_code
        == 302
    )
    db.session.expire_all()
    assert survey.statements[0].id == second.id
    removed = survey.statements[-1]
    assert admin.post(f"{s_url}/{removed.id}/verwijderen").status_code == 302
    assert db.session.get(SurveyStatement, removed.id) is None
    target = survey.statements[2]
    assert (
        admin.post(
            f"{s_url}/{target.id}",
            data={"text": "Onze leerlingen zijn graag op school, ook op maandag."},
        ).status_code
        == 302
    )
    db.session.refresh(target)
    assert target.is_reworded and target.original_text != target.text
    assert target.origin_key is not None
    listing = text(admin.get(s_url))
    assert "aangepast" in listing and "<details" in listing
    assert target.original_text in listing

    response = admin.post(
        f"{s_url}/eigen",
        data={
            "own-text": "Wij spreken samen af welke doelen dit jaar voorrang krijgen.",
            "own-expectation": "D1",
        },
    )
    assert response.status_code == 302
    own = db.session.scalars(
        sa.select(SurveyStatement).where(
            SurveyStatement.survey_id == survey.id, SurveyStatement.origin_key.is_(None)
        )
    ).one()
    assert (own.expectation_code, own.area_code, own.rubriek_code) == ("D1", "D", "OL")

    picker = admin.get(f"{s_url}/bank?rubriek=KO")
    assert picker.status_code == 200
    extra = [s for s in bank_services.browse(bank, "bao", rubriek="KO")][0]
    assert extra.text in text(picker)
    assert "so-" not in text(picker)
    assert admin.post(f"{s_url}/bank", data={"keys": [extra.key]}).status_code == 302
    db.session.expire_all()
    assert survey.statements[-1].origin_key == extra.key
    assert survey.statements[-1].rubriek_code == "KO"
    assert [s.position for s in survey.statements] == list(
        range(len(survey.statements))
    )

    # --- voorbereiden: subgroups -----------------------------------------------
    g_url = f"{url}/{survey.id}/deelgroepen"
    assert admin.post(g_url, data={"new-label": "Ervaring"}).status_code == 302
    experience = db.session.scalars(
        sa.select(SubgroupDimension).where(
            SubgroupDimension.survey_id == survey.id,
            SubgroupDimension.key == "ervaring",
        )
    ).one()
    for label in ("Minder dan 5 jaar", "5 jaar of meer"):
        assert (
            admin.post(
                f"{g_url}/{experience.id}/keuzes", data={"label": label}
            ).status_code
            == 302
        )
    db.session.refresh(experience)
    later = experience.options[1]
    assert (
        admin.post(
            f"{g_url}/{experience.id}/keuzes/{later.id}/naam",
            data={"label": "Meer dan 5 jaar"},
        ).status_code
        == 302
    )
    db.session.refresh(later)
    assert later.label == "Meer dan 5 jaar" and later.key == "5_jaar_of_meer"
    leadership = role.options[0]
    refused = admin.post(f"{g_url}/{role.id}/keuzes/{leadership.id}/verwijderen")
    assert refused.status_code == 400 and "beleidsteam" in text(refused)
    refused = admin.post(f"{g_url}/{role.id}/verwijderen")
    assert refused.status_code == 400 and "functie blijft altijd" in text(refused)
    support = role.options[4]
    assert (
        admin.post(f"{g_url}/{role.id}/keuzes/{support.id}/verwijderen").status_code
        == 302
    )

    # --- voorbereiden: participants (errors first, then only the valid rows) ----
    p_url = f"{url}/{survey.id}/deelnemers"
    report = admin.post(
        f"{p_url}/importeren",
        data={"file": (io.BytesIO(CSV_WITH_ERRORS.encode("cp1252")), "personeel.csv")},
        content_type="multipart/form-data",
    )
    assert report.status_code == 400
    body = text(report)
    assert "14 rij(en) in orde, 5 rij(en) met fouten" in body
    assert "is geen geldig e-mailadres" in body
    assert "staat al eerder in de lijst (rij 2)" in body
    assert "&#34;turnleraar&#34; is geen keuze van de deelgroep Functie" in body
    assert "formule" in body
    assert count(Participant, survey_id=survey.id) == 0
    carried = re.search(r'name="carried"[^>]*value="([^"]*)"', body)
    assert carried, "the list is carried along in the confirmation form"
    import html

    confirmed = admin.post(
        f"{p_url}/importeren",
        data={"carried": html.unescape(carried.group(1)), "only_valid": "y"},
    )
    assert confirmed.status_code == 302
    people = db.session.scalars(
        sa.select(Participant).where(Participant.survey_id == survey.id)
    ).all()
    assert len(people) == 14
    by_email = {p.email: p for p in people}
    assert by_email["kleuter0@linde.example"].subgroups == {"functie": "kleuter"}
    assert by_email["lager1@linde.example"].subgroups == {
        "functie": "lager",
        "ervaring": "5_jaar_of_meer",
    }
    assert "formule@linde.example" not in by_email
    assert all(p.token_hash is None for p in people)

    # --- voorbereiden: team link, QR, intro, preview ------------------------------
    t_url = f"{url}/{survey.id}/teamlink"
    assert (
        admin.post(t_url, data={"enabled": "y", "expected_team_size": "20"}).status_code
        == 302
    )
    db.session.refresh(survey)
    assert survey.team_link_enabled and survey.team_key
    assert f"/t/{survey.team_key}" in text(admin.get(t_url))
    png = admin.get(f"{t_url}/qr.png")
    assert png.status_code == 200 and png.data.startswith(b"\x89PNG")
    svg = admin.get(f"{t_url}/qr.svg")
    assert svg.mimetype == "image/svg+xml"
    assert ElementTree.fromstring(svg.data).tag.endswith("svg")
    intro = "Beste collega\n\nWe bevragen het OK-kader. Je antwoorden zijn anoniem."
    assert (
        admin.post(
            f"{url}/{survey.id}/inleiding", data={"intro_text": intro}
        ).status_code
        == 302
    )
    preview = text(admin.get(f"{url}/{survey.id}/voorbeeld"))
    assert "We bevragen het OK-kader." in preview
    assert own.text in preview
    for point in bank.scales["agreement"]["points"] + bank.scales["action"]["points"]:
        assert point["label"] in preview
    assert "css/respond.css" in preview

    # --- uitvoeren: open, invitations over real SMTP -------------------------------
    assert admin.post(f"{url}/{survey.id}/openen").status_code == 302
    db.session.refresh(survey)
    assert survey.status == SurveyStatus.OPEN and survey.opened_at is not None
    assert count(OutboxMessage, kind="survey_invitation") == 14
    sent, failed = send_pending()
    assert (sent, failed) == (14, 0)
    assert {m["To"] for m in smtp_server.messages} == set(by_email)
    tokens = {}
    for message in smtp_server.messages:
        content = message.get_content()
        token = re.search(r"/b/([A-Za-z0-9_-]{40,64})", content).group(1)
        tokens[message["To"]] = token
        participant = by_email[message["To"]]
        db.session.refresh(participant)
        assert participant.token_hash == links.participant_hash(token)
        assert links.decrypt_token(participant.link_ciphertext) == token
    assert len(set(tokens.values())) == 14

    # A colleague added while open is invited at once.
    late = admin.post(f"{p_url}/importeren", data={"pasted": "laat@linde.example"})
    assert late.status_code == 302
    assert (
        db.session.scalar(
            sa.select(OutboxMessage.to_address)
            .where(OutboxMessage.kind == "survey_invitation")
            .order_by(OutboxMessage.id.desc())
        )
        == "laat@linde.example"
    )

    # Two finish (the answering side would set the flag and wipe the link).
    finished = [by_email["lager0@linde.example"], by_email["kleuter0@linde.example"]]
    for participant in finished:
        participant.has_finished = True
        participant.link_ciphertext = None
    db.session.commit()

    # --- uitvoeren: a reminder reaches exactly the unfinished ---------------------
    m_url = f"{url}/{survey.id}/opvolgen"
    assert (
        admin.post(
            f"{url}/{survey.id}/herinneringen", data={"send_on": str(date.today())}
        ).status_code
        == 302
    )
    reminder = db.session.scalars(
        sa.select(Reminder).where(Reminder.survey_id == survey.id)
    ).one()
    assert "Nu versturen" in text(admin.get(m_url))
    assert (
        admin.post(
            f"{url}/{survey.id}/herinneringen/{reminder.id}/versturen"
        ).status_code
        == 302
    )
    smtp_server.messages.clear()
    assert send_pending() == (14, 0)  # the late invitation and 13 reminders
    reminded = {m["To"] for m in smtp_server.messages if "Herinnering" in m["Subject"]}
    assert reminded == (set(by_email) | {"laat@linde.example"}) - {
        p.email for p in finished
    }
    for message in smtp_server.messages:
        if message["To"] in tokens and "Herinnering" in message["Subject"]:
            assert f"/b/{tokens[message['To']]}" in message.get_content()
    db.session.refresh(reminder)
    assert reminder.sent_at is not None and reminder.recipients == 13
    again = admin.post(f"{url}/{survey.id}/herinneringen/{reminder.id}/versturen")
    assert again.status_code == 400 and "al verstuurd" in text(again)

    # --- uitvoeren: the monitor shows counts and hides small groups ---------------
    monitor = text(admin.get(m_url))
    assert "2 van 15" in monitor  # 15 invited, 2 finished
    assert "1 van 6" in monitor  # lager: 6 people, 1 finished
    # kleuter (5) is large enough alone, but zorg (2), beleidsteam (1) and the
    # unassigned late colleague (1) make only 4: kleuter joins them in "overige".
    assert "1 van 9" in monitor
    assert (
        "Beleidsteam, Kleuteronderwijs, Zorg en ondersteuning, niet ingedeeld"
        in monitor
    )
    assert not re.search(r">[01] van 2<", monitor)
    assert "lager0@linde.example" not in monitor and "Lager 0" not in monitor

    # --- uitvoeren: close ---------------------------------------------------------
    assert admin.post(f"{url}/{survey.id}/sluiten").status_code == 302
    db.session.refresh(survey)
    assert survey.status == SurveyStatus.CLOSED
    closed_page = text(admin.get(f"{url}/{survey.id}"))
    assert "Het dashboard volgt." in closed_page or "Naar het dashboard" in closed_page
    locked = admin.post(
        f"{s_url}/eigen", data={"own-text": "Nog een", "own-expectation": "D1"}
    )
    assert locked.status_code == 409 and "afgesloten" in text(locked)

    # --- verwerken: next round ---------------------------------------------------
    assert (
        admin.post(
            f"{url}/{survey.id}/volgende-ronde",
            data={"title": "Teambevraging 2027", "copy_participants": "y"},
        ).status_code
        == 302
    )
    round2 = db.session.scalars(
        sa.select(Survey).where(Survey.previous_round_id == survey.id)
    ).one()
    assert round2.status == SurveyStatus.PREPARING
    assert [s.text for s in round2.statements] == [s.text for s in survey.statements]
    assert [s.original_text for s in round2.statements] == [
        s.original_text for s in survey.statements
    ]
    assert [d.key for d in round2.dimensions] == ["functie", "ervaring"]
    assert round2.intro_text == intro
    assert {p.email for p in round2.participants} == set(by_email) | {
        "laat@linde.example"
    }
    assert all(not p.has_finished and p.token_hash is None for p in round2.participants)

    # --- verwerken: purge (time travel) -------------------------------------------
    now = survey.closed_at
    early = running.purge(now + timedelta(days=29), 30)
    assert early.surveys == 0
    report = running.purge(now + timedelta(days=31), 30)
    db.session.commit()
    assert (report.surveys, report.participants) == (1, 15)
    db.session.refresh(survey)
    assert survey.purged_at is not None
    assert (
        db.session.scalars(
            sa.select(Participant.email).where(Participant.survey_id == survey.id)
        ).all()
        == [None] * 15
    )
    assert all(
        p.name is None and p.link_ciphertext is None for p in survey.participants
    )
    assert running.purge(now + timedelta(days=40), 30).surveys == 0
    assert round2.participants[0].email is not None  # the next round keeps its own
    result = runner.invoke(args=["rok", "purge"])
    assert result.exit_code == 0 and "Purged 0 participant address(es)" in result.output

    # --- verwerken: delete --------------------------------------------------------
    response_row = Response(survey_id=survey.id, is_submitted=True)
    db.session.add(response_row)
    db.session.flush()
    db.session.add(
        Answer(
            response_id=response_row.id,
            statement_id=survey.statements[0].id,
            agreement=3,
        )
    )
    db.session.commit()
    wrong = admin.post(f"{url}/{survey.id}/verwijderen", data={"confirmation": "nee"})
    assert wrong.status_code == 400 and "precies over" in text(wrong)
    assert db.session.get(Survey, survey.id) is not None
    survey_id = survey.id
    assert (
        admin.post(
            f"{url}/{survey_id}/verwijderen",
            data={"confirmation": "Teambevraging 2026"},
        ).status_code
        == 302
    )
    db.session.expire_all()
    assert db.session.get(Survey, survey_id) is None
    assert count(Response, survey_id=survey_id) == 0
    assert count(Participant, survey_id=survey_id) == 0
    assert count(Answer) == 0
    assert db.session.get(Survey, round2.id).previous_round_id is None


def test_school_home_has_a_surveys_tile(admin, school):
    page = text(admin.get(f"/scholen/{school.id}"))
    assert "Bevragingen" in page and f"/scholen/{school.id}/bevragingen" in page


@pytest.mark.parametrize(
    "level, expected",
    [
        (
            "so",
            [
                "beleidsteam",
                "graad1",
                "graad2",
                "graad3",
                "begeleiding",
                "ondersteunend",
            ],
        ),
        ("dko", ["beleidsteam", "leraar", "ondersteunend"]),
    ],
)
def test_new_survey_role_options_fit_the_level(
    admin, create_school, director, add_membership, bank, level, expected
):
    school = create_school("Campus", "654321", levels=(level,))
    add_membership(director, school)
    survey = new_survey(admin, school, level=level)
    assert [o.key for o in survey.dimensions[0].options] == expected
    assert all(s.origin_key.startswith(f"{level}-") for s in survey.statements)
