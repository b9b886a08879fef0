"""rok.dashboard.data: a survey's answers as frames, and the collector pause."""

from __future__ import annotations

import gc

import pandas as pd
import pytest

from rok.dashboard.data import collector_paused, load_survey_data
from rok.extensions import db
from rok.surveys.models import Response, SurveyStatus
from tests.processing.synthetic import fill_survey


def test_load_survey_data_reads_every_submitted_answer(school, create_survey):
    survey = create_survey(school, statements=5, status=SurveyStatus.CLOSED)
    fill_survey(survey, {"kleuter": 6, "lager": 4, None: 3}, no_view_rate=0.2,
                action_rate=0.5)
    db.session.add(Response(survey_id=survey.id, is_submitted=False,
                            subgroups={"functie": "zorg"}))
    db.session.commit()

    data = load_survey_data(survey)

    submitted = db.session.scalars(
        db.select(Response).where(Response.survey_id == survey.id,
                                  Response.is_submitted.is_(True))
        .order_by(Response.id)).all()
    # Numbered 1, 2, ... in the order of the random ids; a draft is left out.
    assert list(data.responses["response_id"]) == list(range(1, 14))
    assert list(data.responses["functie"].fillna("-")) == [
        (r.subgroups or {}).get("functie", "-") for r in submitted]
    expected = sorted(
        (number, a.statement_id, a.agreement, a.no_view, a.action)
        for number, response in enumerate(submitted, start=1)
        for a in response.answers)
    answers = data.answers
    assert answers.dtypes.astype(str).to_dict() == {
        "response_id": "int64", "statement_id": "int64", "agreement": "Int64",
        "no_view": "bool", "action": "Int64"}
    got = sorted(
        (r, s, None if pd.isna(a) else int(a), bool(n), None if pd.isna(x) else int(x))
        for r, s, a, n, x in zip(answers["response_id"], answers["statement_id"],
                                 answers["agreement"], answers["no_view"],
                                 answers["action"], strict=True))
    assert got == expected
    assert answers["no_view"].any() and answers["action"].isna().any()


def test_collector_paused_restores_the_collector_even_after_an_error():
    was_enabled = gc.isenabled()
    gc.enable()
    try:
        with pytest.raises(RuntimeError):
            with collector_paused():
                assert not gc.isenabled()
                with collector_paused():
                    assert not gc.isenabled()
                assert not gc.isenabled()  # the outer pause still holds
                raise RuntimeError
        assert gc.isenabled()
        gc.disable()
        with collector_paused():
            pass
        assert not gc.isenabled()  # left as the caller had it
    finally:
        if was_enabled:
            gc.enable()
