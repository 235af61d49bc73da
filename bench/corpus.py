"""Where the shared 2023 news corpora live; benchmarks skip cleanly when they are absent."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
LABELS = ROOT / "bench" / "labels"


def shared_dir() -> Path:
    return Path(os.environ.get("SHARED_DIR", ROOT.parent / "shared")).resolve()


def corpus(name: str) -> Path | None:
    """``rss2023-ai-market`` (3.5k items) or ``rss2023-ai-focus`` (31k), or None if absent."""
    path = shared_dir() / "data" / "news" / name
    return path if path.is_dir() and any(path.iterdir()) else None
