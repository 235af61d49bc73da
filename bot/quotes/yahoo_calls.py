"""The blocking yfinance calls behind the Yahoo provider (they run in its worker threads).

Each answer costs one chart request (``/v8/finance/chart`` through ``Ticker.history``), plus
yfinance's own cookie/crumb handshake and, once per symbol, its time-zone probe (cached on disk
by yfinance). ``fast_info`` is not used: it asks for three charts (1y daily, 5d hourly twice),
keeps only the last year relative to *now*, and may fall back to ``quoteSummary``.

yfinance keeps one process-wide data object (session, cookie, crumb): every ``Ticker`` built
with ``session=`` installs that session for the whole process. Build one provider per process.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from typing import Any

from bot.quotes.model import HistoricalClose, Period, PriceHistory, Quote
from bot.quotes.yahoo_data import (
    Unavailable,
    close_from_chart,
    history_from_chart,
    quote_from_chart,
)

QUOTE_RANGE = "5d"  # daily bars: enough for the previous close across weekends and holidays
CLOSE_LOOKBACK_DAYS = 10  # how far before a date the "last trading day" may be
INTERVALS: dict[Period, str] = {"1d": "5m", "5d": "15m", "1mo": "1d", "6mo": "1d", "1y": "1d"}


def default_session() -> Any:
    """What yfinance itself would use: curl_cffi impersonating Chrome, else plain requests."""
    try:
        from curl_cffi import requests as curl_requests
    except ImportError:
        import requests

        return requests.Session()
    return curl_requests.Session(impersonate="chrome")


def check_session(session: Any) -> None:
    """Refuse now what yfinance would refuse at the first call (a programming error)."""
    if getattr(session, "cache", None) is not None:
        raise ValueError("yfinance refuses caching sessions (e.g. requests_cache)")
    kinds: list[type] = []
    with contextlib.suppress(ImportError):
        import requests

        kinds.append(requests.Session)
    with contextlib.suppress(ImportError):
        from curl_cffi.requests import Session as CurlSession

        kinds.append(CurlSession)
    if not isinstance(session, tuple(kinds)):
        raise TypeError(f"expected a requests or curl_cffi Session, not {type(session).__name__}")


class YahooCalls:
    """yfinance with one shared session (given, or created on first use and owned)."""

    def __init__(self, timeout: float, clock: Callable[[], float], session: Any = None) -> None:
        if session is not None:
            check_session(session)
        import yfinance  # heavy (pandas): imported when a provider is built, not on import

        self._yf = yfinance
        # Process-wide yfinance switch: raise instead of logging and returning an empty frame,
        # so that a DNS failure, a 429 and an unknown symbol can be told apart.
        yfinance.config.debug.hide_exceptions = False
        logging.getLogger("yfinance").setLevel(logging.CRITICAL)  # its failure noise
        self._timeout = timeout
        self._clock = clock
        self._session = session
        self._owns_session = session is None
        self._lock = threading.Lock()
        self._closed = False

    def close(self) -> None:
        """Close the session if it was created here; later calls raise RuntimeError."""
        with self._lock:
            self._closed = True
            if self._owns_session and self._session is not None:
                self._session.close()
            self._session = None

    @contextlib.contextmanager
    def _forgetting_failures(self) -> Iterator[None]:
        """On failure, empty yfinance's in-process response cache: it keeps the time-zone probe's
        response even when that was an error page, which would fail the symbol until restart."""
        try:
            yield
        except Exception:
            cache_get = getattr(getattr(self._yf.data, "YfData", None), "cache_get", None)
            if cache_get is not None and hasattr(cache_get, "cache_clear"):
                cache_get.cache_clear()
            raise

    def _ticker(self, symbol: str) -> Any:
        with self._lock:
            if self._closed:
                raise RuntimeError("the quote provider is closed")
            if self._session is None:
                self._session = default_session()
            session = self._session
        return self._yf.Ticker(symbol, session=session)

    def quote(self, symbol: str) -> Quote:
        """The latest quote, from a few days of daily bars and the chart metadata."""
        ticker = self._ticker(symbol)
        with self._forgetting_failures():
            frame = ticker.history(
                period=QUOTE_RANGE, interval="1d", auto_adjust=False, timeout=self._timeout
            )
        return quote_from_chart(symbol, frame, ticker.get_history_metadata(), self._clock())

    def close_on(self, symbol: str, day: date) -> HistoricalClose:
        """The unadjusted close of the last trading day on or before ``day``."""
        ticker = self._ticker(symbol)
        start, end = day - timedelta(days=CLOSE_LOOKBACK_DAYS), day + timedelta(days=1)
        try:
            with self._forgetting_failures():
                frame = ticker.history(
                    start=start, end=end, interval="1d", auto_adjust=False, timeout=self._timeout
                )
        except self._yf.exceptions.YFPricesMissingError as missing:
            if missing.yahoo_reason is not None:  # Yahoo's own error, e.g. unknown symbol
                raise
            raise Unavailable("no_data", f"no close on or shortly before {day}") from missing
        return close_from_chart(symbol, frame, ticker.get_history_metadata(), day)

    def history(self, symbol: str, period: Period) -> PriceHistory:
        """Unadjusted closes over ``period`` (intraday bars for 1d and 5d)."""
        ticker = self._ticker(symbol)
        interval = INTERVALS[period]
        with self._forgetting_failures():
            frame = ticker.history(
                period=period, interval=interval, auto_adjust=False, timeout=self._timeout
            )
        meta = ticker.get_history_metadata()
        return history_from_chart(symbol, period, interval, frame, meta)
