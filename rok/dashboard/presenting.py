"""Turn analysis tables into what a dashboard page says: readings in plain Dutch.

The analysis module computes and never translates; this module holds the words.
Every function takes a row (a mapping or a pandas row) of an analysis table and
returns text or small dicts that the templates render. Nothing here queries the
database.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd
from flask_babel import format_decimal, format_percent, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from rok.dashboard.analysis import LABELS, Thresholds
from rok.dashboard.disclosure import (
    ALL,
    CROSS_DIMENSION,
    MISSING,
    OTHER,
    SHOWN,
    SINGLE_GROUP,
    TOO_SMALL,
)

#: What the levels are called on screen.
LEVEL_NAMES = {
    "rubriek": _l("rubriek"),
    "area": _l("onderdeel"),
    "expectation": _l("kwaliteitsverwachting"),
    "statement": _l("stelling"),
}
LEVEL_PLURALS = {
    "rubriek": _l("rubrieken"),
    "area": _l("onderdelen"),
    "expectation": _l("kwaliteitsverwachtingen"),
    "statement": _l("stellingen"),
}

#: The classification labels as the screen names them (order of ``LABELS``).
LABEL_NAMES = {
    "sterkte": _l("sterkte"),
    "werkpunt": _l("werkpunt"),
    "gespreksthema": _l("gespreksthema"),
    "blinde_vlek": _l("blinde vlek"),
    "prioriteit": _l("prioriteit"),
}
LABEL_PLURALS = {
    "sterkte": _l("Sterktes"),
    "werkpunt": _l("Werkpunten"),
    "gespreksthema": _l("Gespreksthema's"),
    "blinde_vlek": _l("Blinde vlekken"),
    "prioriteit": _l("Prioriteiten"),
}
#: Why a label applies, in one sentence with the survey's thresholds filled in.
_LABEL_RULES = {
    "sterkte": _l(
        "Minstens %(strength)s is het (eerder) eens en het team is niet verdeeld."
    ),
    "werkpunt": _l(
        "Hoogstens %(work)s is het (eerder) eens en het team is niet verdeeld."
    ),
    "gespreksthema": _l(
        "Het team is verdeeld: eensgezindheid onder %(divided)s, of de antwoorden "
        "liggen aan beide uiteinden van de schaal."
    ),
    "blinde_vlek": _l(
        "Minstens %(no_view)s heeft er geen zicht op, of het beleidsteam kijkt er "
        "minstens %(gap)s punt anders naar dan de rest van het team."
    ),
    "prioriteit": _l(
        "Een werkpunt waarbij minstens %(ready)s ermee aan de slag wil."
    ),
}

CONSENSUS_NAMES = {
    "eensgezind": _l("het team is eensgezind"),
    "eerder_eensgezind": _l("het team is eerder eensgezind"),
    "verdeeld": _l("het team is verdeeld"),
}

#: Questions for the staff meeting, per label (and for a unit without a label).
GUIDING_QUESTIONS = {
    "sterkte": (
        _l("Wat maakt dat dit bij ons goed loopt?"),
        _l("Hoe houden we dat vast, ook als er nieuwe collega's komen?"),
        _l("Waar kunnen we deze aanpak nog gebruiken?"),
    ),
    "werkpunt": (
        _l("Wat maakt dat dit bij ons (nog) niet goed loopt?"),
        _l("Wat zou een eerste, kleine stap zijn?"),
        _l("Wie of wat hebben we daarvoor nodig?"),
    ),
    "gespreksthema": (
        _l("Wat zien jullie die anderen misschien niet zien?"),
        _l("Bedoelen we hetzelfde met deze stelling?"),
        _l("Waar verschillen de klassen, vakken of teams van elkaar?"),
    ),
    "blinde_vlek": (
        _l("Waarom hebben veel collega's hier geen zicht op?"),
        _l("Hoe kunnen we beter tonen wat er al gebeurt?"),
        _l("Waar kijkt het beleidsteam anders naar dan de rest van het team, en hoe "
           "komt dat?"),
    ),
    "prioriteit": (
        _l("Veel collega's willen hiermee aan de slag: wat willen we over een jaar "
           "bereikt hebben?"),
        _l("Wie wil mee trekken?"),
        _l("Hoe zien we dat het beter gaat?"),
    ),
    None: (
        _l("Wat herkennen jullie in deze cijfers, en wat verrast jullie?"),
        _l("Is dit iets om verder uit te diepen of om te laten rusten?"),
    ),
}

#: At pooled levels the spread includes differences between statements.
POOLED_CONSENSUS_NAMES = {
    "eensgezind": _l("de antwoorden liggen dicht bij elkaar"),
    "eerder_eensgezind": _l("de antwoorden liggen eerder dicht bij elkaar"),
    "verdeeld": _l("de antwoorden lopen uiteen"),
}



def unity(label: Any, level: str) -> str:
    """Name how united the answers are; pooled levels speak of answers, not people."""
    names = CONSENSUS_NAMES if level == "statement" else POOLED_CONSENSUS_NAMES
    return str(names.get(label, ""))


PERCEPTION_NOTE = _l(
    "Deze cijfers tonen hoe het team de school ziet: percepties, geen oordeel van "
    "de inspectie."
)


# --- numbers -------------------------------------------------------------------


def missing(value: Any) -> bool:
    """Tell whether ``value`` is a withheld or absent figure."""
    if value is None or value is pd.NA:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def pct(value: Any) -> str:
    """Format a share as a whole percentage ("76%"), or "–"."""
    if missing(value):
        return "–"
    return format_percent(float(value), format="#,##0%")


def dec(value: Any, digits: int = 1) -> str:
    """Format a number with ``digits`` decimals in the user's locale, or "–"."""
    if missing(value):
        return "–"
    return format_decimal(float(value), format="#,##0." + "0" * digits)


