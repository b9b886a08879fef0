"""Read the framework and statement-bank files into frozen values and validate them.

Pure Python: no Flask, no database. The loader in :mod:`rok.framework.services`
writes what this module returns; the quality checks in :mod:`rok.framework.quality`
read it. Every structural problem is reported with the file and the item it is
about, all problems of a file at once, so that a data author can fix them in one go.

Layout under :data:`DATA_DIR`::

    frameworks/<code>.yaml             one framework (OK-kader, RclbK, …)
    bank/v<n>/bank.yaml                a bank version: metadata, scales, glossary
    bank/v<n>/statements/<level>.yaml  the statements written for one level
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import yaml

DATA_DIR = Path(__file__).parent / "data"
FRAMEWORKS_DIR = DATA_DIR / "frameworks"
BANK_DIR = DATA_DIR / "bank"

#: A statement key: lower-case letters, digits and dashes ("bao-R1-01" is lowered).
_KEY_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{0,63}$")
_CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$")
_VERSION_DIR_RE = re.compile(r"^v(\d+)$")
MAX_TEXT_LENGTH = 400


class BankDataError(ValueError):
    """The data files are structurally wrong; ``problems`` lists every finding."""

    def __init__(self, problems: Iterable[str]):
        self.problems = list(problems)
        super().__init__(
            f"{len(self.problems)} problem(s) in the bank data:\n  "
            + "\n  ".join(self.problems)
        )


# --- values --------------------------------------------------------------------


@dataclass(frozen=True)
class ExpectationData:
    code: str
    title: str
    explanation: str


@dataclass(frozen=True)
class AreaData:
    code: str
    title: str
    explanation: str
    expectations: tuple[ExpectationData, ...]


@dataclass(frozen=True)
class RubriekData:
    code: str
    title: str
    explanation: str
    areas: tuple[AreaData, ...]

    @property
    def expectations(self) -> tuple[ExpectationData, ...]:
        return tuple(e for area in self.areas for e in area.expectations)


@dataclass(frozen=True)
class QualityAreaData:
    code: str
    title: str
    explanation: str
    expectations: tuple[str, ...]


@dataclass(frozen=True)
class GlossaryEntry:
    term: str
    explanation: str


@dataclass(frozen=True)
class FrameworkData:
    code: str
    name: str
    version: str
    context_title: str
    context_explanation: str
    rubrieken: tuple[RubriekData, ...]
    quality_areas: tuple[QualityAreaData, ...]
    glossary: tuple[GlossaryEntry, ...] = ()

    @property
    def expectations(self) -> tuple[ExpectationData, ...]:
        """Return every expectation in framework order."""
        return tuple(e for r in self.rubrieken for e in r.expectations)

    def rubriek_of(self) -> dict[str, str]:
        """Map each expectation code to the code of its rubriek."""
        return {e.code: r.code for r in self.rubrieken for e in r.expectations}


@dataclass(frozen=True)
class LevelData:
    code: str
    title: str


@dataclass(frozen=True)
class ScalePoint:
    value: int
    label: str


@dataclass(frozen=True)
class ScaleData:
    title: str
    question: str
    points: tuple[ScalePoint, ...]
    optional: bool = False
    no_view_label: str | None = None


@dataclass(frozen=True)
class StatementData:
    #: Stable key, the YAML ``id``; the same key in a later version is the same
    #: statement (possibly reworded).
    id: str
    expectation: str
    levels: tuple[str, ...]
    default_for: tuple[str, ...]
    tags: tuple[str, ...]
    text: str
    #: File the statement was read from (for messages only).
    source: str = field(default="", compare=False)


@dataclass(frozen=True)
class BankData:
    version: int
    framework: str
    released: date
    title: str
    levels: tuple[LevelData, ...]
    scales: Mapping[str, ScaleData]
    glossary: tuple[GlossaryEntry, ...]
    statements: tuple[StatementData, ...]
    #: The raw ``scales`` mapping as written in bank.yaml (stored as JSON).
    raw_scales: Mapping[str, Any] = field(default_factory=dict, compare=False)

    @property
    def level_codes(self) -> tuple[str, ...]:
        return tuple(level.code for level in self.levels)

    def for_level(self, level: str) -> list[StatementData]:
        """Return the statements written for ``level``, in file order."""
        return [s for s in self.statements if level in s.levels]


# --- reading helpers -------------------------------------------------------------


class _Problems:
    """Collect problems while reading one file, prefixed with where they are."""

    def __init__(self, source: str):
        self.source = source
        self.items: list[str] = []

    def add(self, where: str, message: str) -> None:
        self.items.append(
            f"{self.source}: {where}: {message}"
            if where
            else f"{self.source}: {message}"
        )

    def text(self, mapping: Any, key: str, where: str, *, required: bool = True) -> str:
        value = mapping.get(key) if isinstance(mapping, dict) else None
        if value is None:
            if required:
                self.add(where, f"'{key}' is missing")
            return ""
        if not isinstance(value, str | int | float) or isinstance(value, bool):
            self.add(where, f"'{key}' must be text, not {type(value).__name__}")
            return ""
        text = " ".join(str(value).split())
        if required and not text:
            self.add(where, f"'{key}' is empty")
        return text

    def code(self, mapping: Any, key: str, where: str) -> str:
        value = self.text(mapping, key, where)
        if value and not _CODE_RE.match(value):
            self.add(where, f"'{key}' {value!r} is not a valid code")
        return value

    def items_of(self, mapping: Any, key: str, where: str) -> list:
        value = mapping.get(key) if isinstance(mapping, dict) else None
        if value is None:
            self.add(where, f"'{key}' is missing")
            return []
        if not isinstance(value, list):
            self.add(where, f"'{key}' must be a list")
            return []
        return value

    def codes(self, mapping: Any, key: str, where: str) -> tuple[str, ...]:
        values = self.items_of(mapping, key, where)
        result = []
        for value in values:
            if not isinstance(value, str) or not value.strip():
                self.add(where, f"'{key}' holds {value!r}, which is not a code")
            else:
                result.append(value.strip())
        return tuple(result)


#: libyaml's parser when PyYAML was built with it (about ten times faster).
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _read_yaml(path: Path) -> Any:
    try:
        with path.open(encoding="utf-8") as handle:
            return yaml.load(handle, Loader=_SAFE_LOADER)  # noqa: S506 - a safe loader
    except OSError as error:
        raise BankDataError([f"{path}: cannot be read ({error.strerror})"]) from error
    except yaml.YAMLError as error:
        raise BankDataError([f"{path}: is not valid YAML ({error})"]) from error


def _glossary(p: _Problems, raw: Any) -> tuple[GlossaryEntry, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        p.add("glossary", "must be a list")
        return ()
    entries, seen = [], set()
    for i, item in enumerate(raw, 1):
        where = f"glossary #{i}"
        term = p.text(item, "term", where)
        explanation = p.text(item, "explanation", where)
        if term.casefold() in seen:
            p.add(where, f"duplicate term {term!r}")
        seen.add(term.casefold())
        entries.append(GlossaryEntry(term, explanation))
    return tuple(entries)


# --- frameworks ----------------------------------------------------------------------


def parse_framework(raw: Any, source: str = "<framework>") -> FrameworkData:
    """Validate one framework's parsed YAML and return it as a value."""
    p = _Problems(source)
    if not isinstance(raw, dict):
        raise BankDataError([f"{source}: must be a mapping with code, name, rubrieken"])
    code = p.code(raw, "code", "")
    name = p.text(raw, "name", "")
    version = p.text(raw, "version", "")
    context = raw.get("context") or {}
    context_title = p.text(context, "title", "context", required=False)
    context_explanation = p.text(context, "explanation", "context", required=False)

    rubrieken, expectation_codes, area_codes, rubriek_codes = [], [], set(), set()
    for r_index, r_raw in enumerate(p.items_of(raw, "rubrieken", ""), 1):
        where = f"rubriek #{r_index}"
        r_code = p.code(r_raw, "code", where)
        if r_code in rubriek_codes:
            p.add(where, f"duplicate rubriek code {r_code!r}")
        rubriek_codes.add(r_code)
        areas = []
        for a_index, a_raw in enumerate(p.items_of(r_raw, "areas", where), 1):
            a_where = f"{where} ({r_code}), area #{a_index}"
            a_code = p.code(a_raw, "code", a_where)
            if a_code in area_codes:
                p.add(a_where, f"duplicate area code {a_code!r}")
            area_codes.add(a_code)
            expectations = []
            for e_index, e_raw in enumerate(
                p.items_of(a_raw, "expectations", a_where), 1
            ):
                e_where = f"{a_where} ({a_code}), expectation #{e_index}"
                e_code = p.code(e_raw, "code", e_where)
                if e_code in expectation_codes:
                    p.add(e_where, f"duplicate expectation code {e_code!r}")
                expectation_codes.append(e_code)
                expectations.append(
                    ExpectationData(
                        e_code,
                        p.text(e_raw, "title", e_where),
                        p.text(e_raw, "explanation", e_where, required=False),
                    )
                )
            if not expectations:
                p.add(a_where, "has no expectations")
            areas.append(
                AreaData(
                    a_code,
                    p.text(a_raw, "title", a_where),
                    p.text(a_raw, "explanation", a_where, required=False),
                    tuple(expectations),
                )
            )
        if not areas:
            p.add(where, "has no areas")
        rubrieken.append(
            RubriekData(
                r_code,
                p.text(r_raw, "title", where),
                p.text(r_raw, "explanation", where, required=False),
                tuple(areas),
            )
        )
    if not rubrieken:
        p.add("", "has no rubrieken")

    known = set(expectation_codes)
    quality_areas, qa_codes = [], set()
    for q_index, q_raw in enumerate(raw.get("quality_areas") or [], 1):
        where = f"quality area #{q_index}"
        q_code = p.code(q_raw, "code", where)
        if q_code in qa_codes:
            p.add(where, f"duplicate quality area code {q_code!r}")
        qa_codes.add(q_code)
        members = p.codes(q_raw, "expectations", where)
        for member in members:
            if member not in known:
                p.add(f"{where} ({q_code})", f"unknown expectation code {member!r}")
        if len(set(members)) != len(members):
            p.add(f"{where} ({q_code})", "lists an expectation twice")
        quality_areas.append(
            QualityAreaData(
                q_code,
                p.text(q_raw, "title", where),
                p.text(q_raw, "explanation", where, required=False),
                members,
            )
        )
    glossary = _glossary(p, raw.get("glossary"))
    if p.items:
        raise BankDataError(p.items)
    return FrameworkData(
        code,
        name,
        version,
        context_title,
        context_explanation,
        tuple(rubrieken),
        tuple(quality_areas),
        glossary,
    )


