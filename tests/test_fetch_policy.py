"""The fetcher's network policy (``public_only``): redirects, DNS rebinding, full-text links.

No packet leaves loopback. Refused targets are 127.0.0.0/8 addresses (and names a fake resolver
maps to 10.0.0.5, which nothing ever connects to); a name that "resolves public"
(``news.example`` -> 93.184.216.34) is served by the local server on 127.0.0.1 through the
injected connect step, which refuses to open anything else.
"""

from __future__ import annotations

import gzip
from collections import Counter
from collections.abc import Iterable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpcore
import pytest

import bot.source_check
import index.addresses
from bot.jobs import IngestRunner, ingest_command
from bot.source_check import check_url
from index.entities import EntityResolver, TickerTable
from index.records import Article
from ingest.cli import build_parser
from ingest.pipeline import Ingestor
from ingest.settings import IngestSettings
from ingest.sources import Failure, SourceSpec, read_sources, reader
from ingest.sources.fetch import MAX_REDIRECTS, Fetcher, FetchError, system_connect
from tests.loopback import serving

PUBLIC_IP = "93.184.216.34"
TEXT = ("Zentrix Robotics reported quarterly revenue well above analyst estimates on Tuesday, "
        "and its shares rose in late trading as investors cheered the outlook. ")
SECRET = b"<html><body><article><p>INTERNAL SECRET: the admin password is hunter2.</p>" \
         b"</article></body></html>"


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    hits: Counter[str]
    hosts: list[str]


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, *args: Any) -> None:  # keep the test output quiet
        pass

    def _send(self, status: int, body: bytes = b"", ctype: str = "text/html",
              headers: dict[str, str] | None = None, length: bool = True) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        if length:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        path = self.path.split("?")[0]
        self.server.hits[path] += 1
        self.server.hosts.append(self.headers.get("Host", ""))
        port = self.server.server_address[1]
        if path == "/secret":
            self._send(200, SECRET)
        elif path == "/page":
            self._send(200, _page("Zentrix beats estimates", TEXT * 6))
        elif path == "/redirect-inside":  # a public host that bounces to a loopback address
            self._send(302, headers={"Location": f"http://127.0.0.2:{port}/secret"})
        elif path == "/redirect-intranet":  # ... or to a name that resolves private
            self._send(302, headers={"Location": f"http://intranet.example:{port}/secret"})
        elif path == "/redirect-page":
            self._send(301, headers={"Location": "/page"})
        elif path == "/loop":
            self._send(302, headers={"Location": "/loop"})
        elif path == "/big":
            self._send(200, b"<html><body>" + b"x" * 60_000 + b"</body></html>")
        elif path == "/big-unannounced":
            self.close_connection = True
            self._send(200, b"<html><body>" + b"x" * 60_000 + b"</body></html>", length=False)
        elif path == "/gzip-bomb":
            body = gzip.compress(b"<html><body>" + b"0" * 20_000_000, compresslevel=9)
            self._send(200, body, headers={"Content-Encoding": "gzip"})
        elif path == "/gzip-page":
            body = gzip.compress(_page("Gzipped", TEXT * 6))
            self._send(200, body, headers={"Content-Encoding": "gzip"})
        elif path == "/feed.xml":
            self._send(200, _feed(port), ctype="application/rss+xml")
        else:
            self._send(404, b"not found")


def _page(title: str, text: str) -> bytes:
    return (f"<html><head><title>{title}</title></head><body><article><h1>{title}</h1>"
            f"<p>{text}</p></article></body></html>").encode()


def _feed(port: int) -> bytes:
    links = [f"http://news.example:{port}/page", f"http://127.0.0.3:{port}/secret",
             f"http://intranet.example:{port}/secret", f"http://news.example:{port}/redirect-inside"]
    items = "".join(
        f"<item><title>Story {n}: Zentrix update</title><link>{link}</link>"
        f"<description>Summary {n}: {TEXT}</description>"
        f"<pubDate>Tue, 03 Jun 2025 1{n}:00:00 GMT</pubDate></item>"
        for n, link in enumerate(links, 1))
    return (f'<?xml version="1.0"?><rss version="2.0"><channel><title>Wire</title>'
            f"<link>http://news.example:{port}/</link>{items}</channel></rss>").encode()


@pytest.fixture(scope="module")
def server() -> Iterator[_Server]:
    httpd = _Server(("127.0.0.1", 0), _Handler)
    httpd.hits = Counter()
    httpd.hosts = []
    with serving(httpd):
        yield httpd


