"""Plain data types shared by the source readers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

SourceKind = Literal["auto", "feed", "page", "path"]


@dataclass(frozen=True)
class Failure:
    """Something that was skipped (or, with ``warning=True``, kept but degraded) and why.

    ``source`` names the path or URL; ``reason`` is a short human reason such as
    ``"empty file"``, ``"line 7: invalid JSON: ..."`` or ``"HTTP 404"``. Warnings are kept
    articles with a problem, e.g. an unparseable date (the article is kept with
    ``published=None``) or a failed full-text fetch (the feed summary is kept).
    """

    source: str
    reason: str
    warning: bool = False

    def __str__(self) -> str:
        label = "warning" if self.warning else "skipped"
        return f"{label}: {self.source}: {self.reason}"


@dataclass(frozen=True)
class SourceSpec:
    """One source to read: a named entry of the sources file or a raw CLI argument."""

    name: str
    """Name in the sources file ("sample", "techcrunch-ai", ...) or the raw spec."""
    location: str
    """Path, glob, or http(s) URL."""
    kind: SourceKind = "auto"
    full_text: bool | None = None
    """Override ``IngestSettings.fetch_full_text`` for a feed."""


def is_url(location: str) -> bool:
    """True for http(s) URLs."""
    head = location[:8].lower()
    return head.startswith("http://") or head.startswith("https://")


def clip(text: str, limit: int = 120) -> str:
    """``text`` cut to ``limit`` characters, "..." ending a cut one (reasons in reports)."""
    return text if len(text) <= limit else text[: limit - 3] + "..."


def human_bytes(size: int) -> str:
    """Short size for messages: ``"512 B"``, ``"2.5 kB"``, ``"63 MB"``."""
    if size < 1000:
        return f"{size} B"
    for unit, scale in (("kB", 1e3), ("MB", 1e6), ("GB", 1e9)):
        value = size / scale
        if value < 1000 or unit == "GB":
            return f"{value:.1f} {unit}" if value < 10 else f"{value:.0f} {unit}"
    return f"{size} B"  # pragma: no cover
