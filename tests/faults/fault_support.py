"""A scripted respondent for the fault tests: a ``requests`` session that answers a
survey through the real server, the way a phone with respond.js does."""

from __future__ import annotations

import re
import time
from collections.abc import Sequence

import requests

from tests.conftest import add_participants  # noqa: F401 (used by the fault tests)

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
TIMEOUT = 30


class Unavailable(Exception):
    """The server did not answer, or answered 429/5xx: worth trying again."""


def answer_for(seed: int, number: int) -> tuple[str, str]:
    """The (agreement, action) a respondent gives to statement ``number``."""
    mix = seed * 7 + number
    agreement = "nv" if mix % 9 == 0 else str(1 + mix % 4)
    return agreement, str(1 + (seed + number) % 4)


def stored(agreement: str, action: str) -> tuple[int | None, bool, int]:
    """How an answer looks in the answers table: (agreement, no_view, action)."""
    if agreement == "nv":
        return None, True, int(action)
    return int(agreement), False, int(action)


class Respondent:
    """One person on one device. ``bases`` are the server URLs the requests take
    turns on (one server, or several behind a load balancer)."""

    def __init__(self, bases: str | Sequence[str], survey_id: int, token: str) -> None:
        self.bases = [bases] if isinstance(bases, str) else list(bases)
        self.survey_id = survey_id
        self.token = token
        self.session = requests.Session()
        self.csrf: str | None = None
        self.turn = 0
        #: (method, path, status, server) of every response, redirects included.
        self.log: list[tuple[str, str, int, str]] = []

    @property
    def prefix(self) -> str:
        return f"/b/s/{self.survey_id}"

    def request(self, method: str, path: str, **kwargs) -> requests.Response:
        """One request on the next server in turn; raise :class:`Unavailable` when
        the server is down or answers 429/5xx."""
        base = self.bases[self.turn % len(self.bases)]
        self.turn += 1
        kwargs.setdefault("allow_redirects", False)
        try:
            response = self.session.request(method, base + path, timeout=TIMEOUT,
                                            **kwargs)
        except requests.RequestException as error:
            raise Unavailable(f"{method} {path}: {type(error).__name__}") from error
        for item in [*response.history, response]:
            self.log.append((method, path, item.status_code, base))
        if response.status_code == 429 or response.status_code >= 500:
            raise Unavailable(f"{method} {path}: {response.status_code}")
        return response

    def retrying(self, method: str, path: str, deadline: float, **kwargs):
        """:meth:`request`, tried again (with a growing pause) until ``deadline``."""
        delay = 0.2
        while True:
            try:
                return self.request(method, path, **kwargs)
            except Unavailable:
                if time.monotonic() + delay > deadline:
                    raise
                time.sleep(delay)
                delay = min(delay * 2, 2.0)

    def _expect(self, response: requests.Response, *codes: int) -> requests.Response:
        if response.status_code not in codes:
            raise AssertionError(f"{response.request.method} {response.url}: "
                                 f"{response.status_code} {response.text[:300]}")
        return response

    def _keep_csrf(self, response: requests.Response) -> None:
        match = CSRF.search(response.text)
        if match:
            self.csrf = match.group(1)

    # --- the steps of answering ------------------------------------------------------

    def open_link(self, deadline: float | None = None) -> requests.Response:
        """Open the personal link and land on the intro (or the resume page)."""
        call = self.request if deadline is None else (
            lambda *a, **k: self.retrying(*a, deadline=deadline, **k))
        self._expect(call("GET", f"/b/{self.token}"), 302)
        page = call("GET", self.prefix + "/", allow_redirects=True)
        self._expect(page, 200)
        self._keep_csrf(page)
        return page

    def start(self, deadline: float | None = None) -> requests.Response:
        call = self.request if deadline is None else (
            lambda *a, **k: self.retrying(*a, deadline=deadline, **k))
        return self._expect(call("POST", self.prefix + "/start",
                                 data={"csrf_token": self.csrf}), 302)

    def save(self, statement_id: int, agreement: str, action: str) -> None:
        """Save one answer through the JSON endpoint (respond.js); return only when
        the server acknowledged it, raise :class:`Unavailable` otherwise."""
        response = self.request(
            "POST", self.prefix + "/opslaan",
            json={"statement": statement_id, "agreement": agreement, "action": action},
            headers={"X-CSRFToken": self.csrf, "Accept": "application/json"})
        self._expect(response, 200)
        body = response.json()
        if body != {"saved": True, "statement": statement_id}:
            raise AssertionError(f"unexpected save reply {body}")

    def answer_card(self, number: int, agreement: str, action: str) -> None:
        """Answer statement ``number`` with the plain form (no JavaScript)."""
        response = self.request(
            "POST", f"{self.prefix}/stelling/{number}",
            data={"csrf_token": self.csrf, "agreement": agreement, "action": action,
                  "nav": "next"})
        self._expect(response, 302)

    def review(self) -> requests.Response:
        page = self._expect(self.request("GET", self.prefix + "/overzicht"), 200)
        self._keep_csrf(page)
        return page

    def submit(self) -> None:
        response = self.request("POST", self.prefix + "/indienen",
                                data={"csrf_token": self.csrf})
        self._expect(response, 302)
        assert response.headers["Location"].endswith(self.prefix + "/bedankt")

    def close(self) -> None:
        self.session.close()
