"""Reading news from files, folders, globs, RSS/Atom feeds and web pages.

Public API::

    specs = resolve_specs(["sample", "https://example.com/feed.xml"], sources_file=None)
    for item in read_sources(specs, settings):
        if isinstance(item, Failure): ...   # skipped (or ``item.warning``: kept, degraded)
        else: ...                           # an ``index.records.Article``
"""

from __future__ import annotations

from .config import SourcesFileError, default_sources_file, load_sources_file, resolve_specs
from .model import Failure, SourceSpec
from .reader import read_sources

__all__ = [
    "Failure",
    "SourceSpec",
    "SourcesFileError",
    "default_sources_file",
    "load_sources_file",
    "read_sources",
    "resolve_specs",
]
