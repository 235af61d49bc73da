"""Index directory layout and atomic publication of generations.

    INDEX_DIR/
      CURRENT                 name of the serving generation, replaced atomically
      .lock                   held (flock) by the one writer at a time
      generations/
        g000007/              a published generation: never modified again
          manifest.json  meta.sqlite  vectors.faiss
        .building-<pid>-<n>/  a run in progress; left behind by a crash, removed by the next run

A reader opens the generation that CURRENT names. A writer builds a complete new generation
in a ``.building-*`` directory, fsyncs it, renames it into place and only then swaps CURRENT,
so a crash at any point (even SIGKILL) leaves the previous generation serving.

A generation whose files are missing, partial or unreadable (a manifest that does not parse,
a ``vectors.faiss`` of another size than its manifest records, one FAISS cannot read or that
holds another count or kind of vectors) is refused with ``IndexCorrupt``: by ``publish``
before it is made current, by a reader when it opens it. ``LiveIndex`` then keeps serving the
generation it had.
"""

from __future__ import annotations

import fcntl
import logging
import os
import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from index import vectors
from index.errors import IndexBusy, IndexCorrupt, IndexNotFound
from index.manifest import MANIFEST_NAME, Manifest

log = logging.getLogger(__name__)

CURRENT = "CURRENT"
GENERATIONS = "generations"
SQLITE_NAME = "meta.sqlite"
VECTORS_NAME = "vectors.faiss"
_GEN = re.compile(r"^g(\d{6,})$")


def generation_name(number: int) -> str:
    return f"g{number:06d}"


def current_generation(index_dir: Path) -> Path:
    """The directory of the serving generation; IndexNotFound when none was published."""
    pointer = index_dir / CURRENT
    try:
        name = pointer.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        raise IndexNotFound(
            f"no index in {index_dir}: run `python -m ingest` first"
        ) from None
    if not _GEN.match(name):
        raise IndexCorrupt(f"{pointer} names {name!r}, not a generation")
    path = index_dir / GENERATIONS / name
    if not path.is_dir():
        raise IndexCorrupt(f"{pointer} names {name}, which does not exist")
    return path


def read_manifest(path: Path) -> Manifest:
    """A generation's manifest; IndexCorrupt when it is missing or does not parse."""
    try:
        return Manifest.read(path)
    except (OSError, ValueError, ValidationError) as exc:
        raise IndexCorrupt(f"{path / MANIFEST_NAME} cannot be read: {exc}") from exc


def check_files(path: Path, manifest: Manifest) -> None:
    """Cheap checks of a generation's files (no read): both exist, and ``vectors.faiss`` has
    the size its manifest records (a partial copy or a truncated write does not)."""
    for name in (SQLITE_NAME, VECTORS_NAME):
        if not (path / name).is_file():
            raise IndexCorrupt(f"{path.name} has no {name}")
    expected = manifest.vectors.bytes
    size = (path / VECTORS_NAME).stat().st_size
    if expected is not None and size != expected:
        raise IndexCorrupt(
            f"{path / VECTORS_NAME} has {size} bytes, its manifest records {expected}: "
            "a partial or damaged file"
        )


def read_vectors(path: Path, manifest: Manifest) -> Any:
    """A generation's FAISS index, checked against its manifest (kind, count, dimension);
    IndexCorrupt when FAISS cannot read it or it is not the index the manifest describes."""
    check_files(path, manifest)
    try:
        index = vectors.read_index(path / VECTORS_NAME)
    except (RuntimeError, MemoryError, OSError) as exc:
        raise IndexCorrupt(f"{path / VECTORS_NAME} cannot be read: {exc}") from exc
    info = manifest.vectors
    count = info.count if info.count is not None else manifest.counts.chunks
    problems = []
    if vectors.kind(index) != info.kind:
        problems.append(f"a {vectors.kind(index)} index where the manifest says {info.kind}")
    if int(index.ntotal) != count:
        problems.append(f"{index.ntotal} vectors where the manifest says {count}")
    if int(index.d) != manifest.dimension:
        problems.append(f"dimension {index.d} where the manifest says {manifest.dimension}")
    if problems:
        raise IndexCorrupt(f"{path / VECTORS_NAME} holds {'; '.join(problems)}")
    return index


def current_name(index_dir: Path) -> str | None:
    """The serving generation's name, or None (cheap: used to notice a new publication)."""
    try:
        return (index_dir / CURRENT).read_text(encoding="utf-8").strip() or None
    except FileNotFoundError:
        return None


def published(index_dir: Path) -> list[int]:
    root = index_dir / GENERATIONS
    if not root.is_dir():
        return []
    numbers = [int(m.group(1)) for p in root.iterdir() if (m := _GEN.match(p.name))]
    return sorted(numbers)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_tree(path: Path) -> None:
    """Flush every file of a directory, then the directory itself."""
    for child in path.iterdir():
        if child.is_file():
            with child.open("rb") as handle:
                os.fsync(handle.fileno())
    _fsync_dir(path)


@contextmanager
def writer_lock(index_dir: Path) -> Iterator[None]:
    """Exclusive lock for one ingest run; released by the OS even if the process is killed."""
    index_dir.mkdir(parents=True, exist_ok=True)
    with (index_dir / ".lock").open("a+") as handle:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise IndexBusy(f"another ingest run is writing {index_dir}") from None
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def new_building_dir(index_dir: Path) -> Path:
    """A fresh scratch directory for a run; stale ones from crashed runs are removed first.

    Call only while holding :func:`writer_lock`, so no live run owns a stale directory.
    """
    root = index_dir / GENERATIONS
    root.mkdir(parents=True, exist_ok=True)
    for stale in root.glob(".building-*"):
        log.warning("removing %s left by an interrupted run", stale.name)
        shutil.rmtree(stale, ignore_errors=True)
    path = root / f".building-{os.getpid()}"
    path.mkdir()
    return path


def publish(index_dir: Path, building: Path, number: int, keep: int = 3) -> Path:
    """Make ``building`` the serving generation ``number``: fsync, rename, swap CURRENT."""
    root = index_dir / GENERATIONS
    final = root / generation_name(number)
    if final.exists():
        raise IndexCorrupt(f"{final} already exists")
    check_files(building, read_manifest(building))
    fsync_tree(building)
    building.rename(final)
    _fsync_dir(root)
    tmp = index_dir / f".{CURRENT}.tmp"
    with tmp.open("w", encoding="utf-8") as handle:
        handle.write(final.name + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    tmp.replace(index_dir / CURRENT)
    _fsync_dir(index_dir)
    _collect_garbage(index_dir, keep)
    return final


def _collect_garbage(index_dir: Path, keep: int) -> None:
    """Drop old generations beyond ``keep`` (readers still holding one keep their open files)."""
    numbers = published(index_dir)
    serving = current_name(index_dir)
    for number in numbers[:-keep] if keep > 0 else []:
        name = generation_name(number)
        if name != serving:
            shutil.rmtree(index_dir / GENERATIONS / name, ignore_errors=True)