def signed(value: Any, digits: int = 1) -> str:
    """Format a difference with its sign ("+0,4", "−0,3")."""
    if missing(value):
        return "–"
    text = dec(abs(float(value)), digits)
    if round(float(value), digits) == 0:
        return text
    return ("+" if value > 0 else "−") + text


def signed_points(value: Any) -> str:
    """Format a difference of shares in percentage points ("+12 pp")."""
    if missing(value):
        return "–"
    points = round(float(value) * 100)
    sign = "+" if points > 0 else ("−" if points < 0 else "")
    return _("%(sign)s%(n)d procentpunt", sign=sign, n=abs(points))


def count(value: Any) -> int | None:
    """Return a count as int, or None when withheld."""
    return None if missing(value) else int(value)


# --- readings ------------------------------------------------------------------


def withheld_text(min_group: int) -> str:
    """Say that a cell is withheld because the group is too small."""
    return _("te weinig antwoorden om te tonen (minder dan %(n)d)", n=min_group)


def reason_text(reason: str | None, min_group: int) -> str:
    """Explain why a breakdown is withheld, for a reason code of the analysis."""
    if reason == SINGLE_GROUP:
        return _(
            "Na het samenvoegen van groepen kleiner dan %(n)d blijft maar één groep "
            "over; een vergelijking zou niets nieuws tonen en kleine groepen "
            "verraden.",
            n=min_group,
        )
    if reason == CROSS_DIMENSION:
        return _(
            "Samen met de indeling naar een andere deelgroep zou deze indeling een "
            "groep van minder dan %(n)d collega's zichtbaar maken (door de cijfers "
            "van beide indelingen van elkaar af te trekken). Daarom toont rOK deze "
            "indeling niet.",
            n=min_group,
        )
    return _(
        "Te weinig antwoorden om te tonen: minder dan %(n)d.", n=min_group
    )


def _top_two(row: Mapping[str, Any], points: Sequence[int], prefix: str) -> int:
    return int(sum(int(row[f"{prefix}{p}"]) for p in list(points)[-2:]))


def reading(
    row: Mapping[str, Any], points: Sequence[int], *, level: str, min_group: int
) -> str:
    """Say in one or two plain Dutch sentences what the figures of ``row`` mean.

    At statement level the counts are people ("8 van de 10 collega's zijn het
    (eerder) eens"); at pooled levels they are answers, and the reading says so.
    """
    if row.get("status") != SHOWN:
        return withheld_text(min_group).capitalize() + "."
    n = int(row["n_valid"])
    agree = _top_two(row, points, "agree_")
    if level == "statement":
        first = ngettext(
            "%(agree)d van de %(num)d collega is het (eerder) eens",
            "%(agree)d van de %(num)d collega's zijn het (eerder) eens",
            n,
            agree=agree,
        )
    else:
        first = _(
            "%(pct)s van de %(n)d antwoorden is (eerder) eens",
            pct=pct(row["pct_agree"]),
            n=n,
        )
    label = row.get("consensus_label")
    names = CONSENSUS_NAMES if level == "statement" else POOLED_CONSENSUS_NAMES
    unity = str(names.get(label, ""))
    if bool(row.get("polarised")):
        unity = _("het team is verdeeld: de antwoorden liggen aan beide uiteinden")
    sentence = f"{first}; {unity}." if unity else f"{first}."
    no_view = count(row.get("n_no_view")) or 0
    if no_view and not missing(row.get("share_no_view")):
        if level == "statement":
            sentence += " " + ngettext(
                "%(num)d collega heeft er geen zicht op.",
                "%(num)d collega's hebben er geen zicht op.",
                no_view,
            )
        else:
            sentence += " " + _(
                "%(pct)s van de antwoorden is 'geen zicht'.",
                pct=pct(row["share_no_view"]),
            )
    return sentence


