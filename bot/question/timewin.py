"""Date windows in questions, relative to a given ``now`` (UTC, calendar days).

Periods are half-open ``[start, end)``. A period after "since"/"from" opens a window at its
start, after "after" at its end; "before" closes it at the start, "until"/"through"/"by" at
the end; "between A and B" and "from A to B" give both ends. A month, day or quarter without
a year is the most recent one that starts no later than ``now`` ("in May" on 2023-12-01 is
May 2023). An end later than ``now`` is left open. Ambiguous words need context: "may" and
"march" need a preposition or a day/year unless capitalised ("May" still needs one), and a
bare year counts after a preposition, with early/mid/late, as "2023's", or at the end of the
question ("2022 World Cup" is not a window). Amounts and names ("$70 million", "7%",
"GPT-4", "Q&A") never match.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from dateutil.relativedelta import relativedelta

from bot.question.model import TimeWindow

__all__ = ["WindowMatch", "find_window"]

log = logging.getLogger(__name__)

_MONTH_NAMES = (
    "january february march april may june july august september october november december"
).split()
MONTHS = {name: i for i, name in enumerate(_MONTH_NAMES, 1)}
MONTHS.update({name[:3]: i for name, i in list(MONTHS.items())})
MONTHS.update({"sept": 9})
_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_YEAR = r"(?:199\d|20\d\d)"
_EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
"""Rolling windows reaching further back than this are not read as windows."""
_WEEKDAYS = "monday tuesday wednesday thursday friday saturday sunday".split()
_NUMBERS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "few": 3,
    "couple": 2, "couple of": 2,
}  # fmt: skip
_ORDINAL = {"first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4,
            "4th": 4}  # fmt: skip
_NUM = (
    r"(?:\d{1,4}|an?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|few"
    r"|couple(?:\s+of)?)"
)
_AMOUNT_AFTER = re.compile(
    r"\s*(?:%|percent|per cent|million|billion|trillion|bn|mn|m\b|k\b|b\b|x\b|units|shares|"
    r"people|employees|jobs|points|pts|users|dollars|usd)",
    re.IGNORECASE,
)
_PREP = re.compile(
    r"(?:\b(?P<prep>since|from|after|before|until|till|til|through|thru|by|in|on|during|of|for"
    r"|throughout|between|starting|beginning|as of|prior to|ahead of|up to|earlier than"
    r"|later than|and|to|around|over)\s+)?"
    r"(?:(?P<mod>early|mid|late|the end of|the start of|the beginning of|end of|start of"
    r"|beginning of)[\s-]+)?(?:the\s+)?$",
    re.IGNORECASE,
)
_SINCE = {"since", "from", "starting", "beginning", "as of"}
_AFTER = {"after", "later than"}
_BEFORE = {"before", "prior to", "ahead of", "earlier than"}
_UNTIL = {"until", "till", "til", "through", "thru", "by", "up to"}
_RANGE_END = {"to", "until", "till", "through", "thru"}
_TAIL = re.compile(r"[^\w]*$")
_RANGE_NEXT = re.compile(
    rf"\s*(?:to|until|till|through|thru|and|-|–|—)\s*(?:{_MONTH}\b|{_YEAR}\b)", re.IGNORECASE
)
_REPORT_AFTER = re.compile(
    r"[\s-]*(?:fiscal\s+)?(?:earnings|results|report|reports|numbers|revenue|sales|profits?"
    r"|guidance|call|update|print)\b",
    re.IGNORECASE,
)
_QUARTER_AFTER = re.compile(r"[\s-]+quarter", re.IGNORECASE)
_SEASONS = {"spring": (3, 3), "summer": (6, 3), "autumn": (9, 3), "fall": (9, 3),
            "winter": (12, 3)}  # fmt: skip
_ORDINAL_WEEK = {"first": 0, "1st": 0, "second": 1, "2nd": 1, "third": 2, "3rd": 2,
                 "fourth": 3, "4th": 3, "last": -1, "final": -1}  # fmt: skip
_ROLLING_LEAD = re.compile(r"^(?:in|over|during) the ")
_PRONOUN_NEXT = re.compile(r"\s+(?:i|we|you|they|he|she|it)\b", re.IGNORECASE)
_YEAR_WORD_BEFORE = re.compile(r"\byear\s+$", re.IGNORECASE)
_DASH = re.compile(r"\s*[-–—]\s*")
_LOOSE_PREPS = {"and", "to", "of", "for", "over", "around"}
"""Prepositions that make a month or year a date only after another date ("May and June")."""
_DATE_BEFORE = re.compile(rf"\b(?:{_MONTH}|{_YEAR})\b[^\w]*\w*\s*$", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Period:
    """One time expression: ``[start, end)``; ``open_end`` for "this week"-like periods."""

    start: datetime
    end: datetime
    label: str
    open_end: bool = False


@dataclass(frozen=True, slots=True)
class WindowMatch:
    """The window of a question and the character spans its time words used."""

    window: TimeWindow | None
    spans: list[tuple[int, int]]


@dataclass(frozen=True, slots=True)
class _Atom:
    start: int
    end: int
    period: Period
    prep: str | None
    prep_start: int


Handler = Callable[[re.Match[str], str, datetime], Period | None]


# -- helpers ------------------------------------------------------------------------------


def _utc(year: int, month: int = 1, day: int = 1) -> datetime:
    return datetime(year, month, day, tzinfo=UTC)


def _midnight(now: datetime) -> datetime:
    return now.replace(hour=0, minute=0, second=0, microsecond=0)


def _month_label(year: int, month: int) -> str:
    """ "May 2023" (English whatever the process locale)."""
    return f"{_MONTH_NAMES[month - 1].capitalize()} {year}"


def _month(year: int, month: int) -> Period:
    start = _utc(year, month)
    return Period(start, start + relativedelta(months=1), _month_label(year, month))


def _day(year: int, month: int, day: int) -> Period | None:
    try:
        start = _utc(year, month, day)
    except ValueError:
        return None
    return Period(start, start + timedelta(days=1), start.date().isoformat())


def _year(year: int, mod: str | None = None) -> Period:
    if mod:
        first = {"early": 1, "mid": 5, "late": 9}[mod.lower()]
        start = _utc(year, first)
        return Period(start, start + relativedelta(months=4), f"{mod.lower()} {year}")
    return Period(_utc(year), _utc(year + 1), str(year))


def _quarter(year: int, q: int) -> Period:
    start = _utc(year, 3 * q - 2)
    return Period(start, start + relativedelta(months=3), f"Q{q} {year}")


def _recent_year(now: datetime, month: int, day: int = 1) -> int:
    """The year of the most recent ``month``/``day`` that is not after ``now``."""
    try:
        return now.year if _utc(now.year, month, day) <= now else now.year - 1
    except ValueError:  # 29 February
        return now.year - 1


def _full_year(text: str | None) -> int | None:
    if not text:
        return None
    digits = text.lstrip("'’")
    return int(digits) + 2000 if len(digits) == 2 else int(digits)


def _number(text: str) -> int:
    text = " ".join(text.lower().split())
    return int(text) if text.isdigit() else _NUMBERS[text]


# -- handlers: one per pattern ------------------------------------------------------------


def _iso_day(m: re.Match[str], text: str, now: datetime) -> Period | None:
    return _day(int(m["y"]), int(m["m"]), int(m["d"]))


def _iso_month(m: re.Match[str], text: str, now: datetime) -> Period | None:
    month = int(m["m"])
    return _month(int(m["y"]), month) if 1 <= month <= 12 else None


def _month_day(m: re.Match[str], text: str, now: datetime) -> Period | None:
    month, day = MONTHS[m["mon"].lower().rstrip(".")], int(m["d"])
    year = _full_year(m["y"]) or _recent_year(now, month, day)
    return _day(year, month, day)


def _month_year(m: re.Match[str], text: str, now: datetime) -> Period | None:
    return _month(int(m["y"]), MONTHS[m["mon"].lower().rstrip(".")])


def _quarter_of(m: re.Match[str], text: str, now: datetime) -> Period | None:
    if _REPORT_AFTER.match(text, m.end()):
        return None  # "Q2 earnings", "first-quarter report": a report, published later
    q = int(m["q"]) if m["q"] else _ORDINAL[m["qw"].lower()]
    year = _full_year(m["y"])
    if year is None:
        year = _recent_year(now, 3 * q - 2)
    return _quarter(year, q)


def _half(m: re.Match[str], text: str, now: datetime) -> Period | None:
    half, year = int(m["h"]), int(m["y"])
    start = _utc(year, 1 if half == 1 else 7)
    return Period(start, start + relativedelta(months=6), f"H{half} {year}")


def _rolling(m: re.Match[str], text: str, now: datetime) -> Period | None:
    if not m["n"] and m["which"].lower() != "past":
        return None  # "last week" is the calendar week (see ``_named``)
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


def _ago(m: re.Match[str], text: str, now: datetime) -> Period | None:
    n = _number(m["n"])
    days = n * 7 if m["unit"].lower().startswith("week") else n
    if not 0 < days <= 3650:
        return None
    day = _midnight(now) - timedelta(days=days)
    return _day(day.year, day.month, day.day)


def _named(m: re.Match[str], text: str, now: datetime) -> Period | None:
    which = " ".join(m["which"].lower().split())
    unit = m["unit"].lower()
    today = _midnight(now)
    label = f"{which} {unit}"
    if which in {"past", "the past"}:
        span = {"week": relativedelta(weeks=1), "month": relativedelta(months=1),
                "year": relativedelta(years=1), "quarter": relativedelta(months=3),
                "weekend": relativedelta(days=3)}[unit]  # fmt: skip
        return Period(now - span, now, f"past {unit}", open_end=True)
    current = which in {"this", "current"}
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
        start = _utc(now.year, 3 * ((now.month - 1) // 3) + 1)
        if not current:
            start -= relativedelta(months=3)
        return Period(start, start + relativedelta(months=3), label, open_end=current)
    start = _utc(now.year if current else now.year - 1)
    return Period(start, start + relativedelta(years=1), label, open_end=current)


def _day_word(m: re.Match[str], text: str, now: datetime) -> Period | None:
    word = " ".join(m.group(0).lower().split())
    today = _midnight(now)
    if word in {"ytd", "year to date", "year-to-date"}:
        return Period(_utc(now.year), now, "year to date", open_end=True)
    if word == "yesterday":
        return Period(today - timedelta(days=1), today, "yesterday")
    return Period(today, today + timedelta(days=1), "today", open_end=True)


def _weekday(m: re.Match[str], text: str, now: datetime) -> Period | None:
    target = _WEEKDAYS.index(m["wd"].lower())
    today = _midnight(now)
    back = (today.weekday() - target) % 7
    if m["last"] and back == 0:
        back = 7
    day = today - timedelta(days=back)
    return _day(day.year, day.month, day.day)


def _week_of(m: re.Match[str], text: str, now: datetime) -> Period | None:
    month = MONTHS[m["mon"].lower().rstrip(".")]
    year = int(m["y"]) if m["y"] else _recent_year(now, month)
    first = _utc(year, month)
    last_day = (first + relativedelta(months=1) - timedelta(days=1)).day
    k = _ORDINAL_WEEK[m["ord"].lower()]
    start = first + timedelta(days=7 * k) if k >= 0 else first + timedelta(days=last_day - 7)
    end = min(start + timedelta(days=7), first + relativedelta(months=1))
    label = f"{m['ord'].lower()} week of {_month_label(year, month)}"
    return Period(start, end, label)


def _season(m: re.Match[str], text: str, now: datetime) -> Period | None:
    name = m["season"].lower()
    if not (m["which"] or m["y"] or (name != "fall" and _has_context(m, text))):
        return None  # "fall" is a move word; a bare season name is too vague
    first, months = _SEASONS[name]
    if m["y"]:
        year = int(m["y"])
    else:
        year = now.year if _utc(now.year, first) <= now else now.year - 1
        if (m["which"] or "").lower() == "last" and _utc(year, first) + relativedelta(
            months=months
        ) > now:
            year -= 1
    start = _utc(year, first)
    return Period(start, start + relativedelta(months=months), f"{name} {year}")


def _has_context(m: re.Match[str], text: str) -> bool:
    """A time preposition or early/mid/late before the match; "and"/"to"/"of" count only
    after another date ("between March and may")."""
    before = _PREP.search(text, max(0, m.start() - 40), m.start())
    if before is None:
        return False
    if before["mod"]:
        return True
    prep = (before["prep"] or "").lower()
    if not prep:
        return False
    if prep in _LOOSE_PREPS:
        return bool(_DATE_BEFORE.search(text, max(0, before.start() - 30), before.start()))
    return True


def _month_alone(m: re.Match[str], text: str, now: datetime) -> Period | None:
    if _QUARTER_AFTER.match(text, m.end()):
        return None  # "June-quarter results": a fiscal quarter's report
    word = m["mon"]
    month = MONTHS[word.lower().rstrip(".")]
    if m["which"]:
        year = now.year
        if m["which"].lower() == "last" and _utc(now.year, month) + relativedelta(months=1) > now:
            year -= 1
        return _month(year, month)
    if not _has_context(m, text) and not _RANGE_NEXT.match(text, m.end()):
        after = text[m.end() : m.end() + 12]
        capital = word[0].isupper() and word.lower() in _MONTH_NAMES and word.lower() != "may"
        if not capital or _PRONOUN_NEXT.match(after):
            return None
    return _month(_recent_year(now, month), month)


def _year_alone(m: re.Match[str], text: str, now: datetime) -> Period | None:
    if _AMOUNT_AFTER.match(text, m.end()):
        return None
    ok = bool(
        m["mod"]
        or m["pos"]
        or _has_context(m, text)
        or _YEAR_WORD_BEFORE.search(text, max(0, m.start() - 6), m.start())
        or _TAIL.match(text, m.end())
        or _RANGE_NEXT.match(text, m.end())
    )
    return _year(int(m["y"]), m["mod"]) if ok else None


_NOT_AMOUNT = r"(?<![\w$€£¥#/.,-])"
_WEEK_OF = (
    r"\b(?:the\s+)?(?P<ord>first|1st|second|2nd|third|3rd|fourth|4th|last|final)\s+week\s+of\s+"
    rf"(?P<mon>{_MONTH})\b\.?(?:,?\s+(?P<y>{_YEAR})\b)?"
)
_ISO_DAY = _NOT_AMOUNT + rf"(?P<y>{_YEAR})[-/.](?P<m>\d{{1,2}})[-/.](?P<d>\d{{1,2}})(?![\w/-]|\.\d)"
_ISO_MONTH = _NOT_AMOUNT + rf"(?P<y>{_YEAR})-(?P<m>\d{{2}})(?![\w/-]|\.\d)"
_MONTH_DAY = (
    rf"\b(?P<mon>{_MONTH})\.?\s+(?P<d>[0-3]?\d)(?:st|nd|rd|th)?\b(?!\s*(?:%|[.,]\d))"
    rf"(?:,?\s+(?P<y>{_YEAR})\b)?"
)
_DAY_MONTH = (
    rf"(?<![\w$€£.,])(?P<d>[0-3]?\d)(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<mon>{_MONTH})\b\.?"
    rf"(?:,?\s+(?P<y>{_YEAR})\b)?"
)
_MONTH_YEAR = rf"\b(?P<mon>{_MONTH})\b\.?,?\s+(?:of\s+)?(?P<y>{_YEAR})\b"
_QUARTER = (
    r"\b(?:Q(?P<q>[1-4])|(?P<qw>first|second|third|fourth|1st|2nd|3rd|4th)[\s-]+quarter)\b"
    rf"(?:\s*(?:of\s+)?(?P<y>{_YEAR}|['’]\d\d)\b)?(?!&)"
)
_YEAR_QUARTER = rf"\b(?P<y>{_YEAR})\s*Q(?P<q>[1-4])\b"
_HALF = rf"\bH(?P<h>[12])\s*(?P<y>{_YEAR})\b"
_ROLLING = (
    r"\b(?:(?:in|over|during)\s+the\s+)?(?P<which>past|last|previous|prior)\s+"
    rf"(?:(?P<n>{_NUM})\s+)?"
    r"(?P<unit>hours?|trading\s+days?|days?|weeks?|months?|quarters?|years?|yrs?)\b"
)
_AGO = rf"\b(?P<n>{_NUM})\s+(?P<unit>days?|weeks?)\s+ago\b"
_SEASON = (
    r"\b(?:(?P<which>this|last|past)\s+)?(?P<season>spring|summer|autumn|fall|winter)\b"
    rf"(?:\s+(?:of\s+)?(?P<y>{_YEAR})\b)?"
)
_NAMED = (
    r"\b(?P<which>this|last|previous|prior|current|the\s+past|past)\s+"
    r"(?P<unit>week|weekend|month|quarter|year)\b"
)
_DAY_WORD = (
    r"\b(?:today|tonight|this\s+morning|this\s+afternoon|yesterday|ytd|year[\s-]to[\s-]date)\b"
)
_WEEKDAY = (
    r"\b(?:(?P<last>last)\s+|on\s+)?"
    r"(?P<wd>monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b"
)
_MONTH_ALONE = rf"\b(?:(?P<which>last|this)\s+)?(?P<mon>{_MONTH})\b\.?"
_YEAR_ALONE = (
    _NOT_AMOUNT
    + rf"(?:(?P<mod>early|mid|late)[\s-]+)?(?P<y>{_YEAR})(?P<pos>['’]s)?(?![\w%]|[.,]\d|-\d)"
)

PATTERNS: list[tuple[re.Pattern[str], Handler]] = [
    (re.compile(pattern, re.IGNORECASE), handler)
    for pattern, handler in [
        (_WEEK_OF, _week_of),
        (_ISO_DAY, _iso_day),
        (_ISO_MONTH, _iso_month),
        (_MONTH_DAY, _month_day),
        (_DAY_MONTH, _month_day),
        (_MONTH_YEAR, _month_year),
        (_QUARTER, _quarter_of),
        (_YEAR_QUARTER, _quarter_of),
        (_HALF, _half),
        (_ROLLING, _rolling),
        (_AGO, _ago),
        (_SEASON, _season),
        (_NAMED, _named),
        (_DAY_WORD, _day_word),
        (_WEEKDAY, _weekday),
        (_MONTH_ALONE, _month_alone),
        (_YEAR_ALONE, _year_alone),
    ]
]
"""Time expressions, most specific first; an earlier pattern's match wins an overlap."""


