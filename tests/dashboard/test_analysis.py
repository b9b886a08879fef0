"""Tests for rok.dashboard.analysis: measures, tables, labels and rounds.

Every frame is built by hand; check values come from Tastle & Wierman (2007)
and the worked example in the issue.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd
import pytest

from rok.dashboard.analysis import (
    LABELS,
    LEVELS,
    SurveyData,
    Thresholds,
    breakdown_table,
    classify,
    compare_rounds,
    distribution_long,
    leik_d,
    summary_table,
    tastle_wierman,
)
from rok.dashboard.disclosure import Privacy

SCALE = (1, 2, 3, 4)
NV = "nv"  # geen zicht
SKIP = None  # not answered

# --- factories ----------------------------------------------------------------


def make_statements(expectations: Sequence[str] = ("D1",), **columns) -> pd.DataFrame:
    """Return statements 1..n in survey order, one per expectation code given."""
    n = len(expectations)
    frame = pd.DataFrame(
        {
            "statement_id": np.arange(1, n + 1),
            "position": np.arange(1, n + 1),
            "text": [f"Uitspraak {i}" for i in range(1, n + 1)],
            "expectation": list(expectations),
            "area": [e.rstrip("0123456789") for e in expectations],
            "rubriek": ["OL"] * n,
            "origin": [f"bank-{i}" for i in range(1, n + 1)],
        }
    )
    for name, values in columns.items():
        frame[name] = values
    return frame


def make_survey(
    answers: dict[int, Sequence],
    *,
    actions: dict[int, Sequence] | None = None,
    groups: dict[str, Sequence] | None = None,
    statements: pd.DataFrame | None = None,
    points: Sequence[int] = SCALE,
    action_points: Sequence[int] = SCALE,
    role: tuple[str, str] | None = None,
) -> SurveyData:
    """Build a survey from per-statement answer lists, one entry per respondent.

    An entry is a scale value, ``NV`` (geen zicht) or ``SKIP``; all lists are as
    long as the number of respondents. ``groups`` gives per dimension each
    respondent's option (None = not given).
    """
    n = len(next(iter(answers.values())))
    if statements is None:
        statements = make_statements(["D1"] * len(answers))
    rows = []
    for sid, values in answers.items():
        acts = (actions or {}).get(sid, [SKIP] * n)
        for r, (value, act) in enumerate(zip(values, acts, strict=True)):
            rows.append(
                {
                    "response_id": 1000 + 7 * r,
                    "statement_id": sid,
                    "agreement": value if isinstance(value, int) else pd.NA,
                    "no_view": value == NV,
                    "action": act if act is not None else pd.NA,
                }
            )
    frame = pd.DataFrame(rows)
    frame["agreement"] = frame["agreement"].astype("Int64")
    frame["action"] = frame["action"].astype("Int64")
    responses = pd.DataFrame({"response_id": [1000 + 7 * r for r in range(n)]})
    for dimension, options in (groups or {}).items():
        responses[dimension] = pd.array(list(options), dtype="string")
    return SurveyData(
        answers=frame,
        responses=responses,
        statements=statements,
        agreement_points=points,
        action_points=action_points,
        role_dimension=role[0] if role else None,
        leadership_option=role[1] if role else None,
    )


def spread(counts: Sequence[int], points: Sequence[int] = SCALE) -> list[int]:
    """Return answers with ``counts[i]`` times ``points[i]``."""
    return [p for p, c in zip(points, counts, strict=True) for _ in range(c)]


def one(table: pd.DataFrame) -> pd.Series:
    assert len(table) == 1
    return table.iloc[0]


# --- the measures ---------------------------------------------------------------

CHECK_COUNTS = (30, 40, 210, 130, 530, 50, 10)
SEVEN = (1, 2, 3, 4, 5, 6, 7)


def test_tastle_wierman_reproduces_check_value():
    assert tastle_wierman(CHECK_COUNTS, SEVEN)[0] == pytest.approx(0.7256876, abs=5e-7)


def test_leik_d_reproduces_check_value():
    assert round(float(leik_d(CHECK_COUNTS)[0]), 3) == 0.287


@pytest.mark.parametrize("points", [SCALE, SEVEN])
def test_tastle_wierman_is_one_when_everyone_agrees(points):
    for i in range(len(points)):
        counts = [0] * len(points)
        counts[i] = 12
        assert tastle_wierman(counts, points)[0] == 1.0
        assert leik_d(counts)[0] == 0.0


@pytest.mark.parametrize("points", [SCALE, SEVEN])
def test_tastle_wierman_is_zero_for_even_split_over_the_ends(points):
    counts = [0] * len(points)
    counts[0] = counts[-1] = 50
    assert tastle_wierman(counts, points)[0] == pytest.approx(0.0, abs=1e-12)
    assert leik_d(counts)[0] == pytest.approx(1.0)


def test_tastle_wierman_uses_the_width_of_the_scale_not_of_the_answers():
    # Half "eerder oneens", half "eerder eens": on the observed range (2..3) this
    # would be 0, on the 4-point scale it is 1 + log2(1 - 0.5/3).
    expected = 1 + math.log2(1 - 0.5 / 3)
    assert tastle_wierman([0, 5, 5, 0], SCALE)[0] == pytest.approx(expected)


def test_tastle_wierman_is_vectorised_and_nan_without_answers():
    result = tastle_wierman([[0, 0, 0, 0], [0, 0, 3, 0]], SCALE)
    assert math.isnan(result[0]) and result[1] == 1.0


def test_summary_table_reproduces_check_value_through_the_pipeline():
    data = make_survey({1: spread(CHECK_COUNTS, SEVEN)}, points=SEVEN)
    row = one(summary_table(data))
    assert row["n_valid"] == 1000
    assert row["consensus"] == pytest.approx(0.7256876, abs=5e-7)
    assert round(row["consensus_leik"], 3) == round(1 - 0.287, 3)
    assert row["pct_agree"] == pytest.approx(60 / 1000)


# --- the whole team -------------------------------------------------------------


def test_summary_table_counts_distribution_mean_and_median():
    answers = [1, 2, 3, 3, 4, 4, 4, 4, NV, NV, SKIP]
    actions = [4, 4, 3, 1, 2, SKIP, SKIP, SKIP, 4, SKIP, SKIP]
    row = one(summary_table(make_survey({1: answers}, actions={1: actions})))
    assert row["status"] == "shown"
    assert (row["n_responses"], row["n_valid"], row["n_no_view"]) == (11, 8, 2)
    assert row["share_no_view"] == pytest.approx(2 / 10)
    assert [row[f"agree_{p}"] for p in SCALE] == [1, 1, 2, 4]
    assert row["pct_agree"] == pytest.approx(6 / 8)
    assert row["mean"] == pytest.approx(25 / 8)
    assert row["median"] == 3.5
    assert row["action_status"] == "shown"
    assert row["n_action"] == 6
    assert [row[f"action_{p}"] for p in SCALE] == [1, 1, 1, 3]
    assert row["pct_ready"] == pytest.approx(4 / 6)
    assert row["n_lead"] == 3


def test_summary_table_median_of_odd_count_is_the_middle_answer():
    row = one(summary_table(make_survey({1: [1, 1, 2, 4, 4]})))
    assert row["median"] == 2.0


def test_summary_table_withholds_statement_with_too_few_valid_answers():
    answers = [4, 4, 4, 4, NV, NV, NV, NV, NV, NV]
    row = one(summary_table(make_survey({1: answers}, actions={1: [4] * 10})))
    assert row["status"] == "too_small"
    for col in ("n_valid", "n_no_view", "agree_4", "n_responses"):
        assert row[col] is pd.NA
    assert math.isnan(row["pct_agree"]) and math.isnan(row["consensus"])
    assert row["consensus_label"] is None
    assert row["labels"] == ()
    # Ten people answered the action question: that cell is large enough.
    assert row["action_status"] == "shown" and row["n_action"] == 10


def test_summary_table_withholds_action_with_too_few_action_answers():
    actions = [4, 4, 3, SKIP, SKIP, SKIP, SKIP, SKIP]
    row = one(summary_table(make_survey({1: [3] * 8}, actions={1: actions})))
    assert row["status"] == "shown"
    assert row["action_status"] == "too_small"
    assert row["n_action"] is pd.NA and math.isnan(row["pct_ready"])


def test_summary_table_respects_a_higher_min_group():
    data = make_survey({1: [3] * 6})
    assert one(summary_table(data))["status"] == "shown"
    privacy = Privacy(min_group=7, min_comments=10)
    assert one(summary_table(data, privacy=privacy))["status"] == "too_small"


def test_summary_table_pools_only_shown_statements_per_expectation():
    statements = make_statements(["D1", "D1", "D1", "D2"])
    data = make_survey(
        {
            1: [4] * 10,
            2: [3] * 10,
            3: [1, 1, 1] + [NV] * 7,  # withheld: three valid answers
            4: [2] * 10,
        },
        statements=statements,
    )
    table = summary_table(data, level="expectation")
    assert list(table["unit"]) == ["D1", "D2"]
    d1 = table.iloc[0]
    assert d1["statement_ids"] == (1, 2)
    assert d1["n_statements"] == 3
    assert d1["n_valid"] == 20 and d1["agree_1"] == 0
    assert d1["pct_agree"] == 1.0
    assert d1["labels"] == ("sterkte",)
    assert d1["area"] == "D" and d1["rubriek"] == "OL"
    assert table.iloc[1]["labels"] == ("werkpunt",)


@pytest.mark.parametrize("level", LEVELS[1:])
def test_summary_table_unit_levels_have_one_row_per_code(level):
    statements = make_statements(["D1", "B2", "D2"])
    data = make_survey({1: [4] * 6, 2: [3] * 6, 3: [2] * 6}, statements=statements)
    table = summary_table(data, level=level)
    expected = {
        "expectation": ["D1", "B2", "D2"],
        "area": ["D", "B"],
        "rubriek": ["OL"],
    }
    assert list(table["unit"]) == expected[level]


def test_summary_table_sorts_by_position_whatever_the_input_order():
    statements = make_statements(["D1", "D2", "D3"], position=[30, 10, 20])
    data = make_survey({1: [4] * 6, 2: [3] * 6, 3: [2] * 6}, statements=statements)
    table = summary_table(data)
    assert list(table["statement_id"]) == [2, 3, 1]
    shuffled = SurveyData(
        answers=data.answers.sample(frac=1, random_state=3),
        responses=data.responses.sample(frac=1, random_state=4),
        statements=data.statements.sample(frac=1, random_state=5),
        agreement_points=SCALE,
        action_points=SCALE,
    )
    pd.testing.assert_frame_equal(summary_table(shuffled), table)


def test_summary_table_ignores_answers_of_unsubmitted_responses():
    data = make_survey({1: [4] * 6})
    draft = pd.DataFrame(
        {
            "response_id": [1, 2],
            "statement_id": [1, 1],
            "agreement": pd.array([1, 1], dtype="Int64"),
            "no_view": [False, False],
            "action": pd.array([pd.NA, pd.NA], dtype="Int64"),
        }
    )
    with_draft = SurveyData(
        answers=pd.concat([data.answers, draft], ignore_index=True),
        responses=data.responses,
        statements=data.statements,
        agreement_points=SCALE,
        action_points=SCALE,
    )
    assert one(summary_table(with_draft))["n_valid"] == 6


def test_summary_table_rejects_values_outside_the_scale():
    data = make_survey({1: [4, 4, 4, 4, 9]})
    with pytest.raises(ValueError, match="outside the scale"):
        summary_table(data)


def test_survey_data_rejects_missing_columns():
    data = make_survey({1: [4] * 5})
    with pytest.raises(ValueError, match="no_view"):
        SurveyData(
            answers=data.answers.drop(columns="no_view"),
            responses=data.responses,
            statements=data.statements,
            agreement_points=SCALE,
        )


def test_survey_data_rejects_a_scale_of_one_point():
    with pytest.raises(ValueError, match="two points"):
        make_survey({1: [1] * 5}, points=(1,))


# --- empty input ----------------------------------------------------------------


def empty_survey(**kwargs) -> SurveyData:
    answers = pd.DataFrame(
        {
            "response_id": pd.Series(dtype="int64"),
            "statement_id": pd.Series(dtype="int64"),
            "agreement": pd.Series(dtype="Int64"),
            "no_view": pd.Series(dtype=bool),
            "action": pd.Series(dtype="Int64"),
        }
    )
    statements = make_statements([]).astype({"statement_id": "int64"})
    responses = pd.DataFrame(
        {"response_id": pd.Series(dtype="int64"), "functie": pd.Series(dtype="string")}
    )
    values = dict(answers=answers, responses=responses, statements=statements)
    return SurveyData(agreement_points=SCALE, action_points=SCALE, **(values | kwargs))


@pytest.mark.parametrize("level", LEVELS)
def test_tables_of_empty_input_are_empty_with_the_same_columns_and_dtypes(level):
    full = make_survey(
        {1: [4] * 6}, groups={"functie": ["a"] * 3 + ["b"] * 3}, statements=None
    )
    empty = empty_survey()
    pairs = [
        (summary_table(empty, level=level), summary_table(full, level=level)),
        (
            breakdown_table(empty, "functie", level=level),
            breakdown_table(full, "functie", level=level),
        ),
        (
            compare_rounds(empty, empty, level=level),
            compare_rounds(full, full, level=level),
        ),
    ]
    for got, reference in pairs:
        assert got.empty
        assert list(got.columns) == list(reference.columns)
        assert list(got.dtypes) == list(reference.dtypes)


def test_statements_without_any_answers_are_withheld_not_an_error():
    empty = empty_survey(statements=make_statements(["D1", "D2"]))
    table = summary_table(empty)
    assert list(table["status"]) == ["too_small", "too_small"]
    parts = breakdown_table(empty, "functie")
    assert list(parts["status"]) == ["too_small", "too_small"]
    assert parts["part"].isna().all()


# --- consensus labels and classification -----------------------------------------


@pytest.mark.parametrize(
    ("answers", "label"),
    [
        ([3] * 10, "eensgezind"),
        ([3] * 5 + [4] * 5, "eensgezind"),  # Cns 0.737
        ([2] * 1 + [3] * 5 + [4] * 4, "eerder_eensgezind"),  # Cns 0.641
        ([1] * 1 + [2] * 2 + [3] * 4 + [4] * 3, "verdeeld"),  # Cns 0.535
    ],
)
def test_consensus_label_follows_the_thresholds(answers, label):
    row = one(summary_table(make_survey({1: answers})))
    assert row["consensus_label"] == label


def test_polarised_flags_both_ends_full_and_middle_empty():
    row = one(summary_table(make_survey({1: [1] * 4 + [4] * 4 + [3] * 2})))
    assert row["polarised"]
    assert row["labels"] == ("gespreksthema",)
    spread_out = one(
        summary_table(make_survey({1: [1] * 3 + [2] * 2 + [3] * 2 + [4] * 3}))
    )
    assert not spread_out["polarised"]


def test_polarised_on_seven_points_counts_two_points_per_end():
    answers = spread((3, 2, 1, 0, 1, 2, 3), SEVEN)
    row = one(summary_table(make_survey({1: answers}, points=SEVEN)))
    assert row["polarised"]


def test_polarised_alone_makes_a_gespreksthema():
    # A low divided threshold leaves polarisation as the only reason.
    loose = Thresholds(divided_cns=0.0, united_cns=0.0)
    row = one(summary_table(make_survey({1: [1] * 5 + [4] * 5}), thresholds=loose))
    assert row["is_gespreksthema"] and row["polarised"]


def label_of(answers, thresholds=None, **kwargs) -> tuple[str, ...]:
    table = summary_table(make_survey({1: answers}, **kwargs), thresholds=thresholds)
    return one(table)["labels"]


def test_classify_sterkte_when_most_agree_and_team_united():
    assert label_of([4] * 8 + [3] * 2) == ("sterkte",)


def test_classify_sterkte_boundary_is_inclusive():
    assert label_of([3] * 15 + [2] * 5) == ("sterkte",)  # exactly 75 % eens


def test_classify_werkpunt_when_few_agree_and_team_united():
    assert label_of([2] * 10) == ("werkpunt",)


def test_classify_werkpunt_boundary_is_inclusive():
    assert label_of([2] * 5 + [3] * 5) == ("werkpunt",)  # exactly 50 % eens


def test_classify_nothing_between_werkpunt_and_sterkte():
    assert label_of([2] * 4 + [3] * 6) == ()  # 60 % eens, united


def test_classify_gespreksthema_when_team_divided():
    assert label_of([1] * 5 + [4] * 5) == ("gespreksthema",)


def test_classify_divided_team_is_never_sterkte_or_werkpunt():
    # 80 % eens, but split between "helemaal oneens" and "helemaal eens".
    labels = label_of([1] * 2 + [4] * 8)
    assert "sterkte" not in labels and "gespreksthema" in labels


def test_classify_prioriteit_is_a_werkpunt_with_high_readiness():
    actions = [4, 4, 3, 3, 3, 1, 1, 2, 2, SKIP]  # 5 of 9 ready
    assert label_of([2] * 10, actions={1: actions}) == ("werkpunt", "prioriteit")


def test_classify_werkpunt_without_readiness_is_no_prioriteit():
    actions = [4, 3, 1, 1, 1, 2, 2, 2, 2, 2]  # 2 of 10 ready
    assert label_of([2] * 10, actions={1: actions}) == ("werkpunt",)


def test_classify_readiness_without_werkpunt_is_no_prioriteit():
    assert label_of([4] * 10, actions={1: [4] * 10}) == ("sterkte",)


def test_classify_prioriteit_needs_visible_action_figures():
    actions = [4, 4, 4, SKIP, SKIP, SKIP, SKIP, SKIP, SKIP, SKIP]  # 3 answers
    assert label_of([2] * 10, actions={1: actions}) == ("werkpunt",)


def test_classify_blinde_vlek_when_many_have_no_view():
    # 6 valid, 4 geen zicht: 40 % no view; the six agree, so also a sterkte.
    assert label_of([4] * 6 + [NV] * 4) == ("sterkte", "blinde_vlek")


def test_classify_blinde_vlek_when_beleidsteam_sees_it_differently():
    groups = {"functie": ["beleid"] * 5 + ["team"] * 10}
    answers = [4] * 5 + [2] * 10
    table = summary_table(
        make_survey({1: answers}, groups=groups, role=("functie", "beleid"))
    )
    row = one(table)
    assert row["leadership_mean"] == 4.0 and row["rest_mean"] == 2.0
    assert row["leadership_gap"] == 2.0
    assert row["is_blinde_vlek"]


def test_classify_no_blinde_vlek_from_a_small_gap():
    groups = {"functie": ["beleid"] * 5 + ["team"] * 10}
    answers = [3] * 5 + [3] * 8 + [2] * 2
    row = one(
        summary_table(
            make_survey({1: answers}, groups=groups, role=("functie", "beleid"))
        )
    )
    assert row["leadership_gap"] == pytest.approx(3 - 2.8)
    assert not row["is_blinde_vlek"]


def test_classify_uses_the_thresholds_it_is_given():
    answers = [4] * 8 + [2] * 2  # 80 % eens
    assert label_of(answers) == ("sterkte",)
    strict = Thresholds(strength_pct_agree=0.9)
    assert label_of(answers, thresholds=strict) == ()


def test_classify_on_a_table_returns_a_copy_with_label_columns():
    table = summary_table(make_survey({1: [2] * 10}))
    again = classify(table.drop(columns=["labels"]), Thresholds())
    assert list(again["labels"]) == [("werkpunt",)]
    assert [f"is_{label}" for label in LABELS] == [
        c for c in again.columns if c.startswith("is_")
    ]


# --- thresholds ----------------------------------------------------------------


def test_thresholds_round_trip_through_a_dict():
    custom = Thresholds(strength_pct_agree=0.8, gap=1)
    stored = custom.to_dict()
    assert stored["gap"] == 1.0 and isinstance(stored["gap"], float)
    assert Thresholds.from_dict(stored) == custom


def test_thresholds_from_dict_fills_defaults_and_ignores_unknown_keys():
    loaded = Thresholds.from_dict({"ready_share": 0.6, "retired_option": 1})
    assert loaded == Thresholds(ready_share=0.6)


def test_thresholds_defaults_are_the_documented_ones():
    assert Thresholds().to_dict() == {
        "strength_pct_agree": 0.75,
        "work_pct_agree": 0.50,
        "united_cns": 0.70,
        "divided_cns": 0.55,
        "polar_end_share": 0.25,
        "polar_middle_share": 0.25,
        "no_view_share": 0.25,
        "gap": 0.75,
        "subgroup_gap": 0.50,
        "ready_share": 0.50,
        "change": 0.30,
    }


@pytest.mark.parametrize(
    "values",
    [
        {"work_pct_agree": 0.8},  # above strength
        {"divided_cns": 0.9},  # above united
        {"no_view_share": 1.5},
        {"gap": -1},
        {"gap": float("nan")},
        {"ready_share": True},
        {"ready_share": "0.5"},
    ],
)
def test_thresholds_refuse_contradictory_or_invalid_values(values):
    with pytest.raises((ValueError, TypeError)):
        Thresholds(**values)


# --- subgroups -----------------------------------------------------------------


def test_breakdown_table_compares_each_part_with_the_rest():
    groups = {"functie": ["kleuter"] * 5 + ["lager"] * 6}
    data = make_survey({1: [4] * 5 + [2] * 6}, groups=groups)
    table = breakdown_table(data, "functie")
    assert list(table["part"]) == ["kleuter", "lager"]
    kleuter = table.iloc[0]
    assert kleuter["members"] == ("kleuter",)
    assert (kleuter["n_responses"], kleuter["n_valid"]) == (5, 5)
    assert kleuter["mean"] == 4.0 and kleuter["rest_mean"] == 2.0
    assert kleuter["rest_n_valid"] == 6
    assert kleuter["diff_mean"] == 2.0 and kleuter["diff_pct_agree"] == 1.0
    assert kleuter["differs"]
    assert kleuter["labels"] == ("sterkte",)
    assert table.iloc[1]["labels"] == ("werkpunt",)


def test_breakdown_table_does_not_flag_a_small_difference():
    groups = {"functie": ["kleuter"] * 5 + ["lager"] * 5}
    data = make_survey({1: [3] * 5 + [3] * 4 + [2]}, groups=groups)
    assert not breakdown_table(data, "functie")["differs"].any()


def test_breakdown_table_pools_a_joined_partition_per_expectation():
    statements = make_statements(["D1", "D1"])
    groups = {"functie": ["a"] * 6 + ["b"] * 6 + ["c"] * 6}
    answers = {
        1: [4] * 6 + [3] * 6 + [2] * 6,
        # In statement 2 group c has only three valid answers.
        2: [4] * 6 + [3] * 6 + [2] * 3 + [NV] * 3,
    }
    data = make_survey(answers, groups=groups, statements=statements)
    per_statement = breakdown_table(data, "functie")
    # c alone is too small, so the smallest other part (a, first by key among
    # equals) joins it.
    second = per_statement.loc[per_statement["statement_id"] == 2]
    assert list(second["members"]) == [("b",), ("a", "c")]
    assert list(second["part"]) == ["b", "__other__"]
    pooled = breakdown_table(data, "functie", level="expectation")
    assert list(pooled["members"]) == [("b",), ("a", "c")]
    assert list(pooled["n_valid"]) == [12, 21]
    assert list(pooled["statement_ids"]) == [(1, 2), (1, 2)]


def test_tables_of_one_round_do_not_depend_on_what_was_computed_before():
    """The tables of one ``SurveyData`` share intermediate results; they must be
    the same as when each is computed on its own, whatever came first."""
    statements = make_statements(["D1", "D2", "E1", "E1"])
    groups = {
        "functie": ["lead"] * 5 + ["a"] * 7 + ["b"] * 6 + ["c"] * 2,
        "ervaring": ["kort", "lang"] * 9 + [None, None],
    }
    answers = {
        1: spread((2, 3, 8, 7)),
        2: [NV] * 4 + spread((6, 6, 2, 2)),
        3: spread((9, 1, 1, 9)),
        4: [SKIP] * 3 + spread((1, 4, 8, 4)),
    }
    actions = {sid: ([1, 2, 3, 4] * 5)[: 20 - sid] + [SKIP] * sid for sid in answers}

    def build() -> SurveyData:
        return make_survey(answers, actions=actions, groups=groups,
                           statements=statements, role=("functie", "lead"))

    strict = Privacy(min_group=6, min_comments=6)
    stricter = Thresholds(gap=0.3, subgroup_gap=0.1, united_cns=0.6)
    calls = [("summary", level, None, Privacy(), Thresholds()) for level in LEVELS]
    calls += [("breakdown", level, dimension, privacy, thresholds)
              for privacy, thresholds in ((Privacy(), Thresholds()),
                                          (Privacy(), stricter), (strict, stricter))
              for dimension in groups for level in LEVELS]
    calls += [("summary", level, None, strict, stricter) for level in LEVELS]

    def table(data, kind, level, dimension, privacy, thresholds):
        if kind == "summary":
            return summary_table(data, level=level, privacy=privacy,
                                 thresholds=thresholds)
        return breakdown_table(data, dimension, level=level, privacy=privacy,
                               thresholds=thresholds)

    shared = build()
    tables = [table(shared, *call) for call in calls]
    for call, shared_table in zip(calls, tables, strict=True):
        pd.testing.assert_frame_equal(table(build(), *call), shared_table)
    tables[0]["n_valid"] = 0  # a caller that changes its table changes no other
    pd.testing.assert_frame_equal(summary_table(shared), table(build(), *calls[0]))


def test_distribution_long_gives_one_row_per_point_with_shares():
    table = summary_table(make_survey({1: [1, 4, 4, 4, 4]}))
    long = distribution_long(table, SCALE)
    assert list(long["point"]) == [1, 2, 3, 4]
    assert list(long["count"]) == [1, 0, 0, 4]
    assert list(long["share"]) == [0.2, 0.0, 0.0, 0.8]
    assert "agree_1" not in long.columns and long["statement_id"].eq(1).all()


# --- rounds ----------------------------------------------------------------------


def test_compare_rounds_matches_statements_on_origin():
    before = make_survey(
        {1: [2] * 10, 2: [3] * 10},
        statements=make_statements(["D1", "D2"], origin=["bank-7", pd.NA]),
    )
    # This round the statement from bank-7 sits at another id and position.
    now = make_survey(
        {1: [3] * 10, 2: [3] * 5 + [4] * 5},
        statements=make_statements(["D2", "D1"], origin=[pd.NA, "bank-7"]),
    )
    change = compare_rounds(now, before)
    row = one(change)
    assert row["origin"] == "bank-7"
    assert (row["statement_id"], row["statement_id_previous"]) == (2, 1)
    assert row["mean_previous"] == 2.0 and row["mean_current"] == 3.5
    assert row["change_mean"] == 1.5 and row["change_pct_agree"] == 1.0
    assert row["status"] == "shown" and row["matters"]


def test_compare_rounds_does_not_flag_a_small_change():
    before = make_survey({1: [3] * 10})
    now = make_survey({1: [3] * 8 + [4] * 2})
    row = one(compare_rounds(now, before))
    assert row["change_mean"] == pytest.approx(0.2) and not row["matters"]


def test_compare_rounds_by_expectation_and_by_part():
    groups = {"functie": ["a"] * 5 + ["b"] * 5}
    before = make_survey({1: [2] * 10}, groups=groups)
    now = make_survey({1: [4] * 5 + [2] * 5}, groups=groups)
    by_unit = one(compare_rounds(now, before, level="expectation"))
    assert by_unit["unit"] == "D1" and by_unit["change_mean"] == 1.0
    by_part = compare_rounds(now, before, dimension="functie")
    assert list(by_part["part"]) == ["a", "b"]
    assert list(by_part["change_mean"]) == [2.0, 0.0]
    assert list(by_part["matters"]) == [True, False]
