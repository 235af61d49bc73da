"""HTTP fetching (httpx): timeouts, a size cap, content-type checks, bounded concurrency.

Network policy. ``IngestSettings.fetch_public_only`` (``python -m ingest --public-only``, which is
how the bot starts ``/reingest`` and the scheduled ingest) makes every connection go through
``PinnedBackend``: the host is resolved once (an injectable ``Resolver``), *every* address is
checked with ``index.addresses.is_public`` (loopback, private, link-local, multicast, reserved,
unspecified, IPv4-mapped IPv6 ... are refused), and the socket is opened to a checked address (an
injectable ``Connect``) while TLS SNI and the ``Host`` header keep the name; nothing resolves the
name a second time, so a DNS rebinding between the check and the connection has nothing to
rebind. Redirects are followed by hand (``MAX_REDIRECTS``), each hop a new request through the
same policy; a refused hop fails the fetch with a reason that names it. Proxies from the
environment are not used under the policy (a proxy would resolve the name itself).

Without the policy (the CLI default: the operator's own shell) the client connects as before.
Either way bodies are streamed, decompressed with a bound, and capped at ``fetch_max_bytes``.
"""

from __future__ import annotations

import ipaddress
import logging
import time
import zlib
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, TypeVar

import httpcore
import httpx

from index.addresses import Resolver, refused, system_resolver
from ingest.settings import IngestSettings

from .model import clip, human_bytes

log = logging.getLogger(__name__)

T = TypeVar("T")
R = TypeVar("R")

HTML_TYPES = ("text/html", "application/xhtml+xml")
_BINARY_PREFIXES = ("image/", "audio/", "video/", "font/", "application/pdf",
                    "application/zip", "application/octet-stream", "application/gzip")
MAX_REDIRECTS = 10
ACCEPT_ENCODING = "gzip, deflate"  # the encodings ``_Decoder`` can bound

Connect = Callable[[str, int, "float | None"], httpcore.NetworkStream]
"""``(checked ip, port, timeout) -> stream``: opens the TCP connection to that very address."""


_SYNC = httpcore.SyncBackend()


def system_connect(address: str, port: int, timeout: float | None) -> httpcore.NetworkStream:
    """A TCP connection to the IP address ``address`` (a literal: no name lookup happens)."""
    return _SYNC.connect_tcp(address, port, timeout=timeout, socket_options=())


