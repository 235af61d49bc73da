"""Records stored in the index: articles, their entities, reported market moves, chunks."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field, field_validator

EntityKind = Literal["listed", "foreign", "private"]
"""``listed``: a US listing with a ticker; ``foreign``: listed outside the US (ticker may be the
home-market symbol or a US ADR); ``private``: not listed, never given a ticker."""


class Entity(BaseModel):
    """A company an article mentions."""

    name: str
    ticker: str | None = None
    kind: EntityKind = "listed"
    exchange: str | None = None
    mentions: int = 1
    how: str = "name"
    """How it was found: ``markup`` ($Adobe (ADBE.US)$), ``cashtag``, ``exchange`` ((NASDAQ: X)),
    ``alias`` (curated table), ``name`` (SEC company list)."""


class Move(BaseModel):
    """A stock move that an article reports (not a live quote)."""

    company: str
    """The company, or for ``kind="index"`` the index ("Nasdaq Composite", "S&P 500")."""
    ticker: str | None = None
    """Always None for an index move: an index is never quoted or listed as a stock."""
    kind: Literal["company", "index"] = "company"
    direction: Literal["up", "down"]
    magnitude: float | None = None
    """None when the news states the move without a figure ("shares of Chegg plunged")."""
    unit: Literal["%", "USD"] | None = None
    """None exactly when ``magnitude`` is None."""
    qualifier: str | None = None
    """``more than``, ``about``, ``nearly``, ``up to``, ... or None when the figure is exact."""
    metric: Literal["price", "market_value"] = "price"
    refers_to: date | None = None
    """The trading day the move refers to; None when neither the sentence nor the article
    gives a date (shown as "date not stated")."""
    date_stated: bool = False
    """True when ``refers_to`` comes from the sentence ("last Friday"), False when it is the
    article's date (or unknown)."""
    sentence: str


class Article(BaseModel):
    """A cleaned news article ready to be chunked and indexed."""

    url: str | None = None
    """Canonical URL (tracking parameters and fragments removed); None for local text."""
    title: str
    text: str
    published: datetime | None = None
    outlet: str | None = None
    source: str = ""
    """Where it was read from (path, feed URL, page URL)."""
    language: str | None = None
    entities: list[Entity] = Field(default_factory=list)
    moves: list[Move] = Field(default_factory=list)

    @field_validator("published")
    @classmethod
    def _utc(cls, value: datetime | None) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("published must be timezone-aware")
        from datetime import UTC

        return value.astimezone(UTC)

    @property
    def tickers(self) -> list[str]:
        seen: dict[str, None] = {}
        for entity in self.entities:
            if entity.ticker:
                seen.setdefault(entity.ticker, None)
        return list(seen)


class Chunk(BaseModel):
    """A passage of an article, small enough for the embedding model's window."""

    position: int
    text: str
    tokens: int
    tickers: list[str] = Field(default_factory=list)
