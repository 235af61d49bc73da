"""``read_sources``: every spec -> a lazy stream of articles and failures."""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from pathlib import Path
from urllib.parse import unquote, urlsplit

from index.records import Article
from ingest.settings import IngestSettings

from .build import build_article
from .feeds import feed_articles, parse_feed
from .fetch import Fetched, Fetcher, FetchError, is_binary_type, is_html_type
from .files import discover, read_file
from .html import extract_page
from .model import Failure, SourceSpec, is_url
from .urls import known_outlet

log = logging.getLogger(__name__)


def read_sources(
    specs: Sequence[SourceSpec], settings: IngestSettings
) -> Iterator[Article | Failure]:
    """Yield articles lazily, and a ``Failure`` for each thing skipped; never raises for input.

    Local files stream (JSON Lines are read line by line). URLs are fetched with the
    settings' timeout and size cap; feed items' pages are fetched for their full text when
    ``spec.full_text`` (or else ``settings.fetch_full_text``) is true.
    """
    fetcher = Fetcher(settings)
    try:
        for spec in specs:
            full_text = settings.fetch_full_text if spec.full_text is None else spec.full_text
            location = spec.location.strip()
            if location.lower().startswith("file://"):
                location = unquote(urlsplit(location).path)
            if is_url(location):
                yield from _guarded(location, _read_url(location, spec, fetcher, full_text))
                continue
            for found in discover(location):
                if isinstance(found, Failure):
                    yield found
                    continue
                items = read_file(found, settings, fetcher, spec.kind, full_text)
                yield from _guarded(str(found), items)
    finally:
        fetcher.close()


def _guarded(source: str, items: Iterator[Article | Failure]) -> Iterator[Article | Failure]:
    """Turn an unexpected error inside one source into a ``Failure`` and go on."""
    try:
        yield from items
    except Exception as exc:  # a parser bug must not end the whole run
        log.exception("unexpected error while reading %s", source)
        yield Failure(source, f"internal error: {type(exc).__name__}: {exc}")


def _head(body: bytes) -> bytes:
    return body[:2048].lstrip().lower()


def _looks_like_feed(body: bytes) -> bool:
    head = _head(body)
    return b"<rss" in head or b"<feed" in head or b"<rdf:rdf" in head


def _looks_like_html(body: bytes) -> bool:
    head = _head(body)
    return head.startswith((b"<!doctype html", b"<html")) or b"<html" in head


def _read_url(
    url: str, spec: SourceSpec, fetcher: Fetcher, full_text: bool
) -> Iterator[Article | Failure]:
    def accept(content_type: str) -> str | None:
        if spec.kind == "page" and content_type and not is_html_type(content_type):
            return f"not HTML (content-type {content_type})"
        if is_binary_type(content_type):
            return f"not a feed or web page (content-type {content_type})"
        return None

    try:
        fetched = fetcher.get(url, accept=accept)
    except FetchError as exc:
        yield Failure(url, exc.reason)
        return
    if not fetched.body.strip():
        yield Failure(url, "empty response")
        return
    as_page = spec.kind == "page" or (
        spec.kind != "feed" and is_html_type(fetched.content_type)
        and not _looks_like_feed(fetched.body)
    )
    if as_page:
        yield from _page_article(fetched, url)
        return
    parsed = parse_feed(fetched.body, url, fetched.content_type, fetched.url)
    if isinstance(parsed, Failure):
        if spec.kind != "feed" and _looks_like_html(fetched.body):
            yield from _page_article(fetched, url)
        else:
            yield parsed
        return
    yield from feed_articles(parsed, url, fetcher, full_text)


def _page_article(fetched: Fetched, url: str) -> Iterator[Article | Failure]:
    page = extract_page(fetched.body, fetched.url)
    if page is None:
        yield Failure(url, "no main text found on the page")
        return
    yield from build_article(
        source=url,
        title=page.title,
        text=page.text,
        url=page.url if page.url and is_url(page.url) else fetched.url,
        date=page.date,
        outlet=known_outlet(fetched.url) or page.sitename,
        language=page.language,
        is_html=False,
        lines_are_paragraphs=True,
    )


def read_path(path: Path, settings: IngestSettings) -> Iterator[Article | Failure]:
    """Convenience: read one local path (file, folder or glob)."""
    yield from read_sources([SourceSpec(str(path), str(path), "path")], settings)