class Net:
    """The injected resolver and connect step, recording what they were asked."""

    def __init__(self, server: _Server, answers: dict[str, list[list[str]]] | None = None):
        self.port = server.server_address[1]
        self.answers = answers or {"news.example": [[PUBLIC_IP]],
                                   "intranet.example": [["10.0.0.5"]]}
        self.resolved: list[str] = []
        self.connected: list[tuple[str, int]] = []

    def resolve(self, host: str, port: int) -> Iterable[str]:
        self.resolved.append(host)
        if host not in self.answers:
            raise OSError("Name or service not known")
        seq = self.answers[host]
        return seq[min(self.resolved.count(host), len(seq)) - 1]

    def connect(self, address: str, port: int, timeout: float | None) -> httpcore.NetworkStream:
        self.connected.append((address, port))
        if address != PUBLIC_IP:  # the test would have sent a packet somewhere else
            raise AssertionError(f"connect to {address} attempted")
        return system_connect("127.0.0.1", self.port, timeout)

    def fetcher(self, settings: IngestSettings) -> Fetcher:
        return Fetcher(settings, resolver=self.resolve, connect=self.connect)


def _settings(public_only: bool = True, **overrides: Any) -> IngestSettings:
    values: dict[str, Any] = {"fetch_timeout": 2.0, "fetch_max_bytes": 20_000,
                              "fetch_concurrency": 2, "fetch_public_only": public_only}
    values.update(overrides)
    return IngestSettings(_env_file=None, **values)  # type: ignore[call-arg]


def _url(server: _Server, path: str, host: str = "news.example") -> str:
    return f"http://{host}:{server.server_address[1]}{path}"


def test_one_home_for_the_address_rule() -> None:
    assert bot.source_check.is_public is index.addresses.is_public
    for address in ("127.0.0.2", "10.0.0.5", "169.254.169.254", "::ffff:127.0.0.1", "0.0.0.0",
                    "224.0.0.1", "fe80::1%eth0", "::", "240.0.0.1", "100.64.0.1"):
        assert not index.addresses.is_public(address), address
    assert index.addresses.is_public(PUBLIC_IP)


def test_a_public_name_is_served_at_the_checked_address_with_its_host_header(server) -> None:
    net = Net(server)
    fetcher = net.fetcher(_settings())
    try:
        page = fetcher.get(_url(server, "/page"))
    finally:
        fetcher.close()
    assert b"Zentrix" in page.body and page.url == _url(server, "/page")
    assert net.resolved == ["news.example"]  # resolved once ...
    assert net.connected == [(PUBLIC_IP, server.server_address[1])]  # ... connected to that
    assert server.hosts[-1] == f"news.example:{server.server_address[1]}"


def test_a_redirect_to_loopback_is_refused_before_any_connection(server) -> None:
    net = Net(server)
    before = server.hits["/secret"]
    fetcher = net.fetcher(_settings())
    try:
        with pytest.raises(FetchError) as info:
            fetcher.get(_url(server, "/redirect-inside"))
        with pytest.raises(FetchError) as named:
            fetcher.get(_url(server, "/redirect-intranet"))
        with pytest.raises(FetchError) as direct:
            fetcher.get(f"http://127.0.0.2:{server.server_address[1]}/secret")
    finally:
        fetcher.close()
    assert info.value.reason.startswith("refused: redirect 1 to http://127.0.0.2:")
    assert "127.0.0.2" in info.value.reason and "local or private" in info.value.reason
    assert "intranet.example" in named.value.reason and "10.0.0.5" in named.value.reason
    assert direct.value.reason.startswith("refused: 127.0.0.2")
    assert {address for address, _ in net.connected} == {PUBLIC_IP}
    assert "127.0.0.2" not in net.resolved  # an IP literal is checked, never resolved
    assert server.hits["/secret"] == before


def test_a_source_that_redirects_inside_fails_and_nothing_is_indexed(
        server, tmp_path: Path, monkeypatch, fake_embedder) -> None:
    net = Net(server)
    monkeypatch.setattr(reader, "Fetcher", net.fetcher)
    before = server.hits["/secret"]
    url = _url(server, "/redirect-inside")
    ingestor = Ingestor(tmp_path / "index", _settings(), fake_embedder,
                        EntityResolver(TickerTable.load()))
    report = ingestor.run([SourceSpec(url, url)])
    assert report.seen == 0 and report.generation is None
    problems = [(p.source, p.reason) for p in report.failed + report.skipped]
    assert len(problems) == 1 and problems[0][0] == url
    assert problems[0][1].startswith("refused: redirect 1 to http://127.0.0.2:")
    assert server.hits["/secret"] == before


