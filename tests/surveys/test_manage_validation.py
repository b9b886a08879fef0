"""Invalid and hostile input on the school's survey pages: a Dutch message, a 4xx,
and nothing stored half-done. Plus the locks, roles and automatic closing."""

from __future__ import annotations

import io
from datetime import date, datetime, timedelta

import pytest
import sqlalchemy as sa
from manage_support import base_url, count, new_survey, text

from rok.accounts.models import Role
from rok.extensions import db
from rok.mail import OutboxMessage
from rok.surveys.manage import running
from rok.surveys.manage.views_participants import safe_cell
from rok.surveys.models import (
    Participant,
    Reminder,
    Response,
    SubgroupDimension,
    SubgroupOption,
    Survey,
    SurveyStatement,
    SurveyStatus,
)

TODAY = date.today()

pytest_plugins = ["manage_fixtures"]


def _surveys() -> int:
    return count(Survey)


# --- beslissen ------------------------------------------------------------------------

VALID = {"title": "Bevraging", "level": "bao", "rubrieken": ["RE", "OL"]}


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"title": ""}, "Geef de bevraging een titel."),
        ({"title": "x" * 201}, "Een titel telt hoogstens 200 tekens."),
        ({"title": "a\u202eb"}, "ongeldige tekens"),
        ({"rubrieken": []}, "Kies minstens één rubriek."),
        ({"rubrieken": ["XX"]}, "Not a valid choice"),
        ({"level": "so"}, "Not a valid choice"),
        (
            {"planned_start": "2026-05-10", "planned_end": "2026-05-01"},
            "De einddatum ligt voor de startdatum.",
        ),
        ({"planned_start": "gisteren"}, "Vul een geldige datum in."),
        ({"planned_end": "2026-02-31"}, "Vul een geldige datum in."),
    ],
)
def test_new_survey_refuses_bad_input(admin, school, bank, changes, message):
    response = admin.post(f"{base_url(school)}/nieuw", data=VALID | changes)
    assert response.status_code == 400
    if message != "Not a valid choice":
        assert message in text(response)
    assert _surveys() == 0


def test_new_survey_refuses_a_window_longer_than_a_year(admin, school, bank):
    response = admin.post(
        f"{base_url(school)}/nieuw",
        data=VALID | {"planned_start": "2026-01-01", "planned_end": "2027-06-01"},
    )
    assert response.status_code == 400
    assert "hoogstens een jaar" in text(response)
    assert _surveys() == 0


def test_new_survey_without_a_bank_explains_why(admin, school):
    page = admin.get(f"{base_url(school)}/nieuw")
    assert page.status_code == 200
    assert "De stellingenbank is nog niet geladen" in text(page)
    response = admin.post(f"{base_url(school)}/nieuw", data=VALID)
    assert response.status_code == 409
    assert _surveys() == 0


def test_settings_refuse_end_before_start(admin, school, bank):
    survey = new_survey(admin, school)
    response = admin.post(
        f"{base_url(school)}/{survey.id}/instellingen",
        data={
            "title": "Nieuw",
            "planned_start": "2026-05-10",
            "planned_end": "2026-05-01",
        },
    )
    assert response.status_code == 400
    assert "De einddatum ligt voor de startdatum." in text(response)
    db.session.refresh(survey)
    assert survey.title == "Teambevraging 2026"


# --- statements -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "value, message",
    [
        ("", "Een stelling mag niet leeg zijn."),
        ("   ", "Een stelling mag niet leeg zijn."),
        ("x" * 301, "hoogstens 300 tekens"),
    ],
)
def test_reword_refuses_empty_or_too_long(admin, school, bank, value, message):
    survey = new_survey(admin, school)
    statement = survey.statements[0]
    before = statement.text
    response = admin.post(
        f"{base_url(school)}/{survey.id}/stellingen/{statement.id}",
        data={"text": value},
    )
    assert response.status_code == 400 and message in text(response)
    db.session.refresh(statement)
    assert statement.text == before


