"""The ``Answer`` the engine returns: short cited text, movers with quotes, sources, freshness."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field

from bot.question.model import Intent
from index.records import Move


def day_of(value: object) -> str:
    """An article's or the index's date as every front end prints it: "2024-02-16", or
    "undated"."""
    return value.date().isoformat() if isinstance(value, datetime) else "undated"


class Source(BaseModel):
    """A numbered source; ``[n]`` markers in the text and movers point here."""

    n: int
    title: str
    outlet: str | None = None
    published: datetime | None = None
    url: str | None = None
    article_id: str


class ReportedMove(Move):
    """A move the news reported (not a live price), with the source that reported it."""

    text: str
    """Human form: "down more than 7%", "market value down more than $70 million"."""
    citation: int

    @property
    def day_text(self) -> str:
        """ "on 2024-02-16", or "(date not stated)" when neither sentence nor article dates it."""
        return f"on {self.refers_to.isoformat()}" if self.refers_to else "(date not stated)"


class LiveQuote(BaseModel):
    """A live quote with its own timestamp, or the reason there is none."""

    price: float | None = None
    change_percent: float | None = None
    currency: str | None = None
    market_state: str | None = None
    as_of: datetime | None = None
    source: str | None = None
    unavailable: str | None = None
    """``quote unavailable: <reason>`` when there is no quote."""


class SinceArticle(BaseModel):
    """The price change from the close on the day the news refers to until the live quote."""

    day: date
    close: float
    change_percent: float
    currency: str | None = None


class Mover(BaseModel):
    """One company in a winners/losers/why-moved answer."""

    name: str
    ticker: str | None = None
    """None for a private company (shown as "private")."""
    kind: Literal["listed", "foreign", "private"] = "listed"
    reported: list[ReportedMove] = Field(default_factory=list)
    mentioned_in: list[int] = Field(default_factory=list)
    """Sources that name the company in a sentence about a move in the asked direction,
    without a figure (shown as "named as rising/falling [n]")."""
    quote: LiveQuote | None = None
    since_article: SinceArticle | None = None
    since_article_unavailable: str | None = None

    @property
    def label(self) -> str:
        return self.ticker or "private"


class Freshness(BaseModel):
    """How fresh the answer's news and quotes are."""

    newest_article_used: datetime | None = None
    index_built_at: datetime | None = None
    index_oldest_article: datetime | None = None
    index_newest_article: datetime | None = None
    quotes_as_of: dict[str, datetime] = Field(default_factory=dict)


class Answer(BaseModel):
    """What the bot says to one question."""

    question: str
    intent: Intent = "general"
    covered: bool
    text: str
    movers: list[Mover] = Field(default_factory=list)
    not_counted: list[Mover] = Field(default_factory=list)
    """The companies a winners/losers question leaves out ("who else ripped with nvda"),
    with their own reported moves: the context of the others, never among ``movers``."""
    sources: list[Source] = Field(default_factory=list)
    freshness: Freshness = Field(default_factory=Freshness)
    generated_at: datetime
    assumptions: list[str] = Field(default_factory=list)
    """What the answer assumed: a year the question left out, the event date it anchored on,
    the companies it left out ("taking March as March 2023, the latest March my news
    covers")."""

    @property
    def assumed(self) -> str | None:
        """The assumptions as one line for any front end ("Assumed: …."), None if none."""
        if not self.assumptions:
            return None
        return "Assumed: " + "; ".join(self.assumptions) + "."
