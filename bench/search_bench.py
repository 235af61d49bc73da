"""Search latency (dense, keyword, hybrid) and retrieval quality on the labelled set."""

from __future__ import annotations

import json
import random
import sqlite3
import time
from pathlib import Path
from typing import Any

from bench.corpus import LABELS
from bench.stats import ndcg_at, percentiles
from index.embedding import Embedder
from index.reader import Filters, IndexReader
from index.search import KEYWORD_WEIGHT, Searcher
from ingest.sources.urls import canonical_url

MODES = ("dense", "keyword", "hybrid")


def sample_queries(reader: IndexReader, n: int, seed: int = 7) -> list[str]:
    """Realistic queries: the labelled questions, then article titles cut to a few words."""
    queries = [q["question"] for q in load_labels()]
    conn = sqlite3.connect(f"file:{reader.path / 'meta.sqlite'}?mode=ro", uri=True)
    titles = [r[0] for r in conn.execute("SELECT title FROM articles ORDER BY id")]
    conn.close()
    rng = random.Random(seed)
    for title in rng.sample(titles, min(len(titles), n)):
        words = title.split()
        queries.append(" ".join(words[: rng.randint(3, max(3, min(9, len(words))))]))
    return queries[:n] if len(queries) >= n else queries


def latency(searcher: Searcher, queries: list[str], k: int = 10) -> dict[str, dict[str, float]]:
    out: dict[str, dict[str, float]] = {}
    for mode in MODES:
        for q in queries[:10]:
            searcher.search(q, k=k, mode=mode)  # warm up
        searcher.clear_cache()  # every mode pays for its own query embeddings
        samples = []
        for q in queries:
            started = time.perf_counter()
            searcher.search(q, k=k, mode=mode)
            samples.append((time.perf_counter() - started) * 1000)
        out[mode] = percentiles(samples)
    return out


def load_labels() -> list[dict[str, Any]]:
    path = LABELS / "retrieval.jsonl"
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def _date(value: str | None, end: bool = False) -> Any:
    from datetime import UTC, datetime
    from datetime import time as dtime

    if not value:
        return None
    day = datetime.fromisoformat(value[:10]).date()
    return datetime.combine(day, dtime.max if end else dtime.min, tzinfo=UTC)


def quality(
    searcher: Searcher, labels: list[dict[str, Any]], weights: tuple[float, ...] = (0.25, 0.5)
) -> dict[str, dict[str, float]]:
    """Mean nDCG@10 and recall@20 per mode; a hit counts when its URL or a linked
    near-duplicate's URL is gold."""
    out: dict[str, dict[str, float]] = {}
    runs: list[tuple[str, str, float]] = [(m, m, KEYWORD_WEIGHT) for m in MODES]
    runs += [(f"hybrid w={w:g}", "hybrid", w) for w in weights]
    for name, mode, weight in runs:
        ndcgs, recalls = [], []
        for label in labels:
            gold = {canonical_url(u) for u in label["gold"]}
            filters = Filters(
                since=_date(label.get("since")), until=_date(label.get("until"), True)
            )
            hits = searcher.search(label["question"], k=20, mode=mode, filters=filters,
                                   keyword_weight=weight)
            found: set[str] = set()
            relevant = []
            for hit in hits:
                urls = {hit.url, *hit.duplicates} & gold
                relevant.append(bool(urls))
                found |= urls
            ndcgs.append(ndcg_at(relevant, len(gold), 10))
            recalls.append(len(found) / len(gold))
        out[name] = {
            "ndcg@10": sum(ndcgs) / len(ndcgs),
            "recall@20": sum(recalls) / len(recalls),
            "questions": float(len(labels)),
        }
    return out


def open_searcher(index_dir: Path, embedder: Embedder) -> tuple[IndexReader, Searcher]:
    reader = IndexReader.open(index_dir, embedder.model_id, embedder.dimension)
    return reader, Searcher(lambda: reader, embedder)
