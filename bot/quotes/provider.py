"""The quote provider interface, and a deterministic fake for tests of other modules.

A provider never raises for a bad symbol, an outage or a rate limit: it answers
:class:`~bot.quotes.model.QuoteUnavailable` with the reason. It raises only for programming
errors (a closed provider, an unknown period).
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Protocol, runtime_checkable

from bot.quotes.model import (
    PERIODS,
    HistoricalClose,
    Period,
    PriceHistory,
    ProviderHealth,
    Quote,
    QuoteUnavailable,
    UnavailableKind,
)
from bot.quotes.symbols import InvalidSymbol, printable, validate_symbol


@runtime_checkable
class QuoteProvider(Protocol):
    """Where quotes come from. All methods are safe to call from the event loop."""

    name: str

    async def quote(self, symbol: str) -> Quote | QuoteUnavailable:
        """The latest quote of ``symbol``."""
        ...

    async def quotes(self, symbols: Sequence[str]) -> dict[str, Quote | QuoteUnavailable]:
        """Quotes of several symbols, fetched concurrently (bounded), keyed by the input text."""
        ...

    async def close_on(self, symbol: str, day: date) -> HistoricalClose | QuoteUnavailable:
        """The close on ``day``, or on the last trading day before it."""
        ...

    async def history(self, symbol: str, period: Period) -> PriceHistory | QuoteUnavailable:
        """Closing prices over ``period``, for a chart."""
        ...

    def health(self) -> ProviderHealth:
        """Last success, last error, consecutive failures, cache size."""
        ...

    async def aclose(self) -> None:
        """Refuse new calls and release connections, without waiting on calls in flight
        (each still answers its caller by its own deadline). Safe to call twice."""
        ...


def invalid(raw: str, error: InvalidSymbol) -> QuoteUnavailable:
    """The answer for a symbol refused by :func:`validate_symbol`."""
    return QuoteUnavailable(
        symbol=printable(raw.strip() if isinstance(raw, str) else repr(raw)),
        reason=f"invalid symbol: {error}",
        kind="invalid_symbol",
    )


def check_period(period: str) -> Period:
    """Return ``period`` if it is one of :data:`PERIODS`, else raise ValueError."""
    for known in PERIODS:
        if period == known:
            return known
    raise ValueError(f"unknown period {period!r}; expected one of {', '.join(PERIODS)}")


FAKE_AS_OF = datetime(2025, 1, 2, 21, 0, tzinfo=UTC)


class FakeQuoteProvider:
    """Deterministic quotes from dicts, for tests of other modules.

    ``prices`` maps symbols to a price (or a full :class:`Quote`); ``closes`` maps symbols to
    ``{day: close}`` and serves both ``close_on`` and ``history``. Set ``fail`` to a reason
    (and ``fail_kind``) to make every call answer unavailable, ``delay`` to make calls slow.
    Every call is recorded in ``calls`` as ``(method, symbol)``.
    """

    def __init__(
        self,
        prices: Mapping[str, float | Quote] | None = None,
        *,
        closes: Mapping[str, Mapping[date, float]] | None = None,
        currency: str = "USD",
        as_of: datetime = FAKE_AS_OF,
        fail: str | None = None,
        fail_kind: UnavailableKind = "unreachable",
        delay: float = 0.0,
        name: str = "fake",
    ) -> None:
        self.name = name
        self.prices = {validate_symbol(k): v for k, v in (prices or {}).items()}
        self.closes = {validate_symbol(k): dict(v) for k, v in (closes or {}).items()}
        self.currency = currency
        self.as_of = as_of
        self.fail = fail
        self.fail_kind: UnavailableKind = fail_kind
        self.delay = delay
        self.calls: list[tuple[str, str]] = []
        self.closed = False
        self._last_success: datetime | None = None
        self._last_error: str | None = None
        self._failures = 0

    async def _begin(self, method: str, raw: str) -> str | QuoteUnavailable:
        self.calls.append((method, raw))
        try:
            symbol = validate_symbol(raw)
        except InvalidSymbol as error:
            return invalid(raw, error)
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.fail is not None:
            self._last_error, self._failures = self.fail, self._failures + 1
            return QuoteUnavailable(symbol=symbol, reason=self.fail, kind=self.fail_kind)
        self._last_success, self._failures = self.as_of, 0
        return symbol

    async def quote(self, symbol: str) -> Quote | QuoteUnavailable:
        checked = await self._begin("quote", symbol)
        if isinstance(checked, QuoteUnavailable):
            return checked
        value = self.prices.get(checked)
        if value is None:
            return QuoteUnavailable(symbol=checked, reason="unknown symbol", kind="unknown_symbol")
        if isinstance(value, Quote):
            return value
        return Quote(
            symbol=checked, price=float(value), currency=self.currency, as_of=self.as_of,
            market_state="CLOSED", source=self.name,
        )  # fmt: skip

    async def quotes(self, symbols: Sequence[str]) -> dict[str, Quote | QuoteUnavailable]:
        unique = list(dict.fromkeys(symbols))
        results = await asyncio.gather(*(self.quote(s) for s in unique))
        return dict(zip(unique, results, strict=True))

    async def close_on(self, symbol: str, day: date) -> HistoricalClose | QuoteUnavailable:
        checked = await self._begin("close_on", symbol)
        if isinstance(checked, QuoteUnavailable):
            return checked
        series = self.closes.get(checked, {})
        before = [d for d in series if d <= day and d >= day - timedelta(days=10)]
        if not before:
            return QuoteUnavailable(
                symbol=checked, reason=f"no close on or before {day}", kind="no_data"
            )
        used = max(before)
        return HistoricalClose(
            symbol=checked, day=used, requested_day=day, close=series[used],
            currency=self.currency, source=self.name,
        )  # fmt: skip

    async def history(self, symbol: str, period: Period) -> PriceHistory | QuoteUnavailable:
        check_period(period)
        checked = await self._begin("history", symbol)
        if isinstance(checked, QuoteUnavailable):
            return checked
        series = sorted(self.closes.get(checked, {}).items())
        if not series:
            return QuoteUnavailable(symbol=checked, reason="no price history", kind="no_data")
        return PriceHistory(
            symbol=checked, period=period, interval="1d", currency=self.currency,
            timestamps=[datetime(d.year, d.month, d.day, 21, tzinfo=UTC) for d, _ in series],
            closes=[c for _, c in series], source=self.name,
        )  # fmt: skip

    def health(self) -> ProviderHealth:
        return ProviderHealth(
            provider=self.name, last_success=self._last_success, last_error=self._last_error,
            consecutive_failures=self._failures, cache_size=0, requests=len(self.calls),
        )  # fmt: skip

    async def aclose(self) -> None:
        """Record the close (``closed``); there is nothing to release."""
        self.closed = True
