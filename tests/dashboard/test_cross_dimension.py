"""Two dimensions side by side must not reveal a small group by subtraction."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from rok.dashboard.disclosure import (
    Partition,
    cross_dimension_conflicts,
    cross_dimension_withheld,
    merge_small_parts,
)


def people(pairs: list[tuple[str, str, int]]) -> pd.DataFrame:
    """Build a group: ``n`` people with option ``a`` of d1 and ``b`` of d2."""
    rows = [(a, b) for a, b, n in pairs for _ in range(n)]
    return pd.DataFrame(rows, columns=["d1", "d2"], dtype="string")


def split(group: pd.DataFrame, dimension: str, min_group: int = 5) -> Partition:
    sizes = group[dimension].value_counts()
    return merge_small_parts({str(k): int(v) for k, v in sizes.items()}, min_group)


def test_cross_dimension_finds_the_both_cell_when_nobody_is_outside_both():
    # A (d1=a) and X (d2=x) cover everyone: A∩X (2 people) = A + X − total.
    group = people([("a", "x", 2), ("a", "y", 6), ("b", "x", 7)])
    partitions = {"d1": split(group, "d1"), "d2": split(group, "d2")}
    assert partitions["d1"].shown and partitions["d2"].shown
    conflicts = cross_dimension_conflicts(group, partitions, 5)
    assert any(c.first == ("a",) and c.second == ("x",) and c.size == 2
               and c.neither == 0 for c in conflicts)


def test_cross_dimension_checks_every_cell_of_the_crosstab():
    # Nobody is in b∩x, so a∩y = total − A... here: A∩X̄ follows from the margins.
    group = people([("a", "x", 6), ("a", "y", 2), ("b", "y", 7)])
    conflicts = cross_dimension_conflicts(
        group, {"d1": split(group, "d1"), "d2": split(group, "d2")}, 5)
    assert any(c.size == 2 for c in conflicts)


def test_cross_dimension_accepts_a_real_crossing():
    group = people([("a", "x", 6), ("a", "y", 6), ("b", "x", 6), ("b", "y", 6)])
    assert cross_dimension_conflicts(
        group, {"d1": split(group, "d1"), "d2": split(group, "d2")}, 5) == []


def test_cross_dimension_ignores_withheld_and_single_dimensions():
    group = people([("a", "x", 2), ("a", "y", 6), ("b", "x", 7)])
    assert cross_dimension_conflicts(
        group, {"d1": split(group, "d1"), "d2": Partition({}, "too_small")}, 5) == []
    assert cross_dimension_conflicts(group, {"d1": split(group, "d1")}, 5) == []


def test_cross_dimension_withheld_keeps_the_first_dimension_and_withholds_the_other():
    group = people([("a", "x", 2), ("a", "y", 6), ("b", "x", 7)])
    responses = group.assign(response_id=np.arange(1, len(group) + 1))
    answers = pd.DataFrame({
        "response_id": np.tile(responses["response_id"], 2),
        "statement_id": np.repeat([10, 11], len(group)),
        "agreement": pd.array([3] * (2 * len(group)), dtype="Int64"),
        "action": pd.array([pd.NA] * (2 * len(group)), dtype="Int64"),
    })
    partitions = {d: {10: split(group, d), 11: split(group, d)} for d in ("d1", "d2")}
    withheld = cross_dimension_withheld(answers, responses, partitions, 5,
                                        order=["d1", "d2"])
    assert set(withheld) == {"d2"}
    assert withheld["d2"].statement_id == 10
    withheld = cross_dimension_withheld(answers, responses, partitions, 5,
                                        order=["d2", "d1"])
    assert set(withheld) == {"d1"}


def _cells(group, partitions, d1, d2):
    """Every (union of d1 parts, union of d2 parts) with its both/neither counts."""
    p1, p2 = list(partitions[d1].parts.values()), list(partitions[d2].parts.values())
    out = []
    for m1 in range(1, 2 ** len(p1) - 1):
        u = {o for i, part in enumerate(p1) if m1 >> i & 1 for o in part}
        for m2 in range(1, 2 ** len(p2) - 1):
            v = {o for i, part in enumerate(p2) if m2 >> i & 1 for o in part}
            in_u = group[d1].fillna("__missing__").isin(u)
            in_v = group[d2].fillna("__missing__").isin(v)
            out.append((int((in_u & in_v).sum()), int((~in_u & ~in_v).sum())))
    return out


@settings(max_examples=60, deadline=None)
@given(
    cells=st.lists(st.integers(0, 9), min_size=6, max_size=6),
    min_group=st.integers(3, 6),
)
def test_cross_dimension_flags_exactly_the_small_recoverable_cells(cells, min_group):
    pairs = [(a, b, n) for (a, b), n in zip(
        [("a", "x"), ("a", "y"), ("b", "x"), ("b", "y"), ("c", "x"), ("c", "y")],
        cells, strict=True)]
    group = people(pairs)
    if group.empty:
        return
    partitions = {"d1": split(group, "d1", min_group),
                  "d2": split(group, "d2", min_group)}
    conflicts = cross_dimension_conflicts(group, partitions, min_group)
    if not (partitions["d1"].shown and partitions["d2"].shown):
        assert conflicts == []
        return
    expected = [(b, n) for b, n in _cells(group, partitions, "d1", "d2")
                if 0 < b < min_group and n < min_group]
    assert sorted((c.size, c.neither) for c in conflicts) == sorted(expected)
    # And whenever nothing is flagged, no exactly recoverable cell is small.
    if not conflicts:
        for both, neither in _cells(group, partitions, "d1", "d2"):
            assert not (neither == 0 and 0 < both < min_group)
