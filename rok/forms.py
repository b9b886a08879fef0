"""Shared form helpers."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import ValidationError


class ConfirmForm(FlaskForm):
    """An empty form: only the CSRF token, for buttons that change something."""


def no_control_characters(_form, field) -> None:
    """Refuse control characters (and bidi overrides) in single-line text."""
    value = field.data or ""
    for char in value:
        code = ord(char)
        if code < 32 or code == 127 or 0x202A <= code <= 0x202E or 0x2066 <= code <= 0x2069:
            raise ValidationError(_l("Dit veld bevat ongeldige tekens."))


def strip_filter(value):
    return value.strip() if isinstance(value, str) else value
