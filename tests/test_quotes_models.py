"""Quote models, settings, the TTL cache and the back-off."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from pydantic import ValidationError

from bot.quotes import HistoricalClose, PriceHistory, Quote, QuoteSettings, QuoteUnavailable
from bot.quotes.cache import Backoff, TTLCache


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_quote_as_of_must_be_aware_and_becomes_utc():
    new_york = timezone(timedelta(hours=-4))
    quote = Quote(symbol="MSFT", price=1.0, as_of=datetime(2025, 10, 29, 16, 0, 1, tzinfo=new_york))
    assert quote.as_of == datetime(2025, 10, 29, 20, 0, 1, tzinfo=UTC)
    assert quote.as_of.tzinfo == UTC
    assert quote.source == "Yahoo Finance"
    with pytest.raises(ValidationError):
        Quote(symbol="MSFT", price=1.0, as_of=datetime(2025, 10, 29, 16, 0))


def test_unavailable_text():
    reason = "Yahoo Finance unreachable (DNS)"
    answer = QuoteUnavailable(symbol="NVDA", reason=reason, kind="unreachable")
    assert answer.text == "quote unavailable: Yahoo Finance unreachable (DNS)"
    assert "text" not in answer.model_dump()


def test_models_are_frozen():
    close = HistoricalClose(
        symbol="X", day=date(2025, 1, 3), requested_day=date(2025, 1, 4), close=1.5
    )
    with pytest.raises(ValidationError):
        close.close = 2.0  # type: ignore[misc]


def test_price_history_needs_matching_points():
    when = datetime(2025, 1, 2, tzinfo=UTC)
    history = PriceHistory(symbol="X", period="5d", interval="1d", timestamps=[when], closes=[1.0])
    assert history.closes == [1.0]
    with pytest.raises(ValidationError, match="differ in length"):
        PriceHistory(symbol="X", period="5d", interval="1d", timestamps=[when], closes=[1.0, 2.0])
    with pytest.raises(ValidationError, match="at least one"):
        PriceHistory(symbol="X", period="5d", interval="1d", timestamps=[], closes=[])
    with pytest.raises(ValidationError):
        PriceHistory(symbol="X", period="2y", interval="1d", timestamps=[when], closes=[1.0])


def test_settings_defaults_and_environment(monkeypatch):
    defaults = QuoteSettings(_env_file=None)
    assert defaults.model_dump() == {
        "enabled": True, "timeout_seconds": 5.0, "quote_ttl_seconds": 60.0,
        "history_ttl_seconds": 3600.0, "failure_ttl_seconds": 15.0,
        "backoff_initial_seconds": 30.0, "backoff_max_seconds": 600.0, "max_concurrency": 4,
        "proxy": None,
    }  # fmt: skip
    monkeypatch.setenv("QUOTES_TIMEOUT_SECONDS", "2.5")
    monkeypatch.setenv("QUOTES_ENABLED", "false")
    configured = QuoteSettings(_env_file=None)
    assert (configured.timeout_seconds, configured.enabled) == (2.5, False)


def test_settings_refuse_nonsense():
    with pytest.raises(ValidationError):
        QuoteSettings(_env_file=None, timeout_seconds=0)
    with pytest.raises(ValidationError, match="backoff_max_seconds"):
        QuoteSettings(_env_file=None, backoff_initial_seconds=60, backoff_max_seconds=30)


def test_ttl_cache_expires_and_is_bounded():
    clock = Clock()
    cache: TTLCache[str] = TTLCache(clock, max_entries=2)
    cache.put("a", "A", ttl=10)
    assert cache.get("a") == "A"
    clock.now += 10
    assert cache.get("a") is None
    cache.put("b", "B", ttl=10)
    cache.put("c", "C", ttl=10)
    cache.put("d", "D", ttl=10)
    assert (cache.get("b"), cache.get("c"), cache.get("d")) == (None, "C", "D")
    cache.put("e", "E", ttl=0)
    assert cache.get("e") is None
    assert len(cache) == 2
    clock.now += 60
    assert len(cache) == 0


def test_backoff_doubles_up_to_a_cap_and_resets():
    clock = Clock()
    backoff = Backoff(clock, initial=30, maximum=100)
    assert backoff.remaining() == 0 and backoff.until is None
    assert [backoff.hit() for _ in range(4)] == [30, 60, 100, 100]
    assert backoff.remaining() == 100
    clock.now += 99.5
    assert backoff.remaining_whole_seconds() == 1
    backoff.reset()
    assert backoff.remaining() == 0
    assert backoff.hit() == 30