def action_reading(row: Mapping[str, Any], *, level: str, min_group: int) -> str:
    """Say how ready the team is to act, or that it is withheld."""
    if row.get("action_status") != SHOWN:
        return _("Actiebereidheid: %(w)s.", w=withheld_text(min_group))
    lead = count(row.get("n_lead")) or 0
    text = _("%(pct)s wil ermee aan de slag", pct=pct(row["pct_ready"]))
    if level == "statement":
        text += "; " + ngettext(
            "%(num)d collega wil mee trekken", "%(num)d collega's willen mee trekken",
            lead,
        )
    else:
        text += "; " + ngettext(
            "%(num)d antwoord 'wil mee trekken'",
            "%(num)d antwoorden 'wil mee trekken'",
            lead,
        )
    return text + "."


def gap_reading(row: Mapping[str, Any]) -> str | None:
    """Say how the beleidsteam differs from the rest, when that is shown."""
    gap = row.get("leadership_gap")
    if missing(gap):
        return None
    if abs(float(gap)) < 0.05:
        return _("Het beleidsteam kijkt er net zo naar als de rest van het team.")
    if gap > 0:
        return _(
            "Het beleidsteam is gemiddeld %(d)s punt positiever dan de rest van "
            "het team.",
            d=dec(abs(gap)),
        )
    return _(
        "Het beleidsteam is gemiddeld %(d)s punt negatiever dan de rest van het "
        "team.",
        d=dec(abs(gap)),
    )


def label_names(labels: Iterable[str]) -> list[str]:
    """Return the screen names of classification labels."""
    return [str(LABEL_NAMES[label]) for label in labels if label in LABEL_NAMES]


def label_rules(thresholds: Thresholds) -> dict[str, str]:
    """Return each label's rule with the survey's thresholds filled in."""
    values = {
        "strength": pct(thresholds.strength_pct_agree),
        "work": pct(thresholds.work_pct_agree),
        "divided": dec(thresholds.divided_cns, 2),
        "no_view": pct(thresholds.no_view_share),
        "gap": dec(thresholds.gap, 2),
        "ready": pct(thresholds.ready_share),
    }
    return {label: str(_LABEL_RULES[label]) % values for label in LABELS}


def questions(labels: Sequence[str]) -> list[str]:
    """Return guiding questions for a unit with these labels (most telling first)."""
    order = ("prioriteit", "gespreksthema", "blinde_vlek", "werkpunt", "sterkte")
    chosen = [label for label in order if label in labels]
    if not chosen:
        return [str(q) for q in GUIDING_QUESTIONS[None]]
    out: list[str] = []
    for label in chosen[:2]:
        out += [str(q) for q in GUIDING_QUESTIONS[label]]
    return out


# --- subgroups -----------------------------------------------------------------


@dataclass(frozen=True)
class Dimension:
    """A subgroup dimension as the dashboard shows it."""

    key: str
    label: str
    options: tuple[tuple[str, str], ...]  # (key, label)
    is_role: bool = False

    def option_label(self, key: str) -> str:
        if key == MISSING:
            return _("niet ingevuld")
        return dict(self.options).get(key, key)


def part_label(part: Any, members: Sequence[str], dimension: Dimension) -> str:
    """Name a part: an option's label, "niet ingevuld", or "overige (a, b)"."""
    if part is None or missing(part):
        return ""
    if part == ALL:
        return _("hele team")
    if str(part).startswith(OTHER):
        names = ", ".join(dimension.option_label(m) for m in members)
        return _("overige (%(names)s)", names=names)
    return dimension.option_label(str(part))


def pick_part(rows: pd.DataFrame, option: str) -> pd.DataFrame:
    """Keep, per unit, the part that holds ``option`` (and withheld units)."""
    if rows.empty:
        return rows
    keep = rows["part"].isna() | rows["members"].map(lambda m: option in m)
    return rows.loc[keep]


def is_number(value: Any) -> bool:
    """Tell whether ``value`` is a finite number (for templates)."""
    try:
        return not missing(value) and math.isfinite(float(value))
    except (TypeError, ValueError):
        return False


__all__ = [
    "LABELS",
    "TOO_SMALL",
    "Dimension",
    "action_reading",
    "gap_reading",
    "label_names",
    "label_rules",
    "part_label",
    "pct",
    "questions",
    "reading",
    "reason_text",
    "withheld_text",
]
