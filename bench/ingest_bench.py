"""Ingest throughput and peak memory: `python -m ingest` on a corpus in a child process."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import psutil

from bench.corpus import ROOT


def _watch_peak(proc: psutil.Process, peak: list[int], stop: threading.Event) -> None:
    while not stop.is_set():
        try:
            rss = proc.memory_info().rss
            rss += sum(c.memory_info().rss for c in proc.children(recursive=True))
        except psutil.Error:
            break
        peak[0] = max(peak[0], rss)
        stop.wait(0.1)


def run_ingest(
    corpus: Path, index_dir: Path, fresh: bool = True, env_extra: dict[str, str] | None = None
) -> dict[str, Any]:
    """Ingest ``corpus`` into ``index_dir``; returns the report plus wall time and peak RSS."""
    if fresh and index_dir.exists():
        shutil.rmtree(index_dir)
    env = {**os.environ, "INDEX_DIR": str(index_dir), "EMBEDDING_MODEL": "bundled",
           **(env_extra or {})}
    started = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "ingest", "--json", str(corpus)],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    peak = [0]
    stop = threading.Event()
    watcher = threading.Thread(target=_watch_peak, args=(psutil.Process(proc.pid), peak, stop))
    watcher.start()
    out, err = proc.communicate()
    stop.set()
    watcher.join()
    wall = time.perf_counter() - started
    if proc.returncode != 0:
        raise RuntimeError(f"ingest failed ({proc.returncode}): {err[-2000:]}")
    report = json.loads(out)
    size = sum(p.stat().st_size for p in index_dir.rglob("*") if p.is_file())
    return {
        "report": report,
        "wall_seconds": wall,
        "peak_rss_mb": peak[0] / 1e6,
        "index_mb": size / 1e6,
    }


def summarize(name: str, result: dict[str, Any]) -> list[str]:
    r = result["report"]
    wall = result["wall_seconds"]
    tokens_per_chunk = r["tokens"] / max(r["chunks"], 1)
    embed = max(r["embed_seconds"], 1e-9)
    return [
        f"[{name}] wall {wall:.1f}s (in-run {r['duration_seconds']:.1f}s, embedding "
        f"{r['embed_seconds']:.1f}s)  seen {r['seen']}  new {r['new']}  duplicates "
        f"{r['duplicates']}+{r['near_duplicates']} near  skipped {len(r['skipped'])}  "
        f"failed {len(r['failed'])}",
        f"[{name}] {r['seen'] / wall:.1f} articles/s  {r['chunks'] / wall:.1f} chunks/s  "
        f"{r['tokens'] / wall:.0f} tokens/s (wall, model load included)  |  embedding alone: "
        f"{r['chunks'] / embed:.1f} chunks/s at {tokens_per_chunk:.0f} tokens/chunk",
        f"[{name}] chunks {r['chunks']}  peak RSS {result['peak_rss_mb']:.0f} MB  index on "
        f"disk {result['index_mb']:.1f} MB",
    ]
