"""Embedding runtimes side by side on real chunks: throughput and fidelity to fp32.

torch (sentence-transformers fp32), onnx (onnxruntime fp32) and onnx-int8 (the default) embed
the same texts: chunks taken from the 3.5k index as they are (~180 word pieces), and the
longer ones cut to 200 word pieces (the issue's reference length). Fidelity is the cosine of
each vector to torch's. Retrieval quality per runtime comes from indexing the corpus with
each (see ``bench.__main__``).
"""

from __future__ import annotations

import random
import sqlite3
import time
from pathlib import Path
from typing import Any

import numpy as np

from index import generations
from index.embedder_factory import load_embedder
from index.embedding import Embedder
from index.settings import IndexSettings

BACKENDS = ("torch", "onnx", "onnx-int8")


def sample_chunks(index_dir: Path, n: int, seed: int = 11) -> list[str]:
    """``n`` chunk texts (title line + passage, as they were embedded) from an index."""
    path = generations.current_generation(index_dir) / generations.SQLITE_NAME
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
        rows = conn.execute("SELECT title, text FROM chunks ORDER BY id").fetchall()
    random.Random(seed).shuffle(rows)
    return [f"{title}\n{text}" for title, text in rows[:n]]


def cut_to_tokens(texts: list[str], tokens: int) -> list[str]:
    """The texts of at least ``tokens`` word pieces, cut after the ``tokens - 2``-th one (so
    with [CLS] and [SEP] they are ~``tokens`` long)."""
    from tokenizers import Tokenizer

    from index.embedding import bundled_model_path

    tokenizer = Tokenizer.from_file(str(bundled_model_path() / "tokenizer.json"))
    tokenizer.no_truncation()
    tokenizer.no_padding()
    out = []
    for text, enc in zip(texts, tokenizer.encode_batch(texts), strict=True):
        if len(enc.ids) >= tokens:
            out.append(text[: enc.offsets[tokens - 2][1]])
    return out


def _throughput(embedder: Embedder, texts: list[str], rounds: int = 2) -> float:
    embedder.encode(texts[:16])  # warm-up
    best = 0.0
    for _ in range(rounds):
        started = time.perf_counter()
        embedder.encode(texts)
        best = max(best, len(texts) / (time.perf_counter() - started))
    return best


def run(index_dir: Path) -> dict[str, Any]:
    """Chunks/s of each runtime on both sets, and cosine to torch fp32 (min, mean)."""
    sample = sample_chunks(index_dir, 1600)
    natural = sample[:400]
    sets = {"chunks": natural, "200 tokens": cut_to_tokens(sample, 200)}
    out: dict[str, Any] = {"texts": {k: len(v) for k, v in sets.items()}}
    reference: np.ndarray | None = None
    for backend in BACKENDS:
        embedder = load_embedder(IndexSettings(  # type: ignore[call-arg]
            _env_file=None, embedding_model="bundled", embedding_backend=backend
        ), bulk=True)
        tokens = {k: float(np.mean(embedder.count_tokens(v))) for k, v in sets.items()}
        speed = {k: _throughput(embedder, v) for k, v in sets.items()}
        vectors = embedder.encode(natural)
        if reference is None:
            reference = vectors
        cosine = np.sum(vectors * reference, axis=1)
        out[backend] = {
            "model_id": embedder.model_id,
            "chunks_per_s": speed,
            "mean_tokens": tokens,
            "cosine_to_torch_min": float(cosine.min()),
            "cosine_to_torch_mean": float(cosine.mean()),
        }
        del embedder
    return out


def summarize(result: dict[str, Any]) -> list[str]:
    lines = []
    for backend in BACKENDS:
        r = result[backend]
        speeds = "  ".join(
            f"{name} ({r['mean_tokens'][name]:.0f} tok): {value:.1f} chunks/s"
            for name, value in r["chunks_per_s"].items()
        )
        lines.append(
            f"[backends] {backend:9s} {speeds}  cosine to torch min "
            f"{r['cosine_to_torch_min']:.4f} mean {r['cosine_to_torch_mean']:.4f}"
        )
    return lines
