"""Small statistics helpers for the benchmark tables."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np


def percentiles(samples_ms: Sequence[float]) -> dict[str, float]:
    data = np.asarray(samples_ms, dtype=float)
    return {
        "n": float(len(data)),
        "p50_ms": float(np.percentile(data, 50)),
        "p95_ms": float(np.percentile(data, 95)),
        "p99_ms": float(np.percentile(data, 99)),
        "mean_ms": float(data.mean()),
    }


def ndcg_at(relevant: Sequence[bool], n_gold: int, k: int = 10) -> float:
    """Binary-relevance nDCG@k."""
    dcg = sum(1.0 / math.log2(i + 2) for i, rel in enumerate(relevant[:k]) if rel)
    ideal = sum(1.0 / math.log2(i + 2) for i in range(min(n_gold, k)))
    return dcg / ideal if ideal else 0.0
