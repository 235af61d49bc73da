"""Handlers of calendar expressions: dates, months, quarters, halves, seasons and years.

Each reads one pattern's match (see ``bot.question.timewin.PATTERNS``) and returns its
``Period``, or None when the words are not a date here ("nvidia may drop", "Q2 earnings").
Without a year, a month, day, quarter or season is the most recent one that starts no later
than ``now``, and its ``Period.bare`` says that the year was inferred.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime, timedelta

from dateutil.relativedelta import relativedelta

from bot.question.periods import (
    MONTHS,
    RANGE_NEXT,
    Period,
    before,
    day_period,
    full_year,
    has_context,
    modifier,
    month_label,
    month_name,
    month_period,
    quarter_period,
    recent_year,
    utc,
    year_period,
)

_AMOUNT_AFTER = re.compile(
    r"\s*(?:%|percent|per cent|million|billion|trillion|bn|mn|m\b|k\b|b\b|x\b|units|shares|"
    r"people|employees|jobs|points|pts|users|dollars|usd)",
    re.IGNORECASE,
)
_TAIL = re.compile(r"[^\w]*$")
_REPORT_AFTER = re.compile(
    r"[\s-]*(?:fiscal\s+)?(?:earnings|results|report|reports|numbers|revenue|sales|profits?"
    r"|guidance|calls?|updates?|prints?)\b",
    re.IGNORECASE,
)
_REPORT_BEFORE = re.compile(
    r"\b(?:reported|reports|reporting|posted|posts|released|dropped|announced)\s+"
    r"(?:its\s+|their\s+)?$",
    re.IGNORECASE)
"""Before a quarter, what makes it the quarter's report ("since it reported q3")."""
_QUARTER_AFTER = re.compile(r"[\s-]+quarter", re.IGNORECASE)
_SEASONS = {"spring": (3, 3), "summer": (6, 3), "autumn": (9, 3), "fall": (9, 3),
            "winter": (12, 3)}  # fmt: skip
_SEASON_PREPS = {"over", "around", "for"}
"""Loose prepositions that still make a season a period ("over the summer")."""
_THE_FALL = re.compile(r"\b(?:in|during|over|through|until|around)\s+the\s+$", re.IGNORECASE)
_FALL_OF = re.compile(r"\s+(?:in|of|on)\b(?!\s+\d)", re.IGNORECASE)
_ORDINAL = {"first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4,
            "4th": 4}  # fmt: skip
_ORDINAL_WEEK = {"first": 0, "1st": 0, "second": 1, "2nd": 1, "third": 2, "3rd": 2,
                 "fourth": 3, "4th": 3, "last": -1, "final": -1}  # fmt: skip
_PRONOUN_NEXT = re.compile(r"\s+(?:i|we|you|they|he|she|it)\b", re.IGNORECASE)
_OWNER_BEFORE = re.compile(r"\b(?!(?:it|that|what|there|here|who|he|she)['’]s)\w+['’]s\s+$",
                           re.IGNORECASE)
_NOUN_NEXT = re.compile(r"\s+(?!(?:be|have|not|also|still|never|soon|well)\b)[a-z][a-z-]+\b",
                        re.IGNORECASE)
"""A possessive before "may"/"march" and a noun after make it the month: "nvda's may
guidance" (the verb never follows a possessive: "it's may" and "nvda's may be" do not count)."""
_YEAR_WORD_BEFORE = re.compile(r"\byear\s+$", re.IGNORECASE)
_MONTH_WORDS = {month_name(i).lower() for i in range(1, 13)}
_PLAIN_MONTHS = (_MONTH_WORDS - {"may", "march"}) | {"feb", "aug", "sept", "oct", "nov"}
"""Month words that are dates even in lower case with nothing before them ("nvda's aug
numbers"): not "may"/"march" (verbs) nor "jan", "dec", "jun", "jul" (names, words)."""
_MONTH_PARTS_FIRST = {None: 1, "early": 1, "mid": 11, "late": 21}
"""First day of a month part: "late November" on 25 November is this year's."""


def _month_of(m: re.Match[str]) -> int:
    return MONTHS[m["mon"].lower().rstrip(".")]


def _inferred(period: Period | None, year: int) -> Period | None:
    """``period`` marked as having an inferred year (its label without the year)."""
    if period is None:
        return None
    return replace(period, bare=period.label.replace(f" {year}", ""))


def iso_day(m: re.Match[str], text: str, now: datetime) -> Period | None:
    return day_period(int(m["y"]), int(m["m"]), int(m["d"]))


def iso_month(m: re.Match[str], text: str, now: datetime) -> Period | None:
    month = int(m["m"])
    return month_period(int(m["y"]), month) if 1 <= month <= 12 else None


