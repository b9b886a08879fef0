"""The only bridge from the database to pandas: a survey's answers as tidy frames.

One query per table (answers, responses, statements), vectorised work after that and
no per-row ORM loops. Response ids are random strings in the database; here they are
replaced by small opaque integers (they identify nothing outside this frame).
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import pandas as pd
from sqlalchemy import Integer, select, type_coerce

from rok.dashboard.analysis import SurveyData, Thresholds
from rok.dashboard.disclosure import Privacy
from rok.extensions import db
from rok.framework import bankdata
from rok.framework.models import Area, BankVersion, Expectation, Rubriek
from rok.surveys.models import Answer, Comment, Response, Survey, SurveyStatement


def _points(scale: dict | None) -> tuple[int, ...]:
    if not scale:
        return ()
    return tuple(sorted(int(point["value"]) for point in scale.get("points", [])))


def _submitted(survey: Survey) -> list:
    return db.session.execute(
        select(Response.id, Response.subgroups)
        .where(Response.survey_id == survey.id, Response.is_submitted.is_(True))
        .order_by(Response.id)
    ).all()


def _numbers(response_rows) -> dict[str, int]:
    """Number the responses 1, 2, … in the order of their random ids."""
    return {row.id: index for index, row in enumerate(response_rows, start=1)}


def load_survey_data(survey: Survey) -> SurveyData:
    """Load the submitted answers of ``survey`` into a :class:`SurveyData`."""
    dimensions = [d.key for d in survey.dimensions]
    response_rows = _submitted(survey)
    number = _numbers(response_rows)
    responses = pd.DataFrame(
        {
            "response_id": pd.Series(
                [number[r.id] for r in response_rows], dtype="int64"
            ),
            **{
                key: pd.Series(
                    [(r.subgroups or {}).get(key) for r in response_rows],
                    dtype="string",
                )
                for key in dimensions
            },
        }
    )

    answers = _answers_frame(survey, number)

    statement_rows = db.session.execute(
        select(
            SurveyStatement.id,
            SurveyStatement.position,
            SurveyStatement.text,
            SurveyStatement.expectation_code,
            SurveyStatement.area_code,
            SurveyStatement.rubriek_code,
            SurveyStatement.origin_key,
        )
        .where(SurveyStatement.survey_id == survey.id)
        .order_by(SurveyStatement.position)
    ).all()
    statements = pd.DataFrame(
        statement_rows,
        columns=[
            "statement_id",
            "position",
            "text",
            "expectation",
            "area",
            "rubriek",
            "origin",
        ],
    )
    statements = statements.astype(
        {
            "statement_id": "int64",
            "position": "int64",
            "text": "string",
            "expectation": "string",
            "area": "string",
            "rubriek": "string",
            "origin": "string",
        }
    )

    role = next((d for d in survey.dimensions if d.is_role), None)
    leadership = None
    if role is not None:
        leadership = next((o.key for o in role.options if o.is_leadership), None)
    scales = survey.scales or {}
    return SurveyData(
        answers=answers,
        responses=responses,
        statements=statements,
        agreement_points=_points(scales.get("agreement")),
        action_points=_points(scales.get("action")),
        role_dimension=role.key if role is not None and leadership else None,
        leadership_option=leadership if role is not None else None,
    )


def _answers_frame(survey: Survey, number: dict[str, int]) -> pd.DataFrame:
    """Return the answers of the submitted responses, numbered by ``number``.

    A big survey has hundreds of thousands of answers, so this bypasses the ORM
    layer (a Core query on the session's connection, with ``no_view`` read as the
    plain integer the database stores) and turns the rows into columns at once.
    """
    query = (
        select(
            Answer.response_id,
            Answer.statement_id,
            Answer.agreement,
            # SQLite stores 0/1: skip the per-row bool conversion, numpy does it.
            type_coerce(Answer.no_view, Integer),
            Answer.action,
        )
        .join(Response, Response.id == Answer.response_id)
        .where(Response.survey_id == survey.id, Response.is_submitted.is_(True))
    )
    with collector_paused():
        rows = db.session.connection().execute(query).all()
        columns = list(zip(*rows, strict=True)) if rows else [()] * 5
        del rows
        response_ids, statement_ids, agreement, no_view, action = columns
        return pd.DataFrame(
            {
                "response_id": np.fromiter(
                    map(number.__getitem__, response_ids),
                    dtype=np.int64,
                    count=len(response_ids),
                ),
                "statement_id": np.array(statement_ids, dtype=np.int64),
                "agreement": _nullable_ints(agreement),
                "no_view": np.array(no_view, dtype=bool),
                "action": _nullable_ints(action),
            }
        )


def _nullable_ints(values: tuple) -> pd.arrays.IntegerArray:
    """Return small integers and Nones as an ``Int64`` array.

    Twice as fast as ``pd.array`` on a big survey: numpy reads None as NaN.
    """
    floats = np.array(values, dtype=float)
    missing = np.isnan(floats)
    return pd.arrays.IntegerArray(
        np.where(missing, 0, floats).astype(np.int64), missing
    )


_pause_lock = threading.Lock()
_pauses = 0
_was_enabled = False


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while a block builds many objects.

    The collector runs every few hundred new objects, and every so often walks
    the whole heap of the process (the app, pandas, the request's data). Reading
    the 300,000 answers of a big survey set off enough of those runs to take three
    quarters of its time; WeasyPrint's layout of the report a sixth. Objects are
    still freed as usual when their last reference goes; only reference cycles
    made inside the block wait for the first run after it, which looks at young
    objects only. Safe across threads: the collector is enabled again when the
    last pause ends, and only if it was enabled when the first began.
    """
    global _pauses, _was_enabled
    with _pause_lock:
        if _pauses == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _pauses += 1
    try:
        yield
    finally:
        with _pause_lock:
            _pauses -= 1
            if _pauses == 0 and _was_enabled:
                gc.enable()