def test_own_statement_needs_a_known_expectation(admin, school, bank):
    survey = new_survey(admin, school)
    before = len(survey.statements)
    url = f"{base_url(school)}/{survey.id}/stellingen/eigen"
    response = admin.post(
        url, data={"own-text": "Wij werken samen.", "own-expectation": "ZZ9"}
    )
    assert response.status_code == 400
    response = admin.post(url, data={"own-text": "", "own-expectation": "D1"})
    assert response.status_code == 400 and "niet leeg" in text(response)
    assert count(SurveyStatement, survey_id=survey.id) == before


def test_hostile_statement_text_is_stored_inert(admin, school, bank):
    survey = new_survey(admin, school)
    response = admin.post(
        f"{base_url(school)}/{survey.id}/stellingen/eigen",
        data={"own-text": "<script>alert(1)</script>", "own-expectation": "D1"},
    )
    assert response.status_code == 302
    page = text(admin.get(f"{base_url(school)}/{survey.id}/stellingen"))
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_bank_refuses_statements_of_another_level(admin, school, bank):
    survey = new_survey(admin, school)
    before = len(survey.statements)
    response = admin.post(
        f"{base_url(school)}/{survey.id}/stellingen/bank", data={"keys": ["so-R1-01"]}
    )
    assert response.status_code == 400
    assert "hoort niet bij de stellingenbank van dit onderwijsniveau" in text(response)
    response = admin.post(f"{base_url(school)}/{survey.id}/stellingen/bank", data={})
    assert response.status_code == 400 and "Vink minstens één stelling aan." in text(
        response
    )
    assert count(SurveyStatement, survey_id=survey.id) == before


def test_bank_filter_refuses_unknown_values(admin, school, bank):
    survey = new_survey(admin, school)
    response = admin.get(f"{base_url(school)}/{survey.id}/stellingen/bank?rubriek=XX")
    assert response.status_code == 400


def test_move_refuses_moving_past_the_ends(admin, school, bank):
    survey = new_survey(admin, school)
    first = survey.statements[0]
    url = f"{base_url(school)}/{survey.id}/stellingen/{first.id}/verplaatsen"
    response = admin.post(url, data={"direction": "up"})
    assert response.status_code == 400 and "niet verder verplaatst" in text(response)
    assert admin.post(url, data={"direction": "sideways"}).status_code == 400
    db.session.refresh(first)
    assert first.position == 0


def test_ids_of_another_survey_or_school_are_404(
    admin, school, bank, create_school, create_survey
):
    mine = new_survey(admin, school)
    other_school = create_school("Andere school", "765432")
    foreign = create_survey(other_school)
    sibling = new_survey(admin, school, title="Tweede")
    url = base_url(school)
    assert admin.get(f"{url}/{foreign.id}").status_code == 404
    assert admin.post(f"{url}/{foreign.id}/openen").status_code == 404
    assert (
        admin.post(
            f"{url}/{foreign.id}/verwijderen", data={"confirmation": foreign.title}
        ).status_code
        == 404
    )
    foreign_statement = foreign.statements[0]
    assert (
        admin.post(
            f"{url}/{mine.id}/stellingen/{sibling.statements[0].id}/verwijderen"
        ).status_code
        == 404
    )
    assert (
        admin.post(
            f"{url}/{mine.id}/stellingen/{foreign_statement.id}",
            data={"text": "Gekaapt"},
        ).status_code
        == 404
    )
    dimension = sibling.dimensions[0]
    assert (
        admin.post(
            f"{url}/{mine.id}/deelgroepen/{dimension.id}/naam", data={"label": "X"}
        ).status_code
        == 404
    )
    own_dimension = mine.dimensions[0]
    assert (
        admin.post(
            f"{url}/{mine.id}/deelgroepen/{own_dimension.id}/keuzes/"
            f"{dimension.options[1].id}/verwijderen"
        ).status_code
        == 404
    )
    assert admin.get(f"{url}/99999").status_code == 404
    assert admin.get(f"{url}/abc").status_code == 404
    assert db.session.get(SurveyStatement, foreign_statement.id).text != "Gekaapt"
    assert count(SurveyStatement, survey_id=sibling.id) == len(sibling.statements)


# --- locks ----------------------------------------------------------------------------


