"""The Yahoo provider on recorded Yahoo answers, replayed under yfinance's own request and parsing
code through a transport adapter (tests/yahoo_replay.py). Nothing inside yfinance is mocked."""

from __future__ import annotations

import asyncio
import json
import time
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
import requests

from bot.quotes import (
    HistoricalClose,
    PriceHistory,
    Quote,
    QuoteProvider,
    QuoteSettings,
    QuoteUnavailable,
    YahooQuoteProvider,
)
from tests.yahoo_replay import (
    FIXTURES,
    ReplayAdapter,
    dns_error,
    isolate_yfinance,
    recorded_charts,
    replay_session,
)

# 2025-10-30 12:00 UTC: the morning after the recorded session (last bar 2025-10-29 20:00:01 UTC).
START = datetime(2025, 10, 30, 12, 0, tzinfo=UTC).timestamp()


class FakeClock:
    def __init__(self, now: float = START) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture(autouse=True)
def _yfinance_state(tmp_path_factory: pytest.TempPathFactory) -> None:
    isolate_yfinance(tmp_path_factory.getbasetemp() / "yfinance-cache")


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def settings(**overrides: Any) -> QuoteSettings:
    return QuoteSettings(_env_file=None, **overrides)


@pytest.fixture
def adapter() -> ReplayAdapter:
    return ReplayAdapter(recorded_charts("MSFT", "AAPL", "GS2C.DE"))


@pytest.fixture
async def provider(adapter: ReplayAdapter, clock: FakeClock):
    async with YahooQuoteProvider(
        settings(), session=replay_session(adapter), clock=clock
    ) as built:
        yield built


async def make(adapter: ReplayAdapter, clock: FakeClock, **overrides: Any) -> YahooQuoteProvider:
    return YahooQuoteProvider(settings(**overrides), session=replay_session(adapter), clock=clock)


# -- quotes from recorded chart data --------------------------------------------------------
async def test_quote_msft_from_recorded_chart(provider, adapter):
    quote = await provider.quote("MSFT")
    assert isinstance(quote, Quote)
    assert quote.symbol == "MSFT"
    assert quote.price == 541.55
    assert quote.currency == "USD"
    assert quote.as_of == datetime(2025, 10, 29, 20, 0, 1, tzinfo=UTC)  # regularMarketTime
    assert quote.as_of.tzinfo == UTC
    assert quote.previous_close == 542.07  # the 2025-10-28 bar
    assert quote.change == -0.52
    assert quote.change_percent == -0.0959
    assert (quote.day_low, quote.day_high) == (536.729, 546.27)
    assert quote.name == "Microsoft Corporation"
    assert quote.exchange == "NasdaqGS"
    assert quote.market_state == "CLOSED"
    assert quote.source == "Yahoo Finance"
    [call] = adapter.data_calls("MSFT")
    assert call.params["range"] == ["5d"] and call.params["interval"] == ["1d"]
    assert call.params["crumb"]  # yfinance did its cookie/crumb handshake on the replay
    assert adapter.unexpected == []


async def test_quote_aapl_from_recorded_chart(provider):
    quote = await provider.quote("$aapl")
    assert isinstance(quote, Quote)
    assert (quote.symbol, quote.price, quote.currency) == ("AAPL", 269.7, "USD")
    assert quote.as_of == datetime(2025, 10, 29, 20, 0, 1, tzinfo=UTC)
    assert (quote.previous_close, quote.change, quote.change_percent) == (269.0, 0.7, 0.2602)
    assert quote.name == "Apple Inc."


async def test_quote_in_euros_with_padded_name(provider):
    quote = await provider.quote("gs2c.de")
    assert isinstance(quote, Quote)
    assert (quote.price, quote.currency, quote.exchange) == (19.948, "EUR", "XETRA")
    assert quote.as_of == datetime(2025, 10, 29, 16, 35, 44, tzinfo=UTC)
    assert quote.previous_close == 20.08
    assert quote.name == "Gamestop Corp. R"  # Yahoo's "Gamestop Corp.                R"


