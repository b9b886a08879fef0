"""Apply the minimum-group-size rule: merge small subgroups or withhold a breakdown.

Nothing may be shown for a group smaller than the survey's threshold, and no
combination of visible figures may reveal such a group by subtraction (total
minus the other subgroups, a subgroup versus the rest, two filters on the same
dimension). This module holds the one mechanism that guarantees it for a single
subgroup dimension:

1. Split the group (all responses, or the answers to one statement) into the
   options of the dimension; a missing value is its own part (``MISSING``).
2. Merge every part below the threshold into "overige" (``OTHER``). If that
   merged part is still below the threshold, also merge the smallest remaining
   parts into it until it is not.
3. If the whole group is below the threshold, withhold everything
   (``TOO_SMALL``); if fewer than two parts remain, withhold the breakdown
   (``SINGLE_GROUP``): one part would equal the total and say nothing new, and a
   lone small leftover could be recovered from the total.

The result always covers the whole group, so every visible part is at least the
threshold, and so is every union of parts that one can compute by subtracting
visible parts from the total. ``join_partitions`` keeps that true when figures of
several statements are pooled.

Input frames:

``responses``
    one row per submitted response: ``response_id`` and one column per subgroup
    dimension, holding the option key (a string) or ``<NA>``.
``comments``
    one row per open comment: ``response_id``, ``unit`` (the code of the quality
    area the comment belongs to) and ``text``.

Across two dimensions the rule per dimension is not enough (part A of one and
part X of another may together cover everyone, and then A + X − total is the
small group A∩X); ``cross_dimension_conflicts`` and ``cross_dimension_withheld``
find such pairs so that the dashboard withholds one of the two breakdowns.

Imports only pandas, numpy and the standard library (see
``test_analysis_boundary``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields
from typing import Any

import numpy as np
import pandas as pd

#: Key of the merged part ("overige"); at pooled levels several merged parts are
#: numbered ``__other__2``, ``__other__3``, ... Every merged key starts with it.
OTHER = "__other__"
#: Key of the part of responses without a value for the dimension.
MISSING = "__missing__"
#: Key of the whole team where a frame has a ``part`` column.
ALL = "__all__"
#: Status of a figure that is shown.
SHOWN = "shown"
#: Reason code: the whole group is below the threshold.
TOO_SMALL = "too_small"
#: Reason code: merging left fewer than two parts, so a breakdown says nothing.
SINGLE_GROUP = "single_group"
#: The threshold may never be set lower than this.
ABSOLUTE_MIN_GROUP = 3


@dataclass(frozen=True)
class Privacy:
    """Hold a survey's group-size thresholds.

    ``min_group`` applies to every figure (counted in valid answers per cell),
    ``min_comments`` to open comments (counted in responses per group).
    """

    #: Smallest group for which any figure is shown (default 5, never below 3).
    min_group: int = 5
    #: Smallest group whose open comments are shown (default 10).
    min_comments: int = 10

    def __post_init__(self) -> None:
        """Refuse thresholds that would weaken anonymity."""
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, bool) or not isinstance(value, int):
                raise TypeError(f"{f.name} must be an int, not {value!r}")
        if self.min_group < ABSOLUTE_MIN_GROUP:
            raise ValueError(f"min_group must be at least {ABSOLUTE_MIN_GROUP}")
        if self.min_comments < self.min_group:
            raise ValueError("min_comments must be at least min_group")

    def to_dict(self) -> dict[str, int]:
        """Return the thresholds as a plain dict, for storing with a survey."""
        return {f.name: getattr(self, f.name) for f in fields(self)}

    @classmethod
    def from_dict(cls, values: Mapping[str, Any]) -> Privacy:
        """Build from a stored dict; missing keys take defaults, unknown are ignored."""
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in values.items() if k in names})


@dataclass(frozen=True)
class Partition:
    """Describe how one group's options are grouped into disclosable parts.

    ``parts`` maps each part key to its member options (sorted); it is empty when
    the breakdown is withheld, and then ``reason`` says why.
    """

    parts: Mapping[str, tuple[str, ...]]
    reason: str | None = None

    @property
    def shown(self) -> bool:
        """Tell whether the breakdown may be shown."""
        return self.reason is None

    def part_of(self) -> dict[str, str]:
        """Map every member option to the key of its part."""
        return {m: key for key, members in self.parts.items() for m in members}


def merge_small_parts(
    sizes: Mapping[str, int],
    min_group: int,
    *,
    order: Mapping[str, int] | None = None,
) -> Partition:
    """Merge parts below ``min_group`` into "overige", or withhold the breakdown.

    ``sizes`` maps every option that has members (even when its count here is
    zero) to the count the threshold applies to, e.g. valid answers to one
    statement. When the merged part is too small, the parts that are smallest in
    ``order`` (default: ``sizes``; the callers pass the number of people, so the
    same parts tend to be merged for every statement) join it, ties by key.
    """
    if min_group < ABSOLUTE_MIN_GROUP:
        raise ValueError(f"min_group must be at least {ABSOLUTE_MIN_GROUP}")
    rank = order if order is not None else sizes
    if sum(sizes.values()) < min_group:
        return Partition({}, TOO_SMALL)
    small = sorted(k for k, n in sizes.items() if n < min_group)
    large = sorted(
        (k for k, n in sizes.items() if n >= min_group),
        key=lambda k: (rank.get(k, sizes[k]), sizes[k], k),
    )
    merged = list(small)
    merged_n = sum(sizes[k] for k in small)
    while merged and merged_n < min_group:
        # The total is large enough, so this ends before ``large`` runs out.
        key = large.pop(0)
        merged.append(key)
        merged_n += sizes[key]
    parts = {k: (k,) for k in sorted(large)}
    if merged:
        parts[OTHER] = tuple(sorted(merged))
    if len(parts) < 2:
        return Partition({}, SINGLE_GROUP)
    return Partition(parts)


def join_partitions(partitions: Iterable[Partition]) -> Partition:
    """Return the finest partition that every given (shown) partition refines.

    Pooling figures of several statements per part is safe only when each
    pooled part is a union of visible parts of every statement; this joins the
    statements' partitions (options that share a part anywhere end up together).
    Withheld partitions must be left out by the caller; with none left, or with
    one part left, the result is withheld.
    """
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    seen = False
    for partition in partitions:
        if not partition.shown:
            raise ValueError("join_partitions takes shown partitions only")
        seen = True
        for members in partition.parts.values():
            for m in members:
                parent.setdefault(m, m)
            root = find(members[0])
            for m in members[1:]:
                other = find(m)
                if other != root:
                    parent[max(root, other)] = min(root, other)
                    root = min(root, other)
    if not seen:
        return Partition({}, TOO_SMALL)
    groups: dict[str, list[str]] = {}
    for m in parent:
        groups.setdefault(find(m), []).append(m)
    singles = sorted(ms[0] for ms in groups.values() if len(ms) == 1)
    multis = sorted(tuple(sorted(ms)) for ms in groups.values() if len(ms) > 1)
    if len(singles) + len(multis) < 2:
        return Partition({}, SINGLE_GROUP)
    parts: dict[str, tuple[str, ...]] = {k: (k,) for k in singles}
    for i, members in enumerate(multis, start=1):
        parts[OTHER if i == 1 else f"{OTHER}{i}"] = members
    return Partition(parts)


def option_series(responses: pd.DataFrame, dimension: str) -> pd.Series:
    """Return each response's option for ``dimension``, ``MISSING`` when not given."""
    if dimension not in responses.columns or dimension == "response_id":
        raise ValueError(f"unknown subgroup dimension {dimension!r}")
    values = responses[dimension].astype("string").fillna(MISSING)
    return pd.Series(
        values.to_numpy(dtype=object), index=responses.index, name="option"
    )


