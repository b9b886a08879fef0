"""Spreadsheet safety shared by imports and exports (formula injection)."""

from typing import Any

#: A cell starting with one of these would be read as a formula by spreadsheets.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def is_formula(text: str) -> bool:
    return text.startswith(FORMULA_STARTS)


def neutralise(value: Any) -> Any:
    """Return ``value`` safe for a spreadsheet cell.

    Text that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return
    gets a leading apostrophe, so a spreadsheet shows it as text instead of
    running it as a formula. Numbers are left alone (they are written by rOK
    itself, never by a user, and a negative number is no formula).
    """
    if isinstance(value, str) and is_formula(value):
        return "'" + value
    return value
