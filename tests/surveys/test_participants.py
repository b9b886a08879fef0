"""Reading a participant list: every row checked, nothing stored by the parser."""

from __future__ import annotations

import pytest

from rok.surveys.manage.participants import (
    Dimension,
    ImportFileError,
    decode_upload,
    parse,
)

ROLE = Dimension(
    "functie", "Functie", {"beleidsteam": "Beleidsteam", "lager": "Lager onderwijs"}
)


@pytest.fixture(autouse=True)
def _request(app):
    with app.test_request_context():
        yield


def test_plain_list_without_header():
    report = parse("an@linde.example\nBo@Linde.example, Bo Peeters\n", [ROLE], [])
    assert report.is_clean
    assert [(r.email, r.name) for r in report.rows] == [
        ("an@linde.example", ""),
        ("bo@linde.example", "Bo Peeters"),
    ]


def test_header_with_subgroup_by_label_or_key_and_semicolons():
    report = parse(
        "E-mailadres;Naam;functie\nan@linde.example;An;lager onderwijs\n"
        "bo@linde.example;Bo;BELEIDSTEAM\n",
        [ROLE],
        [],
    )
    assert report.is_clean
    assert [r.subgroups for r in report.rows] == [
        {"functie": "lager"},
        {"functie": "beleidsteam"},
    ]


def test_row_errors_are_reported_per_line():
    report = parse(
        "email,functie\nan@linde.example,lager\nfout,lager\n"
        "an@linde.example,lager\nbo@linde.example,kleuter\n"
        "cy@linde.example,@SUM(1)\nal@linde.example,lager\n",
        [ROLE],
        ["al@linde.example"],
    )
    errors = {r.line: " ".join(r.errors) for r in report.invalid_rows}
    assert set(errors) == {3, 4, 5, 6, 7}
    assert "geen geldig e-mailadres" in errors[3]
    assert "rij 2" in errors[4]
    assert "kleuter" in errors[5]
    assert "formule" in errors[6]
    assert "al deelnemer" in errors[7]
    assert [r.email for r in report.valid_rows] == ["an@linde.example"]


def test_empty_and_header_only_lists_are_problems():
    assert parse("", [ROLE], []).problems
    assert parse("e-mail;naam\n", [ROLE], []).problems


def test_too_many_rows_is_a_problem():
    text = "\n".join(f"p{i}@linde.example" for i in range(2002))
    assert "hoogstens" in parse(text, [ROLE], []).problems[0]


def test_decode_upload_accepts_utf8_bom_and_windows_1252():
    assert decode_upload("é@x.be".encode("utf-8-sig"), "a.CSV") == "é@x.be"
    assert decode_upload("Zoë".encode("cp1252"), "a.csv") == "Zoë"


@pytest.mark.parametrize(
    "data, name",
    [(b"x", "a.xlsx"), (b"a\x00b", "a.csv"), (b"x" * (1024 * 1024 + 1), "a.csv")],
)
def test_decode_upload_refuses(data, name):
    with pytest.raises(ImportFileError):
        decode_upload(data, name)


def test_names_with_bidi_overrides_are_refused():
    report = parse("an@linde.example,\u202egnp.exe", [ROLE], [])
    assert "ongeldige tekens" in report.invalid_rows[0].errors[0]
