"""Compute the dashboard's figures from a survey's answers, with pandas only.

Everything the dashboard, the exports and the JSON endpoint show comes from here.
The module reads no database and knows no Flask: ``rok.dashboard.data`` builds a
``SurveyData`` from the database, the views and charts read the tables returned.

Input (``SurveyData``):

``answers``
    one row per answer: ``response_id`` (int, opaque), ``statement_id`` (int),
    ``agreement`` (``Int64`` scale value, ``<NA>`` when "geen zicht" or not
    answered), ``no_view`` (bool, "geen zicht / weet ik niet"), ``action``
    (``Int64`` action-readiness value or ``<NA>``). Answers of responses not in
    ``responses`` (unfinished drafts) and of unknown statements are ignored.
``responses``
    one row per submitted response: ``response_id`` plus one column per subgroup
    dimension, named by the dimension key, holding option keys or ``<NA>``.
``statements``
    ``statement_id``, ``position`` (int), ``text``, ``expectation`` (e.g. "D1"),
    ``area`` (e.g. "D"), ``rubriek`` (e.g. "OL"), ``origin`` (key of the bank
    statement it derives from, to match rounds; ``<NA>`` for own statements).
``agreement_points`` / ``action_points``
    the scale values in increasing order, e.g. ``(1, 2, 3, 4)``.
``role_dimension`` / ``leadership_option``
    the dimension and option that mark the beleidsteam, for the leadership gap.

Public functions and the tables they return (columns in ``docs/analysis.md``):

- ``summary_table``: per statement, expectation, area or rubriek, whole team;
- ``breakdown_table``: the same per subgroup part, with the difference to the rest;
- ``compare_rounds``: this round against the previous one;
- ``classify``: the labels sterkte, werkpunt, gespreksthema, blinde_vlek,
  prioriteit (already applied by the first two);
- ``tastle_wierman`` and ``leik_d``: the consensus measures on count arrays;
- ``distribution_long``: a distribution in long form, for charts.

Every figure obeys the group-size rule of ``rok.dashboard.disclosure``: cells
below ``Privacy.min_group`` valid answers are withheld (``status``), subgroups
are merged into "overige" or withheld, and pooled levels only add up cells that
are visible themselves, so no subtraction of visible figures reveals a hidden one.
Outputs are new frames, sorted in survey order; empty input gives empty frames
with the same columns and dtypes.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from typing import Any

import numpy as np
import pandas as pd

from rok.dashboard.disclosure import (
    ALL,
    MISSING,
    OTHER,
    SHOWN,
    SINGLE_GROUP,
    TOO_SMALL,
    Partition,
    Privacy,
    join_partitions,
    merge_small_parts,
    option_series,
)

#: Levels at which figures are computed, from fine to coarse.
LEVELS = ("statement", "expectation", "area", "rubriek")
#: Classification labels, in the order in which ``labels`` lists them.
LABELS = ("sterkte", "werkpunt", "gespreksthema", "blinde_vlek", "prioriteit")
#: Plain consensus labels, from united to divided.
CONSENSUS_LABELS = ("eensgezind", "eerder_eensgezind", "verdeeld")
#: Prefixes of the count columns per scale point (``agree_1``, ``action_4``).
AGREE_PREFIX = "agree_"
ACTION_PREFIX = "action_"

# Boundaries are inclusive; the tolerance keeps 15/20 >= 0.75 true in floats.
_EPS = 1e-9
_STATEMENT_KEYS = (
    "statement_id",
    "position",
    "text",
    "expectation",
    "area",
    "rubriek",
    "origin",
)
_PARENTS = {"expectation": ("area", "rubriek"), "area": ("rubriek",), "rubriek": ()}


@dataclass(frozen=True)
class Thresholds:
    """Hold the classification thresholds a survey stores and shows to its users.

    Shares are fractions (0.75 = 75 %); gaps and changes are in scale points of
    the mean. Boundaries are inclusive (``>=`` for high, ``<=`` for low).
    """

    #: sterkte: at least this share (eerder/helemaal) eens ...
    strength_pct_agree: float = 0.75
    #: werkpunt: at most this share eens ...
    work_pct_agree: float = 0.50
    #: consensus (Tastle-Wierman) from which the team is "eensgezind".
    united_cns: float = 0.70
    #: consensus below which the team is "verdeeld" (gespreksthema).
    divided_cns: float = 0.55
    #: polarised: at least this share at each end of the scale ...
    polar_end_share: float = 0.25
    #: ... and at most this share on the points in between.
    polar_middle_share: float = 0.25
    #: blinde vlek: at least this share of "geen zicht" among those who answered.
    no_view_share: float = 0.25
    #: blinde vlek: beleidsteam mean minus rest mean, in absolute value, at least.
    gap: float = 0.75
    #: a subgroup differs from the rest: mean difference at least this.
    subgroup_gap: float = 0.50
    #: prioriteit: a werkpunt where at least this share is ready to act.
    ready_share: float = 0.50
    #: a change from the previous round matters: mean change at least this.
    change: float = 0.30

    def __post_init__(self) -> None:
        """Refuse values that make the rules contradict each other."""
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise TypeError(f"{f.name} must be a number, not {value!r}")
            if not math.isfinite(value) or value < 0:
                raise ValueError(f"{f.name} must be a finite number >= 0")
            object.__setattr__(self, f.name, float(value))
        shares = (
            "strength_pct_agree",
            "work_pct_agree",
            "united_cns",
            "divided_cns",
            "polar_end_share",
            "polar_middle_share",
            "no_view_share",
            "ready_share",
        )
        for name in shares:
            if getattr(self, name) > 1:
                raise ValueError(f"{name} is a share and must be at most 1")
        if self.work_pct_agree >= self.strength_pct_agree:
            raise ValueError("work_pct_agree must be below strength_pct_agree")
        if self.divided_cns > self.united_cns:
            raise ValueError("divided_cns must not exceed united_cns")

    def to_dict(self) -> dict[str, float]:
        """Return the thresholds as a plain dict, for storing with a survey."""
        return {f.name: getattr(self, f.name) for f in fields(self)}

    @classmethod
    def from_dict(cls, values: Mapping[str, Any]) -> Thresholds:
        """Build from a stored dict; missing keys take defaults, unknown are ignored."""
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in values.items() if k in names})


@dataclass(frozen=True)
class SurveyData:
    """Bundle one survey round's answers with its statements and scales.

    See the module docstring for the columns. Construction checks the columns
    and the scales; the answers' values are checked when figures are computed.
    """

    answers: pd.DataFrame
    responses: pd.DataFrame
    statements: pd.DataFrame
    agreement_points: Sequence[int]
    action_points: Sequence[int] = field(default=())
    role_dimension: str | None = None
    leadership_option: str | None = None
    #: Intermediate frames shared by the tables of this round (see ``_memo``).
    #: The frames above are treated as immutable, so they stay valid.
    _memo: dict[Any, Any] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        """Check the input contract and freeze the scales as tuples."""
        _require(self.answers, "answers", _ANSWER_COLUMNS)
        _require(self.responses, "responses", ("response_id",))
        _require(self.statements, "statements", _STATEMENT_KEYS)
        for name, minimum in (("agreement_points", 2), ("action_points", 0)):
            points = tuple(int(p) for p in getattr(self, name))
            if len(points) < minimum or len(points) == 1:
                raise ValueError(f"{name} needs at least two points")
            if any(b <= a for a, b in zip(points, points[1:], strict=False)):
                raise ValueError(f"{name} must be strictly increasing")
            object.__setattr__(self, name, points)
        if (self.role_dimension is None) != (self.leadership_option is None):
            raise ValueError("give role_dimension and leadership_option together")
        if (
            self.role_dimension is not None
            and self.role_dimension not in self.dimensions
        ):
            raise ValueError(f"unknown role dimension {self.role_dimension!r}")
        if self.responses["response_id"].duplicated().any():
            raise ValueError("responses has duplicate response_id values")
        if self.statements["statement_id"].duplicated().any():
            raise ValueError("statements has duplicate statement_id values")

    @property
    def dimensions(self) -> tuple[str, ...]:
        """Return the subgroup dimension keys (the responses' extra columns)."""
        return tuple(c for c in self.responses.columns if c != "response_id")


_ANSWER_COLUMNS = ("response_id", "statement_id", "agreement", "no_view", "action")


def _require(frame: pd.DataFrame, name: str, columns: Sequence[str]) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"{name} lacks columns: {', '.join(missing)}")