def read_framework(path: Path) -> FrameworkData:
    """Read and validate one framework file."""
    return parse_framework(_read_yaml(path), str(path))


def read_frameworks(directory: Path = FRAMEWORKS_DIR) -> dict[str, FrameworkData]:
    """Read every ``*.yaml`` framework in ``directory``, keyed by framework code."""
    frameworks: dict[str, FrameworkData] = {}
    problems = []
    for path in sorted(Path(directory).glob("*.yaml")):
        try:
            framework = read_framework(path)
        except BankDataError as error:
            problems.extend(error.problems)
            continue
        if framework.code in frameworks:
            problems.append(f"{path}: framework code {framework.code!r} used twice")
        frameworks[framework.code] = framework
    if problems:
        raise BankDataError(problems)
    if not frameworks:
        raise BankDataError([f"{directory}: no framework files (*.yaml) found"])
    return frameworks


# --- bank versions -------------------------------------------------------------------


def _scales(p: _Problems, raw: Any) -> dict[str, ScaleData]:
    if not isinstance(raw, dict) or not raw:
        p.add("scales", "must be a mapping of scales (agreement, action, …)")
        return {}
    scales = {}
    for name, s_raw in raw.items():
        where = f"scale {name!r}"
        points = []
        for i, point in enumerate(p.items_of(s_raw, "points", where), 1):
            value = point.get("value") if isinstance(point, dict) else None
            if not isinstance(value, int) or isinstance(value, bool):
                p.add(where, f"point #{i} needs an integer 'value'")
                continue
            points.append(
                ScalePoint(value, p.text(point, "label", f"{where} point {value}"))
            )
        values = [point.value for point in points]
        if values and values != list(range(1, len(values) + 1)):
            p.add(
                where, f"point values must be 1..{len(values)} in order, got {values}"
            )
        if s_raw and len(points) < 2:
            p.add(where, "needs at least two points")
        no_view = s_raw.get("no_view") if isinstance(s_raw, dict) else None
        optional = s_raw.get("optional", False) if isinstance(s_raw, dict) else False
        if not isinstance(optional, bool):
            p.add(where, "'optional' must be true or false")
            optional = False
        scales[str(name)] = ScaleData(
            p.text(s_raw, "title", where),
            p.text(s_raw, "question", where),
            tuple(points),
            optional,
            p.text(no_view, "label", f"{where} no_view")
            if no_view is not None
            else None,
        )
    if "agreement" not in scales:
        p.add("scales", "the 'agreement' scale is required")
    return scales


