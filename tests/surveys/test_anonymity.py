"""Anonymity by construction (design.md §5), proven on the stored data itself.

After several people answered through personal links, every row of every table is
dumped through SQLAlchemy's metadata and searched for anything that could connect a
response to a participant.
"""

from __future__ import annotations

import logging
import re

import pytest
import sqlalchemy as sa

from rok.extensions import db
from rok.surveys import answering, links
from rok.surveys.models import Participant, Response

ANON_TABLES = ("responses", "answers", "comments")
FORBIDDEN_NAME_PARTS = ("participant", "token", "email", "ip", "agent", "user", "time",
                        "date", "created", "updated", "_at", "seq", "order", "position")


def dump_all() -> dict[str, list[dict]]:
    """Every column of every row of every table."""
    dump = {}
    with db.engine.connect() as connection:
        for table in db.metadata.sorted_tables:
            rows = connection.execute(sa.select(table)).mappings().all()
            dump[table.name] = [dict(row) for row in rows]
    return dump


def text_of(rows: list[dict]) -> str:
    return "\n".join(repr(value) for row in rows for value in row.values())


def answer_as(client, survey, token, *, agreement, comment=None, submit=True):
    client.get(f"/b/{token}")
    client.post(f"/b/s/{survey.id}/start")
    for number in range(1, len(survey.statements) + 1):
        client.post(f"/b/s/{survey.id}/stelling/{number}",
                    data={"agreement": str(agreement), "action": "2"})
    if comment:
        client.post(f"/b/s/{survey.id}/opmerking/RE", data={"comment": comment})
    if submit:
        client.post(f"/b/s/{survey.id}/indienen")


@pytest.fixture
def answered_survey(app, school, create_survey):
    """12 invited staff; 9 submitted, 2 left a draft, 1 never opened the link."""
    survey = create_survey(school, statements=8)
    people = []
    for index in range(12):
        token = links.new_token()
        participant = Participant(
            survey=survey, email=f"collega{index:02d}@linde.example",
            name=f"Collega {index}", subgroups={"functie": "lager"},
            token_hash=links.participant_hash(token),
            link_ciphertext=links.encrypt_token(token))
        db.session.add(participant)
        db.session.commit()  # ids follow invitation order
        people.append((participant, token))
    created = []  # response ids in the order people started answering
    for index, (_participant, token) in enumerate(people[:11]):
        client = app.test_client()
        answer_as(client, survey, token, agreement=1 + index % 4,
                  comment=f"opmerking {index}", submit=False)
        created.append(answering.find_draft(survey, token).id)
        if index < 9:
            client.post(f"/b/s/{survey.id}/indienen")
    survey.created_response_ids = created
    return survey, people


def test_response_rows_hold_nothing_that_points_to_a_participant(answered_survey):
    survey, people = answered_survey
    dump = dump_all()
    anonymous = "\n".join(text_of(dump[name]) for name in ANON_TABLES)
    for participant, token in people:
        for secret in (token, links.participant_hash(token), participant.email,
                       participant.name, participant.link_ciphertext):
            if secret:
                assert secret not in anonymous
        assert f"'{participant.id}'" not in anonymous
    # The token itself is stored nowhere at all (only hashes and a ciphertext).
    everything = "\n".join(text_of(rows) for rows in dump.values())
    for _participant, token in people:
        assert token not in everything
    assert len(dump["responses"]) == 11
    assert len(dump["answers"]) == 11 * 8


def test_anonymous_tables_have_no_linking_columns():
    for name in ANON_TABLES:
        table = db.metadata.tables[name]
        for column in table.columns:
            lowered = column.name.lower()
            assert not any(part in lowered for part in FORBIDDEN_NAME_PARTS), (
                f"{name}.{column.name} could identify a respondent")
            assert not isinstance(column.type, (sa.DateTime, sa.Date, sa.Time)), (
                f"{name}.{column.name} is a timestamp")
        referred = {fk.column.table.name for fk in table.foreign_keys}
        assert "participants" not in referred
        assert referred <= {"surveys", "responses", "survey_statements"}
    responses = db.metadata.tables["responses"]
    assert set(responses.columns.keys()) == {
        "id", "survey_id", "resume_key_hash", "is_submitted", "subgroups"}
    id_column = responses.columns["id"]
    assert isinstance(id_column.type, sa.String) and id_column.autoincrement is not True


