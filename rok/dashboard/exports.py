"""Exports of a survey's results: aggregated tables (CSV, XLSX) and anonymous answers.

Every export goes through :func:`neutralise`, so no cell (headers included) can start
a spreadsheet formula, and through the group-size rule: the aggregated tables come
from ``summary_table`` / ``breakdown_table`` (withheld cells stay empty, a status
column says why), and the anonymous answers are only given when every crossing of
the subgroup dimensions counts at least ``min_group`` valid answers on every
statement (:func:`anonymous_answers_problem`).

:class:`Results` is the one bundle of a survey's tables that the exports, the JSON
API and the PDF report share, so all three show the same figures.
"""

from __future__ import annotations

import csv
import io
import math
import re
import secrets
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from rok.dashboard import presenting
from rok.dashboard.analysis import (
    ACTION_PREFIX,
    AGREE_PREFIX,
    LEVELS,
    SurveyData,
    Thresholds,
    breakdown_table,
    summary_table,
)
from rok.dashboard.data import (
    framework_names,
    load_survey_data,
    survey_privacy,
    survey_thresholds,
)
from rok.dashboard.disclosure import (
    CROSS_DIMENSION,
    MISSING,
    SHOWN,
    Partition,
    Privacy,
    cross_dimension_withheld,
)
from rok.spreadsheets import FORMULA_STARTS, neutralise  # noqa: F401 (re-exported)
from rok.surveys.models import Survey, SurveyStatus

LEVEL_TITLES = {
    "statement": _l("Stellingen"),
    "expectation": _l("Verwachtingen"),
    "area": _l("Onderdelen"),
    "rubriek": _l("Rubrieken"),
}
#: The level names used in URLs (?tabel=…).
LEVEL_SLUGS = {"stellingen": "statement", "verwachtingen": "expectation",
               "onderdelen": "area", "rubrieken": "rubriek"}
LABEL_TITLES = {
    "sterkte": _l("sterkte"),
    "werkpunt": _l("werkpunt"),
    "gespreksthema": _l("gespreksthema"),
    "blinde_vlek": _l("blinde vlek"),
    "prioriteit": _l("prioriteit"),
}
CONSENSUS_TITLES = {
    "eensgezind": _l("eensgezind"),
    "eerder_eensgezind": _l("eerder eensgezind"),
    "verdeeld": _l("verdeeld"),
}



def safe_filename(title: str, suffix: str, *, fallback: str = "bevraging") -> str:
    """Return an ASCII slug of ``title`` with ``suffix`` (e.g. ``"-tabellen.csv"``)."""
    ascii_title = (unicodedata.normalize("NFKD", title or "")
                   .encode("ascii", "ignore").decode("ascii"))
    slug = re.sub(r"[^A-Za-z0-9]+", "-", ascii_title).strip("-").lower()[:60]
    return f"{slug.strip('-') or fallback}{suffix}"


def reason_text(status: str | None, min_group: int) -> str:
    """Return the dashboard's Dutch explanation of a status code ("" when shown)."""
    if status is None or status == SHOWN:
        return ""
    return presenting.reason_text(status, min_group)


def unit_titles(survey: Survey) -> dict[tuple[str, str], str]:
    """Return {(level, code): title} for the survey's framework (as the dashboard)."""
    names = framework_names(survey)
    return {(level, code): entry[0] or code
            for level, entries in names.entries.items()
            for code, entry in entries.items()}


def results_problem(survey: Survey) -> str | None:
    """Return why no results may be shown for ``survey`` (None when they may).

    Only a closed survey has results: the figures of an open survey change with
    every submission, and two snapshots taken around one submission would show
    what that one person answered.
    """
    if survey.status != SurveyStatus.CLOSED:
        return _(
            "De resultaten zijn beschikbaar zodra de bevraging is afgesloten. Zolang "
            "ze open is, verandert elk antwoord de cijfers, en twee momentopnames "
            "na elkaar zouden tonen wat één collega antwoordde.")
    return None


# --- the shared bundle of tables ---------------------------------------------------


