"""Load a survey's dashboard once per request: data, tables, names, filters.

A :class:`Dashboard` loads the answers with one query per table and computes
each analysis table at most once per request (tables are cached on the object),
so a page never runs a query per row.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any

import pandas as pd
from flask import abort, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import func, select

from rok.dashboard import analysis, charts, presenting
from rok.dashboard.data import (
    framework_names,
    load_comments,
    load_survey_data,
    survey_privacy,
    survey_thresholds,
)
from rok.dashboard.disclosure import (
    CROSS_DIMENSION,
    Partition,
    cross_dimension_withheld,
    visible_comments,
)
from rok.dashboard.presenting import Dimension
from rok.errors import render_error
from rok.extensions import db
from rok.surveys.models import Response, Survey, SurveyStatus

LEVELS = ("rubriek", "area", "expectation", "statement")
PARENT = {"area": "rubriek", "expectation": "area", "statement": "expectation"}


class FilterError(Exception):
    """A GET parameter names something the survey does not have (answered 400)."""


def submitted_count(survey: Survey) -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(Response)
        .where(Response.survey_id == survey.id, Response.is_submitted.is_(True))
    ) or 0


def find_survey(school, survey_id: int) -> Survey:
    """Return the school's survey or answer 404 (never another school's)."""
    survey = db.session.scalar(
        select(Survey).where(Survey.id == survey_id, Survey.school_id == school.id)
    )
    if survey is None:
        abort(404)
    return survey


@dataclass(frozen=True)
class Group:
    """The one subgroup a page is filtered on: a dimension and one of its options."""

    dimension: Dimension
    option: str

    @property
    def value(self) -> str:
        return f"{self.dimension.key}:{self.option}"


class Dashboard:
    """One survey's figures for one request."""

    def __init__(self, school, survey: Survey, responses: int) -> None:
        self.school = school
        self.survey = survey
        self.responses = responses
        self.privacy = survey_privacy(survey)
        self.thresholds = survey_thresholds(survey)
        self.min_group = self.privacy.min_group
        self.is_interim = survey.status != SurveyStatus.CLOSED
        self._summaries: dict[str, pd.DataFrame] = {}
        self._breakdowns: dict[tuple[str, str], pd.DataFrame] = {}

    # --- loading -------------------------------------------------------------

    @cached_property
    def data(self) -> analysis.SurveyData:
        return load_survey_data(self.survey)

    @cached_property
    def names(self):
        return framework_names(self.survey)

    @property
    def points(self) -> tuple[int, ...]:
        return tuple(self.data.agreement_points)

    @property
    def action_points(self) -> tuple[int, ...]:
        return tuple(self.data.action_points)

    @cached_property
    def point_labels(self) -> dict[int, str]:
        scale = (self.survey.scales or {}).get("agreement", {})
        return {int(p["value"]): p.get("label", str(p["value"]))
                for p in scale.get("points", [])}

    @cached_property
    def action_labels(self) -> dict[int, str]:
        scale = (self.survey.scales or {}).get("action", {})
        return {int(p["value"]): p.get("label", str(p["value"]))
                for p in scale.get("points", [])}

    @cached_property
    def dimensions(self) -> list[Dimension]:
        return [
            Dimension(
                key=d.key,
                label=d.label,
                options=tuple((o.key, o.label) for o in d.options),
                is_role=d.is_role,
            )
            for d in self.survey.dimensions
        ]

    def dimension(self, key: str | None) -> Dimension | None:
        return next((d for d in self.dimensions if d.key == key), None)

    # --- tables ----------------------------------------------------------------

    def summary(self, level: str) -> pd.DataFrame:
        """Return the whole team's table at ``level`` with ``name`` and ``code``."""
        if level not in self._summaries:
            table = analysis.summary_table(
                self.data, level=level, privacy=self.privacy,
                thresholds=self.thresholds,
            )
            self._summaries[level] = self._named(table, level)
        return self._summaries[level]

    def breakdown(self, dimension: str, level: str) -> pd.DataFrame:
        """Return the breakdown at ``level``, with ``name`` and ``part_name``."""
        key = (dimension, level)
        if key not in self._breakdowns:
            table = analysis.breakdown_table(
                self.data, dimension, level=level, privacy=self.privacy,
                thresholds=self.thresholds,
            )
            table = self._named(table, level)
            dim = self.dimension(dimension)
            table["part_name"] = [
                presenting.part_label(p, m, dim)
                for p, m in zip(table["part"], table["members"], strict=True)
            ]
            self._breakdowns[key] = table
        return self._breakdowns[key]

    @cached_property
    def cross_withheld(self) -> dict[str, Any]:
        """Dimensions withheld because two breakdowns together reveal a small group."""
        if len(self.dimensions) < 2:
            return {}
        partitions: dict[str, dict[int, Partition]] = {}
        for d in self.dimensions:
            table = self.breakdown(d.key, "statement")
            shown = table.loc[table["part"].notna()]
            per_statement: dict[int, Partition] = {}
            for sid, rows in shown.groupby("statement_id", sort=False):
                per_statement[int(sid)] = Partition(
                    dict(zip(rows["part"], rows["members"], strict=True))
                )
            partitions[d.key] = per_statement
        order = [d.key for d in self.dimensions if d.is_role] + [
            d.key for d in self.dimensions if not d.is_role
        ]
        return cross_dimension_withheld(
            self.data.answers, self.data.responses, partitions, self.min_group,
            order=order,
        )

    def breakdown_reason(self, dimension: str) -> str | None:
        """Return CROSS_DIMENSION when the whole dimension is withheld, else None."""
        return CROSS_DIMENSION if dimension in self.cross_withheld else None

    def table(self, level: str, group: Group | None) -> pd.DataFrame:
        """Return the team's table, or the chosen group's part per unit."""
        if group is None:
            return self.summary(level)
        return presenting.pick_part(self.breakdown(group.dimension.key, level),
                                    group.option)

    def _named(self, table: pd.DataFrame, level: str) -> pd.DataFrame:
        table = table.copy()
        if level == "statement":
            table["code"] = [f"S{int(p) + 1}" for p in table["position"]]
            table["name"] = [f"{c}. {t}" for c, t in zip(table["code"], table["text"],
                                                        strict=True)]
        else:
            table["code"] = table["unit"].astype(str)
            table["name"] = [self.names.title(level, str(u)) for u in table["unit"]]
        return table

    def title(self, level: str, code: str) -> str:
        return self.names.title(level, code)

    @cached_property
    def comments(self) -> pd.DataFrame:
        return visible_comments(
            load_comments(self.survey), self.data.responses, privacy=self.privacy
        )

    def comments_for(self, area: str) -> list[str]:
        table = self.comments
        if table.empty:
            return []
        return list(table.loc[table["unit"] == area, "text"])

    @cached_property
    def previous(self) -> Dashboard | None:
        """The previous round of the same school, when it has answers."""
        prev = self.survey.previous_round
        if prev is None or prev.school_id != self.survey.school_id:
            return None
        count = submitted_count(prev)
        if not count:
            return None
        return Dashboard(self.school, prev, count)

    # --- request helpers -------------------------------------------------------

    def group_from_request(self) -> Group | None:
        """Read ``groep=<dimension>:<option>`` (one dimension, never a crossing)."""
        value = request.args.get("groep", "")
        if not value:
            return None
        key, sep, option = value.partition(":")
        dim = self.dimension(key)
        if not sep or dim is None:
            raise FilterError(_("Deze bevraging heeft geen deelgroep '%(k)s'.",
                                k=key[:40]))
        if option not in dict(dim.options):
            raise FilterError(_("De deelgroep %(d)s heeft geen keuze '%(o)s'.",
                                d=dim.label, o=option[:40]))
        return Group(dim, option)

    def label_from_request(self) -> str | None:
        value = request.args.get("label", "")
        if not value:
            return None
        if value not in analysis.LABELS:
            raise FilterError(_("Onbekende indeling '%(l)s'. Kies sterkte, werkpunt, "
                                "gespreksthema, blinde vlek of prioriteit.",
                                l=value[:40]))
        return value

    def level_from_request(self, default: str, allowed=LEVELS) -> str:
        value = request.args.get("niveau", default)
        if value not in allowed:
            raise FilterError(_("Onbekend niveau '%(n)s'.", n=value[:40]))
        return value

    def unit_url(self, level: str, code, group: Group | None = None) -> str:
        """Link to a unit's (or statement's) page, keeping the chosen group."""
        extra = {"groep": group.value} if group is not None else {}
        if level == "statement":
            return self.url("dashboard.statement", statement_id=int(code), **extra)
        return self.url(f"dashboard.{level}", **{f"{level}_code": code}, **extra)

    def url(self, endpoint: str, **values) -> str:
        return url_for(endpoint, school_id=self.school.id, survey_id=self.survey.id,
                       **values)


def load_dashboard(school, survey_id: int) -> Dashboard:
    survey = find_survey(school, survey_id)
    return Dashboard(school, survey, submitted_count(survey))


def render(dash: Dashboard, template: str, **context):
    """Render a dashboard page, or the "no answers yet" page."""
    if dash.responses == 0:
        return render_template("dashboard/empty.html", dash=dash, school=dash.school,
                               survey=dash.survey, p=presenting)
    return render_template(template, dash=dash, school=dash.school,
                           survey=dash.survey, p=presenting, charts=charts,
                           **context)


def filter_error(error: FilterError):
    return render_error(400, str(error))


def records(table: pd.DataFrame) -> list[dict]:
    """Return a table's rows as plain dicts for the templates."""
    return table.to_dict("records")
