"""Read a participant list (CSV upload or pasted text) and check every row.

Pure: takes the text and what it must be checked against, returns a report with a
message per row; nothing is stored here. The importer stores only when no row has
an error, or when the school confirms that only the valid rows go in.

Accepted input: one person per line; columns separated by comma, semicolon or tab.
With a header row, the columns are recognised by name (``e-mail``, ``naam`` and one
column per subgroup dimension, by its key or label); without one, the first
column is the e-mail address and the second, optional, the name.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from email_validator import EmailNotValidError, validate_email
from flask_babel import gettext as _

from rok.spreadsheets import FORMULA_STARTS, is_formula  # noqa: F401 (re-exported)

#: Largest upload accepted, in bytes.
MAX_UPLOAD_BYTES = 1024 * 1024
#: Most rows one import may hold (the largest team a team link expects).
MAX_ROWS = 2000

EMAIL_HEADERS = {"e-mail", "email", "e-mailadres", "emailadres", "mail", "e-mail adres"}
NAME_HEADERS = {"naam", "name", "volledige naam"}


class ImportFileError(Exception):
    """The upload as a whole cannot be read (not CSV, too large, not text)."""


@dataclass(frozen=True)
class Dimension:
    """What a subgroup column is checked against: key, label and options."""

    key: str
    label: str
    #: option key -> option label
    options: Mapping[str, str]


@dataclass
class Row:
    line: int
    email: str
    name: str
    subgroups: dict[str, str] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)

    @property
    def is_valid(self) -> bool:
        return not self.errors


@dataclass
class ImportReport:
    rows: list[Row] = field(default_factory=list)
    #: Problems with the list as a whole; nothing can be imported then.
    problems: list[str] = field(default_factory=list)
    #: Column names recognised, for the report ("e-mail", "naam", dimension labels).
    columns: list[str] = field(default_factory=list)

    @property
    def valid_rows(self) -> list[Row]:
        return [row for row in self.rows if row.is_valid] if not self.problems else []

    @property
    def invalid_rows(self) -> list[Row]:
        return [row for row in self.rows if not row.is_valid]

    @property
    def is_clean(self) -> bool:
        return not self.problems and not self.invalid_rows and bool(self.rows)


def decode_upload(data: bytes, filename: str) -> str:
    """Return the text of an uploaded CSV file, or raise :class:`ImportFileError`."""
    if not filename.lower().endswith((".csv", ".txt")):
        raise ImportFileError(
            _(
                "Kies een CSV-bestand (.csv). Bewaar een Excel-lijst "
                "eerst als 'CSV (gescheiden door lijstscheidingsteken)'."
            )
        )
    if len(data) > MAX_UPLOAD_BYTES:
        raise ImportFileError(
            _(
                "Het bestand is groter dan 1 MB. Zo'n lange lijst "
                "is geen personeelslijst; kijk het bestand na."
            )
        )
    if b"\x00" in data:
        raise ImportFileError(_("Dit bestand is geen tekstbestand (CSV)."))
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ImportFileError(
        _("Dit bestand is geen leesbaar CSV-bestand.")
    )  # pragma: no cover


def _dialect(text: str) -> type[csv.Dialect] | csv.Dialect:
    sample = "\n".join(text.splitlines()[:20])
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        return csv.excel


def _norm(text: str) -> str:
    return " ".join(text.strip().casefold().split())


def _is_control(char: str) -> bool:
    """Control characters and bidi overrides (as rok.forms.no_control_characters)."""
    code = ord(char)
    return (
        code < 32 or code == 127 or 0x202A <= code <= 0x202E or 0x2066 <= code <= 0x2069
    )


def parse(
    text: str, dimensions: Iterable[Dimension], existing: Iterable[str]
) -> ImportReport:
    """Check every row of ``text``; ``existing`` holds addresses already present."""
    report = ImportReport()
    dimensions = list(dimensions)
    existing = {e.lower() for e in existing}
    lines = [line for line in text.splitlines() if line.strip()]
    if not lines:
        report.problems.append(_("De lijst is leeg."))
        return report
    if len(lines) > MAX_ROWS + 1:
        report.problems.append(
            _("Importeer hoogstens %(max)d personen tegelijk.", max=MAX_ROWS)
        )
        return report
    try:
        records = list(csv.reader(io.StringIO(text), _dialect(text)))
    except csv.Error:
        report.problems.append(_("Deze lijst is geen geldig CSV-bestand."))
        return report

    header = [_norm(cell) for cell in records[0]] if records else []
    has_header = any(cell in EMAIL_HEADERS for cell in header)
    by_name = {}
    for d in dimensions:
        by_name[_norm(d.key)] = d
        by_name[_norm(d.label)] = d
    columns: dict[int, object] = {}
    if has_header:
        for index, cell in enumerate(header):
            if cell in EMAIL_HEADERS:
                columns[index] = "email"
            elif cell in NAME_HEADERS:
                columns[index] = "name"
            elif cell in by_name:
                columns[index] = by_name[cell]
            elif cell:
                report.problems.append(
                    _(
                        'De kolom "%(column)s" is geen e-mail, naam of deelgroep van '
                        "deze bevraging. Hernoem of verwijder ze.",
                        column=records[0][index],
                    )
                )
        taken = [
            c if isinstance(c, str) else f"dimension:{c.key}" for c in columns.values()
        ]
        if len(taken) != len(set(taken)):
            report.problems.append(_("Een kolom komt twee keer voor in de kopregel."))
        body = records[1:]
        first_line = 2
    else:
        columns = {0: "email", 1: "name"}
        body = records
        first_line = 1
    report.columns = [c if isinstance(c, str) else c.label for c in columns.values()]
    if report.problems:
        return report

    seen: dict[str, int] = {}
    for offset, record in enumerate(body):
        if not any(cell.strip() for cell in record):
            continue
        row = Row(line=first_line + offset, email="", name="")
        for cell in record:
            if is_formula(cell.lstrip(" ")) or is_formula(cell):
                row.errors.append(
                    _(
                        "Een cel begint met = + - @ of een tab: dat kan "
                        "een formule zijn. Pas de cel aan."
                    )
                )
                break
        for index, target in columns.items():
            cell = record[index].strip() if index < len(record) else ""
            if target == "email":
                row.email = cell
            elif target == "name":
                row.name = cell
            elif cell:
                _match_option(row, target, cell)
        _check_email(row, seen, existing)
        if len(row.name) > 120:
            row.errors.append(_("De naam is langer dan 120 tekens."))
        elif any(_is_control(c) for c in row.name):
            row.errors.append(_("De naam bevat ongeldige tekens."))
        report.rows.append(row)
    if not report.rows:
        report.problems.append(_("De lijst bevat geen enkele persoon."))
    return report


def _match_option(row: Row, dimension: Dimension, cell: str) -> None:
    wanted = _norm(cell)
    for key, label in dimension.options.items():
        if wanted in {_norm(key), _norm(label)}:
            row.subgroups[dimension.key] = key
            return
    row.errors.append(
        _(
            '"%(value)s" is geen keuze van de deelgroep %(dimension)s '
            "(kies uit: %(options)s).",
            value=cell[:40],
            dimension=dimension.label,
            options=", ".join(dimension.options.values()),
        )
    )


def _check_email(row: Row, seen: dict[str, int], existing: set[str]) -> None:
    if not row.email:
        row.errors.append(_("Het e-mailadres ontbreekt."))
        return
    if len(row.email) > 254:
        row.errors.append(_("Dit e-mailadres is te lang."))
        return
    try:
        address = validate_email(row.email, check_deliverability=False).normalized
    except EmailNotValidError:
        row.errors.append(
            _('"%(email)s" is geen geldig e-mailadres.', email=row.email[:80])
        )
        return
    address = address.lower()
    row.email = address
    if address in seen:
        row.errors.append(
            _(
                "Dit adres staat al eerder in de lijst (rij %(line)d).",
                line=seen[address],
            )
        )
    elif address in existing:
        row.errors.append(_("Deze persoon is al deelnemer."))
    else:
        seen[address] = row.line
