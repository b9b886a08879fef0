"""The mail outbox: mails are queued in the same transaction as their cause and
delivered later by ``flask rok send-mail``, so a failing mail server delays mail but
never loses it or breaks a request."""

from __future__ import annotations

import smtplib
import ssl
from datetime import datetime
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from flask import current_app
from sqlalchemy import ForeignKey, String, Text, select
from sqlalchemy.orm import Mapped, mapped_column

from rok.clock import utcnow
from rok.extensions import db

MAX_ATTEMPTS = 10
#: Mails that carry a personal answering link: their body is wiped once sent, and
#: reminder recipients (= who has not answered yet) are never shown in the outbox.
PERSONAL_LINK_KINDS = frozenset({"survey_invitation", "survey_reminder"})
HIDDEN_RECIPIENT_KINDS = frozenset({"survey_reminder"})
SCRUBBED_BODY = "[wiped after sending: this mail held a personal link]"


class OutboxMessage(db.Model):
    __tablename__ = "outbox_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The school the mail is about (lets the school see its own outbox).
    school_id: Mapped[int | None] = mapped_column(
        ForeignKey("schools.id", ondelete="CASCADE"), index=True
    )
    to_address: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(255))
    body: Mapped[str] = mapped_column(Text)
    #: What caused the mail, e.g. "password_reset", "team_invitation".
    kind: Mapped[str] = mapped_column(String(40), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(String(255))


def queue_mail(
    to: str, subject: str, body: str, *, kind: str = "", school_id: int | None = None
) -> OutboxMessage:
    """Add a mail to the outbox in the current transaction (flushes, never commits)."""
    message = OutboxMessage(
        to_address=to, subject=subject, body=body, kind=kind, school_id=school_id
    )
    db.session.add(message)
    db.session.flush()
    return message


def _smtp_connection() -> smtplib.SMTP:
    config = current_app.config
    timeout = config["MAIL_TIMEOUT"]
    if config["MAIL_USE_SSL"]:
        smtp: smtplib.SMTP = smtplib.SMTP_SSL(
            config["MAIL_SERVER"], config["MAIL_PORT"], timeout=timeout,
            context=ssl.create_default_context(),
        )
    else:
        smtp = smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=timeout)
        if config["MAIL_USE_TLS"]:
            smtp.starttls(context=ssl.create_default_context())
    if config["MAIL_USERNAME"]:
        smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"] or "")
    return smtp


def _as_email(message: OutboxMessage) -> EmailMessage:
    email = EmailMessage()
    email["From"] = current_app.config["MAIL_DEFAULT_SENDER"]
    email["To"] = message.to_address
    email["Subject"] = message.subject
    email["Date"] = formatdate(localtime=False)
    email["Message-ID"] = make_msgid(domain="rok.local")
    email.set_content(message.body)
    return email


def send_pending(limit: int = 500) -> tuple[int, int]:
    """Deliver unsent mails over SMTP; return (sent, failed). Commits per message."""
    if not current_app.config.get("MAIL_SERVER"):
        raise RuntimeError("MAIL_SERVER is not configured; the outbox keeps the mail.")
    pending = db.session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.sent_at.is_(None), OutboxMessage.attempts < MAX_ATTEMPTS)
        .order_by(OutboxMessage.id)
        .limit(limit)
    ).all()
    sent = failed = 0
    if not pending:
        return sent, failed
    smtp = _smtp_connection()
    try:
        for message in pending:
            message.attempts += 1
            try:
                smtp.send_message(_as_email(message))
            except (smtplib.SMTPException, OSError) as error:
                message.last_error = f"{type(error).__name__}: {error}"[:255]
                failed += 1
            else:
                message.sent_at = utcnow()
                message.last_error = None
                if message.kind in PERSONAL_LINK_KINDS:
                    message.body = SCRUBBED_BODY
                sent += 1
            db.session.commit()
    finally:
        try:
            smtp.quit()
        except (smtplib.SMTPException, OSError):
            pass
    return sent, failed
