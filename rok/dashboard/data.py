"""The only bridge from the database to pandas: a survey's answers as tidy frames.

One query per table (answers, responses, statements), vectorised work after that and
no per-row ORM loops. Response ids are random strings in the database; here they are
replaced by small opaque integers (they identify nothing outside this frame).
"""

from __future__ import annotations

import pandas as pd
from sqlalchemy import select

from rok.dashboard.analysis import SurveyData, Thresholds
from rok.dashboard.disclosure import Privacy
from rok.extensions import db
from rok.surveys.models import Answer, Response, Survey, SurveyStatement


def _points(scale: dict | None) -> tuple[int, ...]:
    if not scale:
        return ()
    return tuple(sorted(int(point["value"]) for point in scale.get("points", [])))


def load_survey_data(survey: Survey) -> SurveyData:
    """Load the submitted answers of ``survey`` into a :class:`SurveyData`."""
    dimensions = [d.key for d in survey.dimensions]
    response_rows = db.session.execute(
        select(Response.id, Response.subgroups)
        .where(Response.survey_id == survey.id, Response.is_submitted.is_(True))
        .order_by(Response.id)
    ).all()
    number = {row.id: index for index, row in enumerate(response_rows, start=1)}
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

    answer_rows = db.session.execute(
        select(
            Answer.response_id,
            Answer.statement_id,
            Answer.agreement,
            Answer.no_view,
            Answer.action,
        )
        .join(Response, Response.id == Answer.response_id)
        .where(Response.survey_id == survey.id, Response.is_submitted.is_(True))
    ).all()
    answers = pd.DataFrame(
        answer_rows,
        columns=["response_id", "statement_id", "agreement", "no_view", "action"],
    )
    answers["response_id"] = answers["response_id"].map(number).astype("int64")
    answers["statement_id"] = answers["statement_id"].astype("int64")
    answers["agreement"] = answers["agreement"].astype("Int64")
    answers["action"] = answers["action"].astype("Int64")
    answers["no_view"] = answers["no_view"].astype(bool)

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


def survey_privacy(survey: Survey) -> Privacy:
    """Return the survey's group-size rule (never below 3)."""
    min_group = max(3, survey.min_group)
    return Privacy(
        min_group=min_group, min_comments=max(min_group, survey.min_comments)
    )


def survey_thresholds(survey: Survey) -> Thresholds:
    return Thresholds.from_dict(survey.thresholds or {})
