"""Small time-based helpers for the provider: a TTL cache, a doubling back-off, health counters.

Both take a ``clock`` (seconds, e.g. ``time.time``) so tests can move time by hand.
"""

from __future__ import annotations

import math
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

V = TypeVar("V")
Clock = Callable[[], float]


class TTLCache(Generic[V]):
    """Values that expire ``ttl`` seconds after they were put; at most ``max_entries`` kept.

    Not thread-safe: the provider uses it from the event loop only.
    """

    def __init__(self, clock: Clock, max_entries: int = 4096) -> None:
        self._clock = clock
        self._max_entries = max_entries
        self._items: OrderedDict[Hashable, tuple[float, V]] = OrderedDict()

    def get(self, key: Hashable) -> V | None:
        """The live value for ``key``, or None (expired entries are dropped)."""
        item = self._items.get(key)
        if item is None:
            return None
        expires, value = item
        if self._clock() >= expires:
            del self._items[key]
            return None
        return value

    def put(self, key: Hashable, value: V, ttl: float) -> None:
        """Keep ``value`` for ``ttl`` seconds (``ttl <= 0`` keeps nothing)."""
        self._items.pop(key, None)
        if ttl <= 0:
            return
        self._items[key] = (self._clock() + ttl, value)
        while len(self._items) > self._max_entries:
            self._items.popitem(last=False)

    def purge(self) -> None:
        """Drop every expired entry."""
        now = self._clock()
        for key in [k for k, (expires, _) in self._items.items() if now >= expires]:
            del self._items[key]

    def clear(self) -> None:
        self._items.clear()

    def __len__(self) -> int:
        self.purge()
        return len(self._items)


class HealthRecorder:
    """Last success, last error and consecutive failures, with clock times."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self.last_success: float | None = None
        self.last_error: str | None = None
        self.last_error_at: float | None = None
        self.consecutive_failures = 0

    def success(self) -> None:
        self.last_success = self._clock()
        self.consecutive_failures = 0

    def failure(self, reason: str) -> None:
        self.last_error, self.last_error_at = reason, self._clock()
        self.consecutive_failures += 1


class Backoff:
    """After a rate-limit answer, stay away for a window that doubles on each repeat, up to a cap.

    A success resets it. ``remaining()`` > 0 means: do not call the source now.
    """

    def __init__(self, clock: Clock, initial: float, maximum: float) -> None:
        self._clock = clock
        self._initial = initial
        self._maximum = maximum
        self._window = 0.0
        self._until = 0.0

    def hit(self) -> float:
        """Record a rate-limit answer; return the new window in seconds."""
        self._window = self._initial if self._window == 0 else min(self._window * 2, self._maximum)
        self._until = self._clock() + self._window
        return self._window

    def reset(self) -> None:
        """A call succeeded: the next rate limit starts again at the initial window."""
        self._window = 0.0
        self._until = 0.0

    def remaining(self) -> float:
        """Seconds left in the current window (0 when calls are allowed)."""
        return max(0.0, self._until - self._clock())

    def remaining_whole_seconds(self) -> int:
        """``remaining()`` rounded up, for messages ("retry in 30 s")."""
        return math.ceil(self.remaining())

    @property
    def until(self) -> float | None:
        """Clock time when the current window ends, or None when not backing off."""
        return self._until if self.remaining() > 0 else None
