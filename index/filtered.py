"""The candidate searches of a reader, dense and keyword, with filters that never list a window.

A dense search with filters (dates, tickers) on an approximate (``ivf-sq8``) generation
over-fetches the nearest ``k x factor`` chunks of the whole index (``OVERFETCH``), keeps those
inside the filters and returns once ``k`` survive; only when too few do (a narrow window far
from the query) does it fall back to the exact search, the window's ids against every IVF
list. On a flat (small) generation the filtered search is that exact one, as it always was.

A keyword search with a narrow date window or rare tickers gives SQLite their chunk ids (the
window's from memory, ``ChunkDates``) as a set its ``allowed(rowid)`` function reads, so BM25
scores only the matches inside them; for the wide parts (a long window, a ticker in a large
share of the news) it fetches the best ``k x 10`` matches, keeps those inside the filters,
and fetches 8x more until ``k`` survive or none are left.

An empty date window (a period the index holds nothing for) answers at once on both sides.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
from collections.abc import Sequence
from typing import Any

import numpy as np

from index import vectors
from index.chunk_dates import ChunkDates, bounds
from index.hits import Filters
from index.keyword import MAX_TERMS, fts_match, prune_terms, query_terms, scoring_terms

log = logging.getLogger(__name__)

OVERFETCH = (10, 100)
"""Over-fetch factors of a filtered dense search on an ``ivf-sq8`` generation, tried in turn
before the exact fallback."""
POST_FILTER_MIN = 512
"""Fewest best keyword matches fetched for a post-filter (then 8x each time)."""
WINDOW_SET_MAX = 150_000
"""A date window of at most this many chunks filters keyword matches inside SQLite (a set
of its ids read by the connection's ``allowed(rowid)``: BM25 then scores only those); a
wider one post-filters the best matches."""
TICKER_SET_MAX = 5_000
"""Tickers named by at most this many articles filter inside SQLite too."""
ID_SETS_KEPT = 12
"""Id sets of narrow filters kept for the next searches (a question's searches share them);
as many tickers' checked candidates."""
CHECKED_MAX = 200_000
"""Candidates remembered per ticker set, checked or not (then no more are remembered)."""


class AllowedIds:
    """The ``allowed(rowid)`` SQL function of one connection: membership in ``ids``."""

    def __init__(self) -> None:
        self.ids: frozenset[int] = frozenset()

    def __call__(self, rowid: int) -> bool:
        return rowid in self.ids


class FilteredSearch:
    """Mixin of ``IndexReader``: its ``dense`` and ``keyword`` searches."""

    _term_stats: bool
    _dates: ChunkDates | None = None
    _dates_lock = threading.Lock()  # class-wide, taken briefly (not _query's _lock)
    _id_sets: dict[tuple[Any, ...], frozenset[int]]
    _ticker_counts: dict[str, int]
    _checked: dict[tuple[str, ...], tuple[set[int], set[int]]]

    def _query(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        raise NotImplementedError

    def _doc_count(self, token: str) -> int:
        raise NotImplementedError

    @property
    def _faiss(self) -> Any:
        raise NotImplementedError

    @property
    def vectors_kind(self) -> str:
        raise NotImplementedError

    def chunk_dates(self) -> ChunkDates:
        """Every chunk's publication time (read on first use, kept for the generation)."""
        if self._dates is None:
            with self._dates_lock:
                if self._dates is None:
                    self._dates = ChunkDates.load(self._connection())
        return self._dates

    def _connection(self) -> sqlite3.Connection:
        raise NotImplementedError

    def _allowed(self) -> AllowedIds:
        """This thread's connection's ``allowed(rowid)`` SQL function."""
        raise NotImplementedError

    def _window_empty(self, filters: Filters) -> bool:
        window = bounds(filters)
        return window is not None and self.chunk_dates().count(*window) == 0

    # -- dense --------------------------------------------------------------------------
    def dense(self, query: Any, k: int, filters: Filters | None = None) -> list[tuple[int, float]]:
        """Top-k chunks by cosine similarity to the query vector, within the filters."""
        if filters is None or filters.empty:
            return vectors.search(self._faiss, query, k)
        if self.vectors_kind == vectors.IVF_SQ8:
            if self._window_empty(filters):
                return []
            if filters.tickers:  # a rare ticker: its few chunks, searched exactly
                ids, rest = self._narrow_ids(filters)
                if ids is not None and rest.empty:
                    return self._dense_exact(query, k, filters, list(ids))
            for factor in OVERFETCH:
                found = vectors.search(self._faiss, query, k * factor)
                kept = self._within(found, filters)
                if len(kept) >= k:
                    return kept[:k]
                if len(found) < k * factor:  # fewer than asked for: no more to find here
                    break
            log.debug("dense: too few within %s among %d candidates; exact search",
                      filters, k * OVERFETCH[-1])
        return self._dense_exact(query, k, filters)

    def _dense_exact(self, query: Any, k: int, filters: Filters,
                     allowed: list[int] | None = None) -> list[tuple[int, float]]:
        """The exact filtered search: every chunk id in the window (``allowed`` when known),
        handed to FAISS."""
        if allowed is None and self.vectors_kind == vectors.FLAT:  # as it always was
            where, params = self._filter_sql(filters)
            allowed = [r[0] for r in self._query(f"SELECT c.id FROM chunks c WHERE {where}",
                                                 params)]
        elif allowed is None:
            allowed = self._window_ids(filters)
        return vectors.search(self._faiss, query, k, allowed=allowed, exhaustive=True)

    def _filter_sql(self, filters: Filters, alias: str = "c") -> tuple[str, list[Any]]:
        clauses: list[str] = []
        params: list[Any] = []
        if filters.since is not None:
            clauses.append(f"{alias}.published_ts >= ?")
            params.append(filters.since.timestamp())
        if filters.until is not None:
            clauses.append(f"{alias}.published_ts <= ?")
            params.append(filters.until.timestamp())
        if filters.tickers:
            marks = ",".join("?" for _ in filters.tickers)
            clauses.append(
                f"{alias}.article_id IN "
                f"(SELECT article_id FROM entities WHERE ticker IN ({marks}))"
            )
            params += [t.upper() for t in filters.tickers]
        return " AND ".join(clauses), params

    def _window_ids(self, filters: Filters) -> list[int]:
        """The window's chunk ids without reading a chunk row: the date range from memory,
        the tickers' chunks through ``entities_ticker`` and ``chunks_article``, intersected."""
        parts: list[np.ndarray] = []
        window = bounds(filters)
        if window is not None:
            parts.append(self.chunk_dates().window(*window))
        if filters.tickers:
            parts.append(self._ticker_chunk_ids(filters.tickers))
        if len(parts) == 1:
            return parts[0].tolist()
        return np.intersect1d(parts[0], parts[1]).tolist()

    def _within(self, found: list[tuple[int, float]], filters: Filters) -> list[tuple[int, float]]:
        """The candidates inside the filters, in their order."""
        if not found:
            return []
        ids = np.fromiter((cid for cid, _ in found), dtype=np.int64, count=len(found))
        keep = np.ones(len(ids), dtype=bool)
        window = bounds(filters)
        if window is not None:
            keep = self.chunk_dates().inside(ids, *window)
        if filters.tickers:
            naming = self._naming(ids[keep], filters.tickers)
            keep &= np.isin(ids, np.fromiter(naming, dtype=np.int64, count=len(naming)))
        return [pair for pair, ok in zip(found, keep.tolist(), strict=True) if ok]

    def _naming(self, ids: np.ndarray, tickers: Sequence[str]) -> set[int]:
        """Those of ``ids`` whose article names any of ``tickers``. Only ids not checked for
        these tickers before are looked up (a question's searches, and the next questions
        on the same company, meet the same chunks again)."""
        if len(ids) == 0:
            return set()
        key = tuple(sorted(t.upper() for t in tickers))
        with self._dates_lock:
            checked = self._checked.pop(key, None) or (set(), set())
            self._checked[key] = checked  # most recent last
            while len(self._checked) > ID_SETS_KEPT:
                self._checked.pop(next(iter(self._checked)))
        seen, naming = checked
        wanted = ids.tolist()
        todo = [i for i in wanted if i not in seen]
        if todo:
            marks = ",".join("?" for _ in key)
            # The candidates drive the loop (rowid lookups), not the tickers' entity rows.
            rows = self._query(
                "SELECT c.id FROM json_each(?) AS j CROSS JOIN chunks AS c ON c.id = j.value "
                "WHERE EXISTS (SELECT 1 FROM entities e WHERE e.article_id = c.article_id "
                f"AND e.ticker IN ({marks}))", [json.dumps(todo), *key])
            if len(seen) < CHECKED_MAX:
                naming.update(int(r[0]) for r in rows)
                seen.update(todo)
            else:
                return {int(r[0]) for r in rows} | {i for i in wanted if i in naming}
        return {i for i in wanted if i in naming}

    # -- keyword ------------------------------------------------------------------------
    def keyword(self, text: str, k: int, filters: Filters | None = None) -> list[tuple[int, float]]:
        """Top-k chunks by BM25 (title weighted 2x), within the filters; higher is better.

        The question's very common terms are left out of the match (see ``index.keyword``)."""
        terms = query_terms(text)[:MAX_TERMS]
        if self._term_stats:
            kept = prune_terms(terms, self._doc_count)
            scoring = scoring_terms(terms, kept, self._doc_count)
        else:
            kept = scoring = terms
        match = fts_match(kept, scoring=scoring)
        if match is None or k <= 0:
            return []
        if filters is None or filters.empty:  # SQLite ranks inside the FTS table
            rows = self._query(
                "SELECT rowid, bm25(chunks_fts, 2.0, 1.0) AS s FROM chunks_fts "
                "WHERE chunks_fts MATCH ? ORDER BY s LIMIT ?", [match, k])
            return [(int(r[0]), -float(r[1])) for r in rows]
        if self._window_empty(filters):
            return []
        ids, rest = self._narrow_ids(filters)
        if ids is not None and not ids:  # a narrow part holds no chunk
            return []
        sql = ("SELECT rowid, bm25(chunks_fts, 2.0, 1.0) AS s FROM chunks_fts WHERE chunks_fts "
               f"MATCH ? {'AND allowed(rowid) ' if ids is not None else ''}ORDER BY s LIMIT ?")
        allowed = self._allowed()
        allowed.ids = ids if ids is not None else frozenset()
        try:
            if rest.empty:
                return [(int(r[0]), -float(r[1])) for r in self._query(sql, [match, k])]
            limit = max(OVERFETCH[0] * k, POST_FILTER_MIN)
            while True:  # the best ``limit`` matches, then those inside the other filters
                rows = self._query(sql, [match, limit])
                inside = self._within([(int(r[0]), -float(r[1])) for r in rows], rest)
                if len(inside) >= k or len(rows) < limit:
                    return inside[:k]
                limit *= 8
        finally:
            allowed.ids = frozenset()

    def _narrow_ids(self, filters: Filters) -> tuple[frozenset[int] | None, Filters]:
        """The ids of the filters' narrow parts (a date window of at most ``WINDOW_SET_MAX``
        chunks, tickers named by at most ``TICKER_SET_MAX`` articles), intersected; None
        when no part is narrow; and the filters still to check on candidates."""
        window = bounds(filters)
        narrow_window = (window is not None
                         and self.chunk_dates().count(*window) <= WINDOW_SET_MAX)
        tickers = tuple(sorted(t.upper() for t in filters.tickers))
        narrow_tickers = bool(tickers) and self._ticker_articles(tickers) <= TICKER_SET_MAX
        rest = Filters(since=None if narrow_window else filters.since,
                       until=None if narrow_window else filters.until,
                       tickers=[] if narrow_tickers else list(tickers))
        if not (narrow_window or narrow_tickers):
            return None, rest
        key = (window if narrow_window else None, tickers if narrow_tickers else ())
        with self._dates_lock:
            ids = self._id_sets.get(key)
        if ids is None:
            parts = []
            if narrow_window and window is not None:
                parts.append(self.chunk_dates().window(*window))
            if narrow_tickers:
                parts.append(self._ticker_chunk_ids(tickers))
            found = parts[0] if len(parts) == 1 else np.intersect1d(parts[0], parts[1])
            ids = frozenset(found.tolist())
            with self._dates_lock:
                self._id_sets[key] = ids
                while len(self._id_sets) > ID_SETS_KEPT:
                    self._id_sets.pop(next(iter(self._id_sets)))
        return ids, rest

    def _ticker_articles(self, tickers: tuple[str, ...]) -> int:
        """Articles naming any of the tickers (an upper bound: an article naming two counts
        twice), cached."""
        count = 0
        for ticker in tickers:
            if ticker not in self._ticker_counts:
                rows = self._query("SELECT count(*) FROM entities WHERE ticker = ?", [ticker])
                self._ticker_counts[ticker] = int(rows[0][0])
            count += self._ticker_counts[ticker]
        return count

    def _ticker_chunk_ids(self, tickers: Sequence[str]) -> np.ndarray:
        """The chunk ids of the articles naming any of the tickers (sorted, unique)."""
        marks = ",".join("?" for _ in tickers)
        return np.unique(np.array([r[0] for r in self._query(
            "SELECT c.id FROM entities e JOIN chunks c INDEXED BY chunks_article "
            f"ON c.article_id = e.article_id WHERE e.ticker IN ({marks})",
            [t.upper() for t in tickers])], dtype=np.int64))
