"""RSS/Atom feeds (feedparser), optionally with each linked page's full text."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import feedparser

from index.records import Article

from .build import build_article
from .clean import clean_text
from .fetch import Fetcher, FetchError, is_html_type
from .html import PageText, extract_page
from .model import Failure, clip
from .urls import canonical_url, known_outlet

log = logging.getLogger(__name__)


def parse_feed(
    body: bytes, source: str, content_type: str = "", base_url: str | None = None
) -> Any | Failure:
    """Parse feed bytes; a ``Failure`` when they are not an RSS/Atom feed."""
    headers = {"content-type": content_type or "application/xml"}
    if base_url:
        headers["content-location"] = base_url
    parsed = feedparser.parse(body, response_headers=headers)
    if parsed.entries:
        if parsed.bozo:
            log.debug("feed %s parsed with problems: %s", source, parsed.get("bozo_exception"))
        return parsed
    if parsed.bozo or not parsed.get("version"):
        return Failure(source, f"not an RSS/Atom feed{_problem(parsed.get('bozo_exception'))}")
    return Failure(source, "feed has no entries")


def _entry_text(entry: Any) -> str:
    contents = [c.get("value", "") for c in entry.get("content") or [] if c.get("value")]
    best = max(contents, key=len) if contents else ""
    summary = entry.get("summary") or ""
    return best if len(best) >= len(summary) else summary


def _entry_date(entry: Any) -> Any:
    for key in ("published", "updated", "created"):
        if entry.get(f"{key}_parsed"):
            return entry[f"{key}_parsed"]
    for key in ("published", "updated", "created", "dc_date"):
        if entry.get(key):
            return entry[key]
    return None


def _fetch_page(fetcher: Fetcher, url: str) -> PageText | str:
    """Full text of a linked page, or the reason it could not be had."""

    def accept(content_type: str) -> str | None:
        if content_type and not is_html_type(content_type):
            return f"not HTML (content-type {content_type})"
        return None

    try:
        page = fetcher.get(url, accept=accept)
    except FetchError as exc:
        return exc.reason
    extracted = extract_page(page.body, page.url)
    return extracted if extracted is not None else "no main text found on the page"


def feed_articles(
    parsed: Any, source: str, fetcher: Fetcher | None, full_text: bool
) -> Iterator[Article | Failure]:
    """Articles of a parsed feed; with ``full_text`` each linked page is fetched concurrently.

    A failed full-text fetch keeps the entry's own summary (reported as a warning) or,
    without a summary, skips the entry with the fetch's reason.
    """
    feed = parsed.get("feed", {})
    feed_link = feed.get("link") or (source if source.startswith("http") else None)
    feed_title = " ".join((feed.get("title") or "").split()) or None
    feed_language = feed.get("language")
    entries = list(enumerate(parsed.entries, 1))

    def work(item: tuple[int, Any]) -> PageText | str | None:
        link = item[1].get("link")
        if not (full_text and fetcher and isinstance(link, str) and link.startswith("http")):
            return None
        return _fetch_page(fetcher, link)

    pages = fetcher.map_ordered(work, entries) if (full_text and fetcher) else map(work, entries)
    for (number, entry), page in zip(entries, pages, strict=True):
        link = entry.get("link")
        summary = _entry_text(entry)
        title = entry.get("title")
        outlet = known_outlet(link) or known_outlet(feed_link) or feed_title
        text, from_page = summary, False
        if isinstance(page, str):
            where = canonical_url(link) or source
            if not clean_text(summary, title=title):
                yield Failure(where, f"entry {number}: full text: {page}")
                continue
            yield Failure(where, f"full text: {page} (kept the feed summary)", warning=True)
        elif page is not None:
            page_text = clean_text(page.text, title=page.title or title, lines_are_paragraphs=True)
            if len(page_text) > len(clean_text(summary, title=title)):
                text, from_page = page_text, True
        yield from build_article(
            source=source,
            title=title or (page.title if isinstance(page, PageText) else None),
            text=text,
            url=link,
            date=_entry_date(entry) or (page.date if isinstance(page, PageText) else None),
            outlet=outlet,
            feed_url=feed_link,
            language=entry.get("language") or feed_language,
            where=f"entry {number}: ",
            is_html=False if from_page else None,
        )


def _problem(exc: object) -> str:
    """": line 2: syntax error" from a SAX error (without its "<unknown>" file name)."""
    if exc is None:
        return ""
    get_message, get_line = getattr(exc, "getMessage", None), getattr(exc, "getLineNumber", None)
    if callable(get_message) and callable(get_line):
        return f" (line {get_line()}: {get_message()})"
    return f" ({clip(' '.join(str(exc).split()))})"