def survey_privacy(survey: Survey) -> Privacy:
    """Return the survey's group-size rule (never below 3)."""
    min_group = max(3, survey.min_group)
    return Privacy(
        min_group=min_group, min_comments=max(min_group, survey.min_comments)
    )


def survey_thresholds(survey: Survey) -> Thresholds:
    """Return the survey's classification thresholds (defaults for missing keys)."""
    return Thresholds.from_dict(survey.thresholds or {})


def load_comments(survey: Survey) -> pd.DataFrame:
    """Return the open comments of submitted responses (``visible_comments`` input).

    Columns ``response_id`` (the same opaque numbers as :func:`load_survey_data`),
    ``unit`` (the area or rubriek code) and ``text``.
    """
    number = _numbers(_submitted(survey))
    rows = db.session.execute(
        select(Comment.response_id, Comment.area_code, Comment.text)
        .join(Response, Response.id == Comment.response_id)
        .where(Response.survey_id == survey.id, Response.is_submitted.is_(True))
    ).all()
    return pd.DataFrame(
        {
            "response_id": pd.Series(
                [number[r.response_id] for r in rows], dtype="int64"
            ),
            "unit": pd.Series([r.area_code for r in rows], dtype=object),
            "text": pd.Series([r.text for r in rows], dtype=object),
        }
    )


@dataclass(frozen=True)
class FrameworkNames:
    """Titles and explanations of rubrieken, areas and expectations, by code.

    Unknown codes fall back to the code itself, so a survey whose bank is not
    loaded still has a readable (if terse) dashboard.
    """

    #: {level: {code: (title, explanation)}} for "rubriek", "area", "expectation".
    entries: dict[str, dict[str, tuple[str, str]]] = field(default_factory=dict)

    def title(self, level: str, code: str) -> str:
        """Return the title of ``code`` at ``level``, or the code."""
        entry = self.entries.get(level, {}).get(code)
        return entry[0] if entry and entry[0] else code

    def explanation(self, level: str, code: str) -> str:
        """Return the explanation of ``code`` at ``level`` (may be empty)."""
        entry = self.entries.get(level, {}).get(code)
        return entry[1] if entry else ""


def framework_names(survey: Survey) -> FrameworkNames:
    """Return the framework titles for the survey's codes.

    From the survey's bank version when it is loaded (three small queries);
    otherwise from the OK-kader data file shipped with rOK; otherwise codes.
    """
    version = (
        db.session.get(BankVersion, survey.bank_version_id)
        if survey.bank_version_id
        else None
    )
    if version is None:
        return _packaged_names()
    fid = version.framework_id
    entries: dict[str, dict[str, tuple[str, str]]] = {}
    for level, model in (
        ("rubriek", Rubriek),
        ("expectation", Expectation),
    ):
        rows = db.session.execute(
            select(model.code, model.title, model.explanation).where(
                model.framework_id == fid
            )
        ).all()
        entries[level] = {r.code: (r.title, r.explanation) for r in rows}
    rows = db.session.execute(
        select(Area.code, Area.title, Area.explanation)
        .join(Rubriek, Rubriek.id == Area.rubriek_id)
        .where(Rubriek.framework_id == fid)
    ).all()
    entries["area"] = {r.code: (r.title, r.explanation) for r in rows}
    return FrameworkNames(entries)


@lru_cache(maxsize=1)
def _packaged_names() -> FrameworkNames:
    try:
        framework = bankdata.read_frameworks().get("OK")
    except (bankdata.BankDataError, OSError):
        framework = None
    if framework is None:
        return FrameworkNames()
    entries: dict[str, dict[str, tuple[str, str]]] = {
        "rubriek": {},
        "area": {},
        "expectation": {},
    }
    for rubriek in framework.rubrieken:
        entries["rubriek"][rubriek.code] = (rubriek.title, rubriek.explanation)
        for area in rubriek.areas:
            entries["area"][area.code] = (area.title, area.explanation)
            for e in area.expectations:
                entries["expectation"][e.code] = (e.title, e.explanation)
    return FrameworkNames(entries)
