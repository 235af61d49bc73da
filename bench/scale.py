"""A synthetic scale-up of a real index to a target chunk count, for search latency only.

Chunks (text, metadata, FTS rows) are copied under new ids and their vectors jittered and
re-normalised, so the index has the size and the score distributions of real news.
"""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import faiss
import numpy as np

from index import generations
from index.generations import SQLITE_NAME, VECTORS_NAME
from index.store import refresh_term_stats


def scale_up(source_index: Path, target_dir: Path, target_chunks: int, seed: int = 3) -> int:
    """Build ``target_dir`` as a copy of the serving generation grown to ``target_chunks``."""
    current = generations.current_generation(source_index)
    if target_dir.exists():
        shutil.rmtree(target_dir)
    gen = target_dir / "generations" / current.name
    shutil.copytree(current, gen)
    (target_dir / "CURRENT").write_text(current.name + "\n")
    index = faiss.read_index(str(gen / VECTORS_NAME))
    ids = faiss.vector_to_array(index.id_map).astype(np.int64)
    base = index.index.reconstruct_n(0, index.ntotal)
    conn = sqlite3.connect(gen / SQLITE_NAME)
    rng = np.random.default_rng(seed)
    copy = 0
    while index.ntotal < target_chunks:
        copy += 1
        take = min(len(ids), target_chunks - index.ntotal)
        new_ids = ids[:take] ^ np.int64(copy << 52)
        noisy = base[:take] + rng.normal(0, 0.02, size=base[:take].shape).astype(np.float32)
        faiss.normalize_L2(noisy)
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
    conn.execute("INSERT INTO chunks_fts(chunks_fts) VALUES ('optimize')")
    refresh_term_stats(conn)  # the copied counts are those of the small index
    conn.commit()
    conn.close()
    faiss.write_index(index, str(gen / VECTORS_NAME))
    return int(index.ntotal)
