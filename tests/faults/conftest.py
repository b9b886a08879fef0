"""Fixtures for the fault tests: real gunicorn servers on the test database."""

from __future__ import annotations

import pytest

from tests.live import LiveServer


@pytest.fixture
def start_server(app, database_url, tmp_path):
    """Start a real gunicorn server (tests/live.py) on the test database.

    ``start_server(name)`` returns a running :class:`LiveServer`; every server the
    test started is stopped afterwards, whatever happened.
    """
    servers: list[LiveServer] = []

    def _start(name: str = "server", **kwargs) -> LiveServer:
        server = LiveServer(database_url, tmp_path / f"{name}.log", **kwargs)
        servers.append(server)
        server.start()
        return server

    try:
        yield _start
    finally:
        for server in servers:
            server.stop()
