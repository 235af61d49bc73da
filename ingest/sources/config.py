"""The TOML sources file and the resolution of CLI source arguments.

Format (``ingest/data/sources.toml`` is the default)::

    [[source]]
    name = "techcrunch-ai"          # used on the command line: python -m ingest techcrunch-ai
    url = "https://techcrunch.com/category/artificial-intelligence/feed/"   # or: path = "..."
    kind = "feed"                   # optional: auto (default) | feed | page | path
    full_text = false               # optional: fetch each item's page (feeds only)
    tags = ["feeds", "ai"]          # optional: a tag names a group of sources
    default = true                  # optional: false = only read when named (or by tag/all)
    note = "..."                    # optional: free text

A relative ``path`` is looked up against the sources file's folder, then the project root
(the folder holding the ``ingest`` package), then the current directory; the first that
exists wins (the file's folder when none does).
"""

from __future__ import annotations

import glob
import tomllib
from importlib import resources
from pathlib import Path
from typing import Any, cast

from .model import SourceKind, SourceSpec, is_url

PROJECT_ROOT = Path(__file__).resolve().parents[2]
_KINDS = ("auto", "feed", "page", "path")
_KEYS = frozenset({"name", "url", "path", "kind", "full_text", "tags", "note", "default"})
ALL = "all"


class SourcesFileError(ValueError):
    """The sources file is missing or malformed (the message says where)."""


def default_sources_file() -> Path:
    """The sources file shipped with the package."""
    return Path(str(resources.files("ingest").joinpath("data", "sources.toml")))


def _exists(candidate: Path) -> bool:
    text = str(candidate)
    if set("*?[") & set(text):
        return bool(glob.glob(text, recursive=True))  # noqa: PTH207 - absolute user patterns
    return candidate.exists()


def resolve_path(raw: str, base: Path) -> str:
    """Absolute location for a path written in a sources file in folder ``base``."""
    path = Path(raw).expanduser()
    if path.is_absolute():
        return str(path)
    candidates = [base / path, PROJECT_ROOT / path, Path.cwd() / path]
    found = next((c for c in candidates if _exists(c)), candidates[0])
    return str(found.resolve()) if not set("*?[") & set(str(found)) else str(found)


def _entry(raw: Any, index: int, base: Path, where: str) -> tuple[SourceSpec, list[str], bool]:
    at = f"{where}: source #{index}"
    if not isinstance(raw, dict):
        raise SourcesFileError(f"{at}: expected a table")
    unknown = set(raw) - _KEYS
    if unknown:
        raise SourcesFileError(f"{at}: unknown key(s) {', '.join(sorted(unknown))}")
    url, path = raw.get("url"), raw.get("path")
    if (url is None) == (path is None):
        raise SourcesFileError(f"{at}: give exactly one of 'url' or 'path'")
    location = url if url is not None else path
    if not isinstance(location, str) or not location.strip():
        raise SourcesFileError(f"{at}: 'url'/'path' must be a non-empty string")
    if url is not None and not is_url(url):
        raise SourcesFileError(f"{at}: url must start with http:// or https://")
    kind = raw.get("kind", "auto")
    if kind not in _KINDS:
        raise SourcesFileError(f"{at}: kind must be one of {', '.join(_KINDS)}")
    full_text = raw.get("full_text")
    if full_text is not None and not isinstance(full_text, bool):
        raise SourcesFileError(f"{at}: full_text must be true or false")
    tags = raw.get("tags", [])
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        raise SourcesFileError(f"{at}: tags must be a list of strings")
    name = raw.get("name") or location
    if not isinstance(name, str):
        raise SourcesFileError(f"{at}: name must be a string")
    default = raw.get("default", True)
    if not isinstance(default, bool):
        raise SourcesFileError(f"{at}: default must be true or false")
    if path is not None:
        location = resolve_path(path, base)
    return SourceSpec(name, location, cast(SourceKind, kind), full_text), tags, default


def _load(path: Path | None) -> list[tuple[SourceSpec, list[str], bool]]:
    file = path if path is not None else default_sources_file()
    try:
        data = tomllib.loads(file.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise SourcesFileError(f"{file}: sources file not found") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise SourcesFileError(f"{file}: cannot read: {exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise SourcesFileError(f"{file}: invalid TOML: {exc}") from exc
    raw = data.get("source", data.get("sources", []))
    if not isinstance(raw, list):
        raise SourcesFileError(f"{file}: expected [[source]] tables")
    base = file.resolve().parent
    entries = [_entry(item, i, base, str(file)) for i, item in enumerate(raw, 1)]
    names = [spec.name for spec, _, _ in entries]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise SourcesFileError(f"{file}: duplicate source name(s) {', '.join(duplicates)}")
    return entries


def load_sources_file(path: Path | None) -> list[SourceSpec]:
    """Every entry of a TOML sources file (None: the packaged default).

    Raises ``SourcesFileError`` when the file is missing or malformed.
    """
    return [spec for spec, _, _ in _load(path)]


def resolve_specs(args: list[str], sources_file: Path | None) -> list[SourceSpec]:
    """Turn CLI arguments into specs; no arguments: the sources file's default entries.

    Each argument is, in this order: a URL; a source name or tag of the sources file
    (``all`` is every entry); a ``.toml`` sources file (its entries); else a path or glob
    (a path that does not exist is reported as a ``Failure`` when read).
    Raises ``SourcesFileError`` only when the sources file is needed and broken.
    """
    loaded: list[tuple[SourceSpec, list[str], bool]] | None = None
    error: SourcesFileError | None = None

    def entries() -> list[tuple[SourceSpec, list[str], bool]]:
        nonlocal loaded, error
        if loaded is None and error is None:
            try:
                loaded = _load(sources_file)
            except SourcesFileError as exc:
                error = exc
        return loaded or []

    specs: list[SourceSpec] = []
    if not args:
        entries()
        if error is not None:
            raise error
        specs = [spec for spec, _, default in loaded or [] if default]
    for arg in args:
        arg = arg.strip()
        if is_url(arg):
            specs.append(SourceSpec(arg, arg))
            continue
        named = [spec for spec, tags, _ in entries()
                 if arg in (spec.name, ALL) or arg in tags]
        if named:
            specs.extend(named)
        elif arg.lower().endswith(".toml") and Path(arg).is_file():
            specs.extend(load_sources_file(Path(arg)))
        elif error is not None and not _exists(Path(arg)):
            raise error
        else:
            specs.append(SourceSpec(arg, arg, "path"))
    unique: dict[tuple[str, str], SourceSpec] = {}
    for spec in specs:
        unique.setdefault((spec.location, spec.kind), spec)
    return list(unique.values())
