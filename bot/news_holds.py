"""Does the news hold what a question names? The checks that decline a question however close
some passage is in meaning: names no article holds, companies it never mentions, years it
does not cover, chat about something else, a story never told of the company asked about."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from bot.news_terms import (
    missing_terms,
    named_terms,
    numbered_terms,
    rare_terms,
    ratio_terms,
    unmatched_story,
    unnamed,
    years_outside,
)
from bot.question.intent import is_chat
from bot.question.model import Question
from bot.story_kinds import untold_kind
from index.reader import IndexReader, SearchHit
from index.records import Move

FACT_INTENTS = ("why_moved", "how_much")
"""Questions about a named company's move: the articles reporting its moves are evidence."""
CHAT_MARGIN = 0.1
"""How much closer than the threshold the best passage must be for chat that names no company,
market word, move or rare word ("best pizza in nyc")."""


@dataclass
class Holding:
    """``missing``: what the question names that the news does not hold; ``untold``: its story
    no passage about its company tells; ``close``: False when chat is not close enough."""

    missing: list[str]
    untold: list[str]
    close: bool = True


def news_holds(
    question: Question, keep: Sequence[SearchHit], moves: dict[str, list[Move]],
    reader: IndexReader, relevance: float, threshold: float, covered: bool,
    is_ticker: Callable[[str], bool],
) -> Holding:  # fmt: skip
    """What of the question the retrieved passages ``keep`` (and the index) do not hold."""
    named = named_terms(question)
    missing = missing_terms(
        named + ratio_terms(question.text) + numbered_terms(question.text, is_ticker),
        named_terms(question, anchor=True), keep, reader, is_ticker,
    )
    missing += [e.name for e in question.entities if not reader.knows_company(e.name, e.ticker)]
    missing += years_outside(question.text, reader)
    close = True
    if is_chat(question):
        # chat naming no company, market or move: about the news only if a passage holds
        # its rare words ("darktrace"), or is clearly close ("best pizza in nyc" is not)
        rare = [t for t in rare_terms(named) if not is_ticker(t)]
        missing += unnamed(rare, keep)
        close = bool(rare and not missing) or relevance >= threshold + CHAT_MARGIN
    covered = covered and close
    untold: list[str] = []
    if covered and not missing and question.tickers and question.intent in FACT_INTENTS:
        asked = {e.ticker for e in question.subjects() if e.ticker}
        moved = [h for h in keep if any(m.ticker in asked for m in moves.get(h.article_id, []))]
        untold = unmatched_story(named, question, keep, moved)
    if covered and not missing and not untold:
        people = [t for t in rare_terms(named) if not is_ticker(t)]
        untold = [said] if (said := untold_kind(question, people, keep)) else []
    return Holding(list(dict.fromkeys(missing)), untold, close)
