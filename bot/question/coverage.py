"""What the news index covers, as the question parser needs it: ``DateCoverage``.

The parser moves a period said without a year ("in May", "early March", "Q3", "summer") to
the latest year the index holds articles in (see ``bot.question.timewin``); all it asks is
whether any article falls in a range. ``ArticleDays`` answers that from the UTC days that
hold articles (``IndexReader.article_days()``, computed once per index generation).
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable
from datetime import UTC, date, datetime, time
from typing import Protocol

__all__ = ["ArticleDays", "DateCoverage"]


class DateCoverage(Protocol):
    """Answers whether the news index holds articles in a range."""

    def covers(self, start: datetime, end: datetime) -> bool:
        """Does the index hold an article published in ``[start, end)`` (tz-aware)?"""
        ...


class ArticleDays:
    """A ``DateCoverage`` from the UTC calendar days that hold at least one article.

    A day counts as inside ``[start, end)`` when it is on or after ``start``'s day and its
    midnight is before ``end`` (windows are whole days, apart from rolling ones)."""

    __slots__ = ("days",)

    def __init__(self, days: Iterable[date]) -> None:
        self.days: tuple[date, ...] = tuple(sorted(set(days)))

    def covers(self, start: datetime, end: datetime) -> bool:
        i = bisect_left(self.days, start.astimezone(UTC).date())
        return i < len(self.days) and datetime.combine(self.days[i], time.min, UTC) < end

    def __repr__(self) -> str:
        if not self.days:
            return "ArticleDays(none)"
        return f"ArticleDays({len(self.days)} days, {self.days[0]} to {self.days[-1]})"
