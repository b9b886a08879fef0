"""The baseline: a minimal Flask app that inserts one row per request.

It writes to the same database file as rOK (same SQLite settings: WAL, synchronous
NORMAL, busy timeout), so the ratio rOK / baseline shows what rOK's own work costs.
"""

import os
import sqlite3

from flask import Flask, request

app = Flask(__name__)
PATH = os.environ["BASELINE_SQLITE_PATH"]


def _connect() -> sqlite3.Connection:
    connection = sqlite3.connect(PATH, timeout=10, isolation_level=None)
    connection.execute("PRAGMA journal_mode = WAL")
    connection.execute("PRAGMA synchronous = NORMAL")
    connection.execute("PRAGMA busy_timeout = 10000")
    return connection


with _connect() as _setup:
    _setup.execute(
        "CREATE TABLE IF NOT EXISTS baseline_answers "
        "(id INTEGER PRIMARY KEY, statement INTEGER, agreement INTEGER)"
    )


@app.get("/")
def ready():
    return "ok"


@app.post("/save")
def save():
    data = request.get_json()
    connection = _connect()
    try:
        connection.execute("BEGIN IMMEDIATE")
        connection.execute(
            "INSERT INTO baseline_answers (statement, agreement) VALUES (?, ?)",
            (data["statement"], data["agreement"]),
        )
        connection.execute("COMMIT")
    finally:
        connection.close()
    return {"saved": True}
