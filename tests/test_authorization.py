"""Every route is covered: users of school A, advisors without a grant and anonymous
visitors get nothing of school B.

The test walks the app's URL map. A new route must either take ``school_id`` (and
then is checked here automatically) or be listed in one of the sets below; a URL
argument other than ``school_id`` needs an entry in ``ARGUMENTS`` that creates an
object of school B.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from rok.accounts.models import Membership, Role
from rok.extensions import db

#: Routes open to everyone (no school data behind them).
PUBLIC = {"static", "main.index", "accounts.login", "accounts.forgot_password",
          "accounts.reset_password", "accounts.accept_invitation",
          "accounts.set_language",
          # Respondents: a personal link token, team key or link cookie is the key.
          "respond.personal", "respond.team_start", "respond.intro", "respond.start",
          "respond.subgroups", "respond.card", "respond.save", "respond.comment",
          "respond.review", "respond.submit", "respond.thanks"}
#: Routes for any logged-in user, showing only their own data.
USER = {"main.start", "accounts.profile", "accounts.logout"}
#: Routes for platform admins only.
PLATFORM = {"admin.schools", "admin.outbox", "framework.versions"}


def _membership_of_b(ctx) -> int:
    return ctx["b_admin_membership"].id


def _survey_of_b(ctx):
    """A survey of school B with one of everything (made once per test)."""
    if "survey_b" not in ctx:
        from datetime import date

        from rok.surveys.models import (
            Participant,
            Reminder,
            SubgroupDimension,
            SubgroupOption,
            Survey,
            SurveyStatement,
            SurveyStatus,
        )

        survey = Survey(school=ctx["school_b"], title="Bevraging van B", level="bao",
                        status=SurveyStatus.OPEN, team_key="team-key-of-school-b",
                        team_link_enabled=True, expected_team_size=10)
        survey.statements.append(SurveyStatement(
            position=0, text="Stelling van B", expectation_code="R1", area_code="RE",
            rubriek_code="RE"))
        dimension = SubgroupDimension(key="functie", label="Functie", is_role=True)
        dimension.options.append(SubgroupOption(key="beleidsteam", label="Beleidsteam",
                                                is_leadership=True))
        dimension.options.append(SubgroupOption(key="lager", label="Lager"))
        survey.dimensions.append(dimension)
        survey.participants.append(Participant(email="leraar@b.example"))
        survey.reminders.append(Reminder(send_on=date(2020, 1, 1)))
        db.session.add(survey)
        db.session.commit()
        ctx["survey_b"] = survey
    return ctx["survey_b"]


def _processing_of_b(ctx, what: str) -> int:
    """A note, a goal and an action in school B's survey (made once per test)."""
    if "note_b" not in ctx:
        from rok.processing.models import Action, AreaNote, Goal, UnitLevel

        survey = _survey_of_b(ctx)
        note = AreaNote(survey_id=survey.id, unit_level=UnitLevel.AREA,
                        unit_code="RE", text="Notitie van B")
        goal = Goal(survey_id=survey.id, title="Doel van B")
        goal.actions.append(Action(what="Actie van B"))
        db.session.add_all([note, goal])
        db.session.commit()
        ctx.update(note_b=note, goal_b=goal, action_b=goal.actions[0])
    return ctx[f"{what}_b"].id


#: How to fill URL arguments with an object that belongs to school B.
ARGUMENTS = {
    "membership_id": _membership_of_b,
    "survey_id": lambda ctx: _survey_of_b(ctx).id,
    "statement_id": lambda ctx: _survey_of_b(ctx).statements[0].id,
    "dimension_id": lambda ctx: _survey_of_b(ctx).dimensions[0].id,
    "option_id": lambda ctx: _survey_of_b(ctx).dimensions[0].options[1].id,
    "participant_id": lambda ctx: _survey_of_b(ctx).participants[0].id,
    "reminder_id": lambda ctx: _survey_of_b(ctx).reminders[0].id,
    "note_id": lambda ctx: _processing_of_b(ctx, "note"),
    "goal_id": lambda ctx: _processing_of_b(ctx, "goal"),
    "action_id": lambda ctx: _processing_of_b(ctx, "action"),
    # Dashboard pages of a rubriek or expectation of survey B's statement.
    "rubriek_code": lambda ctx: _survey_of_b(ctx).statements[0].rubriek_code,
    "expectation_code": lambda ctx: _survey_of_b(ctx).statements[0].expectation_code,
}


@pytest.fixture
def two_schools(app, create_school, create_user, add_membership):
    school_a = create_school("School A", "100001")
    school_b = create_school("School B", "100002")
    director_a = create_user("a@a.example")
    add_membership(director_a, school_a)
    director_b = create_user("b@b.example")
    b_admin = add_membership(director_b, school_b)
    advisor = create_user("adviseur@net.example")
    add_membership(advisor, school_a, Role.ADVISOR)  # granted by A, not by B
    ctx = {"school_a": school_a, "school_b": school_b, "director_a": director_a,
           "advisor": advisor, "b_admin_membership": b_admin}
    _survey_of_b(ctx)  # before any row count is taken
    _processing_of_b(ctx, "note")
    return ctx