@dataclass
class Results:
    """A survey's data and its tables, computed on demand and kept."""

    survey: Survey
    data: SurveyData
    privacy: Privacy
    thresholds: Thresholds
    dimension_labels: dict[str, str]
    option_labels: dict[str, dict[str, str]]
    role_dimension: str | None = None
    _cache: dict = field(default_factory=dict, repr=False)

    @property
    def n_responses(self) -> int:
        return len(self.data.responses)

    @property
    def dimensions(self) -> list[str]:
        return list(self.dimension_labels)

    def summary(self, level: str = "statement") -> pd.DataFrame:
        key = ("summary", level)
        if key not in self._cache:
            self._cache[key] = summary_table(
                self.data, level=level, privacy=self.privacy,
                thresholds=self.thresholds)
        return self._cache[key]

    def breakdown(self, dimension: str, level: str = "statement", *,
                  raw: bool = False) -> pd.DataFrame:
        """Return the breakdown table; withheld entirely when crossing dimensions.

        A dimension withheld by the cross-dimension rule gives one row per unit
        with ``part`` <NA> and ``status`` CROSS_DIMENSION (``raw`` skips that
        check, for computing the rule itself).
        """
        if dimension not in self.dimension_labels:
            raise KeyError(dimension)
        key = ("breakdown", dimension, level)
        if key not in self._cache:
            self._cache[key] = breakdown_table(
                self.data, dimension, level=level, privacy=self.privacy,
                thresholds=self.thresholds)
        table = self._cache[key]
        if raw or self.dimension_status(dimension) == SHOWN:
            return table
        withheld_key = ("withheld", dimension, level)
        if withheld_key not in self._cache:
            self._cache[withheld_key] = _withheld(table, level)
        return self._cache[withheld_key]

    def part_label(self, dimension: str, part: Any, members: Sequence[str]) -> str:
        """Return the readable name of a part ("overige (kleuter, zorg)")."""
        return presenting.part_label(part, members or (), self._dimension(dimension))

    def _dimension(self, key: str) -> presenting.Dimension:
        return presenting.Dimension(
            key=key, label=self.dimension_labels.get(key, key),
            options=tuple(self.option_labels.get(key, {}).items()),
            is_role=key == self.role_dimension)

    @property
    def cross_withheld(self) -> dict[str, Any]:
        """Return the dimensions withheld because two breakdowns reveal a small group.

        The same rule and order as the dashboard (role dimension first): see
        ``disclosure.cross_dimension_withheld``.
        """
        if "cross" not in self._cache:
            withheld: dict[str, Any] = {}
            if len(self.dimension_labels) >= 2:
                partitions: dict[str, dict[int, Partition]] = {}
                for key in self.dimension_labels:
                    table = self.breakdown(key, "statement", raw=True)
                    shown = table.loc[table["part"].notna()]
                    parts: dict[int, dict[str, tuple[str, ...]]] = {}
                    for sid, part, members in zip(
                            shown["statement_id"].tolist(), shown["part"].tolist(),
                            shown["members"].tolist(), strict=True):
                        parts.setdefault(int(sid), {})[part] = members
                    partitions[key] = {sid: Partition(statement_parts)
                                       for sid, statement_parts in parts.items()}
                order = ([self.role_dimension] if self.role_dimension else []) + [
                    k for k in self.dimension_labels if k != self.role_dimension]
                withheld = cross_dimension_withheld(
                    self.data.answers, self.data.responses, partitions,
                    self.privacy.min_group, order=order)
            self._cache["cross"] = withheld
        return self._cache["cross"]

    def dimension_status(self, dimension: str) -> str:
        """Return SHOWN, or CROSS_DIMENSION when the whole breakdown is withheld."""
        return CROSS_DIMENSION if dimension in self.cross_withheld else SHOWN


def load_results(survey: Survey) -> Results:
    """Load a survey's answers once and return the bundle of its tables."""
    return Results(
        survey=survey,
        data=load_survey_data(survey),
        privacy=survey_privacy(survey),
        thresholds=survey_thresholds(survey),
        dimension_labels={d.key: d.label for d in survey.dimensions},
        option_labels={d.key: {o.key: o.label for o in d.options}
                       for d in survey.dimensions},
        role_dimension=next((d.key for d in survey.dimensions if d.is_role), None),
    )