@pytest.mark.parametrize(
    ("utc_time", "state"),
    [
        (datetime(2025, 10, 29, 18, 0, tzinfo=UTC), "REGULAR"),  # 14:00 New York
        (datetime(2025, 10, 29, 12, 0, tzinfo=UTC), "PRE"),
        (datetime(2025, 10, 29, 21, 0, tzinfo=UTC), "POST"),
        (datetime(2025, 10, 30, 3, 0, tzinfo=UTC), "CLOSED"),
    ],
)
async def test_market_state_from_trading_periods(adapter, utc_time, state):
    async with await make(adapter, FakeClock(utc_time.timestamp())) as provider:
        quote = await provider.quote("MSFT")
    assert isinstance(quote, Quote) and quote.market_state == state


async def test_missing_price_is_unavailable(tmp_path: Path, clock):
    body = json.loads((FIXTURES / "history_chart_MSFT.json").read_text())
    result = body["chart"]["result"][0]
    del result["meta"]["regularMarketPrice"]
    for series in result["indicators"]["quote"] + result["indicators"]["adjclose"]:
        for key in series:
            series[key] = [None] * len(series[key])
    (tmp_path / "NOPX.json").write_text(json.dumps(body).replace('"MSFT"', '"NOPX"'))
    adapter = ReplayAdapter({"NOPX": tmp_path / "NOPX.json"})
    async with await make(adapter, clock) as provider:
        answer = await provider.quote("NOPX")
    assert isinstance(answer, QuoteUnavailable)
    assert answer.kind == "no_data"
    assert answer.text.startswith("quote unavailable: ")


# -- past closes and histories -------------------------------------------------------------
async def test_close_on_a_trading_day(provider, adapter):
    close = await provider.close_on("MSFT", date(2025, 10, 24))
    assert isinstance(close, HistoricalClose)
    assert (close.day, close.close, close.currency) == (date(2025, 10, 24), 523.61, "USD")
    [call] = adapter.data_calls("MSFT")
    start, end = int(call.params["period1"][0]), int(call.params["period2"][0])
    assert start < datetime(2025, 10, 24, tzinfo=UTC).timestamp() < end


@pytest.mark.parametrize("weekend", [date(2025, 10, 25), date(2025, 10, 26)])
async def test_close_on_a_weekend_falls_back_to_friday(provider, weekend):
    close = await provider.close_on("MSFT", weekend)
    assert isinstance(close, HistoricalClose)
    assert (close.day, close.requested_day, close.close) == (date(2025, 10, 24), weekend, 523.61)


async def test_close_on_before_the_data_is_unavailable(provider):
    answer = await provider.close_on("MSFT", date(2025, 1, 1))
    assert isinstance(answer, QuoteUnavailable)
    assert answer.kind == "no_data" and "2025-01-01" in answer.reason


async def test_close_on_today_makes_no_request(provider, adapter):
    answer = await provider.close_on("MSFT", date(2025, 10, 30))
    assert isinstance(answer, QuoteUnavailable) and answer.kind == "no_data"
    assert adapter.requests == []


async def test_history_six_months(provider, adapter):
    history = await provider.history("MSFT", "6mo")
    assert isinstance(history, PriceHistory)
    assert history.currency == "USD" and history.interval == "1d"
    assert history.timezone == "America/New_York"
    assert len(history.closes) == len(history.timestamps) == 127
    assert (history.closes[0], history.closes[-1]) == (395.26, 541.55)
    assert history.timestamps[-1] == datetime(2025, 10, 29, 4, 0, tzinfo=UTC)  # midnight New York
    assert history.timestamps == sorted(set(history.timestamps))
    [call] = adapter.data_calls("MSFT")
    assert call.params["range"] == ["6mo"]


async def test_history_rejects_an_unknown_period(provider):
    with pytest.raises(ValueError, match="unknown period"):
        await provider.history("MSFT", "10y")


# -- failures ------------------------------------------------------------------------------
async def test_dns_outage_is_unavailable_and_fast(clock):
    adapter = ReplayAdapter(recorded_charts("MSFT"), fail=dns_error)
    async with await make(adapter, clock) as provider:
        started = time.monotonic()
        answer = await provider.quote("MSFT")
        elapsed = time.monotonic() - started
        health = provider.health()
    assert isinstance(answer, QuoteUnavailable)
    assert answer.kind == "unreachable"
    assert answer.text == "quote unavailable: Yahoo Finance unreachable (DNS)"
    assert elapsed < 1.0
    assert adapter.requests  # it did try
    assert (health.consecutive_failures, health.last_error) == (1, answer.reason)
    assert health.last_success is None


