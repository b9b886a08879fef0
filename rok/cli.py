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
        raise click.ClickException(
            f"The password needs at least {MIN_LENGTH} characters."
        )
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
    from rok.surveys.demo_data import TEAM_KEY as DEMO_TEAM_KEY

    if current_app.config["ROK_ENV"] == "production" and not force:
        raise click.ClickException(
            "Refusing to add demo data in production (use --force)."
        )
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
    click.echo("Answer the open demo survey yourself: "
               f"{current_app.config['BASE_URL']}/t/{DEMO_TEAM_KEY}")


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
        target = target or os.path.join(
            current_app.instance_path, f"backup-{stamp}.sqlite"
        )
        source = sqlite3.connect(url.database)
        try:
            destination = sqlite3.connect(target)
            with destination:
                source.backup(destination)
            destination.close()
        finally:
            source.close()
    else:
        target = target or os.path.join(
            current_app.instance_path, f"backup-{stamp}.dump"
        )
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


# --- the statement bank ------------------------------------------------------------

bank_cli = AppGroup("bank", help="The OK-kader and the statement bank.")
rok_cli.add_command(bank_cli)


@bank_cli.command("load")
@click.option("--path", type=click.Path(exists=True, file_okay=False),
              help="Folder with frameworks/ and bank/v<n>/ (default: the package's).")
def bank_load(path: str | None) -> None:
    """Load or upgrade the frameworks and every bank version (idempotent)."""
    from rok.framework.bankdata import BankDataError
    from rok.framework.services import load_bank

    try:
        report = load_bank(path)
    except BankDataError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from error
    db.session.commit()
    click.echo(str(report))


@bank_cli.command("counts")
@click.option("--level", help="Only this education level (bao, bubao, so, buso, dko).")
@click.option("--version", "version_number", type=int,
              help="Bank version (default: the latest).")
def bank_counts(level: str | None, version_number: int | None) -> None:
    """Print the number of statements per level, rubriek and expectation."""
    from rok.framework import services

    version = services.latest_version()
    if version_number is not None:
        version = next((v for v in services.versions()
                        if v.framework.code == services.DEFAULT_FRAMEWORK
                        and v.version == version_number), None)
    if version is None:
        raise click.ClickException(
            "No such bank version loaded (run 'flask rok bank load').")
    counts = services.counts(version)
    if level is not None and level not in counts:
        raise click.ClickException(
            f"Unknown level {level!r}; choose from {', '.join(counts)}.")
    click.echo(f"{version.title} (v{version.version}, {version.framework.code})")
    for code, c in counts.items():
        if level is not None and code != level:
            continue
        click.echo(f"\n{code} - {c.title}: {c.total} statements, {c.default} in the "
                   "default selection")
        for rubriek in version.framework.rubrieken:
            expectations = "  ".join(
                f"{e.code}:{c.by_expectation.get(e.code, 0)}"
                for e in _rubriek_expectations(rubriek))
            total = c.by_rubriek[rubriek.code]
            click.echo(f"  {rubriek.code:<3} {total:>3}   {expectations}")


def _rubriek_expectations(rubriek) -> list:
    return [e for area in rubriek.areas for e in area.expectations if not e.is_retired]


# --- surveys -----------------------------------------------------------------------


@rok_cli.command("purge")
@click.option("--days", type=int, default=None,
              help="Days after closing (default: PURGE_AFTER_DAYS).")
def purge(days: int | None) -> None:
    """Close surveys past their end date; delete addresses of long-closed ones."""
    from rok.accounts.models import utcnow
    from rok.surveys.manage.running import purge as purge_surveys

    after = current_app.config["PURGE_AFTER_DAYS"] if days is None else days
    if after < 0:
        raise click.ClickException("--days cannot be negative.")
    report = purge_surveys(utcnow(), after)
    db.session.commit()
    click.echo(f"Closed {report.closed} survey(s) past their end date.")
    click.echo(f"Purged {report.participants} participant address(es) of "
               f"{report.surveys} survey(s) closed more than {after} day(s) ago.")


# --- verwerken ---------------------------------------------------------------------


@rok_cli.command("review-reminders")
@click.option("--today", "today_text", default=None, metavar="YYYY-MM-DD",
              help="Act as if it were this day (default: today).")
def review_reminders(today_text: str | None) -> None:
    """Queue a mail for every action-plan goal whose review date has come."""
    from datetime import date

    from rok.processing.services import queue_review_reminders

    try:
        today = date.fromisoformat(today_text) if today_text else date.today()
    except ValueError as error:
        raise click.BadParameter("use YYYY-MM-DD", param_hint="--today") from error
    report = queue_review_reminders(today)
    db.session.commit()
    click.echo(f"Queued {report.mails} reminder mail(s) for {report.goals} goal(s); "
               "'flask rok send-mail' delivers them.")
