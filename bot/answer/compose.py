"""Compose an ``Answer`` from a question, retrieved evidence, quotes and "now" (pure, no I/O).

Grounded by construction: the text is made of sentences taken verbatim from retrieved
passages (or from the sentence a reported move was read from), each followed by the number of
its source; mover figures come from those reported moves or from quotes with their own
timestamps. Nothing is paraphrased, so no number can be invented.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
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
from bot.answer.movers import MoverPlan, excluded_plans, plan_movers, relevant_hits
from bot.answer.sentences import Candidate, pick_sentences, tidy
from bot.question.model import Question
from bot.quotes.model import HistoricalClose, Quote, QuoteUnavailable
from index.reader import SearchHit
from index.records import Move

MOVE_INTENTS = ("winners", "losers", "why_moved", "how_much")
"""Answers that lead with the moves the news reported (others lead with their passages)."""
MARKET_ASK = re.compile(r"\b(?:market|markets|nasdaq|s&p|dow|index|indexes|indices)\b", re.I)
MOVER_MARK = "): "
"""Mover summary lines read "Name (TICKER): down 7% [n]"; quoted sentences never do."""
NOT_COUNTED = " (not counted)"
"""After the name of a company the question leaves out, in its mover line."""
QuoteResult = Quote | QuoteUnavailable
CloseResult = HistoricalClose | QuoteUnavailable


_SAID = {"up to": "as much as"}
"""Qualifiers as an answer says them: "up as much as 1.8%", not "up up to 1.8%"."""


def describe_move(move: Move) -> str:
    """ "down more than 7%", "market value down more than $70 million"."""
    what = "market value " if move.metric == "market_value" else ""
    if move.magnitude is None:  # "shares of Chegg plunged": no figure stated
        return f"{what}{move.direction}, no figure stated"
    said = _SAID.get(move.qualifier or "", move.qualifier)
    qualifier = f"{said} " if said else ""
    amount = f"{move.magnitude:g}%" if move.unit == "%" else _money(move.magnitude)
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


def index_span(articles: int, oldest: datetime | None, newest: datetime | None) -> str:
    """ " It holds N articles published from … to …." (" The index is empty." without dates)."""
    if oldest and newest:
        return (f" It holds {articles:,} articles published from "
                f"{oldest.date().isoformat()} to {newest.date().isoformat()}.")
    return " The index is empty."


def not_covered_text(evidence: Evidence) -> str:
    cov = evidence.coverage
    return ("The news in the index does not cover this question, so I won't guess."
            + index_span(cov.articles, cov.oldest_article, cov.newest_article))


def asks_now(question: Question, now: datetime) -> bool:
    """Whether the question's period (none given: the present) includes ``now``, so that a
    live quote can answer it."""
    window = question.window
    if window is None:
        return True
    return ((window.since is None or window.since <= now)
            and (window.until is None or now < window.until))


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
    movers = [_mover(plan, sources, quotes, closes) for plan in plans]
    not_counted = []
    if evidence.covered:  # "who else ripped with nvda": Nvidia's own rise, apart
        not_counted = [_mover(plan, sources, {}, {}) for plan in excluded_plans(question, evidence)]

    lines: list[str] = []
    if question.intent == "price":
        lines += [_quote_line(p.name, p.ticker, quotes.get(p.ticker)) for p in plans if p.ticker]
    # a live quote answers "what's nvda at", not "did msft cross $3T in jan 2024"
    covered = evidence.covered or (bool(lines) and asks_now(question, now))
    if evidence.covered:
        lines += _mover_lines(question, movers)
        lines += [line for m in not_counted if (line := mover_line(m, NOT_COUNTED))]
        lines += _figure_lines(question, plans, sources)
        candidates = [
            Candidate(tidy(m.sentence), aid, rank=0, from_move=True)
            for plan in plans for aid, m in plan.moves
            if question.intent in MOVE_INTENTS
        ]
        if MARKET_ASK.search(question.text):  # "how did the rest of the market do"
            candidates += [
                Candidate(tidy(m.sentence), h.article_id, rank=0, from_move=True)
                for h in hits[:5] for m in evidence.moves.get(h.article_id, [])
                if m.kind == "index"
            ]
        for rank, hit in enumerate(hits[:5]):
            candidates.append(Candidate(tidy(hit.text), hit.article_id, rank=rank))
        budget = max(1, (3 if lines else 4) - len(_quoted(lines)))
        taken = {line.rsplit(" [", 1)[0] for line in lines}
        for sentence, article_id in pick_sentences(question, candidates, limit=budget + 1):
            if sentence in taken or len(_quoted(lines)) >= 4:
                continue
            lines.append(f"{sentence} [{sources.cite(article_id)}]")
            if len(lines) >= budget + len(_mover_lines(question, movers)) + 1:
                break
    elif not covered:
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
        text=" ".join(lines), movers=movers, not_counted=not_counted,
        sources=sources.sources, freshness=freshness,
        generated_at=now, assumptions=assumptions(question, evidence),
    )


def assumptions(question: Question, evidence: Evidence) -> list[str]:
    """What the answer took for granted: the period's year, the event date, exclusions."""
    notes = list(question.assumptions)
    if evidence.event is not None and evidence.covered:
        notes.append(
            f"anchored on \u201c{evidence.event.label}\u201d, first reported "
            f"{evidence.event.first_date.isoformat()}"
        )
    if question.excluded:
        names = ", ".join(
            f"{e.name} ({e.ticker})" if e.ticker else e.name for e in question.excluded
        )
        notes.append(f"not counting {names}")
    if evidence.missing:
        named = ", ".join(f"\u201c{t}\u201d" for t in evidence.missing)
        notes.append(f"the news never mentions {named}")
    if evidence.untold:
        about = " or ".join(e.name for e in question.subjects())
        named = ", ".join(f"\u201c{t}\u201d" for t in evidence.untold)
        notes.append(f"no passage about {about} mentions {named}" if about
                     else f"no passage tells {named}")
    return notes


