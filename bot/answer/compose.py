"""Compose an ``Answer`` from a question, retrieved evidence, quotes and "now" (pure, no I/O).

Grounded by construction: the text is made of sentences taken verbatim from retrieved
passages (or from the sentence a reported move was read from), each followed by the number of
its source; mover figures come from those reported moves or from quotes with their own
timestamps. Nothing is paraphrased, so no number can be invented.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from bot.answer.evidence import Evidence
from bot.answer.model import (
    Answer,
    Freshness,
    LiveQuote,
    Mover,
    ReportedMove,
    SinceArticle,
    Source,
)
from bot.answer.sentences import DOWN, UP, Candidate, pick_sentences, tidy
from bot.question.model import Question
from bot.quotes.model import HistoricalClose, Quote, QuoteUnavailable
from index.reader import SearchHit
from index.records import Move
from index.text import fold, split_sentences

MAX_MOVERS = 6
RELEVANCE_MARGIN = 0.12
"""Moves are taken from passages within this cosine of the best one: far-off articles that
happen to report some move do not make a company a "loser" of the question's event."""

QuoteResult = Quote | QuoteUnavailable
CloseResult = HistoricalClose | QuoteUnavailable


@dataclass
class MoverPlan:
    """A company the answer will list, with the moves (article id, move) reported for it and
    the articles that name it in a sentence about a move in the asked direction."""

    name: str
    ticker: str | None
    kind: str
    moves: list[tuple[str, Move]] = field(default_factory=list)
    mentioned_in: list[str] = field(default_factory=list)

    @property
    def key(self) -> str:
        return self.ticker or self.name.casefold()


def _wanted_direction(question: Question) -> str | None:
    if question.intent == "losers":
        return "down"
    if question.intent == "winners":
        return "up"
    if question.intent == "why_moved":
        return question.move_direction
    return None


def relevant_hits(question: Question, evidence: Evidence) -> list[SearchHit]:
    """Hits close enough to the best one; with an event anchor ("after Sora"), those that
    mention it when any does."""
    if not evidence.covered:
        return []
    floor = evidence.relevance - RELEVANCE_MARGIN
    hits = [h for h in evidence.hits if h.dense is None or h.dense >= floor]
    if question.anchor:
        words = [w for w in re.findall(r"\w+", question.anchor.casefold()) if len(w) > 2]
        anchored = [
            h for h in hits
            if any(w in f"{h.title} {h.text}".casefold() for w in words)
        ]
        hits = anchored or hits
    return hits


def plan_movers(question: Question, evidence: Evidence) -> list[MoverPlan]:
    """The companies a winners/losers/why-moved/price answer lists, best first."""
    plans: dict[str, MoverPlan] = {}
    named = {e.ticker or e.name.casefold(): e for e in question.entities}
    if question.intent not in ("losers", "winners"):
        for entity in question.entities:  # the companies asked about, with their quotes
            plan = MoverPlan(entity.name, entity.ticker, entity.kind)
            plans.setdefault(plan.key, plan)
    if question.intent not in ("losers", "winners", "why_moved", "what_happened"):
        return list(plans.values())[:MAX_MOVERS]
    direction = _wanted_direction(question)
    restrict = question.intent in ("why_moved", "what_happened") and bool(named)
    for hit in relevant_hits(question, evidence):
        for move in evidence.moves.get(hit.article_id, []):
            if direction is not None and move.direction != direction:
                continue
            key = move.ticker or move.company.casefold()
            if restrict and key not in named:
                continue
            kind = "listed" if move.ticker else "private"
            for entity in evidence.entities.get(hit.article_id, []):
                if (entity.ticker or entity.name.casefold()) == key:
                    kind = entity.kind
            plan = plans.setdefault(key, MoverPlan(move.company, move.ticker, kind))
            if all(m != move for _, m in plan.moves):
                plan.moves.append((hit.article_id, move))
    if question.intent in ("losers", "winners") and direction is not None:
        _add_mentioned(plans, relevant_hits(question, evidence), evidence, direction)
    ordered = sorted(
        plans.values(), key=lambda p: (p.key not in named, not p.moves, not p.mentioned_in)
    )
    return ordered[:MAX_MOVERS]


def _add_mentioned(
    plans: dict[str, MoverPlan], hits: list[SearchHit], evidence: Evidence, direction: str
) -> None:
    """Listed companies named in a passage sentence that reports a move in ``direction``
    (the news said they rose or fell, without a figure the move extractor could read)."""
    pattern = DOWN if direction == "down" else UP
    for hit in hits[:5]:
        for sentence in split_sentences(tidy(hit.text)):
            folded = fold(sentence)
            if not pattern.search(folded):
                continue
            for entity in evidence.entities.get(hit.article_id, []):
                if not entity.ticker or entity.kind == "private":
                    continue
                if fold(entity.name) not in folded and entity.ticker not in sentence:
                    continue
                plan = plans.setdefault(
                    entity.ticker, MoverPlan(entity.name, entity.ticker, entity.kind)
                )
                if hit.article_id not in plan.mentioned_in:
                    plan.mentioned_in.append(hit.article_id)


def describe_move(move: Move) -> str:
    """ "down more than 7%", "market value down more than $70 million"."""
    qualifier = f"{move.qualifier} " if move.qualifier else ""
    amount = f"{move.magnitude:g}%" if move.unit == "%" else _money(move.magnitude)
    what = "market value " if move.metric == "market_value" else ""
    return f"{what}{move.direction} {qualifier}{amount}"