def _withheld(table: pd.DataFrame, level: str) -> pd.DataFrame:
    """Return one withheld row per unit of a breakdown table (no figures)."""
    key = "statement_id" if level == "statement" else "unit"
    first = table.drop_duplicates(subset=[key], keep="first").copy()
    for column in first.columns:
        if column in _KEYS[level] or column in (key, "dimension", "statement_ids",
                                                 "action_statement_ids", "unit"):
            continue
        if first[column].dtype == bool:
            first[column] = False
        elif column in ("members", "labels"):
            first[column] = [() for _ in range(len(first))]
        elif first[column].dtype.kind == "f":
            first[column] = float("nan")
        else:
            first[column] = pd.Series([pd.NA] * len(first), index=first.index,
                                      dtype=first[column].dtype)
    first["status"] = CROSS_DIMENSION
    first["action_status"] = CROSS_DIMENSION
    return first.reset_index(drop=True)


# --- flat rows of a table ------------------------------------------------------------

_KEYS = {
    "statement": ("position", "expectation", "area", "rubriek", "text", "origin"),
    "expectation": ("unit", "area", "rubriek", "n_statements"),
    "area": ("unit", "rubriek", "n_statements"),
    "rubriek": ("unit", "n_statements"),
}
_PART_KEYS = ("dimension", "part", "members")
_AGREE_FIGURES = ("n_responses", "n_valid", "n_no_view", "share_no_view")
_AGREE_MEASURES = ("pct_agree", "mean", "median", "consensus", "consensus_leik",
                   "consensus_label", "polarised")
_ACTION_MEASURES = ("pct_ready", "n_lead")
_SUMMARY_EXTRA = ("leadership_mean", "rest_mean", "leadership_gap")
_BREAKDOWN_EXTRA = ("rest_n_valid", "rest_pct_agree", "rest_mean", "rest_pct_ready",
                    "diff_pct_agree", "diff_mean", "differs")
#: Figures that describe action-readiness (blank when action_status is withheld).
_ACTION_COLUMNS = ("n_action", "pct_ready", "n_lead", "rest_pct_ready")

COLUMN_TITLES = {
    "position": _l("nr"), "expectation": _l("verwachting"), "area": _l("onderdeel"),
    "rubriek": _l("rubriek"), "text": _l("stelling"), "origin": _l("bankcode"),
    "unit": _l("code"), "title": _l("titel"), "n_statements": _l("aantal stellingen"),
    "dimension": _l("deelgroep"), "part": _l("groep"),
    "members": _l("samengevoegde opties"), "status": _l("status"),
    "reason": _l("toelichting"), "n_responses": _l("ingevulde bevragingen"),
    "n_valid": _l("aantal antwoorden"), "n_no_view": _l("geen zicht"),
    "share_no_view": _l("aandeel geen zicht (%)"),
    "pct_agree": _l("% (eerder/helemaal) eens"),
    "mean": _l("gemiddelde"), "median": _l("mediaan"),
    "consensus": _l("eensgezindheid"),
    "consensus_leik": _l("eensgezindheid (ordinale controle)"),
    "consensus_label": _l("eensgezindheid (label)"), "polarised": _l("gepolariseerd"),
    "action_status": _l("status actiebereidheid"),
    "n_action": _l("antwoorden actiebereidheid"),
    "pct_ready": _l("% wil ermee aan de slag"), "n_lead": _l("wil mee trekken"),
    "leadership_mean": _l("gemiddelde beleidsteam"),
    "rest_mean": _l("gemiddelde rest"),
    "leadership_gap": _l("verschil beleidsteam – team"),
    "rest_n_valid": _l("antwoorden rest"),
    "rest_pct_agree": _l("rest: % (eerder) eens"),
    "rest_pct_ready": _l("% wil aan de slag rest"),
    "diff_pct_agree": _l("verschil in % (eerder) eens met de rest"),
    "diff_mean": _l("verschil gemiddelde met de rest"),
    "differs": _l("opvallend verschil"), "labels": _l("labels"),
}


def _points(data: SurveyData) -> tuple[list[str], list[str]]:
    return ([f"{AGREE_PREFIX}{p}" for p in data.agreement_points],
            [f"{ACTION_PREFIX}{p}" for p in data.action_points])