def mover_line(mover: Mover, note: str = "") -> str | None:
    """ "Chegg (CHGG): down 48% [2]": a listed mover and its first stated move, cited;
    ``note`` goes after the name ("Nvidia (NVDA) (not counted): up 24% [2]")."""
    if not mover.reported and not mover.mentioned_in:
        return None
    label = f"{mover.name} ({mover.ticker})" if mover.ticker else mover.name
    label += note
    if mover.reported:
        move = mover.reported[0]
        return f"{label}: {move.text} [{move.citation}]"
    return f"{label}: named as moving [{mover.mentioned_in[0]}]"


def _mover_lines(question: Question, movers: list[Mover]) -> list[str]:
    if question.intent not in ("winners", "losers"):
        return []
    return [line for m in movers if (line := mover_line(m)) is not None]


def _mover(
    plan: MoverPlan, sources: _Sources, quotes: Mapping[str, QuoteResult],
    closes: Mapping[str, CloseResult],
) -> Mover:  # fmt: skip
    reported = [
        ReportedMove(
            **(m.model_dump() | {"sentence": tidy(m.sentence)}),
            text=describe_move(m), citation=sources.cite(aid),
        )
        for aid, m in plan.moves
    ]
    quote = quotes.get(plan.ticker) if plan.ticker else None
    close = closes.get(plan.ticker) if plan.ticker else None
    return Mover(
        name=plan.name, ticker=plan.ticker,
        kind=plan.kind if plan.kind in ("listed", "foreign", "private") else "listed",
        reported=reported, quote=_live_quote(quote), since_article=_since(quote, close),
        mentioned_in=[sources.cite(aid) for aid in plan.mentioned_in],
        since_article_unavailable=close.text if isinstance(close, QuoteUnavailable) else None,
    )


def _figure_lines(question: Question, plans: list[MoverPlan], sources: _Sources) -> list[str]:
    """For "how much"/"why" about named companies: the sentence stating the figure first."""
    if question.intent not in ("how_much", "why_moved") or not question.tickers:
        return []
    for plan in plans:
        if plan.ticker not in question.tickers:
            continue
        for aid, move in plan.moves:
            if move.magnitude is not None:
                return [f"{tidy(move.sentence)} [{sources.cite(aid)}]"]
    return []


def _quoted(lines: list[str]) -> list[str]:
    return [line for line in lines if MOVER_MARK not in line]