def _statement(p: _Problems, raw: Any, index: int, source: str) -> StatementData | None:
    where = f"statement #{index}"
    if not isinstance(raw, dict):
        p.add(where, "must be a mapping with id, expectation, levels, text")
        return None
    key = p.text(raw, "id", where)
    if key and not _KEY_RE.match(key):
        p.add(where, f"id {key!r} may only hold letters, digits and dashes (max. 64)")
    where = f"statement {key or '#' + str(index)}"
    text = p.text(raw, "text", where)
    if len(text) > MAX_TEXT_LENGTH:
        p.add(where, f"text is longer than {MAX_TEXT_LENGTH} characters")
    tags = p.codes(raw, "tags", where) if "tags" in raw else ()
    default_for = p.codes(raw, "default_for", where) if "default_for" in raw else ()
    return StatementData(
        id=key,
        expectation=p.text(raw, "expectation", where),
        levels=p.codes(raw, "levels", where),
        default_for=default_for,
        tags=tags,
        text=text,
        source=source,
    )


def parse_bank(
    meta: Any,
    statement_files: Mapping[str, Any],
    frameworks: Mapping[str, FrameworkData],
    source: str = "<bank>",
) -> BankData:
    """Validate a bank version's metadata and statement files and return it.

    ``statement_files`` maps a level code (the file's stem) to its parsed YAML.
    """
    p = _Problems(source)
    if not isinstance(meta, dict):
        raise BankDataError([f"{source}/bank.yaml: must be a mapping"])
    version = meta.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        p.add("bank.yaml", "'version' must be a whole number of 1 or more")
        version = 0
    framework_code = p.text(meta, "framework", "bank.yaml")
    framework = frameworks.get(framework_code)
    if framework_code and framework is None:
        p.add(
            "bank.yaml",
            f"unknown framework {framework_code!r} "
            f"(known: {', '.join(sorted(frameworks)) or 'none'})",
        )
    released = meta.get("released")
    if isinstance(released, str):
        try:
            released = date.fromisoformat(released)
        except ValueError:
            released = None
    if not isinstance(released, date):
        p.add("bank.yaml", "'released' must be a date (YYYY-MM-DD)")
        released = date.min
    title = p.text(meta, "title", "bank.yaml")

    levels, level_codes = [], []
    for i, raw in enumerate(p.items_of(meta, "levels", "bank.yaml"), 1):
        code = p.code(raw, "code", f"bank.yaml level #{i}")
        if code in level_codes:
            p.add("bank.yaml", f"level {code!r} listed twice")
        level_codes.append(code)
        levels.append(LevelData(code, p.text(raw, "title", f"bank.yaml level {code}")))
    raw_scales = meta.get("scales")
    scales = _scales(p, raw_scales)
    glossary = _glossary(p, meta.get("glossary"))

    known_expectations = (
        {e.code for e in framework.expectations} if framework else set()
    )
    statements: list[StatementData] = []
    seen: dict[str, str] = {}
    for level, raw in sorted(statement_files.items()):
        name = f"statements/{level}.yaml"
        sp = _Problems(f"{source}/{name}")
        if level not in level_codes:
            sp.add("", f"file is named after unknown level {level!r}")
        if raw is None:
            raw = []
        if not isinstance(raw, list):
            sp.add("", "must be a list of statements")
            raw = []
        for index, item in enumerate(raw, 1):
            statement = _statement(sp, item, index, name)
            if statement is None:
                continue
            where = f"statement {statement.id}"
            if statement.id in seen:
                sp.add(where, f"duplicate id (also in {seen[statement.id]})")
            seen[statement.id] = name
            if framework and statement.expectation not in known_expectations:
                sp.add(where, f"unknown expectation code {statement.expectation!r}")
            if not statement.levels:
                sp.add(where, "lists no levels")
            for code in statement.levels:
                if code not in level_codes:
                    sp.add(where, f"unknown level {code!r}")
            if (
                level in level_codes
                and statement.levels
                and level not in statement.levels
            ):
                sp.add(where, f"is in {name} but does not list level {level!r}")
            for code in statement.default_for:
                if code not in statement.levels:
                    sp.add(where, f"default_for {code!r} is not one of its levels")
            statements.append(statement)
        p.items.extend(sp.items)
    if not statements:
        p.add("statements", "no statements found")
    if p.items:
        raise BankDataError(p.items)
    return BankData(
        version,
        framework_code,
        released,
        title,
        tuple(levels),
        scales,
        glossary,
        tuple(statements),
        raw_scales=raw_scales,
    )