def group_partition(
    responses: pd.DataFrame, dimension: str, min_size: int
) -> Partition:
    """Partition the responses by ``dimension`` counting people, e.g. for comments."""
    counts = option_series(responses, dimension).value_counts()
    return merge_small_parts(
        {str(k): int(v) for k, v in counts.items()}, max(min_size, ABSOLUTE_MIN_GROUP)
    )


COMMENT_COLUMNS = ("unit", "part", "members", "text")


def visible_comments(
    comments: pd.DataFrame,
    responses: pd.DataFrame,
    *,
    privacy: Privacy | None = None,
    dimension: str | None = None,
) -> pd.DataFrame:
    """Return the open comments that may be shown, per group of enough responses.

    Without ``dimension`` all comments are returned (part ``ALL``) when the team
    counts at least ``privacy.min_comments`` submitted responses. With a
    dimension, its options are merged by ``merge_small_parts`` on response
    counts with ``min_comments`` as threshold, so the comments of every visible
    part, and of whatever the total minus visible parts leaves, come from at
    least that many people. The result has columns ``unit``, ``part``,
    ``members`` and ``text``, sorted by them: no ``response_id`` and no
    submission order, so a comment cannot be linked to answers.
    """
    privacy = privacy or Privacy()
    empty = pd.DataFrame(
        {
            "unit": pd.Series(dtype=object),
            "part": pd.Series(dtype=object),
            "members": pd.Series(dtype=object),
            "text": pd.Series(dtype=object),
        }
    )
    if comments.empty or responses.empty:
        return empty
    submitted = comments.merge(
        responses[["response_id"]].drop_duplicates(), on="response_id"
    )
    if dimension is None:
        if len(responses) < privacy.min_comments or submitted.empty:
            return empty
        parts = pd.Series(ALL, index=submitted.index, dtype=object)
        members = pd.Series([()] * len(submitted), index=submitted.index, dtype=object)
    else:
        partition = group_partition(responses, dimension, privacy.min_comments)
        if not partition.shown or submitted.empty:
            return empty
        options = option_series(responses, dimension)
        by_response = dict(zip(responses["response_id"], options, strict=True))
        part_of = partition.part_of()
        parts = submitted["response_id"].map(by_response).map(part_of)
        members = parts.map(lambda key: partition.parts[key])
    out = pd.DataFrame(
        {
            "unit": submitted["unit"].astype(object).to_numpy(),
            "part": parts.to_numpy(dtype=object),
            "members": members.to_numpy(dtype=object),
            "text": submitted["text"].astype(object).to_numpy(),
        }
    )
    out = out[out["text"].notna() & (out["text"].astype(str).str.strip() != "")]
    return out.sort_values(["unit", "part", "text"], kind="mergesort").reset_index(
        drop=True
    )


