"""The digest: "what moved in AI news" over a window of days (pure, no I/O).

:func:`compose_digest` takes the moves the index reports in the window with their articles
(``IndexReader.moves_between``), the live quotes, "now" and the watched keys, and returns a
:class:`Digest`: one row per listed company, strongest first.

- **Rows**: company moves with a ticker. Index moves ("the Nasdaq fell 2%") and private
  companies (no ticker) are not rows.
- **Direction**: the one more articles report in the window (``articles_up`` /
  ``articles_down`` keep both counts); a tie goes to the direction of the latest report.
- **The move shown**: the biggest reported move in that direction (a percentage first, then a
  dollar figure, then a move stated without a figure), the latest on a tie, with its sentence
  verbatim and its source: every number in a row is in its cited sentence, or comes from the
  live quote with its own time.
- **Ranking**: distinct articles reporting a move of the company in the window (a syndicated
  copy is not another article), then the size of the shown move in percent (a dollar figure
  or none counts as 0), then the latest report.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Literal

from pydantic import BaseModel, Field

from bot.answer.compose import describe_move, index_span
from bot.answer.model import LiveQuote, Source
from bot.quotes.model import Quote, QuoteUnavailable
from index.entities import render_markup
from index.reader_facts import ArticleRef
from index.records import Move

DEFAULT_DAYS = 1
MAX_DAYS = 365
DEFAULT_ROWS = 20
"""Rows a digest lists (the rest are counted in ``Digest.companies``)."""
QuoteResult = Quote | QuoteUnavailable


DigestSource = Source
"""A numbered source: ``[n]`` after a row's sentence points here (the answers' model)."""


class DigestRow(BaseModel):
    """One company that moved in the news in the window."""

    company: str
    ticker: str
    direction: Literal["up", "down"]
    """The direction most articles in the window report."""
    move: str
    """The shown move in words: "down more than 7%", "up, no figure stated"."""
    magnitude: float | None = None
    unit: Literal["%", "USD"] | None = None
    metric: Literal["price", "market_value"] = "price"
    refers_to: date | None = None
    sentence: str
    """The sentence the move was read from, verbatim (Futu ticker markup shown as text, as in
    the answers)."""
    citation: int
    source: DigestSource
    articles: int
    """Distinct articles reporting a move of this company in the window."""
    articles_up: int
    articles_down: int
    quote: LiveQuote | None = None
    """The live quote with its time; None when none was asked for."""
    watched: bool = False

    @property
    def counts(self) -> str:
        """ "3 articles" or "3 articles: 2 up, 1 down"."""
        total = f"{self.articles} article{'s' if self.articles != 1 else ''}"
        if self.articles_up and self.articles_down:
            return f"{total}: {self.articles_up} up, {self.articles_down} down"
        return total


class Digest(BaseModel):
    """What moved in AI news from ``since`` to ``until``."""

    days: int
    since: datetime
    until: datetime
    covered: bool
    """False when no listed company's move was reported in the window."""
    text: str
    """One line: what the digest holds, or that the window has no moves and which dates the
    index holds."""
    rows: list[DigestRow] = Field(default_factory=list)
    companies: int = 0
    """Listed companies with a reported move in the window (rows beyond the limit too)."""
    articles: int = 0
    """Distinct original articles reporting those moves."""
    sources: list[DigestSource] = Field(default_factory=list)
    quotes_as_of: dict[str, datetime] = Field(default_factory=dict)
    generated_at: datetime

    @property
    def period(self) -> str:
        """ "2023-12-31" or "2023-01-01 to 2023-12-31" (UTC days)."""
        first, last = self.since.date(), (self.until - timedelta(microseconds=1)).date()
        return first.isoformat() if first == last else f"{first} to {last}"


def digest_window(days: int, until: date | None, now: datetime) -> tuple[datetime, datetime]:
    """``[since, until)`` in UTC: the ``days`` days ending at the end of ``until`` (a date:
    that whole UTC day included) or at ``now``."""
    end = (datetime.combine(until + timedelta(days=1), time.min, UTC) if until is not None
           else now.astimezone(UTC))
    return end - timedelta(days=days), end


def _size(move: Move) -> float:
    """How big a move is for ranking: its percent, 0 for a dollar figure or none."""
    return move.magnitude if move.unit == "%" and move.magnitude is not None else 0.0


def _shown_order(report: tuple[ArticleRef, Move]) -> tuple[int, float, datetime]:
    """Which move a row shows: a percent, then a dollar figure, then none; bigger; later."""
    article, move = report
    figure = 2 if move.unit == "%" else 1 if move.magnitude is not None else 0
    return figure, move.magnitude or 0.0, _when(article, move)


def _when(article: ArticleRef, move: Move) -> datetime:
    if article.published is not None:
        return article.published
    if move.refers_to is not None:
        return datetime.combine(move.refers_to, time.min, UTC)
    return datetime.min.replace(tzinfo=UTC)


