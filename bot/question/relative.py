"""Handlers of periods relative to ``now``: "past 3 months", "last week", "yesterday",
"2 weeks ago", "last Friday". Their meaning is fixed by ``now``, never by the index."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from dateutil.relativedelta import relativedelta

from bot.question.periods import Period, day_period, midnight, utc

_EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
"""Rolling windows reaching further back than this are not read as windows."""
WEEKDAYS = "monday tuesday wednesday thursday friday saturday sunday".split()
_NUMBERS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "few": 3,
    "couple": 2, "couple of": 2,
}  # fmt: skip
NUM_RE = (
    r"(?:\d{1,4}|an?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|few"
    r"|couple(?:\s+of)?)"
)
_ROLLING_LEAD = re.compile(r"^(?:in|over|during) the ")


def _number(text: str) -> int:
    text = " ".join(text.lower().split())
    return int(text) if text.isdigit() else _NUMBERS[text]


def rolling(m: re.Match[str], text: str, now: datetime) -> Period | None:
    if not m["n"] and m["which"].lower() != "past":
        return None  # "last week" is the calendar week (see ``named``)
    n = _number(m["n"]) if m["n"] else 1
    unit = m["unit"].lower().rstrip("s")
    if unit in {"yr", "year"}:
        delta = relativedelta(years=n)
    elif unit == "quarter":
        delta = relativedelta(months=3 * n)
    elif unit == "month":
        delta = relativedelta(months=n)
    elif unit == "week":
        delta = relativedelta(weeks=n)
    elif unit == "hour":
        delta = relativedelta(hours=n)
    else:  # day, trading day
        delta = relativedelta(days=n)
    try:
        start = now - delta
    except (OverflowError, ValueError):
        return None
    if n <= 0 or start < _EARLIEST:
        return None
    label = " ".join(m.group(0).lower().split())
    label = _ROLLING_LEAD.sub("", label)
    return Period(start, now, label, open_end=True)


def ago(m: re.Match[str], text: str, now: datetime) -> Period | None:
    n = _number(m["n"])
    days = n * 7 if m["unit"].lower().startswith("week") else n
    if not 0 < days <= 3650:
        return None
    day = midnight(now) - timedelta(days=days)
    return day_period(day.year, day.month, day.day)


def named(m: re.Match[str], text: str, now: datetime) -> Period | None:
    which = " ".join(m["which"].lower().split()).removeprefix("the ")
    unit = m["unit"].lower()
    label = f"{which} {unit}"
    if which == "next":  # a period still to come: no news holds it
        this = named_period(now, unit, current=True)
        step = {"week": relativedelta(weeks=1), "weekend": relativedelta(weeks=1),
                "month": relativedelta(months=1), "quarter": relativedelta(months=3),
                "year": relativedelta(years=1)}[unit]  # fmt: skip
        return Period(this.start + step, this.end + step, label)
    if which == "past":
        span = {"week": relativedelta(weeks=1), "month": relativedelta(months=1),
                "year": relativedelta(years=1), "quarter": relativedelta(months=3),
                "weekend": relativedelta(days=3)}[unit]  # fmt: skip
        return Period(now - span, now, f"past {unit}", open_end=True)
    return named_period(now, unit, which in {"this", "current"}, label)


def named_period(now: datetime, unit: str, current: bool, label: str = "") -> Period:
    """This (``current``) or the last week, weekend, month, quarter or year."""
    today = midnight(now)
    label = label or f"{'this' if current else 'last'} {unit}"
    if unit in {"week", "weekend"}:
        monday = today - timedelta(days=today.weekday())
        if unit == "weekend":
            saturday = monday - timedelta(days=2) if today.weekday() < 5 else monday + timedelta(5)
            return Period(saturday, saturday + timedelta(days=2), label)
        start = monday if current else monday - timedelta(weeks=1)
        return Period(start, start + timedelta(weeks=1), label, open_end=current)
    if unit == "month":
        start = today.replace(day=1) - (relativedelta() if current else relativedelta(months=1))
        return Period(start, start + relativedelta(months=1), label, open_end=current)
    if unit == "quarter":
        start = utc(now.year, 3 * ((now.month - 1) // 3) + 1)
        if not current:
            start -= relativedelta(months=3)
        return Period(start, start + relativedelta(months=3), label, open_end=current)
    start = utc(now.year if current else now.year - 1)
    return Period(start, start + relativedelta(years=1), label, open_end=current)


def day_word(m: re.Match[str], text: str, now: datetime) -> Period | None:
    word = " ".join(m.group(0).lower().split())
    today = midnight(now)
    if word in {"ytd", "year to date", "year-to-date"}:
        return Period(utc(now.year), now, "year to date", open_end=True)
    if word == "yesterday":
        return Period(today - timedelta(days=1), today, "yesterday")
    if word in {"tomorrow", "tmrw", "tmr"}:  # still to come: no news holds it
        return Period(today + timedelta(days=1), today + timedelta(days=2), "tomorrow")
    return Period(today, today + timedelta(days=1), "today", open_end=True)


def weekday(m: re.Match[str], text: str, now: datetime) -> Period | None:
    target = WEEKDAYS.index(m["wd"].lower())
    today = midnight(now)
    back = (today.weekday() - target) % 7
    if m["last"] and back == 0:
        back = 7
    day = today - timedelta(days=back)
    return day_period(day.year, day.month, day.day)
