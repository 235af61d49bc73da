"""What a search returns and how it is restricted: ``Filters``, ``SearchHit``."""

from __future__ import annotations

import sqlite3
from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field, model_validator

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
    """URLs of syndicated near-duplicates linked to this article (at most
    ``MAX_DUPLICATES``)."""
    duplicates_more: int = 0
    """Duplicates of this article left out of ``duplicates``."""

    @model_validator(mode="before")
    @classmethod
    def _duplicates_count(cls, data: Any) -> Any:
        """``duplicates`` given as a ``Duplicates`` list brings its count of the rest; a plain
        longer list is cut to ``MAX_DUPLICATES`` and counted."""
        if not isinstance(data, dict) or not isinstance(dups := data.get("duplicates"), list):
            return data
        more = dups.more if isinstance(dups, Duplicates) else 0
        if len(dups) > MAX_DUPLICATES:
            more += len(dups) - MAX_DUPLICATES
        if more or isinstance(dups, Duplicates):
            data = {**data, "duplicates": list(dups[:MAX_DUPLICATES]),
                    "duplicates_more": max(int(data.get("duplicates_more") or 0), more)}
        return data


MAX_DUPLICATES = 10
"""Duplicate URLs carried by one hit; ``SearchHit.duplicates_more`` counts the rest."""


class Duplicates(list[str]):
    """The first ``MAX_DUPLICATES`` duplicate URLs of an article, with ``more`` (the number
    left out). Given to ``SearchHit(duplicates=...)`` it fills ``duplicates_more`` too."""

    def __init__(self, urls: list[str] | None = None, more: int = 0) -> None:
        super().__init__(urls or [])
        self.more = more


def published_of(row: sqlite3.Row) -> datetime | None:
    return parse_iso(row["published"])
