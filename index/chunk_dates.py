"""Every chunk's publication time, in memory: date filters without reading chunk rows.

At 1M chunks, checking a candidate's date in SQLite is a rowid lookup into the chunks table
(whose rows hold the text: ~3 us each, 100 ms for the 30,000 chunks naming "chatbot"), and
listing a window's ids walks the date index (70 ms for 95,000). Two sorted arrays answer the
same from memory: the ids ordered by id with their times (is this candidate inside?), and
the times ordered by time with their ids (how many chunks, which ids, in a window?). 32 bytes
a chunk (32 MB at 1M), read once per generation through the covering date index.

A chunk without a date (``published_ts`` NULL) is in no window, as in SQL.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime

import numpy as np

from index.hits import Filters

_BATCH = 50_000


def bounds(filters: Filters) -> tuple[float, float] | None:
    """The filters' date window as (low, high) timestamps, inclusive; None without one."""
    if filters.since is None and filters.until is None:
        return None
    return (_ts(filters.since, -np.inf), _ts(filters.until, np.inf))


def _ts(value: datetime | None, default: float) -> float:
    return value.timestamp() if value is not None else default


class ChunkDates:
    """Chunk ids and publication times of one generation (immutable)."""

    def __init__(self, ids: np.ndarray, times: np.ndarray) -> None:
        ids = np.asarray(ids, dtype=np.int64)
        times = np.asarray(times, dtype=np.float64)
        by_id = np.argsort(ids, kind="stable")
        self._ids = ids[by_id]
        self._times_of_ids = times[by_id]
        dated = ~np.isnan(times)
        by_time = np.argsort(times[dated], kind="stable")
        self._times = times[dated][by_time]
        self._ids_by_time = ids[dated][by_time]

    @classmethod
    def load(cls, conn: sqlite3.Connection) -> ChunkDates:
        """From an index's ``chunks`` table, through its covering date index, in batches
        (no million row objects at once)."""
        cursor = conn.cursor()
        cursor.row_factory = None  # plain tuples: numpy reads them as records
        cursor.execute(
            "SELECT id, ifnull(published_ts, 'nan') FROM chunks INDEXED BY chunks_published")
        ids: list[np.ndarray] = []
        times: list[np.ndarray] = []
        while rows := cursor.fetchmany(_BATCH):
            pairs = np.array(rows, dtype=[("id", np.int64), ("ts", np.float64)])
            ids.append(pairs["id"])
            times.append(pairs["ts"])
        if not ids:
            return cls(np.array([], dtype=np.int64), np.array([], dtype=np.float64))
        return cls(np.concatenate(ids), np.concatenate(times))

    def __len__(self) -> int:
        return len(self._ids)

    @property
    def nbytes(self) -> int:
        return sum(a.nbytes for a in (self._ids, self._times_of_ids, self._times,
                                      self._ids_by_time))

    def _span(self, low: float, high: float) -> tuple[int, int]:
        return (int(np.searchsorted(self._times, low, side="left")),
                int(np.searchsorted(self._times, high, side="right")))

    def count(self, low: float, high: float) -> int:
        """Chunks published in [low, high]."""
        start, stop = self._span(low, high)
        return max(0, stop - start)

    def window(self, low: float, high: float) -> np.ndarray:
        """Ids of the chunks published in [low, high] (in time order)."""
        start, stop = self._span(low, high)
        return self._ids_by_time[start:stop]

    def inside(self, ids: np.ndarray, low: float, high: float) -> np.ndarray:
        """A mask over ``ids``: published in [low, high] (unknown ids are not)."""
        ids = np.asarray(ids, dtype=np.int64)
        if len(self._ids) == 0 or len(ids) == 0:
            return np.zeros(len(ids), dtype=bool)
        at = np.minimum(np.searchsorted(self._ids, ids), len(self._ids) - 1)
        times = self._times_of_ids[at]
        with np.errstate(invalid="ignore"):
            return (self._ids[at] == ids) & (times >= low) & (times <= high)
