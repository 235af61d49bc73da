"""Retrieval for a question: several searches (the question, its companies, its event and the
days after it, the moves reported for the companies it names), limited by its time window,
one passage per article, and a judgement of whether the news covers it at all."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta

from bot.answer.evidence import Coverage, Event, Evidence
from bot.events import days_after, find_event, ties
from bot.news_holds import FACT_INTENTS, news_holds
from bot.news_terms import named_terms, names_any, rare_terms, respelt
from bot.question.model import Question
from bot.search_words import search_text, with_names
from index.embedding import Embedder
from index.lexicon import (
    SEARCH_VERBS,
    Direction,
)
from index.reader import Filters, IndexReader, SearchHit
from index.records import Move
from index.search import LiveIndex, Searcher
from index.text import fold

log = logging.getLogger(__name__)

NAMED_BOOST = 0.5
MOVE_BOOST = 0.35
NAMED_MOVE_BOOST = 0.6
"""Bonus for an article reporting a move of a company the question names ("why did qcom
tank": the article saying Qualcomm shares fell)."""
ENTITY_DISCOUNT = 0.15
FACT_ARTICLES = 6
"""Articles reporting a move of a named company, added for "how much" and "why" questions."""
WINDOW_MOVES_DAYS = 31
"""Winners/losers in a window this short (and no event) also read the window's moves."""
DAY_MOVES_DAYS = 2
"""Winners/losers on a day ("who ripped on jul 18") read that day's moves, event or not."""
EVENT_AFTER_HITS = 16
"""Articles searched in the days after an event for the moves tied to it."""
MOVER_INTENTS = ("winners", "losers")
_LISTED: dict[str, Direction] = {"losers": "down", "winners": "up"}


def _short(filters: Filters, days: int = WINDOW_MOVES_DAYS) -> bool:
    """A window of at most ``days`` days."""
    return (filters.since is not None and filters.until is not None
            and filters.until - filters.since <= timedelta(days=days))


def _mentions(hit: SearchHit, question: Question) -> bool:
    text = fold(f"{hit.title} {hit.text}")
    for entity in question.entities:
        if entity.ticker and entity.ticker in hit.tickers:
            return True
        if fold(entity.name) in text:
            return True
    return False


class _Pool:
    """Articles found by the searches, with fused scores and mover weights."""

    def __init__(self) -> None:
        self.hits: dict[str, SearchHit] = {}
        self.scores: dict[str, float] = {}
        self.weights: dict[str, float] = {}

    def add(self, hits: list[SearchHit], score_scale: float = 1.0, weight: float = 1.0) -> None:
        for rank, hit in enumerate(hits):
            known = self.hits.setdefault(hit.article_id, hit)
            if known.dense is None and hit.dense is not None:
                known.dense = hit.dense
            self.scores[hit.article_id] = (
                self.scores.get(hit.article_id, 0.0) + score_scale * hit.score
            )
            w = weight / (1.0 + 0.15 * rank)
            self.weights[hit.article_id] = max(self.weights.get(hit.article_id, 0.0), w)


class Retriever:
    """Finds the evidence for a question in the serving index generation."""

    def __init__(
        self,
        live: LiveIndex,
        embedder: Embedder,
        threshold: float,
        passages: int = 8,
        recency_half_life_days: float | None = None,
        tickers: Callable[[str], bool] | None = None,
    ) -> None:
        """``tickers`` tells whether a word is a known ticker (never a "missing" term)."""
        self.tickers = tickers
        self.live = live
        self.embedder = embedder
        self.threshold = threshold
        self.passages = passages
        self.recency = recency_half_life_days
        self.searcher = Searcher(live.reader, embedder)

    def judge(self, question: Question, ranked: list[SearchHit], relevance: float) -> bool:
        """Does the news cover the question? Close enough in meaning, and when the question
        names companies, found articles must mention one of them (a short question such as
        "nvidia" is judged on the mention with a lower bar)."""
        if not question.entities:
            return relevance >= self.threshold
        if not any(_mentions(h, question) for h in ranked):
            return False
        return relevance >= self.threshold - ENTITY_DISCOUNT

    def coverage(self, reader: IndexReader) -> Coverage:
        m = reader.manifest
        return Coverage(
            generation=reader.generation, built_at=m.built_at, oldest_article=m.oldest_article,
            newest_article=m.newest_article, articles=m.counts.articles,
        )

    def _filters(self, question: Question, tickers: list[str] | None) -> Filters:
        window = question.window
        return Filters(
            since=window.since if window else None,
            until=(window.until - timedelta(microseconds=1)) if window and window.until else None,
            tickers=list(tickers or []),
        )

    def retrieve(self, question: Question, tickers: list[str] | None = None) -> Evidence:
        """Blocking: run it off the event loop."""
        reader = self.live.reader()
        searcher = self.searcher
        filters = self._filters(question, tickers)
        k = self.passages
        pool = _Pool()
        query = respelt(search_text(question), reader, self.is_ticker)
        pool.add(searcher.search(query, k=2 * k, filters=filters,
                                 recency_half_life_days=self.recency))
        if question.tickers and not filters.tickers:
            named = filters.model_copy(update={"tickers": question.tickers})
            pool.add(searcher.search(query, k=k, filters=named,
                                     recency_half_life_days=self.recency))
        top = max(pool.scores.values(), default=0.0)
        event = None
        if question.intent in MOVER_INTENTS or question.anchor:
            event = self._event(question, reader, filters, pool)
        if question.intent in MOVER_INTENTS and (
            _short(filters) if event is None else _short(filters, DAY_MOVES_DAYS)
        ):
            # "which megacaps came out ahead end of april": the moves reported in the window;
            # "who ripped on jul 18, msft on copilot?": the day's moves beside the event's
            self._window_moves(question, reader, filters, pool, top,
                               weight=0.7 if event is None else 0.5)
        if question.tickers and question.intent in FACT_INTENTS:
            # "when googl tanked on the bard flub, what did msft do": the event's days first
            near = days_after(event, filters) if event is not None else None
            self._facts(question, reader, near or filters, pool, top)
            if near is not None:
                self._facts(question, reader, filters, pool, top)
        moves = reader.moves_for(list(pool.hits))
        direction = _LISTED.get(question.intent, question.move_direction)
        # "how much had worldcoin dropped": a move tells only in a passage naming the subject
        subject = [] if question.intent in MOVER_INTENTS else rare_terms(
            named_terms(question))
        for article_id, hit in pool.hits.items():
            if question.entities and _mentions(hit, question):
                pool.scores[article_id] += NAMED_BOOST * top
            found = [
                m for m in moves.get(article_id, [])
                if m.kind == "company" and (direction is None or m.direction == direction)
            ]
            if question.tickers and question.intent in FACT_INTENTS:
                found = [m for m in found if m.ticker in question.tickers]
                if found:
                    pool.scores[article_id] += NAMED_MOVE_BOOST * top
            elif found and direction and (not subject or names_any(hit, subject)):
                pool.scores[article_id] += MOVE_BOOST * top
        ordered = sorted(pool.hits.values(), key=lambda h: pool.scores[h.article_id],
                         reverse=True)
        ranked = ordered[:k]
        for hit in ordered:
            hit.score = pool.scores[hit.article_id]
        relevance = max((h.dense or 0.0 for h in ranked[:3]), default=0.0)
        covered = self.judge(question, ranked, relevance)
        if not covered and event is not None and self._event_moves(question, event, moves,
                                                                   ranked):
            covered = relevance >= self.threshold - ENTITY_DISCOUNT
        # Articles beyond the top k stay in the evidence when they report moves: a mover
        # row cites them.
        keep = ranked + [h for h in ordered[k:] if moves.get(h.article_id)]
        held = news_holds(question, keep, moves, reader, relevance, self.threshold, covered,
                          self.is_ticker)
        missing, untold = held.missing, held.untold
        covered = covered and held.close
        if missing or untold:
            log.debug("not covered: %s named by the question, in no passage", missing + untold)
            covered = False
        ids = [h.article_id for h in keep]
        return Evidence(
            hits=keep,
            moves={a: moves[a] for a in ids if a in moves},
            entities=reader.entities_for(ids),
            covered=covered,
            relevance=relevance,
            coverage=self.coverage(reader),
            event=event,
            weights={a: pool.weights.get(a, 0.0) for a in ids},
            missing=missing,
            untold=untold,
        )

    def is_ticker(self, term: str) -> bool:
        return self.tickers is not None and self.tickers(term)

    @staticmethod
    def _event_moves(
        question: Question, event: Event, moves: dict[str, list[Move]], ranked: list[SearchHit]
    ) -> bool:
        """Do the event's own articles, or the best passages from its week, report a company
        move in the asked direction?"""
        direction = _LISTED.get(question.intent)
        start = event.first_date - timedelta(days=1)
        end = event.first_date + timedelta(days=7)
        week = [h.article_id for h in ranked
                if h.published is not None and start <= h.published.date() <= end]
        return any(
            m.kind == "company" and m.direction == direction
            for a in [*event.article_ids, *week] for m in moves.get(a, [])
        )

    def _event(
        self, question: Question, reader: IndexReader, filters: Filters, pool: _Pool
    ) -> Event | None:
        """Find the question's event; add its articles and those of the days after it."""
        subjects = [e.name.split(" (")[0] for e in question.excluded]  # "amd reported, which
        # others rose"; "who else ripped with nvda after the guidance": Nvidia's guidance
        phrase = with_names(question.anchor or " ".join(question.keywords), question)
        if question.anchor:
            subjects = [n for n in subjects if n.lower() not in phrase.lower()]
        phrase = " ".join([*subjects, phrase])
        if not phrase.strip():
            return None
        event_filters = filters.model_copy(update={"tickers": []})
        event, about = find_event(phrase, reader, self.searcher, event_filters, self.recency)
        if event is None:
            return None
        pool.add(about, score_scale=0.5, weight=1.0)
        direction = _LISTED.get(question.intent)
        verbs = " ".join(SEARCH_VERBS[direction][:4]) if direction else ""
        after = self.searcher.search(
            f"{phrase} shares stock {verbs}".strip(), k=EVENT_AFTER_HITS,
            filters=days_after(event, event_filters), recency_half_life_days=None,
        )
        tied = [h for h in after if ties(f"{h.title} {h.text}", event)]
        untied = [h for h in after if not ties(f"{h.title} {h.text}", event)]
        pool.add(tied, score_scale=0.3, weight=0.8)
        pool.add(untied, score_scale=0.1, weight=0.35)
        return event

    def _window_moves(
        self, question: Question, reader: IndexReader, filters: Filters, pool: _Pool,
        top: float, weight: float,
    ) -> None:  # fmt: skip
        """For winners/losers in a short window: the articles reporting a company move in the
        asked direction then, closest to the question first."""
        ids = reader.move_articles(filters.since, filters.until, limit=60,
                                   direction=_LISTED[question.intent])
        self._closest(question, reader, ids, pool, top, weight=weight)

    def _facts(
        self, question: Question, reader: IndexReader, filters: Filters, pool: _Pool,
        top: float,
    ) -> None:  # fmt: skip
        """Articles that report a move of the named companies in the window, closest to the
        question first: "how much did chegg tank" needs the sentence with the figure."""
        ids = [
            a for a in reader.move_articles(filters.since, filters.until, question.tickers,
                                            limit=60)
            if a not in pool.hits
        ]
        self._closest(question, reader, ids, pool, top, weight=0.7)

    def _closest(
        self, question: Question, reader: IndexReader, ids: list[str], pool: _Pool,
        top: float, weight: float,
    ) -> None:  # fmt: skip
        """Add the ``FACT_ARTICLES`` of ``ids`` closest to the question to ``pool``."""
        if not ids:
            return
        found = reader.article_hits(ids)
        vector = self.searcher.embed_query(question.text)
        cosines = reader.similarity(vector, [h.chunk_id for h in found.values()])
        for hit in found.values():
            hit.dense = cosines.get(hit.chunk_id)
        best = sorted(found.values(), key=lambda h: h.dense or 0.0, reverse=True)[:FACT_ARTICLES]
        for hit in best:
            hit.score = 0.4 * top * max(hit.dense or 0.0, 0.0)
        pool.add(best, weight=weight)
