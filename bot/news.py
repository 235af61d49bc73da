"""``/news``: the latest headlines matching a topic or ticker."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from index.reader import Filters, SearchHit
from index.search import Searcher

MIN_RELEVANCE = 0.25


def latest_news(
    searcher: Searcher,
    query: str,
    tickers: list[str],
    days: int | None,
    now: datetime,
    limit: int = 5,
) -> list[SearchHit]:
    """Relevant articles (ticker-filtered when the query names tickers), newest first.
    Blocking: run it off the event loop."""
    since = now - timedelta(days=days) if days else None
    filters = Filters(tickers=tickers, since=since)
    hits = searcher.search(query, k=4 * limit, filters=filters)
    if not tickers:
        hits = [h for h in hits if (h.dense or 0.0) >= MIN_RELEVANCE]
    oldest = datetime.min.replace(tzinfo=UTC)
    hits.sort(key=lambda h: h.published or oldest, reverse=True)
    return hits[:limit]
