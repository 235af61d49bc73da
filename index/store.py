"""SQLite side of a generation: articles, chunks (with FTS5), entities, moves and ingest runs."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from index.records import Article, Chunk, Entity, Move

MOVES_SCHEMA = """
CREATE TABLE IF NOT EXISTS moves (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    article_id TEXT NOT NULL,
    company TEXT NOT NULL,
    ticker TEXT,
    kind TEXT NOT NULL DEFAULT 'company',
    direction TEXT NOT NULL,
    magnitude REAL,
    unit TEXT,
    qualifier TEXT,
    metric TEXT NOT NULL,
    refers_to TEXT,
    date_stated INTEGER NOT NULL,
    sentence TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS moves_article ON moves(article_id);
CREATE INDEX IF NOT EXISTS moves_ticker ON moves(ticker);
"""
"""The moves table and its indexes (also used to rebuild an older generation's)."""

SCHEMA = (
    """
CREATE TABLE IF NOT EXISTS articles (
    id TEXT PRIMARY KEY,
    url TEXT,
    title TEXT NOT NULL,
    outlet TEXT,
    source TEXT,
    language TEXT,
    published TEXT,
    published_ts REAL,
    text TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    simhash INTEGER,
    duplicate_of TEXT,
    first_seen TEXT NOT NULL,
    updated TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS articles_hash ON articles(content_hash);
CREATE INDEX IF NOT EXISTS articles_published ON articles(published_ts);
CREATE INDEX IF NOT EXISTS articles_dup ON articles(duplicate_of);
CREATE TABLE IF NOT EXISTS simhash_bands (
    band INTEGER NOT NULL, value INTEGER NOT NULL, article_id TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS simhash_lookup ON simhash_bands(band, value);
CREATE INDEX IF NOT EXISTS simhash_article ON simhash_bands(article_id);
CREATE TABLE IF NOT EXISTS chunks (
    id INTEGER PRIMARY KEY,
    article_id TEXT NOT NULL,
    position INTEGER NOT NULL,
    title TEXT NOT NULL,
    text TEXT NOT NULL,
    tokens INTEGER NOT NULL,
    published_ts REAL,
    tickers TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS chunks_article ON chunks(article_id);
CREATE INDEX IF NOT EXISTS chunks_published ON chunks(published_ts);
CREATE VIRTUAL TABLE IF NOT EXISTS chunks_fts USING fts5(
    title, text, content='chunks', content_rowid='id', tokenize='porter unicode61'
);
CREATE TRIGGER IF NOT EXISTS chunks_ai AFTER INSERT ON chunks BEGIN
    INSERT INTO chunks_fts(rowid, title, text) VALUES (new.id, new.title, new.text);
END;
CREATE TRIGGER IF NOT EXISTS chunks_ad AFTER DELETE ON chunks BEGIN
    INSERT INTO chunks_fts(chunks_fts, rowid, title, text)
        VALUES ('delete', old.id, old.title, old.text);
END;
CREATE TABLE IF NOT EXISTS term_stats (
    term TEXT PRIMARY KEY,
    docs INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS entities (
    article_id TEXT NOT NULL,
    name TEXT NOT NULL,
    ticker TEXT,
    kind TEXT NOT NULL,
    exchange TEXT,
    mentions INTEGER NOT NULL,
    how TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS entities_article ON entities(article_id);
CREATE INDEX IF NOT EXISTS entities_ticker ON entities(ticker);
"""
    + MOVES_SCHEMA
    + """CREATE TABLE IF NOT EXISTS meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    started TEXT NOT NULL,
    finished TEXT NOT NULL,
    report TEXT NOT NULL
);
"""
)


RUN_PROBLEMS = 50
"""Problems of each kind (skipped, warnings, failed) kept by name in a stored run."""
_RUN_BYTES = 200_000  # a stored run longer than this was written with whole lists


def report_count(report: dict[str, Any], key: str) -> int:
    """A count from a stored ingest report: ``skipped_count``-style totals first (the lists
    keep only the first items), else the list's length, else the number itself."""
    total = report.get(f"{key}_count")
    if isinstance(total, int):
        return total
    value = report.get(key, 0)
    if isinstance(value, list):
        return len(value)
    return value if isinstance(value, int) else 0


def bounded_report(report: dict[str, Any]) -> dict[str, Any]:
    """A run report with each problem list cut to ``RUN_PROBLEMS`` (``<name>_count`` keeps
    the number) and each problem's text to 500 characters."""
    out = dict(report)
    for name in ("skipped", "warnings", "failed"):
        items = out.get(name)
        if not isinstance(items, list):
            continue
        count = out.get(f"{name}_count")
        out[f"{name}_count"] = max(count if isinstance(count, int) else 0, len(items))
        out[name] = [
            {k: v[:500] if isinstance(v, str) else v for k, v in item.items()}
            if isinstance(item, dict) else item
            for item in items[:RUN_PROBLEMS]
        ]
    return out


def connect(path: Path, readonly: bool = False) -> sqlite3.Connection:
    """Open a generation's database. Published generations are immutable: read them as such."""
    if readonly:
        uri = f"file:{path}?mode=ro&immutable=1"
        conn = sqlite3.connect(uri, uri=True, check_same_thread=False)
    else:
        conn = sqlite3.connect(path, check_same_thread=False)
        conn.execute("PRAGMA journal_mode=OFF")  # the whole file is scratch until published
        conn.execute("PRAGMA synchronous=OFF")  # publish() fsyncs before the rename
        conn.executescript(SCHEMA)
        migrate_moves(conn)
    conn.row_factory = sqlite3.Row
    return conn


_MOVE_COLUMNS = ("id, article_id, company, ticker, direction, magnitude, unit, qualifier, "
                 "metric, refers_to, date_stated, sentence")


def moves_has_kind(conn: sqlite3.Connection) -> bool:
    """Whether the moves table has the ``kind`` column (generations before issue 8 lack it)."""
    return any(row[1] == "kind" for row in conn.execute("PRAGMA table_info(moves)"))


def migrate_moves(conn: sqlite3.Connection) -> bool:
    """Rebuild an older generation's moves table (NOT NULL magnitude, unit and refers_to; no
    ``kind``) in the current layout, keeping its rows. Only ever run on a writer's copy: a
    published generation is never modified. Returns whether anything was rebuilt."""
    if moves_has_kind(conn):
        return False
    conn.executescript(
        f"""
        ALTER TABLE moves RENAME TO moves_old;
        DROP INDEX IF EXISTS moves_article;
        DROP INDEX IF EXISTS moves_ticker;
        {MOVES_SCHEMA}
        INSERT INTO moves ({_MOVE_COLUMNS}, kind) SELECT {_MOVE_COLUMNS}, 'company' FROM moves_old;
        DROP TABLE moves_old;
        """
    )
    conn.commit()
    return True


def get_meta(conn: sqlite3.Connection, key: str) -> str | None:
    row = conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
    return str(row[0]) if row else None


def set_meta(conn: sqlite3.Connection, key: str, value: str) -> None:
    conn.execute(
        "INSERT INTO meta (key, value) VALUES (?, ?) "
        "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        (key, value),
    )


def iso(value: datetime | None) -> str | None:
    return value.astimezone(UTC).isoformat() if value else None


def refresh_term_stats(conn: sqlite3.Connection) -> None:
    """Rewrite ``term_stats``: how many chunks contain each FTS term (from FTS5's vocabulary)."""
    conn.execute(
        "CREATE VIRTUAL TABLE IF NOT EXISTS temp.chunks_vocab "
        "USING fts5vocab(main, chunks_fts, 'row')"
    )
    conn.execute("DELETE FROM term_stats")
    conn.execute("INSERT INTO term_stats SELECT term, doc FROM temp.chunks_vocab")
    conn.execute("DROP TABLE temp.chunks_vocab")


def has_term_stats(conn: sqlite3.Connection) -> bool:
    """Whether the generation has term counts (generations built before them have none)."""
    row = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'term_stats'"
    ).fetchone()
    return row is not None


def parse_iso(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


class ArticleState:
    """What the store knows of an article id or content hash."""

    def __init__(self, row: sqlite3.Row) -> None:
        self.id: str = row["id"]
        self.content_hash: str = row["content_hash"]
        self.duplicate_of: str | None = row["duplicate_of"]


class WriteStore:
    """Write operations used by an ingest run on its building generation."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def by_id(self, article_id: str) -> ArticleState | None:
        row = self.conn.execute(
            "SELECT id, content_hash, duplicate_of FROM articles WHERE id = ?", (article_id,)
        ).fetchone()
        return ArticleState(row) if row else None

    def by_hash(self, content_hash: str) -> ArticleState | None:
        row = self.conn.execute(
            "SELECT id, content_hash, duplicate_of FROM articles "
            "WHERE content_hash = ? AND duplicate_of IS NULL LIMIT 1",
            (content_hash,),
        ).fetchone()
        return ArticleState(row) if row else None

    def simhash_candidates(self, bands: Sequence[int]) -> list[tuple[str, int]]:
        """Articles sharing any band with the given simhash: (id, simhash)."""
        clauses = " OR ".join("(b.band = ? AND b.value = ?)" for _ in bands)
        params: list[int] = []
        for band, value in enumerate(bands):
            params += [band, value]
        rows = self.conn.execute(
            "SELECT DISTINCT a.id, a.simhash FROM simhash_bands b JOIN articles a "
            f"ON a.id = b.article_id WHERE ({clauses}) AND a.duplicate_of IS NULL",
            params,
        ).fetchall()
        return [(r["id"], r["simhash"]) for r in rows]

    def text_of(self, article_id: str) -> str:
        row = self.conn.execute("SELECT text FROM articles WHERE id = ?", (article_id,)).fetchone()
        return str(row[0]) if row else ""

    def chunk_ids(self, article_id: str) -> list[int]:
        rows = self.conn.execute("SELECT id FROM chunks WHERE article_id = ?", (article_id,))
        return [r[0] for r in rows]

    def delete_article_data(self, article_id: str) -> list[int]:
        """Remove an article's chunks, entities, moves and bands; returns the chunk ids removed."""
        ids = self.chunk_ids(article_id)
        self.conn.execute("DELETE FROM chunks WHERE article_id = ?", (article_id,))
        self.conn.execute("DELETE FROM entities WHERE article_id = ?", (article_id,))
        self.conn.execute("DELETE FROM moves WHERE article_id = ?", (article_id,))
        self.conn.execute("DELETE FROM simhash_bands WHERE article_id = ?", (article_id,))
        return ids

    def upsert_article(
        self,
        article_id: str,
        article: Article,
        content_hash: str,
        simhash: int | None,
        bands: Sequence[int],
        duplicate_of: str | None,
        now: datetime,
    ) -> None:
        published = article.published
        self.conn.execute(
            "INSERT INTO articles (id, url, title, outlet, source, language, published, "
            "published_ts, text, content_hash, simhash, duplicate_of, first_seen, updated) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT(id) DO UPDATE SET url=excluded.url, title=excluded.title, "
            "outlet=excluded.outlet, source=excluded.source, language=excluded.language, "
            "published=excluded.published, published_ts=excluded.published_ts, "
            "text=excluded.text, content_hash=excluded.content_hash, simhash=excluded.simhash, "
            "duplicate_of=excluded.duplicate_of, updated=excluded.updated",
            (
                article_id, article.url, article.title, article.outlet, article.source,
                article.language, iso(published),
                published.timestamp() if published else None,
                article.text, content_hash, simhash, duplicate_of, iso(now), iso(now),
            ),
        )
        if duplicate_of is None and simhash is not None:
            self.conn.executemany(
                "INSERT INTO simhash_bands (band, value, article_id) VALUES (?, ?, ?)",
                [(band, value, article_id) for band, value in enumerate(bands)],
            )
        self._write_entities(article_id, article.entities)
        self._write_moves(article_id, article.moves)

    def _write_entities(self, article_id: str, entities: Iterable[Entity]) -> None:
        self.conn.executemany(
            "INSERT INTO entities (article_id, name, ticker, kind, exchange, mentions, how) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                (article_id, e.name, e.ticker, e.kind, e.exchange, e.mentions, e.how)
                for e in entities
            ],
        )

    def _write_moves(self, article_id: str, moves: Iterable[Move]) -> None:
        self.conn.executemany(
            "INSERT INTO moves (article_id, company, ticker, kind, direction, magnitude, unit, "
            "qualifier, metric, refers_to, date_stated, sentence) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    article_id, m.company, m.ticker, m.kind, m.direction, m.magnitude, m.unit,
                    m.qualifier, m.metric, m.refers_to.isoformat() if m.refers_to else None,
                    int(m.date_stated), m.sentence,
                )
                for m in moves
            ],
        )

    def originals(self) -> Iterator[tuple[str, str, str, datetime | None]]:
        """(id, title, text, published) of every stored article that is not a duplicate."""
        rows = self.conn.execute(
            "SELECT id, title, text, published FROM articles WHERE duplicate_of IS NULL "
            "ORDER BY id"
        ).fetchall()
        for row in rows:
            yield row["id"], row["title"], row["text"], parse_iso(row["published"])

    def replace_extraction(
        self, article_id: str, entities: Sequence[Entity], moves: Sequence[Move]
    ) -> None:
        """Swap an article's stored entities and moves for freshly extracted ones."""
        self.conn.execute("DELETE FROM entities WHERE article_id = ?", (article_id,))
        self.conn.execute("DELETE FROM moves WHERE article_id = ?", (article_id,))
        self._write_entities(article_id, entities)
        self._write_moves(article_id, moves)

    def add_chunks(
        self,
        article_id: str,
        title: str,
        published: datetime | None,
        chunks: Sequence[Chunk],
        ids: Sequence[int],
    ) -> None:
        ts = published.timestamp() if published else None
        self.conn.executemany(
            "INSERT INTO chunks (id, article_id, position, title, text, tokens, published_ts, "
            "tickers) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (cid, article_id, c.position, title, c.text, c.tokens, ts, " ".join(c.tickers))
                for cid, c in zip(ids, chunks, strict=True)
            ],
        )

    def add_run(self, started: datetime, finished: datetime, report: dict[str, Any]) -> None:
        """Record a run with its counts and the first ``RUN_PROBLEMS`` problems of each list
        (rows stored by earlier versions with whole lists are cut the same way here)."""
        self.conn.execute(
            "INSERT INTO runs (started, finished, report) VALUES (?, ?, ?)",
            (iso(started), iso(finished), json.dumps(bounded_report(report))),
        )
        for run_id, text in self.conn.execute(
            "SELECT id, report FROM runs WHERE length(report) > ?", (_RUN_BYTES,)
        ).fetchall():
            self.conn.execute("UPDATE runs SET report = ? WHERE id = ?",
                              (json.dumps(bounded_report(json.loads(text))), run_id))

    def counts(self) -> dict[str, int]:
        def one(sql: str) -> int:
            return int(self.conn.execute(sql).fetchone()[0])

        return {
            "articles": one("SELECT count(*) FROM articles WHERE duplicate_of IS NULL"),
            "duplicates": one("SELECT count(*) FROM articles WHERE duplicate_of IS NOT NULL"),
            "chunks": one("SELECT count(*) FROM chunks"),
            "entities": one("SELECT count(*) FROM entities"),
            "moves": one("SELECT count(*) FROM moves"),
        }

    def date_range(self) -> tuple[datetime | None, datetime | None]:
        row = self.conn.execute(
            "SELECT min(published_ts), max(published_ts) FROM articles "
            "WHERE duplicate_of IS NULL"
        ).fetchone()
        lo, hi = row[0], row[1]
        return (
            datetime.fromtimestamp(lo, UTC) if lo is not None else None,
            datetime.fromtimestamp(hi, UTC) if hi is not None else None,
        )

    def optimize(self) -> None:
        """Merge FTS segments, count each term's chunks (``term_stats``, read by the keyword
        search to leave out very common terms) and refresh planner statistics."""
        self.conn.execute("INSERT INTO chunks_fts(chunks_fts) VALUES ('optimize')")
        refresh_term_stats(self.conn)
        self.conn.execute("ANALYZE")
        self.conn.commit()
