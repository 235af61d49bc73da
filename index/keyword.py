"""Keyword side of the search: the FTS5 query built from a question, pruned by term rarity.

BM25 costs one score per matching chunk (~2 us each): a question with a very common word
("ai", "said") matches a large share of the index and pays for every row while that word adds
little to the ranking (its IDF is small). The index stores each FTS term's chunk count
(``term_stats``, written at publish); the query keeps the rarest terms, then the more common
ones while their counts add up to at most ``MAX_ROWS`` (so a query's BM25 work is bounded
whatever the size of the index), and never sends more than ``MAX_TERMS``; the terms in more
than ``SCORING_MAX_ROWS`` chunks do not score either.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from functools import lru_cache

import snowballstemmer

from index.lexicon import SEARCH_VERBS, move_hits
from index.typos import fix_typos, fix_word

_STOP = frozenset(
    (
        "a an and are as at be by did do does for from has have how in is it its of on or that "
        "the this to was were what when where which who whom why will with about after before "
        "stock stocks share shares news"
    ).split()
)
_TERM = re.compile(r"[\w][\w.&'-]*", re.UNICODE)
_TOKEN = re.compile(r"\w+", re.UNICODE)  # what FTS5's unicode61 tokenizer keeps of a term

MAX_TERMS = 16
MAX_ROWS = 12_000
"""Budget of BM25 work: the kept terms' chunk counts add up to at most this."""
SCORING_MAX_ROWS = 50_000
"""A term in more chunks than this is left out of the scoring too: its postings are long
(at 1M chunks "up" is in 300,000) and its weight in BM25 small. Below 50,000 chunks no term
is left out, so small indexes rank as they always did."""
KEEP_AT_LEAST = 1


def query_terms(text: str) -> list[str]:
    """The question's words (lower case, no stop words), then expansions: the correct
    spelling of a misspelt move word ("tankd" -> "tanked"), and for each move direction the
    question has (slang, phrases and cues of ``index.lexicon``: "got smoked", "who lost"),
    the verbs news uses for it (``SEARCH_VERBS``: "plummeted")."""
    terms: dict[str, None] = {}
    expansions: dict[str, None] = {}
    for raw in _TERM.findall(text.lower()):
        term = raw.strip(".'-&").replace('"', "")
        if len(term) < 2 or term in _STOP:
            continue
        terms.setdefault(term, None)
        fixed = fix_word(term)
        if fixed is not None:
            expansions.setdefault(fixed, None)
    for _, _, direction in move_hits(fix_typos(text)):
        for verb in SEARCH_VERBS[direction]:
            expansions.setdefault(verb, None)
    return list(terms) + [w for w in expansions if w not in terms]


@lru_cache(maxsize=1)
def _porter() -> snowballstemmer.basestemmer.BaseStemmer:
    return snowballstemmer.stemmer("porter")  # the algorithm of FTS5's 'porter' tokenizer


@lru_cache(maxsize=20_000)
def fts_tokens(term: str) -> tuple[str, ...]:
    """The stemmed tokens FTS5 indexes for ``term`` ("at&t" -> ("at", "t")).

    Like FTS5's porter tokenizer, tokens shorter than 3 or longer than 64 characters are
    left as they are ("us" stays "us")."""
    return tuple(
        tok if len(tok) < 3 or len(tok) > 64 else _porter().stemWord(tok)
        for tok in _TOKEN.findall(term)
    )


def prune_terms(
    terms: Sequence[str],
    doc_count: Callable[[str], int],
    max_terms: int | None = None,
    max_rows: int | None = None,
) -> list[str]:
    """The rarest terms whose chunk counts add up to at most ``max_rows`` (always the
    ``KEEP_AT_LEAST`` rarest), at most ``max_terms`` of them, in question order (defaults:
    ``MAX_ROWS``, ``MAX_TERMS``).

    ``doc_count`` gives the chunks containing a stemmed token; a term's count is that of its
    rarest token (an upper bound of a phrase's). Unknown tokens count 0: such a term is kept.
    """
    max_terms = MAX_TERMS if max_terms is None else max_terms
    max_rows = MAX_ROWS if max_rows is None else max_rows
    counts = {t: min((doc_count(tok) for tok in fts_tokens(t)), default=0) for t in terms}
    kept: set[str] = set()
    rows = 0
    for term in sorted(terms, key=lambda t: counts[t])[:max_terms]:
        if len(kept) >= KEEP_AT_LEAST and rows + counts[term] > max_rows:
            break
        kept.add(term)
        rows += counts[term]
    return [t for t in terms if t in kept]


def scoring_terms(
    terms: Sequence[str], kept: Sequence[str], doc_count: Callable[[str], int],
    max_rows: int | None = None,
) -> list[str]:
    """The terms BM25 scores with: the kept ones and every other whose chunk count is at
    most ``max_rows`` (default ``SCORING_MAX_ROWS``), in question order."""
    max_rows = SCORING_MAX_ROWS if max_rows is None else max_rows
    kept_set = set(kept)
    return [t for t in terms if t in kept_set
            or min((doc_count(tok) for tok in fts_tokens(t)), default=0) <= max_rows]


def fts_match(terms: Sequence[str], scoring: Sequence[str] = ()) -> str | None:
    """A safe FTS5 query: the terms, quoted, OR-ed (no operator injection).

    With ``scoring`` (all the question's terms, of which ``terms`` are the kept ones), the
    chunks matched are still those containing a kept term, but BM25 scores them with every
    term: ``(kept) AND (all)``. The kept terms then count twice, the common ones once, and a
    chunk naming "chatgpt" (common) beside "100 million users" still ranks above one without.
    """
    if not terms:
        return None
    kept = _any_of(terms)
    if not scoring or set(scoring) <= set(terms):
        return kept
    return f"({kept}) AND ({_any_of(scoring)})"


def _any_of(terms: Sequence[str]) -> str:
    return " OR ".join(f'"{t}"' for t in terms)
