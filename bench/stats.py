"""Small statistics helpers for the benchmark tables."""

from __future__ import annotations

import math
import resource
from collections.abc import Sequence
from pathlib import Path

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


def peak_rss_mb(pid: int | str, fallback_kb: int | None = None) -> float:
    """A process's own peak RSS (``VmHWM``, which starts afresh at exec). ``ru_maxrss``
    does not: on Linux it starts from the parent's RSS at exec, so a child of a big bench
    process would report the parent's size. Without /proc: ``fallback_kb`` or ru_maxrss."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    kb = fallback_kb if fallback_kb is not None else resource.getrusage(
        resource.RUSAGE_SELF).ru_maxrss
    return round(kb / 1024, 1)