# --- two dimensions side by side ------------------------------------------------

#: Reason code: the breakdown is withheld because, next to another dimension's
#: breakdown, it would reveal a small group (see ``cross_dimension_conflicts``).
CROSS_DIMENSION = "cross_dimension"
#: Beyond this many parts per dimension, unions are not enumerated (2**k grows);
#: the check then falls back to single parts and their complements.
MAX_UNION_PARTS = 12


@dataclass(frozen=True)
class CrossConflict:
    """A small group that two dimensions' visible figures give away together.

    ``first`` and ``second`` are sets of options of ``dimensions[0]`` and
    ``dimensions[1]`` (each a union of visible parts, or its complement); the
    people in both count ``size`` (0 < size < min_group), and the people in
    neither count ``neither`` (also below min_group), so ``first + second −
    total`` (= both − neither) lays the small group bare.
    """

    dimensions: tuple[str, str]
    first: tuple[str, ...]
    second: tuple[str, ...]
    size: int
    neither: int
    statement_id: Any = None


def _unions(count: int) -> np.ndarray:
    """Return the indicator rows of every non-empty proper union of ``count`` parts."""
    if count <= MAX_UNION_PARTS:
        codes = np.arange(1, 2**count - 1)
        return ((codes[:, None] >> np.arange(count)) & 1).astype(np.int64)
    eye = np.eye(count, dtype=np.int64)
    return np.vstack([eye, 1 - eye])


def cross_dimension_conflicts(
    group: pd.DataFrame,
    partitions: Mapping[str, Partition],
    min_group: int,
    *,
    statement_id: Any = None,
) -> list[CrossConflict]:
    """Find small groups revealed by combining the breakdowns of two dimensions.

    ``group`` holds one row per person of the group the figures describe (for
    example everyone who answered one statement on the scale) with one column
    per dimension (option key or <NA>). ``partitions`` maps a dimension to the
    partition of its options that would be shown for this group; withheld ones
    are ignored.

    The rule per dimension makes every visible part, and every union of parts
    one can compute from the total, count at least ``min_group``. Across two
    dimensions that is not enough: for unions ``U`` (of dimension 1) and ``V``
    (of dimension 2), ``dist(U) + dist(V) − dist(total) = dist(U∩V) −
    dist(Ū∩V̄)``. When the "neither" cell is empty this is exactly the group
    in both; when it is small too, the difference of two small groups still
    gives most of their answers away. So every pair ``(U, V)`` (complements
    included, so every cell of each 2×2 crosstab is checked) with ``0 <
    |U∩V| < min_group`` and ``|Ū∩V̄| < min_group`` is a conflict.
    """
    shown = [d for d, p in partitions.items() if p.shown]
    if len(shown) < 2 or group.empty:
        return []
    codes = {}
    for dimension in shown:
        options, keys = pd.factorize(option_series(group, dimension))
        codes[dimension] = _part_codes(options, keys, partitions[dimension], dimension)
    return _conflicts(codes, len(group), min_group, statement_id)


def _part_codes(
    options: np.ndarray, keys: Any, partition: Partition, dimension: str
) -> tuple[np.ndarray, list[tuple[str, ...]]]:
    """Return each person's part number and the parts' members, in part order.

    ``options`` numbers each person's option in ``keys`` (as ``pd.factorize``).
    """
    parts = list(partition.parts.values())
    index = {m: i for i, members in enumerate(parts) for m in members}
    lookup = np.array([index.get(k, -1) for k in keys], dtype=np.int64)
    if (lookup < 0).any():
        present = np.unique(options)
        unknown = sorted(keys[i] for i in present if lookup[i] < 0)
        if unknown:
            raise ValueError(f"options {unknown} of {dimension!r} are in no part")
    return lookup[options], parts


