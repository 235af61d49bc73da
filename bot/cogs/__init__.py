"""Slash-command cogs (one per concern) and what they share: the per-user cooldown.

Each cog module ends in ``async def setup(bot)``; ``MarketBot.setup_hook`` loads them. Cogs call
``bot.app`` (``bot.app.BotApp``) and only render; refusals raise ``bot.app`` errors, which the
tree's error handler turns into text with ``bot.app.user_message``.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable

from bot.app import TooFast, UserFacingError

__all__ = ["EXTENSIONS", "Cooldown", "UserFacingError"]

EXTENSIONS = ("bot.cogs.ask", "bot.cogs.quote", "bot.cogs.news", "bot.cogs.status",
              "bot.cogs.reingest", "bot.cogs.digest", "bot.cogs.watch")


class Cooldown:
    """At most ``rate`` uses per ``per`` seconds per user (a sliding window)."""

    def __init__(self, rate: int, per: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.rate = rate
        self.per = per
        self.clock = clock
        self._uses: dict[int, deque[float]] = {}

    def hit(self, user_id: int) -> float | None:
        """Record a use; return None if allowed, else the seconds until the next one is."""
        now = self.clock()
        uses = self._uses.setdefault(user_id, deque())
        while uses and now - uses[0] >= self.per:
            uses.popleft()
        if len(uses) >= self.rate:
            return self.per - (now - uses[0])
        uses.append(now)
        if len(self._uses) > 10_000:  # forget idle users so memory stays flat
            self._uses = {k: v for k, v in self._uses.items() if v and now - v[-1] < self.per}
        return None

    def check(self, user_id: int) -> None:
        """Raise TooFast ("… try again in N s") when the user is over the rate."""
        wait = self.hit(user_id)
        if wait is not None:
            raise TooFast(wait)
