"""Misspelled move words, fixed from data rather than from a list of typos.

A word is read as a move word of ``index.lexicon`` ("tankd" -> "tanked", "plumetted" ->
"plummeted", "benifited" -> "benefited", "loosers" -> "losers") when:

* it is not an English word: its ``wordfreq`` Zipf frequency is below ``MAX_ZIPF`` (real
  words such as "cared", "rated", "sold", "wines" are far above it and never change);
* it has at least ``MIN_LENGTH`` letters and starts with the same letter as the move word;
* it is within one edit of the move word, an edit being an insertion, deletion, substitution
  or swap of two neighbouring letters; or within two edits for words of ``LONG`` letters or
  more that ``wordfreq`` does not know at all (below ``MAX_ZIPF_FAR``: "plumetted"), as
  rare real words are often two edits from a move word ("breezing", "sundered");
* it is not capitalised inside a sentence (a name: "Sunak" is not "sunk");
* every move word that close has the same direction (else the typo is left alone).

Chat's dropped "g" ("droppin", "fallin") is read as the "-ing" form, and a few misspellings
that happen to be English words ("loosing") are listed in ``REAL_WORD_TYPOS``. Candidates are
found with a deletion index (SymSpell): a few dictionary lookups per unknown word.
"""

from __future__ import annotations

import re
from functools import lru_cache
from itertools import combinations

from wordfreq import zipf_frequency

from index.lexicon import vocabulary

__all__ = ["MAX_ZIPF", "fix_typos", "fix_word"]

MAX_ZIPF = 2.0
"""Words at least this frequent (about once per 10 million words) are English: never fixed."""
MAX_ZIPF_FAR = 1.0
MIN_LENGTH = 5
LONG = 8
REAL_WORD_TYPOS = {"loosing": "losing", "looses": "loses"}
"""Misspellings that are also (rare) English words, too frequent for the rule above."""
_WORD = re.compile(r"[A-Za-z][A-Za-z'-]*[A-Za-z]")


def one_edit(word: str) -> set[str]:
    """The lower-case words one edit away from ``word``: a letter dropped, added or changed,
    or two neighbours swapped."""
    letters = "abcdefghijklmnopqrstuvwxyz"
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    variants = {a + b[1:] for a, b in splits if b}
    variants |= {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
    variants |= {a + c + b[1:] for a, b in splits if b for c in letters}
    variants |= {a + c + b for a, b in splits for c in letters}
    variants.discard(word)
    return variants


def _max_edits(word: str) -> int:
    return 2 if len(word) >= LONG else 1


def _deletes(word: str, edits: int) -> set[str]:
    out = {word}
    for n in range(1, edits + 1):
        for drop in combinations(range(len(word)), n):
            out.add("".join(c for i, c in enumerate(word) if i not in drop))
    return out


@lru_cache(maxsize=1)
def _index() -> dict[str, tuple[str, ...]]:
    index: dict[str, set[str]] = {}
    for word in vocabulary():
        for variant in _deletes(word, _max_edits(word)):
            index.setdefault(variant, set()).add(word)
    return {k: tuple(sorted(v)) for k, v in index.items()}


def _distance(a: str, b: str) -> int:
    """Optimal string alignment distance (Levenshtein with swaps of neighbours)."""
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        row = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            row[j] = min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (ca != cb))
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                row[j] = min(row[j], prev2[j - 2] + 1)
        prev2, prev = prev, row
    return prev[-1]


@lru_cache(maxsize=4096)
def fix_word(word: str) -> str | None:
    """The move word a lower-case ``word`` misspells, None when it is one already or is not
    a misspelt move word."""
    vocab = vocabulary()
    if word in vocab:
        return None
    if word in REAL_WORD_TYPOS:
        return REAL_WORD_TYPOS[word]
    if len(word) < MIN_LENGTH or not word.isalpha():
        return None
    if word.endswith("in") and word + "g" in vocab:
        return word + "g"
    zipf = zipf_frequency(word, "en")
    if zipf >= MAX_ZIPF:
        return None
    edits = _max_edits(word) if zipf < MAX_ZIPF_FAR else 1
    found: dict[str, int] = {}
    for variant in _deletes(word, edits):
        for candidate in _index().get(variant, ()):
            if candidate[0] != word[0] or candidate in found:
                continue
            distance = _distance(word, candidate)
            if distance <= min(edits, _max_edits(candidate)):
                found[candidate] = distance
    if not found or len({vocab[c] for c in found}) != 1:
        return None
    return min(found, key=lambda c: (found[c], c[-1] != word[-1], abs(len(c) - len(word)), c))


def fix_typos(text: str) -> str:
    """``text`` in lower case with misspelt move words replaced by the words they misspell
    ("NVDA tankd" -> "nvda tanked"); capitalised words inside a sentence are names and are
    left alone, as are all other words."""

    def fix(m: re.Match[str]) -> str:
        word = m.group()
        low = word.lower()
        if word[0].isupper() and not word.isupper():
            before = text[: m.start()].rstrip()
            if before and before[-1] not in ".!?:;\"'(":
                return low
        return fix_word(low) or low

    return _WORD.sub(fix, text)