@pytest.fixture
def answered(school, create_survey):
    """An open survey in which someone has started answering."""
    survey = create_survey(school, status=SurveyStatus.OPEN)
    db.session.add(Response(survey_id=survey.id, is_submitted=False))
    db.session.commit()
    return survey


def test_statements_and_subgroups_freeze_once_answers_exist(admin, school, answered):
    url = f"{base_url(school)}/{answered.id}"
    statement = answered.statements[0]
    dimension = answered.dimensions[0]
    option = dimension.options[1]
    page = text(admin.get(f"{url}/stellingen"))
    assert "Er zijn al antwoorden gegeven" in page
    assert "Herformuleren" not in page
    assert "Er zijn al antwoorden gegeven" in text(admin.get(f"{url}/deelgroepen"))
    attempts = [
        (f"{url}/stellingen/{statement.id}/verplaatsen", {"direction": "down"}),
        (f"{url}/stellingen/{statement.id}/verwijderen", {}),
        (f"{url}/stellingen/{statement.id}", {"text": "Anders"}),
        (f"{url}/stellingen/eigen", {"own-text": "Nieuw", "own-expectation": "D1"}),
        (f"{url}/deelgroepen", {"new-label": "Ervaring"}),
        (f"{url}/deelgroepen/{dimension.id}/naam", {"label": "Rol"}),
        (f"{url}/deelgroepen/{dimension.id}/keuzes", {"label": "Nieuw"}),
        (f"{url}/deelgroepen/{dimension.id}/keuzes/{option.id}/naam", {"label": "X"}),
        (f"{url}/deelgroepen/{dimension.id}/keuzes/{option.id}/verwijderen", {}),
    ]
    for target, data in attempts:
        response = admin.post(target, data=data)
        assert response.status_code == 409, target
        assert "Er zijn al antwoorden gegeven" in text(response)
    db.session.expire_all()
    assert [s.text for s in answered.statements][0] == statement.text
    assert len(answered.statements) == 8
    assert [o.label for o in answered.dimensions[0].options][1] == option.label
    assert count(SubgroupDimension, survey_id=answered.id) == 1


def test_bank_picker_refuses_once_answers_exist(admin, school, bank, answered):
    response = admin.post(
        f"{base_url(school)}/{answered.id}/stellingen/bank",
        data={"keys": ["bao-R1-02"]},
    )
    assert response.status_code == 409
    assert count(SurveyStatement, survey_id=answered.id) == 8


# --- subgroups ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "label, message",
    [
        ("", "Geef een naam op."),
        ("x" * 81, "hoogstens 80 tekens"),
        ("Functie", "Er is al een deelgroep met deze naam."),
    ],
)
def test_new_dimension_refuses_bad_names(admin, school, bank, label, message):
    survey = new_survey(admin, school)
    response = admin.post(
        f"{base_url(school)}/{survey.id}/deelgroepen", data={"new-label": label}
    )
    assert response.status_code == 400 and message in text(response)
    assert count(SubgroupDimension, survey_id=survey.id) == 1


def test_option_names_are_unique_within_a_dimension(admin, school, bank):
    survey = new_survey(admin, school)
    role = survey.dimensions[0]
    response = admin.post(
        f"{base_url(school)}/{survey.id}/deelgroepen/{role.id}/keuzes",
        data={"label": "lager onderwijs"},
    )
    assert response.status_code == 400 and "al een keuze met deze naam" in text(
        response
    )
    assert count(SubgroupOption, dimension_id=role.id) == 5


# --- participants ---------------------------------------------------------------------


def _upload(client, school, survey, content: bytes, filename="lijst.csv"):
    # Encode the body here: the test client would spool a large one to a temporary
    # file that it never closes (a ResourceWarning, an error under our settings).
    from werkzeug.datastructures import FileStorage
    from werkzeug.test import encode_multipart

    boundary, body = encode_multipart(
        {"file": FileStorage(io.BytesIO(content), filename, "file")}
    )
    return client.post(
        f"{base_url(school)}/{survey.id}/deelnemers/importeren",
        data=body,
        content_type=f"multipart/form-data; boundary={boundary}",
    )