class FetchError(Exception):
    """A fetch that failed; ``reason`` is short and human ("HTTP 404", "timeout after 10 s")."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class AddressRefused(Exception):
    """Under the ``public_only`` policy: a host that is, or resolves to, a non-public address."""

    def __init__(self, host: str, addresses: list[str]) -> None:
        shown = ", ".join(addresses[:3])
        super().__init__(f"{host} points to a local or private address ({shown})")
        self.host = host
        self.addresses = addresses


def checked_addresses(host: str, port: int, resolver: Resolver) -> list[str]:
    """``host``'s addresses, resolved once, every one public; else ``AddressRefused``.

    An IP literal is its own (only) address: it is never handed to the resolver.
    """
    name = host.strip("[]").rstrip(".")
    if _is_ip(name):
        addresses = [name]
    else:
        try:
            addresses = list(dict.fromkeys(resolver(name, port)))
        except (OSError, UnicodeError) as exc:
            raise httpcore.ConnectError(f"{name} does not resolve ({exc})") from None
        if not addresses:
            raise httpcore.ConnectError(f"{name} does not resolve")
    bad = refused(addresses)
    if bad:
        raise AddressRefused(name, bad)
    return addresses


def _is_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text.split("%", 1)[0])
    except ValueError:
        return False
    return True


class PinnedBackend(httpcore.NetworkBackend):
    """httpcore network backend: resolve once, check every address, connect to a checked one."""

    def __init__(self, resolver: Resolver = system_resolver,
                 connect: Connect = system_connect) -> None:
        self.resolver = resolver
        self.connect = connect

    def connect_tcp(self, host: str, port: int, timeout: float | None = None,
                    local_address: str | None = None,
                    socket_options: Iterable[Any] | None = None) -> httpcore.NetworkStream:
        last: Exception | None = None
        for address in checked_addresses(host, port, self.resolver):
            try:
                return self.connect(address, port, timeout)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                last = exc
        assert last is not None
        raise last

    def connect_unix_socket(self, path: str, timeout: float | None = None,
                            socket_options: Iterable[Any] | None = None
                            ) -> httpcore.NetworkStream:
        raise AddressRefused(path, ["a unix socket"])

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


class PinnedTransport(httpx.HTTPTransport):
    """``httpx.HTTPTransport`` whose connections all go through a ``PinnedBackend``."""

    def __init__(self, backend: PinnedBackend, limits: httpx.Limits) -> None:
        super().__init__(limits=limits, trust_env=False)
        self._pool = httpcore.ConnectionPool(
            ssl_context=httpx.create_ssl_context(trust_env=True),  # SSL_CERT_FILE/DIR
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=backend,
        )


@dataclass(frozen=True)
class Fetched:
    """A response body read within the limits."""

    url: str
    content_type: str
    body: bytes
    headers: dict[str, str]


def is_html_type(content_type: str) -> bool:
    """True for HTML media types."""
    return content_type.startswith(HTML_TYPES)


def is_binary_type(content_type: str) -> bool:
    """True for media types that are certainly not text."""
    return content_type.startswith(_BINARY_PREFIXES)


class Fetcher:
    """One pooled HTTP client for a run; created lazily, closed by ``close``.

    ``settings.fetch_public_only`` turns the network policy on (see the module docstring);
    ``resolver`` and ``connect`` are its two injectable steps (tests serve a name that
    "resolves public" from a server on loopback).
    """

    def __init__(self, settings: IngestSettings, *, resolver: Resolver | None = None,
                 connect: Connect | None = None) -> None:
        self.settings = settings
        self.public_only = settings.fetch_public_only
        self._backend = PinnedBackend(resolver or system_resolver, connect or system_connect)
        self._client: httpx.Client | None = None

    @property
    def client(self) -> httpx.Client:
        if self._client is None:
            limit = self.settings.fetch_concurrency
            limits = httpx.Limits(max_connections=limit * 2, max_keepalive_connections=limit)
            self._client = httpx.Client(
                timeout=httpx.Timeout(self.settings.fetch_timeout),
                follow_redirects=False,
                headers={"User-Agent": self.settings.user_agent,
                         "Accept-Encoding": ACCEPT_ENCODING},
                limits=limits,
                transport=PinnedTransport(self._backend, limits) if self.public_only else None,
                trust_env=not self.public_only,
            )
        return self._client

    def close(self) -> None:
        """Close the HTTP client if one was opened."""
        if self._client is not None:
            self._client.close()
            self._client = None

    def get(self, url: str, accept: Callable[[str], str | None] | None = None) -> Fetched:
        """GET ``url``; raise ``FetchError`` on HTTP errors, timeouts, size or type problems.

        Redirects are followed by hand, at most ``MAX_REDIRECTS``; under the policy each hop's
        host is checked before anything connects to it. ``accept(content_type)`` returns a
        reason to refuse the body (or None to read it); it is called before the body is read.
        """
        timeout = self.settings.fetch_timeout
        deadline = time.monotonic() + timeout * 2
        hop = 0
        try:
            request = self.client.build_request("GET", url)
            while True:
                response = self.client.send(request, stream=True)
                try:
                    if response.next_request is None:
                        return self._read(response, accept, deadline)
                    if hop >= MAX_REDIRECTS:
                        raise FetchError(f"too many redirects (more than {MAX_REDIRECTS})")
                    request = response.next_request
                    hop += 1
                finally:
                    response.close()
        except AddressRefused as exc:
            where = f"redirect {hop} to {clip(str(request.url), 100)}: " if hop else ""
            raise FetchError(f"refused: {where}{exc}") from exc
        except httpx.TimeoutException as exc:
            raise FetchError(f"timeout after {timeout:g} s") from exc
        except httpx.TooManyRedirects as exc:
            raise FetchError("too many redirects") from exc
        except (httpx.InvalidURL, httpx.UnsupportedProtocol) as exc:
            raise FetchError(f"invalid URL: {exc}") from exc
        except httpx.ConnectError as exc:
            raise FetchError(f"connection failed: {_short(exc)}") from exc
        except httpx.HTTPError as exc:
            raise FetchError(f"{type(exc).__name__}: {_short(exc)}") from exc

    def _read(self, response: httpx.Response, accept: Callable[[str], str | None] | None,
              deadline: float) -> Fetched:
        """The body of a final (non-redirect) response, streamed, decoded and capped."""
        timeout = self.settings.fetch_timeout
        cap = self.settings.fetch_max_bytes
        if response.status_code >= 400:
            raise FetchError(f"HTTP {response.status_code}")
        content_type = response.headers.get("content-type", "").split(";")[0]
        content_type = content_type.strip().lower()
        if accept is not None and (refusal := accept(content_type)):
            raise FetchError(refusal)
        length = response.headers.get("content-length", "")
        if length.isdigit() and int(length) > cap:
            raise FetchError(f"too large ({human_bytes(int(length))} > {human_bytes(cap)})")
        decoder = _Decoder(response.headers.get("content-encoding", ""))
        chunks: list[bytes] = []
        size = 0
        for raw in response.iter_raw():
            chunk = decoder.decode(raw, cap - size)
            size += len(chunk)
            if size > cap:
                raise FetchError(f"too large (> {human_bytes(cap)})")
            if time.monotonic() > deadline:
                raise FetchError(f"timeout after {timeout:g} s")
            chunks.append(chunk)
        tail = decoder.flush()
        size += len(tail)
        if size > cap:
            raise FetchError(f"too large (> {human_bytes(cap)})")
        chunks.append(tail)
        return Fetched(str(response.url), content_type, b"".join(chunks), dict(response.headers))

    def map_ordered(self, func: Callable[[T], R], items: Iterable[T]) -> Iterator[R]:
        """``map(func, items)`` on ``fetch_concurrency`` threads; results in input order.

        At most twice the concurrency is in flight, so long inputs stay lazy.
        """
        workers = self.settings.fetch_concurrency
        if workers <= 1:
            yield from map(func, items)
            return
        pending: deque[Future[R]] = deque()
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="fetch") as pool:
            try:
                for item in items:
                    pending.append(pool.submit(func, item))
                    if len(pending) >= workers * 2:
                        yield pending.popleft().result()
                while pending:
                    yield pending.popleft().result()
            finally:
                for future in pending:
                    future.cancel()


class _Decoder:
    """``Content-Encoding`` (identity, gzip or deflate) decoded without ever producing more
    than the room left under the cap (a 4 kB gzip bomb never becomes 4 GB in memory)."""

    def __init__(self, encoding: str) -> None:
        codings = [c.strip().lower() for c in encoding.split(",")]
        codings = [c for c in codings if c and c != "identity"]
        self._zlib: Any = None
        self._deflate = bool(codings) and codings[0] == "deflate"
        self._started = False
        if not codings:
            return
        if len(codings) > 1 or codings[0] not in ("gzip", "x-gzip", "deflate"):
            raise FetchError(f"unsupported content-encoding {encoding.strip()[:40]!r}")
        self._zlib = zlib.decompressobj(zlib.MAX_WBITS | (0 if self._deflate else 16))

    def decode(self, data: bytes, room: int) -> bytes:
        """Decoded bytes of ``data``; at most ``room + 1`` of them (more means: over the cap)."""
        if self._zlib is None:
            return data
        try:
            out = self._zlib.decompress(data, max(room, 0) + 1)
        except zlib.error as exc:
            if self._deflate and not self._started:  # "deflate" sent as a raw stream
                self._zlib = zlib.decompressobj(-zlib.MAX_WBITS)
                self._started = True
                return self.decode(data, room)
            raise FetchError(f"bad {('deflate' if self._deflate else 'gzip')} body: {exc}") from exc
        self._started = True
        return bytes(out)

    def flush(self) -> bytes:
        if self._zlib is None:
            return b""
        try:
            return bytes(self._zlib.flush())
        except zlib.error as exc:
            raise FetchError(f"bad compressed body: {exc}") from exc


def _short(exc: Exception) -> str:
    return clip(str(exc) or type(exc).__name__)
