"""Publication dates: anything reasonable -> timezone-aware UTC ``datetime``.

Policy: a date without a time zone is taken as UTC; a date-only value becomes midnight UTC;
a value that cannot be parsed gives ``None`` and the caller reports a warning (the article
is kept with ``published=None``).
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, tzinfo
from email.utils import parsedate_to_datetime

from dateutil import parser as date_parser
from dateutil.tz import tzoffset

# Zone abbreviations dateutil does not know by itself (it warns on them otherwise).
_ZONES: dict[str, int] = {
    "UT": 0, "UTC": 0, "GMT": 0, "Z": 0, "WET": 0, "BST": 3600, "IST": 19800,
    "CET": 3600, "CEST": 7200, "MET": 3600, "MEST": 7200, "EET": 7200, "EEST": 10800,
    "MSK": 10800, "HKT": 28800, "SGT": 28800, "CST": -21600, "CDT": -18000,
    "EST": -18000, "EDT": -14400, "MST": -25200, "MDT": -21600, "PST": -28800,
    "PDT": -25200, "AKST": -32400, "AKDT": -28800, "HST": -36000, "JST": 32400,
    "KST": 32400, "AEST": 36000, "AEDT": 39600, "NZST": 43200, "NZDT": 46800,
}


_NO_YEAR = datetime(1, 1, 1)  # noqa: DTZ001 - a sentinel default, never returned


def _tzinfos(name: str | None, offset: int | None) -> tzinfo | None:
    if offset is not None:
        return UTC if offset == 0 else tzoffset(name, offset)
    if name and name.upper() in _ZONES:
        seconds = _ZONES[name.upper()]
        return UTC if seconds == 0 else tzoffset(name, seconds)
    return None  # unknown abbreviation: naive, then taken as UTC


def _from_number(value: float) -> datetime | None:
    if value > 1e12:  # milliseconds
        value /= 1000.0
    if not 0 < value < 4e9:
        return None
    return datetime.fromtimestamp(value, tz=UTC)


def _aware(value: datetime) -> datetime:
    if value.tzinfo is None or value.tzinfo.utcoffset(value) is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def parse_date(value: object) -> datetime | None:
    """Parse a date (ISO 8601, RFC 822, free text, epoch seconds/ms, struct_time) to UTC.

    Returns ``None`` when the value is empty or cannot be understood.
    """
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return _aware(value)
    if isinstance(value, time.struct_time):
        return datetime(*value[:6], tzinfo=UTC)
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return _from_number(float(value))
    text = str(value).strip()
    if not text:
        return None
    if text.isdigit() and len(text) >= 9:
        return _from_number(float(text))
    try:
        return _aware(datetime.fromisoformat(text))
    except ValueError:
        pass
    if "," in text[:5]:  # "Mon, 19 Feb 2024 07:07:00 GMT"
        try:
            return _aware(parsedate_to_datetime(text))
        except (TypeError, ValueError, IndexError):
            pass
    try:
        parsed = date_parser.parse(text, default=_NO_YEAR, tzinfos=_tzinfos)
    except (ValueError, OverflowError, TypeError):
        return None
    if parsed.year == _NO_YEAR.year:  # "Feb 19 07:07": no year stated, do not guess one
        return None
    return _aware(parsed)
