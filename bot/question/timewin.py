"""Date windows in questions, relative to a given ``now`` (UTC, calendar days).

Periods are half-open ``[start, end)``. A period after "since"/"from" opens a window at its
start, after "after" at its end; "before" closes it at the start, "until"/"through"/"by" at
the end; "between A and B" and "from A to B" give both ends. An end later than ``now`` is
left open. Ambiguous words need context: "may" and "march" need a preposition or a day/year
unless capitalised ("May" still needs one), and a bare year counts after a preposition, with
early/mid/late, as "2023's", or at the end of the question ("2022 World Cup" is not a
window). Amounts and names ("$70 million", "7%", "GPT-4", "Q&A") never match. Early, mid
and late split a month into days 1-10, 11-20 and 21-end ("late Oct", "mid-June"; "the start
of" is early, "the end of" late) and a year into January-April, May-August and
September-December.

Years, when the question gives none:

* A yearless period - a month ("in May", "late Oct", "this March"), a day ("March 5"), a
  quarter ("Q3", "third quarter"), a season ("over the summer", "this summer") or a week of a
  month ("the first week of
  May") - is the most recent one that starts no later than ``now`` ("in May" on 2023-12-01
  is May 2023).
* Given a ``DateCoverage`` (the index's article dates), the yearless periods move back
  together, a year at a time (at most ``YEARS_BACK``), to the first year whose window holds
  articles ("in May" on 2026-12-04 over 2023 news is May 2023); when no year does, they stay
  at the most recent one (the answer then says what the news covers).
* In a range, a yearless end takes its year from the other end ("between March and May 2023",
  "from Nov to Feb" is November of the year before February).
* Explicit years ("May 2023", "in 2024") and periods relative to ``now`` ("last week", "past 3
  months", "yesterday", "last summer", "last March", "this quarter") keep their
  meaning whatever the index holds.
* ``WindowMatch.assumptions`` says, in a sentence for the asker, which year was taken when it
  is not the current one ("taking March as March 2023, the latest one my news covers").
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta

from dateutil.relativedelta import relativedelta

from bot.question import dated, relative
from bot.question.coverage import DateCoverage
from bot.question.holidays import HOLIDAY_RE, holiday
from bot.question.model import TimeWindow
from bot.question.periods import MONTH_RE, YEAR_RE, Handler, Period, before, record_since

__all__ = ["YEARS_BACK", "WindowMatch", "find_window"]

log = logging.getLogger(__name__)

YEARS_BACK = 10
"""How many years before the most recent one a yearless period may move to find news."""
_SINCE = {"since", "from", "starting", "beginning", "as of"}
_AFTER = {"after", "later than"}
_THE_BEFORE = re.compile(r"\bthe\s+$", re.IGNORECASE)
_ATTRIBUTIVE = re.compile(
    r"\s+(?!(?:and|to|through|thru|until|or|of|in|on|at|this|last|next|when|then)\b)"
    r"[a-z][a-z'-]+", re.IGNORECASE)
"""A period between "the" and a noun names an event's time ("after the may guidance", "before
the march selloff"): the question is about that period, not after or before it."""
_BEFORE = {"before", "prior to", "ahead of", "earlier than"}
_UNTIL = {"until", "till", "til", "through", "thru", "by", "up to"}
_RANGE_END = {"to", "until", "till", "through", "thru"}
_DASH = re.compile(r"\s*[-–—]\s*")
_BEGINNING = datetime.min.replace(tzinfo=UTC)