@dataclass
class _Company:
    ticker: str
    reports: list[tuple[ArticleRef, Move]] = field(default_factory=list)

    def articles(self, direction: str | None = None) -> int:
        return len({a.article_id for a, m in self.reports
                    if direction is None or m.direction == direction})

    @property
    def name(self) -> str:
        names: dict[str, int] = {}
        for _, move in self.reports:
            names[move.company] = names.get(move.company, 0) + 1
        return max(names, key=lambda n: (names[n], -len(n)))

    @property
    def direction(self) -> Literal["up", "down"]:
        up, down = self.articles("up"), self.articles("down")
        if up != down:
            return "up" if up > down else "down"
        return max(self.reports, key=lambda r: _when(*r))[1].direction

    @property
    def shown(self) -> tuple[ArticleRef, Move]:
        direction = self.direction
        return max((r for r in self.reports if r[1].direction == direction), key=_shown_order)

    def rank(self) -> tuple[int, float, datetime]:
        article, move = self.shown
        return self.articles(), _size(move), _when(article, move)


def rank_companies(reports: Sequence[tuple[ArticleRef, Move]]) -> list[_Company]:
    """Listed companies with reported moves, strongest first (see the module docstring)."""
    companies: dict[str, _Company] = {}
    for article, move in reports:
        if move.kind != "company" or not move.ticker:
            continue
        companies.setdefault(move.ticker, _Company(move.ticker)).reports.append((article, move))
    return sorted(companies.values(), key=lambda c: (c.rank(), c.ticker), reverse=True)


def top_tickers(reports: Sequence[tuple[ArticleRef, Move]], limit: int = DEFAULT_ROWS) -> list[str]:
    """The tickers the digest will list (to ask for their quotes first)."""
    return [c.ticker for c in rank_companies(reports)[:limit]]


def _live(result: QuoteResult | None) -> LiveQuote | None:
    if result is None:
        return None
    if isinstance(result, QuoteUnavailable):
        return LiveQuote(unavailable=result.text)
    return LiveQuote(price=result.price, change_percent=result.change_percent,
                     currency=result.currency, market_state=result.market_state,
                     as_of=result.as_of, source=result.source)


def is_watched(company: str, ticker: str, watched: Collection[str]) -> bool:
    """Whether a watch names this ticker (upper case) or company (lower case)."""
    return ticker.upper() in watched or company.casefold() in watched


def compose_digest(
    reports: Sequence[tuple[ArticleRef, Move]],
    *,
    days: int,
    since: datetime,
    until: datetime,
    now: datetime,
    quotes: Mapping[str, QuoteResult] | None = None,
    watched: Collection[str] = (),
    limit: int = DEFAULT_ROWS,
    index_articles: int = 0,
    index_oldest: datetime | None = None,
    index_newest: datetime | None = None,
) -> Digest:
    """The digest of ``reports`` (moves reported in ``[since, until)`` with their articles).

    ``quotes`` maps tickers to live quotes (those missing get none); ``watched`` holds
    tickers (upper case) and company names (lower case); the ``index_*`` figures name the
    dates the index holds when the window has no moves."""
    quotes = quotes or {}
    watched = set(watched)
    ranked = rank_companies(reports)
    digest = Digest(days=days, since=since, until=until, covered=bool(ranked), text="",
                    generated_at=now, companies=len(ranked))
    numbers: dict[str, DigestSource] = {}
    for company in ranked[:limit]:
        article, move = company.shown
        source = numbers.get(article.article_id)
        if source is None:
            source = DigestSource(n=len(numbers) + 1, title=article.title,
                                  outlet=article.outlet, published=article.published,
                                  url=article.url, article_id=article.article_id)
            numbers[article.article_id] = source
        quote = quotes.get(company.ticker)
        if isinstance(quote, Quote):
            digest.quotes_as_of[company.ticker] = quote.as_of
        digest.rows.append(DigestRow(
            company=company.name, ticker=company.ticker, direction=move.direction,
            move=describe_move(move), magnitude=move.magnitude, unit=move.unit,
            metric=move.metric, refers_to=move.refers_to,
            sentence=render_markup(move.sentence).strip(),
            citation=source.n, source=source, articles=company.articles(),
            articles_up=company.articles("up"), articles_down=company.articles("down"),
            quote=_live(quote), watched=is_watched(company.name, company.ticker, watched),
        ))
    digest.sources = list(numbers.values())
    digest.articles = len({a.article_id for c in ranked for a, _ in c.reports})
    if ranked:
        more = (f"; the top {len(digest.rows)} are listed" if len(ranked) > len(digest.rows)
                else "")
        digest.text = (f"{len(ranked)} compan{'ies' if len(ranked) != 1 else 'y'} with stock "
                       f"moves reported in {digest.articles} article"
                       f"{'s' if digest.articles != 1 else ''} from {digest.period} (UTC), "
                       f"most reported first{more}.")
    else:
        digest.text = (f"The news in the index reports no stock moves from {digest.period} "
                       "(UTC)." + index_span(index_articles, index_oldest, index_newest))
    return digest