def test_import_refuses_a_file_that_is_not_csv(admin, school, bank):
    survey = new_survey(admin, school)
    response = _upload(admin, school, survey, b"PK\x03\x04\x00\x00", "lijst.xlsx")
    assert response.status_code == 400 and "Kies een CSV-bestand" in text(response)
    response = _upload(admin, school, survey, b"a@b.be\x00\x00", "lijst.csv")
    assert response.status_code == 400 and "geen tekstbestand" in text(response)
    assert count(Participant) == 0


def test_import_refuses_an_upload_over_one_megabyte(admin, school, bank):
    survey = new_survey(admin, school)
    big = b"iemand@linde.example\n" * 60_000
    assert len(big) > 1024 * 1024
    response = _upload(admin, school, survey, big)
    assert response.status_code == 400 and "groter dan 1 MB" in text(response)
    assert count(Participant) == 0


def test_import_refuses_an_empty_request(admin, school, bank):
    survey = new_survey(admin, school)
    response = admin.post(
        f"{base_url(school)}/{survey.id}/deelnemers/importeren", data={}
    )
    assert response.status_code == 400
    assert "Kies een CSV-bestand of plak een lijst" in text(response)


@pytest.mark.parametrize("cell", ["=1+1", "+31", "-2", "@SUM(A1)", "\tx", "\rx"])
def test_import_refuses_formula_cells(admin, school, bank, cell):
    survey = new_survey(admin, school)
    content = f'e-mail,naam\nan@linde.example,"{cell}"\nbo@linde.example,Bo\n'
    response = _upload(admin, school, survey, content.encode())
    assert response.status_code == 400
    assert "formule" in text(response)
    assert count(Participant) == 0


def test_import_refuses_unknown_columns(admin, school, bank):
    survey = new_survey(admin, school)
    response = admin.post(
        f"{base_url(school)}/{survey.id}/deelnemers/importeren",
        data={"pasted": "e-mail;klas\nan@linde.example;3A"},
    )
    assert response.status_code == 400
    assert "De kolom &#34;klas&#34; is geen e-mail, naam of deelgroep" in text(response)
    assert "Alleen de geldige rijen importeren" not in text(response)
    assert count(Participant) == 0


def test_import_of_a_known_participant_is_reported(admin, school, bank):
    survey = new_survey(admin, school)
    url = f"{base_url(school)}/{survey.id}/deelnemers/importeren"
    assert admin.post(url, data={"pasted": "An@Linde.example"}).status_code == 302
    response = admin.post(url, data={"pasted": "an@linde.example\nbo@linde.example"})
    assert response.status_code == 400 and "Deze persoon is al deelnemer." in text(
        response
    )
    assert count(Participant) == 1


def test_confirming_only_valid_rows_needs_the_confirmation(admin, school, bank):
    survey = new_survey(admin, school)
    url = f"{base_url(school)}/{survey.id}/deelnemers/importeren"
    carried = "an@linde.example\nfout-adres"
    response = admin.post(url, data={"carried": carried})  # no "only_valid"
    assert response.status_code == 400
    assert count(Participant) == 0
    assert (
        admin.post(url, data={"carried": carried, "only_valid": "y"}).status_code == 302
    )
    assert count(Participant) == 1


# --- team link, intro -----------------------------------------------------------------


@pytest.mark.parametrize(
    "data, message",
    [
        ({"enabled": "y"}, "Geef de verwachte teamgrootte op"),
        (
            {"enabled": "y", "expected_team_size": "0"},
            "Geef een teamgrootte van 1 tot 2000.",
        ),
        (
            {"enabled": "y", "expected_team_size": "2001"},
            "Geef een teamgrootte van 1 tot 2000.",
        ),
        ({"enabled": "y", "expected_team_size": "veel"}, ""),
    ],
)
def test_team_link_needs_a_team_size(admin, school, bank, data, message):
    survey = new_survey(admin, school)
    response = admin.post(f"{base_url(school)}/{survey.id}/teamlink", data=data)
    assert response.status_code == 400 and message in text(response)
    db.session.refresh(survey)
    assert not survey.team_link_enabled and survey.team_key is None


