"""Bounded work per input: capped line reading, text cuts and per-record guards.

Every cap is an ``IngestSettings`` field and every cap that is hit is reported (a skipped
record or a warning), never silently applied. The readers use these helpers so that one
hostile input (a 20 MB line, a .gz bomb, a 50 MB article, a record that makes a parser
recurse) costs bounded memory and time and never takes its neighbours down with it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Protocol

from index.records import Article
from ingest.settings import IngestSettings

from .model import Failure, human_bytes

log = logging.getLogger(__name__)

RAW_FACTOR = 5
"""Raw text (before cleaning: markup, entities, furniture) read per article, as a multiple of
``max_article_chars``; the cleaned text is then cut to ``max_article_chars`` itself."""
TEXT_CUT_MARK = "INGEST_MAX_ARTICLE_CHARS"
"""Ends the reason of the one warning given for an article whose text was cut."""
_DRAIN = 1 << 20  # an overlong line is skipped reading this many bytes at a time


class LineStream(Protocol):
    """A binary stream read line by line with a size bound (files, ``GzipFile``, ``BytesIO``)."""

    def readline(self, size: int | None = -1, /) -> bytes: ...


def _default(name: str) -> int:
    value = IngestSettings.model_fields[name].default
    assert isinstance(value, int)
    return value


def text_cut_warning(source: str, where: str, limit: int) -> Failure:
    return Failure(source, f"{where}text cut to its first {limit:,} characters "
                           f"({TEXT_CUT_MARK})", warning=True)


def cut_text(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` characters, at a paragraph or word end when one is
    near the cut (within the last tenth)."""
    if len(text) <= limit:
        return text
    head = text[:limit]
    floor = limit - limit // 10
    for sep in ("\n\n", "\n", " "):
        at = head.rfind(sep, floor)
        if at > 0:
            return head[:at].rstrip()
    return head


def cap_article(article: Article, limit: int) -> Article:
    """The article with its text cut to ``limit`` characters (itself when shorter)."""
    if len(article.text) <= limit:
        return article
    return article.model_copy(update={"text": cut_text(article.text, limit)})


def guarded(
    source: str, where: str, make: Callable[[], Iterable[Article | Failure]]
) -> list[Article | Failure]:
    """The items of one record, or a ``Failure`` naming it when anything in it raises
    (``RecursionError`` from deep nesting included): one bad record never ends its file."""
    try:
        return list(make())
    except Exception as exc:  # any parser bug is this record's problem only
        log.debug("error in %s %s", source, where, exc_info=True)
        return [Failure(source, f"{where}{describe(exc)}")]


def describe(exc: BaseException) -> str:
    """"RecursionError: maximum recursion depth exceeded" cut to a readable length."""
    if isinstance(exc, RecursionError):
        return "nested too deeply (RecursionError)"
    text = " ".join(str(exc).split())
    text = text if len(text) <= 200 else text[:197] + "..."
    return f"internal error: {type(exc).__name__}: {text}" if text else (
        f"internal error: {type(exc).__name__}")


class BoundedLines:
    """Numbered lines of a binary stream, never holding more than ``max_line`` bytes of one
    line, and stopping after ``max_total`` bytes (the decompressed size of a ``.gz``).

    A longer line is read through in 1 MB pieces and yielded as ``None`` (the caller skips
    and reports it); ``over_total`` tells whether reading stopped at ``max_total``.
    """

    def __init__(self, max_line: int, max_total: int | None = None) -> None:
        self.max_line = max_line
        self.max_total = max_total
        self.number = 0
        self.total = 0
        self.over_total = False

    def _count(self, size: int) -> bool:
        self.total += size
        if self.max_total is not None and self.total > self.max_total:
            self.over_total = True
        return self.over_total

    def over(self, stream: LineStream) -> Iterator[tuple[int, bytes | None]]:
        while True:
            line = stream.readline(self.max_line + 1)
            if not line:
                return
            self.number += 1
            if self._count(len(line)):
                return
            if len(line) <= self.max_line or line.endswith(b"\n"):
                yield self.number, line
                continue
            while not line.endswith(b"\n"):  # the rest of an overlong line, read and dropped
                line = stream.readline(_DRAIN)
                if not line or self._count(len(line)):
                    break
            yield self.number, None
            if self.over_total:
                return

    def too_long(self, source: str, number: int) -> Failure:
        return Failure(source, f"line {number}: longer than {human_bytes(self.max_line)}, "
                               "skipped (INGEST_MAX_LINE_BYTES)")

    def stopped(self, source: str) -> Failure:
        return Failure(source, f"stopped at line {self.number}: more than "
                               f"{human_bytes(self.max_total or 0)} decompressed, the rest is "
                               "not read (INGEST_MAX_GZ_BYTES)")


def items_cap_failure(source: str, limit: int) -> Failure:
    return Failure(source, f"stopped after {limit:,} records, the rest is not read "
                           "(INGEST_MAX_ITEMS_PER_SOURCE)")


@dataclass(frozen=True)
class Limits:
    """The caps a reader needs, taken from ``IngestSettings`` (defaults: the settings')."""

    article_chars: int = _default("max_article_chars")
    line_bytes: int = _default("max_line_bytes")
    gz_bytes: int = _default("max_gz_bytes")
    items: int = _default("max_items_per_source")

    @classmethod
    def of(cls, settings: IngestSettings) -> Limits:
        return cls(settings.max_article_chars, settings.max_line_bytes, settings.max_gz_bytes,
                   settings.max_items_per_source)

    @property
    def raw_chars(self) -> int:
        """Raw characters read per article field before cleaning."""
        return self.article_chars * RAW_FACTOR
