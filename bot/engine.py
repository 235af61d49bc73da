"""The answer engine: question in, cited ``Answer`` out (async; blocking work off the loop)."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, date, datetime, time

from bot.answer import Answer, compose_answer, plan_movers
from bot.answer.compose import CloseResult
from bot.question import MAX_CHARS, parse_question
from bot.question.coverage import ArticleDays, DateCoverage
from bot.question.model import Question, TimeWindow
from bot.quotes import QuoteProvider
from bot.retrieval import Retriever
from index.entities import EntityResolver
from index.errors import IndexError_
from index.records import Entity

log = logging.getLogger(__name__)


class AnswerEngine:
    """Understands a question, retrieves evidence, fetches quotes and composes the answer.

    Everything it needs is passed in; it opens nothing itself.
    """

    def __init__(
        self,
        retriever: Retriever,
        resolver: EntityResolver,
        quotes: QuoteProvider,
        max_question_chars: int = MAX_CHARS,
        search_timeout: float = 10.0,
    ) -> None:
        self.retriever = retriever
        self.resolver = resolver
        self.quotes = quotes
        self.max_question_chars = max_question_chars
        self.search_timeout = search_timeout
        self._coverage: tuple[str, ArticleDays] | None = None

    def coverage(self) -> DateCoverage | None:
        """The days the serving index holds articles (read once per generation by the
        reader), or None when nothing is published yet. Blocking on a new generation."""
        try:
            reader = self.retriever.live.reader()
        except IndexError_ as exc:
            log.debug("no index coverage for the question parser: %s", exc)
            return None
        cached = self._coverage
        if cached is None or cached[0] != reader.generation:
            cached = self._coverage = (reader.generation, ArticleDays(reader.article_days()))
        return cached[1]

    def understand(
        self,
        text: str,
        now: datetime,
        ticker: str | None = None,
        since: date | None = None,
        coverage: DateCoverage | None = None,
    ) -> Question:
        """Parse a question; raises QuestionError with a message for the asker. ``coverage``
        (see ``coverage()``) moves periods said without a year to years the news covers."""
        question = parse_question(
            text, self.resolver, now, max_chars=self.max_question_chars, coverage=coverage
        )
        updates: dict[str, object] = {}
        if question.intent != "price":
            updates |= self._primary_listings(question)
        if ticker:
            entity = self.resolver.table.lookup_ticker(ticker)
            symbol = ticker.strip().lstrip("$").upper()
            if symbol not in question.tickers:
                updates["tickers"] = [symbol, *question.tickers]
                if entity is not None:
                    updates["entities"] = [entity, *question.entities]
        if since:
            start = datetime.combine(since, time.min, tzinfo=UTC)
            until = question.window.until if question.window else None
            if until is not None and until <= start:
                until = None
            updates["window"] = TimeWindow(since=start, until=until,
                                           label=f"since {since.isoformat()}")
        return question.model_copy(update=updates) if updates else question

    def _primary_listings(self, question: Question) -> dict[str, object]:
        """Companies asked about by another listing ("goog") under their primary ticker, the
        one the news and its moves are filed under (GOOGL); a quote keeps the one asked."""
        table = self.resolver.table

        def primary(entity: Entity) -> Entity:
            company = table.company_for_symbol(entity.ticker) if entity.ticker else None
            if company is None or not company.ticker or company.ticker == entity.ticker:
                return entity
            return entity.model_copy(update={"ticker": company.ticker})

        entities = [primary(e) for e in question.entities]
        excluded = [primary(e) for e in question.excluded]
        if entities == question.entities and excluded == question.excluded:
            return {}
        return {
            "entities": entities, "excluded": excluded,
            "tickers": list(dict.fromkeys(e.ticker for e in entities if e.ticker)),
            "excluded_tickers": list(dict.fromkeys(e.ticker for e in excluded if e.ticker)),
        }

    async def ask(
        self,
        text: str,
        now: datetime | None = None,
        ticker: str | None = None,
        since: date | None = None,
    ) -> Answer:
        """Answer one question. Quote failures degrade to "quote unavailable"; an empty or
        too long question raises QuestionError; an index problem raises IndexError_."""
        now = now or datetime.now(UTC)
        coverage = await asyncio.to_thread(self.coverage)
        question = self.understand(text, now, ticker=ticker, since=since, coverage=coverage)
        evidence = await asyncio.wait_for(
            asyncio.to_thread(self.retriever.retrieve, question), self.search_timeout
        )
        plans = plan_movers(question, evidence)
        symbols = [p.ticker for p in plans if p.ticker]
        quotes = await self.quotes.quotes(symbols) if symbols else {}
        days = {  # no historical close for a move whose date is not stated
            p.ticker: day for p in plans
            if p.ticker and p.moves and (day := p.moves[0][1].refers_to) is not None
        }
        closes: dict[str, CloseResult] = {}
        if days:
            results = await asyncio.gather(
                *(self.quotes.close_on(symbol, day) for symbol, day in days.items())
            )
            closes = dict(zip(days, results, strict=True))
        return compose_answer(question, evidence, quotes, closes, now)