_NOT_AMOUNT = r"(?<![\w$€£¥#/.,-])"
_WEEK_OF = (
    r"\b(?:the\s+)?(?P<ord>first|1st|second|2nd|third|3rd|fourth|4th|last|final)\s+week\s+of\s+"
    rf"(?P<mon>{MONTH_RE})\b\.?(?:,?\s+(?P<y>{YEAR_RE})\b)?"
)
_ISO_DAY = (
    _NOT_AMOUNT + rf"(?P<y>{YEAR_RE})[-/.](?P<m>\d{{1,2}})[-/.](?P<d>\d{{1,2}})(?![\w/-]|\.\d)"
)
_ISO_MONTH = _NOT_AMOUNT + rf"(?P<y>{YEAR_RE})-(?P<m>\d{{2}})(?![\w/-]|\.\d)"
_MONTH_DAY = (
    rf"\b(?P<mon>{MONTH_RE})\.?\s+(?P<d>[0-3]?\d)(?:st|nd|rd|th)?\b(?!\s*(?:%|[.,]\d))"
    rf"(?:,?\s+(?P<y>{YEAR_RE})\b)?"
)
_DAY_MONTH = (
    rf"(?<![\w$€£.,])(?P<d>[0-3]?\d)(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<mon>{MONTH_RE})\b\.?"
    rf"(?:,?\s+(?P<y>{YEAR_RE})\b)?"
)
_MONTH_YEAR = rf"\b(?P<mon>{MONTH_RE})\b\.?,?\s+(?:of\s+)?(?P<y>{YEAR_RE})\b"
_QUARTER = (
    r"\b(?:Q(?P<q>[1-4])|(?P<qw>first|second|third|fourth|1st|2nd|3rd|4th)[\s-]+quarter)\b"
    rf"(?:\s*(?:of\s+)?(?P<y>{YEAR_RE}|['’]\d\d)\b)?(?!&)"
)
_YEAR_QUARTER = rf"\b(?P<y>{YEAR_RE})\s*Q(?P<q>[1-4])\b"
_HALF = rf"\bH(?P<h>[12])\s*(?P<y>{YEAR_RE})\b"
_ROLLING = (
    r"\b(?:(?:in|over|during)\s+the\s+)?(?P<which>past|last|previous|prior)\s+"
    rf"(?:(?P<n>{relative.NUM_RE})\s+)?"
    r"(?P<unit>hours?|trading\s+days?|days?|weeks?|months?|quarters?|years?|yrs?)\b"
)
_AGO = rf"\b(?P<n>{relative.NUM_RE})\s+(?P<unit>days?|weeks?)\s+ago\b"
_SEASON = (
    r"\b(?:(?P<which>this|last|past)\s+)?(?P<season>spring|summer|autumn|fall|winter)\b"
    rf"(?:\s+(?:of\s+)?(?P<y>{YEAR_RE})\b)?"
)
_NAMED = (
    r"\b(?P<which>this|last|previous|prior|current|the\s+past|past|next|the\s+next)\s+"
    r"(?P<unit>week|weekend|month|quarter|year)\b"
)
_DAY_WORD = (
    r"\b(?:today|tonight|this\s+morning|this\s+afternoon|yesterday|tomorrow|tmrw|tmr|ytd|"
    r"year[\s-]to[\s-]date)\b"
)
_WEEKDAY = (
    r"\b(?:(?P<last>last)\s+|on\s+)?"
    rf"(?P<wd>{'|'.join(relative.WEEKDAYS)})\b"
    rf"(?![,\s]+(?:the\s+)?(?:(?:{MONTH_RE})\b|\d))"  # "monday nov 20": the date says it
    r"(?!\s+(?:after|before|following)\b)"  # "the monday after the board fired altman"
)
_MONTH_ALONE = rf"\b(?:(?P<which>last|this)\s+)?(?P<mon>{MONTH_RE})\b\.?"
_YEAR_ALONE = (
    _NOT_AMOUNT
    + rf"(?:(?P<mod>early|mid|late)[\s-]+)?(?P<y>{YEAR_RE})(?P<pos>['’]s)?(?![\w%]|[.,]\d|-\d)"
)

