"""Quotes from Yahoo Finance through yfinance, safe to call from the event loop.

Every yfinance call runs in a small thread pool of the provider, under ``asyncio.wait_for``.
One chart request (``/v8/finance/chart``, via ``Ticker.history``) serves each answer: the quote
reads price, time, day range and names from the chart metadata and the previous close from the
daily bars. Answers are cached (quotes briefly, closes/histories longer, failures very briefly),
identical concurrent requests share one call, and after an HTTP 429 the provider stops calling
Yahoo for a back-off window that doubles up to a cap. Failures never raise: they come back as
:class:`~bot.quotes.model.QuoteUnavailable` with the reason.

yfinance keeps one process-wide data object (session, cookie, crumb): every ``Ticker`` built
with ``session=`` installs that session for the whole process. So build one provider per
process; two providers with different sessions would share whichever was installed last.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Callable, Hashable, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta
from functools import partial
from typing import Any, TypeVar, cast

from bot.quotes.cache import Backoff, Clock, TTLCache
from bot.quotes.model import (
    YAHOO,
    HistoricalClose,
    Period,
    PriceHistory,
    ProviderHealth,
    Quote,
    QuoteUnavailable,
    UnavailableKind,
)
from bot.quotes.provider import check_period, invalid
from bot.quotes.settings import QuoteSettings
from bot.quotes.symbols import InvalidSymbol, validate_symbol
from bot.quotes.yahoo_data import (
    Unavailable,
    classify,
    close_from_chart,
    history_from_chart,
    is_rate_limit,
    quote_from_chart,
)

log = logging.getLogger(__name__)

T = TypeVar("T")
Answer = Quote | HistoricalClose | PriceHistory | QuoteUnavailable

QUOTE_RANGE = "5d"  # daily bars: enough for the previous close across weekends and holidays
CLOSE_LOOKBACK_DAYS = 10  # how far before a date the "last trading day" may be
INTERVALS: dict[Period, str] = {"1d": "5m", "5d": "15m", "1mo": "1d", "6mo": "1d", "1y": "1d"}
# Failures that say something about Yahoo's health (an unknown symbol does not).
_HEALTH_FAILURES = {"unreachable", "timeout", "rate_limited", "error"}


def default_session() -> Any:
    """What yfinance itself would use: curl_cffi impersonating Chrome, else plain requests."""
    try:
        from curl_cffi import requests as curl_requests
    except ImportError:
        import requests

        return requests.Session()
    return curl_requests.Session(impersonate="chrome")


class YahooQuoteProvider:
    """The :class:`~bot.quotes.provider.QuoteProvider` over yfinance (see the module doc).

    ``session``: a ``requests.Session`` or curl_cffi ``Session`` to use (tests pass one that
    replays recorded answers); None = one is created on first use and closed by :meth:`aclose`.
    ``clock``: epoch seconds (cache lifetimes, back-off, market state, health times).
    """

    name = YAHOO

    def __init__(
        self, settings: QuoteSettings, *, session: Any = None, clock: Clock = time.time
    ) -> None:
        import yfinance  # heavy (pandas): imported when a provider is built, not on import

        self._yf = yfinance
        # Process-wide yfinance switch: raise instead of logging and returning an empty frame,
        # so a DNS failure, a 429 and an unknown symbol can be told apart.
        yfinance.config.debug.hide_exceptions = False
        logging.getLogger("yfinance").setLevel(logging.CRITICAL)
        self._settings = settings
        self._clock = clock
        self._session = session
        self._owns_session = session is None
        self._session_lock = threading.Lock()
        self._executor: ThreadPoolExecutor | None = None
        self._semaphore = asyncio.Semaphore(settings.max_concurrency)
        self._cache: TTLCache[Answer] = TTLCache(clock)
        self._backoff = Backoff(
            clock, settings.backoff_initial_seconds, settings.backoff_max_seconds
        )
        self._inflight: dict[Hashable, asyncio.Task[Any]] = {}
        self._closed = False
        self._requests = 0
        self._last_success: float | None = None
        self._last_error: str | None = None
        self._last_error_at: float | None = None
        self._failures = 0

    # -- the interface ----------------------------------------------------------------------
    async def quote(self, symbol: str) -> Quote | QuoteUnavailable:
        checked = self._check(symbol)
        if isinstance(checked, QuoteUnavailable):
            return checked
        work = partial(self._fetch_quote, checked)
        return await self._answer(
            ("quote", checked), checked, self._settings.quote_ttl_seconds, work
        )

    async def quotes(self, symbols: Sequence[str]) -> dict[str, Quote | QuoteUnavailable]:
        """Concurrent (at most ``max_concurrency`` Yahoo calls at once), keyed by input text."""
        unique = list(dict.fromkeys(symbols))
        results = await asyncio.gather(*(self.quote(s) for s in unique))
        return dict(zip(unique, results, strict=True))

    async def close_on(self, symbol: str, day: date) -> HistoricalClose | QuoteUnavailable:
        checked = self._check(symbol)
        if isinstance(checked, QuoteUnavailable):
            return checked
        today = datetime.fromtimestamp(self._clock(), UTC).date()
        if day >= today:
            reason = f"no close yet for {day.isoformat()} (use the live quote)"
            return QuoteUnavailable(symbol=checked, reason=reason, kind="no_data")
        work = partial(self._fetch_close, checked, day)
        ttl = self._settings.history_ttl_seconds
        return await self._answer(("close", checked, day), checked, ttl, work)

    async def history(self, symbol: str, period: Period) -> PriceHistory | QuoteUnavailable:
        period = check_period(period)
        checked = self._check(symbol)
        if isinstance(checked, QuoteUnavailable):
            return checked
        intraday = INTERVALS[period] != "1d"
        ttl = self._settings.quote_ttl_seconds if intraday else self._settings.history_ttl_seconds
        work = partial(self._fetch_history, checked, period)
        return await self._answer(("history", checked, period), checked, ttl, work)

    def health(self) -> ProviderHealth:
        until = self._backoff.until
        return ProviderHealth(
            provider=self.name,
            enabled=self._settings.enabled,
            last_success=self._time(self._last_success),
            last_error=self._last_error,
            last_error_at=self._time(self._last_error_at),
            consecutive_failures=self._failures,
            cache_size=len(self._cache),
            backoff_until=self._time(until),
            requests=self._requests,
        )

    async def aclose(self) -> None:
        """Wait for calls in flight (bounded by the timeout), then release threads and session."""
        self._closed = True
        if self._inflight:
            await asyncio.wait(
                list(self._inflight.values()), timeout=self._settings.timeout_seconds
            )
        if self._executor is not None:
            self._executor.shutdown(wait=False, cancel_futures=True)
        if self._owns_session and self._session is not None:
            self._session.close()
        self._session = None

    async def __aenter__(self) -> YahooQuoteProvider:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    # -- caching, coalescing, back-off, timeout ---------------------------------------------
    def _check(self, raw: str) -> str | QuoteUnavailable:
        if self._closed:
            raise RuntimeError("the quote provider is closed")
        try:
            symbol = validate_symbol(raw)
        except InvalidSymbol as error:
            return invalid(raw, error)
        if not self._settings.enabled:
            return QuoteUnavailable(symbol=symbol, reason="quotes are disabled", kind="disabled")
        return symbol

    async def _answer(
        self, key: Hashable, symbol: str, ttl: float, work: Callable[[], T]
    ) -> T | QuoteUnavailable:
        cached = self._cache.get(key)
        if cached is not None:
            return cast("T | QuoteUnavailable", cached)
        if self._backoff.remaining() > 0:
            return self._rate_limited(symbol)
        task = self._inflight.get(key)
        if task is None:
            task = asyncio.create_task(self._fetch(key, symbol, ttl, work))
            self._inflight[key] = task
            task.add_done_callback(partial(self._forget, key))
        # shield: one caller giving up must not cancel the call the others wait for
        return cast("T | QuoteUnavailable", await asyncio.shield(task))

    def _forget(self, key: Hashable, task: asyncio.Task[Any]) -> None:
        if self._inflight.get(key) is task:
            del self._inflight[key]

    async def _fetch(
        self, key: Hashable, symbol: str, ttl: float, work: Callable[[], T]
    ) -> T | QuoteUnavailable:
        async with self._semaphore:
            if self._backoff.remaining() > 0:  # a 429 arrived while this call waited
                return self._rate_limited(symbol)
            answer = await self._call(symbol, work)
        if isinstance(answer, QuoteUnavailable):
            if answer.kind != "rate_limited":  # the back-off window covers those
                self._cache.put(key, answer, self._settings.failure_ttl_seconds)
        else:
            self._cache.put(key, cast(Answer, answer), ttl)
        return answer

    async def _call(self, symbol: str, work: Callable[[], T]) -> T | QuoteUnavailable:
        """Run ``work`` in the pool under the timeout; turn every failure into an answer."""
        timeout = self._settings.timeout_seconds
        self._requests += 1
        loop = asyncio.get_running_loop()
        try:
            value = await asyncio.wait_for(loop.run_in_executor(self._pool(), work), timeout)
        except TimeoutError:
            return self._failed(symbol, "timeout", f"timed out after {timeout:g} s")
        except Unavailable as missing:
            self._succeeded()  # Yahoo answered, but with no usable price
            return QuoteUnavailable(symbol=symbol, reason=missing.reason, kind=missing.kind)
        except Exception as exc:  # the yfinance boundary: anything it raises becomes an answer
            log.debug("Yahoo call for %s failed", symbol, exc_info=exc)
            if is_rate_limit(exc):
                return self._hit_rate_limit(symbol)
            kind, reason = classify(exc, timeout)
            if kind in _HEALTH_FAILURES:
                return self._failed(symbol, kind, reason)
            self._succeeded()  # e.g. an unknown symbol: Yahoo answered
            return QuoteUnavailable(symbol=symbol, reason=reason, kind=kind)
        self._succeeded()
        return value

    def _succeeded(self) -> None:
        self._last_success = self._clock()
        self._failures = 0
        self._backoff.reset()

    def _failed(self, symbol: str, kind: UnavailableKind, reason: str) -> QuoteUnavailable:
        self._failures += 1
        self._last_error, self._last_error_at = reason, self._clock()
        log.warning("quote unavailable for %s: %s", symbol, reason)
        return QuoteUnavailable(symbol=symbol, reason=reason, kind=kind)

    def _hit_rate_limit(self, symbol: str) -> QuoteUnavailable:
        window = self._backoff.hit()
        answer = self._rate_limited(symbol)
        self._failed(symbol, "rate_limited", f"rate limited by Yahoo (HTTP 429) for {window:g} s")
        return answer

    def _rate_limited(self, symbol: str) -> QuoteUnavailable:
        wait = self._backoff.remaining_whole_seconds()
        return QuoteUnavailable(
            symbol=symbol,
            reason=f"rate limited by Yahoo (HTTP 429), retry in {wait} s",
            kind="rate_limited",
            retry_after=float(wait),
        )

    def _pool(self) -> ThreadPoolExecutor:
        if self._executor is None:
            self._executor = ThreadPoolExecutor(
                max_workers=self._settings.max_concurrency, thread_name_prefix="yahoo-quotes"
            )
        return self._executor

    def _time(self, seconds: float | None) -> datetime | None:
        return None if seconds is None else datetime.fromtimestamp(seconds, UTC)

    # -- the yfinance calls (worker threads) ------------------------------------------------
    def _ticker(self, symbol: str) -> Any:
        with self._session_lock:
            if self._session is None:
                if self._closed:
                    raise RuntimeError("the quote provider is closed")
                self._session = default_session()
            session = self._session
        return self._yf.Ticker(symbol, session=session)

    def _fetch_quote(self, symbol: str) -> Quote:
        ticker = self._ticker(symbol)
        frame = ticker.history(
            period=QUOTE_RANGE, interval="1d", auto_adjust=False,
            timeout=self._settings.timeout_seconds,
        )  # fmt: skip
        return quote_from_chart(symbol, frame, ticker.get_history_metadata(), self._clock())

    def _fetch_close(self, symbol: str, day: date) -> HistoricalClose:
        ticker = self._ticker(symbol)
        try:
            frame = ticker.history(
                start=day - timedelta(days=CLOSE_LOOKBACK_DAYS), end=day + timedelta(days=1),
                interval="1d", auto_adjust=False, timeout=self._settings.timeout_seconds,
            )  # fmt: skip
        except self._yf.exceptions.YFPricesMissingError as missing:
            if missing.yahoo_reason is not None:  # Yahoo's own error, e.g. unknown symbol
                raise
            raise Unavailable("no_data", f"no close on or shortly before {day}") from missing
        return close_from_chart(symbol, frame, ticker.get_history_metadata(), day)

    def _fetch_history(self, symbol: str, period: Period) -> PriceHistory:
        ticker = self._ticker(symbol)
        interval = INTERVALS[period]
        frame = ticker.history(
            period=period, interval=interval, auto_adjust=False,
            timeout=self._settings.timeout_seconds,
        )  # fmt: skip
        meta = ticker.get_history_metadata()
        return history_from_chart(symbol, period, interval, frame, meta)
