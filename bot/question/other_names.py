"""Other names a question may give a company: a misspelling ("nvdia", "qualcom",
"micorsoft", "googles") or a product or person it is known for ("the photoshop company").

Misspellings: only the curated alias table's one-word names of five letters or more are
targets, and only for a word that is no English word (wordfreq) and no name of the table
itself: one edit away (a letter dropped, added, changed or two swapped), or the name with an
"s" glued on (a possessive typed without its apostrophe: "googles new ai bot"). Ambiguous
aliases ("zoom", "snap") are never targets: their plain spelling already needs a stock cue.

Known for: ``TickerTable.known_for`` (the alias table's ``known_for`` lists), only as "the <it>
maker/company/parent/owner/guys" or "<it>'s company", never alone.
"""

from __future__ import annotations

import re
from functools import lru_cache

from wordfreq import zipf_frequency

from index.tickers import Company, NameForm, TickerTable
from index.typos import one_edit

MIN_LENGTH = 5
"""Shorter names ("meta", "intel") are one edit away from too many words."""
WORD_ZIPF = 3.0
"""A word at least this frequent in English is a word, not a misspelt name."""


@lru_cache(maxsize=4)
def _targets(table: TickerTable) -> dict[str, NameForm]:
    """One-word curated names of ``MIN_LENGTH`` letters or more, by spelling."""
    out: dict[str, NameForm] = {}
    for key, entries in table.names.items():
        if len(key) < MIN_LENGTH or not key.isalpha():
            continue
        aliases = [e for e in entries if e.how == "alias" and not e.check and e.company]
        if aliases and len({e.company.key for e in entries if e.company}) == 1:
            out[key] = aliases[0]
    return out


def misspelt_name(word: str, table: TickerTable) -> NameForm | None:
    """The curated name ``word`` misspells, or None (none, or more than one company)."""
    low = word.lower()
    if len(low) < MIN_LENGTH or not low.isalpha() or low in table.names:
        return None
    if zipf_frequency(low, "en") >= WORD_ZIPF:
        return None
    targets = _targets(table)
    if low.endswith("s") and low[:-1] in targets:
        return targets[low[:-1]]
    found: dict[str, NameForm] = {}
    for variant in one_edit(low):
        entry = targets.get(variant)
        if entry is not None and entry.company is not None:
            found[entry.company.key] = entry
    return next(iter(found.values())) if len(found) == 1 else None


_KNOWN_FOR = re.compile(
    r"\b(?:the\s+)?(?P<it>[\w.-]+(?:\s+[\w.-]+)?)(?:['’]s?)?\s+"
    r"(?:maker|makers|company|co|parent|owner|giant|firm|guys|people|creator|developer)\b",
    re.IGNORECASE,
)


def known_for(
    text: str, table: TickerTable, taken: list[tuple[int, int]]
) -> list[tuple[int, int, Company]]:
    """(start, end, company) for each "the photoshop company", "the iphone maker", "zuck's
    company" of ``text`` outside the ``taken`` spans."""
    found: list[tuple[int, int, Company]] = []
    for m in _KNOWN_FOR.finditer(text):
        words = m["it"].lower().split()
        for first in range(len(words)):  # "the new iphone maker": "iphone"
            company = table.known_for.get(" ".join(words[first:]))
            if company is not None:
                start = m.start("it") + m["it"].lower().index(words[first])
                if not any(s < m.end() and start < e for s, e in taken):
                    found.append((start, m.end(), company))
                break
    return found