async def test_refused_connection_is_unreachable(clock):
    adapter = ReplayAdapter(fail=lambda: requests.ConnectionError("Connection refused"))
    async with await make(adapter, clock) as provider:
        answer = await provider.quote("MSFT")
    assert isinstance(answer, QuoteUnavailable)
    assert answer.reason == "Yahoo Finance unreachable (connection failed)"


def test_a_refused_connection_through_curl_is_unreachable_not_http_0():
    from curl_cffi.requests import Response
    from curl_cffi.requests.exceptions import ConnectionError as CurlConnectionError

    from bot.quotes.yahoo_data import classify

    empty = Response()  # curl_cffi attaches a response with status 0 when nothing answered
    empty.status_code = 0
    exc = CurlConnectionError("Failed to perform, curl: (7) Failed to connect to "
                              "query2.finance.yahoo.com:443 over proxy 127.0.0.1", 7, empty)
    assert classify(exc, 5) == ("unreachable", "Yahoo Finance unreachable (connection failed)")


async def test_failures_are_cached_briefly(clock):
    adapter = ReplayAdapter(recorded_charts("MSFT"), fail=dns_error)
    async with await make(adapter, clock) as provider:
        await provider.quote("MSFT")
        tried = len(adapter.requests)
        clock.advance(10)
        again = await provider.quote("MSFT")
        assert isinstance(again, QuoteUnavailable) and again.kind == "unreachable"
        assert len(adapter.requests) == tried  # no new request inside the failure TTL
        adapter.fail = None  # Yahoo is back
        clock.advance(6)
        quote = await provider.quote("MSFT")
    assert isinstance(quote, Quote)
    assert provider.health().consecutive_failures == 0


async def test_an_unreachable_yahoo_is_not_asked_again_for_other_symbols(clock):
    adapter = ReplayAdapter(recorded_charts("MSFT"), fail=dns_error)
    async with await make(adapter, clock) as provider:
        await provider.quote("MSFT")
        tried = len(adapter.requests)
        other = await provider.quote("NVDA")  # an outage costs one failed call, not one a ticker
        assert isinstance(other, QuoteUnavailable) and other.kind == "unreachable"
        assert other.text == "quote unavailable: Yahoo Finance unreachable (DNS)"
        assert len(adapter.requests) == tried
        adapter.fail = None
        clock.advance(16)  # past failure_ttl_seconds: asked again
        quote = await provider.quote("MSFT")
    assert isinstance(quote, Quote) and len(adapter.requests) > tried


def renamed_chart(tmp_path: Path, symbol: str) -> dict[str, Path]:
    """The recorded MSFT chart under another symbol (one yfinance has never seen)."""
    body = (FIXTURES / "history_chart_MSFT.json").read_text().replace('"MSFT"', f'"{symbol}"')
    path = tmp_path / f"{symbol}.json"
    path.write_text(body)
    return {symbol: path}


async def test_error_page_is_unavailable_and_recovers(tmp_path, clock):
    # A 503 HTML page instead of JSON. yfinance keeps the time-zone probe's response in an
    # in-process cache; the provider must not let that error page stick to the symbol.
    adapter = ReplayAdapter(renamed_chart(tmp_path, "RCVR"), chart_status=503)
    async with await make(adapter, clock) as provider:
        answer = await provider.quote("RCVR")
        assert isinstance(answer, QuoteUnavailable) and answer.kind == "error"
        assert answer.reason == "unreadable answer from Yahoo Finance (not JSON)"
        adapter.chart_status = None
        clock.advance(16)  # past the failure TTL
        quote = await provider.quote("RCVR")
    assert isinstance(quote, Quote) and quote.price == 541.55