def read_bank(directory: Path, frameworks: Mapping[str, FrameworkData]) -> BankData:
    """Read and validate one bank version directory (``bank/v<n>``)."""
    directory = Path(directory)
    meta = _read_yaml(directory / "bank.yaml")
    files = {
        path.stem: _read_yaml(path)
        for path in sorted((directory / "statements").glob("*.yaml"))
    }
    bank = parse_bank(meta, files, frameworks, str(directory))
    match = _VERSION_DIR_RE.match(directory.name)
    if match and int(match.group(1)) != bank.version:
        raise BankDataError(
            [
                f"{directory}: folder says version {match.group(1)} "
                f"but bank.yaml says version {bank.version}"
            ]
        )
    return bank


def bank_dirs(root: Path = BANK_DIR) -> list[Path]:
    """Return the ``v<n>`` folders under ``root``, oldest version first."""
    found = [
        (int(m.group(1)), path)
        for path in Path(root).iterdir()
        if path.is_dir() and (m := _VERSION_DIR_RE.match(path.name))
    ]
    return [path for _, path in sorted(found)]


def read_banks(root: Path, frameworks: Mapping[str, FrameworkData]) -> list[BankData]:
    """Read every bank version under ``root``, oldest first, reporting all problems."""
    banks, problems = [], []
    for directory in bank_dirs(root):
        try:
            banks.append(read_bank(directory, frameworks))
        except BankDataError as error:
            problems.extend(error.problems)
    seen = set()
    for bank in banks:
        if (bank.framework, bank.version) in seen:
            problems.append(f"{root}: version {bank.version} of {bank.framework} twice")
        seen.add((bank.framework, bank.version))
    if problems:
        raise BankDataError(problems)
    return banks


