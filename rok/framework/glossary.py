"""Find the glossary terms a text mentions (pure Python, reusable by any page).

Works with anything that has ``term`` (and usually ``explanation``): database
rows or the frozen values of :mod:`rok.framework.bankdata`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from typing import Protocol, TypeVar


class _HasTerm(Protocol):
    term: str


T = TypeVar("T", bound=_HasTerm)

#: Endings that make a Dutch noun plural or inflect an adjective ("drempel" ->
#: "drempels", "vakgroep" -> "vakgroepen", "leerplan" -> "leerplannen").
_SUFFIX = r"(?:en|s|n|e|'s|[bdfgklmnprst]en)?"


def _variant(words: list[str]) -> str:
    """Return a pattern for a (multi-word) term whose last word may be inflected."""
    *head, last = words
    stem = last
    lowered = last.casefold()
    if len(lowered) > 5 and lowered.endswith("en"):
        stem = last[:-2]  # "aanpassingen" also matches "aanpassing"
    elif len(lowered) > 5 and lowered.endswith("s") and not lowered.endswith("ss"):
        stem = last[:-1]  # "drempels" also matches "drempel"
    parts = [re.escape(w) for w in head] + [re.escape(stem) + _SUFFIX]
    return r"\s+".join(parts)


@lru_cache(maxsize=512)
def _patterns(term: str) -> tuple[re.Pattern, ...]:
    """Compile the patterns that recognise ``term`` in running text.

    "IAC (individueel aangepast curriculum)": an upper-case head is an acronym and
    the part in brackets an alternative; "Type (buitengewoon onderwijs)": a lower
    or mixed-case head is the term and the brackets only say where it applies.
    """
    match = re.match(r"^(.*?)\s*\((.*)\)\s*$", term)
    head, alternative = (match.group(1), match.group(2)) if match else (term, "")
    patterns = []
    if head.isupper() and len(head) <= 6:
        # Acronyms match exactly, so "clb" in a URL or "ok" in a word never counts.
        patterns.append(re.compile(rf"(?<!\w){re.escape(head)}(?:'s)?(?!\w)"))
        if alternative:
            patterns.append(
                re.compile(
                    rf"(?<!\w){_variant(alternative.split())}(?!\w)", re.IGNORECASE
                )
            )
    elif head.split():
        patterns.append(
            re.compile(rf"(?<!\w){_variant(head.split())}(?!\w)", re.IGNORECASE)
        )
    return tuple(patterns)


def glossary_terms_in(text: str, glossary: Iterable[T]) -> list[T]:
    """Return the glossary entries that ``text`` mentions, in order of appearance.

    Matching ignores case (except for acronyms such as "CLB"), allows the plural or
    singular of the last word, and only counts whole words. Each entry appears once;
    of two entries with the same term, the first one in ``glossary`` wins.
    """
    found: list[tuple[int, int, T]] = []
    seen_terms: set[str] = set()
    for order, entry in enumerate(glossary):
        key = entry.term.casefold()
        if key in seen_terms:
            continue
        positions = [m.start() for p in _patterns(entry.term) if (m := p.search(text))]
        if positions:
            seen_terms.add(key)
            found.append((min(positions), order, entry))
    found.sort(key=lambda item: (item[0], item[1]))
    return [entry for _, _, entry in found]
