"""Assemble a clean ``Article`` from raw fields, or say why not."""

from __future__ import annotations

from collections.abc import Iterator

from index.records import Article

from .clean import clean_text, clean_title, first_line_title
from .dates import parse_date
from .model import Failure, is_url
from .urls import canonical_url, known_outlet, outlet_for_host, outlet_for_url


def normalize_language(value: object) -> str | None:
    """Primary language subtag, lower case: "en-US" -> "en"; None when absent."""
    if not isinstance(value, str):
        return None
    tag = value.strip().replace("_", "-").split("-", 1)[0].lower()
    return tag if tag.isalpha() and 2 <= len(tag) <= 3 else None


def resolve_outlet(outlet: object, url: str | None, feed_url: str | None = None) -> str | None:
    """Outlet name: an explicit name wins; a URL/host is mapped; else from the article or feed."""
    if isinstance(outlet, dict):  # NewsAPI-style {"id": ..., "name": ...}
        outlet = outlet.get("name") or outlet.get("id")
    if isinstance(outlet, str) and (name := " ".join(outlet.split())):
        if is_url(name):
            return outlet_for_url(name)
        if " " not in name and "." in name and name.rsplit(".", 1)[-1].isalpha():
            return outlet_for_host(name)  # a bare host such as "www.wsj.com"
        return name
    return (known_outlet(url) or known_outlet(feed_url)
            or outlet_for_url(url) or outlet_for_url(feed_url))


def build_article(
    *,
    source: str,
    title: object = None,
    text: object = None,
    url: object = None,
    date: object = None,
    outlet: object = None,
    feed_url: str | None = None,
    language: object = None,
    where: str = "",
    is_html: bool | None = None,
    lines_are_paragraphs: bool = False,
) -> Iterator[Article | Failure]:
    """Yield the cleaned article (after any warnings) or a single ``Failure``.

    ``source`` is where it was read from; ``where`` prefixes reasons ("line 7: ").
    An unparseable date keeps the article with ``published=None`` plus a warning.
    """
    canon = canonical_url(url) if isinstance(url, str) else None
    name = resolve_outlet(outlet, canon, feed_url)
    title_clean = clean_title(title if isinstance(title, str) else None, name)
    text_clean = clean_text(
        text if isinstance(text, str) else "",
        title=title_clean,
        is_html=is_html,
        lines_are_paragraphs=lines_are_paragraphs,
    )
    if not text_clean:
        reason = "no text" if title_clean else "no title and no text"
        yield Failure(source, f"{where}{reason}")
        return
    published = parse_date(date)
    if published is None and date not in (None, ""):
        shown = str(date)
        shown = shown if len(shown) <= 60 else shown[:57] + "..."
        yield Failure(source, f"{where}unparseable date {shown!r}", warning=True)
    yield Article(
        url=canon,
        title=title_clean or first_line_title(text_clean),
        text=text_clean,
        published=published,
        outlet=name,
        source=source,
        language=normalize_language(language),
    )