PATTERNS: list[tuple[re.Pattern[str], Handler]] = [
    (re.compile(pattern, re.IGNORECASE), handler)
    for pattern, handler in [
        (HOLIDAY_RE, holiday),
        (_WEEK_OF, dated.week_of),
        (_ISO_DAY, dated.iso_day),
        (_ISO_MONTH, dated.iso_month),
        (_MONTH_DAY, dated.month_day),
        (_DAY_MONTH, dated.month_day),
        (_MONTH_YEAR, dated.month_year),
        (_QUARTER, dated.quarter),
        (_YEAR_QUARTER, dated.quarter),
        (_HALF, dated.half),
        (_ROLLING, relative.rolling),
        (_AGO, relative.ago),
        (_SEASON, dated.season),
        (_NAMED, relative.named),
        (_DAY_WORD, relative.day_word),
        (_WEEKDAY, relative.weekday),
        (_MONTH_ALONE, dated.month_alone),
        (_YEAR_ALONE, dated.year_alone),
    ]
]
"""Time expressions, most specific first; an earlier pattern's match wins an overlap."""


@dataclass(frozen=True, slots=True)
class WindowMatch:
    """The window of a question, the character spans its time words used, and what was
    assumed about years the question did not give (sentences for the asker)."""

    window: TimeWindow | None
    spans: list[tuple[int, int]]
    assumptions: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class _Atom:
    start: int
    end: int
    period: Period
    prep: str | None
    prep_start: int
    match: re.Match[str]
    handler: Handler


def _atoms(text: str, now: datetime) -> list[_Atom]:
    taken: list[tuple[int, int]] = []
    atoms: list[_Atom] = []
    for pattern, handler in PATTERNS:
        for m in pattern.finditer(text):
            if any(s < m.end() and m.start() < e for s, e in taken):
                continue
            period = handler(m, text, now)
            if period is None or record_since(text, m.start()):
                continue  # not a date here; "worst day since 2002": a record's start
            taken.append(m.span())
            found = before(m, text)
            prep = " ".join(found["prep"].lower().split()) if found and found["prep"] else None
            prep_start = found.start() if found and (found["prep"] or found["mod"]) else m.start()
            if prep in _AFTER | _BEFORE and _ATTRIBUTIVE.match(text[m.end():]) and (
                    _THE_BEFORE.search(text, 0, m.start())):
                # "after the may guidance": the guidance of May, not after May; "after the"
                # stays outside the date, to start the event's phrase
                prep, prep_start = None, m.start()
            atoms.append(_Atom(m.start(), m.end(), period, prep, prep_start, m, handler))
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


def _groups(text: str, atoms: list[_Atom]) -> list[tuple[_Atom, _Atom | None]]:
    """Atoms paired into ranges ("from March to May"), single ones with None."""
    out: list[tuple[_Atom, _Atom | None]] = []
    i = 0
    while i < len(atoms):
        nxt = atoms[i + 1] if i + 1 < len(atoms) else None
        if nxt is not None and _is_range(text, atoms[i], nxt):
            out.append((atoms[i], nxt))
            i += 2
        else:
            out.append((atoms[i], None))
            i += 1
    return out


def _reread(text: str, atom: _Atom, now: datetime, keep_bare: bool) -> _Atom:
    """``atom`` read again as of another ``now`` (unchanged when it no longer reads)."""
    period = atom.handler(atom.match, text, now)
    if period is None:
        return atom
    return replace(atom, period=period if keep_bare else replace(period, bare=None))


def _anchor(text: str, a: _Atom, b: _Atom) -> tuple[_Atom, _Atom]:
    """A range's yearless end takes its year from the other end."""
    if a.period.bare is not None and (b.period.bare is None or a.period.start > b.period.start):
        a = _reread(text, a, b.period.start, keep_bare=b.period.bare is not None)
    elif b.period.bare is not None and a.period.bare is None:
        latest = a.period.start + relativedelta(years=1) - timedelta(microseconds=1)
        b = _reread(text, b, latest, keep_bare=False)
    return a, b


def _shift(text: str, atoms: list[_Atom], now: datetime, years: int) -> list[_Atom]:
    """The atoms with every yearless period read ``years`` years before ``now``."""
    if years == 0:
        return atoms
    then = now - relativedelta(years=years)
    return [_reread(text, a, then, keep_bare=True) if a.period.bare else a for a in atoms]


_RIGHT = re.compile(r"\b(?:right|just|shortly|immediately|days)\s+$", re.IGNORECASE)
NEAR = timedelta(days=7)
"""How far "right before" or "right after" a date reaches."""


