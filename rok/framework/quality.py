"""Content-quality checks for statements (pure Python, used by the tests).

The rules come from what the field taught (see ``domain.md``): one idea per
statement, short, plain Dutch, no double negatives, no "en/of" pairs, a default
selection a teacher answers in about 15 minutes, and every expectation covered
by at least two statements per level. Each check returns :class:`Finding` values
so that a failing test lists every offending statement at once.
"""

from __future__ import annotations

import difflib
import itertools
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from rok.framework.bankdata import BankData, FrameworkData, StatementData

MAX_WORDS = 25
#: Two statements are near-identical when, after normalising case and punctuation,
#: their character similarity (difflib) or the overlap of their word sets (Jaccard)
#: reaches these values. The v1 bank peaks at 0.73 and 0.50.
DUPLICATE_RATIO = 0.85
DUPLICATE_JACCARD = 0.75
DEFAULT_MIN, DEFAULT_MAX = 40, 60
MIN_PER_EXPECTATION = 2

NEGATIONS = frozenset(
    {"niet", "geen", "nooit", "niemand", "niets", "nergens", "zonder", "noch"}
)
_PRONOUNS = frozenset({"ik", "we", "wij", "ze", "zij", "hij", "je", "jij", "men"})

# Finite and infinitive forms of verbs that statements commonly use. Two of them
# joined by "en" ("we plannen en evalueren") or "en" opening a clause with its own
# verb ("…, en we bespreken …") means the statement asks two things.
_VERB_FORMS = """
    ben is zijn zijt heb hebt heeft hebben word wordt worden
    kan kunt kunnen wil wilt willen moet moeten mag mogen zal zult zullen
    maak maakt maken geef geeft geven krijg krijgt krijgen neem neemt nemen
    bespreek bespreekt bespreken plan plant plannen evalueer evalueert evalueren
    volg volgt volgen werk werkt werken zorg zorgt zorgen betrek betrekt betrekken
    gebruik gebruikt gebruiken deel deelt delen leer leert leren ken kent kennen
    weet weten help helpt helpen ondersteun ondersteunt ondersteunen
    begeleid begeleidt begeleiden communiceer communiceert communiceren
    informeer informeert informeren stimuleer stimuleert stimuleren
    zoek zoekt zoeken vraag vraagt vragen luister luistert luisteren
    stel stelt stellen pas past passen toets toetst toetsen
    observeer observeert observeren rapporteer rapporteert rapporteren
    stuur stuurt sturen overleg overlegt overleggen spreek spreekt spreken
    voel voelt voelen kom komt komen ga gaat gaan doe doet doen zie ziet zien
    toon toont tonen denk denkt denken kies kiest kiezen houd houdt houden
    geloof gelooft geloven vind vindt vinden noteer noteert noteren
    registreer registreert registreren analyseer analyseert analyseren
    verbeter verbetert verbeteren pak pakt pakken reflecteer reflecteert reflecteren
    motiveer motiveert motiveren differentieer differentieert differentiëren
    respecteer respecteert respecteren waardeer waardeert waarderen
    bereik bereikt bereiken haal haalt halen daag daagt dagen
    organiseer organiseert organiseren coördineer coördineert coördineren
    stem stemt stemmen leg legt leggen schrijf schrijft schrijven lees leest lezen
""".split()
VERBS = frozenset(_VERB_FORMS)


@dataclass(frozen=True)
class Finding:
    """One problem with one statement (or with a level as a whole: ``key`` empty)."""

    check: str
    key: str
    message: str

    def __str__(self) -> str:
        return f"[{self.check}] {self.key + ': ' if self.key else ''}{self.message}"


# --- text helpers --------------------------------------------------------------------


def words(text: str) -> list[str]:
    """Return the words of ``text``, lower-cased, without punctuation."""
    return re.findall(r"\w+(?:[-']\w+)*", text.casefold())


def word_count(text: str) -> int:
    """Count words as a reader would ("OK-kader" is one word)."""
    return len(text.split())


