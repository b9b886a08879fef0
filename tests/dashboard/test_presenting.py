"""Plain-Dutch readings of analysis rows."""

from __future__ import annotations

import pytest

from rok.dashboard import presenting
from rok.dashboard.analysis import Thresholds
from rok.dashboard.presenting import Dimension


@pytest.fixture
def ctx(app):
    with app.test_request_context():
        yield


ROW = {"status": "shown", "n_valid": 10, "agree_1": 1, "agree_2": 1, "agree_3": 3,
       "agree_4": 5, "pct_agree": 0.8, "consensus_label": "eensgezind",
       "polarised": False, "n_no_view": 2, "share_no_view": 2 / 12,
       "action_status": "shown", "pct_ready": 0.6, "n_lead": 2}


def test_reading_counts_colleagues_at_statement_level(ctx):
    text = presenting.reading(ROW, (1, 2, 3, 4), level="statement", min_group=5)
    assert text.startswith("8 van de 10 collega's zijn het (eerder) eens; "
                           "het team is eensgezind.")
    assert "2 collega's hebben er geen zicht op." in text


def test_reading_counts_answers_at_pooled_levels(ctx):
    row = ROW | {"consensus_label": "verdeeld"}
    text = presenting.reading(row, (1, 2, 3, 4), level="area", min_group=5)
    assert text.startswith("80% van de 10 antwoorden is (eerder) eens; "
                           "de antwoorden lopen uiteen.")


def test_reading_of_a_withheld_row(ctx):
    text = presenting.reading({"status": "too_small"}, (1, 2, 3, 4),
                              level="statement", min_group=6)
    assert text == "Te weinig antwoorden om te tonen (minder dan 6)."


def test_polarised_team_is_called_divided(ctx):
    row = ROW | {"polarised": True, "consensus_label": "verdeeld"}
    assert "beide uiteinden" in presenting.reading(row, (1, 2, 3, 4),
                                                   level="statement", min_group=5)


def test_action_and_gap_readings(ctx):
    assert presenting.action_reading(ROW, level="statement", min_group=5) == (
        "60% wil ermee aan de slag; 2 collega's willen mee trekken.")
    assert "minder dan 5" in presenting.action_reading(
        {"action_status": "too_small"}, level="statement", min_group=5)
    assert "positiever" in presenting.gap_reading({"leadership_gap": 0.8})
    assert presenting.gap_reading({"leadership_gap": float("nan")}) is None


def test_part_labels_name_merged_parts(ctx):
    dim = Dimension("functie", "Functie", (("kleuter", "Kleuter"), ("zorg", "Zorg")))
    assert presenting.part_label("kleuter", ("kleuter",), dim) == "Kleuter"
    assert presenting.part_label("__other__", ("kleuter", "zorg"), dim) == (
        "overige (Kleuter, Zorg)")
    assert presenting.part_label("__missing__", ("__missing__",), dim) == (
        "niet ingevuld")


def test_rules_show_the_survey_thresholds(ctx):
    rules = presenting.label_rules(Thresholds(strength_pct_agree=0.8))
    assert "80%" in rules["sterkte"] and "50%" in rules["werkpunt"]


def test_questions_follow_the_labels(ctx):
    assert presenting.questions(("sterkte",))[0] == (
        "Wat maakt dat dit bij ons goed loopt?")
    assert presenting.questions(())  # a unit without a label still gets questions
    assert presenting.questions(("werkpunt", "prioriteit"))[0].startswith(
        "Veel collega's willen")
