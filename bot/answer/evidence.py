"""What retrieval hands to answer composition: passages, the moves and companies of their
articles, and what the index covers."""

from __future__ import annotations

from datetime import datetime

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


class Evidence(BaseModel):
    """Retrieved passages (best first) and the structured facts of their articles."""

    hits: list[SearchHit] = Field(default_factory=list)
    moves: dict[str, list[Move]] = Field(default_factory=dict)
    entities: dict[str, list[Entity]] = Field(default_factory=dict)
    covered: bool = False
    relevance: float = 0.0
    """Cosine similarity of the best passage to the question (what "covered" is judged on)."""
    coverage: Coverage = Field(default_factory=Coverage)
