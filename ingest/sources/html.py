"""Main text and metadata of an HTML page (trafilatura)."""

from __future__ import annotations

import logging
from dataclasses import dataclass

import trafilatura

log = logging.getLogger(__name__)

_DATE_PARAMS = {"extensive_search": True, "original_date": True,
                "outputformat": "%Y-%m-%dT%H:%M:%S%z"}


@dataclass(frozen=True)
class PageText:
    """What trafilatura found on a page (text has one paragraph per line)."""

    title: str | None
    text: str
    date: str | None
    sitename: str | None
    url: str | None
    language: str | None


def extract_page(content: bytes | str, url: str | None = None) -> PageText | None:
    """Main text and metadata of an HTML document, or None when no text was found."""
    try:
        doc = trafilatura.bare_extraction(
            content,
            url=url,
            with_metadata=True,
            include_comments=False,
            include_tables=True,
            include_images=False,
            include_links=False,
            date_extraction_params=_DATE_PARAMS,
        )
    except (ValueError, TypeError, AttributeError, LookupError) as exc:  # malformed markup
        log.debug("trafilatura failed on %s: %s", url, exc)
        return None
    if doc is None or isinstance(doc, dict):
        return None
    text = doc.text or ""
    if not text.strip():
        return None
    return PageText(
        title=doc.title or None,
        text=text,
        date=doc.date or None,
        sitename=doc.sitename or None,
        url=doc.url or None,
        language=doc.language or None,
    )
