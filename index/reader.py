"""Read side: open the serving generation, run dense and keyword candidate searches.

A dense search with filters (dates, tickers) on an approximate (``ivf-sq8``) generation never
lists the window's chunks: it over-fetches the nearest ``k x factor`` chunks of the whole
index (``OVERFETCH``), keeps those inside the filters (a lookup of just those ids in SQLite)
and returns once ``k`` survive; only when too few do (a narrow window far from the query) does
it fall back to the exact search of today, the window's ids against every IVF list. On a flat
(small) generation the filtered search is that exact one, as it always was.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

import numpy as np

from index import generations, vectors
from index.errors import IndexCorrupt
from index.generations import SQLITE_NAME
from index.hits import MAX_DUPLICATES, Duplicates, Filters, SearchHit, published_of
from index.keyword import MAX_TERMS, fts_match, prune_terms, query_terms
from index.manifest import Manifest
from index.reader_facts import FactQueries, move_columns, move_from_row
from index.records import Entity, Move
from index.store import connect, has_term_stats, moves_has_kind

__all__ = ["Filters", "IndexReader", "SearchHit", "published_of"]

log = logging.getLogger(__name__)

OVERFETCH = (10, 100)
"""Over-fetch factors of a filtered dense search on an ``ivf-sq8`` generation, tried in turn
before the exact fallback."""


class IndexReader(FactQueries):
    """A read-only view of one published generation (immutable, safe across threads).

    Its vector index is read on first use (or by :meth:`load`): a reader used only for its
    SQLite side (the watcher's) never holds the vectors. A generation whose files are
    missing, partial or unreadable raises ``IndexCorrupt`` when opened or loaded.
    """

    def __init__(self, path: Path, manifest: Manifest, nprobe: int = vectors.NPROBE) -> None:
        self.path = path
        self.manifest = manifest
        self.generation = path.name
        self.nprobe = nprobe
        generations.check_files(path, manifest)
        try:
            self._conn = connect(path / SQLITE_NAME, readonly=True)
            self._conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except sqlite3.Error as exc:
            raise IndexCorrupt(f"{path / SQLITE_NAME} cannot be read: {exc}") from exc
        self._vectors: Any = None
        self._vectors_lock = threading.Lock()
        self._lock = threading.Lock()
        # One read-only connection per thread (``_query``): the keyword search, running
        # beside the dense one, never waits for it (SQLite releases the GIL).
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []
        self._term_docs: dict[str, int] = {}
        self._term_stats = has_term_stats(self._conn)
        self._moves_kind = moves_has_kind(self._conn)
        self._article_days: tuple[date, ...] | None = None

    @classmethod
    def open(
        cls, index_dir: Path, model_id: str | None = None, dimension: int | None = None,
        nprobe: int = vectors.NPROBE,
    ) -> IndexReader:
        """Open the serving generation; refuse one built by another model, or broken."""
        path = generations.current_generation(index_dir)
        manifest = generations.read_manifest(path)
        if model_id is not None and dimension is not None:
            manifest.check_model(model_id, dimension)
        return cls(path, manifest, nprobe=nprobe)

    def load(self) -> IndexReader:
        """Read the vector index now (``IndexCorrupt`` if it is broken); returns self."""
        _ = self._faiss
        return self

    @property
    def _faiss(self) -> Any:
        if self._vectors is None:
            with self._vectors_lock:
                if self._vectors is None:
                    self._vectors = generations.read_vectors(self.path, self.manifest)
                    vectors.set_nprobe(self._vectors, self.nprobe)
        return self._vectors

    @property
    def vectors_kind(self) -> str:
        """``flat`` (exact) or ``ivf-sq8`` (approximate), as the manifest records it."""
        return self.manifest.vectors.kind

    def close(self) -> None:
        self._conn.close()
        with self._lock:
            for conn in self._connections:
                conn.close()
            self._connections.clear()

    def _query(self, sql: str, params: Sequence[Any] = ()) -> list[sqlite3.Row]:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = connect(self.path / SQLITE_NAME, readonly=True)
            with self._lock:
                self._connections.append(conn)
            self._local.conn = conn
        return conn.execute(sql, params).fetchall()

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

    def dense(self, query: Any, k: int, filters: Filters | None = None) -> list[tuple[int, float]]:
        """Top-k chunks by cosine similarity to the query vector, within the filters."""
        if filters is None or filters.empty:
            return vectors.search(self._faiss, query, k)
        if self.vectors_kind == vectors.IVF_SQ8:
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

    def _dense_exact(self, query: Any, k: int, filters: Filters) -> list[tuple[int, float]]:
        """The exact filtered search: every chunk id in the window, handed to FAISS."""
        if self.vectors_kind == vectors.FLAT:  # as it always was: small indexes do not change
            where, params = self._filter_sql(filters)
            allowed = [r[0] for r in self._query(f"SELECT c.id FROM chunks c WHERE {where}",
                                                 params)]
        else:
            allowed = self._window_ids(filters)
        return vectors.search(self._faiss, query, k, allowed=allowed, exhaustive=True)

    def _window_ids(self, filters: Filters) -> list[int]:
        """The window's chunk ids from indexes only (no chunk row is read: at 1M chunks their
        text makes a row scan of a month cost ~1 s): the date range on ``chunks_published``,
        the tickers' chunks through ``entities_ticker`` and ``chunks_article``, intersected."""
        parts: list[list[int]] = []
        if filters.since is not None or filters.until is not None:
            lo = filters.since.timestamp() if filters.since is not None else -1e18
            hi = filters.until.timestamp() if filters.until is not None else 1e18
            parts.append([r[0] for r in self._query(
                "SELECT id FROM chunks WHERE published_ts >= ? AND published_ts <= ?", [lo, hi])])
        if filters.tickers:
            marks = ",".join("?" for _ in filters.tickers)
            parts.append([r[0] for r in self._query(
                "SELECT DISTINCT c.id FROM entities e JOIN chunks c INDEXED BY chunks_article "
                f"ON c.article_id = e.article_id WHERE e.ticker IN ({marks})",
                [t.upper() for t in filters.tickers])])
        if len(parts) == 1:
            return parts[0]
        small, large = sorted(parts, key=len)
        inside = set(small).intersection(large)
        return [cid for cid in small if cid in inside]

    def _within(self, found: list[tuple[int, float]], filters: Filters) -> list[tuple[int, float]]:
        """The candidates inside the filters, in their order (only these ids are looked up)."""
        if not found:
            return []
        # The candidates drive the loop (rowid lookups); "+" keeps SQLite from scanning the
        # date index instead, which at 1M chunks is a scan of the whole window.
        clauses = ["1"]
        params: list[Any] = [json.dumps([cid for cid, _ in found])]
        if filters.since is not None:
            clauses.append("+c.published_ts >= ?")
            params.append(filters.since.timestamp())
        if filters.until is not None:
            clauses.append("+c.published_ts <= ?")
            params.append(filters.until.timestamp())
        if filters.tickers:
            marks = ",".join("?" for _ in filters.tickers)
            clauses.append("EXISTS (SELECT 1 FROM entities e WHERE e.article_id = c.article_id "
                           f"AND e.ticker IN ({marks}))")
            params += [t.upper() for t in filters.tickers]
        rows = self._query(
            "SELECT c.id FROM json_each(?) AS j CROSS JOIN chunks AS c ON c.id = j.value "
            f"WHERE {' AND '.join(clauses)}", params)
        inside = {int(r[0]) for r in rows}
        return [(cid, score) for cid, score in found if cid in inside]

    def keyword(self, text: str, k: int, filters: Filters | None = None) -> list[tuple[int, float]]:
        """Top-k chunks by BM25 (title weighted 2x), within the filters; higher is better.

        The question's very common terms are left out of the match (see ``index.keyword``)."""
        terms = query_terms(text)[:MAX_TERMS]
        kept = prune_terms(terms, self._doc_count) if self._term_stats else terms
        match = fts_match(kept, scoring=terms)
        if match is None or k <= 0:
            return []
        where, params = self._filter_sql(filters or Filters())
        if where:
            sql = (
                "SELECT c.id, bm25(chunks_fts, 2.0, 1.0) AS s FROM chunks_fts "
                f"JOIN chunks c ON c.id = chunks_fts.rowid WHERE chunks_fts MATCH ? AND {where} "
                "ORDER BY s LIMIT ?"
            )
        else:  # no join: SQLite ranks inside the FTS table (3x faster on big indexes)
            sql = (
                "SELECT rowid, bm25(chunks_fts, 2.0, 1.0) AS s FROM chunks_fts "
                "WHERE chunks_fts MATCH ? ORDER BY s LIMIT ?"
            )
        rows = self._query(sql, [match, *params, k])
        return [(int(r[0]), -float(r[1])) for r in rows]

    def _doc_count(self, token: str) -> int:
        """Chunks containing a stemmed FTS token (from ``term_stats``, cached)."""
        count = self._term_docs.get(token)
        if count is None:
            row = self._query("SELECT docs FROM term_stats WHERE term = ?", [token])
            count = int(row[0][0]) if row else 0
            if len(self._term_docs) < 100_000:
                self._term_docs[token] = count
        return count

    def similarity(self, query: Any, chunk_ids: Sequence[int]) -> dict[int, float]:
        """Cosine of the query vector to given chunks (their stored vectors)."""
        out: dict[int, float] = {}
        for cid in chunk_ids:
            try:
                vector = self._faiss.reconstruct(int(cid))
            except RuntimeError:  # id not in the index
                continue
            out[int(cid)] = float(np.dot(vector, query))
        return out

    def moves_for(self, article_ids: Sequence[str]) -> dict[str, list[Move]]:
        """Reported moves stored for the given articles, in the order they were found."""
        if not article_ids:
            return {}
        marks = ",".join("?" for _ in article_ids)
        rows = self._query(
            f"SELECT article_id, {move_columns(self._moves_kind)} FROM moves "
            f"WHERE article_id IN ({marks}) ORDER BY id",
            list(article_ids),
        )
        out: dict[str, list[Move]] = {}
        for r in rows:
            out.setdefault(r["article_id"], []).append(move_from_row(r))
        return out

    def entities_for(self, article_ids: Sequence[str]) -> dict[str, list[Entity]]:
        """Companies each article names, most mentioned first."""
        if not article_ids:
            return {}
        marks = ",".join("?" for _ in article_ids)
        rows = self._query(
            "SELECT article_id, name, ticker, kind, exchange, mentions, how FROM entities "
            f"WHERE article_id IN ({marks}) ORDER BY article_id, mentions DESC, rowid",
            list(article_ids),
        )
        out: dict[str, list[Entity]] = {}
        for r in rows:
            out.setdefault(r["article_id"], []).append(
                Entity(name=r["name"], ticker=r["ticker"], kind=r["kind"],
                       exchange=r["exchange"], mentions=r["mentions"], how=r["how"])
            )
        return out

    def chunk_details(self, ids: Sequence[int]) -> dict[int, sqlite3.Row]:
        if not ids:
            return {}
        marks = ",".join("?" for _ in ids)
        rows = self._query(
            "SELECT c.id, c.article_id, c.position, c.text, a.url, a.title, a.outlet, "
            "a.published FROM chunks c JOIN articles a ON a.id = c.article_id "
            f"WHERE c.id IN ({marks})",
            list(ids),
        )
        return {int(r["id"]): r for r in rows}

    def article_tickers(self, article_ids: Sequence[str]) -> dict[str, list[str]]:
        if not article_ids:
            return {}
        marks = ",".join("?" for _ in article_ids)
        rows = self._query(
            "SELECT article_id, ticker FROM entities WHERE ticker IS NOT NULL "
            f"AND article_id IN ({marks}) ORDER BY article_id, mentions DESC, rowid",
            list(article_ids),
        )
        out: dict[str, list[str]] = {a: [] for a in article_ids}
        for row in rows:
            out[row["article_id"]].append(row["ticker"])
        return out

    def duplicate_urls(self, article_ids: Sequence[str]) -> dict[str, list[str]]:
        """Each article's first ``MAX_DUPLICATES`` duplicate URLs (oldest first) as a
        ``Duplicates`` list whose ``more`` counts the rest: a hit with 9,999 syndicated
        copies carries 10 URLs and ``duplicates_more=9989``, not 9,999 URLs."""
        if not article_ids:
            return {}
        marks = ",".join("?" for _ in article_ids)
        rows = self._query(
            "SELECT duplicate_of, url, n FROM (SELECT duplicate_of, url, "
            "row_number() OVER (PARTITION BY duplicate_of ORDER BY rowid) AS rn, "
            "count(*) OVER (PARTITION BY duplicate_of) AS n FROM articles "
            f"WHERE duplicate_of IN ({marks}) AND url IS NOT NULL) WHERE rn <= ? "
            "ORDER BY duplicate_of, rn",
            [*article_ids, MAX_DUPLICATES],
        )
        out: dict[str, list[str]] = {}
        for row in rows:
            urls = out.setdefault(row["duplicate_of"], Duplicates())
            urls.append(row["url"])
            assert isinstance(urls, Duplicates)
            urls.more = int(row["n"]) - len(urls)
        return out

    def stats(self) -> dict[str, Any]:
        """Counts, dates, size on disk and the last ingest runs."""
        size = sum(p.stat().st_size for p in self.path.iterdir() if p.is_file())
        runs = self._query(
            "SELECT id, started, finished, report FROM runs ORDER BY id DESC LIMIT 5"
        )
        tickers = self._query(
            "SELECT ticker, count(DISTINCT article_id) AS n FROM entities "
            "WHERE ticker IS NOT NULL GROUP BY ticker ORDER BY n DESC LIMIT 10"
        )
        return {
            "generation": self.generation,
            "path": str(self.path),
            "model_id": self.manifest.model_id,
            "dimension": self.manifest.dimension,
            "built_at": self.manifest.built_at.isoformat(),
            "counts": self.manifest.counts.model_dump(),
            "vectors": int(self._faiss.ntotal),
            "vectors_index": self.manifest.vectors.model_dump(exclude_none=True),
            "oldest_article": _iso(self.manifest.oldest_article),
            "newest_article": _iso(self.manifest.newest_article),
            "size_bytes": size,
            "top_tickers": {r["ticker"]: r["n"] for r in tickers},
            "sources": self.manifest.sources,
            "runs": [
                {"id": r["id"], "started": r["started"], "finished": r["finished"],
                 "report": _json(r["report"])}
                for r in runs
            ],
        }

    def newest_first_seen(self) -> str | None:
        """The latest ``first_seen`` of any article (the start of the run that last added one),
        an ISO time; None for an empty index."""
        rows = self._query("SELECT max(first_seen) FROM articles")
        return rows[0][0] if rows and rows[0][0] else None

    def articles_added_after(self, after: str | None, limit: int = 100_000) -> list[sqlite3.Row]:
        """Articles first seen after ``after`` (an ISO time from :meth:`newest_first_seen`;
        None = all): what the generations published since added, oldest first. Each row has
        ``id, url, title, outlet, published, published_ts, lead`` (the text's first 1,500
        characters), ``duplicate_of`` and ``first_seen``. Updated articles keep their first
        ``first_seen`` and are not returned."""
        return self._query(
            "SELECT id, url, title, outlet, published, published_ts, substr(text, 1, 1500) AS "
            "lead, duplicate_of, first_seen FROM articles WHERE first_seen > ? "
            "ORDER BY first_seen, rowid LIMIT ?", [after or "", limit])

    def known_companies(self, limit: int = 2000) -> list[str]:
        """Company names the articles name (listed or private), most mentioned first."""
        rows = self._query(
            "SELECT name FROM entities GROUP BY name ORDER BY count(*) DESC LIMIT ?", [limit])
        return [r[0] for r in rows]

    def known_tickers(self) -> list[str]:
        rows = self._query(
            "SELECT ticker FROM entities WHERE ticker IS NOT NULL "
            "GROUP BY ticker ORDER BY count(*) DESC"
        )
        return [r[0] for r in rows]


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _json(text: str) -> Any:
    return json.loads(text)