# -- window -------------------------------------------------------------------------------


def _atoms(text: str, now: datetime) -> list[_Atom]:
    taken: list[tuple[int, int]] = []
    atoms: list[_Atom] = []
    for pattern, handler in PATTERNS:
        for m in pattern.finditer(text):
            if any(s < m.end() and m.start() < e for s, e in taken):
                continue
            period = handler(m, text, now)
            if period is None:
                continue
            taken.append(m.span())
            before = _PREP.search(text, max(0, m.start() - 40), m.start())
            prep = " ".join(before["prep"].lower().split()) if before and before["prep"] else None
            prep_start = (
                before.start() if before and (before["prep"] or before["mod"]) else m.start()
            )
            atoms.append(_Atom(m.start(), m.end(), period, prep, prep_start))
    atoms.sort(key=lambda a: a.start)
    return atoms


def _is_range(text: str, a: _Atom, b: _Atom) -> bool:
    """True for "between A and B", "from A to B", "A until B", "A - B"."""
    if b.prep is None:
        return bool(_DASH.fullmatch(text, a.end, b.start))
    if text[a.end : b.prep_start].strip():
        return False
    if b.prep == "and":
        return a.prep == "between"
    return b.prep in _RANGE_END and a.prep not in _BEFORE | _AFTER | _UNTIL


