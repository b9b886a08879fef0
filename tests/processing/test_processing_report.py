"""The PDF report: pages, title, rendering to images, and nothing beyond the rule."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest

from rok.surveys.models import SurveyStatus
from tests.processing.conftest import base_url
from tests.processing.synthetic import fill_survey

PDFTOPPM = shutil.which("pdftoppm") or "/usr/bin/pdftoppm"


def _text(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf)
    if not shutil.which("pdftotext"):
        if os.environ.get("ROK_REQUIRE_BROWSER") == "1":  # CI installs poppler-utils
            pytest.fail("pdftotext (poppler-utils) is required under CI")
        pytest.skip("pdftotext (poppler-utils) is not installed")
    out = subprocess.run(["pdftotext", "-layout", str(path), "-"],
                         capture_output=True, check=True, timeout=60)
    return out.stdout.decode()


@pytest.fixture
def report_survey(school, create_survey):
    """About 40 respondents over 16 statements; 'zorg' (3 people) is too small."""
    survey = create_survey(school, title="Teambevraging Linde 2026", statements=16,
                           status=SurveyStatus.CLOSED)
    fill_survey(survey, {"beleidsteam": 6, "kleuter": 12, "lager": 19, "zorg": 3})
    return survey


def test_report_pdf_renders_pages_with_the_title(client, director, login,
                                                 report_survey, tmp_path):
    login(director)
    base = base_url(report_survey)
    client.post(base + "/notities", data={"unit": "area:D", "text": "Bespreken."})
    client.post(base + "/actieplan/nieuw", data={
        "title": "Doelen zichtbaar maken", "units": ["area:D"], "status": "planned",
        "indicator": "70 % eens bij stelling 2"})
    response = client.get(base + "/rapport.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="teambevraging-linde-2026-rapport.pdf"')
    pdf = response.data
    assert pdf.startswith(b"%PDF")
    text = _text(pdf, tmp_path)
    assert "Teambevraging Linde 2026" in text
    assert "geen inspectieoordeel" in text
    assert "Basisschool De Linde" in text
    assert "Doelen zichtbaar maken" in text and "Bespreken." in text
    if not os.path.exists(PDFTOPPM):
        pytest.skip("pdftoppm is not installed")
    subprocess.run([PDFTOPPM, "-png", "-r", "60", str(tmp_path / "report.pdf"),
                    str(tmp_path / "page")], check=True, timeout=120)
    pages = sorted(tmp_path.glob("page-*.png"))
    assert len(pages) >= 2
    assert all(p.read_bytes().startswith(b"\x89PNG") for p in pages)


def test_report_shows_no_small_group(client, director, login, report_survey,
                                     tmp_path):
    login(director)
    text = _text(client.get(base_url(report_survey) + "/rapport.pdf").data, tmp_path)
    assert "overige (" in text  # zorg (3 people) is merged, never its own column
    header = next(line for line in text.splitlines()
                  if "Beleidsteam" in line and "Lager" in line)
    assert "Zorg" not in header.replace("overige (", "").split(")")[-1]


def test_advisor_report_equals_the_school_report(client, app, director, advisor,
                                                 login, report_survey, tmp_path):
    login(director)
    school_text = _text(client.get(base_url(report_survey) + "/rapport.pdf").data,
                        tmp_path)
    other = app.test_client()
    login(advisor, c=other)
    response = other.get(base_url(report_survey) + "/rapport.pdf")
    assert response.status_code == 200
    assert _text(response.data, tmp_path) == school_text


def test_report_needs_view_permission(client, app, login, report_survey,
                                      create_user):
    assert client.get(base_url(report_survey) + "/rapport.pdf").status_code == 302
    login(create_user("vreemde@elders.example"))
    assert client.get(base_url(report_survey) + "/rapport.pdf").status_code == 404


def test_report_with_previous_round(client, director, login, school, create_survey,
                                    report_survey, tmp_path):
    from rok.extensions import db
    from rok.processing.models import Goal

    first = create_survey(school, title="Ronde 1", statements=16,
                          status=SurveyStatus.CLOSED)
    fill_survey(first, {"beleidsteam": 6, "kleuter": 12, "lager": 19}, seed=3)
    db.session.add(Goal(survey_id=first.id, title="Feedback versterken",
                        unit_keys=["area:O"],
                        statement_ids=[first.statements[4].id]))
    report_survey.previous_round_id = first.id
    db.session.commit()
    login(director)
    text = _text(client.get(base_url(report_survey) + "/rapport.pdf").data, tmp_path)
    assert "Terugblik" in text and "Feedback versterken" in text
