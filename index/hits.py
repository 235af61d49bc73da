"""What a search returns and how it is restricted: ``Filters``, ``SearchHit``."""

from __future__ import annotations

import sqlite3
from datetime import datetime

from pydantic import BaseModel, Field

from index.store import parse_iso


class Filters(BaseModel):
    """Restrict a search to articles naming any of ``tickers`` and published in a range."""

    tickers: list[str] = Field(default_factory=list)
    since: datetime | None = None
    until: datetime | None = None

    @property
    def empty(self) -> bool:
        return not self.tickers and self.since is None and self.until is None


class SearchHit(BaseModel):
    """One passage found by a search, with its article's metadata."""

    article_id: str
    chunk_id: int
    position: int
    url: str | None
    title: str
    outlet: str | None
    published: datetime | None
    text: str
    tickers: list[str]
    score: float
    dense: float | None = None
    """Best cosine similarity to the query of any passage of this article among the search's
    candidates (the measure of how well the article matches)."""
    keyword: float | None = None
    """BM25 score (higher is better), when the keyword search found it."""
    duplicates: list[str] = Field(default_factory=list)
    """URLs of syndicated near-duplicates linked to this article."""


def published_of(row: sqlite3.Row) -> datetime | None:
    return parse_iso(row["published"])
