"""Quotes never outlive their bound: against a Yahoo that accepts connections and never answers.

The "Yahoo" here is a server on 127.0.0.1 that accepts every connection and never sends a byte.
yfinance reaches it through its real request code: in-process through a transport adapter that
sends each request to the server instead of Yahoo (mounted with ``tests/yahoo_replay.py``'s
``replay_session``), and in a ``python -m bot ask`` subprocess through ``QUOTES_PROXY`` (the
proxy is the silent server, so a request never gets past its CONNECT). Nothing leaves loopback.
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any, cast
from urllib.parse import urlsplit, urlunsplit

import pytest
import requests
from requests.adapters import HTTPAdapter

from bot.quotes import Quote, QuoteSettings, QuoteUnavailable, YahooQuoteProvider
from bot.services import build_services
from bot.settings import AnswerSettings
from index.embedding import FakeEmbedder
from index.entities import EntityResolver, TickerTable
from index.settings import IndexSettings
from ingest.pipeline import Ingestor
from ingest.settings import IngestSettings
from ingest.sources import SourceSpec
from tests.conftest import ROOT
from tests.yahoo_replay import (
    RecordedRequest,
    ReplayAdapter,
    isolate_yfinance,
    recorded_charts,
    replay_session,
)

START = 1_761_825_600.0  # 2025-10-30 12:00 UTC, the morning after the recorded session
START_DAY = date(2025, 10, 20)
MARGIN = 0.75  # seconds allowed past the timeout (thread hand-over, parsing, a slow CI box)


class FakeClock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> float:
        return self.now


class BlackHole:
    """A TCP server on 127.0.0.1 that accepts every connection and never answers."""

    def __init__(self) -> None:
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port: int = self._listener.getsockname()[1]
        self.accepted = 0
        self._held: list[socket.socket] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _accept(self) -> None:
        self._listener.settimeout(0.1)
        while not self._stop.is_set():
            try:
                connection, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.accepted += 1
            self._held.append(connection)  # held open, never read, never answered

    def close(self) -> None:
        self._stop.set()
        self._thread.join(2)
        for connection in self._held:
            connection.close()
        self._listener.close()


class ToBlackHole(HTTPAdapter):
    """Sends each request to the black hole (plain HTTP on loopback) with the real transport;
    with ``replay`` set, answers from that replay adapter instead (Yahoo is back). Records the
    timeout each request was sent with."""

    def __init__(self, hole: BlackHole, replay: ReplayAdapter | None = None) -> None:
        super().__init__(max_retries=0)
        self.hole = hole
        self.replay = replay
        self.timeouts: list[tuple[str, object]] = []

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        self.timeouts.append((request.url or "", kwargs.get("timeout")))
        if self.replay is not None:
            return self.replay.send(request, **kwargs)
        parts = urlsplit(request.url or "")
        request.url = urlunsplit(("http", f"127.0.0.1:{self.hole.port}", parts.path,
                                  parts.query, ""))
        return super().send(request, **kwargs)


class TimedReplay(ReplayAdapter):
    """The replay adapter, recording the timeout each request was sent with."""

    timeouts: list[tuple[RecordedRequest, object]]

    def send(self, request: requests.PreparedRequest, stream: bool = False,  # type: ignore[override]
             timeout: object = None, **kwargs: Any) -> requests.Response:
        response = super().send(request, stream=stream, timeout=timeout, **kwargs)
        self.timeouts = [*getattr(self, "timeouts", []), (self.requests[-1], timeout)]
        return response


@pytest.fixture(autouse=True)
def _yfinance_state(tmp_path_factory: pytest.TempPathFactory) -> None:
    isolate_yfinance(tmp_path_factory.getbasetemp() / "yfinance-cache")


@pytest.fixture
def hole() -> Iterator[BlackHole]:
    server = BlackHole()
    yield server
    server.close()


def session_for(adapter: HTTPAdapter) -> requests.Session:
    """yfinance's session with every request going to ``adapter`` (the replay helper's)."""
    return replay_session(cast(ReplayAdapter, adapter))


def settings(**overrides: Any) -> QuoteSettings:
    return QuoteSettings(_env_file=None, **overrides)


def quote_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("yahoo-quotes") and t.is_alive()]


def wait_for_no_quote_threads(limit: float) -> float:
    """Seconds until no quote worker is alive (fails past ``limit``)."""
    started = time.monotonic()
    while quote_threads():
        assert time.monotonic() - started < limit, f"still busy: {quote_threads()}"
        time.sleep(0.02)
    return time.monotonic() - started


# -- the timeout reaches the HTTP layer ----------------------------------------------------
async def test_every_request_carries_what_is_left_of_the_call():
    # yfinance asks 30 s for its cookie and crumb and 10 s for its time-zone probe: each request
    # must go out with at most the call's own timeout.
    adapter = TimedReplay(recorded_charts("MSFT"))
    session = replay_session(adapter)
    async with YahooQuoteProvider(
        settings(timeout_seconds=3), session=session, clock=FakeClock()
    ) as provider:
        assert isinstance(await provider.quote("MSFT"), Quote)
        # yfinance's handshake (done once per process, so maybe by an earlier test) asks 30 s
        session.get("https://fc.yahoo.com", timeout=30, allow_redirects=True)
        session.get("https://query1.finance.yahoo.com/v1/test/getcrumb", timeout=30)
    assert {seen.host for seen, _ in adapter.timeouts} >= {"fc.yahoo.com"}
    assert adapter.data_calls("MSFT")
    for seen, timeout in adapter.timeouts:
        assert isinstance(timeout, float) and 0 < timeout <= 3, (seen, timeout)


async def test_a_request_after_the_deadline_is_never_sent():
    from bot.quotes.yahoo_calls import YahooCalls

    adapter = ReplayAdapter(recorded_charts("MSFT"))
    calls = YahooCalls(5, FakeClock(), replay_session(adapter))
    with pytest.raises(TimeoutError):
        calls.run(time.monotonic() - 0.01, lambda: calls.quote("MSFT"))
    assert adapter.requests == []


# -- a black hole: the caller and the worker are both free at the bound --------------------
async def test_black_hole_times_out_at_the_bound_and_frees_the_worker(hole):
    adapter = ToBlackHole(hole)
    async with YahooQuoteProvider(
        settings(timeout_seconds=0.6), session=session_for(adapter), clock=FakeClock()
    ) as provider:
        started = time.monotonic()
        answer = await provider.quote("MSFT")
        elapsed = time.monotonic() - started
        # the worker thread is done about when the caller gave up, not 30 s later
        wait_for_no_quote_threads(MARGIN)
    assert isinstance(answer, QuoteUnavailable)
    assert (answer.kind, answer.reason) == ("timeout", "timed out after 0.6 s")
    assert 0.5 <= elapsed < 0.6 + MARGIN
    assert hole.accepted >= 1  # it did connect: the silence was the server's
    for _, timeout in adapter.timeouts:
        assert timeout is not None and float(timeout) <= 0.6  # type: ignore[arg-type]


async def test_after_a_black_hole_the_next_call_has_a_free_worker(hole):
    # One worker only: before, it stayed busy for yfinance's 30 s and the next question's quote
    # timed out without a request.
    clock = FakeClock()
    adapter = ToBlackHole(hole)
    async with YahooQuoteProvider(
        settings(timeout_seconds=0.5, max_concurrency=1), session=session_for(adapter),
        clock=clock,
    ) as provider:
        first = await provider.quote("MSFT")
        assert isinstance(first, QuoteUnavailable) and first.kind == "timeout"
        adapter.replay = ReplayAdapter(recorded_charts("AAPL"))  # Yahoo is back
        clock.now += 16  # past the failure TTL
        started = time.monotonic()
        second = await provider.quote("AAPL")
        elapsed = time.monotonic() - started
    assert isinstance(second, Quote) and second.price == 269.7
    assert elapsed < 0.5
    assert adapter.replay.data_calls("AAPL")


async def test_after_a_timeout_other_calls_answer_at_once(hole):
    clock = FakeClock()
    adapter = ToBlackHole(hole)
    async with YahooQuoteProvider(
        settings(timeout_seconds=0.4), session=session_for(adapter), clock=clock
    ) as provider:
        await provider.quote("MSFT")
        sent = len(adapter.timeouts)
        started = time.monotonic()
        other = await provider.quote("AAPL")
        close = await provider.close_on("AAPL", START_DAY)
        elapsed = time.monotonic() - started
        health = provider.health()
    for answer in (other, close):
        assert isinstance(answer, QuoteUnavailable)
        assert answer.kind == "timeout"
        assert answer.reason == "Yahoo Finance not answering (a call timed out after 0.4 s)"
    assert elapsed < 0.1 and len(adapter.timeouts) == sent  # no request, no wait
    assert health.consecutive_failures == 1


async def test_concurrent_calls_all_end_at_the_bound(hole):
    adapter = ToBlackHole(hole)
    async with YahooQuoteProvider(
        settings(timeout_seconds=0.5), session=session_for(adapter), clock=FakeClock()
    ) as provider:
        started = time.monotonic()
        answers = await provider.quotes(["MSFT", "AAPL", "NVDA", "AMD", "INTC", "TSLA"])
        elapsed = time.monotonic() - started
        wait_for_no_quote_threads(MARGIN)
    assert all(isinstance(a, QuoteUnavailable) and a.kind == "timeout" for a in answers.values())
    # six calls, four at once: the last two never start a second 0.5 s round
    assert elapsed < 0.5 + MARGIN


async def test_close_does_not_wait_for_yahoo(hole):
    adapter = ToBlackHole(hole)
    provider = YahooQuoteProvider(
        settings(timeout_seconds=1.0), session=session_for(adapter), clock=FakeClock()
    )
    pending = asyncio.create_task(provider.quote("MSFT"))
    await asyncio.sleep(0.2)  # the call is waiting on the black hole
    started = time.monotonic()
    await provider.aclose()
    closing = time.monotonic() - started
    answer = await pending  # its caller still gets an answer, by the deadline
    assert closing < 0.1
    assert isinstance(answer, QuoteUnavailable) and answer.kind == "timeout"
    wait_for_no_quote_threads(MARGIN)


# -- a whole question --------------------------------------------------------------------

@pytest.fixture(scope="module")
def fake_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled sample, ingested with the fake embedder (fast; enough to name movers)."""
    index_dir = tmp_path_factory.mktemp("timeout-index") / "index"
    report = Ingestor(
        index_dir, IngestSettings(_env_file=None), FakeEmbedder(dimension=64),  # type: ignore[call-arg]
        EntityResolver(TickerTable.load()),
    ).run([SourceSpec(name="sample", location=str(ROOT / "sample"))])
    assert report.new >= 1, report
    return index_dir


