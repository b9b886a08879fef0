"""Tests for the group-size rule: nothing visible reveals a group below the threshold.

Hand-built cases for each rule, then a property test that generates surveys with
small subgroups and tries every subtraction of visible figures.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rok.dashboard.analysis import (
    SurveyData,
    breakdown_table,
    compare_rounds,
    summary_table,
)
from rok.dashboard.disclosure import (
    MISSING,
    OTHER,
    SINGLE_GROUP,
    TOO_SMALL,
    Partition,
    Privacy,
    join_partitions,
    merge_small_parts,
    visible_comments,
)

SCALE = (1, 2, 3, 4)
NV = "nv"
SKIP = None

# --- factory ------------------------------------------------------------------


def make_survey(
    answers: dict[int, Sequence],
    groups: Sequence[str | None],
    *,
    actions: dict[int, Sequence] | None = None,
    expectations: Sequence[str] | None = None,
    role: str | None = None,
) -> SurveyData:
    """Build a survey: per statement one entry per respondent (value, NV or SKIP).

    ``groups`` gives each respondent's option of the dimension "functie".
    """
    sids = list(answers)
    expectations = list(expectations or ["D1"] * len(sids))
    statements = pd.DataFrame(
        {
            "statement_id": sids,
            "position": range(len(sids)),
            "text": [f"Uitspraak {s}" for s in sids],
            "expectation": expectations,
            "area": [e[0] for e in expectations],
            "rubriek": ["OL"] * len(sids),
            "origin": [f"bank-{s}" for s in sids],
        }
    )
    rows = []
    for sid, values in answers.items():
        acts = (actions or {}).get(sid, [SKIP] * len(groups))
        for r, (value, act) in enumerate(zip(values, acts, strict=True)):
            rows.append(
                (
                    r + 1,
                    sid,
                    value if isinstance(value, int) else pd.NA,
                    value == NV,
                    pd.NA if act is None else act,
                )
            )
    frame = pd.DataFrame(
        rows, columns=["response_id", "statement_id", "agreement", "no_view", "action"]
    )
    frame = frame.astype({"agreement": "Int64", "action": "Int64", "no_view": bool})
    responses = pd.DataFrame(
        {
            "response_id": range(1, len(groups) + 1),
            "functie": pd.array(list(groups), dtype="string"),
        }
    )
    return SurveyData(
        answers=frame,
        responses=responses,
        statements=statements,
        agreement_points=SCALE,
        action_points=SCALE,
        role_dimension="functie" if role else None,
        leadership_option=role,
    )


def parts_of(table: pd.DataFrame, statement_id: int) -> list[tuple[str, ...]]:
    return list(table.loc[table["statement_id"] == statement_id, "members"])


# --- merge_small_parts ----------------------------------------------------------


def test_merge_small_parts_keeps_parts_that_are_large_enough():
    partition = merge_small_parts({"a": 5, "b": 9}, 5)
    assert partition.shown
    assert dict(partition.parts) == {"a": ("a",), "b": ("b",)}


def test_merge_small_parts_merges_small_parts_into_overige():
    partition = merge_small_parts({"a": 10, "b": 8, "c": 2, "d": 3}, 5)
    assert dict(partition.parts) == {"a": ("a",), "b": ("b",), OTHER: ("c", "d")}


def test_merge_small_parts_adds_the_smallest_part_when_overige_stays_small():
    # c alone (2) could be recovered as total - a - b: b joins it.
    partition = merge_small_parts({"a": 10, "b": 8, "c": 2}, 5)
    assert dict(partition.parts) == {"a": ("a",), OTHER: ("b", "c")}


def test_merge_small_parts_picks_the_part_to_add_by_the_given_order():
    partition = merge_small_parts({"a": 10, "b": 8, "c": 2}, 5, order={"a": 3, "b": 9})
    assert dict(partition.parts) == {"b": ("b",), OTHER: ("a", "c")}


def test_merge_small_parts_merges_a_part_without_any_valid_answer():
    # Showing a and b would reveal by subtraction that c gave no valid answer.
    partition = merge_small_parts({"a": 10, "b": 12, "c": 0}, 5)
    assert ("c",) not in partition.parts.values()
    assert partition.part_of()["c"] == OTHER


def test_merge_small_parts_withholds_when_one_part_would_remain():
    assert merge_small_parts({"a": 10, "c": 2}, 5) == Partition({}, SINGLE_GROUP)
    assert merge_small_parts({"a": 20}, 5).reason == SINGLE_GROUP


def test_merge_small_parts_withholds_when_the_whole_group_is_too_small():
    assert merge_small_parts({"a": 2, "b": 2}, 5) == Partition({}, TOO_SMALL)
    assert merge_small_parts({}, 5).reason == TOO_SMALL


def test_merge_small_parts_refuses_a_threshold_below_three():
    with pytest.raises(ValueError):
        merge_small_parts({"a": 10, "b": 10}, 2)


def test_join_partitions_joins_options_merged_anywhere():
    first = Partition({"a": ("a",), "b": ("b",), OTHER: ("c", "d")})
    second = Partition({"a": ("a",), "d": ("d",), OTHER: ("b", "c")})
    joined = join_partitions([first, second])
    assert dict(joined.parts) == {"a": ("a",), OTHER: ("b", "c", "d")}


def test_join_partitions_withholds_when_nothing_or_one_part_is_left():
    assert join_partitions([]).reason == TOO_SMALL
    first = Partition({"a": ("a",), OTHER: ("b", "c")})
    second = Partition({"b": ("b",), OTHER: ("a", "c")})
    assert join_partitions([first, second]).reason == SINGLE_GROUP
    with pytest.raises(ValueError):
        join_partitions([Partition({}, TOO_SMALL)])


# --- Privacy ------------------------------------------------------------------


def test_privacy_defaults_and_round_trip():
    assert Privacy().to_dict() == {"min_group": 5, "min_comments": 10}
    custom = Privacy(min_group=3, min_comments=8)
    assert Privacy.from_dict(custom.to_dict() | {"unknown": 1}) == custom
    assert Privacy.from_dict({}) == Privacy()


@pytest.mark.parametrize(
    "values",
    [{"min_group": 2}, {"min_group": 6, "min_comments": 5}, {"min_group": True}],
)
def test_privacy_refuses_thresholds_that_weaken_anonymity(values):
    with pytest.raises((ValueError, TypeError)):
        Privacy(**values)


# --- figures -------------------------------------------------------------------


def test_overall_figures_withheld_below_min_group_and_breakdown_too():
    data = make_survey({1: [4, 4, 3, 3, NV, NV]}, ["a"] * 3 + ["b"] * 3)
    assert summary_table(data).iloc[0]["status"] == TOO_SMALL
    table = breakdown_table(data, "functie")
    assert list(table["status"]) == [TOO_SMALL]
    assert table["part"].isna().all() and table["n_valid"].isna().all()


def test_subgroup_with_few_valid_answers_on_one_statement_is_not_shown_there():
    # zorg: six people, but only three answered statement 2 on the scale.
    groups = ["kleuter"] * 8 + ["lager"] * 8 + ["zorg"] * 6
    answers = {
        1: [3] * 8 + [2] * 8 + [4] * 6,
        2: [3] * 8 + [2] * 8 + [4, 4, 4, NV, NV, SKIP],
    }
    table = breakdown_table(make_survey(answers, groups), "functie")
    assert ("zorg",) in parts_of(table, 1)
    second = parts_of(table, 2)
    assert ("zorg",) not in second
    # Not "kleuter" and "lager" alone either: total minus both would be zorg.
    assert [m for m in second if "zorg" in m][0] in {
        ("kleuter", "zorg"),
        ("lager", "zorg"),
    }
    shown = table.loc[table["statement_id"] == 2]
    assert (shown["n_valid"] >= 5).all() and (shown["rest_n_valid"] >= 5).all()


def test_breakdown_with_a_single_real_group_is_withheld():
    data = make_survey({1: [3] * 12}, ["lager"] * 10 + ["zorg"] * 2)
    table = breakdown_table(data, "functie")
    assert list(table["status"]) == [SINGLE_GROUP]
    assert table["n_valid"].isna().all()


def test_missing_subgroup_value_is_its_own_part():
    data = make_survey({1: [3] * 15}, ["lager"] * 10 + [None] * 5)
    assert parts_of(breakdown_table(data, "functie"), 1) == [("lager",), (MISSING,)]


def test_leadership_gap_is_withheld_when_the_beleidsteam_is_small():
    # A beleidsteam of four, all "helemaal eens", against a team that disagrees:
    # neither the gap nor a blinde-vlek label may betray them.
    groups = ["beleid"] * 4 + ["lager"] * 8 + ["kleuter"] * 8
    data = make_survey({1: [4] * 4 + [1] * 16}, groups, role="beleid")
    row = summary_table(data).iloc[0]
    assert math.isnan(row["leadership_gap"]) and math.isnan(row["leadership_mean"])
    assert not row["is_blinde_vlek"]
    assert all(m != ("beleid",) for m in breakdown_table(data, "functie")["members"])


def test_action_figures_of_a_part_need_enough_action_answers():
    groups = ["a"] * 6 + ["b"] * 6
    actions = {1: [4, 4] + [SKIP] * 4 + [3] * 6}
    data = make_survey({1: [3] * 12}, groups, actions=actions)
    table = breakdown_table(data, "functie")
    assert list(table["status"]) == ["shown", "shown"]
    # a has two action answers; b's would give them away by subtraction.
    assert list(table["action_status"]) == [TOO_SMALL, TOO_SMALL]
    assert table["n_action"].isna().all() and table["pct_ready"].isna().all()
    assert summary_table(data).iloc[0]["n_action"] == 8


def test_pooled_subgroup_does_not_reveal_a_hidden_statement_cell():
    # zorg is hidden in statement 1 (three valid answers) and visible in 2:
    # a pooled zorg figure minus statement 2 would reveal statement 1.
    groups = ["a"] * 8 + ["b"] * 8 + ["zorg"] * 6
    answers = {
        1: [3] * 16 + [1, 1, 1, NV, NV, NV],
        2: [3] * 16 + [4] * 6,
    }
    data = make_survey(answers, groups)
    pooled = breakdown_table(data, "functie", level="expectation")
    assert ("zorg",) not in list(pooled["members"])
    assert ("zorg",) in parts_of(breakdown_table(data, "functie"), 2)


def test_round_change_only_when_both_rounds_are_shown():
    before = make_survey({1: [2, 2, 2, 2, NV, NV]}, ["a"] * 6)
    now = make_survey({1: [4] * 6}, ["a"] * 6)
    row = compare_rounds(now, before).iloc[0]
    assert row["status"] == TOO_SMALL
    assert math.isnan(row["change_mean"]) and math.isnan(row["mean_current"])
    assert not row["matters"]


# --- comments ---------------------------------------------------------------------


def comments_for(n: int) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "response_id": range(1, n + 1),
            "unit": ["D"] * n,
            "text": [f"opmerking {chr(ord('z') - i)}" for i in range(n)],
        }
    )


def test_comments_withheld_for_a_team_below_min_comments():
    responses = pd.DataFrame({"response_id": range(1, 10)})
    assert visible_comments(comments_for(9), responses).empty


def test_comments_shown_for_a_large_enough_team_without_order_or_ids():
    responses = pd.DataFrame({"response_id": range(1, 11)})
    shown = visible_comments(comments_for(10), responses)
    assert list(shown.columns) == ["unit", "part", "members", "text"]
    assert list(shown["text"]) == sorted(shown["text"])
    assert len(shown) == 10


def test_comments_of_unsubmitted_responses_are_ignored():
    responses = pd.DataFrame({"response_id": range(1, 11)})
    drafts = comments_for(12)  # responses 11 and 12 never submitted
    assert len(visible_comments(drafts, responses)) == 10


def test_comments_per_subgroup_merge_groups_below_min_comments():
    responses = pd.DataFrame(
        {
            "response_id": range(1, 24),
            "functie": pd.array(["a"] * 10 + ["b"] * 10 + ["c"] * 3, dtype="string"),
        }
    )
    shown = visible_comments(comments_for(23), responses, dimension="functie")
    assert set(shown["members"]) == {("a",), ("b", "c")} or set(shown["members"]) == {
        ("b",),
        ("a", "c"),
    }
    few = responses.iloc[:13]  # a 10, b 3: b joins a, one group left
    assert visible_comments(comments_for(13), few, dimension="functie").empty


# --- property: no subtraction of visible figures reveals a small group --------------


@st.composite
def small_surveys(draw):
    """Draw a survey with 1-4 options of 0-12 people, missing values, geen zicht.

    The geen-zicht rate differs per statement and option, so one option can be
    large enough in one statement and too small in the next; the first two
    statements share an expectation, so pooling is exercised.
    """
    sizes = draw(st.lists(st.integers(0, 12), min_size=1, max_size=4))
    n_missing = draw(st.integers(0, 3))
    n_statements = draw(st.integers(1, 3))
    expectations = ["D1", "D1", draw(st.sampled_from(["D1", "D2"]))][:n_statements]
    rates = st.sampled_from([0.0, 0.0, 0.3, 0.6, 0.9])
    no_view = draw(
        st.lists(
            st.lists(rates, min_size=len(sizes) + 1, max_size=len(sizes) + 1),
            min_size=n_statements,
            max_size=n_statements,
        )
    )
    action_rate = draw(st.sampled_from([0.0, 0.4, 0.8, 1.0]))
    min_group = draw(st.sampled_from([3, 5]))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    groups = [f"g{i}" for i, n in enumerate(sizes) for _ in range(n)]
    groups += [None] * n_missing
    group_index = [i for i, n in enumerate(sizes) for _ in range(n)]
    group_index += [len(sizes)] * n_missing
    answers, actions = {}, {}
    for s in range(n_statements):
        draws = rng.random(len(groups))
        values = rng.integers(1, 5, len(groups))
        answers[s + 1] = [
            NV if u < no_view[s][g] else SKIP if u > 0.95 else int(v)
            for u, v, g in zip(draws, values, group_index, strict=True)
        ]
        acted = rng.random(len(groups)) < action_rate
        actions[s + 1] = [
            int(v) if a else SKIP
            for a, v in zip(acted, rng.integers(1, 5, len(groups)), strict=True)
        ]
    data = make_survey(answers, groups, actions=actions, expectations=expectations)
    return data, min_group


def true_cells(data: SurveyData) -> tuple[list[tuple[int, str]], dict, dict]:
    """Return the atoms (statement, option) with people and their true counts."""
    option = dict(
        zip(
            data.responses["response_id"],
            data.responses["functie"]
            .astype(object)
            .where(data.responses["functie"].notna(), MISSING),
            strict=True,
        )
    )
    options = sorted(set(option.values()))
    atoms = [(int(s), o) for s in data.statements["statement_id"] for o in options]
    agree = {a: np.zeros(5) for a in atoms}  # points 1-4, then geen zicht
    action = {a: np.zeros(4) for a in atoms}
    for row in data.answers.itertuples():
        atom = (row.statement_id, option[row.response_id])
        if row.no_view:
            agree[atom][4] += 1
        elif row.agreement is not pd.NA:
            agree[atom][row.agreement - 1] += 1
        if row.action is not pd.NA:
            action[atom][row.action - 1] += 1
    return atoms, agree, action


def visible_tables(data: SurveyData, privacy: Privacy) -> dict:
    """Compute every table the dashboard shows for the dimension, per level."""
    return {
        level: (
            summary_table(data, level=level, privacy=privacy),
            breakdown_table(data, "functie", level=level, privacy=privacy),
        )
        for level in ("statement", "expectation")
    }


def visible_sets(tables: dict, options: list[str], kind: str):
    """Yield (level, role, atoms, counts or None) for each visible figure of ``kind``.

    ``kind`` is "agree" or "action". The rest beside a part is a visible figure
    too (its n, % and mean are shown); its counts are not, so it yields None.
    """
    status = "status" if kind == "agree" else "action_status"
    columns = (
        ["agree_1", "agree_2", "agree_3", "agree_4", "n_no_view"]
        if kind == "agree"
        else ["action_1", "action_2", "action_3", "action_4"]
    )

    def statements_of(row, level):
        if level == "statement":
            return [int(row["statement_id"])]
        ids = row["statement_ids"] if kind == "agree" else row["action_statement_ids"]
        return list(ids)

    for level, (summary, parts) in tables.items():
        for _, row in summary.loc[summary[status] == "shown"].iterrows():
            sids = statements_of(row, level)
            atoms = [(s, o) for s in sids for o in options]
            yield level, "total", atoms, row[columns].to_numpy(float)
        for _, row in parts.loc[parts[status] == "shown"].iterrows():
            sids = statements_of(row, level)
            members = set(row["members"])
            inside = [(s, o) for s in sids for o in options if o in members]
            outside = [(s, o) for s in sids for o in options if o not in members]
            yield level, "part", inside, row[columns].to_numpy(float)
            yield level, "rest", outside, None


@settings(
    max_examples=100,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(small_surveys())
def test_no_combination_of_visible_figures_reveals_a_small_group(case):
    data, min_group = case
    privacy = Privacy(min_group=min_group, min_comments=max(10, min_group))
    atoms, agree, action = true_cells(data)
    if not atoms:
        return
    index = {a: i for i, a in enumerate(atoms)}
    statements = sorted({s for s, _ in atoms})
    options = sorted({o for _, o in atoms})
    tables = visible_tables(data, privacy)
    for kind, truth, size in (
        ("agree", agree, lambda a: truth_valid(agree, a)),
        ("action", action, lambda a: action[a].sum()),
    ):
        rows, totals, parts = [], {}, {}
        for level, role, members, reported in visible_sets(tables, options, kind):
            # Every visible figure, and every rest beside a part, covers at
            # least min_group answers in each statement it draws on.
            for s in {s for s, _ in members}:
                n = sum(size(a) for a in members if a[0] == s)
                assert n >= min_group, (kind, members)
            if reported is not None:  # the figure is what it claims to cover
                expected = sum((truth[a] for a in members), np.zeros(len(reported)))
                np.testing.assert_array_equal(reported, expected)
            vector = np.zeros(len(atoms))
            vector[[index[a] for a in members]] = 1
            rows.append(vector)
            if level == "statement" and role == "total":
                totals[members[0][0]] = members
            elif level == "statement" and role == "part":
                parts.setdefault(members[0][0], []).append(set(members))

        # Explicit subtractions per statement: the total minus any subset of
        # the visible parts leaves a group of at least min_group answers.
        for s, total in totals.items():
            for k in range(len(parts.get(s, [])) + 1):
                for subset in itertools.combinations(parts.get(s, []), k):
                    left = set(total) - set().union(*subset)
                    if left:
                        assert sum(size(a) for a in left) >= min_group
        # No part is shown without the total beside it.
        assert set(parts) <= set(totals)

        # Any linear combination: a small cell (any options, any statements,
        # fewer than min_group answers) must lie outside the span of the
        # visible figures.
        if not rows:
            continue
        matrix = np.array(rows)
        projector = np.linalg.pinv(matrix) @ matrix
        for n_s in range(1, len(statements) + 1):
            for sids in itertools.combinations(statements, n_s):
                for n_o in range(1, len(options) + 1):
                    for opts in itertools.combinations(options, n_o):
                        cell = [(s, o) for s in sids for o in opts]
                        if sum(size(a) for a in cell) >= min_group:
                            continue
                        target = np.zeros(len(atoms))
                        target[[index[a] for a in cell]] = 1
                        residual = target - target @ projector
                        assert np.abs(residual).max() > 1e-6, (kind, cell)


def truth_valid(agree: dict, atom) -> float:
    """Return the number of answers on the scale in an atom."""
    return float(agree[atom][:4].sum())