def _school_rules(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint in PUBLIC | USER | PLATFORM:
            continue
        yield rule


def _url(app, rule, ctx) -> str:
    values = {}
    for argument in rule.arguments:
        if argument == "school_id":
            values[argument] = ctx["school_b"].id
        elif argument in ARGUMENTS:
            values[argument] = ARGUMENTS[argument](ctx)
        else:
            raise AssertionError(
                f"{rule.endpoint}: add a school-B factory for URL argument {argument!r}"
            )
    with app.test_request_context():
        from flask import url_for

        return url_for(rule.endpoint, **values)


def _row_counts() -> dict:
    with db.engine.connect() as connection:
        return {
            table.name: connection.execute(
                sa.select(sa.func.count()).select_from(table)
            ).scalar()
            for table in db.metadata.sorted_tables
        }


def test_every_route_is_classified(app):
    for rule in _school_rules(app):
        assert "school_id" in rule.arguments, (
            f"{rule.endpoint} ({rule.rule}) has no school_id: add it to PUBLIC, USER "
            "or PLATFORM in tests/test_authorization.py, or scope it to a school")


@pytest.mark.parametrize("who", ["anonymous", "director_a", "advisor"])
def test_school_b_routes_give_nothing_to_outsiders(app, two_schools, login, who):
    client = app.test_client()
    if who != "anonymous":
        login(two_schools[who], c=client)
    before = _row_counts()
    checked = 0
    for rule in _school_rules(app):
        url = _url(app, rule, two_schools)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = client.open(url, method=method, data={})
            checked += 1
            if who == "anonymous":
                assert response.status_code == 302, (method, url, response.status_code)
                assert "/aanmelden" in response.headers["Location"]
            else:
                assert response.status_code == 404, (method, url, response.status_code)
            assert "School B" not in response.get_data(as_text=True)
    assert checked > 0
    assert _row_counts() == before


def test_platform_routes_refuse_school_users(app, two_schools, login):
    client = app.test_client()
    login(two_schools["director_a"], c=client)
    for rule in app.url_map.iter_rules():
        if rule.endpoint in PLATFORM:
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                url = _url(app, rule, two_schools)
                assert client.open(url, method=method).status_code == 403


def test_platform_admin_sees_no_school_pages(app, two_schools, create_user, login):
    admin = create_user("root@rok.example", is_platform_admin=True)
    client = app.test_client()
    login(admin, c=client)
    assert client.get(f"/scholen/{two_schools['school_b'].id}").status_code == 404


def test_memberships_are_the_only_way_in(app, two_schools):
    # Sanity check of the fixture: the advisor holds exactly one grant (school A).
    grants = db.session.scalars(sa.select(Membership).where(
        Membership.user_id == two_schools["advisor"].id)).all()
    assert [g.school_id for g in grants] == [two_schools["school_a"].id]


@pytest.mark.parametrize("link", ["personal", "team"])
def test_a_respondent_gets_nothing_of_another_survey(app, two_schools, create_survey,
                                                     link):
    """A respondent holds one survey's link: every answering URL of school B's survey
    refuses them, also when their cookies are sent along on B's paths."""
    from rok.surveys import links
    from rok.surveys.models import Participant

    survey_a = create_survey(two_schools["school_a"], title="Bevraging van A",
                             team_link=True)
    client = app.test_client()
    if link == "personal":
        token = links.new_token()
        db.session.add(Participant(survey=survey_a, email="leraar@a.example",
                                   subgroups={"functie": "lager"},
                                   token_hash=links.participant_hash(token)))
        db.session.commit()
        assert client.get(f"/b/{token}").status_code == 302
    else:
        assert client.get(f"/t/{survey_a.team_key}").status_code == 302
    assert client.post(f"/b/s/{survey_a.id}/start").status_code == 302
    survey_b = _survey_of_b(two_schools)
    # The respondent's own cookies, copied onto survey B's paths.
    copied = 0
    for cookie in list(client._cookies.values()):
        if cookie.key.startswith("rok_"):
            client.set_cookie(cookie.key, cookie.value, path=f"/b/s/{survey_b.id}/")
            copied += 1
    assert copied == (1 if link == "personal" else 2)
    before = _row_counts()
    checked = 0
    for rule in app.url_map.iter_rules():
        if (
            not rule.endpoint.startswith("respond.")
            or "survey_id" not in rule.arguments
        ):
            continue
        values = {"survey_id": survey_b.id, "number": 1, "area_code": "RE"}
        with app.test_request_context():
            from flask import url_for

            url = url_for(rule.endpoint, **{k: values[k] for k in rule.arguments})
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            kwargs = ({"json": {"statement": survey_b.statements[0].id,
                                "agreement": "3"}}
                      if rule.endpoint == "respond.save" else {"data": {}})
            response = client.open(url, method=method, **kwargs)
            checked += 1
            body = response.get_data(as_text=True)
            assert response.status_code in {400, 404} or (
                rule.endpoint == "respond.thanks" and response.status_code == 200), (
                method, url, response.status_code)
            assert "Stelling van B" not in body and "Bevraging van B" not in body
    assert checked >= 10
    assert _row_counts() == before