def _conflicts(
    codes: Mapping[str, tuple[np.ndarray, list[tuple[str, ...]]]],
    total: int,
    min_group: int,
    statement_id: Any,
) -> list[CrossConflict]:
    """Check every pair of dimensions, given each person's part per dimension."""
    shown = list(codes)
    conflicts: list[CrossConflict] = []
    for i, first in enumerate(shown):
        for second in shown[i + 1 :]:
            a, a_parts = codes[first]
            b, b_parts = codes[second]
            k, m = len(a_parts), len(b_parts)
            cross = np.bincount(a * m + b, minlength=k * m).reshape(k, m)
            u, v = _unions(k), _unions(m)
            both = u @ cross @ v.T
            size_u = (u @ cross.sum(axis=1))[:, None]
            size_v = (v @ cross.sum(axis=0))[None, :]
            neither = total - size_u - size_v + both
            hits = np.argwhere(
                (both > 0) & (both < min_group) & (neither < min_group)
            )
            for r, c in hits:
                conflicts.append(
                    CrossConflict(
                        dimensions=(first, second),
                        first=_members(u[r], a_parts),
                        second=_members(v[c], b_parts),
                        size=int(both[r, c]),
                        neither=int(neither[r, c]),
                        statement_id=statement_id,
                    )
                )
    return conflicts


def _members(row: np.ndarray, parts: list[tuple[str, ...]]) -> tuple[str, ...]:
    chosen = (p for flag, p in zip(row, parts, strict=True) if flag)
    return tuple(sorted(m for p in chosen for m in p))


def cross_dimension_withheld(
    answers: pd.DataFrame,
    responses: pd.DataFrame,
    partitions: Mapping[str, Mapping[Any, Partition]],
    min_group: int,
    *,
    order: Iterable[str] | None = None,
) -> dict[str, CrossConflict]:
    """Choose the dimensions whose breakdown must be withheld across dimensions.

    ``partitions`` maps each dimension to its visible partition per statement
    (as ``breakdown_table`` shows them at statement level). Per statement the
    check of ``cross_dimension_conflicts`` runs on the people who answered on
    the agreement scale, and on those who answered the action question.
    Dimensions are accepted greedily in ``order`` (default: as given; callers
    put the role dimension first, since the beleidsteam gap always shows it);
    a dimension that conflicts with an accepted one is withheld entirely, and
    the result maps it to the first conflict found.
    """
    names = list(order) if order is not None else list(partitions)
    names = [d for d in names if d in partitions]
    withheld: dict[str, CrossConflict] = {}
    if len(names) < 2 or answers.empty:
        return withheld
    # Each person's option per dimension, numbered once; a statement's group is
    # then a selection of rows (positions in ``responses``), not a new frame.
    options = {d: pd.factorize(option_series(responses, d)) for d in names}
    position = pd.Index(responses["response_id"]).get_indexer(answers["response_id"])
    groups = []
    for column in ("agreement", "action"):
        if column not in answers.columns:
            continue
        given = answers[column].notna().to_numpy()
        if (position[given] < 0).any():
            raise KeyError("answers of a response that is not in responses")
        rows = pd.Series(
            position[given], index=answers["statement_id"].to_numpy()[given]
        )
        for sid, people in rows.groupby(level=0, sort=True):
            groups.append((sid, people.to_numpy()))
    accepted: list[str] = []
    for dimension in names:
        conflict = None
        for other in accepted:
            for sid, people in groups:
                pair = {
                    other: partitions[other].get(sid, Partition({}, TOO_SMALL)),
                    dimension: partitions[dimension].get(
                        sid, Partition({}, TOO_SMALL)
                    ),
                }
                found = _group_conflicts(people, pair, options, min_group, sid)
                if found:
                    conflict = found[0]
                    break
            if conflict is not None:
                break
        if conflict is None:
            accepted.append(dimension)
        else:
            withheld[dimension] = conflict
    return withheld


def _group_conflicts(
    people: np.ndarray,
    partitions: Mapping[str, Partition],
    options: Mapping[str, tuple[np.ndarray, Any]],
    min_group: int,
    statement_id: Any,
) -> list[CrossConflict]:
    """Run ``cross_dimension_conflicts`` on the people at these row positions."""
    shown = [d for d, p in partitions.items() if p.shown]
    if len(shown) < 2 or len(people) == 0:
        return []
    codes = {}
    for dimension in shown:
        numbers, keys = options[dimension]
        codes[dimension] = _part_codes(
            numbers[people], keys, partitions[dimension], dimension
        )
    return _conflicts(codes, len(people), min_group, statement_id)
