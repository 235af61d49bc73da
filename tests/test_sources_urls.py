"""Canonical URLs, outlet names and dates."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest

from ingest.sources.build import normalize_language, resolve_outlet
from ingest.sources.dates import parse_date
from ingest.sources.urls import canonical_url, outlet_for_host, outlet_for_url


@pytest.mark.parametrize(
    ("raw", "canonical"),
    [
        ("https://www.engadget.com/ai-story-150034002.html?src=rss",
         "https://www.engadget.com/ai-story-150034002.html"),
        ("https://www.wsj.com/articles/chip-stocks-123?mod=rss_Technology",
         "https://www.wsj.com/articles/chip-stocks-123"),
        ("https://www.computerworld.com/article/3700000/x.html#tk.rss_all",
         "https://www.computerworld.com/article/3700000/x.html"),
        ("https://www.cnet.com/tech/robots/#ftag=CADf328eec", "https://www.cnet.com/tech/robots/"),
        ("https://www.ft.com/content/9ba505e2?at_medium=RSS&at_campaign=feed",
         "https://www.ft.com/content/9ba505e2"),
        ("HTTPS://News.Example.COM:443/a/b?utm_source=x&utm_medium=y&utm_campaign=z&id=7&p=2",
         "https://news.example.com/a/b?id=7&p=2"),
        ("http://example.com:80/story?fbclid=abc&gclid=def", "http://example.com/story"),
        ("  https://example.com/a?b=2&a=1  ", "https://example.com/a?a=1&b=2"),
        ("https://example.com/x?a=1&amp;b=2", "https://example.com/x?a=1&b=2"),
    ],
)
def test_canonical_url(raw: str, canonical: str) -> None:
    assert canonical_url(raw) == canonical


@pytest.mark.parametrize("raw", [None, "", "not a url", "ftp://example.com/x", "https://[::1"])
def test_no_canonical_url_for_unusable_values(raw: str | None) -> None:
    assert canonical_url(raw) is None


@pytest.mark.parametrize(
    ("host", "outlet"),
    [
        ("www.wsj.com", "WSJ"),
        ("feeds.a.dj.com", "WSJ"),
        ("www.cnbc.com", "CNBC"),
        ("www.engadget.com", "Engadget"),
        ("www.theguardian.com", "The Guardian"),
        ("arstechnica.com", "Ars Technica"),
        ("abcnews.go.com", "ABC News"),
        ("news.bbc.co.uk", "BBC"),
        ("WWW.THEVERGE.COM", "The Verge"),
        ("www.gulf-insider.com", "gulf-insider.com"),
        ("blog.tech.example.co.uk", "example.co.uk"),
        ("127.0.0.1", "127.0.0.1"),
    ],
)
def test_outlet_names(host: str, outlet: str) -> None:
    assert outlet_for_host(host) == outlet


def test_outlet_resolution_order() -> None:
    article = "https://www.wsj.com/articles/x"
    feedburner = "https://feeds.feedburner.com/TheHackersNews"
    assert resolve_outlet("Example Wire", article) == "Example Wire"
    assert resolve_outlet("https://www.cnbc.com/id/1/device/rss/rss.html", article) == "CNBC"
    assert resolve_outlet("www.engadget.com", None) == "Engadget"
    assert resolve_outlet({"id": "guardian", "name": "The Guardian"}, None) == "The Guardian"
    assert resolve_outlet(None, article, feedburner) == "WSJ"
    assert resolve_outlet(None, "https://thehackernews.com/2023/x.html", feedburner) == (
        "The Hacker News")
    assert resolve_outlet(None, None, "https://feeds.a.dj.com/rss/RSSWSJD.xml") == "WSJ"
    assert resolve_outlet(None, None, None) is None
    assert outlet_for_url("https://www.ft.com/content/x") == "Financial Times"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2023-01-01 05:00:12+00:00", datetime(2023, 1, 1, 5, 0, 12, tzinfo=UTC)),
        ("2024-02-19T07:07:00Z", datetime(2024, 2, 19, 7, 7, tzinfo=UTC)),
        ("2024-03-05T14:30:00-05:00", datetime(2024, 3, 5, 19, 30, tzinfo=UTC)),
        ("2024-03-05T14:30:00-0500", datetime(2024, 3, 5, 19, 30, tzinfo=UTC)),
        ("Mon, 19 Feb 2024 07:07:00 GMT", datetime(2024, 2, 19, 7, 7, tzinfo=UTC)),
        ("Tue, 05 Mar 2024 14:30:00 +0100", datetime(2024, 3, 5, 13, 30, tzinfo=UTC)),
        ("Feb 19 2024 07:07 EST", datetime(2024, 2, 19, 12, 7, tzinfo=UTC)),
        ("19 February 2024", datetime(2024, 2, 19, tzinfo=UTC)),
        ("2024-02-19", datetime(2024, 2, 19, tzinfo=UTC)),
        ("2024-02-19 07:07", datetime(2024, 2, 19, 7, 7, tzinfo=UTC)),  # naive -> UTC
        (1700000000, datetime(2023, 11, 14, 22, 13, 20, tzinfo=UTC)),
        ("1700000000000", datetime(2023, 11, 14, 22, 13, 20, tzinfo=UTC)),
        (time.struct_time((2024, 2, 19, 7, 7, 0, 0, 50, 0)), datetime(2024, 2, 19, 7, 7,
                                                                       tzinfo=UTC)),
    ],
)
def test_dates_become_utc(raw: object, expected: datetime) -> None:
    parsed = parse_date(raw)
    assert parsed == expected
    assert parsed is not None and parsed.utcoffset() is not None


@pytest.mark.parametrize("raw", [None, "", "xyz", "sometime next week", "Feb 19 07:07", "May",
                                 True, -5])
def test_unparseable_or_yearless_dates_give_none(raw: object) -> None:
    assert parse_date(raw) is None


def test_languages() -> None:
    assert [normalize_language(v) for v in ("en-US", "en_gb", "EN", "fr", "", None, 3)] == [
        "en", "en", "en", "fr", None, None, None]