def test_response_ids_are_random_not_in_invitation_order(answered_survey):
    """The primary key is random (``secrets.token_hex``), never a counter."""
    rows = db.session.execute(sa.select(Response.id)).scalars().all()
    assert all(re.fullmatch(r"[0-9a-f]{32}", row) for row in rows)
    assert len(set(rows)) == len(rows)
    # Invitation order = answering order here; the ids do not follow it. (Eleven
    # random ids happen to be sorted once in 11! ≈ 40 million runs.)
    survey, _people = answered_survey
    created = survey.created_response_ids
    assert len(created) == 11
    assert sorted(created) != created and sorted(created, reverse=True) != created


def test_after_submission_no_resume_hash_remains(answered_survey):
    survey, people = answered_survey
    submitted = db.session.scalars(sa.select(Response).where(
        Response.is_submitted.is_(True))).all()
    assert len(submitted) == 9
    assert all(r.resume_key_hash is None for r in submitted)
    drafts = db.session.scalars(sa.select(Response).where(
        Response.is_submitted.is_(False))).all()
    assert {r.resume_key_hash for r in drafts} == {
        links.resume_hash(token) for _p, token in people[9:11]}
    for participant, token in people[:9]:
        db.session.refresh(participant)
        assert participant.has_finished and participant.link_ciphertext is None
        assert answering.find_draft(survey, token) is None
    # Nothing derived from a finished participant's token is stored anywhere.
    everything = "\n".join(text_of(rows) for rows in dump_all().values())
    for _participant, token in people[:9]:
        assert links.resume_hash(token) not in everything


def test_participant_rows_know_only_whether_they_finished(answered_survey):
    survey, people = answered_survey
    participants = db.metadata.tables["participants"]
    assert set(participants.columns.keys()) == {
        "id", "survey_id", "email", "name", "subgroups", "token_hash",
        "link_ciphertext", "invited_at", "last_reminded_at", "reminder_count",
        "has_finished"}
    dump = dump_all()
    participant_text = text_of(dump["participants"])
    for row in dump["responses"]:
        assert row["id"] not in participant_text
        if row["resume_key_hash"]:
            assert row["resume_key_hash"] not in participant_text
    for row in dump["comments"]:
        assert row["text"] not in participant_text
    finished = [row["has_finished"] for row in dump["participants"]]
    assert sum(bool(f) for f in finished) == 9


def test_only_the_link_finds_an_unfinished_draft(answered_survey):
    survey, people = answered_survey
    participant, token = people[9]
    draft = answering.find_draft(survey, token)
    assert draft is not None and not draft.is_submitted
    for wrong in (links.new_token(), participant.token_hash,
                  links.participant_hash(token),
                  token[:-1] + ("A" if token[-1] != "A" else "B"), "", None):
        assert answering.find_draft(survey, wrong) is None
    assert links.resume_hash(token) != participant.token_hash


def test_submission_happens_in_one_transaction(app, school, create_survey, monkeypatch):
    """If the commit fails, neither the response nor the participant changes."""
    survey = create_survey(school)
    token = links.new_token()
    participant = Participant(survey=survey, email="x@linde.example",
                              subgroups={"functie": "zorg"},
                              token_hash=links.participant_hash(token))
    db.session.add(participant)
    db.session.commit()
    client = app.test_client()
    answer_as(client, survey, token, agreement=3, submit=False)
    from sqlalchemy.exc import OperationalError

    def failing_commit():
        raise OperationalError("COMMIT", {}, Exception("database is locked"))

    monkeypatch.setattr(db.session, "commit", failing_commit)
    response = client.post(f"/b/s/{survey.id}/indienen")
    assert response.status_code == 503
    monkeypatch.undo()
    db.session.rollback()
    stored = db.session.scalars(sa.select(Response)).one()
    db.session.refresh(stored)
    db.session.refresh(participant)
    assert not stored.is_submitted
    assert stored.resume_key_hash == links.resume_hash(token)
    assert not participant.has_finished


