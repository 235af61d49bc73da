"""Read side: open the serving generation; its candidate searches (``index.filtered``),
facts (``index.reader_facts``) and the lookups of the hits' details."""

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
from index.filtered import AllowedIds, FilteredSearch
from index.generations import SQLITE_NAME
from index.hits import MAX_DUPLICATES, Duplicates, Filters, SearchHit, published_of
from index.manifest import Manifest
from index.reader_facts import FactQueries, move_columns, move_from_row
from index.records import Entity, Move
from index.store import connect, has_term_stats, moves_has_kind

__all__ = ["Filters", "IndexReader", "SearchHit", "published_of"]

log = logging.getLogger(__name__)

class IndexReader(FilteredSearch, FactQueries):
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
        self._id_sets: dict[tuple[Any, ...], frozenset[int]] = {}
        self._ticker_counts: dict[str, int] = {}
        self._checked: dict[tuple[str, ...], tuple[set[int], set[int]]] = {}
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
        """Read the vector index (and, on an approximate one, the chunks' dates) now
        (``IndexCorrupt`` if it is broken); returns self."""
        _ = self._faiss
        if self.vectors_kind != vectors.FLAT:
            self.chunk_dates()
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
        return self._connection().execute(sql, params).fetchall()

    def _connection(self) -> sqlite3.Connection:
        """This thread's connection, with its ``allowed(rowid)`` function (see
        ``index.filtered``)."""
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = connect(self.path / SQLITE_NAME, readonly=True)
            allowed = AllowedIds()
            conn.create_function("allowed", 1, allowed)
            with self._lock:
                self._connections.append(conn)
            self._local.conn, self._local.allowed = conn, allowed
        return conn

    def _allowed(self) -> AllowedIds:
        self._connection()
        allowed: AllowedIds = self._local.allowed
        return allowed

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