def _money(value: float) -> str:
    for scale, word in ((1e12, "trillion"), (1e9, "billion"), (1e6, "million")):
        if value >= scale:
            return f"${value / scale:g} {word}"
    return f"${value:,.0f}"


class _Sources:
    """Numbers sources in order of first citation."""

    def __init__(self, hits: list[SearchHit]) -> None:
        self._by_article = {h.article_id: h for h in hits}
        self.sources: list[Source] = []

    def cite(self, article_id: str) -> int:
        for source in self.sources:
            if source.article_id == article_id:
                return source.n
        hit = self._by_article[article_id]
        source = Source(
            n=len(self.sources) + 1, title=hit.title, outlet=hit.outlet,
            published=hit.published, url=hit.url, article_id=article_id,
        )
        self.sources.append(source)
        return source.n


def _live_quote(result: QuoteResult | None) -> LiveQuote | None:
    if result is None:
        return None
    if isinstance(result, QuoteUnavailable):
        return LiveQuote(unavailable=result.text)
    return LiveQuote(
        price=result.price, change_percent=result.change_percent, currency=result.currency,
        market_state=result.market_state, as_of=result.as_of, source=result.source,
    )


def _since(quote: QuoteResult | None, close: CloseResult | None) -> SinceArticle | None:
    if not isinstance(quote, Quote) or not isinstance(close, HistoricalClose) or not close.close:
        return None
    return SinceArticle(
        day=close.day, close=close.close, currency=close.currency,
        change_percent=(quote.price - close.close) / close.close * 100.0,
    )


def _quote_line(name: str, ticker: str, result: QuoteResult | None) -> str:
    if result is None or isinstance(result, QuoteUnavailable):
        reason = result.text if result is not None else "quote unavailable"
        return f"{name} ({ticker}): {reason}."
    change = f", {result.change_percent:+.2f}% today" if result.change_percent is not None else ""
    state = f", market {result.market_state.lower()}" if result.market_state else ""
    stamp = result.as_of.strftime("%Y-%m-%d %H:%M UTC")
    currency = f" {result.currency}" if result.currency else ""
    return (
        f"{name} ({ticker}) last traded at {result.price:,.2f}{currency}{change} "
        f"as of {stamp} ({result.source}{state})."
    )


def not_covered_text(evidence: Evidence) -> str:
    cov = evidence.coverage
    if cov.oldest_article and cov.newest_article:
        span = (
            f" It holds {cov.articles:,} articles published from "
            f"{cov.oldest_article.date().isoformat()} to {cov.newest_article.date().isoformat()}."
        )
    else:
        span = " The index is empty."
    return "The news in the index does not cover this question, so I won't guess." + span


def compose_answer(
    question: Question,
    evidence: Evidence,
    quotes: Mapping[str, QuoteResult],
    closes: Mapping[str, CloseResult],
    now: datetime,
) -> Answer:
    """Build the answer. ``quotes`` and ``closes`` are keyed by ticker (closes: on the date
    the mover's first reported move refers to)."""
    plans = plan_movers(question, evidence)
    hits = relevant_hits(question, evidence)
    sources = _Sources(evidence.hits)
    movers: list[Mover] = []
    for plan in plans:
        reported = [
            ReportedMove(
                **(m.model_dump() | {"sentence": tidy(m.sentence)}),
                text=describe_move(m), citation=sources.cite(aid),
            )
            for aid, m in plan.moves
        ]
        quote = quotes.get(plan.ticker) if plan.ticker else None
        close = closes.get(plan.ticker) if plan.ticker else None
        movers.append(
            Mover(
                name=plan.name, ticker=plan.ticker,
                kind=plan.kind if plan.kind in ("listed", "foreign", "private") else "listed",
                reported=reported, quote=_live_quote(quote), since_article=_since(quote, close),
                mentioned_in=[sources.cite(aid) for aid in plan.mentioned_in],
                since_article_unavailable=(
                    close.text if isinstance(close, QuoteUnavailable) else None
                ),
            )
        )

    lines: list[str] = []
    if question.intent == "price":
        lines += [_quote_line(p.name, p.ticker, quotes.get(p.ticker)) for p in plans if p.ticker]
    covered = evidence.covered or bool(lines)
    if evidence.covered:
        candidates = [
            Candidate(tidy(m.sentence), aid, rank=0, from_move=True)
            for plan in plans for aid, m in plan.moves
        ]
        for rank, hit in enumerate(hits[:5]):
            candidates.append(Candidate(tidy(hit.text), hit.article_id, rank=rank))
        budget = 2 if lines else 4
        for sentence, article_id in pick_sentences(question, candidates, limit=budget):
            lines.append(f"{sentence} [{sources.cite(article_id)}]")
    elif not lines:
        lines.append(not_covered_text(evidence))
    cited = [s.published for s in sources.sources if s.published is not None]
    freshness = Freshness(
        newest_article_used=max(cited) if cited else None,
        index_built_at=evidence.coverage.built_at,
        index_oldest_article=evidence.coverage.oldest_article,
        index_newest_article=evidence.coverage.newest_article,
        quotes_as_of={t: q.as_of for t, q in quotes.items() if isinstance(q, Quote)},
    )
    return Answer(
        question=question.text, intent=question.intent, covered=covered,
        text=" ".join(lines), movers=movers, sources=sources.sources, freshness=freshness,
        generated_at=now,
    )
