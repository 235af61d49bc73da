"""``read_sources``: every spec -> a lazy stream of articles and failures."""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from pathlib import Path
from urllib.parse import unquote, urlsplit

from index.records import Article
from ingest.settings import IngestSettings

from .build import build_article
from .feeds import parse_feed
from .fetch import Fetched, Fetcher, FetchError, is_binary_type, is_html_type
from .files import bounded_feed_articles, discover, read_file
from .html import extract_page
from .limits import (
    TEXT_CUT_MARK,
    Limits,
    cap_article,
    describe,
    items_cap_failure,
    text_cut_warning,
)
from .model import Failure, SourceSpec, is_url
from .urls import known_outlet

log = logging.getLogger(__name__)
_ITEMS_MARK = "(INGEST_MAX_ITEMS_PER_SOURCE)"


def read_sources(
    specs: Sequence[SourceSpec], settings: IngestSettings
) -> Iterator[Article | Failure]:
    """Yield articles lazily, and a ``Failure`` for each thing skipped; never raises for input.

    Local files stream (JSON Lines are read line by line). URLs are fetched with the
    settings' timeout and size cap; feed items' pages are fetched for their full text when
    ``spec.full_text`` (or else ``settings.fetch_full_text``) is true.

    Work per input is bounded: at most ``max_items_per_source`` records per file, feed or
    page, each article's text cut to ``max_article_chars`` (see ``ingest.sources.limits``
    for the line and ``.gz`` caps); each cap hit is reported as a ``Failure``.
    """
    fetcher = Fetcher(settings)
    limits = Limits.of(settings)
    try:
        for spec in specs:
            full_text = settings.fetch_full_text if spec.full_text is None else spec.full_text
            location = spec.location.strip()
            if location.lower().startswith("file://"):
                location = unquote(urlsplit(location).path)
            if is_url(location):
                yield from _guarded(
                    location, _read_url(location, spec, fetcher, full_text, limits), limits)
                continue
            for found in discover(location):
                if isinstance(found, Failure):
                    yield found
                    continue
                items = read_file(found, settings, fetcher, spec.kind, full_text)
                yield from _guarded(str(found), items, limits)
    finally:
        fetcher.close()


def _guarded(
    source: str, items: Iterator[Article | Failure], limits: Limits
) -> Iterator[Article | Failure]:
    """One source's items, bounded: at most ``limits.items`` records (articles and skipped
    ones; warnings do not count), article texts cut to ``limits.article_chars`` (one warning
    each), and an unexpected error inside the source turned into a ``Failure``."""
    count = 0
    warned_cut = False  # the item before was the reader's "text cut" warning for this article
    try:
        for item in items:
            if count >= limits.items:  # a record past the cap: stop reading this source
                close = getattr(items, "close", None)
                if close is not None:
                    close()
                capped = isinstance(item, Failure) and item.reason.endswith(_ITEMS_MARK)
                yield item if capped else items_cap_failure(source, limits.items)
                return
            if isinstance(item, Article) and len(item.text) > limits.article_chars:
                if not warned_cut:
                    yield text_cut_warning(item.url or source, "", limits.article_chars)
                item = cap_article(item, limits.article_chars)
            if isinstance(item, Failure) and item.warning:
                warned_cut = item.reason.endswith(f"({TEXT_CUT_MARK})")
                yield item
                continue
            warned_cut = False
            count += 1
            yield item
    except Exception as exc:  # a parser bug must not end the whole run
        log.exception("unexpected error while reading %s", source)
        yield Failure(source, describe(exc))


def _head(body: bytes) -> bytes:
    return body[:2048].lstrip().lower()


def _looks_like_feed(body: bytes) -> bool:
    head = _head(body)
    return b"<rss" in head or b"<feed" in head or b"<rdf:rdf" in head


def _looks_like_html(body: bytes) -> bool:
    head = _head(body)
    return head.startswith((b"<!doctype html", b"<html")) or b"<html" in head


def _read_url(
    url: str, spec: SourceSpec, fetcher: Fetcher, full_text: bool, limits: Limits
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
    yield from bounded_feed_articles(parsed, url, fetcher, full_text, limits)


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
