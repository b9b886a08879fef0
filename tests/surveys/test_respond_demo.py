"""The demo surveys of ``make run``: realistic, deterministic, and answerable."""

from __future__ import annotations

from collections import Counter

import sqlalchemy as sa

from rok.extensions import db
from rok.surveys.demo_data import TEAM_KEY, create_demo_survey
from rok.surveys.models import Answer, Participant, Response, SurveyStatus


def _summary(survey) -> dict:
    responses = db.session.scalars(sa.select(Response).where(
        Response.survey_id == survey.id)).all()
    answers = db.session.scalars(sa.select(Answer).join(Response).where(
        Response.survey_id == survey.id)).all()
    return {"responses": len(responses),
            "roles": Counter(r.subgroups["functie"] for r in responses),
            "answers": sorted((a.statement_id - survey.statements[0].id,
                               a.agreement or 0, a.no_view, a.action or 0)
                              for a in answers)}


def test_demo_survey_has_a_realistic_finished_round(app, school):
    result = create_demo_survey(school)
    db.session.commit()
    survey = result["finished_survey"]
    assert survey.status == SurveyStatus.CLOSED
    summary = _summary(survey)
    assert summary["roles"] == {"beleidsteam": 5, "kleuter": 9, "lager": 15, "zorg": 5,
                                "ondersteunend": 4}
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Participant).where(
        Participant.survey_id == survey.id, Participant.has_finished.is_(True))) == 38
    answers = db.session.scalars(sa.select(Answer).join(Response).where(
        Response.survey_id == survey.id)).all()
    assert len(answers) == 38 * len(survey.statements)
    assert any(a.no_view for a in answers)
    # A blind spot: the beleidsteam is much more positive than the rest.
    leaders = {r.id for r in db.session.scalars(sa.select(Response)) if
               r.subgroups["functie"] == "beleidsteam"}
    gaps = []
    for statement in survey.statements:
        mine = [a for a in answers if a.statement_id == statement.id and a.agreement]
        lead = [a.agreement for a in mine if a.response_id in leaders]
        rest = [a.agreement for a in mine if a.response_id not in leaders]
        if lead and rest:
            gaps.append(sum(lead) / len(lead) - sum(rest) / len(rest))
    assert max(gaps) > 1.0
    assert result["open_survey"].team_link_enabled
    assert result["team_link"] == f"/t/{TEAM_KEY}"


def test_demo_survey_is_deterministic(app, school, create_school):
    first = _summary(create_demo_survey(school)["finished_survey"])
    other = create_school("Andere", "999002")
    second = _summary(create_demo_survey(other)["finished_survey"])
    assert first == second


def test_demo_open_survey_can_be_answered_through_its_team_link(app, client, school):
    result = create_demo_survey(school)
    db.session.commit()
    trial = result["open_survey"]
    response = client.get(result["team_link"])
    assert response.headers["Location"].endswith(f"/b/s/{trial.id}/")
    client.post(f"/b/s/{trial.id}/start")
    client.post(f"/b/s/{trial.id}/groep", data={"functie": "lager", "ervaring": "kort"})
    page = client.get(f"/b/s/{trial.id}/stelling/1")
    assert page.status_code == 200
    assert trial.statements[0].text in page.get_data(as_text=True)


def test_demo_uses_the_default_selection_of_the_loaded_bank(app, client, school):
    from rok.framework import services

    services.load_bank()
    version = services.latest_version()
    defaults = [s for s in services.statements_of(version) if "bao" in s.default_for]
    result = create_demo_survey(school)
    db.session.commit()
    trial = result["open_survey"]
    assert trial.bank_version_id == version.id
    assert [s.origin_key for s in trial.statements] == [s.key for s in defaults]
    assert trial.scales == version.scales
    client.get(result["team_link"])
    client.post(f"/b/s/{trial.id}/start")
    client.post(f"/b/s/{trial.id}/groep", data={"functie": "zorg", "ervaring": "lang"})
    pages = [client.get(f"/b/s/{trial.id}/stelling/{n}").get_data(as_text=True)
             for n in range(1, len(trial.statements) + 1)]
    assert any('<details class="glossary">' in page for page in pages)
    # Comment boxes carry the area's title from the framework, not its code.
    area = trial.statements[0].area_code
    page = client.get(f"/b/s/{trial.id}/opmerking/{area}").get_data(as_text=True)
    assert f"over {area}?" not in page
