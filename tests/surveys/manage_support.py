"""Fixtures and helpers shared by the tests of the school's survey pages."""

from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa

from rok.extensions import db
from rok.surveys.models import Survey

ALL_RUBRIEKEN = ["RE", "OL", "BE", "KO"]


def base_url(school) -> str:
    return f"/scholen/{school.id}/bevragingen"


def new_survey(client, school, **data) -> Survey:
    """Create a survey through the form and return it."""
    form = {
        "title": "Teambevraging 2026",
        "level": "bao",
        "rubrieken": ALL_RUBRIEKEN,
        "planned_start": str(date.today()),
        "planned_end": str(date.today() + timedelta(days=14)),
    } | data
    response = client.post(f"{base_url(school)}/nieuw", data=form)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    return db.session.scalars(sa.select(Survey).order_by(Survey.id.desc())).first()


def count(model, **where) -> int:
    query = sa.select(sa.func.count()).select_from(model)
    for key, value in where.items():
        query = query.where(getattr(model, key) == value)
    return db.session.scalar(query)


def text(response) -> str:
    return response.get_data(as_text=True)