def table_columns(results: Results, level: str, *, by_part: bool,
                  with_titles: bool = False) -> list[str]:
    """Return the exported columns of a summary or breakdown table, in order."""
    agree, action = _points(results.data)
    keys = list(_KEYS[level])
    if with_titles and level != "statement":
        keys.insert(1, "title")
    if by_part:
        keys += list(_PART_KEYS)
    extra = _BREAKDOWN_EXTRA if by_part else _SUMMARY_EXTRA
    return (keys + ["status", "reason"] + list(_AGREE_FIGURES) + agree
            + list(_AGREE_MEASURES) + ["action_status", "n_action"] + action
            + list(_ACTION_MEASURES) + list(extra) + ["labels"])


def _plain(value: Any) -> Any:
    """Turn pandas/numpy scalars into plain Python values (NA → None)."""
    if value is None:
        return None
    if isinstance(value, tuple):
        return value
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        return value
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def table_records(results: Results, table: pd.DataFrame, level: str, *,
                  by_part: bool, titles: dict[str, str] | None = None
                  ) -> list[dict[str, Any]]:
    """Return one dict per row with the exported columns, withheld figures None."""
    columns = table_columns(results, level, by_part=by_part,
                            with_titles=titles is not None)
    agree, action = _points(results.data)
    action_cols = set(action) | set(_ACTION_COLUMNS)
    keys = {"status", "action_status", *_KEYS[level], "dimension"}
    special = {"title", "reason", "position", "part", "members", "labels"}
    # What each column holds, decided once per table instead of once per cell.
    plan = [(column, column if column in special else "key" if column in keys
             else "action" if column in action_cols else "figure")
            for column in columns]
    min_group = results.privacy.min_group
    reasons: dict[Any, str] = {}
    part_names: dict[tuple, str] = {}
    records = []
    for row in table.to_dict("records"):
        status = row.get("status")
        action_status = row.get("action_status")
        shown = status == SHOWN
        action_shown = shown and action_status == SHOWN
        record: dict[str, Any] = {}
        for column, kind in plan:
            if kind == "figure":
                record[column] = _plain(row.get(column)) if shown else None
            elif kind == "action":
                record[column] = _plain(row.get(column)) if action_shown else None
            elif kind == "key":
                record[column] = _plain(row.get(column))
            elif kind == "title":
                record[column] = (titles or {}).get(row["unit"], row["unit"])
            elif kind == "reason":
                if status not in reasons:
                    reasons[status] = reason_text(status, min_group)
                record[column] = reasons[status]
            elif kind == "position":
                record[column] = int(row["position"]) + 1
            elif kind == "part":
                name = None
                if shown:
                    key = (row["dimension"], row["part"], row["members"])
                    if key not in part_names:
                        part_names[key] = results.part_label(*key)
                    name = part_names[key]
                record[column] = name
            elif kind == "members":
                members = row.get("members") or ()
                options = results.option_labels.get(row["dimension"], {})
                record[column] = (tuple(options.get(m, m) for m in members)
                                  if shown else ())
            else:  # labels
                record[column] = tuple(row.get("labels") or ()) if shown else ()
        records.append(record)
    return records


# --- writing cells -----------------------------------------------------------------


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, tuple):
        value = ", ".join(str(v) for v in value)
    if isinstance(value, float):
        value = f"{value:.6g}" if abs(value) < 1e15 else str(value)
        return value
    if isinstance(value, int):
        return str(value)
    return neutralise(str(value))


