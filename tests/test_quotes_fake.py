"""The fake provider other modules test against."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, date, datetime

import pytest

from bot.quotes import (
    FakeQuoteProvider,
    HistoricalClose,
    PriceHistory,
    Quote,
    QuoteProvider,
    QuoteUnavailable,
)

CLOSES = {"NVDA": {date(2025, 1, 2): 138.31, date(2025, 1, 3): 144.47, date(2025, 1, 6): 149.43}}


def test_fake_satisfies_the_protocol():
    assert isinstance(FakeQuoteProvider(), QuoteProvider)


async def test_deterministic_quotes():
    fake = FakeQuoteProvider({"nvda": 140.5})
    quote = await fake.quote("$NVDA")
    assert isinstance(quote, Quote)
    assert (quote.symbol, quote.price, quote.currency) == ("NVDA", 140.5, "USD")
    assert quote.as_of == datetime(2025, 1, 2, 21, 0, tzinfo=UTC)
    assert await fake.quote("NVDA") == quote
    assert fake.calls == [("quote", "$NVDA"), ("quote", "NVDA")]


async def test_full_quote_objects_are_returned_as_given():
    given = Quote(symbol="MSFT", price=1.0, change=0.1, as_of=datetime(2025, 5, 1, tzinfo=UTC))
    assert await FakeQuoteProvider({"MSFT": given}).quote("msft") == given


async def test_unknown_and_invalid_symbols():
    fake = FakeQuoteProvider({"NVDA": 1.0})
    unknown = await fake.quote("AMD")
    assert isinstance(unknown, QuoteUnavailable) and unknown.kind == "unknown_symbol"
    bad = await fake.quote("../x")
    assert isinstance(bad, QuoteUnavailable) and bad.kind == "invalid_symbol"


async def test_failure_mode():
    fake = FakeQuoteProvider({"NVDA": 1.0}, fail="Yahoo Finance unreachable (DNS)")
    answer = await fake.quote("NVDA")
    assert isinstance(answer, QuoteUnavailable)
    assert answer.text == "quote unavailable: Yahoo Finance unreachable (DNS)"
    assert fake.health().consecutive_failures == 1
    fake.fail = None
    assert isinstance(await fake.quote("NVDA"), Quote)
    assert fake.health().consecutive_failures == 0


async def test_delay_mode():
    fake = FakeQuoteProvider({"NVDA": 1.0}, delay=0.2)
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(fake.quote("NVDA"), 0.05)
    started = time.monotonic()
    answers = await fake.quotes(["NVDA", "nvda", "NVDA"])
    assert time.monotonic() - started < 0.35  # concurrent, not one after another
    assert list(answers) == ["NVDA", "nvda"]


async def test_close_on_and_history():
    fake = FakeQuoteProvider(closes=CLOSES)
    close = await fake.close_on("NVDA", date(2025, 1, 5))  # a Sunday
    assert isinstance(close, HistoricalClose)
    assert (close.day, close.close) == (date(2025, 1, 3), 144.47)
    missing = await fake.close_on("NVDA", date(2024, 12, 1))
    assert isinstance(missing, QuoteUnavailable) and missing.kind == "no_data"
    history = await fake.history("NVDA", "1mo")
    assert isinstance(history, PriceHistory)
    assert history.closes == [138.31, 144.47, 149.43]
    with pytest.raises(ValueError):
        await fake.history("NVDA", "2y")  # type: ignore[arg-type]
