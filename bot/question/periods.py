"""The vocabulary of time expressions and the ``Period`` one of them names.

Shared by the calendar handlers (``bot.question.dated``), the handlers relative to ``now``
(``bot.question.relative``) and the window builder (``bot.question.timewin``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from dateutil.relativedelta import relativedelta

_MONTH_NAMES = (
    "january february march april may june july august september october november december"
).split()
MONTHS = {name: i for i, name in enumerate(_MONTH_NAMES, 1)}
MONTHS.update({name[:3]: i for name, i in list(MONTHS.items())})
MONTHS.update({"sept": 9})
MONTH_RE = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
YEAR_RE = r"(?:199\d|20\d\d)"
PREP = re.compile(
    r"(?:\b(?P<prep>since|from|after|before|until|till|til|through|thru|by|in|on|during|of|for"
    r"|throughout|between|starting|beginning|as of|prior to|ahead of|up to|earlier than"
    r"|later than|and|to|around|over)\s+)?"
    r"(?:(?P<mod>early|mid|late|the end of|the start of|the beginning of|end of|start of"
    r"|beginning of)[\s-]+)?(?:the\s+)?$",
    re.IGNORECASE,
)
"""What may stand before a time expression: a preposition, then early/mid/late."""
RANGE_NEXT = re.compile(
    rf"\s*(?:to|until|till|through|thru|and|-|–|—)\s*(?:{MONTH_RE}\b|{YEAR_RE}\b)", re.IGNORECASE
)
_LOOSE_PREPS = {"and", "to", "of", "for", "over", "around"}
"""Prepositions that make a month or year a date only after another date ("May and June")."""
_DATE_BEFORE = re.compile(rf"\b(?:{MONTH_RE}|{YEAR_RE})\b[^\w]*\w*\s*$", re.IGNORECASE)
_MODS = {"early": "early", "mid": "mid", "late": "late", "end of": "late", "start of": "early",
         "beginning of": "early"}  # fmt: skip
_MONTH_PARTS = {"early": (1, 11), "mid": (11, 21), "late": (21, None)}
"""Days [first, next) of early/mid/late in a month: 1-10, 11-20, 21-end."""


@dataclass(frozen=True, slots=True)
class Period:
    """One time expression: ``[start, end)``; ``open_end`` for "this week"-like periods.

    ``bare`` is set when the year was not said but inferred ("early March" for "early March
    2023"): such a period may move to an earlier year the index covers."""

    start: datetime
    end: datetime
    label: str
    open_end: bool = False
    bare: str | None = None


Handler = Callable[[re.Match[str], str, datetime], Period | None]
"""Reads one pattern's match in the question's text, relative to ``now``."""


def utc(year: int, month: int = 1, day: int = 1) -> datetime:
    return datetime(year, month, day, tzinfo=UTC)


def midnight(now: datetime) -> datetime:
    return now.replace(hour=0, minute=0, second=0, microsecond=0)


def month_name(month: int) -> str:
    """ "May" (English whatever the process locale)."""
    return _MONTH_NAMES[month - 1].capitalize()


def month_label(year: int, month: int) -> str:
    return f"{month_name(month)} {year}"


def month_period(year: int, month: int, mod: str | None = None) -> Period:
    """A month, or its early (days 1-10), mid (11-20) or late (21-end) part."""
    start = utc(year, month)
    end = start + relativedelta(months=1)
    label = month_label(year, month)
    if mod:
        first, after = _MONTH_PARTS[mod]
        start, end = start.replace(day=first), end if after is None else start.replace(day=after)
        label = f"{mod} {label}"
    return Period(start, end, label)


def day_period(year: int, month: int, day: int) -> Period | None:
    try:
        start = utc(year, month, day)
    except ValueError:
        return None
    return Period(start, start + timedelta(days=1), start.date().isoformat())


def year_period(year: int, mod: str | None = None) -> Period:
    if mod:
        first = {"early": 1, "mid": 5, "late": 9}[mod.lower()]
        start = utc(year, first)
        return Period(start, start + relativedelta(months=4), f"{mod.lower()} {year}")
    return Period(utc(year), utc(year + 1), str(year))


def quarter_period(year: int, q: int) -> Period:
    start = utc(year, 3 * q - 2)
    return Period(start, start + relativedelta(months=3), f"Q{q} {year}")


def recent_year(now: datetime, month: int, day: int = 1) -> int:
    """The year of the most recent ``month``/``day`` that is not after ``now`` (29 February:
    the last leap year's; a day no month has: last year, which the caller rejects)."""
    for year in range(now.year, now.year - 8, -1):
        try:
            if utc(year, month, day) <= now:
                return year
        except ValueError:  # 29 February in a common year
            continue
    return now.year - 1


def full_year(text: str | None) -> int | None:
    if not text:
        return None
    digits = text.lstrip("'’")
    return int(digits) + 2000 if len(digits) == 2 else int(digits)


_RECORD_SINCE = re.compile(
    r"\b(?:worst|best|biggest|largest|steepest|sharpest|highest|lowest|strongest|weakest|"
    r"first)\s+(?:[\w'-]+\s+){0,2}?(?:day|week|month|quarter|year|session|close|level|"
    r"drop|fall|decline|gain|rally|loss|selloff|sell-off|jump|plunge|slump|run|streak|"
    r"profit|time)s?\s+(?:in\s+\w+\s+)?since\s+(?:the\s+)?$", re.IGNORECASE)


def record_since(text: str, start: int) -> bool:
    """Is the date at ``start`` what a record is measured from ("worst day since 2002",
    "highest close since august"), not a period asked about ("best performer since may")?"""
    return _RECORD_SINCE.search(text, max(0, start - 60), start) is not None


def before(m: re.Match[str], text: str) -> re.Match[str] | None:
    """The preposition and early/mid/late just before a match (both optional)."""
    return PREP.search(text, max(0, m.start() - 40), m.start())


def modifier(m: re.Match[str], text: str) -> str | None:
    """The "early", "mid" or "late" before the match ("the start of" is early, "end of" late)."""
    found = before(m, text)
    if found is None or not found["mod"]:
        return None
    words = " ".join(found["mod"].lower().split())
    return _MODS[words.removeprefix("the ")]


def has_context(m: re.Match[str], text: str) -> bool:
    """A time preposition or early/mid/late before the match; "and"/"to"/"of" count only
    after another date ("between March and may")."""
    found = before(m, text)
    if found is None:
        return False
    if found["mod"]:
        return True
    prep = (found["prep"] or "").lower()
    if not prep:
        return False
    if prep in _LOOSE_PREPS:
        return bool(_DATE_BEFORE.search(text, max(0, found.start() - 30), found.start()))
    return True
