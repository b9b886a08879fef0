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

Imports only pandas and the standard library (see ``test_analysis_boundary``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields
from typing import Any

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