def test_qr_code_is_404_while_the_team_link_is_off(admin, school, bank):
    survey = new_survey(admin, school)
    assert (
        admin.get(f"{base_url(school)}/{survey.id}/teamlink/qr.png").status_code == 404
    )


@pytest.mark.parametrize(
    "value, message",
    [
        ("", "Schrijf een korte inleiding"),
        ("x" * 5001, "hoogstens 5000 tekens"),
    ],
)
def test_intro_refuses_empty_or_too_long(admin, school, bank, value, message):
    survey = new_survey(admin, school)
    before = survey.intro_text
    response = admin.post(
        f"{base_url(school)}/{survey.id}/inleiding", data={"intro_text": value}
    )
    assert response.status_code == 400 and message in text(response)
    db.session.refresh(survey)
    assert survey.intro_text == before and "OK-kader" in before and "anoniem" in before


# --- opening, reminders, closing ------------------------------------------------------


def test_open_needs_statements_and_people(admin, school, create_survey):
    survey = create_survey(school, statements=0, status=SurveyStatus.PREPARING)
    response = admin.post(f"{base_url(school)}/{survey.id}/openen")
    assert response.status_code == 400
    assert "Kies minstens één stelling." in text(response)
    assert "Voeg deelnemers toe of zet de teamlink aan." in text(response)
    db.session.refresh(survey)
    assert survey.status == SurveyStatus.PREPARING
    assert count(OutboxMessage) == 0


def test_open_with_only_a_team_link(admin, school, create_survey):
    survey = create_survey(
        school, status=SurveyStatus.PREPARING, team_link=True, expected_team_size=12
    )
    assert admin.post(f"{base_url(school)}/{survey.id}/openen").status_code == 302
    db.session.refresh(survey)
    assert survey.status == SurveyStatus.OPEN


@pytest.mark.parametrize(
    "send_on, message",
    [
        ("", "Kies een datum."),
        ("morgen", "Vul een geldige datum in."),
        (str(TODAY - timedelta(days=1)), "Kies een datum vanaf vandaag."),
        (str(TODAY + timedelta(days=30)), "na het einde van de bevraging"),
    ],
)
def test_reminder_dates_are_checked(admin, school, create_survey, send_on, message):
    survey = create_survey(school, planned_end=TODAY + timedelta(days=10))
    response = admin.post(
        f"{base_url(school)}/{survey.id}/herinneringen", data={"send_on": send_on}
    )
    assert response.status_code == 400 and message in text(response)
    assert count(Reminder) == 0


def test_reminder_cannot_be_sent_before_its_date(admin, school, create_survey):
    survey = create_survey(school)
    survey.participants.append(Participant(email="an@linde.example"))
    survey.reminders.append(Reminder(send_on=TODAY + timedelta(days=3)))
    db.session.commit()
    reminder = survey.reminders[0]
    page = text(admin.get(f"{base_url(school)}/{survey.id}/opvolgen"))
    assert "Nu versturen" not in page and "gepland" in page
    response = admin.post(
        f"{base_url(school)}/{survey.id}/herinneringen/{reminder.id}/versturen"
    )
    assert response.status_code == 400 and "staat pas gepland" in text(response)
    assert count(OutboxMessage) == 0
    db.session.refresh(reminder)
    assert reminder.sent_at is None


def test_survey_closes_itself_after_its_end_date(admin, school, create_survey):
    survey = create_survey(school, planned_end=TODAY - timedelta(days=1))
    page = admin.get(f"{base_url(school)}/{survey.id}")
    assert page.status_code == 200
    db.session.refresh(survey)
    assert survey.status == SurveyStatus.CLOSED
    assert "Afgesloten op" in text(page)


def test_close_due_surveys_closes_only_those_past_their_end(app, school, create_survey):
    due = create_survey(school, planned_end=date(2026, 3, 1))
    still_open = create_survey(school, title="Loopt", planned_end=date(2026, 3, 10))
    assert running.close_due_surveys(date(2026, 3, 2), now=datetime(2026, 3, 2)) == 1
    assert running.close_due_surveys(date(2026, 3, 10)) == 0  # the end day counts
    db.session.commit()
    assert due.status == SurveyStatus.CLOSED and still_open.status == SurveyStatus.OPEN