async def test_rate_limit_backs_off_with_doubling_window(clock):
    adapter = ReplayAdapter(recorded_charts("MSFT", "AAPL"), chart_status=429)
    async with await make(adapter, clock) as provider:
        first = await provider.quote("MSFT")
        assert isinstance(first, QuoteUnavailable) and first.kind == "rate_limited"
        assert first.reason == "rate limited by Yahoo (HTTP 429), retry in 30 s"
        assert first.retry_after == 30
        made = len(adapter.requests)

        clock.advance(10)
        for answer in (await provider.quote("MSFT"), await provider.quote("AAPL")):
            assert isinstance(answer, QuoteUnavailable)
            assert answer.reason == "rate limited by Yahoo (HTTP 429), retry in 20 s"
        assert await provider.close_on("AAPL", date(2025, 10, 1)) == QuoteUnavailable(
            symbol="AAPL", reason="rate limited by Yahoo (HTTP 429), retry in 20 s",
            kind="rate_limited", retry_after=20,
        )  # fmt: skip
        assert len(adapter.requests) == made  # nothing sent during the back-off
        assert provider.health().backoff_until == datetime.fromtimestamp(START + 30, UTC)

        clock.advance(21)  # window over: try again, still 429 -> the window doubles
        second = await provider.quote("AAPL")
        assert isinstance(second, QuoteUnavailable)
        assert second.reason == "rate limited by Yahoo (HTTP 429), retry in 60 s"
        assert len(adapter.requests) > made

        adapter.chart_status = None
        clock.advance(61)
        assert isinstance(await provider.quote("AAPL"), Quote)
        health = provider.health()
    assert health.backoff_until is None and health.consecutive_failures == 0


async def test_timeout(clock):
    adapter = ReplayAdapter(recorded_charts("MSFT"), delay=10)
    try:
        async with await make(adapter, clock, timeout_seconds=0.2) as provider:
            started = time.monotonic()
            answer = await provider.quote("MSFT")
            elapsed = time.monotonic() - started
    finally:
        adapter.release()  # let the abandoned worker thread finish
    assert isinstance(answer, QuoteUnavailable)
    assert (answer.kind, answer.text) == ("timeout", "quote unavailable: timed out after 0.2 s")
    assert elapsed < 2


async def test_unknown_symbol(provider, adapter):
    answer = await provider.quote("ZZZZZ")
    assert isinstance(answer, QuoteUnavailable)
    assert (answer.kind, answer.reason) == ("unknown_symbol", "unknown symbol")
    assert adapter.chart_calls("ZZZZZ")  # Yahoo was asked and said 404
    assert adapter.unexpected == []
    assert provider.health().consecutive_failures == 0  # Yahoo itself is fine


JUNK = {
    "path": "../../x",
    "long": "A" * 50,
    "sql": "NVDA'; DROP TABLE x;--",
    "space": "NV DA",
    "empty": "",
    "blank": "   ",
    "nul": "NV\x00DA",
    "url": "https://finance.yahoo.com/quote/NVDA",
    "emoji": "🚀",
    "emoji-suffix": "NVDA🚀",
    "isin": "US0378331005",
}


@pytest.mark.parametrize("junk", list(JUNK.values()), ids=list(JUNK))
async def test_junk_symbols_are_refused_without_any_request(junk, clock):
    adapter = ReplayAdapter(forbid=True)
    async with await make(adapter, clock) as provider:
        answers = [
            await provider.quote(junk),
            await provider.close_on(junk, date(2025, 10, 1)),
            await provider.history(junk, "1mo"),
        ]
    for answer in answers:
        assert isinstance(answer, QuoteUnavailable)
        assert answer.kind == "invalid_symbol"
        assert answer.reason.startswith("invalid symbol: ")
        assert len(answer.symbol) <= 30 and answer.symbol.isprintable()
    assert adapter.requests == []


# -- cache, coalescing, concurrency ---------------------------------------------------------
async def test_quotes_are_cached_for_their_ttl(provider, adapter, clock):
    first = await provider.quote("MSFT")
    clock.advance(59)
    assert await provider.quote("msft") == first
    assert len(adapter.data_calls("MSFT")) == 1
    assert provider.health().cache_size == 1
    clock.advance(2)  # past the 60 s quote TTL
    assert await provider.quote("MSFT") == first
    assert len(adapter.data_calls("MSFT")) == 2


async def test_closes_are_cached_longer(provider, adapter, clock):
    await provider.close_on("MSFT", date(2025, 10, 24))
    clock.advance(3000)
    await provider.close_on("MSFT", date(2025, 10, 24))
    assert len(adapter.data_calls("MSFT")) == 1


async def test_concurrent_identical_requests_coalesce(provider, adapter):
    answers = await asyncio.gather(*(provider.quote("MSFT") for _ in range(10)))
    assert len(adapter.data_calls("MSFT")) == 1
    assert all(a == answers[0] for a in answers) and isinstance(answers[0], Quote)


