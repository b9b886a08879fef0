"""The ``flask rok …`` operator commands."""

import shutil
import sqlite3
import subprocess

import pytest

from rok.accounts.models import Membership, School, User
from rok.extensions import db
from rok.mail import OutboxMessage, queue_mail


def test_create_admin_makes_platform_admin(runner):
    result = runner.invoke(args=["rok", "create-admin", "--email", "root@rok.example",
                                 "--name", "Root", "--password", "a-long-password"])
    assert result.exit_code == 0, result.output
    user = db.session.scalar(db.select(User).where(User.email == "root@rok.example"))
    assert user.is_platform_admin


def test_create_admin_refuses_short_password(runner):
    result = runner.invoke(args=["rok", "create-admin", "--email", "root@rok.example",
                                 "--password", "short"])
    assert result.exit_code != 0
    assert "10 characters" in result.output


def test_demo_prints_working_logins(runner, client):
    result = runner.invoke(args=["rok", "demo"])
    assert result.exit_code == 0, result.output
    assert "directeur@demo.rok.example" in result.output
    assert db.session.scalar(db.select(db.func.count()).select_from(School)) == 1
    assert db.session.scalar(db.select(db.func.count()).select_from(Membership)) == 3
    response = client.post("/aanmelden", data={"email": "directeur@demo.rok.example",
                                               "password": "demo-wachtwoord"})
    assert response.status_code == 302
    again = runner.invoke(args=["rok", "demo"])
    assert "already holds schools" in again.output
    assert db.session.scalar(db.select(db.func.count()).select_from(School)) == 1


def test_send_mail_delivers_outbox_to_smtp(runner, smtp_server):
    queue_mail("iemand@school.example", "Onderwerp", "Tekst met é")
    db.session.commit()
    result = runner.invoke(args=["rok", "send-mail"])
    assert result.exit_code == 0, result.output
    assert "Sent 1 mail(s), 0 failed" in result.output
    assert smtp_server.messages[0]["Subject"] == "Onderwerp"
    assert "Tekst met é" in smtp_server.messages[0].get_content()
    assert db.session.scalars(db.select(OutboxMessage)).one().sent_at is not None
    second = runner.invoke(args=["rok", "send-mail"])
    assert "Sent 0 mail(s)" in second.output
    assert len(smtp_server.messages) == 1


def test_send_mail_without_server_keeps_mail(runner, app):
    app.config["MAIL_SERVER"] = None
    queue_mail("iemand@school.example", "Onderwerp", "Tekst")
    db.session.commit()
    result = runner.invoke(args=["rok", "send-mail"])
    assert result.exit_code != 0
    assert "MAIL_SERVER is not configured" in result.output


def test_backup_writes_a_consistent_copy(runner, app, tmp_path, create_school):
    create_school("Back-upschool")
    target = tmp_path / "copy.backup"
    result = runner.invoke(args=["rok", "backup", str(target)])
    assert result.exit_code == 0, result.output
    if db.engine.dialect.name == "sqlite":
        with sqlite3.connect(target) as connection:
            names = [row[0] for row in connection.execute("SELECT name FROM schools")]
        assert names == ["Back-upschool"]
    else:
        if shutil.which("pg_restore") is None:
            pytest.fail("pg_restore is needed to check PostgreSQL backups")
        listing = subprocess.run(["pg_restore", "--list", str(target)],
                                 capture_output=True, text=True, check=True).stdout
        assert "TABLE DATA public schools" in listing
