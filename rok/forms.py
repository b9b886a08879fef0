"""Shared form helpers."""

import re

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import ValidationError


class ConfirmForm(FlaskForm):
    """An empty form: only the CSRF token, for buttons that change something."""


#: Control characters and bidi overrides: never meant in a single line of text.
UNWANTED_IN_LINE = re.compile("[\x00-\x1f\x7f\u202a-\u202e\u2066-\u2069]")
#: The same but for tab and line breaks, in multi-line text (PostgreSQL would not
#: even store a NUL).
UNWANTED_IN_TEXT = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u202a-\u202e\u2066-\u2069]")


def no_control_characters(_form, field) -> None:
    """Refuse control characters (and bidi overrides) in single-line text."""
    if UNWANTED_IN_LINE.search(field.data or ""):
        raise ValidationError(_l("Dit veld bevat ongeldige tekens."))


def no_control_characters_in_text(_form, field) -> None:
    """Refuse control characters but tabs and line breaks (and bidi overrides) in
    multi-line text."""
    if UNWANTED_IN_TEXT.search(field.data or ""):
        raise ValidationError(_l("Dit veld bevat ongeldige tekens."))


def strip_filter(value):
    return value.strip() if isinstance(value, str) else value


def accepts_json(view):
    """Mark a view that reads a JSON body; every other view refuses JSON (415)."""
    view.accepts_json = True
    return view


def refuse_json_for_forms(app) -> None:
    """Answer JSON sent to a form endpoint with a clear 415 instead of a crash.

    Flask-WTF would feed a JSON body to the form as if it were form data; a list,
    a number or nested objects would then break the fields.
    """
    from flask import abort, request

    @app.before_request
    def _refuse_json():
        if request.method in {"GET", "HEAD", "OPTIONS"} or not request.is_json:
            return None
        view = app.view_functions.get(request.endpoint)
        if view is not None and not getattr(view, "accepts_json", False):
            abort(415)
        return None
