"""What retrieval hands to answer composition: passages, the moves and companies of their
articles, and what the index covers."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field

from index.reader import SearchHit
from index.records import Entity, Move


class Coverage(BaseModel):
    """The index the evidence came from."""

    generation: str | None = None
    built_at: datetime | None = None
    oldest_article: datetime | None = None
    newest_article: datetime | None = None
    articles: int = 0


class Event(BaseModel):
    """The event a question is anchored on ("after the Bard demo"), as the news shows it."""

    label: str
    """The question's words for it ("bard demo")."""
    first_date: date
    """The day of the earliest article about it (the anchor of "in the days after")."""
    article_ids: list[str] = Field(default_factory=list)
    """Articles about the event, best first."""
    words: list[str] = Field(default_factory=list)
    """The event's distinctive words, to tell whether a sentence ties a move to it."""


class Evidence(BaseModel):
    """Retrieved passages (best first) and the structured facts of their articles."""

    hits: list[SearchHit] = Field(default_factory=list)
    moves: dict[str, list[Move]] = Field(default_factory=dict)
    entities: dict[str, list[Entity]] = Field(default_factory=dict)
    covered: bool = False
    relevance: float = 0.0
    """Cosine similarity of the best passage to the question (what "covered" is judged on)."""
    coverage: Coverage = Field(default_factory=Coverage)
    event: Event | None = None
    weights: dict[str, float] = Field(default_factory=dict)
    """How strongly each article bears on the question (1 = best search hit, event articles
    and their days after by how closely they tie to the event); ranks the movers."""
    missing: list[str] = Field(default_factory=list)
    """Named terms of the question that no retrieved passage mentions (why not covered)."""
    untold: list[str] = Field(default_factory=list)
    """The story the question ties a company's move to, when no passage about that company
    names it ("soundhound mooned after nvidia disclosed a stake": "disclosed", "stake")."""
