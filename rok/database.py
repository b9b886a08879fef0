"""Engine tuning: SQLite gets WAL, a busy timeout and enforced foreign keys."""

import sqlite3
import time

from flask import Flask, g, has_request_context, request
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError

from rok.extensions import db


def init_app(app: Flask) -> None:
    with app.app_context():
        engine = db.engine
    if engine.dialect.name == "sqlite":
        timeout_ms = int(app.config["SQLITE_BUSY_TIMEOUT_MS"])
        _tune_sqlite(engine, timeout_ms)


def _tune_sqlite(engine: Engine, timeout_ms: int) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):  # pragma: no cover - trivial
        # Let SQLAlchemy manage transactions, but begin them ourselves so that a
        # write transaction takes the lock up front (no deadlocked upgrades).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {timeout_ms}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):  # pragma: no cover - trivial
        connection = conn.connection.driver_connection
        if _writing():
            _begin_immediate(connection, timeout_ms)
        else:
            connection.execute("BEGIN")  # takes no lock: it cannot be busy


def _begin_immediate(connection: sqlite3.Connection, timeout_ms: int) -> None:
    """Take SQLite's write lock, trying again every few tenths of a millisecond.

    Another writer holds the lock for about a tenth of a millisecond per answer,
    but SQLite's own busy handler sleeps 1 ms, then 2, 5, 10 ms…: in a staff
    meeting's burst one write in sixteen slept a millisecond it did not need. This
    loop waits at most the same busy timeout, then fails like SQLite would (an
    OperationalError, which the app answers with 503 "try again").
    """
    deadline = time.monotonic() + timeout_ms / 1000
    delay = 0.0002
    connection.execute("PRAGMA busy_timeout = 0")
    try:
        while True:
            try:
                connection.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as error:
                busy = error.sqlite_errorcode == sqlite3.SQLITE_BUSY
                if not busy or time.monotonic() + delay > deadline:
                    raise OperationalError("BEGIN IMMEDIATE", (), error) from error
            time.sleep(delay)
            delay = min(delay * 2, 0.005)
    finally:
        connection.execute(f"PRAGMA busy_timeout = {timeout_ms}")


def _writing() -> bool:
    """Tell whether the current transaction belongs to a request that may write.

    A write request takes SQLite's write lock when its transaction starts, so it
    waits its turn (busy timeout) instead of failing when a read transaction would
    have to be upgraded after another writer committed. A hot path that separates
    its reads from its one write uses :func:`read_phase` and :func:`write_phase` to
    hold the lock only for the write.
    """
    if not has_request_context() or request.method in {"GET", "HEAD", "OPTIONS"}:
        return False
    return not g.get("rok_reads_without_lock", False)


def read_phase() -> None:
    """Let this request's next transactions read without taking SQLite's write lock."""
    g.rok_reads_without_lock = True


def write_phase() -> None:
    """End the read transaction; the next one takes the write lock at its start.

    Objects loaded so far stay usable (they are not expired), so the write that
    follows does not have to read them again while holding the lock.
    """
    session = db.session()
    if session.in_transaction():
        previous = session.expire_on_commit
        session.expire_on_commit = False
        try:
            session.commit()
        finally:
            session.expire_on_commit = previous
    g.rok_reads_without_lock = False
