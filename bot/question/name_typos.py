"""Misspelt company names in a question: "nvdia", "qualcom", "micorsoft", "googles".

Only the curated alias table's one-word names of five letters or more are targets, and only
for a word that is no English word (wordfreq) and no name of the table itself: one edit away
(a letter dropped, added, changed or two swapped), or the name with an "s" glued on (a
possessive typed without its apostrophe: "googles new ai bot"). Ambiguous aliases ("zoom",
"snap") are never targets: their plain spelling already needs a stock cue.
"""

from __future__ import annotations

from functools import lru_cache

from wordfreq import zipf_frequency

from index.tickers import NameForm, TickerTable

MIN_LENGTH = 5
"""Shorter names ("meta", "intel") are one edit away from too many words."""
WORD_ZIPF = 3.0
"""A word at least this frequent in English is a word, not a misspelt name."""
_LETTERS = "abcdefghijklmnopqrstuvwxyz"


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


def _edits(word: str) -> set[str]:
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    out = {a + b[1:] for a, b in splits if b}
    out |= {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
    out |= {a + c + b[1:] for a, b in splits if b for c in _LETTERS}
    out |= {a + c + b for a, b in splits for c in _LETTERS}
    out.discard(word)
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
    for variant in _edits(low):
        entry = targets.get(variant)
        if entry is not None and entry.company is not None:
            found[entry.company.key] = entry
    return next(iter(found.values())) if len(found) == 1 else None
