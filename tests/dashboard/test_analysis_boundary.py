"""The analysis modules stay pure: no Flask, no database, no other rok module."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import rok.dashboard

ALLOWED = {
    "pandas",
    "numpy",
    "math",
    "statistics",
    "dataclasses",
    "typing",
    "collections",
    "itertools",
    "functools",
    "enum",
    "__future__",
    "rok.dashboard.disclosure",
    "rok.dashboard.analysis",
}
PACKAGE = Path(rok.dashboard.__file__).parent
MODULES = ["analysis.py", "disclosure.py"]


def imported_modules(source: str) -> list[str]:
    """Return every module an import statement in ``source`` names."""
    names = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: resolve against rok.dashboard
                base = "rok.dashboard" if node.level == 1 else "rok"
                names.append(f"{base}.{node.module}" if node.module else base)
            else:
                names.append(node.module or "")
        elif (
            isinstance(node, ast.Call) and getattr(node.func, "id", "") == "__import__"
        ):
            names.append("<dynamic __import__>")
    return names


def allowed(name: str) -> bool:
    return any(name == ok or name.startswith(ok + ".") for ok in ALLOWED)


@pytest.mark.parametrize("module", MODULES)
def test_analysis_module_imports_only_pandas_numpy_and_the_standard_library(module):
    source = (PACKAGE / module).read_text(encoding="utf-8")
    forbidden = [name for name in imported_modules(source) if not allowed(name)]
    assert forbidden == [], f"{module} imports {forbidden}"


@pytest.mark.parametrize(
    ("source", "bad"),
    [
        ("import flask", ["flask"]),
        ("from sqlalchemy import select", ["sqlalchemy"]),
        ("from rok.extensions import db", ["rok.extensions"]),
        ("from . import views", ["rok.dashboard"]),
        ("from .data import load", ["rok.dashboard.data"]),
        ("import importlib", ["importlib"]),
        ("__import__('flask')", ["<dynamic __import__>"]),
        ("from collections.abc import Mapping", []),
    ],
)
def test_boundary_check_catches_forbidden_imports(source, bad):
    assert [n for n in imported_modules(source) if not allowed(n)] == bad
