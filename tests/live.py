"""A real rOK server for end-to-end tests: gunicorn in a subprocess.

    from tests.live import live_server  # the fixture (import it in a conftest)

    def test_something(live_server):
        requests.get(live_server.url + "/")
        live_server.crash()      # SIGKILL the whole server (master and workers)
        live_server.start()      # and bring it back on the same port

The server runs ``python -m gunicorn -w 2 wsgi:app`` from the repository root with
``DATABASE_URL`` set to the test database (the ``database_url`` fixture, so the test
and the server share data; the ``app`` fixture empties the tables per test), a fixed
``SECRET_KEY`` and ``ROK_ENV=development``. Its output (access log included) goes to
a file that :attr:`LiveServer.log` reads. The fixture always stops the server.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SECRET_KEY = "live-test-secret-key-0123456789abcdef"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LiveServer:
    """Start, crash and restart a gunicorn server on a fixed port."""

    def __init__(self, database_url: str, log_path: Path, *, workers: int = 2,
                 port: int | None = None, env: dict | None = None) -> None:
        self.database_url = database_url
        self.port = port or free_port()
        self.workers = workers
        self.log_path = log_path
        self.extra_env = env or {}
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 30.0) -> None:
        """Start the server and wait until it answers."""
        if self.process is not None and self.process.poll() is None:
            raise RuntimeError("the live server is already running")
        env = {**os.environ, "DATABASE_URL": self.database_url,
               "SECRET_KEY": SECRET_KEY, "ROK_ENV": "development",
               "PYTHONUNBUFFERED": "1", **self.extra_env}
        env.pop("GUNICORN_CMD_ARGS", None)
        log = open(self.log_path, "ab")  # noqa: SIM115 - closed in stop()
        self._log_handle = log
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-w", str(self.workers),
             "-b", f"127.0.0.1:{self.port}", "--access-logfile", "-",
             "--graceful-timeout", "2", "--timeout", "60", "wsgi:app"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: crash() kills all of it
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the live server exited:\n{self.log[-3000:]}")
            try:
                with urllib.request.urlopen(self.url + "/static/css/rok.css",
                                            timeout=2) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"the live server did not answer in {timeout} s:\n"
                           f"{self.log[-3000:]}")

    def crash(self) -> None:
        """Kill the master and every worker at once with SIGKILL (no clean-up)."""
        if self.process is None:
            return
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.process.wait(timeout=10)
        self.process = None
        self._close_log()
        self._wait_port_free()

    def stop(self) -> None:
        """Stop the server gracefully (SIGTERM), or kill it when it hangs."""
        if self.process is not None:
            try:
                os.killpg(self.process.pid, signal.SIGTERM)
                self.process.wait(timeout=10)
            except ProcessLookupError:
                pass
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
            self.process = None
        self._close_log()

    def _close_log(self) -> None:
        handle = getattr(self, "_log_handle", None)
        if handle is not None:
            handle.close()
            self._log_handle = None

    def restart(self) -> None:
        self.stop()
        self.start()

    def _wait_port_free(self, timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", self.port)) != 0:
                    return
            time.sleep(0.05)

    @property
    def log(self) -> str:
        """Everything the server wrote so far (access and error log)."""
        try:
            return self.log_path.read_text(errors="replace")
        except FileNotFoundError:
            return ""


@pytest.fixture
def live_server(app, database_url, tmp_path):
    """A running gunicorn server on the test database; stopped after the test."""
    server = LiveServer(database_url, tmp_path / "live-server.log")
    server.start()
    try:
        yield server
    finally:
        server.stop()
