"""The response monitor: how many answered, overall and per subgroup. Counts only.

Two pure parts carry the rules and are tested on their own:

* :func:`minimum_response_rate` — the recommended minimum response for a group
  size, as Flemish guidance services use it (5 → 80 %, 10 → 60 %, 20 → 50 %,
  50 → 40 %, 100 or more → 30 %, straight lines in between, 80 % below 5).
* :func:`merge_small` — the minimum-group-size rule for a breakdown: options
  smaller than the survey's threshold are merged into "overige" (and the
  smallest others join it until it is large enough), so no hidden group can be
  recovered by subtracting the visible ones from the total; when fewer than two
  parts remain the breakdown is withheld.

:func:`response_monitor` gathers the counts from the database: personal links
count invited participants and their ``has_finished`` flag; the team link counts
submitted responses that no personal link accounts for, against the team size
the school entered.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from sqlalchemy import select

from rok.extensions import db
from rok.surveys.models import Participant, Response, Survey

#: (group size, minimum response in percent), from the guidance services' table.
MINIMUM_POINTS: tuple[tuple[int, float], ...] = (
    (5, 80.0),
    (10, 60.0),
    (20, 50.0),
    (50, 40.0),
    (100, 30.0),
)

#: Key of the merged part; of the part of people without a value.
OTHER = "__other__"
MISSING = "__missing__"
#: Reasons a breakdown is withheld.
TOO_SMALL = "too_small"
SINGLE_GROUP = "single_group"


def minimum_response_rate(group_size: int) -> float:
    """Return the recommended minimum response rate (percent) for a group size."""
    if group_size <= MINIMUM_POINTS[0][0]:
        return MINIMUM_POINTS[0][1]
    for (n0, p0), (n1, p1) in zip(MINIMUM_POINTS, MINIMUM_POINTS[1:], strict=False):
        if group_size <= n1:
            return p0 + (p1 - p0) * (group_size - n0) / (n1 - n0)
    return MINIMUM_POINTS[-1][1]


def merge_small(
    sizes: Mapping[str, int], min_group: int
) -> tuple[dict[str, tuple[str, ...]], str | None]:
    """Group options into parts of at least ``min_group``; or withhold (reason).

    Returns ``(parts, reason)``: ``parts`` maps a part key (an option key or
    :data:`OTHER`) to its member options; it is empty when ``reason`` is set.
    """
    if sum(sizes.values()) < min_group:
        return {}, TOO_SMALL
    small = sorted(k for k, n in sizes.items() if n < min_group)
    large = sorted(
        (k for k, n in sizes.items() if n >= min_group), key=lambda k: (sizes[k], k)
    )
    merged = list(small)
    merged_n = sum(sizes[k] for k in small)
    while merged and merged_n < min_group and large:
        key = large.pop(0)
        merged.append(key)
        merged_n += sizes[key]
    parts = {k: (k,) for k in large}
    if merged:
        parts[OTHER] = tuple(sorted(merged))
    if len(parts) < 2:
        return {}, SINGLE_GROUP
    return parts, None


@dataclass(frozen=True)
class Rate:
    """A group's response: ``done`` of ``size`` (``size`` None: no denominator)."""

    label: str
    done: int
    size: int | None = None
    #: The option keys this row stands for (several for "overige").
    members: tuple[str, ...] = ()

    @property
    def percent(self) -> float | None:
        if not self.size:
            return None
        return 100.0 * self.done / self.size

    @property
    def minimum(self) -> float | None:
        return minimum_response_rate(self.size) if self.size else None

    @property
    def meets_minimum(self) -> bool | None:
        if self.percent is None:
            return None
        return self.percent + 1e-9 >= self.minimum


@dataclass
class Breakdown:
    dimension: str
    rows: list[Rate] = field(default_factory=list)
    #: Why the breakdown is not shown (TOO_SMALL / SINGLE_GROUP), or None.
    withheld: str | None = None
    #: Labels of the options merged into "overige".
    merged: list[str] = field(default_factory=list)


def breakdown(
    dimension_label: str,
    options: Sequence[tuple[str, str]],
    members: Sequence[tuple[str | None, bool]],
    min_group: int,
    *,
    other_label: str,
    missing_label: str,
    with_size: bool = True,
) -> Breakdown:
    """Break ``members`` ((option key or None, done) pairs) down by option.

    With ``with_size`` the threshold applies to the group size (people invited);
    without it every member is a response and the threshold applies to the count.
    """
    labels = dict(options)
    labels[MISSING] = missing_label
    sizes: Counter[str] = Counter()
    done: Counter[str] = Counter()
    for option, finished in members:
        key = option if option in labels and option != MISSING else MISSING
        sizes[key] += 1
        done[key] += bool(finished)
    parts, reason = merge_small(dict(sizes), min_group)
    result = Breakdown(dimension_label, withheld=reason)
    if reason:
        return result
    order = [key for key, _label in options] + [MISSING]
    for key in order:
        if key in parts:
            result.rows.append(
                Rate(labels[key], done[key], sizes[key] if with_size else None, (key,))
            )
    if OTHER in parts:
        members_ = parts[OTHER]
        result.merged = [labels[k] for k in order if k in members_]
        result.rows.append(
            Rate(
                other_label,
                sum(done[k] for k in members_),
                sum(sizes[k] for k in members_) if with_size else None,
                members_,
            )
        )
    return result


@dataclass
class Monitor:
    min_group: int
    #: Personal links: finished of invited (None when nobody is invited).
    personal: Rate | None = None
    personal_breakdowns: list[Breakdown] = field(default_factory=list)
    #: Team link: submitted responses of the expected team size.
    team: Rate | None = None
    team_breakdowns: list[Breakdown] = field(default_factory=list)


def response_monitor(
    survey: Survey, *, overall_label: str, other_label: str, missing_label: str
) -> Monitor:
    """Count who finished (never who), overall and per subgroup option."""
    monitor = Monitor(min_group=survey.min_group)
    participants = db.session.execute(
        select(Participant.subgroups, Participant.has_finished).where(
            Participant.survey_id == survey.id, Participant.token_hash.is_not(None)
        )
    ).all()
    dimensions = [
        (d.key, d.label, [(o.key, o.label) for o in d.options])
        for d in survey.dimensions
    ]
    if participants:
        monitor.personal = Rate(
            overall_label, sum(bool(f) for _s, f in participants), len(participants)
        )
        for key, label, options in dimensions:
            monitor.personal_breakdowns.append(
                breakdown(
                    label,
                    options,
                    [((s or {}).get(key), f) for s, f in participants],
                    survey.min_group,
                    other_label=other_label,
                    missing_label=missing_label,
                )
            )

    if survey.team_key and (survey.team_link_enabled or survey.expected_team_size):
        submitted = [
            s or {}
            for s in db.session.scalars(
                select(Response.subgroups).where(
                    Response.survey_id == survey.id, Response.is_submitted.is_(True)
                )
            )
        ]
        finished = [s or {} for s, f in participants if f]
        team_count = max(len(submitted) - len(finished), 0)
        monitor.team = Rate(overall_label, team_count, survey.expected_team_size)
        if team_count:
            for key, label, options in dimensions:
                counts = Counter(s.get(key) for s in submitted)
                counts.subtract(Counter(s.get(key) for s in finished))
                members = [
                    (option, True)
                    for option, n in counts.items()
                    for _ in range(max(n, 0))
                ]
                monitor.team_breakdowns.append(
                    breakdown(
                        label,
                        options,
                        members,
                        survey.min_group,
                        other_label=other_label,
                        missing_label=missing_label,
                        with_size=False,
                    )
                )
    return monitor
