"""Errors raised by the index.

    IndexError_ (base)
    ├── IndexNotFound        no published generation in the directory
    ├── IndexMismatch        built with another model or dimension than the one configured
    ├── IndexCorrupt         a generation's files are missing or unreadable
    └── IndexBusy            another writer holds the lock
"""

from __future__ import annotations


class IndexError_(RuntimeError):
    """Base class of every error the index raises."""


class IndexNotFound(IndexError_):
    """The directory holds no published generation yet."""


class IndexMismatch(IndexError_):
    """The index was built with another embedding model or dimension."""


class IndexCorrupt(IndexError_):
    """A published generation is missing files or cannot be read."""


class IndexBusy(IndexError_):
    """Another ingest run holds the writer lock."""
