"""Hybrid retrieval: dense (FAISS) and keyword (FTS5 BM25) candidates fused by reciprocal rank.

Results are collapsed to the best passage per article. An optional recency weight favours
newer articles with a half-life in days.
"""

from __future__ import annotations

import logging
import math
import re
import threading
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, wait
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

import numpy as np

from index import generations, vectors
from index.embedding import Embedder
from index.entities import render_markup
from index.errors import IndexCorrupt, IndexMismatch
from index.lexicon import LOSER_CUES, NEWS_VERBS, SEARCH_VERBS, WINNER_CUES, chat_pattern
from index.reader import Filters, IndexReader, SearchHit, published_of

log = logging.getLogger(__name__)

Mode = Literal["hybrid", "dense", "keyword"]
RRF_K = 60
"""Reciprocal-rank-fusion constant (Cormack et al. 2009): score = sum w / (RRF_K + rank)."""
KEYWORD_WEIGHT = 1.0
"""Weight of the keyword list in the fusion (the dense list weighs 1). make bench prints a
sweep on the labelled set: 0.25-0.5 edge out plain RRF on 80 questions (within noise), but
lose cases where only the keyword side finds the passage (move verbs: "who lost from Sora?"
-> "plummeted"), so plain RRF stays."""


class LiveIndex:
    """Hands out the serving generation's reader, swapping to a newly published one on use.

    A reader stays valid after a swap (generations are immutable), so searches in flight are
    unaffected; the previous reader is closed on the next swap.
    """

    def __init__(
        self, index_dir: Path, model_id: str, dimension: int, nprobe: int = vectors.NPROBE
    ) -> None:
        self.index_dir = index_dir
        self.model_id = model_id
        self.dimension = dimension
        self.nprobe = nprobe
        self._reader: IndexReader | None = None
        self._retired: IndexReader | None = None
        self._refused: str | None = None
        self._lock = threading.Lock()

    def reader(self) -> IndexReader:
        """The current reader; raises IndexNotFound when nothing is published yet.

        A newly published generation that cannot be opened (``IndexCorrupt``: partial or
        damaged files; ``IndexMismatch``) is logged once and refused: the generation served
        until then keeps serving, until another one is published. With none to fall back on,
        the error is raised."""
        name = generations.current_name(self.index_dir)
        with self._lock:
            if self._reader is None or self._reader.generation != name:
                if self._reader is not None and name == self._refused:
                    return self._reader
                try:
                    fresh = IndexReader.open(
                        self.index_dir, self.model_id, self.dimension, nprobe=self.nprobe
                    ).load()
                except (IndexCorrupt, IndexMismatch) as exc:
                    if self._reader is None:
                        raise
                    self._refused = name
                    log.error("refusing index generation %s (%s); still serving %s",
                              name, exc, self._reader.generation)
                    return self._reader
                if self._retired is not None:
                    self._retired.close()
                self._retired, self._reader = self._reader, fresh
                self._refused = None
                log.info("serving index generation %s (%s vectors)", fresh.generation,
                         fresh.vectors_kind)
            return self._reader

    def close(self) -> None:
        for reader in (self._reader, self._retired):
            if reader is not None:
                reader.close()
        self._reader = self._retired = None