# --- the measures -------------------------------------------------------------


def _as_counts(counts: Any) -> np.ndarray:
    array = np.asarray(counts, dtype=float)
    return array[None, :] if array.ndim == 1 else array


def tastle_wierman(counts: Any, points: Sequence[int]) -> np.ndarray:
    """Return the Tastle-Wierman consensus of each row of counts over ``points``.

    Cns = 1 + sum_i p_i * log2(1 - |X_i - mu| / d), with p_i the share at point
    X_i, mu the mean and d the width of the scale (max point - min point), not of
    the observed answers. 1 means everyone gave the same answer, 0 an even split
    over the two ends. Rows without answers give NaN.
    """
    c = _as_counts(counts)
    x = np.asarray(points, dtype=float)
    width = x[-1] - x[0]
    n = c.sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = c / n[:, None]
        mu = p @ x
        closeness = 1 - np.abs(x[None, :] - mu[:, None]) / width
        # A point with answers is never at distance d from the mean, so the log
        # is finite wherever p > 0; points without answers contribute nothing.
        terms = np.where(p > 0, p * np.log2(np.where(p > 0, closeness, 1.0)), 0.0)
        cns = 1 + terms.sum(axis=1)
    cns = np.clip(cns, 0.0, 1.0)
    return np.where(n > 0, cns, np.nan)


def leik_d(counts: Any) -> np.ndarray:
    """Return Leik's ordinal dispersion D of each row of counts (0 = consensus).

    With cumulative shares F_i over the k ordered points and F'_i = F_i when
    F_i <= .5 else 1 - F_i: D = 2 * sum_{i<k} F'_i / (k - 1). It uses only the
    order of the points; 1 - D is the ordinal cross-check of the consensus.
    """
    c = _as_counts(counts)
    k = c.shape[1]
    n = c.sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        cum = np.cumsum(c, axis=1)[:, :-1] / n[:, None]
        folded = np.where(cum <= 0.5, cum, 1 - cum)
        d = 2 * folded.sum(axis=1) / (k - 1)
    return np.where(n > 0, d, np.nan)