def month_day(m: re.Match[str], text: str, now: datetime) -> Period | None:
    month, day = _month_of(m), int(m["d"])
    year = full_year(m["y"])
    if year is not None:
        return day_period(year, month, day)
    period = day_period(recent_year(now, month, day), month, day)
    return replace(period, bare=f"{month_name(month)} {day}") if period else None


def month_year(m: re.Match[str], text: str, now: datetime) -> Period | None:
    return month_period(int(m["y"]), _month_of(m), modifier(m, text))


def quarter(m: re.Match[str], text: str, now: datetime) -> Period | None:
    if _REPORT_AFTER.match(text, m.end()) or _REPORT_BEFORE.search(text, 0, m.start()):
        return None  # "Q2 earnings", "reported q3": a report, published later
    q = int(m["q"]) if m["q"] else _ORDINAL[m["qw"].lower()]
    year = full_year(m["y"])
    if year is not None:
        return quarter_period(year, q)
    year = recent_year(now, 3 * q - 2)
    return _inferred(quarter_period(year, q), year)


def half(m: re.Match[str], text: str, now: datetime) -> Period | None:
    number, year = int(m["h"]), int(m["y"])
    start = utc(year, 1 if number == 1 else 7)
    return Period(start, start + relativedelta(months=6), f"H{number} {year}")


def week_of(m: re.Match[str], text: str, now: datetime) -> Period | None:
    month = _month_of(m)
    year = int(m["y"]) if m["y"] else recent_year(now, month)
    first = utc(year, month)
    last_day = (first + relativedelta(months=1) - timedelta(days=1)).day
    k = _ORDINAL_WEEK[m["ord"].lower()]
    start = first + timedelta(days=7 * k) if k >= 0 else first + timedelta(days=last_day - 7)
    end = min(start + timedelta(days=7), first + relativedelta(months=1))
    label = f"{m['ord'].lower()} week of {month_label(year, month)}"
    period = Period(start, end, label)
    return period if m["y"] else _inferred(period, year)


def season(m: re.Match[str], text: str, now: datetime) -> Period | None:
    name = m["season"].lower()
    found = before(m, text)
    context = has_context(m, text) or bool(
        found and (found["prep"] or "").lower() in _SEASON_PREPS
    )
    autumn = name == "fall" and _THE_FALL.search(text, max(0, m.start() - 20), m.start()) \
        and not _FALL_OF.match(text, m.end())  # "in the fall", not "in the fall of nvda"
    if not (m["which"] or m["y"] or autumn or (name != "fall" and context)):
        return None  # "fall" is a move word; a bare season name is too vague
    first, months = _SEASONS[name]
    if m["y"]:
        year = int(m["y"])
    else:
        year = now.year if utc(now.year, first) <= now else now.year - 1
        if (m["which"] or "").lower() == "last" and utc(year, first) + relativedelta(
            months=months
        ) > now:
            year -= 1
    start = utc(year, first)
    period = Period(start, start + relativedelta(months=months), f"{name} {year}")
    relative = (m["which"] or "").lower() in ("last", "past")
    return _inferred(period, year) if not (m["y"] or relative) else period


def month_alone(m: re.Match[str], text: str, now: datetime) -> Period | None:
    if _QUARTER_AFTER.match(text, m.end()):
        return None  # "June-quarter results": a fiscal quarter's report
    word = m["mon"]
    month = _month_of(m)
    mod = modifier(m, text)
    which = (m["which"] or "").lower()
    if which == "last":  # "last March": relative to now, not inferred
        year = now.year
        if utc(now.year, month) + relativedelta(months=1) > now:
            year -= 1
        return month_period(year, month, mod)
    # "this March", like "this summer", is said without a year: the coverage rule applies.
    if not which and not has_context(m, text) and not RANGE_NEXT.match(text, m.end()):
        after = text[m.end() : m.end() + 12]
        low = word.lower().rstrip(".")
        capital = word[0].isupper() and low in _MONTH_WORDS and low != "may"
        owned = bool(_OWNER_BEFORE.search(text, 0, m.start())) and bool(_NOUN_NEXT.match(after))
        if not (capital or low in _PLAIN_MONTHS or owned) or _PRONOUN_NEXT.match(after):
            return None
    year = recent_year(now, month, _MONTH_PARTS_FIRST[mod])
    return _inferred(month_period(year, month, mod), year)



def year_alone(m: re.Match[str], text: str, now: datetime) -> Period | None:
    if _AMOUNT_AFTER.match(text, m.end()):
        return None
    ok = bool(
        m["mod"]
        or m["pos"]
        or has_context(m, text)
        or _YEAR_WORD_BEFORE.search(text, max(0, m.start() - 6), m.start())
        or _TAIL.match(text, m.end())
        or RANGE_NEXT.match(text, m.end())
    )
    return year_period(int(m["y"]), m["mod"]) if ok else None
