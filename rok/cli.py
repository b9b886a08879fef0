"""Operator commands, grouped under ``flask --app wsgi rok …``.

Each command is a thin wrapper over a service function.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
from datetime import UTC, datetime

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import func, select

from rok.extensions import db

rok_cli = AppGroup("rok", help="rOK operator commands.")


@rok_cli.command("create-admin")
@click.option("--email", prompt=True, help="E-mail address of the platform admin.")
@click.option("--name", default="", help="Display name.")
@click.password_option(help="Password (at least 10 characters).")
def create_admin(email: str, name: str, password: str) -> None:
    """Create a platform admin account (or make an existing user one)."""
    from rok.accounts import services
    from rok.accounts.passwords import MIN_LENGTH

    if len(password) < MIN_LENGTH:
        raise click.ClickException(f"The password needs at least {MIN_LENGTH} characters.")
    user = services.find_user(email)
    if user is None:
        try:
            user = services.create_user(email, name, password)
        except services.AccountError as error:
            raise click.ClickException(str(error)) from error
    else:
        services.set_password(user, password)
    user.is_platform_admin = True
    db.session.commit()
    click.echo(f"Platform admin ready: {user.email}")


@rok_cli.command("demo")
@click.option("--force", is_flag=True, help="Also when the database is not empty.")
def demo(force: bool) -> None:
    """Add a demo school with users for every role and print the log-ins."""
    from rok.accounts.models import School
    from rok.demo import DEMO_LOGINS, create_demo

    if current_app.config["ROK_ENV"] == "production" and not force:
        raise click.ClickException("Refusing to add demo data in production (use --force).")
    has_schools = db.session.scalar(select(func.count()).select_from(School))
    if has_schools and not force:
        click.echo("The database already holds schools; no demo data added.")
    else:
        create_demo()
        db.session.commit()
        click.echo("Demo data added.")
    click.echo("Demo log-ins:")
    for role, email, password in DEMO_LOGINS:
        click.echo(f"  {role:<22} {email:<32} {password}")


@rok_cli.command("send-mail")
@click.option("--limit", default=500, show_default=True, help="Mails per run.")
def send_mail(limit: int) -> None:
    """Deliver the mail outbox over SMTP (MAIL_SERVER, MAIL_PORT, …)."""
    from rok.mail import send_pending

    try:
        sent, failed = send_pending(limit)
    except RuntimeError as error:
        raise click.ClickException(str(error)) from error
    except OSError as error:
        raise click.ClickException(f"Cannot reach the mail server: {error}") from error
    click.echo(f"Sent {sent} mail(s), {failed} failed (kept for a next try).")


@rok_cli.command("backup")
@click.argument("target", required=False)
def backup(target: str | None) -> None:
    """Write a consistent copy of the database (SQLite file or pg_dump archive)."""
    url = db.engine.url
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    if url.get_backend_name() == "sqlite":
        target = target or os.path.join(current_app.instance_path, f"backup-{stamp}.sqlite")
        source = sqlite3.connect(url.database)
        try:
            destination = sqlite3.connect(target)
            with destination:
                source.backup(destination)
            destination.close()
        finally:
            source.close()
    else:
        target = target or os.path.join(current_app.instance_path, f"backup-{stamp}.dump")
        env = dict(os.environ)
        if url.password:
            env["PGPASSWORD"] = url.password
        command = ["pg_dump", "--format=custom", "--file", target,
                   "--host", url.host or "localhost", "--port", str(url.port or 5432),
                   "--username", url.username or "postgres", url.database or ""]
        result = subprocess.run(command, env=env, capture_output=True, text=True)
        if result.returncode != 0:
            raise click.ClickException(f"pg_dump failed: {result.stderr.strip()}")
    click.echo(f"Backup written to {target}")
