"""Turn what yfinance returns (a price frame + the chart's metadata) into our models, and what
it raises into a short human reason.

Pure functions, no I/O. The frame is yfinance's ``history()`` DataFrame (index: bar start in the
exchange's time zone; columns Open/High/Low/Close/...), the metadata is the ``meta`` object of
Yahoo's ``/v8/finance/chart`` answer as ``Ticker.get_history_metadata()`` exposes it (times may
be epoch seconds or pandas Timestamps). pandas is not imported here: Timestamps are datetimes.
"""

from __future__ import annotations

import math
import re
import socket
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.quotes.model import HistoricalClose, Period, PriceHistory, Quote, UnavailableKind


class Unavailable(Exception):
    """Raised while reading an answer that holds no usable price; carries the reason."""

    def __init__(self, kind: UnavailableKind, reason: str) -> None:
        super().__init__(reason)
        self.kind: UnavailableKind = kind
        self.reason = reason


@dataclass(frozen=True)
class Bar:
    """One bar with a finite close."""

    start: datetime  # aware, exchange time zone
    close: float
    low: float | None
    high: float | None

    @property
    def day(self) -> date:
        """The trading day (the exchange's local date)."""
        return self.start.date()


def _get(meta: Mapping[str, Any] | None, key: str) -> Any:
    # get_history_metadata() is a lazy mapping: some keys raise instead of being absent.
    try:
        return None if meta is None else meta.get(key)
    except (KeyError, TypeError, ValueError):
        return None


