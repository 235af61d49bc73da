"""Structured files: JSON (object or list), JSON Lines (plain or gzip), CSV/TSV.

Records are mapped to articles through common field aliases (case, ``_`` and ``-`` are
ignored in field names). JSON Lines are streamed line by line with a bounded reader, so a
large ``.jsonl.gz`` (or one huge line) is never held in memory: a line longer than
``Limits.line_bytes`` is skipped, a ``.gz`` stops after ``Limits.gz_bytes`` decompressed. A bad
line (invalid, too deep, anything raising) is reported with its number and skipped; the
lines after it are read.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import zlib
from collections.abc import Iterable, Iterator, Mapping
from functools import partial
from pathlib import Path
from typing import Any

from index.records import Article

from .build import build_article
from .limits import BoundedLines, Limits, LineStream, guarded
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
    record: Mapping[str, Any], source: str, where: str = "", limits: Limits | None = None
) -> Iterator[Article | Failure]:
    """Map one record (any common field names) to an article, or a ``Failure``; the raw text
    is cut to ``limits.raw_chars`` before cleaning (the reader cuts the clean text and
    reports it)."""
    limits = limits or Limits()
    fields = {_norm_key(k): v for k, v in record.items()}
    url = _first(fields, URL)
    if not (isinstance(url, str) and url.lower().startswith(("http://", "https://"))):
        url = None
    text = _first(fields, TEXT)
    title = _first(fields, TITLE)
    yield from build_article(
        source=source,
        title=title[: limits.raw_chars // 100] if isinstance(title, str) else None,
        text=text[: limits.raw_chars] if isinstance(text, str) else None,
        url=url,
        date=_first(fields, DATE),
        outlet=_first(fields, OUTLET),
        feed_url=feed if isinstance(feed := _first(fields, FEED), str) else None,
        language=_first(fields, LANGUAGE),
        where=where,
    )


def _records(
    items: Iterable[tuple[str, Any]], source: str, limits: Limits
) -> Iterator[Article | Failure]:
    for where, item in items:
        if isinstance(item, Mapping):
            yield from guarded(source, where,
                               partial(record_to_article, item, source, where, limits))
        else:
            yield Failure(source, f"{where}not a JSON object")


def read_json(data: str, source: str, limits: Limits | None = None) -> Iterator[Article | Failure]:
    """A JSON document: one object, a list of objects, or {"articles": [...]}-style."""
    limits = limits or Limits()
    try:
        doc = json.loads(data)
    except json.JSONDecodeError as exc:
        if exc.msg == "Extra data":  # JSON Lines saved as .json
            lines = BoundedLines(limits.line_bytes)
            yield from _json_lines(lines, io.BytesIO(data.encode()), source, limits)
            return
        yield Failure(source, f"invalid JSON: {exc.msg} (line {exc.lineno})")
        return
    except RecursionError:
        yield Failure(source, "invalid JSON: nested too deeply")
        return
    if isinstance(doc, dict):
        nested = next((doc[k] for k in _LIST_KEYS if isinstance(doc.get(k), list)), None)
        if nested is None:
            yield from _records([("", doc)], source, limits)
            return
        doc = nested
    if not isinstance(doc, list):
        yield Failure(source, "not a JSON object or list of objects")
        return
    if not doc:
        yield Failure(source, "no records")
        return
    yield from _records(((f"item {i}: ", item) for i, item in enumerate(doc, 1)), source, limits)


def _json_lines(
    lines: BoundedLines, stream: LineStream, source: str, limits: Limits
) -> Iterator[Article | Failure]:
    for number, raw in lines.over(stream):
        if raw is None:
            yield lines.too_long(source, number)
            continue
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
        except RecursionError:
            yield Failure(source, f"{where}invalid JSON: nested too deeply")
            continue
        yield from _records([(where, item)], source, limits)
    if lines.over_total:
        yield lines.stopped(source)


def read_jsonl(
    path: Path, source: str, limits: Limits | None = None
) -> Iterator[Article | Failure]:
    """JSON Lines, plain or gzip-compressed (``.gz``), streamed one bounded line at a time."""
    limits = limits or Limits()
    packed_file = path.name.lower().endswith(".gz")
    lines = BoundedLines(limits.line_bytes, limits.gz_bytes if packed_file else None)
    try:
        if packed_file:
            with gzip.open(path, "rb") as packed:
                if b"\x00" in packed.peek(4096)[:4096]:
                    yield Failure(source, "binary file")
                    return
                yield from _json_lines(lines, packed, source, limits)
        else:
            with path.open("rb") as stream:
                yield from _json_lines(lines, stream, source, limits)
    except gzip.BadGzipFile:
        yield Failure(source, "not a gzip file")
    except EOFError:
        yield Failure(source, f"truncated gzip file (after line {lines.number})")
    except zlib.error as exc:
        yield Failure(source, f"corrupt gzip file after line {lines.number}: {exc}")
    except OSError as exc:
        yield Failure(source, f"cannot read: {exc.strerror or exc}")


def read_csv(path: Path, source: str, limits: Limits | None = None) -> Iterator[Article | Failure]:
    """CSV (or TSV by extension) with a header row naming the fields; a field longer than
    ``limits.line_bytes`` ends the file with a reason (the csv module's own limit)."""
    limits = limits or Limits()
    csv.field_size_limit(limits.line_bytes)
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
                where = f"line {line}: "
                yield from guarded(source, where,
                                   partial(record_to_article, record, source, where, limits))
            if not seen:
                yield Failure(source, "no records")
    except UnicodeDecodeError:
        yield Failure(source, f"not UTF-8 (after line {line})")
    except csv.Error as exc:
        yield Failure(source, f"line {line + 1}: invalid CSV: {exc}")
