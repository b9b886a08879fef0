"""``flask rok backup`` while people are answering: the copy is consistent.

A writer keeps saving answers through the real server while the operator's backup
command runs in its own process (as cron would run it). The copy must open, pass the
database's own integrity checks and hold a moment of the database: its answer count
lies between the count before and the count after the backup. On PostgreSQL the
``pg_dump`` archive must restore into a fresh database.
"""

from __future__ import annotations

import os
import secrets
import shutil
import sqlite3
import subprocess
import sys
import threading
import time

import psycopg
import pytest
import sqlalchemy as sa
from fault_support import Respondent, add_participants, answer_for

from rok.extensions import db
from rok.surveys.models import Answer
from tests.live import ROOT

PEOPLE = 40
STATEMENTS = 25


class Writer(threading.Thread):
    """Answer statement after statement, person after person, until stopped."""

    def __init__(self, base: str, survey_id: int, tokens: list[str],
                 statement_ids: list[int]) -> None:
        super().__init__(daemon=True)
        self.base, self.survey_id = base, survey_id
        self.tokens, self.statement_ids = tokens, statement_ids
        self.stop = threading.Event()
        self.saved = 0
        self.error: str | None = None

    def run(self) -> None:
        try:
            for seed, token in enumerate(self.tokens):
                person = Respondent(self.base, self.survey_id, token)
                person.open_link()
                person.start()
                for number, statement_id in enumerate(self.statement_ids, 1):
                    if self.stop.is_set():
                        return
                    person.save(statement_id, *answer_for(seed, number))
                    self.saved += 1
                    time.sleep(0.005)
                person.close()
        except Exception as error:  # noqa: BLE001 - reported by the test
            self.error = repr(error)


def answer_count() -> int:
    db.session.rollback()  # a fresh look at what the server committed
    return db.session.scalar(sa.select(sa.func.count()).select_from(Answer))


def run_backup(database_url: str, target) -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": database_url, "ROK_ENV": "development",
           "SECRET_KEY": "backup-test-secret-key-0123456789abcdef"}
    command = [sys.executable, "-m", "flask", "--app", "wsgi", "rok", "backup",
               str(target)]
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=60)


def backup_while_writing(start_server, database_url, school, create_survey, target):
    """Run the backup in the middle of a stream of saves; return the answer counts
    (before, after) around it."""
    server = start_server("backup-writes")
    survey = create_survey(school, statements=STATEMENTS)
    tokens = add_participants(survey, PEOPLE)
    writer = Writer(server.url, survey.id, tokens, [s.id for s in survey.statements])
    writer.start()
    try:
        deadline = time.monotonic() + 30
        while answer_count() < 20 and time.monotonic() < deadline:
            time.sleep(0.05)
        before = answer_count()
        result = run_backup(database_url, target)
        after = answer_count()
    finally:
        writer.stop.set()
        writer.join(timeout=30)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"Backup written to {target}" in result.stdout
    assert writer.error is None
    assert 20 <= before < after  # the backup really ran while answers came in
    return before, after


@pytest.mark.slow
def test_backup_during_writes_is_a_consistent_copy(
        start_server, database_url, school, create_survey, tmp_path):
    if database_url.startswith("sqlite"):
        target = tmp_path / "copy.sqlite"
        before, after = backup_while_writing(start_server, database_url, school,
                                             create_survey, target)
        copy = sqlite3.connect(f"file:{target}?mode=ro", uri=True)
        try:
            assert copy.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
            assert copy.execute("PRAGMA foreign_key_check").fetchall() == []
            copied = copy.execute("SELECT count(*) FROM answers").fetchone()[0]
            drafts = copy.execute("SELECT count(*) FROM responses").fetchone()[0]
        finally:
            copy.close()
    else:
        target = tmp_path / "copy.dump"
        before, after = backup_while_writing(start_server, database_url, school,
                                             create_survey, target)
        copied, drafts = restore_and_count(database_url, target)
    print(f"\nanswers before {before}, in the copy {copied}, after {after} "
          f"({drafts} drafts) on {db.engine.dialect.name}")
    assert before <= copied <= after
    assert 1 <= drafts <= PEOPLE


def restore_and_count(database_url: str, archive) -> tuple[int, int]:
    """Check the pg_dump archive's table of contents, restore it into a fresh
    database (dropped afterwards) and count its answers and drafts there."""
    if shutil.which("pg_restore") is None:
        pytest.fail("pg_restore is needed to check PostgreSQL backups")
    listing = subprocess.run(["pg_restore", "--list", str(archive)],
                             capture_output=True, text=True, check=True).stdout
    for table in ("answers", "responses", "surveys", "participants"):
        assert f"TABLE DATA public {table}" in listing, listing

    url = sa.make_url(database_url)
    name = f"rok_restore_{secrets.token_hex(4)}"
    server = url.set(drivername="postgresql", database="postgres")
    admin = server.render_as_string(hide_password=False)
    restored = url.set(drivername="postgresql", database=name)
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        env = dict(os.environ)
        if url.password:
            env["PGPASSWORD"] = url.password
        result = subprocess.run(
            ["pg_restore", "--no-owner", "--exit-on-error",
             "--dbname", restored.set(password=None).render_as_string(), str(archive)],
            env=env, capture_output=True, text=True, timeout=60)
        assert result.returncode == 0, result.stderr
        with psycopg.connect(restored.render_as_string(hide_password=False)) as copy:
            copied = copy.execute("SELECT count(*) FROM answers").fetchone()[0]
            drafts = copy.execute("SELECT count(*) FROM responses").fetchone()[0]
            orphans = copy.execute(
                "SELECT count(*) FROM answers a LEFT JOIN responses r "
                "ON r.id = a.response_id WHERE r.id IS NULL").fetchone()[0]
        assert orphans == 0
        return copied, drafts
    finally:
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