def write_csv(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """Return CSV text (comma-separated, UTF-8 with BOM), every cell neutralised."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([neutralise(str(h)) for h in headers])
    for row in rows:
        writer.writerow([_csv_cell(value) for value in row])
    return "\ufeff" + buffer.getvalue()


def _table_for(results: Results, level: str, dimension: str | None
               ) -> tuple[list[str], list[dict[str, Any]]]:
    if dimension is None:
        table = results.summary(level)
    else:
        table = results.breakdown(dimension, level)
    by_part = dimension is not None
    return (table_columns(results, level, by_part=by_part),
            table_records(results, table, level, by_part=by_part))


def tables_csv(results: Results, level: str, dimension: str | None = None) -> str:
    """Return one aggregated table as CSV (the analysis column names as headers)."""
    columns, records = _table_for(results, level, dimension)
    headers = ["nr" if c == "position" else c for c in columns]
    return write_csv(headers, ([r[c] for c in columns] for r in records))


# --- XLSX ----------------------------------------------------------------------------

_PERCENT = {"share_no_view", "pct_agree", "pct_ready", "rest_pct_agree",
            "rest_pct_ready", "diff_pct_agree"}
_DECIMAL = {"mean", "median", "consensus", "consensus_leik", "leadership_mean",
            "rest_mean", "leadership_gap", "diff_mean"}


def _xlsx_cell(value: Any, column: str, names: dict[str, str]) -> Any:
    """Return a cell's value; ``names`` holds the words from :func:`_xlsx_names`."""
    if value is None:
        return None
    if isinstance(value, bool):
        return names["yes"] if value else names["no"]
    if column == "labels":
        return neutralise(", ".join(str(names.get(f"label:{v}", v)) for v in value))
    if column == "consensus_label":
        return str(names.get(f"consensus:{value}", value))
    if isinstance(value, tuple):
        return neutralise(", ".join(str(v) for v in value))
    if isinstance(value, str):
        return neutralise(value)
    return value


def _xlsx_names() -> dict[str, str]:
    """Translate the workbook's repeated words once, not once per cell."""
    return {"yes": _("ja"), "no": _("nee"), "shown": _("getoond"),
            "withheld": _("niet getoond"),
            **{f"label:{k}": str(v) for k, v in LABEL_TITLES.items()},
            **{f"consensus:{k}": str(v) for k, v in CONSENSUS_TITLES.items()}}


def _sheet_title(title: str, used: set[str]) -> str:
    clean = re.sub(r"[\[\]\*\?/\\:]", " ", title).strip()[:31] or "Blad"
    candidate, number = clean, 2
    while candidate.lower() in used:
        suffix = f" {number}"
        candidate = clean[: 31 - len(suffix)] + suffix
        number += 1
    used.add(candidate.lower())
    return neutralise(candidate).lstrip("'") or "Blad"


def tables_xlsx(results: Results, titles: dict[str, dict[str, str]] | None = None,
                *, breakdown_levels: Sequence[str] = ("statement", "expectation",
                                                      "rubriek")) -> bytes:
    """Return a workbook with an explanation, the team's tables and the breakdowns.

    Written in openpyxl's write-only mode: each row goes to the file as it is
    added, instead of a cell object per value kept for a second pass at saving
    (tens of thousands of cells for a big survey).
    """
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    survey = results.survey
    names = _xlsx_names()
    workbook = Workbook(write_only=True)
    used: set[str] = set()
    bold = Font(bold=True)
    wrapped = Alignment(wrap_text=True, vertical="top")

    def styled(sheet, value: Any, *, font=None, alignment=None,
               number_format: str | None = None) -> WriteOnlyCell:
        cell = WriteOnlyCell(sheet, value=value)
        if font is not None:
            cell.font = font
        if alignment is not None:
            cell.alignment = alignment
        if number_format is not None:
            cell.number_format = number_format
        return cell

    about = workbook.create_sheet(_sheet_title(_("Toelichting"), used))
    about.column_dimensions["A"].width = 32
    about.column_dimensions["B"].width = 90
    lines = [
        (_("Bevraging"), survey.title),
        (_("School"), survey.school.name),
        (_("Ingevulde bevragingen"), results.n_responses),
        (_("Kleinste groep die getoond wordt"), results.privacy.min_group),
        ("", ""),
        (_("Wat je hier ziet"), _(
            "De percepties van het team, geen inspectieoordeel. Lege cellen zijn "
            "cijfers die niet getoond worden omdat de groep te klein is; de kolom "
            "'toelichting' zegt waarom.")),
        (_("Drempels"), ", ".join(f"{k} = {v:g}"
                                  for k, v in results.thresholds.to_dict().items())),
    ]
    for label, value in lines:
        about.append([styled(about, neutralise(str(label)), font=bold),
                      _xlsx_cell(value, "", names)])

    def add_sheet(name: str, level: str, dimension: str | None) -> None:
        table = (results.summary(level) if dimension is None
                 else results.breakdown(dimension, level))
        by_part = dimension is not None
        level_titles = (titles or {}).get(level) if level != "statement" else None
        columns = table_columns(results, level, by_part=by_part,
                                with_titles=level_titles is not None)
        records = table_records(results, table, level, by_part=by_part,
                                titles=level_titles)
        sheet = workbook.create_sheet(_sheet_title(name, used))
        formats = []
        for index, column in enumerate(columns, start=1):
            width = 60 if column in ("text", "title") else 14
            sheet.column_dimensions[get_column_letter(index)].width = width
            formats.append("0%" if column in _PERCENT else "0.00" if column in _DECIMAL
                           else None)
        sheet.freeze_panes = "A2"
        sheet.append([styled(sheet, neutralise(str(COLUMN_TITLES.get(c, c))),
                             font=bold, alignment=wrapped) for c in columns])
        for record in records:
            if by_part and record.get("dimension") is not None:
                record["dimension"] = results.dimension_labels.get(
                    record["dimension"], record["dimension"])
            for key in ("status", "action_status"):
                if record.get(key) is not None:
                    record[key] = names["shown" if record[key] == SHOWN else "withheld"]
            sheet.append([
                _xlsx_cell(record[c], c, names) if fmt is None
                else styled(sheet, _xlsx_cell(record[c], c, names), number_format=fmt)
                for c, fmt in zip(columns, formats, strict=True)])

    for level in LEVELS:
        add_sheet(str(LEVEL_TITLES[level]), level, None)
    for dimension, label in results.dimension_labels.items():
        for level in breakdown_levels:
            add_sheet(f"{label} – {str(LEVEL_TITLES[level]).lower()}", level,
                      dimension)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- the anonymous answers -------------------------------------------------------


def anonymous_answers_problem(results: Results) -> str | None:
    """Return why the anonymous answers may not be exported, or None when they may.

    Every crossing of all subgroup dimensions (a missing value counts as its own
    option) that holds at least one response must count at least ``min_group``
    valid answers on every statement. Each row carries its subgroup columns, so
    the rows of a smaller crossing would be one small, recognisable group.
    """
    data = results.data
    minimum = results.privacy.min_group
    if results.n_responses == 0:
        return _("Er zijn nog geen ingevulde bevragingen.")
    dimensions = list(data.dimensions)
    responses = data.responses.copy()
    for dimension in dimensions:
        responses[dimension] = responses[dimension].astype(object).where(
            responses[dimension].notna(), MISSING)
    if dimensions:
        responses["cell"] = responses[dimensions].astype(str).agg("\x1f".join, axis=1)
    else:
        responses["cell"] = "all"
    cells = responses.set_index("response_id")["cell"]
    valid = data.answers.loc[data.answers["agreement"].notna(),
                             ["response_id", "statement_id"]]
    valid = valid.assign(cell=valid["response_id"].map(cells))
    counts = valid.groupby(["cell", "statement_id"]).size()
    grid = pd.MultiIndex.from_product(
        [sorted(cells.unique()), data.statements["statement_id"].tolist()],
        names=["cell", "statement_id"])
    counts = counts.reindex(grid, fill_value=0)
    if (counts < minimum).any():
        if dimensions:
            return _(
                "De antwoorden kunnen niet anoniem uitgevoerd worden: niet elke "
                "combinatie van deelgroepen telt bij elke stelling minstens %(n)d "
                "antwoorden. Met zo'n kleine groep in de rijen zou je kunnen afleiden "
                "wie wat antwoordde. De tabellen met de samengevatte cijfers kun je "
                "wel downloaden.", n=minimum)
        return _(
            "De antwoorden kunnen niet anoniem uitgevoerd worden: niet elke stelling "
            "telt minstens %(n)d antwoorden. De tabellen met de samengevatte cijfers "
            "kun je wel downloaden.", n=minimum)
    return None


def anonymous_answers_csv(results: Results) -> str:
    """Return one row per answer (response × statement), in random order.

    No response id or anything else that links rows of one person; the subgroup
    columns hold option labels. Call only when :func:`anonymous_answers_problem`
    returns None. The whole text of :func:`anonymous_answers_chunks`.
    """
    return "".join(anonymous_answers_chunks(results))


#: Rows per piece of the streamed anonymous answers.
ANSWER_CHUNK_ROWS = 20_000


def anonymous_answers_chunks(results: Results) -> Iterator[str]:
    """Return the anonymous answers CSV as an iterator of text pieces, to stream.

    Everything that needs the request (translations) or the data is done before
    this returns, so the pieces can be sent after the view has returned.

    A row has three parts that repeat: the statement's cells, the answer's
    cells (a handful of combinations) and the respondent's subgroup cells. Each
    distinct part is written once by the same CSV writer as every other export
    (neutralised, quoted alike), and a row is their concatenation, so 300,000
    rows take no per-cell work. The order is a uniformly random permutation
    drawn from the operating system's secure random source.
    """
    data = results.data
    dimensions = list(data.dimensions)
    answers, statements, responses = data.answers, data.statements, data.responses
    # As an inner join: answers of unknown statements or responses are left out.
    statement_of = pd.Index(statements["statement_id"]).get_indexer(
        answers["statement_id"])
    response_of = pd.Index(responses["response_id"]).get_indexer(
        answers["response_id"])
    keep = (statement_of >= 0) & (response_of >= 0)

    statement_cells = np.array([
        _csv_row_tail([int(position) + 1, expectation, area, rubriek, text])[1:]
        for position, expectation, area, rubriek, text in zip(
            statements["position"], statements["expectation"], statements["area"],
            statements["rubriek"], statements["text"], strict=True)
    ], dtype=object)

    agreement, agreement_values = pd.factorize(answers["agreement"])
    action, action_values = pd.factorize(answers["action"])
    no_view = answers["no_view"].to_numpy(dtype=bool).astype(np.int64)
    # Code -1 (missing) becomes 0, so every combination has a slot in the table.
    agreement_options = [None, *(_plain(v) for v in agreement_values)]
    action_options = [None, *(_plain(v) for v in action_values)]
    answer_cells = np.array([
        _csv_row_tail([a, flag, x])
        for a in agreement_options for flag in (False, True) for x in action_options
    ], dtype=object)
    answer_code = ((agreement + 1) * 2 + no_view) * len(action_options) + action + 1

    missing = _("niet ingevuld")
    labels = [results.option_labels.get(d, {}) for d in dimensions]
    options = zip(*(responses[d].astype(object) for d in dimensions), strict=True)
    subgroup_cells = np.array([
        _csv_row_tail([missing if pd.isna(v) else names.get(v, v)
                       for v, names in zip(values, labels, strict=True)]) + "\r\n"
        for values in options
    ] if dimensions else ["\r\n"] * len(responses), dtype=object)

    rows = np.flatnonzero(keep)
    keys = np.frombuffer(secrets.token_bytes(8 * len(rows)), dtype=np.uint64)
    rows = rows[np.argsort(keys, kind="stable")]
    statement_of, answer_code, response_of = (
        statement_of[rows], answer_code[rows], response_of[rows])
    headers = ["nr", "expectation", "area", "rubriek", "statement", "agreement",
               "no_view", "action", *dimensions]
    header = write_csv(headers, [])

    def pieces() -> Iterator[str]:
        yield header
        for start in range(0, len(rows), ANSWER_CHUNK_ROWS):
            part = slice(start, start + ANSWER_CHUNK_ROWS)
            yield "".join(statement_cells[statement_of[part]]
                          + answer_cells[answer_code[part]]
                          + subgroup_cells[response_of[part]])

    return pieces()


def _csv_row_tail(values: Sequence[Any]) -> str:
    """Return cells as they continue a row of :func:`write_csv`: ``",a,b"``."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(["", *(_csv_cell(value) for value in values)])
    return buffer.getvalue()[: -len("\r\n")]


def titles_by_level(survey: Survey) -> dict[str, dict[str, str]]:
    """Return {level: {code: title}} of the survey's framework."""
    titles: dict[str, dict[str, str]] = {}
    for (level, code), title in unit_titles(survey).items():
        titles.setdefault(level, {})[code] = title
    return titles
