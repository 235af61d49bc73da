"""Questions the bot asks of a generation beyond search: which days hold news, how common a
word is, whether a company or phrase is ever mentioned, which articles report moves, and the
moves reported in a date window (the digest)."""

from __future__ import annotations

import re
import sqlite3
import threading
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from pydantic import BaseModel

from index.hits import SearchHit, published_of
from index.keyword import fts_tokens
from index.records import Move


def move_columns(has_kind: bool, prefix: str = "") -> str:
    """The moves columns ``move_from_row`` reads (``kind`` is 'company' on generations
    written before it existed)."""
    kind = f"{prefix}kind" if has_kind else "'company' AS kind"
    return ", ".join(f"{prefix}{c}" if c != "kind" else kind for c in (
        "company", "ticker", "kind", "direction", "magnitude", "unit", "qualifier", "metric",
        "refers_to", "date_stated", "sentence"))


def move_from_row(r: sqlite3.Row) -> Move:
    """A ``Move`` from a row holding ``move_columns()``."""
    refers_to = r["refers_to"]
    return Move(
        company=r["company"], ticker=r["ticker"], kind=r["kind"], direction=r["direction"],
        magnitude=r["magnitude"], unit=r["unit"], qualifier=r["qualifier"], metric=r["metric"],
        refers_to=date.fromisoformat(refers_to) if refers_to else None,
        date_stated=bool(r["date_stated"]), sentence=r["sentence"],
    )


class ArticleRef(BaseModel):
    """An article as a source: what a citation shows."""

    article_id: str
    title: str
    outlet: str | None = None
    published: datetime | None = None
    url: str | None = None