async def test_a_question_returns_within_the_quote_timeout(hole, fake_index):
    adapter = ToBlackHole(hole)
    quote_settings = settings(timeout_seconds=1.0)
    services = build_services(
        IndexSettings(_env_file=None, index_dir=fake_index, embedding_model="fake:64"),  # type: ignore[call-arg]
        AnswerSettings(_env_file=None), quote_settings,  # type: ignore[call-arg]
        embedder=FakeEmbedder(dimension=64),
        quotes=YahooQuoteProvider(quote_settings, session=session_for(adapter)),
    )
    try:
        started = time.monotonic()
        answer = await services.engine.ask("who lost from Sora? how did $ADBE and $NVDA do")
        elapsed = time.monotonic() - started
    finally:
        await services.quotes.aclose()
        services.live.close()
    quoted = [m.quote for m in answer.movers if m.quote is not None]
    assert quoted and all(q.unavailable and "timed out" in q.unavailable for q in quoted)
    assert hole.accepted >= 1
    assert elapsed < 1.0 + MARGIN
    wait_for_no_quote_threads(MARGIN)


def test_bot_ask_exits_promptly_when_yahoo_black_holes(hole, fake_index, tmp_path):
    """``python -m bot ask`` with every Yahoo request sent to the silent server (as a proxy):
    the quotes time out, the answer is printed, and the process exits right after it."""
    env = {key: value for key, value in os.environ.items()
           if not key.lower().endswith("_proxy")}
    env.update({
        "INDEX_DIR": str(fake_index), "EMBEDDING_MODEL": "fake:64",
        "QUOTES_TIMEOUT_SECONDS": "1", "QUOTES_PROXY": hole.url,
        # belt and braces: any client that ignored the setting would still stay on loopback
        "HTTPS_PROXY": hole.url, "HTTP_PROXY": hole.url, "ALL_PROXY": hole.url,
        "https_proxy": hole.url, "http_proxy": hole.url, "all_proxy": hole.url, "NO_PROXY": "",
        "XDG_CACHE_HOME": str(tmp_path / "cache"), "PYTHONUNBUFFERED": "1",
    })
    lines: list[tuple[float, str]] = []
    with subprocess.Popen(
        [sys.executable, "-m", "bot", "ask", "--json", "who lost from Sora? and $NVDA?"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    ) as process:
        assert process.stdout is not None and process.stderr is not None
        for line in process.stdout:
            lines.append((time.monotonic(), line))
        process.wait(timeout=60)
        exited = time.monotonic()
        stderr = process.stderr.read()
    assert process.returncode == 0, stderr
    answer = json.loads("".join(line for _, line in lines))
    printed = lines[-1][0]  # the answer's last line
    assert exited - printed < 1.0, f"exited {exited - printed:.2f} s after the answer"
    quotes = [m["quote"] for m in answer["movers"] if m["quote"] is not None]
    assert quotes and all("timed out" in (q["unavailable"] or "") for q in quotes), quotes
    assert hole.accepted >= 1  # the requests went to the silent server, nowhere else


async def test_the_owned_session_goes_through_the_proxy_setting(monkeypatch):
    """No session given: the provider's own (curl_cffi) session uses ``proxy``. The
    environment's proxies point at a second silent server, which must see nothing."""
    proxy, other = BlackHole(), BlackHole()
    try:
        for name in ("HTTPS_PROXY", "HTTP_PROXY", "ALL_PROXY", "https_proxy", "http_proxy",
                     "all_proxy"):
            monkeypatch.setenv(name, other.url)
        monkeypatch.setenv("NO_PROXY", "")
        async with YahooQuoteProvider(
            settings(timeout_seconds=0.5, proxy=proxy.url), clock=FakeClock()
        ) as provider:
            started = time.monotonic()
            answer = await provider.quote("MSFT")
            elapsed = time.monotonic() - started
        assert isinstance(answer, QuoteUnavailable) and answer.kind == "timeout"
        assert elapsed < 0.5 + MARGIN
        assert proxy.accepted >= 1 and other.accepted == 0
        wait_for_no_quote_threads(MARGIN)
    finally:
        proxy.close()
        other.close()