def test_purge_command_closes_and_purges(app, runner, school, create_survey):
    old = create_survey(
        school, status=SurveyStatus.CLOSED, closed_at=datetime(2020, 1, 1)
    )
    old.participants.append(
        Participant(email="an@linde.example", name="An", link_ciphertext="x")
    )
    due = create_survey(school, title="Verlopen", planned_end=date(2020, 1, 1))
    db.session.commit()
    result = runner.invoke(args=["rok", "purge"])
    assert result.exit_code == 0, result.output
    assert "Closed 1 survey(s)" in result.output
    assert "Purged 1 participant address(es) of 1 survey(s)" in result.output
    db.session.expire_all()
    assert old.participants[0].email is None and old.purged_at is not None
    assert due.status == SurveyStatus.CLOSED and due.purged_at is None
    again = runner.invoke(args=["rok", "purge"])
    assert "Purged 0 participant address(es) of 0 survey(s)" in again.output


# --- link export ----------------------------------------------------------------------


def test_link_export_neutralises_formulas(admin, school, bank):
    survey = new_survey(admin, school)
    url = f"{base_url(school)}/{survey.id}"
    admin.post(f"{url}/deelnemers/importeren", data={"pasted": "an@linde.example,An"})
    assert admin.get(f"{url}/deelnemers/links.csv").status_code == 409  # not open yet
    admin.post(f"{url}/openen")
    participant = db.session.scalars(sa.select(Participant)).one()
    participant.name = '=HYPERLINK("http://evil")'
    db.session.commit()
    export = admin.get(f"{url}/deelnemers/links.csv")
    assert export.status_code == 200 and export.mimetype == "text/csv"
    body = export.get_data(as_text=True)
    assert "'=HYPERLINK" in body and "an@linde.example" in body and "/b/" in body
    participant.has_finished = True
    db.session.commit()
    refused = admin.get(f"{url}/deelnemers/links.csv")
    assert refused.status_code == 409 and "niet meer geëxporteerd" in text(refused)


@pytest.mark.parametrize(
    "value, expected",
    [
        ("=1", "'=1"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@a", "'@a"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("an", "an"),
        (None, ""),
        ("", ""),
    ],
)
def test_safe_cell(value, expected):
    assert safe_cell(value) == expected


# --- deleting -------------------------------------------------------------------------


def test_delete_needs_the_exact_title(admin, school, create_survey):
    survey = create_survey(school, title="Bevraging 2026")
    url = f"{base_url(school)}/{survey.id}/verwijderen"
    assert admin.post(url, data={"confirmation": ""}).status_code == 400
    assert admin.post(url, data={"confirmation": "bevraging"}).status_code == 400
    assert db.session.get(Survey, survey.id) is not None


# --- roles ----------------------------------------------------------------------------


def test_advisor_sees_the_list_and_phase_but_cannot_manage(
    client, school, create_user, add_membership, login, create_survey
):
    survey = create_survey(school, status=SurveyStatus.PREPARING)
    advisor = create_user("adviseur@net.example")
    add_membership(advisor, school, Role.ADVISOR)
    login(advisor)
    url = base_url(school)
    listing = client.get(url)
    assert listing.status_code == 200 and survey.title in text(listing)
    assert "Nieuwe bevraging" not in text(listing)
    overview = client.get(f"{url}/{survey.id}")
    assert overview.status_code == 200
    assert "Voorbereiden" in text(overview) and "/openen" not in text(overview)
    for path in (
        "/nieuw",
        f"/{survey.id}/stellingen",
        f"/{survey.id}/deelnemers",
        f"/{survey.id}/opvolgen",
        f"/{survey.id}/teamlink",
    ):
        assert client.get(url + path).status_code == 403, path
    assert client.post(f"{url}/{survey.id}/openen").status_code == 403
    assert (
        client.post(
            f"{url}/{survey.id}/verwijderen", data={"confirmation": survey.title}
        ).status_code
        == 403
    )
    db.session.refresh(survey)
    assert survey.status == SurveyStatus.PREPARING
