"""HTTP fetching (httpx): timeouts, a size cap, content-type checks, bounded concurrency."""

from __future__ import annotations

import logging
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import TypeVar

import httpx

from ingest.settings import IngestSettings

from .model import human_bytes

log = logging.getLogger(__name__)

T = TypeVar("T")
R = TypeVar("R")

HTML_TYPES = ("text/html", "application/xhtml+xml")
_BINARY_PREFIXES = ("image/", "audio/", "video/", "font/", "application/pdf",
                    "application/zip", "application/octet-stream", "application/gzip")


class FetchError(Exception):
    """A fetch that failed; ``reason`` is short and human ("HTTP 404", "timeout after 10 s")."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


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
    """One pooled HTTP client for a run; created lazily, closed by ``close``."""

    def __init__(self, settings: IngestSettings) -> None:
        self.settings = settings
        self._client: httpx.Client | None = None

    @property
    def client(self) -> httpx.Client:
        if self._client is None:
            limit = self.settings.fetch_concurrency
            self._client = httpx.Client(
                timeout=httpx.Timeout(self.settings.fetch_timeout),
                follow_redirects=True,
                headers={"User-Agent": self.settings.user_agent},
                limits=httpx.Limits(max_connections=limit * 2, max_keepalive_connections=limit),
            )
        return self._client

    def close(self) -> None:
        """Close the HTTP client if one was opened."""
        if self._client is not None:
            self._client.close()
            self._client = None

    def get(self, url: str, accept: Callable[[str], str | None] | None = None) -> Fetched:
        """GET ``url``; raise ``FetchError`` on HTTP errors, timeouts, size or type problems.

        ``accept(content_type)`` returns a reason to refuse the body (or None to read it);
        it is called before the body is read.
        """
        timeout = self.settings.fetch_timeout
        cap = self.settings.fetch_max_bytes
        deadline = time.monotonic() + timeout * 2
        try:
            with self.client.stream("GET", url) as response:
                if response.status_code >= 400:
                    raise FetchError(f"HTTP {response.status_code}")
                content_type = response.headers.get("content-type", "").split(";")[0]
                content_type = content_type.strip().lower()
                if accept is not None and (refusal := accept(content_type)):
                    raise FetchError(refusal)
                length = response.headers.get("content-length", "")
                if length.isdigit() and int(length) > cap:
                    raise FetchError(f"too large ({human_bytes(int(length))} > {human_bytes(cap)})")
                chunks: list[bytes] = []
                size = 0
                for chunk in response.iter_bytes():
                    size += len(chunk)
                    if size > cap:
                        raise FetchError(f"too large (> {human_bytes(cap)})")
                    if time.monotonic() > deadline:
                        raise FetchError(f"timeout after {timeout:g} s")
                    chunks.append(chunk)
                return Fetched(str(response.url), content_type, b"".join(chunks),
                               dict(response.headers))
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


def _short(exc: Exception) -> str:
    text = str(exc) or type(exc).__name__
    return text if len(text) <= 120 else text[:117] + "..."
