"""A synthetic scale-up of a real index to a target chunk count, for search latency only.

Chunks (text, metadata, FTS rows) are copied under new ids and their vectors jittered and
re-normalised, so the index has the size and the score distributions of real news. The
scaled generation bypasses the writer, so its vector index is chosen here the way the writer
chooses it at publish (``index.vectors.choose``: ``ivf-sq8`` from ``min_vectors`` vectors) and
recorded in its manifest.
"""

from __future__ import annotations

import logging
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import faiss
import numpy as np

from index import generations, vectors
from index.generations import SQLITE_NAME, VECTORS_NAME
from index.manifest import Manifest, VectorsInfo
from index.store import refresh_term_stats

log = logging.getLogger(__name__)


def base_vectors(index_dir: Path) -> tuple[np.ndarray, np.ndarray]:
    """(ids, float32 vectors) of the serving generation of an index (any kind)."""
    source = faiss.read_index(str(generations.current_generation(index_dir) / VECTORS_NAME))
    parts = list(vectors.iter_vectors(source))
    return (np.concatenate([i for i, _ in parts]).astype(np.int64),
            np.concatenate([m for _, m in parts]).astype(np.float32))


def jittered(ids: np.ndarray, base: np.ndarray, target_chunks: int, seed: int = 3,
             ) -> Iterator[tuple[int, np.ndarray, np.ndarray]]:
    """The scale-up's added vectors, copy by copy: (copy number, new ids, unit vectors).

    Deterministic for a seed, so the exact vectors can be made again (the recall reference)."""
    rng = np.random.default_rng(seed)
    total, copy = len(ids), 0
    while total < target_chunks:
        copy += 1
        take = min(len(ids), target_chunks - total)
        noisy = base[:take] + rng.normal(0, 0.02, size=base[:take].shape).astype(np.float32)
        faiss.normalize_L2(noisy)
        yield copy, ids[:take] ^ np.int64(copy << 52), noisy
        total += take


def scale_up(source_index: Path, target_dir: Path, target_chunks: int, seed: int = 3,
             min_vectors: int = vectors.ANN_MIN_VECTORS) -> int:
    """Build ``target_dir`` as a copy of the serving generation grown to ``target_chunks``."""
    current = generations.current_generation(source_index)
    if target_dir.exists():
        shutil.rmtree(target_dir)
    gen = target_dir / "generations" / current.name
    shutil.copytree(current, gen)
    (target_dir / "CURRENT").write_text(current.name + "\n")
    ids, base = base_vectors(source_index)
    index = vectors.new_index(base.shape[1])  # fp16 flat, whatever the source's kind
    vectors.add(index, ids, base)
    conn = sqlite3.connect(gen / SQLITE_NAME)
    conn.execute("PRAGMA journal_mode=OFF")
    conn.execute("PRAGMA synchronous=OFF")
    for copy, new_ids, noisy in jittered(ids, base, target_chunks, seed):
        take = len(new_ids)
        index.add_with_ids(noisy, new_ids)
        suffix = f"~{copy}"
        conn.execute("CREATE TEMP TABLE IF NOT EXISTS idmap (old INTEGER, new INTEGER)")
        conn.execute("DELETE FROM idmap")
        conn.executemany("INSERT INTO idmap VALUES (?, ?)",
                         zip(ids[:take].tolist(), new_ids.tolist(), strict=True))
        conn.execute(
            "INSERT INTO articles SELECT id || ?, url || ?, title, outlet, source, language, "
            "published, published_ts, text, content_hash || ?, NULL, NULL, first_seen, updated "
            "FROM articles WHERE duplicate_of IS NULL AND id NOT LIKE '%~%'",
            (suffix, suffix, suffix))
        conn.execute(
            "INSERT INTO chunks SELECT m.new, c.article_id || ?, c.position, c.title, c.text, "
            "c.tokens, c.published_ts, c.tickers FROM chunks c JOIN idmap m ON m.old = c.id",
            (suffix,))
        conn.execute(
            "INSERT INTO entities SELECT article_id || ?, name, ticker, kind, exchange, "
            "mentions, how FROM entities WHERE article_id NOT LIKE '%~%'", (suffix,))
        conn.commit()
        if copy % 10 == 0:
            log.info("scale-up: %d chunks", index.ntotal)
    del base
    conn.execute("INSERT INTO chunks_fts(chunks_fts) VALUES ('optimize')")
    refresh_term_stats(conn)  # the copied counts are those of the small index
    conn.commit()
    conn.close()
    published, info = vectors.choose(index, min_vectors)
    del index
    vectors.write_index(published, gen / VECTORS_NAME)
    manifest = Manifest.read(gen)
    manifest.counts.chunks = int(published.ntotal)
    manifest.vectors = VectorsInfo(
        **info, count=int(published.ntotal), bytes=(gen / VECTORS_NAME).stat().st_size)
    manifest.write(gen)
    return int(published.ntotal)
