"""What ``/status`` shows: index, last ingest, quote provider health, uptime, version."""

from __future__ import annotations

import time
from datetime import datetime
from importlib import metadata
from typing import Any

from pydantic import BaseModel

from bot.quotes import ProviderHealth
from index.errors import IndexError_
from index.search import LiveIndex
from index.store import report_count


class Status(BaseModel):
    version: str
    uptime_seconds: float
    index_generation: str | None = None
    index_error: str | None = None
    articles: int = 0
    chunks: int = 0
    size_bytes: int = 0
    oldest_article: datetime | None = None
    newest_article: datetime | None = None
    built_at: datetime | None = None
    last_ingest: dict[str, Any] | None = None
    quotes: ProviderHealth


def version() -> str:
    try:
        return metadata.version("ai-market-news-bot")
    except metadata.PackageNotFoundError:
        return "unknown"


def collect_status(live: LiveIndex, health: ProviderHealth, started: float) -> Status:
    """Blocking (reads the index): run it off the event loop in async code."""
    status = Status(version=version(), uptime_seconds=time.monotonic() - started, quotes=health)
    try:
        reader = live.reader()
    except IndexError_ as exc:
        status.index_error = str(exc)
        return status
    stats = reader.stats()
    manifest = reader.manifest
    status.index_generation = reader.generation
    status.articles = manifest.counts.articles
    status.chunks = manifest.counts.chunks
    status.size_bytes = stats["size_bytes"]
    status.oldest_article = manifest.oldest_article
    status.newest_article = manifest.newest_article
    status.built_at = manifest.built_at
    if stats["runs"]:
        run = stats["runs"][0]
        report = run["report"]
        status.last_ingest = {
            "finished": run["finished"],
            "seen": report.get("seen"), "new": report.get("new"),
            "updated": report.get("updated"), "unchanged": report.get("unchanged"),
            "skipped": report_count(report, "skipped"), "failed": report_count(report, "failed"),
        }
    return status