class FactQueries:
    """Mixed into ``IndexReader`` (which provides the connection and the helpers below)."""

    _conn: sqlite3.Connection
    _lock: threading.Lock
    _term_stats: bool
    _moves_kind: bool
    _article_days: tuple[date, ...] | None

    def _query(self, sql: str, params: Sequence[Any] = ()) -> list[sqlite3.Row]:
        raise NotImplementedError

    def _doc_count(self, token: str) -> int:
        raise NotImplementedError

    def article_tickers(self, article_ids: Sequence[str]) -> dict[str, list[str]]:
        raise NotImplementedError

    def duplicate_urls(self, article_ids: Sequence[str]) -> dict[str, list[str]]:
        raise NotImplementedError

    def chunk_details(self, ids: Sequence[int]) -> dict[int, sqlite3.Row]:
        raise NotImplementedError

    def article_days(self) -> tuple[date, ...]:
        """The UTC days holding at least one article (duplicates left out), oldest first.

        Computed once per reader (a generation never changes): one index seek per day, so
        a large index costs as many seeks as it has days, not a scan of every article."""
        if self._article_days is None:
            days: list[date] = []
            after = -1e18
            with self._lock:
                while True:
                    row = self._conn.execute(
                        # the date index, not the duplicates' one (whose plan sorts every
                        # original article, a minute at 1M chunks)
                        "SELECT published_ts FROM articles INDEXED BY articles_published "
                        "WHERE published_ts >= ? AND duplicate_of IS NULL "
                        "ORDER BY published_ts LIMIT 1",
                        (after,),
                    ).fetchone()
                    if row is None:
                        break
                    day = datetime.fromtimestamp(row[0], UTC).date()
                    days.append(day)
                    after = datetime.combine(day + timedelta(days=1), time.min, UTC).timestamp()
            self._article_days = tuple(days)
        return self._article_days

    def term_docs(self, term: str) -> int:
        """Chunks containing ``term`` (its rarest FTS token; 0 when unknown or no stats)."""
        if not self._term_stats:
            return 0
        return min((self._doc_count(tok) for tok in fts_tokens(term)), default=0)

    def knows_company(self, name: str, ticker: str | None) -> bool:
        """Does any article name this company, by ticker or by name (the news may give
        another listing of it: "GOOG" in a question, "GOOGL" in the articles)?"""
        if ticker and self._query("SELECT 1 FROM entities WHERE ticker = ? LIMIT 1",
                                  [ticker.upper()]):
            return True
        return bool(self._query("SELECT 1 FROM entities WHERE name = ? LIMIT 1", [name]))

    def has_phrase(self, words: Sequence[str]) -> bool:
        """Does any passage contain these words in a row ("10 for 1")?"""
        tokens = [t for w in words for t in re.findall(r"\w+", w)]
        if not tokens:
            return False
        phrase = '"' + " ".join(tokens) + '"'
        return bool(self._query(
            "SELECT 1 FROM chunks_fts WHERE chunks_fts MATCH ? LIMIT 1", [phrase]
        ))

    def move_articles(
        self,
        since: datetime | None = None,
        until: datetime | None = None,
        tickers: Sequence[str] = (),
        limit: int = 200,
        direction: str | None = None,
    ) -> list[str]:
        """Original articles published in ``[since, until]`` that report a move (of one of
        ``tickers`` when given; a company's move ``direction`` when given), newest first, at
        most ``limit``."""
        clauses = ["a.duplicate_of IS NULL"]
        params: list[Any] = []
        if direction is not None:
            clauses.append("m.kind = 'company' AND m.direction = ?")
            params.append(direction)
        if since is not None:
            clauses.append("a.published_ts >= ?")
            params.append(since.timestamp())
        if until is not None:
            clauses.append("a.published_ts <= ?")
            params.append(until.timestamp())
        if tickers:
            clauses.append(f"m.ticker IN ({','.join('?' for _ in tickers)})")
            params += [t.upper() for t in tickers]
        rows = self._query(
            "SELECT m.article_id, max(a.published_ts) AS ts FROM moves m "
            f"JOIN articles a ON a.id = m.article_id WHERE {' AND '.join(clauses)} "
            "GROUP BY m.article_id ORDER BY ts DESC LIMIT ?",
            [*params, limit],
        )
        return [r[0] for r in rows]

    def moves_between(
        self, since: datetime, until: datetime, limit: int = 100_000
    ) -> list[tuple[ArticleRef, Move]]:
        """Moves reported by original articles (syndicated copies left out) that were
        published in ``[since, until)`` or whose move refers to a day in it, in the order they
        were stored, at most ``limit``."""
        first = since.astimezone(UTC).date().isoformat()
        last = (until.astimezone(UTC) - timedelta(microseconds=1)).date().isoformat()
        rows = self._query(
            "SELECT a.id AS article_id, a.title, a.outlet, a.url, a.published, "
            f"{move_columns(self._moves_kind, 'm.')} FROM moves m "
            "JOIN articles a ON a.id = m.article_id "
            "WHERE a.duplicate_of IS NULL AND ((a.published_ts >= ? AND a.published_ts < ?) "
            "OR (m.refers_to >= ? AND m.refers_to <= ?)) ORDER BY m.id LIMIT ?",
            [since.timestamp(), until.timestamp(), first, last, limit],
        )
        return [
            (ArticleRef(article_id=r["article_id"], title=r["title"], outlet=r["outlet"],
                        published=published_of(r), url=r["url"]), move_from_row(r))
            for r in rows
        ]

    def article_hits(self, article_ids: Sequence[str]) -> dict[str, SearchHit]:
        """A hit for each article (its first passage), for articles found by their facts
        rather than by a search; ``score`` 0, no cosine."""
        if not article_ids:
            return {}
        marks = ",".join("?" for _ in article_ids)
        ids = [r[0] for r in self._query(
            f"SELECT id FROM chunks WHERE article_id IN ({marks}) AND position = 0",
            list(article_ids),
        )]
        first = {r["article_id"]: r for r in self.chunk_details(ids).values()}
        tickers = self.article_tickers(list(first))
        dups = self.duplicate_urls(list(first))
        return {
            aid: SearchHit(
                article_id=aid, chunk_id=int(r["id"]), position=r["position"], url=r["url"],
                title=r["title"], outlet=r["outlet"], published=published_of(r),
                text=r["text"], tickers=tickers.get(aid, []), score=0.0,
                duplicates=dups.get(aid, []),
            )
            for aid, r in first.items()
        }

    def article_text(self, article_id: str) -> str:
        """An article's title and text, as stored ("" when unknown)."""
        rows = self._query("SELECT title || ' ' || text FROM articles WHERE id = ?",
                           [article_id])
        return str(rows[0][0]) if rows else ""