# --- logs and referrers ---------------------------------------------------------------


def test_redact_hides_link_secrets_only():
    from rok.logging import redact

    token = links.new_token()
    line = f'127.0.0.1 - - "GET /b/{token} HTTP/1.1" 302 - "/t/teamsleutel123?x=1"'
    redacted = redact(line)
    assert token not in redacted and "teamsleutel123" not in redacted
    assert "/b/[link]" in redacted and "/t/[link]" in redacted
    plain = "GET /b/s/12/stelling/3 HTTP/1.1"
    assert redact(plain) == plain


def test_werkzeug_and_app_log_lines_are_redacted(app, client, school, create_survey,
                                                 caplog):
    survey = create_survey(school, team_link=True)
    token = links.new_token()
    db.session.add(Participant(survey=survey, email="y@linde.example",
                               token_hash=links.participant_hash(token)))
    db.session.commit()
    with caplog.at_level(logging.INFO):
        logging.getLogger("werkzeug").info('%s - - [%s] "%s" %s -', "127.0.0.1", "now",
                                           f"GET /b/{token} HTTP/1.1", 302)
        logging.getLogger("werkzeug").info(f'"GET /t/{survey.team_key} HTTP/1.1" 302')
        app.logger.error(f"Exception on /b/{token} [GET]")
    text = caplog.text + "\n".join(r.getMessage() for r in caplog.records)
    assert token not in text and survey.team_key not in text
    assert text.count("[link]") >= 3


def test_every_respondent_page_forbids_referrers(app, client, school, create_survey):
    survey = create_survey(school, team_link=True)
    token = links.new_token()
    db.session.add(Participant(survey=survey, email="z@linde.example",
                               token_hash=links.participant_hash(token)))
    db.session.commit()
    pages = [client.get(f"/b/{'x' * 43}"), client.get("/t/onbekend-team")]
    client.get(f"/b/{token}")
    pages.append(client.get(f"/b/s/{survey.id}/"))
    client.post(f"/b/s/{survey.id}/start")
    pages.append(client.get(f"/b/s/{survey.id}/groep"))
    client.post(f"/b/s/{survey.id}/groep", data={"functie": "zorg"})
    pages += [client.get(f"/b/s/{survey.id}/stelling/1"),
              client.get(f"/b/s/{survey.id}/opmerking/RE"),
              client.get(f"/b/s/{survey.id}/overzicht")]
    client.post(f"/b/s/{survey.id}/indienen")
    pages += [client.get(f"/b/s/{survey.id}/bedankt"), client.get(f"/b/{token}")]
    for page in pages:
        assert page.headers["Referrer-Policy"] == "no-referrer"
        assert '<meta name="referrer" content="no-referrer">' in page.get_data(
            as_text=True)
        assert token not in page.get_data(as_text=True)


def test_sqlite_keeps_no_hidden_insertion_order(app):
    """SQLite's implicit rowid would record who started answering first."""
    import sqlalchemy as sa

    from rok.extensions import db

    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite only: PostgreSQL has no rowid column")
    with db.engine.connect() as connection:
        for table in ("responses", "answers", "comments"):
            sql = connection.execute(sa.text(
                "SELECT sql FROM sqlite_master WHERE name = :t"), {"t": table}).scalar()
            assert "WITHOUT ROWID" in sql, table
            with pytest.raises(sa.exc.OperationalError):
                connection.execute(sa.text(f"SELECT rowid FROM {table}"))