async def test_quotes_of_several_symbols(provider, adapter):
    answers = await provider.quotes(["MSFT", "$aapl", "ZZZZZ", "bad sym", "MSFT"])
    assert list(answers) == ["MSFT", "$aapl", "ZZZZZ", "bad sym"]
    assert isinstance(answers["MSFT"], Quote) and isinstance(answers["$aapl"], Quote)
    assert answers["$aapl"].symbol == "AAPL"
    assert isinstance(answers["ZZZZZ"], QuoteUnavailable)
    assert answers["ZZZZZ"].kind == "unknown_symbol"
    assert isinstance(answers["bad sym"], QuoteUnavailable)
    assert answers["bad sym"].kind == "invalid_symbol"
    assert len(adapter.data_calls("MSFT")) == 1


async def test_calls_are_bounded(clock):
    adapter = ReplayAdapter(recorded_charts("MSFT", "AAPL", "GS2C.DE"), delay=0.3)
    async with await make(adapter, clock, max_concurrency=1) as provider:
        started = time.monotonic()
        await provider.quotes(["MSFT", "AAPL", "GS2C.DE"])
        elapsed = time.monotonic() - started
    assert elapsed >= 0.8  # one at a time


# -- switches and lifecycle ------------------------------------------------------------------
async def test_disabled_provider_makes_no_request(clock):
    adapter = ReplayAdapter(forbid=True)
    async with await make(adapter, clock, enabled=False) as provider:
        answer = await provider.quote("MSFT")
        assert provider.health().enabled is False
    assert isinstance(answer, QuoteUnavailable) and answer.kind == "disabled"
    assert adapter.requests == []


async def test_closed_provider_raises(adapter, clock):
    provider = await make(adapter, clock)
    await provider.aclose()
    with pytest.raises(RuntimeError, match="closed"):
        await provider.quote("MSFT")


def test_unusable_sessions_are_refused_at_construction():
    class CachingSession(requests.Session):
        cache = object()

    with pytest.raises(ValueError, match="caching"):
        YahooQuoteProvider(settings(), session=CachingSession())
    with pytest.raises(TypeError, match="Session"):
        YahooQuoteProvider(settings(), session=object())


async def test_provider_satisfies_the_protocol(provider):
    assert isinstance(provider, QuoteProvider)
    assert provider.name == "Yahoo Finance"


async def test_health_after_success(provider, clock):
    await provider.quote("MSFT")
    health = provider.health()
    assert health.last_success == datetime.fromtimestamp(START, UTC)
    assert (health.consecutive_failures, health.requests, health.last_error) == (0, 1, None)


# -- the bound on every request (see also tests/test_quotes_timeout.py) ------------------------
def test_request_timeout_is_what_is_left_of_the_call():
    from bot.quotes.yahoo_calls import YahooCalls, request_timeout

    assert request_timeout(30, 5.0) == 5.0  # outside a call: the configured bound
    assert request_timeout(2, 5.0) == 2.0  # a shorter timeout asked for is kept
    assert request_timeout(None, 5.0) == 5.0
    calls = YahooCalls(5.0, time.time, replay_session(ReplayAdapter()))
    left = calls.run(time.monotonic() + 1.0, lambda: request_timeout(30, 5.0))
    assert 0.9 < left <= 1.0  # inside a call: its deadline
    def late() -> float:
        time.sleep(0.1)
        return request_timeout(30, 5.0)

    with pytest.raises(TimeoutError):
        calls.run(time.monotonic() + 0.05, late)


def test_the_session_is_bounded_once(adapter):
    session = replay_session(adapter)
    YahooQuoteProvider(settings(timeout_seconds=2), session=session)
    wrapped = session.request
    YahooQuoteProvider(settings(timeout_seconds=2), session=session)
    assert session.request is wrapped


def test_proxy_setting():
    from pydantic import ValidationError

    from bot.quotes.yahoo_calls import default_session

    assert settings().proxy is None
    assert settings(proxy="  ").proxy is None
    assert settings(proxy="http://127.0.0.1:3128").proxy == "http://127.0.0.1:3128"
    with pytest.raises(ValidationError, match="proxy"):
        settings(proxy="ftp://127.0.0.1")
    session = default_session("http://127.0.0.1:3128")
    assert dict(session.proxies) == {"http": "http://127.0.0.1:3128",
                                     "https": "http://127.0.0.1:3128"}
    session.close()
