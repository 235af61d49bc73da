"""The JSON manifest that describes one published generation."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field

from index.errors import IndexMismatch

FORMAT_VERSION = 1
MANIFEST_NAME = "manifest.json"


class Counts(BaseModel):
    articles: int = 0
    duplicates: int = 0
    chunks: int = 0
    entities: int = 0
    moves: int = 0


class VectorsInfo(BaseModel):
    """The generation's vector index (``index.vectors``): its kind, parameters and file."""

    kind: Literal["flat", "ivf-sq8"] = "flat"
    """``flat``: exact search; ``ivf-sq8``: approximate (IVF lists, 8-bit codes)."""
    count: int | None = None
    """Vectors in the file (None in generations written before this was recorded)."""
    bytes: int | None = None
    """Size of ``vectors.faiss``: a reader refuses a file of another size (a partial copy)."""
    nlist: int | None = None
    """IVF lists (``ivf-sq8``)."""
    trained_on: int | None = None
    """Vectors in the k-means training sample (``ivf-sq8``)."""
    trained_count: int | None = None
    """Vectors the index held when it was trained (it is trained again past 4x that)."""

    def params(self) -> dict[str, Any]:
        return self.model_dump(exclude={"count", "bytes"}, exclude_none=True)


class Manifest(BaseModel):
    """What a generation holds and which model built it."""

    format_version: int = FORMAT_VERSION
    generation: int
    model_id: str
    dimension: int
    max_tokens: int
    built_at: datetime
    counts: Counts = Field(default_factory=Counts)
    newest_article: datetime | None = None
    oldest_article: datetime | None = None
    sources: list[str] = Field(default_factory=list)
    """Sources ingested into this index over its history (paths, feed URLs)."""
    vectors: VectorsInfo = Field(default_factory=VectorsInfo)

    @classmethod
    def read(cls, directory: Path) -> Manifest:
        return cls.model_validate_json((directory / MANIFEST_NAME).read_text(encoding="utf-8"))

    def write(self, directory: Path) -> None:
        (directory / MANIFEST_NAME).write_text(self.model_dump_json(indent=2), encoding="utf-8")

    def check_model(self, model_id: str, dimension: int) -> None:
        """Refuse to serve an index built by another model: its vectors mean something else."""
        if self.format_version != FORMAT_VERSION:
            raise IndexMismatch(
                f"index format {self.format_version} is not supported "
                f"(this version reads {FORMAT_VERSION}); re-ingest into a new --index-dir"
            )
        if self.model_id != model_id or self.dimension != dimension:
            raise IndexMismatch(
                f"the index was built with model {self.model_id!r} (dimension {self.dimension}) "
                f"but the configured model is {model_id!r} (dimension {dimension}); set "
                f"EMBEDDING_MODEL to the index's model or ingest into a new --index-dir"
            )


def utcnow() -> datetime:
    return datetime.now(UTC)
