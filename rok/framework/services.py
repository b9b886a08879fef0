"""Load the frameworks and the statement bank into the database, and read them back.

Plain functions that take values, may flush and never commit: the CLI command or
view that calls them commits.
"""

from __future__ import annotations

import hashlib
import json
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from rok.extensions import db
from rok.framework import bankdata
from rok.framework.bankdata import (
    BankData,
    BankDataError,
    FrameworkData,
    VersionDiff,
    diff_statements,
    statement_fields,
)
from rok.framework.models import (
    Area,
    BankStatement,
    BankVersion,
    Expectation,
    Framework,
    GlossaryTerm,
    QualityArea,
    Rubriek,
)

DEFAULT_FRAMEWORK = "OK"


class BankConflictError(BankDataError):
    """A version that is already loaded changed on disk; it must stay as it was."""


# --- reports -----------------------------------------------------------------------


@dataclass
class FrameworkReport:
    code: str
    created: bool = False
    changes: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return self.created or bool(self.changes)


@dataclass
class VersionReport:
    framework: str
    version: int
    created: bool
    statements: int
    #: The version compared with (the previous one of the same framework), if any.
    previous: int | None = None
    diff: VersionDiff | None = None


@dataclass
class LoadReport:
    """What :func:`load_bank` did; ``str(report)`` is what the CLI prints."""

    frameworks: list[FrameworkReport] = field(default_factory=list)
    versions: list[VersionReport] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return any(f.changed for f in self.frameworks) or any(
            v.created for v in self.versions
        )

    def lines(self) -> list[str]:
        if not self.changed:
            return ["No changes: the frameworks and all bank versions are up to date."]
        lines = []
        for f in self.frameworks:
            if f.created:
                lines.append(f"Framework {f.code}: loaded.")
            elif f.changes:
                lines.append(f"Framework {f.code}: {len(f.changes)} change(s).")
                lines.extend(f"  - {change}" for change in f.changes)
            else:
                lines.append(f"Framework {f.code}: unchanged.")
        for v in self.versions:
            name = f"Bank {v.framework} v{v.version}"
            if not v.created:
                lines.append(f"{name}: already loaded, unchanged.")
                continue
            lines.append(f"{name}: loaded {v.statements} statements.")
            if v.diff is not None:
                lines.extend(_diff_lines(v.diff, v.previous))
        return lines

    def __str__(self) -> str:
        return "\n".join(self.lines())


def _diff_lines(diff: VersionDiff, previous: int | None) -> list[str]:
    if diff.is_empty:
        return [f"  Same statements as v{previous}."]
    lines = [
        f"  Compared with v{previous}: {len(diff.added)} added, "
        f"{len(diff.removed)} removed, {len(diff.reworded)} reworded, "
        f"{len(diff.reclassified)} reclassified."
    ]
    lines.extend(f"  + {key}" for key in diff.added)
    lines.extend(f"  - {key}" for key in diff.removed)
    for change in diff.reworded:
        lines.append(f"  ~ {change.key}: {change.old_text!r} -> {change.new_text!r}")
    lines.extend(
        f"  * {key} (expectation, levels, default or tags)" for key in diff.reclassified
    )
    return lines


# --- loading -------------------------------------------------------------------------


def load_bank(path: str | Path | None = None) -> LoadReport:
    """Load or upgrade every framework and bank version under ``path``.

    ``path`` is a data folder holding ``frameworks/`` and ``bank/v<n>/`` (by default
    the package's own data). Everything is validated before anything is written.
    Idempotent: a second run changes nothing. A version already loaded is never
    changed: if its files differ, :class:`BankConflictError` explains what changed
    and that the change belongs in a new version folder.
    """
    root = Path(path) if path is not None else bankdata.DATA_DIR
    frameworks = bankdata.read_frameworks(root / "frameworks")
    banks = bankdata.read_banks(root / "bank", frameworks)
    _refuse_changed_versions(banks)

    report = LoadReport()
    framework_rows = {}
    for data in frameworks.values():
        with db.session.no_autoflush:
            row, framework_report = _upsert_framework(data)
        framework_rows[data.code] = row
        report.frameworks.append(framework_report)
    db.session.flush()
    for bank in banks:
        report.versions.append(_load_version(bank, framework_rows[bank.framework]))
    return report


