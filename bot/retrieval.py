"""Retrieval for a question: hybrid search boosted by the question's companies and intent,
limited by its time window, one passage per article, and a relevance judgement."""

from __future__ import annotations

import logging
from datetime import timedelta

from bot.answer.evidence import Coverage, Evidence
from bot.question.model import Question
from index.embedding import Embedder
from index.reader import Filters, IndexReader, SearchHit
from index.search import LiveIndex, Searcher
from index.text import fold

log = logging.getLogger(__name__)

NAMED_BOOST = 0.5
MOVE_BOOST = 0.35
ENTITY_DISCOUNT = 0.15


def _mentions(hit: SearchHit, question: Question) -> bool:
    text = fold(f"{hit.title} {hit.text}")
    for entity in question.entities:
        if entity.ticker and entity.ticker in hit.tickers:
            return True
        if fold(entity.name) in text:
            return True
    return False


class Retriever:
    """Finds the evidence for a question in the serving index generation."""

    def __init__(
        self,
        live: LiveIndex,
        embedder: Embedder,
        threshold: float,
        passages: int = 8,
        recency_half_life_days: float | None = None,
    ) -> None:
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

    def retrieve(self, question: Question, tickers: list[str] | None = None) -> Evidence:
        """Blocking: run it off the event loop."""
        reader = self.live.reader()
        searcher = self.searcher
        window = question.window
        filters = Filters(
            since=window.since if window else None,
            until=(window.until - timedelta(microseconds=1)) if window and window.until else None,
            tickers=list(tickers or []),
        )
        k = self.passages
        query = question.text
        hits = searcher.search(query, k=2 * k, filters=filters,
                               recency_half_life_days=self.recency)
        scores = {h.article_id: h.score for h in hits}
        by_id = {h.article_id: h for h in hits}
        if question.tickers and not filters.tickers:
            named = searcher.search(
                query, k=k, filters=filters.model_copy(update={"tickers": question.tickers}),
                recency_half_life_days=self.recency,
            )
            for hit in named:
                by_id.setdefault(hit.article_id, hit)
                scores[hit.article_id] = scores.get(hit.article_id, 0.0) + hit.score
        top = max(scores.values(), default=0.0)
        moves = reader.moves_for(list(by_id))
        direction = {"losers": "down", "winners": "up"}.get(question.intent)
        for article_id, hit in by_id.items():
            if question.entities and _mentions(hit, question):
                scores[article_id] += NAMED_BOOST * top
            if direction and any(m.direction == direction for m in moves.get(article_id, [])):
                scores[article_id] += MOVE_BOOST * top
        ranked = sorted(by_id.values(), key=lambda h: scores[h.article_id], reverse=True)[:k]
        for hit in ranked:
            hit.score = scores[hit.article_id]
        relevance = max((h.dense or 0.0 for h in ranked[:3]), default=0.0)
        covered = self.judge(question, ranked, relevance)
        ids = [h.article_id for h in ranked]
        return Evidence(
            hits=ranked,
            moves={a: moves[a] for a in ids if a in moves},
            entities=reader.entities_for(ids),
            covered=covered,
            relevance=relevance,
            coverage=self.coverage(reader),
        )