class Searcher:
    """Search the news index by meaning, by keywords, or both."""

    def __init__(
        self, readers: Callable[[], IndexReader], embedder: Embedder, cache_size: int = 256
    ) -> None:
        self._readers = readers
        self.embedder = embedder
        self._vectors: OrderedDict[str, np.ndarray] = OrderedDict()
        self._cache_size = cache_size
        self._cache_lock = threading.Lock()
        # Hybrid searches run BM25 here, beside the query embedding and the FAISS scan
        # (SQLite, onnxruntime and FAISS release the GIL). Threads start on first use.
        self._keyword_pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="keyword")

    def clear_cache(self) -> None:
        """Forget cached query vectors."""
        with self._cache_lock:
            self._vectors.clear()

    def embed_query(self, query: str) -> np.ndarray:
        """The query's vector, from a small LRU cache (questions repeat, and one question is
        often searched twice with different filters)."""
        with self._cache_lock:
            if query in self._vectors:
                self._vectors.move_to_end(query)
                return self._vectors[query]
        vector = self.embedder.encode([query])[0]
        with self._cache_lock:
            self._vectors[query] = vector
            while len(self._vectors) > self._cache_size:
                self._vectors.popitem(last=False)
        return vector

    def search(
        self,
        query: str,
        k: int = 10,
        filters: Filters | None = None,
        mode: Mode = "hybrid",
        recency_half_life_days: float | None = None,
        now: datetime | None = None,
        candidates: int = 100,
        keyword_weight: float = KEYWORD_WEIGHT,
    ) -> list[SearchHit]:
        """The top ``k`` articles' best passages for ``query``, best first."""
        reader = self._readers()
        filters = filters or Filters()
        pool = max(candidates, 3 * k)
        dense: list[tuple[int, float]] = []
        keyword: list[tuple[int, float]] = []
        vector = None
        if mode == "hybrid":
            keyword_search = self._keyword_pool.submit(reader.keyword, query, pool, filters)
            try:
                vector = self.embed_query(query)
                dense = reader.dense(vector, pool, filters)
            finally:
                wait([keyword_search])  # never leave BM25 running on a reader after an error
            keyword = keyword_search.result()
        elif mode == "dense":
            vector = self.embed_query(query)
            dense = reader.dense(vector, pool, filters)
        else:
            keyword = reader.keyword(query, pool, filters)
        scores: dict[int, float] = {}
        if mode == "dense":
            scores = dict(dense)
        elif mode == "keyword":
            scores = dict(keyword)
        else:
            for ranked, weight in ((dense, 1.0), (keyword, keyword_weight)):
                for rank, (cid, _) in enumerate(ranked):
                    scores[cid] = scores.get(cid, 0.0) + weight / (RRF_K + rank + 1)
        hits = self._hits(
            reader, scores, dict(dense), dict(keyword), k, recency_half_life_days, now,
            move_question=asks_about_moves(query),
        )
        missing = [h.chunk_id for h in hits if h.dense is None]
        if missing and vector is not None:  # keyword-only hits get their cosine too
            cosines = reader.similarity(vector, missing)
            for hit in hits:
                if hit.dense is None:
                    hit.dense = cosines.get(hit.chunk_id)
        return hits

    def _hits(
        self,
        reader: IndexReader,
        scores: dict[int, float],
        dense: dict[int, float],
        keyword: dict[int, float],
        k: int,
        half_life: float | None,
        now: datetime | None,
        move_question: bool = False,
    ) -> list[SearchHit]:
        details = reader.chunk_details(list(scores))
        if half_life:
            reference = now or reader.manifest.newest_article or datetime.now(UTC)
            for cid, row in details.items():
                published = published_of(row)
                if published is not None:
                    age = max(0.0, (reference - published).total_seconds() / 86400)
                    scores[cid] *= 0.5 + 0.5 * math.pow(0.5, age / half_life)
        best: dict[str, int] = {}
        best_cosine: dict[str, float] = {}
        for cid in sorted(details, key=lambda c: scores[c], reverse=True):
            article_id = details[cid]["article_id"]
            if cid in dense:
                best_cosine[article_id] = max(best_cosine.get(article_id, -1.0), dense[cid])
            if len(best) < k:
                best.setdefault(article_id, cid)
        articles = list(best)
        shown = dict(best)
        if move_question:
            shown = self._move_passages(reader, best, details, scores)
        tickers = reader.article_tickers(articles)
        dups = reader.duplicate_urls(articles)
        hits = []
        for article_id, best_cid in best.items():
            cid = shown[article_id]
            row = details[cid]
            hits.append(
                SearchHit(
                    article_id=article_id,
                    chunk_id=cid,
                    position=row["position"],
                    url=row["url"],
                    title=row["title"],
                    outlet=row["outlet"],
                    published=published_of(row),
                    text=row["text"],
                    tickers=tickers.get(article_id, []),
                    score=scores[best_cid],
                    dense=best_cosine.get(article_id),
                    keyword=keyword.get(cid),
                    duplicates=dups.get(article_id, []),
                )
            )
        return hits

    @staticmethod
    def _move_passages(
        reader: IndexReader,
        best: dict[str, int],
        details: dict[int, Any],
        scores: dict[int, float],
    ) -> dict[str, int]:
        """For a question about moves: within each article, the best-scored candidate passage
        that carries one of its reported company moves, else its best passage."""
        moves = reader.moves_for(list(best))
        shown = dict(best)
        for article_id, cid in best.items():
            sentences = [
                _squash(render_markup(m.sentence))
                for m in moves.get(article_id, [])
                if m.kind == "company"
            ]
            if not sentences:
                continue
            passages = sorted(
                (c for c, row in details.items() if row["article_id"] == article_id),
                key=lambda c: scores[c],
                reverse=True,
            )
            for candidate in passages:
                text = _squash(details[candidate]["text"])
                if any(s[:_PROBE] in text for s in sentences):
                    shown[article_id] = candidate
                    break
            else:
                shown[article_id] = cid
        return shown


_PROBE = 80
"""Characters of a move's sentence looked for in a passage (a chunk may cut the sentence)."""
_MOVE_QUESTION = re.compile(
    r"\b(?:"
    + "|".join(
        [*WINNER_CUES, *LOSER_CUES, *(w for ws in SEARCH_VERBS.values() for w in ws),
         *(w for ws in NEWS_VERBS.values() for w in ws), r"stocks?", r"shares?", r"movers?",
         r"(?:went|go(?:es)?|going)\s+(?:up|down)"]
    )
    + r")\b",
    re.IGNORECASE,
)


def asks_about_moves(query: str) -> bool:
    """Whether a query asks who rose or fell, or why a stock moved ("who lost from Sora")."""
    return bool(_MOVE_QUESTION.search(query)) or any(
        chat_pattern(d).search(query.lower()) for d in ("up", "down")
    )


def _squash(text: str) -> str:
    return " ".join(text.split()).casefold()
