"""The blocking yfinance calls behind the Yahoo provider (they run in its worker threads).

Each answer costs one chart request (``/v8/finance/chart`` through ``Ticker.history``), plus
yfinance's own cookie/crumb handshake and, once per symbol, its time-zone probe (cached on disk
by yfinance). ``fast_info`` is not used: it asks for three charts (1y daily, 5d hourly twice),
keeps only the last year relative to *now*, and may fall back to ``quoteSummary``.

yfinance keeps one process-wide data object (session, cookie, crumb): every ``Ticker`` built
with ``session=`` installs that session for the whole process. Build one provider per process.

**Every call has a deadline.** yfinance passes the caller's ``timeout`` to the chart request
only; its cookie and crumb requests use 30 s and its time-zone probe 10 s, one after the other.
So the session is bounded instead (:func:`bound_session`): each request it sends, whoever asks,
gets as its timeout what is left of the current call's deadline (:meth:`YahooCalls.run` sets
it for the worker thread), and a request asked for after the deadline fails at once with
``TimeoutError``. A worker thread is therefore free about when its caller gives up, even when
Yahoo accepts connections and never answers. (curl_cffi's timeout bounds the whole transfer;
``requests``' bounds the connection and each read, which is the same against a silent server.)
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from typing import Any, TypeVar

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

T = TypeVar("T")

_call_state = threading.local()  # .deadline: time.monotonic() by which the current call ends


def _deadline() -> float | None:
    return getattr(_call_state, "deadline", None)


def request_timeout(asked: object, bound: float) -> float:
    """The timeout for one request: what is left of the current call's deadline (``bound``
    outside a call), never more than a numeric ``asked``. Raises TimeoutError when no time is
    left, so that nothing is sent."""
    deadline = _deadline()
    left = bound if deadline is None else deadline - time.monotonic()
    if left <= 0:
        raise TimeoutError("the Yahoo call ran out of time before this request")
    if isinstance(asked, int | float) and not isinstance(asked, bool) and 0 < asked < left:
        return float(asked)
    return left


def bound_session(session: Any, bound: float) -> Any:
    """Make every request ``session`` sends carry :func:`request_timeout` (once per session).

    Both requests' and curl_cffi's ``get``/``post`` go through ``session.request``; the
    instance attribute set here wraps it, whatever timeout yfinance asks for.
    """
    if getattr(session, "_quote_deadline_bound", False):
        return session
    send = session.request

    def request(method: Any, url: Any, *args: Any, **kwargs: Any) -> Any:
        kwargs["timeout"] = request_timeout(kwargs.get("timeout"), bound)
        return send(method, url, *args, **kwargs)

    session.request = request
    session._quote_deadline_bound = True
    return session


def default_session(proxy: str | None = None) -> Any:
    """What yfinance itself would use: curl_cffi impersonating Chrome, else plain requests;
    with ``proxy``, every request goes through it."""
    try:
        from curl_cffi import requests as curl_requests
    except ImportError:
        import requests

        session: Any = requests.Session()
    else:
        session = curl_requests.Session(impersonate="chrome")
    if proxy:
        session.proxies = {"http": proxy, "https": proxy}
    return session


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
    """yfinance with one shared session (given, or created on first use and owned), bounded by
    :func:`bound_session`. Run each call through :meth:`run`."""

    def __init__(
        self,
        timeout: float,
        clock: Callable[[], float],
        session: Any = None,
        proxy: str | None = None,
    ) -> None:
        if session is not None:
            check_session(session)
            bound_session(session, timeout)
        import yfinance  # heavy (pandas): imported when a provider is built, not on import

        self._yf = yfinance
        # Process-wide yfinance switch: raise instead of logging and returning an empty frame,
        # so that a DNS failure, a 429 and an unknown symbol can be told apart.
        yfinance.config.debug.hide_exceptions = False
        logging.getLogger("yfinance").setLevel(logging.CRITICAL)  # its failure noise
        self._timeout = timeout
        self._clock = clock
        self._proxy = proxy
        self._session = session
        self._owns_session = session is None
        self._lock = threading.Lock()
        self._closed = False
        self._running = 0  # calls inside run()

    def run(self, deadline: float, work: Callable[[], T]) -> T:
        """Run ``work`` (one of the calls below) in this thread with every request it sends
        bounded by ``deadline`` (``time.monotonic()``); TimeoutError once it has passed."""
        with self._lock:
            if self._closed:
                raise RuntimeError("the quote provider is closed")
            self._running += 1
        _call_state.deadline = deadline
        try:
            if time.monotonic() >= deadline:
                raise TimeoutError("the Yahoo call ran out of time before it started")
            return work()
        finally:
            _call_state.deadline = None
            with self._lock:
                self._running -= 1
                if self._closed and self._running == 0:
                    self._release()

    def close(self) -> None:
        """Later calls raise RuntimeError. The session, if created here, is closed now, or by
        the last call still running (never under a request in flight; each ends by its
        deadline)."""
        with self._lock:
            self._closed = True
            if self._running == 0:
                self._release()

    def _release(self) -> None:
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
                self._session = bound_session(default_session(self._proxy), self._timeout)
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