def _window(
    text: str, groups: list[tuple[_Atom, _Atom | None]], now: datetime
) -> TimeWindow | None:
    since: datetime | None = None
    until: datetime | None = None
    labels: list[str] = []
    points: list[Period] = []
    for atom, end in groups:
        p = atom.period
        if end is not None:
            q = end.period
            points.append(Period(p.start, q.end, f"{p.label} to {q.label}", q.open_end))
        elif atom.prep in _SINCE:
            since = max(since or p.start, p.start)
            labels.append(f"since {p.label}")
        elif atom.prep in _AFTER:
            since = max(since or p.end, p.end)
            right = _RIGHT.search(text, 0, atom.prep_start)
            if right:  # "right after labor day": the days after it
                until = min(until or p.end + NEAR, p.end + NEAR)
            labels.append(f"{right.group() if right else ''}after {p.label}")
        elif atom.prep in _BEFORE:
            until = min(until or p.start, p.start)
            right = _RIGHT.search(text, 0, atom.prep_start)
            if right:  # "right before memorial day weekend": the days before it
                since = max(since or p.start - NEAR, p.start - NEAR)
            labels.append(f"{right.group() if right else ''}before {p.label}")
        elif atom.prep in _UNTIL:
            until = min(until or p.end, p.end)
            labels.append(f"until {p.label}")
        else:
            points.append(p)
    if points:
        start = min(p.start for p in points)
        since = max(since, start) if since else start
        if not any(p.open_end for p in points):
            end_ = max(p.end for p in points)
            until = min(until, end_) if until else end_
        labels = [p.label for p in points] + labels
    if until is not None and until > now:
        until = None
    if (since is None and until is None) or (since and until and since >= until):
        log.debug("no usable window in %r (since=%s until=%s)", text, since, until)
        return None
    return TimeWindow(since=since, until=until, label=", ".join(labels))


def _resolve(
    text: str, atoms: list[_Atom], now: datetime, years: int
) -> tuple[TimeWindow | None, list[_Atom]]:
    """The window with yearless periods ``years`` years back, and its yearless atoms."""
    groups: list[tuple[_Atom, _Atom | None]] = []
    for a, b in _groups(text, _shift(text, atoms, now, years)):
        groups.append(_anchor(text, a, b) if b is not None else (a, None))
    inferred = [x for pair in groups for x in pair if x is not None and x.period.bare]
    return _window(text, groups, now), inferred


def _assumption(inferred: list[_Atom], now: datetime, covered: bool) -> list[str]:
    """ "taking March as March 2023, the latest one my news covers" when a year was inferred
    and is not the current one."""
    periods = list({a.period.label: a.period for a in inferred}.values())
    if all(p.start.year == now.year for p in periods):
        return []
    bares = " and ".join(p.bare or p.label for p in periods)
    fulls = " and ".join(
        p.label if p.bare and p.bare in p.label else f"{p.bare}, {p.start.year}" for p in periods
    )
    which = "latest" if covered else "most recent"
    ones = "ones" if len(periods) > 1 else "one"
    tail = f"the {which} {ones} my news covers" if covered else f"the {which} {ones}"
    return [f"taking {bares} as {fulls}, {tail}"]


def find_window(text: str, now: datetime, coverage: DateCoverage | None = None) -> WindowMatch:
    """The date window ``text`` asks about (None when it names no date), its spans, and the
    years it assumed; ``coverage`` moves yearless periods to years the index covers."""
    atoms = _atoms(text, now)
    if not atoms:
        return WindowMatch(None, [])
    spans = [(a.prep_start, a.end) for a in atoms]
    window, inferred = _resolve(text, atoms, now, 0)
    if coverage is not None and inferred:
        for years in range(YEARS_BACK + 1):
            moved, moved_inferred = (
                (window, inferred) if years == 0 else _resolve(text, atoms, now, years)
            )
            if moved is not None and coverage.covers(moved.since or _BEGINNING, moved.until or now):
                return WindowMatch(moved, spans, _assumption(moved_inferred, now, covered=True))
    return WindowMatch(window, spans, _assumption(inferred, now, covered=False))
