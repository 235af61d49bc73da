"""Quotes from Yahoo Finance through yfinance, safe to call from the event loop.

Every yfinance call (:mod:`bot.quotes.yahoo_calls`) runs in a worker thread of its own, at most
``max_concurrency`` at once, with one deadline (``timeout_seconds`` from the start) that bounds
both the caller's wait and every HTTP request the call makes (the session is bounded, see
:mod:`bot.quotes.yahoo_calls`): no worker outlives its caller's wait by more than a moment.
Worker threads are daemon threads that nothing joins: closing the provider or leaving the
process never waits for Yahoo.

Answers are cached (quotes briefly, closes and daily histories longer, failures very briefly),
identical concurrent requests share one call. After an HTTP 429 the provider stops calling
Yahoo for a back-off window that doubles up to a cap; after a timeout or an unreachable Yahoo
(refused, no route, no DNS) it stops for ``failure_ttl_seconds`` (a Yahoo that does not answer
one call is not answering the next: an outage costs one failed call, not one per ticker).
Failures never raise: they come back as :class:`~bot.quotes.model.QuoteUnavailable`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
import time
from collections.abc import Callable, Hashable, Sequence
from datetime import UTC, date, datetime
from functools import partial
from typing import Any, TypeVar, cast

from bot.quotes.cache import Backoff, Clock, HealthRecorder, TTLCache
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
from bot.quotes.yahoo_calls import INTERVALS, YahooCalls
from bot.quotes.yahoo_data import Unavailable, classify, is_rate_limit

log = logging.getLogger(__name__)

T = TypeVar("T")
Answer = Quote | HistoricalClose | PriceHistory | QuoteUnavailable

# Failures that say something about Yahoo's health (an unknown symbol does not).
_HEALTH_FAILURES = {"unreachable", "timeout", "rate_limited", "error"}


def _utc(seconds: float | None) -> datetime | None:
    return None if seconds is None else datetime.fromtimestamp(seconds, UTC)


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
        self._settings = settings
        self._clock = clock
        self._calls = YahooCalls(settings.timeout_seconds, clock, session, settings.proxy)
        self._silent_until = 0.0  # after a timeout or unreachable: no calls before this
        self._silent_why: tuple[UnavailableKind, str] = ("timeout", "")
        self._semaphore = asyncio.Semaphore(settings.max_concurrency)
        self._cache: TTLCache[Answer] = TTLCache(clock)
        self._backoff = Backoff(
            clock, settings.backoff_initial_seconds, settings.backoff_max_seconds
        )
        self._inflight: dict[Hashable, asyncio.Task[Any]] = {}
        self._closed = False
        self._requests = 0
        self._health = HealthRecorder(clock)

    # -- the interface ----------------------------------------------------------------------
    async def quote(self, symbol: str) -> Quote | QuoteUnavailable:
        checked = self._check(symbol)
        if isinstance(checked, QuoteUnavailable):
            return checked
        work = partial(self._calls.quote, checked)
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
            reason = f"no close yet for {day.isoformat()}"
            return QuoteUnavailable(symbol=checked, reason=reason, kind="no_data")
        work = partial(self._calls.close_on, checked, day)
        ttl = self._settings.history_ttl_seconds
        return await self._answer(("close", checked, day), checked, ttl, work)

    async def history(self, symbol: str, period: Period) -> PriceHistory | QuoteUnavailable:
        period = check_period(period)
        checked = self._check(symbol)
        if isinstance(checked, QuoteUnavailable):
            return checked
        intraday = INTERVALS[period] != "1d"
        ttl = self._settings.quote_ttl_seconds if intraday else self._settings.history_ttl_seconds
        work = partial(self._calls.history, checked, period)
        return await self._answer(("history", checked, period), checked, ttl, work)

    def health(self) -> ProviderHealth:
        recorded = self._health
        return ProviderHealth(
            provider=self.name,
            enabled=self._settings.enabled,
            last_success=_utc(recorded.last_success),
            last_error=recorded.last_error,
            last_error_at=_utc(recorded.last_error_at),
            consecutive_failures=recorded.consecutive_failures,
            cache_size=len(self._cache),
            backoff_until=_utc(self._backoff.until),
            requests=self._requests,
        )

    async def aclose(self) -> None:
        """Refuse new calls and release the session, without waiting for Yahoo: calls in
        flight still answer their callers by their deadline; the last one closes the session."""
        self._closed = True
        self._calls.close()

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
        if self._clock() < self._silent_until:
            return self._not_answering(symbol)
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
            if self._clock() < self._silent_until:  # a timeout, likewise
                return self._not_answering(symbol)
            answer = await self._call(symbol, work)
        if isinstance(answer, QuoteUnavailable):
            if answer.kind != "rate_limited":  # the back-off window covers those
                self._cache.put(key, answer, self._settings.failure_ttl_seconds)
        else:
            self._cache.put(key, cast(Answer, answer), ttl)
        return answer

    async def _call(self, symbol: str, work: Callable[[], T]) -> T | QuoteUnavailable:
        """Run ``work`` in a worker thread under the deadline; turn every failure into an
        answer."""
        timeout = self._settings.timeout_seconds
        self._requests += 1
        deadline = time.monotonic() + timeout
        try:
            value = await asyncio.wait_for(self._in_thread(deadline, work), timeout)
        except TimeoutError:
            return self._timed_out(symbol)
        except Unavailable as missing:
            self._succeeded()  # Yahoo answered, but with no usable price
            return QuoteUnavailable(symbol=symbol, reason=missing.reason, kind=missing.kind)
        except Exception as exc:  # the yfinance boundary: anything it raises becomes an answer
            log.debug("Yahoo call for %s failed", symbol, exc_info=exc)
            if is_rate_limit(exc):
                window = self._backoff.hit()
                log.warning("Yahoo rate limit (HTTP 429): no calls for %g s", window)
                self._health.failure("rate limited by Yahoo (HTTP 429)")
                return self._rate_limited(symbol)
            kind, reason = classify(exc, timeout)
            if kind == "timeout":
                return self._timed_out(symbol)
            if kind == "unreachable":  # no route, refused, DNS: the next call fares no better
                self._silence(kind, reason)
            if kind in _HEALTH_FAILURES:
                return self._failed(symbol, kind, reason)
            self._succeeded()  # e.g. an unknown symbol: Yahoo answered
            return QuoteUnavailable(symbol=symbol, reason=reason, kind=kind)
        self._succeeded()
        return value

    def _succeeded(self) -> None:
        self._health.success()
        self._backoff.reset()

    def _failed(self, symbol: str, kind: UnavailableKind, reason: str) -> QuoteUnavailable:
        self._health.failure(reason)
        log.info("quote unavailable for %s: %s", symbol, reason)
        return QuoteUnavailable(symbol=symbol, reason=reason, kind=kind)

    def _rate_limited(self, symbol: str) -> QuoteUnavailable:
        wait = self._backoff.remaining_whole_seconds()
        return QuoteUnavailable(
            symbol=symbol,
            reason=f"rate limited by Yahoo (HTTP 429), retry in {wait} s",
            kind="rate_limited",
            retry_after=float(wait),
        )

    def _timed_out(self, symbol: str) -> QuoteUnavailable:
        timeout = self._settings.timeout_seconds
        self._silence("timeout", f"Yahoo Finance not answering (a call timed out after "
                                 f"{timeout:g} s)")
        return self._failed(symbol, "timeout", f"timed out after {timeout:g} s")

    def _silence(self, kind: UnavailableKind, reason: str) -> None:
        """No calls for ``failure_ttl_seconds``; until then every symbol gets ``reason``."""
        self._silent_until = self._clock() + self._settings.failure_ttl_seconds
        self._silent_why = (kind, reason)

    def _not_answering(self, symbol: str) -> QuoteUnavailable:
        kind, reason = self._silent_why
        return QuoteUnavailable(symbol=symbol, reason=reason, kind=kind)

    def _in_thread(self, deadline: float, work: Callable[[], T]) -> asyncio.Future[T]:
        """``work`` in a new daemon thread under ``deadline``; its result as a future of the
        running loop. Nothing waits for the thread: a caller that gives up cancels the future,
        and the thread, bounded by the deadline, ends on its own."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()

        def settle(value: Any, error: BaseException | None) -> None:
            if future.done():  # the caller gave up
                return
            if error is not None:
                future.set_exception(error)
            else:
                future.set_result(value)

        def worker() -> None:
            try:
                value, error = self._calls.run(deadline, work), None
            except BaseException as exc:  # noqa: BLE001 (handed to the caller, raised there)
                value, error = None, exc
            with contextlib.suppress(RuntimeError):  # the loop is closed: nobody waits
                loop.call_soon_threadsafe(settle, value, error)

        threading.Thread(target=worker, name="yahoo-quotes", daemon=True).start()
        return future
