"""Local files and folders: discovery (recursive, globs), sanity checks, per-format readers."""

from __future__ import annotations

import glob
import logging
import os
import re
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from index.records import Article
from ingest.settings import IngestSettings

from .build import build_article
from .clean import is_furniture
from .feeds import feed_articles, parse_feed
from .fetch import Fetcher
from .html import extract_page
from .limits import Limits, describe, text_cut_warning
from .model import Failure, human_bytes
from .records import read_csv, read_json, read_jsonl

log = logging.getLogger(__name__)

TEXT_SUFFIXES = (".txt", ".md", ".markdown")
HTML_SUFFIXES = (".html", ".htm", ".xhtml")
FEED_SUFFIXES = (".xml", ".rss", ".atom")
JSONL_SUFFIXES = (".jsonl", ".ndjson", ".jsonl.gz", ".ndjson.gz")
SUPPORTED = (*TEXT_SUFFIXES, *HTML_SUFFIXES, *FEED_SUFFIXES, *JSONL_SUFFIXES,
             ".json", ".csv", ".tsv")
_GLOB_CHARS = frozenset("*?[")


def _suffix(path: Path) -> str:
    name = path.name.lower()
    for suffix in JSONL_SUFFIXES:
        if name.endswith(suffix):
            return suffix
    return path.suffix.lower()


def discover(location: str) -> Iterator[Path | Failure]:
    """Files named by a path, a folder (recursive) or a glob, sorted; hidden entries skipped.

    Inside a folder (or below a glob's fixed folder) a symlink is followed only when it points
    inside that folder: one pointing out (``-> /etc/hostname``) is skipped and reported, and
    linked folders are never walked (their files are reached through their real path).
    """
    if _GLOB_CHARS & set(location):
        matches = sorted(glob.glob(location, recursive=True))  # noqa: PTH207 - absolute user patterns
        if not matches:
            yield Failure(location, "no files match")
        base = _glob_base(location)
        for match in matches:
            path = Path(match)
            if (outside := _outside(path, base)) is not None:
                yield outside
            elif path.is_dir():
                yield from _walk(path)
            else:
                yield path
        return
    path = Path(location).expanduser()
    if path.is_dir():
        yield from _walk(path)
    elif path.exists():
        yield path
    else:
        yield Failure(location, "not found (no such file or folder, no glob match)")


def _glob_base(pattern: str) -> Path:
    """The folder above a pattern's first glob character: ``news/**/*.txt`` -> ``news``."""
    first = min(pattern.index(c) for c in _GLOB_CHARS if c in pattern)
    head = pattern[:first]
    return Path(head) if head.endswith(("/", os.sep)) else Path(head or ".").parent


def _outside(path: Path, folder: Path) -> Failure | None:
    """A ``Failure`` when ``path`` is a symlink that leads out of ``folder`` (or nowhere)."""
    if not path.is_symlink():
        return None
    try:
        target = path.resolve(strict=True)
        root = folder.resolve(strict=True)
    except (OSError, RuntimeError):  # dangling link or a loop
        return Failure(str(path), "broken symlink or symlink loop")
    if target != root and root not in target.parents:
        return Failure(str(path), f"symlink to {target}, outside {root}: not followed")
    return None


def _walk(folder: Path) -> Iterator[Path | Failure]:
    found: list[Path | Failure] = []
    for top, dirs, names in os.walk(folder):  # does not descend into linked folders
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        for name in [*names, *dirs]:
            path = Path(top, name)
            if name.startswith(".") or (name in dirs and not path.is_symlink()):
                continue
            if (outside := _outside(path, folder)) is not None:
                found.append(outside)
            elif path.is_file():
                found.append(path)
    yield from sorted(found, key=lambda f: Path(f.source) if isinstance(f, Failure) else f)


