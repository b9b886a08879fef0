"""Time helpers: naive UTC timestamps, as stored in the database."""

from datetime import UTC, datetime


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)
