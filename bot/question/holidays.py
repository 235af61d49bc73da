"""US market holidays and shopping days as dates: "thanksgiving", "black friday", "the monday
before thanksgiving", "memorial day weekend", "labor day 2023".

Without a year, the holiday is the most recent one not after ``now`` (its ``Period.bare`` set,
so the window may move to a year the index covers, as a month said without a year does).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from datetime import date, datetime, timedelta

from bot.question.periods import YEAR_RE, Period, full_year, utc
from bot.question.relative import WEEKDAYS


def _nth_weekday(year: int, month: int, weekday: int, n: int) -> date:
    """The ``n``-th ``weekday`` (0 = Monday) of the month; ``n`` = -1: the last one."""
    if n > 0:
        first = date(year, month, 1)
        return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))
    nxt = date(year + (month == 12), month % 12 + 1, 1)
    last = nxt - timedelta(days=1)
    return last - timedelta(days=(last.weekday() - weekday) % 7)


def _thanksgiving(year: int) -> date:
    return _nth_weekday(year, 11, 3, 4)


HOLIDAYS: dict[str, tuple[str, Callable[[int], date]]] = {
    # key (as the pattern reads it): (label, its date in a year)
    "thanksgiving": ("Thanksgiving", _thanksgiving),
    "black friday": ("Black Friday", lambda y: _thanksgiving(y) + timedelta(days=1)),
    "cyber monday": ("Cyber Monday", lambda y: _thanksgiving(y) + timedelta(days=4)),
    "memorial day": ("Memorial Day", lambda y: _nth_weekday(y, 5, 0, -1)),
    "labor day": ("Labor Day", lambda y: _nth_weekday(y, 9, 0, 1)),
    "mlk day": ("MLK Day", lambda y: _nth_weekday(y, 1, 0, 3)),
    "presidents day": ("Presidents Day", lambda y: _nth_weekday(y, 2, 0, 3)),
    "juneteenth": ("Juneteenth", lambda y: date(y, 6, 19)),
    "independence day": ("Independence Day", lambda y: date(y, 7, 4)),
    "christmas": ("Christmas", lambda y: date(y, 12, 25)),
    "new years eve": ("New Year's Eve", lambda y: date(y, 12, 31)),
    "new years day": ("New Year's Day", lambda y: date(y, 1, 1)),
}
_NAMES = (r"thanksgiving|black\s+friday|cyber\s+monday|memorial\s+day|labou?r\s+day|"
          r"mlk\s+day|martin\s+luther\s+king\s+(?:jr\.?\s+)?day|presidents['’]?\s+day|"
          r"juneteenth|independence\s+day|(?:the\s+)?(?:4th|fourth)\s+of\s+july|christmas|xmas|"
          r"new\s+year['’]?s(?:\s+(?:day|eve))?")
HOLIDAY_RE = (
    rf"\b(?:(?:the\s+)?(?P<wd>{'|'.join(WEEKDAYS)})\s+(?P<rel>before|after)\s+)?"
    rf"(?P<hol>{_NAMES})(?P<weekend>\s+weekend)?"
    rf"(?:\s+(?:of\s+)?(?P<y>{YEAR_RE})\b)?(?!\w)"
)
"""A holiday, optionally with a weekday before or after it and a year."""


def _key(said: str) -> str:
    low = " ".join(re.sub(r"['’.]", "", said.lower()).split())
    low = low.removeprefix("the ").replace("labour", "labor").replace("xmas", "christmas")
    if low in ("4th of july", "fourth of july"):
        return "independence day"
    if low.startswith("martin luther king"):
        return "mlk day"
    if low == "new years":
        return "new years day"
    return low


def holiday(m: re.Match[str], text: str, now: datetime) -> Period | None:
    """The day (or long weekend) a holiday phrase names."""
    label, day_of = HOLIDAYS[_key(m["hol"])]
    year = full_year(m["y"])
    day = _day(m, day_of(year or now.year))
    if year is None and utc(day.year, day.month, day.day) > now:
        day = _day(m, day_of(now.year - 1))
    start, days = utc(day.year, day.month, day.day), 1
    if m["wd"]:
        label = f"the {m['wd'].capitalize()} {m['rel'].lower()} {label}"
    elif m["weekend"]:  # Saturday to a Monday holiday; Thanksgiving to Sunday
        label = f"{label} weekend"
        if day.weekday() == 0:
            start, days = start - timedelta(days=2), 3
        else:
            days = max(1, 7 - day.weekday())
    period = Period(start, start + timedelta(days=days),
                    f"{label} {day.year} ({day.isoformat()})")
    return period if year else replace(period, bare=label)


def _day(m: re.Match[str], day: date) -> date:
    """The holiday's date, or the weekday before or after it the phrase names."""
    if not m["wd"]:
        return day
    weekday = WEEKDAYS.index(m["wd"].lower())
    if m["rel"].lower() == "before":
        return day - timedelta(days=(day.weekday() - weekday - 1) % 7 + 1)
    return day + timedelta(days=(weekday - day.weekday() - 1) % 7 + 1)