def _median(c: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Return the median code per row of counts (mean of the two middle ones)."""
    n = c.sum(axis=1).astype(np.int64)
    cum = np.cumsum(c, axis=1)
    lower = (n + 1) // 2
    upper = n // 2 + 1
    at_lower = (cum >= lower[:, None]).argmax(axis=1)
    at_upper = (cum >= upper[:, None]).argmax(axis=1)
    median = (x[at_lower] + x[at_upper]) / 2
    return np.where(n > 0, median, np.nan)


def _polarised(p: np.ndarray, thresholds: Thresholds) -> np.ndarray:
    """Flag rows massed at both ends of the scale with a thin middle.

    The ends are the lowest and highest max(1, k // 3) points (one point each on
    a 4-point scale, two on a 7-point scale); the middle is everything between.
    """
    k = p.shape[1]
    ends = max(1, k // 3)
    low = p[:, :ends].sum(axis=1)
    high = p[:, k - ends :].sum(axis=1)
    middle = 1 - low - high
    with np.errstate(invalid="ignore"):
        flag = (
            (low >= thresholds.polar_end_share - _EPS)
            & (high >= thresholds.polar_end_share - _EPS)
            & (middle <= thresholds.polar_middle_share + _EPS)
        )
    return flag & ~np.isnan(low)


# --- shared plumbing ------------------------------------------------------------


def _cols(prefix: str, points: Sequence[int]) -> list[str]:
    return [f"{prefix}{p}" for p in points]


def _memo(data: SurveyData, key: Hashable, compute: Callable[[], Any]) -> Any:
    """Return ``compute()``, computed once per ``data`` and ``key``.

    A request often needs several tables of one round (every level, every
    subgroup dimension, the beleidsteam gap inside each summary); they share the
    checked answers, the counts per cell and the breakdowns. Callers must not
    change what this returns.
    """
    if key not in data._memo:
        data._memo[key] = compute()
    return data._memo[key]


def _prepare(data: SurveyData) -> pd.DataFrame:
    """Return the submitted answers to known statements, checked against the scales."""
    return _memo(data, "prepared", lambda: _prepare_answers(data))


def _prepare_answers(data: SurveyData) -> pd.DataFrame:
    a = data.answers
    keep = a["response_id"].isin(data.responses["response_id"]) & a[
        "statement_id"
    ].isin(data.statements["statement_id"])
    a = a.loc[keep, list(_ANSWER_COLUMNS)]
    if a.duplicated(["response_id", "statement_id"]).any():
        raise ValueError(
            "answers holds more than one answer per response and statement"
        )
    no_view = a["no_view"].astype("boolean").fillna(False).astype(bool)
    agreement = a["agreement"].astype("Int64").mask(no_view)
    action = a["action"].astype("Int64")
    for name, values, points in (
        ("agreement", agreement, data.agreement_points),
        ("action", action, data.action_points),
    ):
        given = values.dropna()
        if not given.isin(points).all():
            raise ValueError(f"{name} holds values outside the scale {points}")
    return pd.DataFrame(
        {
            "response_id": a["response_id"].to_numpy(),
            "statement_id": a["statement_id"].to_numpy(),
            "agreement": agreement.to_numpy(),
            "no_view": no_view.to_numpy(),
            "action": action.to_numpy(),
        }
    )


def _grid(data: SurveyData, dimension: str | None) -> pd.DataFrame:
    """Count answers per statement and option of ``dimension`` (``ALL`` if None).

    Every option with at least one response gets a row for every statement, also
    when nobody of it answered that statement: the merge must see it. Counting
    is one ``np.bincount`` per scale over a cell code, so it scales linearly.
    """
    return _memo(data, ("grid", dimension), lambda: _count_grid(data, dimension))


def _count_grid(data: SurveyData, dimension: str | None) -> pd.DataFrame:
    prepared = _prepare(data)
    responses = data.responses
    if dimension is None:
        options = pd.Series(ALL, index=responses.index, dtype=object)
    else:
        options = option_series(responses, dimension)
    people = options.value_counts()
    option_keys = [ALL] if dimension is None else sorted(people.index)
    statement_ids = np.sort(data.statements["statement_id"].to_numpy())
    n_options, n_cells = len(option_keys), len(statement_ids) * len(option_keys)

    option_index = pd.Index(option_keys, dtype=object).get_indexer(options.to_numpy())
    row_of = pd.Index(responses["response_id"]).get_indexer(prepared["response_id"])
    cell = (
        np.searchsorted(statement_ids, prepared["statement_id"].to_numpy()) * n_options
        + option_index[row_of]
    )

    def tally(column: str, points: Sequence[int]) -> np.ndarray:
        values = prepared[column]
        given = values.notna().to_numpy()
        point = np.searchsorted(points, values[given].to_numpy(dtype=np.int64))
        flat = np.bincount(
            cell[given] * len(points) + point, minlength=n_cells * len(points)
        )
        return flat.reshape(n_cells, len(points))

    agree = tally("agreement", data.agreement_points)
    action = tally("action", data.action_points)
    no_view = np.bincount(cell[prepared["no_view"].to_numpy(bool)], minlength=n_cells)
    agree_cols = _cols(AGREE_PREFIX, data.agreement_points)
    action_cols = _cols(ACTION_PREFIX, data.action_points)
    columns: dict[str, Any] = {
        "statement_id": np.repeat(statement_ids, n_options),
        "option": np.array(option_keys * len(statement_ids), dtype=object),
        "n_valid": agree.sum(axis=1),
        "n_no_view": no_view,
        **{c: agree[:, i] for i, c in enumerate(agree_cols)},
        "n_action": action.sum(axis=1),
        **{c: action[:, i] for i, c in enumerate(action_cols)},
    }
    grid = pd.DataFrame(columns)
    grid["n_people"] = grid["option"].map(people).fillna(0).astype("int64")
    return grid


def _count_columns(data: SurveyData) -> tuple[list[str], list[str]]:
    agree = ["n_valid", "n_no_view", *_cols(AGREE_PREFIX, data.agreement_points)]
    action = ["n_action", *_cols(ACTION_PREFIX, data.action_points)]
    return agree, action


def _figure_columns(data: SurveyData) -> dict[str, str]:
    """Return the figure columns of a cell, in output order, with their dtypes."""
    schema = {"status": "object", "n_responses": "Int64", "n_valid": "Int64"}
    schema |= {"n_no_view": "Int64", "share_no_view": "float64"}
    schema |= {c: "Int64" for c in _cols(AGREE_PREFIX, data.agreement_points)}
    schema |= {
        "pct_agree": "float64",
        "mean": "float64",
        "median": "float64",
        "consensus": "float64",
        "consensus_leik": "float64",
        "consensus_label": "object",
        "polarised": "bool",
        "action_status": "object",
        "n_action": "Int64",
    }
    schema |= {c: "Int64" for c in _cols(ACTION_PREFIX, data.action_points)}
    schema |= {"pct_ready": "float64", "n_lead": "Int64"}
    return schema


_CLASS_COLUMNS = {f"is_{label}": "bool" for label in LABELS} | {"labels": "object"}


def _figures(
    counts: pd.DataFrame,
    data: SurveyData,
    thresholds: Thresholds,
    shown: np.ndarray,
    action_shown: np.ndarray,
) -> pd.DataFrame:
    """Compute a cell's figures from its counts; blank what is not shown."""
    agree_counts = counts[_cols(AGREE_PREFIX, data.agreement_points)].to_numpy(float)
    action_counts = counts[_cols(ACTION_PREFIX, data.action_points)].to_numpy(float)
    x = np.asarray(data.agreement_points, dtype=float)
    n = agree_counts.sum(axis=1)
    no_view = counts["n_no_view"].to_numpy(float)
    n_action = action_counts.sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = agree_counts / n[:, None]
        share_no_view = no_view / (n + no_view)
        ready = action_counts[:, -2:].sum(axis=1) / n_action
    cns = tastle_wierman(agree_counts, data.agreement_points)
    label = np.select(
        [cns >= thresholds.united_cns - _EPS, cns >= thresholds.divided_cns - _EPS],
        [CONSENSUS_LABELS[0], CONSENSUS_LABELS[1]],
        default=CONSENSUS_LABELS[2],
    ).astype(object)
    agree_cols = _cols(AGREE_PREFIX, data.agreement_points)
    action_cols = _cols(ACTION_PREFIX, data.action_points)
    values: dict[str, Any] = {
        "n_responses": counts["n_responses"].to_numpy(float),
        "n_valid": n,
        "n_no_view": no_view,
        "share_no_view": share_no_view,
        **{col: agree_counts[:, i] for i, col in enumerate(agree_cols)},
        "pct_agree": p[:, -2:].sum(axis=1),
        "mean": p @ x,
        "median": _median(agree_counts, x),
        "consensus": cns,
        "consensus_leik": 1 - leik_d(agree_counts),
        "consensus_label": np.where(np.isnan(cns), None, label),
        "polarised": _polarised(p, thresholds),
        "n_action": n_action,
        **{col: action_counts[:, i] for i, col in enumerate(action_cols)},
        "pct_ready": ready if action_cols else np.full(len(n), np.nan),
        "n_lead": action_counts[:, -1] if action_cols else np.zeros(len(n)),
    }
    on_action = {"n_action", "pct_ready", "n_lead", *action_cols}
    columns: dict[str, Any] = {}
    for col, dtype in _figure_columns(data).items():
        if col == "status":
            columns[col] = np.where(shown, SHOWN, TOO_SMALL).astype(object)
            continue
        if col == "action_status":
            columns[col] = np.where(action_shown, SHOWN, TOO_SMALL).astype(object)
            continue
        visible = action_shown if col in on_action else shown
        if dtype == "bool":
            columns[col] = values[col].astype(bool) & visible
        elif dtype == "object":
            columns[col] = np.where(visible, values[col], None)
        else:
            blanked = np.where(visible, values[col], np.nan)
            columns[col] = (
                pd.array(blanked, dtype=dtype) if dtype == "Int64" else blanked
            )
    return pd.DataFrame(columns, index=counts.index)


def _meta(data: SurveyData, level: str) -> pd.DataFrame:
    """Return statements in survey order with their unit at ``level`` (``unit``)."""
    if level not in LEVELS:
        raise ValueError(f"level must be one of {LEVELS}")
    meta = data.statements[list(_STATEMENT_KEYS)].sort_values(
        ["position", "statement_id"], kind="mergesort"
    )
    meta = meta.reset_index(drop=True)
    unit = meta["statement_id"] if level == "statement" else meta[level]
    meta["unit"] = unit.astype(object).to_numpy()
    return meta


def _unit_keys(meta: pd.DataFrame, level: str) -> pd.DataFrame:
    """Return one row per unit with its parents and statement count, in survey order."""
    if level == "statement":
        keys = meta[["unit", *_STATEMENT_KEYS]].copy()
        keys["order"] = np.arange(len(keys))
        return keys
    grouped = meta.groupby("unit", sort=False)
    keys = grouped[list(_PARENTS[level])].first().reset_index()
    keys["n_statements"] = grouped.size().to_numpy()
    keys["order"] = np.arange(len(keys))
    return keys


def _key_schema(level: str) -> dict[str, str]:
    if level == "statement":
        return {
            "statement_id": "int64",
            "position": "int64",
            "text": "object",
            "expectation": "object",
            "area": "object",
            "rubriek": "object",
            "origin": "object",
        }
    schema = {"unit": "object"}
    schema |= {parent: "object" for parent in _PARENTS[level]}
    return schema | {
        "n_statements": "int64",
        "statement_ids": "object",
        "action_statement_ids": "object",
    }


def _typed(frame: pd.DataFrame, schema: Mapping[str, str]) -> pd.DataFrame:
    """Return ``frame`` with exactly the ``schema`` columns and dtypes.

    Columns the frame lacks (e.g. the figures of a withheld row) are blank:
    <NA>, NaN, None, or False for flags.
    """
    if frame.empty:
        return pd.DataFrame({c: pd.Series(dtype=t) for c, t in schema.items()})
    columns: dict[str, Any] = {}
    for col, dtype in schema.items():
        if col in frame.columns:
            values = frame[col]
            if dtype == "bool" and values.dtype != bool:
                values = values.astype("boolean").fillna(False)
        elif dtype == "bool":
            values = pd.Series(False, index=frame.index)
        elif dtype == "object":
            values = pd.Series(None, index=frame.index, dtype=object)
        else:
            values = pd.Series(np.nan, index=frame.index)
        columns[col] = values if str(values.dtype) == dtype else values.astype(dtype)
    out = pd.DataFrame(columns, index=frame.index)
    return out.reset_index(drop=True)


def _ids(values: pd.Series) -> tuple[int, ...]:
    return tuple(sorted({int(v) for v in values}))


# --- the whole team -----------------------------------------------------------


def summary_table(
    data: SurveyData,
    *,
    level: str = "statement",
    privacy: Privacy | None = None,
    thresholds: Thresholds | None = None,
) -> pd.DataFrame:
    """Return the whole team's figures per statement, expectation, area or rubriek.

    A statement's figures are withheld (``status`` "too_small", figures blank)
    when fewer than ``privacy.min_group`` people gave an answer on the scale;
    its action figures likewise on action answers (``action_status``). Higher
    levels pool the answers of their statements whose figures are shown
    (``statement_ids``, ``action_statement_ids``), so they add nothing that the
    statements do not show. Includes the beleidsteam gap and the labels.
    """
    privacy = privacy or Privacy()
    thresholds = thresholds or Thresholds()
    schema = _summary_schema(data, level)
    meta = _meta(data, level)
    if meta.empty:
        return _typed(pd.DataFrame(), schema)
    grid = _grid(data, None)
    per_statement = grid.drop(columns=["option", "n_people"]).merge(
        meta[["statement_id", "unit"]], on="statement_id"
    )
    agree_cols, action_cols = _count_columns(data)
    t = privacy.min_group
    stmt_shown = per_statement["n_valid"].to_numpy() >= t
    stmt_action = per_statement["n_action"].to_numpy() >= t
    keys = _unit_keys(meta, level)
    if level == "statement":
        counts = per_statement.set_index("unit")
        shown, action_shown = stmt_shown, stmt_action
    else:
        visible = per_statement.loc[stmt_shown]
        acting = per_statement.loc[stmt_action]
        counts = pd.concat(
            [
                visible.groupby("unit")[agree_cols].sum(),
                acting.groupby("unit")[action_cols].sum(),
            ],
            axis=1,
        ).reindex(keys["unit"], fill_value=0)
        counts = counts.fillna(0)
        shown = counts.index.isin(visible["unit"])
        action_shown = counts.index.isin(acting["unit"])
        keys["statement_ids"] = keys["unit"].map(
            visible.groupby("unit")["statement_id"].agg(_ids)
        )
        keys["action_statement_ids"] = keys["unit"].map(
            acting.groupby("unit")["statement_id"].agg(_ids)
        )
        for col in ("statement_ids", "action_statement_ids"):
            keys[col] = [v if isinstance(v, tuple) else () for v in keys[col]]
    counts = counts.reindex(keys["unit"])
    counts["n_responses"] = len(data.responses)
    figures = _figures(counts, data, thresholds, shown, action_shown)
    table = pd.concat(
        [keys.reset_index(drop=True), figures.reset_index(drop=True)], axis=1
    )
    gap = _gap(data, level, privacy, thresholds)
    table = table.merge(gap, on="unit", how="left")
    table = classify(table, thresholds)
    table = table.sort_values("order", kind="mergesort")
    return _typed(table, schema)


def _summary_schema(data: SurveyData, level: str) -> dict[str, str]:
    if level not in LEVELS:
        raise ValueError(f"level must be one of {LEVELS}")
    return (
        _key_schema(level)
        | _figure_columns(data)
        | {"leadership_mean": "float64", "rest_mean": "float64"}
        | {"leadership_gap": "float64"}
        | _CLASS_COLUMNS
    )


def _gap(
    data: SurveyData,
    level: str,
    privacy: Privacy,
    thresholds: Thresholds,
) -> pd.DataFrame:
    """Return the beleidsteam mean, the rest's mean and the gap per unit.

    Only where the beleidsteam is its own visible part of the role breakdown,
    so both sides count at least ``min_group`` valid answers.
    """
    empty = pd.DataFrame(
        {
            "unit": pd.Series(dtype=object),
            "leadership_mean": pd.Series(dtype=float),
            "rest_mean": pd.Series(dtype=float),
            "leadership_gap": pd.Series(dtype=float),
        }
    )
    if data.role_dimension is None:
        return empty
    parts = _breakdown(data, data.role_dimension, level, privacy, thresholds)
    lead = parts.loc[
        parts["status"].eq(SHOWN)
        & parts["members"].map(lambda m: m == (data.leadership_option,))
    ]
    if lead.empty:
        return empty
    return pd.DataFrame(
        {
            "unit": lead["unit"].to_numpy(dtype=object),
            "leadership_mean": lead["mean"].to_numpy(float),
            "rest_mean": lead["rest_mean"].to_numpy(float),
            "leadership_gap": lead["diff_mean"].to_numpy(float),
        }
    )


# --- subgroups ----------------------------------------------------------------


def breakdown_table(
    data: SurveyData,
    dimension: str,
    *,
    level: str = "statement",
    privacy: Privacy | None = None,
    thresholds: Thresholds | None = None,
) -> pd.DataFrame:
    """Return the figures per subgroup part of ``dimension``, against the rest.

    Per statement, the options of the dimension (missing value = ``MISSING``)
    are merged by ``merge_small_parts`` on valid answers: a visible part and the
    rest beside it both count at least ``min_group`` valid answers. When the
    breakdown is withheld, the unit has one row with ``part`` <NA> and
    ``status`` the reason ("too_small", "single_group"). At higher levels the
    statements' partitions are joined (a part is a union of visible parts of each
    pooled statement). Action figures of a part are shown only where the part is
    also a union of the parts of the merge on action answers.
    """
    privacy = privacy or Privacy()
    thresholds = thresholds or Thresholds()
    schema = _breakdown_schema(data, level)
    if data.statements.empty:
        return _typed(pd.DataFrame(), schema)
    _prepare(data)  # the answers are checked before anything else
    table = _breakdown(data, dimension, level, privacy, thresholds)
    table = classify(table, thresholds)
    return _typed(table, schema)


def _breakdown_schema(data: SurveyData, level: str) -> dict[str, str]:
    if level not in LEVELS:
        raise ValueError(f"level must be one of {LEVELS}")
    return (
        _key_schema(level)
        | {"dimension": "object", "part": "object", "members": "object"}
        | _figure_columns(data)
        | {
            "rest_n_valid": "Int64",
            "rest_pct_agree": "float64",
            "rest_mean": "float64",
            "rest_pct_ready": "float64",
            "diff_pct_agree": "float64",
            "diff_mean": "float64",
            "differs": "bool",
        }
        | _CLASS_COLUMNS
    )


def _action_fits(part: tuple[str, ...], action: Partition) -> bool:
    """Tell whether ``part`` is a union of the visible parts of ``action``."""
    if not action.shown:
        return False
    members = set(part)
    return all(
        set(m) <= members or not (set(m) & members) for m in action.parts.values()
    )


def _breakdown(
    data: SurveyData,
    dimension: str,
    level: str,
    privacy: Privacy,
    thresholds: Thresholds,
) -> pd.DataFrame:
    """Return the breakdown rows (unclassified); see ``breakdown_table``."""
    return _memo(
        data,
        ("breakdown", dimension, level, privacy, thresholds),
        lambda: _compute_breakdown(data, dimension, level, privacy, thresholds),
    )


def _compute_breakdown(
    data: SurveyData,
    dimension: str,
    level: str,
    privacy: Privacy,
    thresholds: Thresholds,
) -> pd.DataFrame:
    meta = _meta(data, level)
    keys = _unit_keys(meta, level)
    grid = _grid(data, dimension)
    t = privacy.min_group
    agree_cols, action_cols = _count_columns(data)

    agreement: dict[int, Partition] = {}
    action: dict[int, Partition] = {}
    # The grid lists each statement's options together, statements in order (see
    # _count_grid): slice it per statement rather than build a pandas group each.
    row_sid = grid["statement_id"].to_numpy()
    options = grid["option"].tolist()
    n_people, n_valid, n_action = (
        grid[c].to_numpy(np.int64).tolist() for c in ("n_people", "n_valid", "n_action")
    )
    bounds = [0, *(np.flatnonzero(np.diff(row_sid)) + 1), len(row_sid)]
    if not len(row_sid):
        bounds = [0]
    for start, end in zip(bounds[:-1], bounds[1:], strict=True):
        sid = int(row_sid[start])
        here = options[start:end]
        people = dict(zip(here, n_people[start:end], strict=True))
        valid = dict(zip(here, n_valid[start:end], strict=True))
        acted = dict(zip(here, n_action[start:end], strict=True))
        agreement[sid] = merge_small_parts(valid, t, order=people)
        action[sid] = merge_small_parts(acted, t, order=people)
    for sid in meta["statement_id"]:
        if sid not in agreement:  # no responses at all
            agreement[sid] = action[sid] = Partition({}, TOO_SMALL)

    assigned: list[tuple[Any, int, str, str, bool, float]] = []
    described: list[dict[str, Any]] = []
    withheld: list[tuple[Any, str]] = []
    people = dict(zip(grid["option"], grid["n_people"], strict=False))
    for unit, sids in meta.groupby("unit", sort=False)["statement_id"]:
        visible = [s for s in sids if agreement[s].shown]
        if not visible:
            reasons = {agreement[s].reason for s in sids}
            withheld.append(
                (unit, TOO_SMALL if reasons == {TOO_SMALL} else SINGLE_GROUP)
            )
            continue
        joint = join_partitions(agreement[s] for s in visible)
        if not joint.shown:
            withheld.append((unit, str(joint.reason)))
            continue
        for key, members in joint.parts.items():
            acting = [s for s in visible if _action_fits(members, action[s])]
            described.append(
                {
                    "unit": unit,
                    "part": key,
                    "members": members,
                    "statement_ids": _ids(visible),
                    "action_statement_ids": _ids(acting),
                    "n_responses": sum(people[m] for m in members),
                    "action_ok": bool(acting),
                }
            )
            for s in visible:
                fits = s in acting
                for option in members:
                    # Each statement total is added once per part: 1/len(members).
                    assigned.append((unit, s, option, key, fits, 1 / len(members)))

    assign = pd.DataFrame(
        assigned,
        columns=["unit", "statement_id", "option", "part", "action_ok", "weight"],
    )
    rows = _part_rows(grid, assign, pd.DataFrame(described), agree_cols, action_cols)
    if not rows.empty:
        shown = np.ones(len(rows), dtype=bool)
        action_shown = rows["action_ok"].to_numpy(bool)
        figures = _figures(rows, data, thresholds, shown, action_shown)
        rest = _figures(
            rows.assign(
                **{c: rows[f"rest_{c}"] for c in [*agree_cols, *action_cols]},
                n_responses=len(data.responses) - rows["n_responses"],
            ),
            data,
            thresholds,
            shown,
            action_shown,
        )
        parts = pd.concat(
            [
                rows[
                    ["unit", "part", "members", "statement_ids", "action_statement_ids"]
                ],
                figures,
            ],
            axis=1,
        )
        parts["rest_n_valid"] = rest["n_valid"]
        parts["rest_pct_agree"] = rest["pct_agree"]
        parts["rest_mean"] = rest["mean"]
        parts["rest_pct_ready"] = rest["pct_ready"]
        parts["diff_pct_agree"] = parts["pct_agree"] - parts["rest_pct_agree"]
        parts["diff_mean"] = parts["mean"] - parts["rest_mean"]
        parts["differs"] = (
            parts["diff_mean"].abs().to_numpy(float) >= thresholds.subgroup_gap - _EPS
        )
    else:
        parts = pd.DataFrame({"unit": pd.Series(dtype=object)})
    if withheld:
        blank = pd.DataFrame(withheld, columns=["unit", "status"])
        blank["part"] = None
        for col in ("members", "statement_ids", "action_statement_ids"):
            blank[col] = [()] * len(blank)
        blank["action_status"] = blank["status"]
        blank["polarised"] = False
        blank["differs"] = False
        parts = blank if parts.empty else pd.concat([parts, blank], ignore_index=True)
    parts["dimension"] = dimension
    table = keys.merge(parts, on="unit", how="inner")
    table["part_order"] = [_part_sort_key(p) for p in table["part"]]
    table = table.sort_values(["order", "part_order"], kind="mergesort")
    return table.drop(columns=["part_order"]).reset_index(drop=True)


def _part_sort_key(part: Any) -> tuple[int, str]:
    """Sort options by key, then the missing part, then merged parts."""
    if not isinstance(part, str):
        return (3, "")
    if part.startswith(OTHER):
        return (2, part)
    if part == MISSING:
        return (1, part)
    return (0, part)


def _part_rows(
    grid: pd.DataFrame,
    assign: pd.DataFrame,
    described: pd.DataFrame,
    agree_cols: list[str],
    action_cols: list[str],
) -> pd.DataFrame:
    """Sum the grid per unit and part, with the rest (total minus part) beside it.

    Action counts only count in statements where the part's action figures may
    be shown; the rest is taken over the same statements as the part.
    """
    if assign.empty:
        return pd.DataFrame()
    cells = grid.merge(assign, on=["statement_id", "option"])
    counts = cells[[*agree_cols, *action_cols]].to_numpy(float)
    fits = cells["action_ok"].to_numpy(bool)
    counts[:, len(agree_cols) :] *= fits[:, None]
    totals = (
        cells.groupby("statement_id")[[*agree_cols, *action_cols]]
        .transform("sum")
        .to_numpy(float)
    )
    # The statement's total over all options, once per part and statement.
    totals *= cells["weight"].to_numpy(float)[:, None]
    totals[:, len(agree_cols) :] *= fits[:, None]
    names = [*agree_cols, *action_cols]
    summed = pd.DataFrame(
        np.hstack([counts, totals]),
        columns=names + [f"total_{c}" for c in names],
    )
    summed["unit"] = cells["unit"].to_numpy()
    summed["part"] = cells["part"].to_numpy()
    sums = summed.groupby(["unit", "part"], sort=False).sum().reset_index()
    for col in names:
        sums[f"rest_{col}"] = np.rint(sums.pop(f"total_{col}") - sums[col])
    return described.merge(sums, on=["unit", "part"], how="left")


# --- labels -------------------------------------------------------------------


def classify(table: pd.DataFrame, thresholds: Thresholds | None = None) -> pd.DataFrame:
    """Return a copy of ``table`` with ``is_<label>`` columns and ``labels``.

    Rules (all thresholds from ``Thresholds``; only shown figures count):

    - gespreksthema: consensus < divided_cns, or polarised;
    - sterkte: not gespreksthema and pct_agree >= strength_pct_agree;
    - werkpunt: not gespreksthema and pct_agree <= work_pct_agree;
    - blinde_vlek: share_no_view >= no_view_share, or |leadership_gap| >= gap;
    - prioriteit: werkpunt and pct_ready >= ready_share (action shown).

    ``labels`` is a tuple of the labels that apply, in the order of ``LABELS``.
    """
    thresholds = thresholds or Thresholds()
    out = table.copy()
    size = len(out)

    def numbers(col: str) -> np.ndarray:
        if col not in out.columns:
            return np.full(size, np.nan)
        return pd.to_numeric(out[col]).astype("float64").to_numpy()

    shown = out["status"].eq(SHOWN).to_numpy(bool) if size else np.zeros(0, bool)
    acted = out["action_status"].eq(SHOWN).to_numpy(bool) if size else shown
    polarised = (
        out["polarised"].astype("boolean").fillna(False).to_numpy(bool)
        if size
        else shown
    )
    pct = numbers("pct_agree")
    with np.errstate(invalid="ignore"):
        divided = shown & (
            (numbers("consensus") < thresholds.divided_cns - _EPS) | polarised
        )
        strength = shown & ~divided & (pct >= thresholds.strength_pct_agree - _EPS)
        work = shown & ~divided & (pct <= thresholds.work_pct_agree + _EPS)
        blind = shown & (
            (numbers("share_no_view") >= thresholds.no_view_share - _EPS)
            | (np.abs(numbers("leadership_gap")) >= thresholds.gap - _EPS)
        )
        priority = (
            work & acted & (numbers("pct_ready") >= thresholds.ready_share - _EPS)
        )
    flags = np.column_stack([strength, work, divided, blind, priority])
    for i, label in enumerate(LABELS):
        out[f"is_{label}"] = flags[:, i]
    out["labels"] = pd.Series(
        [tuple(n for n, f in zip(LABELS, row, strict=True) if f) for row in flags],
        index=out.index,
        dtype=object,
    )
    return out


# --- rounds -------------------------------------------------------------------

_CHANGE_MEASURES = ("pct_agree", "mean", "consensus", "pct_ready")


def compare_rounds(
    current: SurveyData,
    previous: SurveyData,
    *,
    level: str = "statement",
    dimension: str | None = None,
    privacy: Privacy | None = None,
    thresholds: Thresholds | None = None,
) -> pd.DataFrame:
    """Return this round's figures against the previous round's, with the changes.

    Statements are matched on ``origin`` (own statements, without one, and an
    origin used by more than one statement in a round are not matched); higher
    levels on their code; with ``dimension``, parts on their key and members.
    Both sides come from the tables above, so only visible figures are compared;
    the change is given (``status`` "shown") only when both cells are shown.
    ``matters`` flags |change_mean| >= ``thresholds.change``.
    """
    privacy = privacy or Privacy()
    thresholds = thresholds or Thresholds()
    schema = _change_schema(level, dimension is not None)

    def table(data: SurveyData) -> pd.DataFrame:
        if dimension is None:
            return summary_table(
                data, level=level, privacy=privacy, thresholds=thresholds
            )
        result = breakdown_table(
            data, dimension, level=level, privacy=privacy, thresholds=thresholds
        )
        return result.loc[result["part"].notna()]

    now, before = table(current), table(previous)
    key = ["origin"] if level == "statement" else ["unit"]
    if level == "statement":
        now = now.loc[_matchable(now)]
        before = before.loc[_matchable(before)]
    if dimension is not None:
        key += ["dimension", "part", "members_key"]
        now = now.assign(members_key=now["members"].map("\x1f".join))
        before = before.assign(members_key=before["members"].map("\x1f".join))
    if now.empty or before.empty:
        return _typed(pd.DataFrame(), schema)
    measures = ["status", "action_status", "n_valid", *_CHANGE_MEASURES]
    side = before[key + measures]
    if level == "statement":
        side = side.assign(statement_id_previous=before["statement_id"])
    merged = now.merge(side, on=key, suffixes=("_current", "_previous"))
    both = merged["status_current"].eq(SHOWN) & merged["status_previous"].eq(SHOWN)
    both_action = (
        both
        & merged["action_status_current"].eq(SHOWN)
        & merged["action_status_previous"].eq(SHOWN)
    )
    merged["status"] = np.where(both, SHOWN, TOO_SMALL).astype(object)
    merged["action_status"] = np.where(both_action, SHOWN, TOO_SMALL).astype(object)
    for m in _CHANGE_MEASURES:
        ok = both_action if m == "pct_ready" else both
        diff = merged[f"{m}_current"] - merged[f"{m}_previous"]
        merged[f"change_{m}"] = diff.where(ok)
        for suffix in ("_current", "_previous"):
            merged[f"{m}{suffix}"] = merged[f"{m}{suffix}"].where(ok)
    for suffix in ("_current", "_previous"):
        merged[f"n_valid{suffix}"] = merged[f"n_valid{suffix}"].where(both)
    merged["matters"] = merged["change_mean"].abs().to_numpy(float) >= (
        thresholds.change - _EPS
    )
    return _typed(merged, schema)


def _matchable(table: pd.DataFrame) -> pd.Series:
    """Mark rows whose origin belongs to exactly one statement of the round."""
    statements = table[["origin", "statement_id"]].drop_duplicates()
    shared = statements.loc[statements["origin"].duplicated(keep=False), "origin"]
    return table["origin"].notna() & ~table["origin"].isin(shared)


def _change_schema(level: str, by_part: bool) -> dict[str, str]:
    if level not in LEVELS:
        raise ValueError(f"level must be one of {LEVELS}")
    schema = _key_schema(level)
    if level == "statement":
        schema = schema | {"statement_id_previous": "int64"}
    else:
        schema = {k: v for k, v in schema.items() if not k.endswith("statement_ids")}
    if by_part:
        schema |= {"dimension": "object", "part": "object", "members": "object"}
    schema |= {"status": "object", "action_status": "object"}
    schema |= {"n_valid_current": "Int64", "n_valid_previous": "Int64"}
    for m in _CHANGE_MEASURES:
        schema |= {
            f"{m}_current": "float64",
            f"{m}_previous": "float64",
            f"change_{m}": "float64",
        }
    return schema | {"matters": "bool"}


# --- charts -------------------------------------------------------------------


def distribution_long(
    table: pd.DataFrame, points: Sequence[int], *, kind: str = "agree"
) -> pd.DataFrame:
    """Return a table's distribution in long form: one row per row and point.

    ``kind`` is "agree" or "action". Keeps the other columns, adds ``point``,
    ``count`` (Int64) and ``share`` (of the row's answers on that scale); rows
    whose figures are withheld keep <NA>. Sorted by row order, then point.
    """
    if kind not in ("agree", "action"):
        raise ValueError("kind must be 'agree' or 'action'")
    prefix = AGREE_PREFIX if kind == "agree" else ACTION_PREFIX
    cols = _cols(prefix, points)
    keep = [c for c in table.columns if not c.startswith((AGREE_PREFIX, ACTION_PREFIX))]
    base = table[keep].reset_index(drop=True)
    base["_row"] = np.arange(len(base))
    counts = table[cols].reset_index(drop=True)
    counts.columns = list(points)
    counts["_row"] = np.arange(len(counts))
    long = counts.melt(id_vars="_row", var_name="point", value_name="count")
    long["point"] = long["point"].astype("int64")
    long["count"] = long["count"].astype("Int64")
    totals = long.groupby("_row")["count"].transform("sum")
    shares = long["count"].astype("Float64") / totals.astype("Float64").where(
        totals > 0
    )
    long["share"] = shares.astype("float64")
    out = base.merge(long, on="_row").sort_values(["_row", "point"], kind="mergesort")
    return out.drop(columns="_row").reset_index(drop=True)
