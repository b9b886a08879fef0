"""Links that respondents open: the personal link and the team link.

The answering side registers ``respond.personal`` (``/b/<token>``) and
``respond.team_start`` (``/t/<team_key>``); until it does, the literal paths are
used, so mails and QR codes made now stay valid.
"""

from __future__ import annotations

from flask import current_app, has_request_context, request

from rok.urls import external_url


def _link(endpoint: str, argument: str, value: str, literal: str) -> str:
    if endpoint in current_app.view_functions:
        return external_url(endpoint, **{argument: value})
    if has_request_context():
        base = request.host_url
    else:
        base = current_app.config["BASE_URL"]
    return base.rstrip("/") + literal


def personal_url(token: str) -> str:
    """Return the absolute personal answering link for a token."""
    return _link("respond.personal", "token", token, f"/b/{token}")


def team_url(team_key: str) -> str:
    """Return the absolute open team link."""
    return _link("respond.team_start", "team_key", team_key, f"/t/{team_key}")