def find_window(text: str, now: datetime) -> WindowMatch:
    """The date window ``text`` asks about (None when it names no date) and its spans."""
    atoms = _atoms(text, now)
    if not atoms:
        return WindowMatch(None, [])
    spans = [(a.prep_start, a.end) for a in atoms]
    since: datetime | None = None
    until: datetime | None = None
    labels: list[str] = []
    points: list[Period] = []
    i = 0
    while i < len(atoms):
        atom, p = atoms[i], atoms[i].period
        nxt = atoms[i + 1] if i + 1 < len(atoms) else None
        if nxt is not None and _is_range(text, atom, nxt):
            q = nxt.period
            points.append(Period(p.start, q.end, f"{p.label} to {q.label}", q.open_end))
            i += 2
            continue
        if atom.prep in _SINCE:
            since = max(since or p.start, p.start)
            labels.append(f"since {p.label}")
        elif atom.prep in _AFTER:
            since = max(since or p.end, p.end)
            labels.append(f"after {p.label}")
        elif atom.prep in _BEFORE:
            until = min(until or p.start, p.start)
            labels.append(f"before {p.label}")
        elif atom.prep in _UNTIL:
            until = min(until or p.end, p.end)
            labels.append(f"until {p.label}")
        else:
            points.append(p)
        i += 1
    if points:
        start = min(p.start for p in points)
        since = max(since, start) if since else start
        if not any(p.open_end for p in points):
            end = max(p.end for p in points)
            until = min(until, end) if until else end
        labels = [p.label for p in points] + labels
    if until is not None and until > now:
        until = None
    if (since is None and until is None) or (since and until and since >= until):
        log.debug("no usable window in %r (since=%s until=%s)", text, since, until)
        return WindowMatch(None, spans)
    return WindowMatch(TimeWindow(since=since, until=until, label=", ".join(labels)), spans)
