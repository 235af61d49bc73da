"""Local files and folders: discovery (recursive, globs), sanity checks, per-format readers."""

from __future__ import annotations

import glob
import logging
import re
import tomllib
from collections.abc import Iterator
from pathlib import Path

from index.records import Article
from ingest.settings import IngestSettings

from .build import build_article
from .clean import is_furniture
from .feeds import feed_articles, parse_feed
from .fetch import Fetcher
from .html import extract_page
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
    """Files named by a path, a folder (recursive) or a glob, sorted; hidden entries skipped."""
    if _GLOB_CHARS & set(location):
        matches = sorted(glob.glob(location, recursive=True))  # noqa: PTH207 - absolute user patterns
        if not matches:
            yield Failure(location, "no files match")
        for match in matches:
            path = Path(match)
            yield from (_walk(path) if path.is_dir() else [path])
        return
    path = Path(location).expanduser()
    if path.is_dir():
        yield from _walk(path)
    elif path.exists():
        yield path
    else:
        yield Failure(location, "not found (no such file or folder, no glob match)")


def _walk(folder: Path) -> Iterator[Path]:
    files = [p for p in folder.rglob("*")
             if p.is_file() and not any(part.startswith(".")
                                        for part in p.relative_to(folder).parts)]
    yield from sorted(files)


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
    if suffix in JSONL_SUFFIXES:
        yield from read_jsonl(path, source)
        return
    if suffix in (".csv", ".tsv"):
        yield from read_csv(path, source, settings.max_file_bytes)
        return
    try:
        data = path.read_bytes()
    except OSError as exc:
        yield Failure(source, f"cannot read: {exc.strerror or exc}")
        return
    if suffix in HTML_SUFFIXES:
        yield from read_html_file(data, source)
    elif suffix in FEED_SUFFIXES:
        parsed = parse_feed(data, source)
        if isinstance(parsed, Failure):
            yield parsed
        else:
            yield from feed_articles(parsed, source, fetcher, full_text)
    elif isinstance(text := _decode(data, source), Failure):
        yield text
    elif suffix == ".json":
        yield from read_json(text, source)
    else:
        yield from read_text_file(text, source)
