"""Structured files: JSON (object or list), JSON Lines (plain or gzip), CSV/TSV.

Records are mapped to articles through common field aliases (case, ``_`` and ``-`` are
ignored in field names). JSON Lines are streamed line by line, so a large ``.jsonl.gz``
is never held in memory; a bad line is reported and skipped.
"""

from __future__ import annotations

import csv
import gzip
import json
import zlib
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from index.records import Article

from .build import build_article
from .model import Failure

TITLE = ("title", "headline", "heading", "name")
TEXT = ("text", "body", "content", "article", "fulltext", "articlebody", "maintext",
        "description", "summary", "abstract", "snippet", "lead")
URL = ("url", "link", "href", "canonicalurl", "permalink", "articleurl", "guid", "id")
DATE = ("date", "published", "pubdate", "publishedat", "publishdate", "datepublished",
        "publicationdate", "datetime", "time", "timestamp", "createdat", "created",
        "updated", "updatedat", "modified")
OUTLET = ("outlet", "source", "site", "sitename", "publisher", "sourcename", "publication",
          "newspaper", "domain")
FEED = ("sourcefeed", "feed", "feedurl", "feedlink")
LANGUAGE = ("language", "lang", "locale", "inlanguage")
_LIST_KEYS = ("articles", "items", "entries", "data", "results", "records", "news", "docs")


def _norm_key(key: object) -> str:
    return str(key).lower().replace("_", "").replace("-", "").replace(" ", "")


def _value(value: Any) -> Any:
    """Strings stripped; lists of paragraphs (or of {"value": ...}) joined."""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, list):
        parts = [v.get("value") if isinstance(v, Mapping) else v for v in value]
        strings = [p.strip() for p in parts if isinstance(p, str) and p.strip()]
        return "\n\n".join(strings) if strings else None
    return value


def _first(record: Mapping[str, Any], names: tuple[str, ...]) -> Any:
    for name in names:
        value = record.get(name)
        if value is None:
            continue
        value = _value(value)
        if value not in (None, "", [], {}):
            return value
    return None


def record_to_article(
    record: Mapping[str, Any], source: str, where: str = ""
) -> Iterator[Article | Failure]:
    """Map one record (any common field names) to an article, or a ``Failure``."""
    fields = {_norm_key(k): v for k, v in record.items()}
    url = _first(fields, URL)
    if not (isinstance(url, str) and url.lower().startswith(("http://", "https://"))):
        url = None
    text = _first(fields, TEXT)
    title = _first(fields, TITLE)
    yield from build_article(
        source=source,
        title=title if isinstance(title, str) else None,
        text=text if isinstance(text, str) else None,
        url=url,
        date=_first(fields, DATE),
        outlet=_first(fields, OUTLET),
        feed_url=feed if isinstance(feed := _first(fields, FEED), str) else None,
        language=_first(fields, LANGUAGE),
        where=where,
    )


def _records(items: Iterable[tuple[str, Any]], source: str) -> Iterator[Article | Failure]:
    for where, item in items:
        if isinstance(item, Mapping):
            yield from record_to_article(item, source, where)
        else:
            yield Failure(source, f"{where}not a JSON object")


def read_json(data: str, source: str) -> Iterator[Article | Failure]:
    """A JSON document: one object, a list of objects, or {"articles": [...]}-style."""
    try:
        doc = json.loads(data)
    except json.JSONDecodeError as exc:
        if exc.msg == "Extra data":  # JSON Lines saved as .json
            yield from _json_lines(enumerate(data.encode().splitlines(), 1), source)
            return
        yield Failure(source, f"invalid JSON: {exc.msg} (line {exc.lineno})")
        return
    if isinstance(doc, dict):
        nested = next((doc[k] for k in _LIST_KEYS if isinstance(doc.get(k), list)), None)
        if nested is None:
            yield from _records([("", doc)], source)
            return
        doc = nested
    if not isinstance(doc, list):
        yield Failure(source, "not a JSON object or list of objects")
        return
    if not doc:
        yield Failure(source, "no records")
        return
    yield from _records(((f"item {i}: ", item) for i, item in enumerate(doc, 1)), source)


def _json_lines(lines: Iterable[tuple[int, bytes]], source: str) -> Iterator[Article | Failure]:
    for number, raw in lines:
        if not raw.strip():
            continue
        where = f"line {number}: "
        try:
            item = json.loads(raw.decode("utf-8"))
        except UnicodeDecodeError:
            yield Failure(source, f"{where}not UTF-8")
            continue
        except json.JSONDecodeError as exc:
            yield Failure(source, f"{where}invalid JSON: {exc.msg}")
            continue
        yield from _records([(where, item)], source)


class _Numbered:
    """Yields ``(number, line)`` and remembers the last number, for error messages."""

    def __init__(self) -> None:
        self.number = 0

    def over(self, stream: Iterable[bytes]) -> Iterator[tuple[int, bytes]]:
        for line in stream:
            self.number += 1
            yield self.number, line


def read_jsonl(path: Path, source: str) -> Iterator[Article | Failure]:
    """JSON Lines, plain or gzip-compressed (``.gz``), streamed one line at a time."""
    lines = _Numbered()
    try:
        if path.name.lower().endswith(".gz"):
            with gzip.open(path, "rb") as packed:
                if b"\x00" in packed.peek(4096)[:4096]:
                    yield Failure(source, "binary file")
                    return
                yield from _json_lines(lines.over(packed), source)
        else:
            with path.open("rb") as stream:
                yield from _json_lines(lines.over(stream), source)
    except gzip.BadGzipFile:
        yield Failure(source, "not a gzip file")
    except EOFError:
        yield Failure(source, f"truncated gzip file (after line {lines.number})")
    except zlib.error as exc:
        yield Failure(source, f"corrupt gzip file after line {lines.number}: {exc}")
    except OSError as exc:
        yield Failure(source, f"cannot read: {exc.strerror or exc}")


def read_csv(path: Path, source: str, max_bytes: int) -> Iterator[Article | Failure]:
    """CSV (or TSV by extension) with a header row naming the fields."""
    csv.field_size_limit(max(csv.field_size_limit(), max_bytes))
    delimiter = "\t" if path.suffix.lower() == ".tsv" else ","
    line = 0
    try:
        with path.open(newline="", encoding="utf-8-sig") as stream:
            reader = csv.DictReader(stream, delimiter=delimiter)
            if not reader.fieldnames:
                yield Failure(source, "no header row")
                return
            seen = 0
            for row in reader:
                line = reader.line_num
                seen += 1
                record = {k: v for k, v in row.items() if isinstance(k, str)}
                yield from record_to_article(record, source, f"line {line}: ")
            if not seen:
                yield Failure(source, "no records")
    except UnicodeDecodeError:
        yield Failure(source, f"not UTF-8 (after line {line})")
    except csv.Error as exc:
        yield Failure(source, f"line {line + 1}: invalid CSV: {exc}")
