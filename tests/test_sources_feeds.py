"""Feeds and pages over HTTP, served by a local server on 127.0.0.1 (no network needed)."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from index.records import Article
from ingest.settings import IngestSettings
from ingest.sources import Failure, SourceSpec, read_sources
from ingest.sources.fetch import Fetcher, FetchError
from tests.loopback import serving

FIXTURES = Path(__file__).parent / "fixtures" / "sources" / "feeds"
SLOW_SECONDS = 1.0


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    in_flight = 0
    max_in_flight = 0
    lock = threading.Lock()


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format: str, *args: object) -> None:
        return

    def _send(self, status: int, content_type: str, body: bytes, length: bool = True) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        if length:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _fixture(self, name: str) -> bytes:
        base = f"http://127.0.0.1:{self.server.server_address[1]}"
        return (FIXTURES / name).read_text(encoding="utf-8").replace("{base}", base).encode()

    def do_GET(self) -> None:
        # The client may give up (timeouts, size caps): expected, not an error.
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self._route(self.path.split("?", 1)[0])

    def _route(self, path: str) -> None:
        html = "text/html; charset=utf-8"
        if path == "/feeds/rss.xml":
            self._send(200, "application/rss+xml", self._fixture("rss.xml"))
        elif path == "/feeds/atom.xml":
            self._send(200, "application/atom+xml", self._fixture("atom.xml"))
        elif path == "/feeds/plain.txt":
            self._send(200, "text/plain", b"Just words, no feed here & <nothing> else.\n")
        elif path == "/pages/ok.html":
            self._send(200, html, self._fixture("ok.html"))
        elif path == "/pages/nimbus.html":
            self._send(200, html, b"<html><body><p>Too short.</p></body></html>")
        elif path == "/pages/slow.html":
            time.sleep(SLOW_SECONDS)
            self._send(200, html, self._fixture("ok.html"))
        elif path == "/pages/chart.png":
            self._send(200, "image/png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)
        elif path == "/pages/huge.html":
            self._send(200, html, b"<html><body><p>" + b"word " * 12_000 + b"</p></body></html>")
        elif path == "/pages/huge-no-length.html":
            body = b"<html><body><p>" + b"word " * 12_000 + b"</p></body></html>"
            self._send(200, html, body, length=False)
        elif path.startswith("/pages/counted/"):
            with self.server.lock:
                self.server.in_flight += 1
                self.server.max_in_flight = max(self.server.max_in_flight, self.server.in_flight)
            time.sleep(0.15)
            with self.server.lock:
                self.server.in_flight -= 1
            self._send(200, html, self._fixture("ok.html"))
        elif path == "/feeds/counted.xml":
            items = "".join(
                f"<item><title>Counted story {i}</title><link>{self._base()}/pages/counted/{i}"
                f".html</link><description>Summary {i}.</description></item>"
                for i in range(1, 9)
            )
            feed = f'<rss version="2.0"><channel><title>Counted</title>{items}</channel></rss>'
            self._send(200, "application/rss+xml", feed.encode())
        else:
            self._send(404, html, b"<html><body>not found</body></html>")

    def _base(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"


@pytest.fixture(scope="module")
def server() -> Iterator[_Server]:
    with serving(_Server(("127.0.0.1", 0), _Handler)) as httpd:
        yield httpd


def _base(server: _Server) -> str:
    return f"http://127.0.0.1:{server.server_address[1]}"


def _settings(**overrides: Any) -> IngestSettings:
    values: dict[str, Any] = {
        "fetch_timeout": 0.3, "fetch_max_bytes": 20_000, "fetch_concurrency": 3,
        "fetch_full_text": False,
    }
    values.update(overrides)
    return IngestSettings(_env_file=None, **values)  # type: ignore[call-arg]


def _split(items: list[Article | Failure]) -> tuple[list[Article], list[Failure]]:
    return ([i for i in items if isinstance(i, Article)],
            [i for i in items if isinstance(i, Failure)])


def test_rss_without_full_text_uses_the_summaries(server: _Server) -> None:
    url = f"{_base(server)}/feeds/rss.xml"
    articles, failures = _split(list(read_sources([SourceSpec("wire", url)], _settings())))
    assert [a.title for a in articles] == [
        "Chip stocks rally as Zentrix beats estimates",
        "Page gone: Orvex story",
        "Slow page: Kinetra update",
        "Image link: Nimbus chart",
        "Huge page: Vaultline filing",
    ]
    first = articles[0]
    assert first.url == f"{_base(server)}/pages/ok.html"
    assert first.text == "Short summary: Zentrix beat estimates."
    assert first.published == datetime(2024, 3, 5, 19, 30, tzinfo=UTC)
    assert first.outlet == "Example Markets Wire"
    assert first.source == url
    assert first.language == "en"
    assert articles[1].text == "Orvex, a fictional company, & its summary in HTML."
    assert [(f.reason, f.warning) for f in failures] == [("entry 6: no text", False)]


def test_rss_full_text_fetches_pages_and_reports_each_failure(server: _Server) -> None:
    base = _base(server)
    spec = SourceSpec("wire", f"{base}/feeds/rss.xml", "feed", full_text=True)
    started = time.monotonic()
    articles, failures = _split(list(read_sources([spec], _settings())))
    elapsed = time.monotonic() - started

    assert elapsed < SLOW_SECONDS + 0.5  # the slow page timed out instead of being waited for
    full = articles[0]
    assert full.title == "Chip stocks rally as Zentrix beats estimates"
    assert full.text.startswith("Shares of Zentrix, a fictional chip designer, rose 8% on Tuesday")
    assert "Other chip stocks followed" in full.text
    assert "tracking" not in full.text and "Copyright" not in full.text
    assert full.text.count("\n\n") == 2  # three paragraphs
    assert full.published == datetime(2024, 3, 5, 19, 30, tzinfo=UTC)  # the feed's date

    summaries = {a.title: a.text for a in articles[1:]}
    assert summaries["Slow page: Kinetra update"] == "Kinetra summary kept when the page is too slow."
    assert summaries["Image link: Nimbus chart"] == "Nimbus summary kept when the link is an image."
    reasons = {(f.source, f.reason, f.warning) for f in failures}
    assert reasons == {
        (f"{base}/pages/missing.html", "full text: HTTP 404 (kept the feed summary)", True),
        (f"{base}/pages/slow.html", "full text: timeout after 0.3 s (kept the feed summary)", True),
        (f"{base}/pages/chart.png",
         "full text: not HTML (content-type image/png) (kept the feed summary)", True),
        (f"{base}/pages/huge.html",
         "full text: too large (60 kB > 20 kB) (kept the feed summary)", True),
        (f"{base}/pages/also-missing.html", "entry 6: full text: HTTP 404", False),
    }


def test_atom_feed_entries(server: _Server) -> None:
    spec = SourceSpec("desk", f"{_base(server)}/feeds/atom.xml")
    articles, failures = _split(list(read_sources([spec], _settings())))
    assert failures == []
    verge, nimbus = articles
    assert verge.title == "Robot maker Kinetra & partner unveil arm"
    assert verge.url == "https://www.theverge.com/2024/3/10/kinetra-arm"
    assert verge.text == "Kinetra, a fictional robot maker, unveiled a new arm.\n\nIt ships in May."
    assert verge.published == datetime(2024, 3, 10, 7, 0, tzinfo=UTC)
    assert verge.outlet == "The Verge"
    assert nimbus.text == "Nimbus Cloud, an invented provider, opened two data centers in Europe."
    assert nimbus.published == datetime(2024, 3, 9, 16, 45, tzinfo=UTC)
    assert nimbus.outlet == "Example AI Desk"


def test_page_url_and_auto_detection(server: _Server) -> None:
    base = _base(server)
    specs = [SourceSpec("page", f"{base}/pages/ok.html", "page"),
             SourceSpec("auto", f"{base}/pages/ok.html?utm_source=x")]
    articles, failures = _split(list(read_sources(specs, _settings())))
    assert failures == []
    assert len(articles) == 2
    for article in articles:
        assert article.title == "Chip stocks rally as Zentrix beats estimates"
        assert article.url == f"{base}/pages/ok.html"
        assert article.outlet == "Example Markets Wire"
        assert article.published == datetime(2024, 3, 5, 19, 30, tzinfo=UTC)
        assert article.text.startswith("Shares of Zentrix")


def test_offline_and_broken_feeds_fail_fast_and_the_rest_goes_on(server: _Server) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    base = _base(server)
    specs = [
        SourceSpec("dead", f"http://127.0.0.1:{closed_port}/feed.xml", "feed"),
        SourceSpec("gone", f"{base}/feeds/missing.xml", "feed"),
        SourceSpec("text", f"{base}/feeds/plain.txt", "feed"),
        SourceSpec("html", f"{base}/pages/ok.html", "feed"),
        SourceSpec("img", f"{base}/pages/chart.png"),
        SourceSpec("desk", f"{base}/feeds/atom.xml"),
    ]
    started = time.monotonic()
    articles, failures = _split(list(read_sources(specs, _settings())))
    assert time.monotonic() - started < 3
    assert [a.title for a in articles] == ["Robot maker Kinetra & partner unveil arm",
                                          "Cloud firm Nimbus expands in Europe"]
    assert failures[0].source == f"http://127.0.0.1:{closed_port}/feed.xml"
    assert failures[0].reason.startswith("connection failed: ")
    assert [(f.source, f.reason) for f in failures[1:]] == [
        (f"{base}/feeds/missing.xml", "HTTP 404"),
        (f"{base}/feeds/plain.txt", "not an RSS/Atom feed (line 2: syntax error)"),
        (f"{base}/pages/ok.html", "not an RSS/Atom feed (line 8: mismatched tag)"),
        (f"{base}/pages/chart.png", "not a feed or web page (content-type image/png)"),
    ]
    assert len(failures) == 5


def test_page_spec_refuses_non_html(server: _Server) -> None:
    url = f"{_base(server)}/pages/chart.png"
    items = list(read_sources([SourceSpec("img", url, "page")], _settings()))
    assert items == [Failure(url, "not HTML (content-type image/png)")]


def test_fetcher_caps_bodies_without_content_length(server: _Server) -> None:
    fetcher = Fetcher(_settings())
    try:
        with pytest.raises(FetchError) as caught:
            fetcher.get(f"{_base(server)}/pages/huge-no-length.html")
        assert caught.value.reason == "too large (> 20 kB)"
        page = fetcher.get(f"{_base(server)}/pages/ok.html")
        assert page.content_type == "text/html"
        assert b"Zentrix" in page.body
    finally:
        fetcher.close()


def test_full_text_fetches_are_bounded_by_the_concurrency_setting(server: _Server) -> None:
    server.max_in_flight = 0
    spec = SourceSpec("counted", f"{_base(server)}/feeds/counted.xml", full_text=True)
    articles, failures = _split(list(read_sources([spec], _settings(fetch_concurrency=2,
                                                                      fetch_timeout=5))))
    assert failures == []
    assert [a.title for a in articles] == [f"Counted story {i}" for i in range(1, 9)]
    assert all(a.text.startswith("Shares of Zentrix, a fictional") for a in articles)
    assert server.max_in_flight == 2
