"""Processing fixtures: a closed survey with synthetic answers, an advisor."""

from __future__ import annotations

import pytest

from rok.accounts.models import Role
from rok.surveys.models import SurveyStatus
from tests.processing.synthetic import fill_survey


@pytest.fixture
def closed_survey(school, create_survey):
    """A closed survey of 8 statements with 40 synthetic respondents."""
    survey = create_survey(school, title="Bevraging voorjaar 2026", statements=8,
                           status=SurveyStatus.CLOSED)
    fill_survey(survey, {"beleidsteam": 6, "kleuter": 10, "lager": 16, "zorg": 8})
    return survey


@pytest.fixture
def advisor(create_user, add_membership, school):
    user = create_user("begeleider@net.example", "Bea Begeleider")
    add_membership(user, school, Role.ADVISOR)
    return user


def base_url(survey) -> str:
    return f"/scholen/{survey.school_id}/bevragingen/{survey.id}"
