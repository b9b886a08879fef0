"""Each content-quality check, with hand-made statements that must fail and pass."""

import pytest

from rok.framework import quality
from rok.framework.bankdata import (
    AreaData,
    ExpectationData,
    FrameworkData,
    RubriekData,
    StatementData,
)


def statement(key, text, expectation="E1", default=False, level="bao"):
    return StatementData(
        key, expectation, (level,), (level,) if default else (), (), text
    )


def test_word_count_limit_is_25_words():
    assert not quality.too_long(" ".join(["woord"] * 25))
    assert quality.too_long(" ".join(["woord"] * 26))
    findings = quality.check_texts([statement("x", " ".join(["woord"] * 30))])
    assert [f.check for f in findings] == ["lengte"]


@pytest.mark.parametrize(
    "text",
    [
        "Leerlingen en/of ouders krijgen tijdig feedback.",
        "We informeren ouders of/en leerlingen over de evaluatie.",
        "We plannen en evalueren onze lessen samen.",
        "Ik bespreek en evalueer de doelen met mijn leerlingen.",
        "Wij bespreken de resultaten en we passen de aanpak aan.",
        "In onze school plannen we de lessen en evalueren we ze.",
        "Het team volgt de leerlingen op en bespreekt hun vorderingen.",
        "We geven zowel mondelinge als schriftelijke feedback.",
    ],
)
def test_asks_two_things_catches_double_questions(text):
    assert quality.asks_two_things(text)


@pytest.mark.parametrize(
    "text",
    [
        "Ouders en leerlingen weten wat we van hen verwachten.",
        "We bespreken de resultaten met ouders en leerlingen.",
        "Ik stem mijn doelen af op wat elke leerling al kan.",
        "We gaan elk jaar na of onze acties effect hebben.",
        "Leerlingen voelen zich veilig op onze speelplaats.",
    ],
)
def test_asks_two_things_lets_one_idea_pass(text):
    assert quality.asks_two_things(text) is None


@pytest.mark.parametrize(
    "text",
    [
        "Ik kan niet zonder de hulp van het zorgteam.",
        "Geen enkele leerling wordt nooit vergeten.",
        "Niemand in ons team doet niets met feedback.",
        "We laten niet toe dat leerlingen niet meedoen.",
    ],
)
def test_double_negation_is_caught(text):
    assert quality.has_double_negation(text)
    findings = quality.check_texts([statement("x", text)])
    assert "dubbele-ontkenning" in {f.check for f in findings}


def test_single_negation_passes():
    assert not quality.has_double_negation(
        "Geen leerling valt tussen de mazen van het net."
    )
    assert not quality.has_double_negation("Onze leerlingen komen graag naar school.")


@pytest.mark.parametrize(
    ("a", "b"),
    [
        (
            "Onze leerlingen komen graag naar school.",
            "onze leerlingen komen graag naar school",
        ),
        (
            "Onze leerlingen komen graag naar school.",
            "Onze leerlingen komen graag naar onze school!",
        ),
        (
            "We bespreken elk jaar de resultaten met het team.",
            "Elk jaar bespreken we met het team de resultaten.",
        ),
        (
            "Ik geef leerlingen tijdig feedback op hun werk.",
            "Ik geef de leerlingen tijdig feedback op hun werk.",
        ),
    ],
)
def test_near_duplicates_are_caught(a, b):
    assert quality.is_near_duplicate(a, b)
    findings = quality.check_duplicates([statement("a", a), statement("b", b)])
    assert [(f.check, f.key) for f in findings] == [("dubbel", "a")]


def test_different_statements_on_one_theme_are_not_duplicates():
    assert not quality.is_near_duplicate(
        "Ik stem mijn doelen af op wat elke leerling al kan.",
        "Ik stem het tempo van mijn les af op wat de leerlingen aankunnen.",
    )


def _framework():
    def rubriek(code, expectations):
        area = AreaData(
            code, code, "", tuple(ExpectationData(e, e, "") for e in expectations)
        )
        return RubriekData(code, code, "", (area,))

    return FrameworkData(
        "T", "Test", "1", "", "", (rubriek("R", ["E1", "E2"]), rubriek("S", ["E3"])), ()
    )


def test_default_selection_size_is_checked():
    statements = [
        statement(f"s{i}", f"tekst {i}", expectation=["E1", "E3"][i % 2], default=True)
        for i in range(61)
    ]
    findings = quality.check_default_selection(statements, "bao", _framework())
    assert len(findings) == 1 and "61" in findings[0].message
    assert not quality.check_default_selection(statements[:40], "bao", _framework())
    assert quality.check_default_selection(statements[:39], "bao", _framework())


def test_default_selection_must_cover_every_rubriek():
    statements = [
        statement(f"s{i}", f"tekst {i}", expectation="E1", default=True)
        for i in range(45)
    ]
    findings = quality.check_default_selection(statements, "bao", _framework())
    assert [f.message for f in findings] == ["bao: geen stelling uit rubriek S (S)"]


def test_default_selection_counts_only_its_level():
    statements = [
        statement(
            f"s{i}", "x", expectation=["E1", "E3"][i % 2], default=True, level="so"
        )
        for i in range(45)
    ]
    assert quality.check_default_selection(statements, "bao", _framework())


def test_coverage_needs_two_statements_per_expectation():
    statements = [
        statement("a", "x", "E1"),
        statement("b", "y", "E1"),
        statement("c", "z", "E2"),
        statement("d", "w", "E3"),
        statement("e", "v", "E3"),
    ]
    findings = quality.check_coverage(statements, "bao", _framework())
    assert [f.message for f in findings] == ["bao: E2 heeft 1 stelling(en) (min. 2)"]