def test_rebinding_between_the_bot_check_and_the_fetch_is_caught(server) -> None:
    # The name answers public once (the bot's check passes), then loopback (the child's fetch).
    net = Net(server, {"news.example": [[PUBLIC_IP], ["127.0.0.1"]]})
    url = _url(server, "/secret")
    assert check_url(url, resolver=net.resolve) == url
    fetcher = net.fetcher(_settings())
    try:
        with pytest.raises(FetchError, match=r"refused: news\.example .*127\.0\.0\.1"):
            fetcher.get(url)
    finally:
        fetcher.close()
    assert net.connected == []


def test_within_a_fetch_the_first_answer_is_pinned(server) -> None:
    # Public, then loopback: the fetch resolves once and connects to the checked public
    # address; the loopback answer is never asked for (no second resolution of the name).
    net = Net(server, {"news.example": [[PUBLIC_IP], ["127.0.0.1"]]})
    fetcher = net.fetcher(_settings())
    try:
        page = fetcher.get(_url(server, "/page"))
    finally:
        fetcher.close()
    assert b"Zentrix" in page.body
    assert net.resolved == ["news.example"]
    assert net.connected == [(PUBLIC_IP, server.server_address[1])]


def test_feed_items_linking_inside_keep_their_summary_without_fetching(
        server, monkeypatch) -> None:
    net = Net(server)
    monkeypatch.setattr(reader, "Fetcher", net.fetcher)
    before = server.hits["/secret"]
    url = _url(server, "/feed.xml")
    items = list(read_sources([SourceSpec("wire", url, "feed", True)], _settings()))
    articles = [i for i in items if isinstance(i, Article)]
    warnings = [i for i in items if isinstance(i, Failure)]
    assert [a.title for a in articles] == [f"Story {n}: Zentrix update" for n in (1, 2, 3, 4)]
    assert len(articles[0].text) > len(TEXT) * 3  # the public page's full text
    for article in articles[1:]:
        assert article.text.startswith("Summary") and "INTERNAL SECRET" not in article.text
    assert len(warnings) == 3 and all(w.warning for w in warnings)
    reasons = [w.reason for w in warnings]
    assert all(r.startswith("full text: refused: ") and r.endswith("(kept the feed summary)")
               for r in reasons)
    assert "127.0.0.3" in reasons[0] and "10.0.0.5" in reasons[1]
    assert "redirect 1 to http://127.0.0.2" in reasons[2]
    assert server.hits["/secret"] == before
    assert {address for address, _ in net.connected} == {PUBLIC_IP}


def test_a_redirect_loop_is_bounded(server) -> None:
    net = Net(server)
    before = server.hits["/loop"]
    fetcher = net.fetcher(_settings())
    try:
        with pytest.raises(FetchError, match="too many redirects"):
            fetcher.get(_url(server, "/loop"))
    finally:
        fetcher.close()
    assert server.hits["/loop"] - before == MAX_REDIRECTS + 1


@pytest.mark.parametrize("path", ["/big", "/big-unannounced", "/gzip-bomb"])
@pytest.mark.parametrize("public_only", [True, False])
def test_oversized_bodies_are_bounded(server, path: str, public_only: bool) -> None:
    net = Net(server)
    url = _url(server, path) if public_only else f"http://127.0.0.1:{server.server_address[1]}{path}"
    fetcher = net.fetcher(_settings(public_only=public_only))
    try:
        with pytest.raises(FetchError, match="too large"):
            fetcher.get(url)
    finally:
        fetcher.close()


def test_gzip_bodies_are_decoded(server) -> None:
    fetcher = Net(server).fetcher(_settings())
    try:
        page = fetcher.get(_url(server, "/gzip-page"))
    finally:
        fetcher.close()
    assert page.body.startswith(b"<html>") and b"Gzipped" in page.body


def test_without_the_policy_redirects_and_loopback_work_as_before(server) -> None:
    net = Net(server)
    fetcher = net.fetcher(_settings(public_only=False))
    base = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        page = fetcher.get(f"{base}/redirect-page")
        with pytest.raises(FetchError, match="too many redirects"):
            fetcher.get(f"{base}/loop")
    finally:
        fetcher.close()
    assert page.url == f"{base}/page" and b"Zentrix" in page.body
    assert net.resolved == [] and net.connected == []  # the operator's shell: no policy


def test_the_policy_travels_from_the_bot_to_the_child(tmp_path: Path) -> None:
    assert "--public-only" not in ingest_command(["x"], None)  # the CLI default: no policy
    assert IngestRunner(tmp_path).command(["x"], None)[3:5] == ["--json", "--public-only"]
    assert "--public-only" not in IngestRunner(tmp_path, public_only=False).command(["x"], None)
    assert build_parser().parse_args(["--public-only", "u"]).public_only is True
    assert build_parser().parse_args(["u"]).public_only is False
