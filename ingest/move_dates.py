"""The day a reported move refers to: "last Friday", "on Feb. 16", "yesterday", "the day after
Sora's announcement", resolved against the article's date (None when nothing says it)."""

from __future__ import annotations

import re
from datetime import date, timedelta

from index.text import split_sentences

_WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
_MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
_DATE = re.compile(
    r"\b(?P<pre>last|this past|since)?\s*\b(?P<wd>Monday|Tuesday|Wednesday|Thursday|Friday|"
    r"Saturday|Sunday)\b(?!s)"
    r"|\b(?P<mon>Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|"
    r"Sept?(?:ember)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\b\.?\s+"
    r"(?P<day>\d{1,2})(?:st|nd|rd|th)?\b(?:,?\s+(?P<year>\d{4}))?"
    r"|\b(?P<rel>yesterday|today)\b"
    r"|\b(?:[Tt]he|[Aa]) day after (?P<event>[A-Z][\w.-]*)(?:['’]s)?\s+"
    r"(?:announcement|launch|release|debut|unveiling)"
)
_RELEASED = re.compile(r"\b(?:released|announced|launched|unveiled|introduced|debuted)\b")


class MoveDates:
    """Resolves "last Friday", "on Feb. 16", "yesterday" against the article's date."""

    def __init__(self, text: str, published: date | None) -> None:
        self.text = text
        self.published = published

    def resolve(self, sentence: str, start: int, end: int) -> tuple[date | None, bool]:
        """(date, stated): from the move's clause ``sentence[start:end]``, else from the text
        before it, else the article's date (None when the article has none)."""
        for m in _DATE.finditer(sentence, start):
            if m.start() >= end:
                break
            if (value := self._value(m)) is not None:
                return value, True
        for m in reversed(list(_DATE.finditer(sentence, 0, start))):
            if (value := self._value(m)) is not None:
                return value, True
        return self.published, False

    def _value(self, m: re.Match[str]) -> date | None:
        ref = self.published
        if m.group("wd"):
            if ref is None or m.group("pre") == "since":
                return None
            back = (ref.weekday() - _WEEKDAYS.index(m.group("wd").lower())) % 7
            if m.group("pre") and back == 0:
                back = 7  # "last Friday" said on a Friday
            return ref - timedelta(days=back)
        if m.group("mon"):
            return self._month_day(m)
        if m.group("rel"):
            if ref is None:
                return None
            return ref - timedelta(days=1 if m.group("rel") == "yesterday" else 0)
        return self._event(m.group("event"))

    def _month_day(self, m: re.Match[str]) -> date | None:
        month, day = _MONTHS.index(m.group("mon").lower()[:3]) + 1, int(m.group("day"))
        ref = self.published
        if m.group("year"):
            return _date(int(m.group("year")), month, day)
        if ref is None:
            return None
        value = _date(ref.year, month, day)
        if value is not None and value > ref + timedelta(days=2):
            return _date(ref.year - 1, month, day)  # "on Dec. 28" in a January article
        return value

    def _event(self, name: str) -> date | None:
        """For "the day after Sora's announcement": the day after the date given for Sora."""
        for sentence in split_sentences(self.text):
            if name in sentence and _RELEASED.search(sentence):
                for m in _DATE.finditer(sentence):
                    if m.group("mon") and (value := self._month_day(m)) is not None:
                        return value + timedelta(days=1)
        return None


def _date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None
