"""The bot's own state: watches, the alerts that fired, and small schedule values.

One SQLite file (``BOT_STATE_PATH``, default ``data/bot-state.sqlite``), apart from the news
index: an index generation can be rebuilt or deleted without losing a watch. The file is created
on first start and migrated by version number (SQLite's ``PRAGMA user_version``; each entry of
``MIGRATIONS`` takes the schema one version up, in its own transaction). Every write is one
transaction. A file that is not a readable SQLite database, or one written by a newer version of
the bot, raises :class:`StateError` naming the path: it is never silently reset.

Tables::

    kv       key/value strings (the digest schedule's last run, the watcher's last generation)
    watches  one row per (channel, target): kind ticker|company|topic, the normalized key
             (ticker upper case, names and topics lower case), who added it, when it last fired,
             why it is disabled (NULL = enabled)
    fired    (channel, article key) pairs already posted or listed: never twice, also across
             restarts; ``kind`` is ``alert`` (its own message) or ``listed`` (in a summary)

Calls are short and thread-safe (one connection behind a lock), so async callers may run them
in ``asyncio.to_thread``.

Several bot processes (shards split with ``DISCORD_SHARD_IDS``) may share one file: it runs in
WAL mode (readers never wait for the writer) with a 10 s busy timeout, and every write is one
short ``BEGIN IMMEDIATE`` transaction. Each watch carries its guild id (since version 1), which
decides the process that alerts for it; the watcher's progress keys carry the process's share of
the shards. A file on a network share cannot use WAL: give each process its own file there.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

DEFAULT_STATE_PATH = Path("data/bot-state.sqlite")
WATCH_KINDS = ("ticker", "company", "topic")

MIGRATIONS: tuple[str, ...] = (
    # version 1
    """
    CREATE TABLE kv (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE watches (
        id INTEGER PRIMARY KEY,
        guild_id INTEGER,
        channel_id INTEGER NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('ticker', 'company', 'topic')),
        key TEXT NOT NULL,
        label TEXT NOT NULL,
        added_by_id INTEGER NOT NULL,
        added_by_name TEXT NOT NULL,
        added_at TEXT NOT NULL,
        last_fired_at TEXT,
        disabled_reason TEXT,
        UNIQUE (channel_id, kind, key)
    );
    CREATE INDEX watches_guild ON watches (guild_id);
    CREATE TABLE fired (
        channel_id INTEGER NOT NULL,
        article_key TEXT NOT NULL,
        watch_id INTEGER,
        kind TEXT NOT NULL CHECK (kind IN ('alert', 'listed')),
        fired_at TEXT NOT NULL,
        PRIMARY KEY (channel_id, article_key)
    );
    CREATE INDEX fired_time ON fired (channel_id, fired_at);
    """,
)
SCHEMA_VERSION = len(MIGRATIONS)


class StateError(RuntimeError):
    """The state file cannot be used (corrupt, not SQLite, or from a newer bot): the message
    names the path and what to do; the file is left as it is."""


@dataclass(frozen=True)
class Watch:
    """One watch: ``kind`` ticker|company|topic, ``key`` what is matched (``NVDA``,
    ``openai``, ``chip export curbs``), ``label`` what the user typed."""

    id: int
    guild_id: int | None
    channel_id: int
    kind: str
    key: str
    label: str
    added_by_id: int
    added_by_name: str
    added_at: datetime
    last_fired_at: datetime | None
    disabled_reason: str | None

    @property
    def enabled(self) -> bool:
        return self.disabled_reason is None


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def _parse(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def _now() -> datetime:
    return datetime.now(UTC)


class BotState:
    """The state database. Build it with :meth:`open`; :meth:`close` when done."""

    def __init__(self, conn: sqlite3.Connection, path: Path) -> None:
        self._conn = conn
        self.path = path
        self._lock = threading.RLock()

    # --- lifecycle -------------------------------------------------------------------------

    @classmethod
    def open(cls, path: Path | str = DEFAULT_STATE_PATH) -> BotState:
        """Open (creating it and its folder on first start) and migrate the state file.
        ``StateError`` when the file is corrupt or newer than this bot."""
        path = Path(path).expanduser()
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None,
                                   timeout=10.0)
        except sqlite3.Error as exc:
            raise StateError(f"cannot open the bot state database {path}: {exc}") from exc
        try:
            conn.execute("PRAGMA foreign_keys = ON")
            conn.execute("PRAGMA busy_timeout = 10000")
            check = conn.execute("PRAGMA quick_check").fetchone()
            if check is None or check[0] != "ok":
                raise sqlite3.DatabaseError(f"integrity check failed: {check}")
            state = cls(conn, path)
            state._migrate()
            conn.execute("PRAGMA journal_mode = WAL")  # several shard processes may share it
        except sqlite3.DatabaseError as exc:
            conn.close()
            raise StateError(
                f"the bot state database {path} is corrupt or not a SQLite file ({exc}); it was "
                "left untouched: restore a backup, or move it aside to start with no watches"
            ) from exc
        except StateError:
            conn.close()
            raise
        return state

    def _migrate(self) -> None:
        version = int(self._conn.execute("PRAGMA user_version").fetchone()[0])
        if version > SCHEMA_VERSION:
            raise StateError(
                f"the bot state database {self.path} has schema version {version}, newer than "
                f"this bot's {SCHEMA_VERSION}: run the newer bot, or restore a backup")
        for number in range(version, SCHEMA_VERSION):
            with self._tx() as conn:
                for statement in _statements(MIGRATIONS[number]):
                    conn.execute(statement)
                conn.execute(f"PRAGMA user_version = {number + 1}")

    def close(self) -> None:
        """Close the connection; safe to call twice."""
        with self._lock:
            self._conn.close()

    def __enter__(self) -> BotState:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        """One write transaction (BEGIN IMMEDIATE … COMMIT, rolled back on error)."""
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")

    @property
    def schema_version(self) -> int:
        with self._lock:
            return int(self._conn.execute("PRAGMA user_version").fetchone()[0])

    # --- key/value -------------------------------------------------------------------------

    def get_value(self, key: str) -> str | None:
        """The value stored under ``key``, or None."""
        with self._lock:
            row = self._conn.execute("SELECT value FROM kv WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def set_value(self, key: str, value: str) -> None:
        """Store ``value`` under ``key`` (replacing it)."""
        with self._tx() as conn:
            conn.execute("INSERT INTO kv (key, value) VALUES (?, ?) "
                         "ON CONFLICT(key) DO UPDATE SET value = excluded.value", (key, value))

    # --- watches ---------------------------------------------------------------------------

    def add_watch(self, *, guild_id: int | None, channel_id: int, kind: str, key: str,
                  label: str, added_by_id: int, added_by_name: str,
                  now: datetime | None = None) -> tuple[Watch, bool]:
        """Add a watch; ``(watch, True)`` when new, ``(existing, False)`` when the channel
        already watches it (a disabled one is enabled again)."""
        if kind not in WATCH_KINDS:
            raise ValueError(f"unknown watch kind {kind!r}")
        with self._tx() as conn:
            row = conn.execute(
                "SELECT id, disabled_reason FROM watches WHERE channel_id = ? AND kind = ? "
                "AND key = ?", (channel_id, kind, key)).fetchone()
            if row is not None:
                if row[1] is not None:
                    conn.execute("UPDATE watches SET disabled_reason = NULL WHERE id = ?",
                                 (row[0],))
                created = False
                watch_id = int(row[0])
            else:
                cursor = conn.execute(
                    "INSERT INTO watches (guild_id, channel_id, kind, key, label, added_by_id, "
                    "added_by_name, added_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (guild_id, channel_id, kind, key, label, added_by_id, added_by_name,
                     _iso(now or _now())))
                created = True
                watch_id = int(cursor.lastrowid or 0)
        watch = self.get_watch(watch_id)
        assert watch is not None
        return watch, created

    def remove_watch(self, channel_id: int, kind: str, key: str) -> bool:
        """Remove a channel's watch; whether there was one."""
        with self._tx() as conn:
            cursor = conn.execute(
                "DELETE FROM watches WHERE channel_id = ? AND kind = ? AND key = ?",
                (channel_id, kind, key))
        return cursor.rowcount > 0

    def get_watch(self, watch_id: int) -> Watch | None:
        with self._lock:
            row = self._conn.execute(f"SELECT {_WATCH_COLUMNS} FROM watches WHERE id = ?",
                                     (watch_id,)).fetchone()
        return None if row is None else _watch(row)

    def watches(self, *, guild_id: int | None = None, enabled_only: bool = False) -> list[Watch]:
        """Every watch (of one guild when given), oldest first."""
        sql = f"SELECT {_WATCH_COLUMNS} FROM watches"
        clauses: list[str] = []
        params: list[object] = []
        if guild_id is not None:
            clauses.append("guild_id = ?")
            params.append(guild_id)
        if enabled_only:
            clauses.append("disabled_reason IS NULL")
        if clauses:
            sql += " WHERE " + " AND ".join(clauses)
        with self._lock:
            rows = self._conn.execute(sql + " ORDER BY id", params).fetchall()
        return [_watch(row) for row in rows]

    def watched_keys(self) -> set[str]:
        """What enabled watches look for: tickers (upper case) and company names / topics
        (lower case); the digest marks rows whose ticker or lower-cased company is in it."""
        with self._lock:
            rows = self._conn.execute(
                "SELECT kind, key, label FROM watches WHERE disabled_reason IS NULL").fetchall()
        keys: set[str] = set()
        for kind, key, label in rows:
            keys.add(str(key))
            if kind == "ticker":
                name = str(label).strip().lstrip("$").lower()
                if name and name.upper() != key:
                    keys.add(name)
        return keys

    def disable_watch(self, watch_id: int, reason: str) -> None:
        """Mark a watch disabled with the reason ``/watch list`` shows."""
        with self._tx() as conn:
            conn.execute("UPDATE watches SET disabled_reason = ? WHERE id = ?",
                         (reason[:300], watch_id))

    def disable_channel(self, channel_id: int, reason: str) -> list[int]:
        """Disable every enabled watch of a channel; their ids."""
        with self._tx() as conn:
            ids = [int(r[0]) for r in conn.execute(
                "SELECT id FROM watches WHERE channel_id = ? AND disabled_reason IS NULL",
                (channel_id,))]
            conn.execute("UPDATE watches SET disabled_reason = ? WHERE channel_id = ? "
                         "AND disabled_reason IS NULL", (reason[:300], channel_id))
        return ids

    # --- fired alerts ----------------------------------------------------------------------

    def already_fired(self, channel_id: int, article_keys: Iterable[str]) -> set[str]:
        """Which of ``article_keys`` this channel was already sent (alone or in a list)."""
        keys = list(dict.fromkeys(article_keys))
        found: set[str] = set()
        with self._lock:
            for start in range(0, len(keys), 500):
                part = keys[start:start + 500]
                marks = ",".join("?" * len(part))
                found.update(str(r[0]) for r in self._conn.execute(
                    f"SELECT article_key FROM fired WHERE channel_id = ? "
                    f"AND article_key IN ({marks})", (channel_id, *part)))
        return found

    def alerts_since(self, channel_id: int, since: datetime) -> int:
        """Alert messages (not list entries) sent to a channel since ``since``."""
        with self._lock:
            row = self._conn.execute(
                "SELECT COUNT(*) FROM fired WHERE channel_id = ? AND kind = 'alert' "
                "AND fired_at >= ?", (channel_id, _iso(since))).fetchone()
        return int(row[0])

    def record_fired(self, channel_id: int, article_keys: Iterable[str], *, kind: str,
                     watch_ids: Iterable[int] = (), now: datetime | None = None) -> None:
        """Remember that these articles were sent to a channel (``kind`` alert|listed) and
        stamp the watches that fired; one transaction."""
        stamp = _iso(now or _now())
        with self._tx() as conn:
            conn.executemany(
                "INSERT OR IGNORE INTO fired (channel_id, article_key, kind, fired_at) "
                "VALUES (?, ?, ?, ?)", [(channel_id, key, kind, stamp) for key in article_keys])
            conn.executemany("UPDATE watches SET last_fired_at = ? WHERE id = ?",
                             [(stamp, wid) for wid in set(watch_ids)])


_WATCH_COLUMNS = ("id, guild_id, channel_id, kind, key, label, added_by_id, added_by_name, "
                  "added_at, last_fired_at, disabled_reason")


def _watch(row: tuple[object, ...]) -> Watch:
    added = _parse(str(row[8]))
    assert added is not None
    return Watch(
        id=int(str(row[0])), guild_id=None if row[1] is None else int(str(row[1])),
        channel_id=int(str(row[2])), kind=str(row[3]), key=str(row[4]), label=str(row[5]),
        added_by_id=int(str(row[6])), added_by_name=str(row[7]), added_at=added,
        last_fired_at=_parse(None if row[9] is None else str(row[9])),
        disabled_reason=None if row[10] is None else str(row[10]))


def _statements(script: str) -> list[str]:
    return [part.strip() for part in script.split(";") if part.strip()]
