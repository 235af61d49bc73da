"""Building and publishing a new generation (one writer at a time)."""

from __future__ import annotations

import logging
import shutil
from contextlib import ExitStack
from pathlib import Path
from types import TracebackType
from typing import Any

import numpy as np

from index import generations, vectors
from index.errors import IndexError_
from index.generations import SQLITE_NAME, VECTORS_NAME
from index.manifest import Counts, Manifest, VectorsInfo, utcnow
from index.store import WriteStore, connect

log = logging.getLogger(__name__)


class IndexWriter:
    """Copy-on-write editing of the serving generation; ``commit`` publishes atomically.

    Leaving the ``with`` block without ``commit`` (an exception, a cancel) discards the
    building directory and leaves the serving generation as it was.

    At ``commit`` the vector index is chosen (``index.vectors.choose``): from
    ``ann_min_vectors`` vectors an approximate ``ivf-sq8`` index, trained then on a sample of
    the vectors (and again once it has grown 4x); below, the exact flat one.
    """

    def __init__(
        self, index_dir: Path, model_id: str, dimension: int, max_tokens: int, keep: int = 3,
        ann_min_vectors: int = vectors.ANN_MIN_VECTORS,
    ) -> None:
        self.index_dir = index_dir
        self.ann_min_vectors = ann_min_vectors
        self.model_id = model_id
        self.dimension = dimension
        self.max_tokens = max_tokens
        self.keep = keep
        self._stack = ExitStack()
        self._building: Path | None = None
        self._previous: Manifest | None = None
        self.store: WriteStore
        self.started = utcnow()

    def __enter__(self) -> IndexWriter:
        self._stack.enter_context(generations.writer_lock(self.index_dir))
        try:
            self._open()
        except BaseException:
            self._stack.close()
            raise
        return self

    def _open(self) -> None:
        building = generations.new_building_dir(self.index_dir)
        self._building = building
        if generations.current_name(self.index_dir) is not None:
            current = generations.current_generation(self.index_dir)
            self._previous = generations.read_manifest(current)
            self._previous.check_model(self.model_id, self.dimension)
            shutil.copyfile(current / SQLITE_NAME, building / SQLITE_NAME)
            self._faiss = generations.read_vectors(current, self._previous)
        else:
            self._faiss = vectors.new_index(self.dimension)
        self._conn = connect(building / SQLITE_NAME)
        self.store = WriteStore(self._conn)

    @property
    def previous(self) -> Manifest | None:
        """The manifest of the generation this run started from."""
        return self._previous

    def add_vectors(self, ids: list[int], matrix: np.ndarray) -> None:
        if matrix.shape[1:] != (self.dimension,):
            raise IndexError_(f"vectors of shape {matrix.shape}, expected (n, {self.dimension})")
        vectors.add(self._faiss, ids, matrix)

    def remove_vectors(self, ids: list[int]) -> None:
        vectors.remove(self._faiss, ids)

    def commit(self, report: dict[str, Any], sources: list[str]) -> Manifest:
        """Record the run, write vectors and manifest, and publish the generation."""
        assert self._building is not None
        finished = utcnow()
        self.store.add_run(self.started, finished, report)
        self._conn.commit()
        self.store.optimize()
        counts = Counts(**self.store.counts())
        if counts.chunks != self._faiss.ntotal:
            raise IndexError_(
                f"{counts.chunks} chunks but {self._faiss.ntotal} vectors: refusing to publish"
            )
        oldest, newest = self.store.date_range()
        self._conn.close()
        previous = self._previous.vectors.params() if self._previous else None
        published, params = vectors.choose(self._faiss, self.ann_min_vectors, previous)
        self._faiss = published
        vectors.write_index(published, self._building / VECTORS_NAME)
        info = VectorsInfo(**params, count=int(published.ntotal),
                           bytes=(self._building / VECTORS_NAME).stat().st_size)
        number = (generations.published(self.index_dir) or [0])[-1] + 1
        previous_sources = self._previous.sources if self._previous else []
        manifest = Manifest(
            generation=number,
            model_id=self.model_id,
            dimension=self.dimension,
            max_tokens=self.max_tokens,
            built_at=finished,
            counts=counts,
            newest_article=newest,
            oldest_article=oldest,
            sources=list(dict.fromkeys([*previous_sources, *sources])),
            vectors=info,
        )
        manifest.write(self._building)
        generations.publish(self.index_dir, self._building, number, keep=self.keep)
        self._building = None
        log.info("published generation %d: %s", number, counts.model_dump())
        return manifest

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            if self._building is not None:
                try:
                    self._conn.close()
                except Exception:
                    log.debug("closing scratch database failed", exc_info=True)
                shutil.rmtree(self._building, ignore_errors=True)
                self._building = None
        finally:
            self._stack.close()