def normalise(text: str) -> str:
    """Return ``text`` lower-cased, without accents, punctuation or extra spaces."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(re.findall(r"\w+", plain))


# --- per-statement checks ------------------------------------------------------


def too_long(text: str, limit: int = MAX_WORDS) -> bool:
    return word_count(text) > limit


def negations(text: str) -> list[str]:
    """Return the negating words in ``text`` in order of appearance."""
    return [w for w in words(text) if w in NEGATIONS]


def has_double_negation(text: str) -> bool:
    """Tell whether ``text`` holds two or more negations (hard to answer)."""
    return len(negations(text)) >= 2


def asks_two_things(text: str) -> str | None:
    """Return why ``text`` asks two things at once, or None when it asks one.

    Caught: "en/of" and "of/en"; "zowel … als"; two verbs joined by "en"
    ("we plannen en evalueren"); and "en" opening a second clause with its own
    subject or verb ("we bespreken de resultaten en we passen de aanpak aan").
    A pair of nouns ("ouders en leerlingen") is one thing and passes.
    """
    lowered = text.casefold()
    if re.search(r"\ben\s*/\s*of\b|\bof\s*/\s*en\b", lowered):
        return "'en/of' laat twee dingen tegelijk beoordelen"
    tokens = words(text)
    if "zowel" in tokens and "als" in tokens[tokens.index("zowel") :]:
        return "'zowel … als' vraagt naar twee dingen"
    for i, token in enumerate(tokens):
        if token not in {"en", "én"} or i == 0 or i == len(tokens) - 1:
            continue
        before, after = tokens[:i], tokens[i + 1 :]
        if before[-1] in VERBS and after[0] in VERBS:
            return f"twee werkwoorden verbonden met 'en': '{before[-1]} en {after[0]}'"
        verb_before = any(t in VERBS for t in before)
        opens_clause = after[0] in VERBS or (
            after[0] in _PRONOUNS and any(t in VERBS for t in after[1:])
        )
        if verb_before and opens_clause:
            return "'en' verbindt twee zinsdelen met elk een eigen werkwoord"
    return None


def is_near_duplicate(a: str, b: str) -> bool:
    """Tell whether two statement texts say (nearly) the same thing."""
    na, nb = normalise(a), normalise(b)
    if na == nb:
        return True
    wa, wb = set(na.split()), set(nb.split())
    jaccard = len(wa & wb) / len(wa | wb) if wa | wb else 1.0
    if jaccard >= DUPLICATE_JACCARD:
        return True
    return difflib.SequenceMatcher(None, na, nb).ratio() >= DUPLICATE_RATIO


def near_duplicates(
    statements: Sequence[StatementData],
) -> list[tuple[StatementData, StatementData]]:
    """Return every pair of near-identical statements in ``statements``."""
    return [
        (a, b)
        for a, b in itertools.combinations(statements, 2)
        if is_near_duplicate(a.text, b.text)
    ]


def check_texts(statements: Iterable[StatementData]) -> list[Finding]:
    """Run the per-statement checks (length, two things, double negation)."""
    findings = []
    for s in statements:
        if too_long(s.text):
            findings.append(
                Finding(
                    "lengte", s.id, f"{word_count(s.text)} woorden (max. {MAX_WORDS})"
                )
            )
        reason = asks_two_things(s.text)
        if reason:
            findings.append(Finding("twee-vragen", s.id, reason))
        if has_double_negation(s.text):
            findings.append(
                Finding(
                    "dubbele-ontkenning",
                    s.id,
                    "ontkenningen: " + ", ".join(negations(s.text)),
                )
            )
    return findings


def check_duplicates(statements: Sequence[StatementData]) -> list[Finding]:
    return [
        Finding("dubbel", a.id, f"lijkt te sterk op {b.id}: {a.text!r} ~ {b.text!r}")
        for a, b in near_duplicates(statements)
    ]


# --- per-level checks ----------------------------------------------------------


def check_default_selection(
    statements: Sequence[StatementData],
    level: str,
    framework: FrameworkData,
    minimum: int = DEFAULT_MIN,
    maximum: int = DEFAULT_MAX,
) -> list[Finding]:
    """Check the size of the default selection and that it covers every rubriek."""
    selected = [s for s in statements if level in s.default_for]
    findings = []
    if not minimum <= len(selected) <= maximum:
        findings.append(
            Finding(
                "standaardselectie",
                "",
                f"{level}: {len(selected)} stellingen (verwacht {minimum}–{maximum})",
            )
        )
    rubriek_of = framework.rubriek_of()
    covered = {rubriek_of.get(s.expectation) for s in selected}
    for rubriek in framework.rubrieken:
        if rubriek.code not in covered:
            findings.append(
                Finding(
                    "standaardselectie",
                    "",
                    f"{level}: geen stelling uit rubriek "
                    f"{rubriek.code} ({rubriek.title})",
                )
            )
    return findings


def check_coverage(
    statements: Sequence[StatementData],
    level: str,
    framework: FrameworkData,
    minimum: int = MIN_PER_EXPECTATION,
) -> list[Finding]:
    """Check that every expectation has ``minimum`` statements for ``level``."""
    counts = Counter(s.expectation for s in statements if level in s.levels)
    return [
        Finding(
            "dekking",
            "",
            f"{level}: {e.code} heeft {counts[e.code]} stelling(en) (min. {minimum})",
        )
        for e in framework.expectations
        if counts[e.code] < minimum
    ]


def check_level(bank: BankData, framework: FrameworkData, level: str) -> list[Finding]:
    """Run every check on the statements of one level."""
    statements = bank.for_level(level)
    return (
        check_texts(statements)
        + check_duplicates(statements)
        + check_default_selection(statements, level, framework)
        + check_coverage(statements, level, framework)
    )
