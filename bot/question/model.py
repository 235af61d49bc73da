"""The parsed-question records: ``Question``, ``TimeWindow`` and ``QuestionError``."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field, model_validator

from index.records import Entity
from index.text import fold

Intent = Literal[
    "losers", "winners", "why_moved", "how_much", "what_happened", "price", "general"
]
"""``how_much``: the size of a move ("how much did nvda drop", "what % did msft lose")."""
Direction = Literal["up", "down"]

MAX_CHARS = 500
"""Default of ``AnswerSettings.max_question_chars``, the one question-length limit."""
EXAMPLE = 'ask a question, e.g. "why did $NVDA jump in May?" or "who lost from Sora?"'


class QuestionError(ValueError):
    """A question the bot cannot take: empty, or longer than the limit. The message is
    written for the person who asked."""


class TimeWindow(BaseModel):
    """A date window: ``since`` inclusive, ``until`` exclusive, both tz-aware UTC; None is
    open (``until`` None: up to now)."""

    since: datetime | None = None
    until: datetime | None = None
    label: str

    @model_validator(mode="after")
    def _check(self) -> TimeWindow:
        for value in (self.since, self.until):
            if value is not None and value.utcoffset() is None:
                raise ValueError("TimeWindow datetimes must be timezone-aware")
        if self.since is not None and self.until is not None and self.since >= self.until:
            raise ValueError(f"empty window: {self.since} >= {self.until}")
        return self


class Question(BaseModel):
    """A chat question understood without an LLM."""

    text: str
    """The normalised question (trimmed, white space collapsed, chat markup removed)."""
    entities: list[Entity] = Field(default_factory=list)
    """Companies named, in order of first mention (listed, foreign and private)."""
    tickers: list[str] = Field(default_factory=list)
    """Tickers of those companies, in the same order, without duplicates."""
    excluded: list[Entity] = Field(default_factory=list)
    """Companies the answer must not list as movers. Named after "besides", "other than",
    "excluding", "not counting", "apart from", ...: these are not in ``entities`` (the
    question is not about them). In a "who else" question without such a phrase ("who else
    got hit when chegg tanked"), the companies named are the event's subject: they stay in
    ``entities`` and are also listed here."""
    excluded_tickers: list[str] = Field(default_factory=list)
    """Tickers of ``excluded``, in the same order, without duplicates."""
    intent: Intent = "general"
    window: TimeWindow | None = None
    move_direction: Direction | None = None
    keywords: list[str] = Field(default_factory=list)
    """Lower-case content words left for retrieval (no company names, dates or stop words)."""
    anchor: str | None = None
    """An event the question is relative to ("Sora", "Bard demo"): "after Sora" is not a
    date, so it gives no window; its words are also in ``keywords``."""
    assumptions: list[str] = Field(default_factory=list)
    """What the parser assumed, as sentences for the asker: "taking March as March 2023, the
    latest one my news covers" (a year the question did not give)."""

    def subjects(self) -> list[Entity]:
        """The companies the question asks about: those outside its event phrase when the
        event names some of them ("soundhound mooned after nvidia disclosed a stake": SoundHound),
        else every company it names."""
        event = set(WORD.findall(fold(self.anchor or "")))
        outside = [
            e for e in self.entities
            if not set(WORD.findall(fold(e.name.split(" (")[0]))) & event
            and (e.ticker or "").lower() not in event
        ]
        return outside or list(self.entities)


WORD = re.compile(r"[a-z0-9][a-z0-9.&-]*[a-z0-9]|[a-z0-9]")
"""A word of folded text ("s&p", "10-for-1", "u.s"), as questions and passages are compared."""