def _finite(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _epoch(value: Any) -> float | None:
    """Epoch seconds of an int/float epoch or an aware datetime (pandas Timestamp included)."""
    if isinstance(value, datetime):
        return value.timestamp() if value.tzinfo is not None else None
    return _finite(value)


def _utc(value: Any) -> datetime | None:
    seconds = _epoch(value)
    return None if seconds is None else datetime.fromtimestamp(seconds, UTC)


def _digits(meta: Mapping[str, Any] | None) -> int:
    """Decimals kept: Yahoo's priceHint + 2 (drops float32 noise such as 542.0700073)."""
    hint = _get(meta, "priceHint")
    return (hint if isinstance(hint, int) and 0 <= hint <= 8 else 2) + 2


def _round(value: float | None, digits: int) -> float | None:
    return None if value is None else round(value, digits)


def bars(frame: Any) -> list[Bar]:
    """The frame's bars with a finite close, oldest first."""
    if frame is None or getattr(frame, "empty", True) or "Close" not in frame:
        return []
    columns = {name: list(frame[name]) if name in frame else None for name in ("Low", "High")}
    out: list[Bar] = []
    for i, (start, close) in enumerate(zip(frame.index, frame["Close"], strict=True)):
        value = _finite(close)
        if value is None or not isinstance(start, datetime) or start.tzinfo is None:
            continue
        low = _finite(columns["Low"][i]) if columns["Low"] is not None else None
        high = _finite(columns["High"][i]) if columns["High"] is not None else None
        out.append(Bar(start=start, close=value, low=low, high=high))
    return out


def _local_day(moment: datetime, meta: Mapping[str, Any] | None) -> date | None:
    name = _get(meta, "exchangeTimezoneName")
    if not isinstance(name, str):
        return None
    try:
        return moment.astimezone(ZoneInfo(name)).date()
    except (KeyError, ValueError):  # unknown zone name
        return None


def market_state(meta: Mapping[str, Any] | None, now: float) -> str | None:
    """PRE / REGULAR / POST / CLOSED from the chart's current trading periods; None if unknown."""
    periods = _get(meta, "currentTradingPeriod")
    if not isinstance(periods, Mapping) or "regular" not in periods:
        return None
    for state, key in (("REGULAR", "regular"), ("PRE", "pre"), ("POST", "post")):
        span = periods.get(key)
        if not isinstance(span, Mapping):
            continue
        start, end = _epoch(span.get("start")), _epoch(span.get("end"))
        if start is not None and end is not None and start <= now < end:
            return state
    return "CLOSED"


def _name(meta: Mapping[str, Any] | None) -> str | None:
    for key in ("shortName", "longName"):
        value = _get(meta, key)
        if isinstance(value, str) and value.strip():
            return " ".join(value.split())  # Yahoo pads some names with runs of spaces
    return None


def _delay_note(meta: Mapping[str, Any] | None) -> str | None:
    # The chart endpoint does not say; the v7 quote does (exchangeDataDelayedBy, minutes).
    delay = _finite(_get(meta, "exchangeDataDelayedBy"))
    return f"delayed {delay:g} min" if delay else None


def _text(meta: Mapping[str, Any] | None, key: str) -> str | None:
    value = _get(meta, key)
    return value if isinstance(value, str) and value else None


def quote_from_chart(symbol: str, frame: Any, meta: Mapping[str, Any] | None, now: float) -> Quote:
    """A quote from a daily chart (a few days): price and time from the metadata, previous
    close from the last bar of an earlier day. Raises :class:`Unavailable` without a price."""
    series = bars(frame)
    digits = _digits(meta)
    price = _finite(_get(meta, "regularMarketPrice"))
    as_of = _utc(_get(meta, "regularMarketTime"))
    if price is None and series:
        price, as_of = series[-1].close, None
    if price is None:
        raise Unavailable("no_data", "Yahoo returned no price")
    if as_of is None and series:
        as_of = series[-1].start.astimezone(UTC)
    if as_of is None:
        raise Unavailable("no_data", "Yahoo returned no quote time")
    session_day = _local_day(as_of, meta) or (series[-1].day if series else as_of.date())
    earlier = [bar for bar in series if bar.day < session_day]
    previous = earlier[-1].close if earlier else _finite(_get(meta, "previousClose"))
    today = [bar for bar in series if bar.day == session_day]
    low = _finite(_get(meta, "regularMarketDayLow")) or (today[-1].low if today else None)
    high = _finite(_get(meta, "regularMarketDayHigh")) or (today[-1].high if today else None)
    change = percent = None
    if previous:
        change = round(price - previous, digits)
        percent = round((price - previous) / previous * 100, 4)
    return Quote(
        symbol=symbol,
        name=_name(meta),
        price=round(price, digits),
        change=change,
        change_percent=percent,
        previous_close=_round(previous, digits),
        day_low=_round(low, digits),
        day_high=_round(high, digits),
        currency=_text(meta, "currency"),
        exchange=_text(meta, "fullExchangeName") or _text(meta, "exchangeName"),
        market_state=market_state(meta, now),
        as_of=as_of,
        delay_note=_delay_note(meta),
    )


def close_from_chart(
    symbol: str, frame: Any, meta: Mapping[str, Any] | None, day: date
) -> HistoricalClose:
    """The close of the last bar on or before ``day``."""
    usable = [bar for bar in bars(frame) if bar.day <= day]
    if not usable:
        raise Unavailable("no_data", f"no close on or shortly before {day.isoformat()}")
    bar = usable[-1]
    return HistoricalClose(
        symbol=symbol,
        day=bar.day,
        requested_day=day,
        close=round(bar.close, _digits(meta)),
        currency=_text(meta, "currency"),
    )


def history_from_chart(
    symbol: str, period: Period, interval: str, frame: Any, meta: Mapping[str, Any] | None
) -> PriceHistory:
    """Timestamps (UTC) and closes of every bar with a price."""
    series = bars(frame)
    if not series:
        raise Unavailable("no_data", f"Yahoo returned no prices for {period}")
    digits = _digits(meta)
    return PriceHistory(
        symbol=symbol,
        period=period,
        interval=interval,
        currency=_text(meta, "currency"),
        timezone=_text(meta, "exchangeTimezoneName"),
        timestamps=[bar.start.astimezone(UTC) for bar in series],
        closes=[round(bar.close, digits) for bar in series],
    )


# -- failures -----------------------------------------------------------------------------

_DNS_TEXT = re.compile(
    r"could not resolve host|name or service not known|temporary failure in name resolution"
    r"|failed to resolve|nodename nor servname|getaddrinfo failed|no address associated",
    re.IGNORECASE,
)


def _chain(exc: BaseException) -> Iterator[BaseException]:
    """The exception, its causes/contexts and exceptions held in its args (urllib3 wraps)."""
    seen: set[int] = set()
    todo = [exc]
    while todo and len(seen) < 20:
        current = todo.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        todo.extend(a for a in current.args if isinstance(a, BaseException))
        for linked in (current.__cause__, current.__context__, getattr(current, "reason", None)):
            if isinstance(linked, BaseException):
                todo.append(linked)


def http_status(exc: BaseException) -> int | None:
    """The HTTP status carried by an HTTPError-like exception, if any (curl_cffi's
    connection errors carry a response with status 0: no answer, not a status)."""
    status = getattr(getattr(exc, "response", None), "status_code", None)
    return status if isinstance(status, int) and status >= 100 else None


def is_rate_limit(exc: BaseException) -> bool:
    """True for yfinance's YFRateLimitError or any HTTP 429."""
    return any(type(e).__name__ == "YFRateLimitError" or http_status(e) == 429 for e in _chain(exc))


def classify(exc: BaseException, timeout: float) -> tuple[UnavailableKind, str]:
    """The kind and the short reason for an exception raised by yfinance or its session."""
    from yfinance import exceptions as yfe

    chain = list(_chain(exc))
    names = " ".join(type(e).__name__ for e in chain)
    if isinstance(exc, TimeoutError) or "Timeout" in names:
        return "timeout", f"timed out after {timeout:g} s"
    if (
        "DNSError" in names
        or "NameResolution" in names
        or any(isinstance(e, socket.gaierror) or _DNS_TEXT.search(str(e)) for e in chain)
    ):
        return "unreachable", "Yahoo Finance unreachable (DNS)"
    status = next((s for s in map(http_status, chain) if s is not None), None)
    if status == 404:
        return "unknown_symbol", "unknown symbol"
    if status is not None:
        return "error", f"Yahoo Finance answered HTTP {status}"
    if "JSONDecodeError" in names:  # an error page instead of JSON (5xx, consent, outage)
        return "error", "unreadable answer from Yahoo Finance (not JSON)"
    if "ConnectionError" in names or "SSLError" in names or "ProxyError" in names:
        return "unreachable", "Yahoo Finance unreachable (connection failed)"
    if isinstance(exc, yfe.YFTzMissingError):
        return "unknown_symbol", "unknown symbol"
    if isinstance(exc, yfe.YFPricesMissingError):
        reason = (exc.yahoo_reason or "").lower()
        if "no data found" in reason or "delisted" in reason or "not found" in reason:
            return "unknown_symbol", "unknown symbol"
        return "no_data", "Yahoo returned no price data"
    if isinstance(exc, yfe.YFDataException) and "DOWN" in str(exc):
        return "unreachable", "Yahoo Finance is down"
    if isinstance(exc, OSError):
        return "unreachable", f"Yahoo Finance unreachable ({type(exc).__name__})"
    if isinstance(exc, yfe.YFException):
        return "error", f"Yahoo Finance error: {str(exc)[:80]}"
    return "error", f"unexpected answer from Yahoo Finance ({type(exc).__name__})"