def _checksum(bank: BankData) -> str:
    content = {
        "version": bank.version,
        "framework": bank.framework,
        "released": bank.released.isoformat(),
        "title": bank.title,
        "levels": [[level.code, level.title] for level in bank.levels],
        "scales": bank.raw_scales,
        "glossary": [[g.term, g.explanation] for g in bank.glossary],
        "statements": [[s.id, statement_fields(s)] for s in bank.statements],
    }
    encoded = json.dumps(content, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(encoded.encode("utf-8")).hexdigest()


def _find_version(framework_code: str, version: int) -> BankVersion | None:
    return db.session.scalar(
        select(BankVersion)
        .join(Framework)
        .where(Framework.code == framework_code, BankVersion.version == version)
    )


def _refuse_changed_versions(banks: Sequence[BankData]) -> None:
    problems = []
    for bank in banks:
        existing = _find_version(bank.framework, bank.version)
        if existing is None or existing.checksum == _checksum(bank):
            continue
        diff = diff_statements(
            _stored_fields(existing),
            {s.id: statement_fields(s) for s in bank.statements},
        )
        detail = "; ".join(line.strip() for line in _diff_lines(diff, bank.version)[:6])
        problems.append(
            f"bank {bank.framework} v{bank.version} is already loaded and may be used "
            f"by surveys, but its files changed ({detail}). Leave v{bank.version} as "
            f"it was and put the changes in a new folder v{bank.version + 1}."
        )
    if problems:
        raise BankConflictError(problems)


def _assign(row, changes: list[str], label: str, **values) -> None:
    """Set attributes that differ and note which ones changed."""
    changed = [name for name, value in values.items() if getattr(row, name) != value]
    for name in changed:
        setattr(row, name, values[name])
    if changed and row.id is not None:
        changes.append(f"{label}: {', '.join(changed)} changed")


def _upsert_framework(data: FrameworkData) -> tuple[Framework, FrameworkReport]:
    framework = db.session.scalar(select(Framework).where(Framework.code == data.code))
    report = FrameworkReport(data.code, created=framework is None)
    changes = report.changes
    if framework is None:
        framework = Framework(code=data.code)
        db.session.add(framework)
    _assign(
        framework,
        changes,
        f"framework {data.code}",
        name=data.name,
        version=data.version,
        context_title=data.context_title,
        context_explanation=data.context_explanation,
    )

    rubrieken = {r.code: r for r in framework.rubrieken}
    areas = {(a.rubriek.code, a.code): a for r in framework.rubrieken for a in r.areas}
    expectations = {e.code: e for e in framework.expectations}
    seen_expectations = set()
    position = 0
    for r_pos, r_data in enumerate(data.rubrieken, 1):
        rubriek = rubrieken.get(r_data.code)
        if rubriek is None:
            rubriek = Rubriek(code=r_data.code, framework=framework)
            db.session.add(rubriek)
            if not report.created:
                changes.append(f"new rubriek {r_data.code}")
        _assign(
            rubriek,
            changes,
            f"rubriek {r_data.code}",
            title=r_data.title,
            explanation=r_data.explanation,
            position=r_pos,
        )
        for a_pos, a_data in enumerate(r_data.areas, 1):
            area = areas.get((r_data.code, a_data.code))
            if area is None:
                area = Area(code=a_data.code, rubriek=rubriek)
                db.session.add(area)
                if not report.created:
                    changes.append(f"new area {r_data.code}/{a_data.code}")
            _assign(
                area,
                changes,
                f"area {a_data.code}",
                title=a_data.title,
                explanation=a_data.explanation,
                position=a_pos,
            )
            for e_data in a_data.expectations:
                position += 1
                seen_expectations.add(e_data.code)
                expectation = expectations.get(e_data.code)
                if expectation is None:
                    expectation = Expectation(code=e_data.code, framework=framework)
                    db.session.add(expectation)
                    expectations[e_data.code] = expectation
                    if not report.created:
                        changes.append(f"new expectation {e_data.code}")
                if expectation.area is not area:
                    if expectation.id is not None:
                        changes.append(
                            f"expectation {e_data.code}: moved to {a_data.code}"
                        )
                    expectation.area = area
                _assign(
                    expectation,
                    changes,
                    f"expectation {e_data.code}",
                    title=e_data.title,
                    explanation=e_data.explanation,
                    position=position,
                    is_retired=False,
                )
    for code, expectation in expectations.items():
        if code not in seen_expectations and not expectation.is_retired:
            # Statements of loaded versions refer to it: retire, never delete.
            expectation.is_retired = True
            changes.append(f"expectation {code}: retired (no longer in the file)")

    quality_areas = {q.code: q for q in framework.quality_areas}
    for q_pos, q_data in enumerate(data.quality_areas, 1):
        quality_area = quality_areas.get(q_data.code)
        if quality_area is None:
            quality_area = QualityArea(code=q_data.code, framework=framework)
            db.session.add(quality_area)
            if not report.created:
                changes.append(f"new quality area {q_data.code}")
        _assign(
            quality_area,
            changes,
            f"quality area {q_data.code}",
            title=q_data.title,
            explanation=q_data.explanation,
            position=q_pos,
        )
        members = [expectations[code] for code in q_data.expectations]
        if {e.code for e in quality_area.expectations} != set(q_data.expectations):
            if quality_area.id is not None:
                changes.append(f"quality area {q_data.code}: expectations changed")
            quality_area.expectations = members

    stored_terms = (
        db.session.scalars(
            select(GlossaryTerm)
            .where(GlossaryTerm.framework_id == framework.id)
            .order_by(GlossaryTerm.position)
        ).all()
        if framework.id is not None
        else []
    )
    if [(t.term, t.explanation) for t in stored_terms] != [
        (g.term, g.explanation) for g in data.glossary
    ]:
        for term in stored_terms:
            db.session.delete(term)
        for g_pos, entry in enumerate(data.glossary, 1):
            db.session.add(
                GlossaryTerm(
                    framework=framework,
                    term=entry.term,
                    explanation=entry.explanation,
                    position=g_pos,
                )
            )
        if not report.created:
            changes.append("glossary changed")
    return framework, report


def _stored_fields(version: BankVersion) -> dict[str, dict]:
    return {
        s.key: {
            "text": s.text,
            "expectation": s.expectation.code,
            "levels": list(s.levels),
            "default_for": list(s.default_for),
            "tags": list(s.tags),
        }
        for s in version.statements
    }


def _previous_version(version: BankVersion) -> BankVersion | None:
    return db.session.scalar(
        select(BankVersion)
        .where(
            BankVersion.framework_id == version.framework_id,
            BankVersion.version < version.version,
        )
        .order_by(BankVersion.version.desc())
        .limit(1)
    )


def _load_version(bank: BankData, framework: Framework) -> VersionReport:
    existing = _find_version(bank.framework, bank.version)
    if existing is not None:  # same checksum: _refuse_changed_versions checked
        return VersionReport(bank.framework, bank.version, False, len(bank.statements))
    expectations = {e.code: e for e in framework.expectations}
    version = BankVersion(
        framework=framework,
        version=bank.version,
        released=bank.released,
        title=bank.title,
        levels=[{"code": level.code, "title": level.title} for level in bank.levels],
        scales=json.loads(json.dumps(bank.raw_scales, default=str)),
        checksum=_checksum(bank),
    )
    db.session.add(version)
    for position, s in enumerate(bank.statements, 1):
        version.statements.append(
            BankStatement(
                key=s.id,
                expectation=expectations[s.expectation],
                text=s.text,
                levels=list(s.levels),
                default_for=list(s.default_for),
                tags=list(s.tags),
                position=position,
            )
        )
    for position, entry in enumerate(bank.glossary, 1):
        version.glossary.append(
            GlossaryTerm(
                term=entry.term, explanation=entry.explanation, position=position
            )
        )
    db.session.flush()
    previous = _previous_version(version)
    diff = version_diff(version, previous) if previous is not None else None
    return VersionReport(
        bank.framework,
        bank.version,
        True,
        len(bank.statements),
        previous.version if previous is not None else None,
        diff,
    )


# --- reading -------------------------------------------------------------------------


def versions() -> list[BankVersion]:
    """Return every loaded bank version, per framework, newest first."""
    return list(
        db.session.scalars(
            select(BankVersion)
            .join(Framework)
            .order_by(Framework.code, BankVersion.version.desc())
        )
    )


def latest_version(framework_code: str = DEFAULT_FRAMEWORK) -> BankVersion | None:
    """Return the newest loaded bank version of a framework, or None."""
    return db.session.scalar(
        select(BankVersion)
        .join(Framework)
        .where(Framework.code == framework_code)
        .order_by(BankVersion.version.desc())
        .limit(1)
    )


def version_diff(
    version: BankVersion, previous: BankVersion | None = None
) -> VersionDiff | None:
    """Return what changed in ``version`` compared with the previous one (or None)."""
    previous = previous or _previous_version(version)
    if previous is None:
        return None
    return diff_statements(_stored_fields(previous), _stored_fields(version))


def statements_of(version: BankVersion) -> list[BankStatement]:
    """Return the version's statements with expectation, area and rubriek loaded."""
    return list(
        db.session.scalars(
            select(BankStatement)
            .where(BankStatement.bank_version_id == version.id)
            .options(
                selectinload(BankStatement.expectation)
                .selectinload(Expectation.area)
                .selectinload(Area.rubriek)
            )
            .order_by(BankStatement.position)
        )
    )


def glossary_of(version: BankVersion) -> list[GlossaryTerm]:
    """Return the version's glossary followed by its framework's own terms."""
    return list(
        db.session.scalars(
            select(GlossaryTerm)
            .where(
                (GlossaryTerm.bank_version_id == version.id)
                | (GlossaryTerm.framework_id == version.framework_id)
            )
            .order_by(GlossaryTerm.framework_id.is_not(None), GlossaryTerm.position)
        )
    )


def tags_of(version: BankVersion) -> list[str]:
    """Return every tag used in the version, sorted."""
    return sorted({tag for s in version.statements for tag in s.tags})


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def browse(
    version: BankVersion,
    level: str,
    *,
    rubriek: str | None = None,
    expectation: str | None = None,
    tag: str | None = None,
    query: str | None = None,
    default_only: bool = False,
) -> list[BankStatement]:
    """Return the statements of ``level`` that pass every given filter, in bank order.

    ``query`` matches words regardless of case and accents; every word must occur.
    """
    words = _fold(query or "").split()
    result = []
    for s in statements_of(version):
        if level not in s.levels:
            continue
        if default_only and level not in s.default_for:
            continue
        if rubriek and s.expectation.area.rubriek.code != rubriek:
            continue
        if expectation and s.expectation.code != expectation:
            continue
        if tag and tag not in s.tags:
            continue
        if words and not all(word in _fold(s.text) for word in words):
            continue
        result.append(s)
    return result


@dataclass
class LevelCounts:
    level: str
    title: str
    total: int
    default: int
    #: Rubriek code -> number of statements, in framework order.
    by_rubriek: dict[str, int]
    #: Expectation code -> number of statements, in framework order (zeros included).
    by_expectation: dict[str, int]


def counts(version: BankVersion | None = None) -> dict[str, LevelCounts]:
    """Count a version's statements per level, rubriek and expectation.

    Defaults to the latest version of the OK-kader; an empty dict when none is loaded.
    """
    version = version or latest_version()
    if version is None:
        return {}
    statements = statements_of(version)
    framework = version.framework
    active = [e for e in framework.expectations if not e.is_retired]
    result = {}
    for level in version.levels:
        code = level["code"]
        mine = [s for s in statements if code in s.levels]
        per_expectation = Counter(s.expectation.code for s in mine)
        per_rubriek = Counter(s.expectation.area.rubriek.code for s in mine)
        result[code] = LevelCounts(
            level=code,
            title=level["title"],
            total=len(mine),
            default=sum(code in s.default_for for s in mine),
            by_rubriek={r.code: per_rubriek[r.code] for r in framework.rubrieken},
            by_expectation={e.code: per_expectation[e.code] for e in active}
            | {
                k: v
                for k, v in per_expectation.items()
                if k not in {e.code for e in active}
            },
        )
    return result