def _check(path: Path, settings: IngestSettings) -> Failure | None:
    """Size, emptiness and binary content, before any parsing."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        return Failure(str(path), f"cannot read: {exc.strerror or exc}")
    if size > settings.max_file_bytes:
        return Failure(str(path), f"file too large ({human_bytes(size)} > "
                                  f"{human_bytes(settings.max_file_bytes)})")
    if size == 0:
        return Failure(str(path), "empty file")
    if _suffix(path).endswith(".gz"):
        return None  # checked once decompressed
    try:
        with path.open("rb") as stream:
            head = stream.read(8192)
    except OSError as exc:
        return Failure(str(path), f"cannot read: {exc.strerror or exc}")
    if b"\x00" in head:
        return Failure(str(path), "binary file")
    if not head.strip():
        return Failure(str(path), "empty file")
    return None


def _decode(data: bytes, source: str) -> str | Failure:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return Failure(source, f"not UTF-8 (invalid byte 0x{data[exc.start]:02x} at offset "
                               f"{exc.start})")


def split_front_matter(text: str) -> tuple[dict[str, str], str]:
    """``---`` YAML-ish ``key: value`` lines (``#`` comments) or ``+++`` TOML front matter."""
    stripped = text.lstrip("\ufeff")
    for fence in ("---", "+++"):
        if not stripped.startswith(fence + "\n") and not stripped.startswith(fence + "\r\n"):
            continue
        body_start = stripped.find(f"\n{fence}", len(fence))
        if body_start < 0:
            break
        block = stripped[len(fence):body_start]
        rest = stripped[body_start + len(fence) + 1:]
        if fence == "+++":
            try:
                data = tomllib.loads(block)
            except tomllib.TOMLDecodeError:
                break
            return {k.lower(): str(v) for k, v in data.items()}, rest
        meta: dict[str, str] = {}
        for line in block.splitlines():
            if not line.strip() or line.lstrip().startswith("#") or ":" not in line:
                continue
            key, value = line.split(":", 1)
            value = value.strip()
            if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
                value = value[1:-1]
            meta[key.strip().lower()] = value
        if meta:  # a leading "---" rule without fields is not front matter
            return meta, rest
        break
    return {}, text


# A single identifier-like token: "share_log", "id:1234", "v2", "lang=en" (not "Nvidia").
_IDENTIFIER = re.compile(r"(?=.*[_/#@:=\d]|[a-z0-9_.=-]+$)[A-Za-z0-9_.:/#@=-]+")
_BYLINE_DATE = re.compile(
    r"\b(?:(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?\s+\d{1,2}(?:st|nd|"
    r"rd|th)?,?\s+\d{4}|\d{1,2}\s+(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\.?"
    r",?\s+\d{4}|\d{4}-\d{2}-\d{2})(?:,?\s+\d{1,2}:\d{2}(?:\s*[AaPp]\.?[Mm]\.?)?)?"
)


def _latin_share(line: str) -> float:
    letters = [c for c in line if c.isalpha()]
    return sum(c.isascii() for c in letters) / len(letters) if letters else 0.0


def _title_line(lines: list[str]) -> int | None:
    """Which line of a plain text is its title: the first line that is neither furniture nor a
    lone identifier ("share_log"); when that one is mostly non-Latin (a Chinese title) and an
    English title line follows right after, the English one."""
    candidates: list[int] = []
    for i, line in enumerate(lines):
        stripped = line.lstrip("#").strip()
        if not stripped:
            continue
        if not candidates and (is_furniture(stripped) or _IDENTIFIER.fullmatch(stripped)):
            continue
        candidates.append(i)
        if len(candidates) == 3:
            break
    if not candidates:
        return None
    first = candidates[0]
    if _latin_share(lines[first]) < 0.5:
        for i in candidates[1:]:
            line = lines[i].strip()
            if _latin_share(line) > 0.9 and len(line) <= 200 and len(line.split()) >= 2:
                return i
    return first


def _byline_date(lines: list[str]) -> str | None:
    """A full date (with its year) on a short line near the top: "Reuters · Feb 19, 2024"."""
    seen = 0
    for line in lines:
        stripped = line.strip()
        if not stripped:
            continue
        seen += 1
        if seen > 8:
            break
        if len(stripped) <= 80 and (found := _BYLINE_DATE.search(stripped)) is not None:
            return found.group(0)
    return None


def read_text_file(text: str, source: str) -> Iterator[Article | Failure]:
    """``.txt``/``.md``: front matter fields, else the first line that is not furniture or a
    lone identifier is the title (an English title line right after a non-Latin one wins),
    and a full date on a short byline line near the top is the date (else none)."""
    meta, body = split_front_matter(text)
    title = meta.get("title") or meta.get("headline")
    date = meta.get("date") or meta.get("published")
    if not title:
        lines = body.split("\n")
        index = _title_line(lines)
        title = lines[index].lstrip("#").strip() if index is not None else ""
        if index is not None:  # lines before the title go; the rest is cleaned as usual
            start = next(i for i, line in enumerate(lines) if i <= index and (
                line.strip() and not is_furniture(line.strip())
                and not _IDENTIFIER.fullmatch(line.strip())))
            lines = lines[start:index] + lines[index + 1:]
        body = "\n".join(lines)
        if not date and not meta:
            date = _byline_date(lines)
    yield from build_article(
        source=source,
        title=title,
        text=body,
        url=meta.get("url") or meta.get("link"),
        date=date,
        outlet=meta.get("outlet") or meta.get("source") or meta.get("site"),
        language=meta.get("language") or meta.get("lang"),
        is_html=False,
    )


def read_html_file(data: bytes, source: str) -> Iterator[Article | Failure]:
    """An HTML page saved to disk: trafilatura main text, title, date and site name."""
    page = extract_page(data)
    if page is None:
        yield Failure(source, "no main text found in the HTML")
        return
    yield from build_article(
        source=source, title=page.title, text=page.text, url=page.url, date=page.date,
        outlet=page.sitename, language=page.language, is_html=False, lines_are_paragraphs=True,
    )


def _read_head(path: Path, limit: int) -> tuple[bytes, bool]:
    """The first ``limit`` bytes of a file (all of it when smaller) and whether it was cut."""
    with path.open("rb") as stream:
        data = stream.read(limit + 1)
    if len(data) <= limit:
        return data, False
    data = data[:limit]
    for back in range(1, 4):  # do not end inside a UTF-8 sequence
        if len(data) >= back and (data[-back] & 0xC0) == 0xC0:
            return data[:-back], True
        if len(data) >= back and (data[-back] & 0x80) == 0:
            break
    return data, True


def _entry_text_fields(entry: Any, limit: int) -> None:
    """Cut a feed entry's summary and content values to ``limit`` characters, in place."""
    summary = entry.get("summary")
    if isinstance(summary, str) and len(summary) > limit:
        entry["summary"] = summary[:limit]
    for content in entry.get("content") or []:
        value = content.get("value") if hasattr(content, "get") else None
        if isinstance(value, str) and len(value) > limit:
            content["value"] = value[:limit]


_ENTRY_WHERE = re.compile(r"^entry (\d+): ")
_FEED_SLICE = 32


def bounded_feed_articles(
    parsed: Any, source: str, fetcher: Fetcher | None, full_text: bool, limits: Limits
) -> Iterator[Article | Failure]:
    """``feed_articles`` with bounds: at most ``limits.items`` entries (the rest reported),
    entry texts cut to ``limits.raw_chars`` before cleaning, and an entry that raises skipped
    with its number while the others are kept. Entries go in slices of 32 (full-text fetches
    stay concurrent inside a slice); a slice that raises is redone one entry at a time."""
    import feedparser

    entries = list(parsed.entries)
    if len(entries) > limits.items:
        del entries[limits.items:]
    feed = parsed.get("feed", {})

    def run(first: int, part: list[Any]) -> list[Article | Failure]:
        view = feedparser.FeedParserDict(feed=feed, entries=part)
        out: list[Article | Failure] = []
        for item in feed_articles(view, source, fetcher, full_text):
            if isinstance(item, Failure) and (m := _ENTRY_WHERE.match(item.reason)):
                number = first + int(m.group(1)) - 1
                item = Failure(item.source, f"entry {number}: {item.reason[m.end():]}",
                               item.warning)
            out.append(item)
        return out

    for start in range(0, len(entries), _FEED_SLICE):
        part = entries[start:start + _FEED_SLICE]
        for entry in part:
            _entry_text_fields(entry, limits.raw_chars)
        try:
            yield from run(start + 1, part)
            continue
        except Exception:  # find the entry that raised, keep the others
            log.debug("error in a slice of %s", source, exc_info=True)
        for offset, entry in enumerate(part):
            number = start + offset + 1
            try:
                yield from run(number, [entry])
            except Exception as exc:  # noqa: BLE001 - this entry's problem only
                yield Failure(source, f"entry {number}: {describe(exc)}")
    if len(parsed.entries) > limits.items:
        yield Failure(source, f"stopped after {limits.items:,} entries of "
                              f"{len(parsed.entries):,} (INGEST_MAX_ITEMS_PER_SOURCE)")


def read_file(
    path: Path, settings: IngestSettings, fetcher: Fetcher | None = None,
    kind: str = "auto", full_text: bool = False,
) -> Iterator[Article | Failure]:
    """Read one file according to its extension (or ``kind`` "feed"/"page")."""
    produced = False
    for item in _read_file(path, settings, fetcher, kind, full_text):
        produced = True
        yield item
    if not produced:
        yield Failure(str(path), "no records")


def _read_file(
    path: Path, settings: IngestSettings, fetcher: Fetcher | None, kind: str, full_text: bool
) -> Iterator[Article | Failure]:
    source = str(path)
    suffix = _suffix(path)
    if kind == "feed":
        suffix = ".xml"
    elif kind == "page":
        suffix = ".html"
    if suffix not in SUPPORTED:
        yield Failure(source, f"unsupported file type '{suffix or path.name}'")
        return
    if (problem := _check(path, settings)) is not None:
        yield problem
        return
    limits = Limits.of(settings)
    if suffix in JSONL_SUFFIXES:
        yield from read_jsonl(path, source, limits)
        return
    if suffix in (".csv", ".tsv"):
        yield from read_csv(path, source, limits)
        return
    # A text or page is read only as far as an article can use (its raw text: markup,
    # furniture and all); feeds and JSON documents are read whole (max_file_bytes bounds them).
    head = (limits.raw_chars if suffix in TEXT_SUFFIXES
            else max(limits.raw_chars, settings.fetch_max_bytes) if suffix in HTML_SUFFIXES
            else settings.max_file_bytes)
    try:
        data, cut = _read_head(path, head)
    except OSError as exc:
        yield Failure(source, f"cannot read: {exc.strerror or exc}")
        return
    if suffix in HTML_SUFFIXES:
        items = read_html_file(data, source)
    elif suffix in FEED_SUFFIXES:
        parsed = parse_feed(data, source)
        items = iter([parsed]) if isinstance(parsed, Failure) else bounded_feed_articles(
            parsed, source, fetcher, full_text, limits)
    elif isinstance(text := _decode(data, source), Failure):
        items = iter([text])
    elif suffix == ".json":
        items = read_json(text, source, limits)
    else:
        items = read_text_file(text, source)
    for item in items:
        if cut and isinstance(item, Article):  # the reader cuts the clean text: no 2nd warning
            yield text_cut_warning(source, "", limits.article_chars)
            cut = False
        yield item