# --- comparing versions --------------------------------------------------------


@dataclass(frozen=True)
class StatementChange:
    key: str
    old_text: str
    new_text: str


@dataclass(frozen=True)
class VersionDiff:
    """What changed between two versions' statements, keyed by stable id."""

    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    reworded: tuple[StatementChange, ...] = ()
    #: Keys whose expectation, levels, default selection or tags changed.
    reclassified: tuple[str, ...] = ()

    @property
    def is_empty(self) -> bool:
        return not (self.added or self.removed or self.reworded or self.reclassified)


def diff_statements(
    old: Mapping[str, Mapping], new: Mapping[str, Mapping]
) -> VersionDiff:
    """Compare two versions given as ``key -> {text, expectation, levels, …}``."""
    added = tuple(k for k in new if k not in old)
    removed = tuple(k for k in old if k not in new)
    reworded, reclassified = [], []
    for key in new:
        if key not in old:
            continue
        before, after = old[key], new[key]
        if before["text"] != after["text"]:
            reworded.append(StatementChange(key, before["text"], after["text"]))
        if any(
            before.get(f) != after.get(f)
            for f in ("expectation", "levels", "default_for", "tags")
        ):
            reclassified.append(key)
    return VersionDiff(added, removed, tuple(reworded), tuple(reclassified))


def statement_fields(statement: StatementData) -> dict:
    """Return the comparable fields of a statement (see :func:`diff_statements`)."""
    return {
        "text": statement.text,
        "expectation": statement.expectation,
        "levels": list(statement.levels),
        "default_for": list(statement.default_for),
        "tags": list(statement.tags),
    }
