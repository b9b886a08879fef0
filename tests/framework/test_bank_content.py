"""Content-quality checks on the real statement bank, per education level present."""

import pytest

from rok.framework import bankdata, quality

BANK_ROOT = bankdata.BANK_DIR
LATEST = bankdata.bank_dirs(BANK_ROOT)[-1]
LEVELS = sorted(path.stem for path in (LATEST / "statements").glob("*.yaml"))


@pytest.fixture(scope="module")
def frameworks():
    return bankdata.read_frameworks()


@pytest.fixture(scope="module")
def banks(frameworks):
    return bankdata.read_banks(BANK_ROOT, frameworks)


@pytest.fixture(scope="module")
def bank(banks):
    return banks[-1]


def test_bank_files_are_structurally_valid(banks):
    assert [b.version for b in banks] == sorted(b.version for b in banks)
    assert all(b.statements for b in banks)


def test_bank_released_is_a_date_and_scales_are_complete(bank):
    assert bank.released.year >= 2024
    agreement = bank.scales["agreement"]
    assert [p.value for p in agreement.points] == [1, 2, 3, 4]
    assert agreement.no_view_label
    assert bank.scales["action"].optional is True


def test_ok_framework_has_37_expectations_in_four_rubrieken(frameworks):
    ok = frameworks["OK"]
    assert [r.code for r in ok.rubrieken] == ["RE", "OL", "BE", "KO"]
    assert len(ok.expectations) == 37
    assert [len(r.expectations) for r in ok.rubrieken] == [6, 16, 12, 3]


def test_clb_framework_is_a_second_framework(frameworks):
    clb = frameworks["CLB"]
    assert len(clb.rubrieken) == 3
    assert {e.code for e in clb.expectations}.isdisjoint(
        {e.code for e in frameworks["OK"].expectations}
    )


def test_every_level_of_the_bank_has_a_statement_file():
    # All five levels are served; a missing file means a level silently has nothing.
    assert set(LEVELS) >= {"bao", "bubao"}, LEVELS


@pytest.mark.parametrize("level", LEVELS)
def test_statements_are_short_single_and_positive(bank, level):
    findings = quality.check_texts(bank.for_level(level))
    assert not findings, "\n".join(map(str, findings))


@pytest.mark.parametrize("level", LEVELS)
def test_statements_have_no_near_duplicates_within_level(bank, level):
    findings = quality.check_duplicates(bank.for_level(level))
    assert not findings, "\n".join(map(str, findings))


@pytest.mark.parametrize("level", LEVELS)
def test_default_selection_has_40_to_60_statements_over_every_rubriek(
    bank, frameworks, level
):
    findings = quality.check_default_selection(
        bank.for_level(level), level, frameworks[bank.framework]
    )
    assert not findings, "\n".join(map(str, findings))


@pytest.mark.parametrize("level", LEVELS)
def test_every_expectation_has_at_least_two_statements(bank, frameworks, level):
    findings = quality.check_coverage(
        bank.for_level(level), level, frameworks[bank.framework]
    )
    assert not findings, "\n".join(map(str, findings))


@pytest.mark.parametrize("level", LEVELS)
def test_statement_ids_follow_level_and_expectation(bank, level):
    # id = <level>-<expectation>-<nn>: a reader can find a statement from its id.
    wrong = [
        s.id
        for s in bank.for_level(level)
        if not s.id.startswith(f"{level}-{s.expectation}-")
    ]
    assert not wrong
