"""The report of one ingest run: printed at the end and stored in the index."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field, model_validator

KEEP_PROBLEMS = 50
"""Skipped items and warnings kept by name in a report (and its stored ``runs`` row); the
rest are counted."""


class Problem(BaseModel):
    source: str
    reason: str

    def shortened(self, limit: int = 500) -> Problem:
        """The problem with its source and reason cut to ``limit`` characters each."""
        if len(self.source) <= limit and len(self.reason) <= limit:
            return self
        return Problem(source=self.source[:limit], reason=self.reason[:limit])


class IngestReport(BaseModel):
    """Counts of one run. ``seen`` = new + updated + unchanged + duplicates + near_duplicates."""

    started: datetime
    finished: datetime | None = None
    index_dir: str
    generation: int | None = None
    sources: list[str] = Field(default_factory=list)
    seen: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    duplicates: int = 0
    """Same content as an indexed article under another URL: linked, not embedded again."""
    near_duplicates: int = 0
    """Syndicated copies (SimHash within distance 3): linked, not embedded again."""
    skipped: list[Problem] = Field(default_factory=list)
    """Items that could not be read (bad file, bad line, no text): the run went on. The first
    ``KEEP_PROBLEMS`` only; ``skipped_count`` counts them all."""
    skipped_count: int = 0
    failed: list[Problem] = Field(default_factory=list)
    """Whole sources that gave nothing (unreachable feed, missing path)."""
    warnings: list[Problem] = Field(default_factory=list)
    """Items kept with a problem (unparseable date, full-text fetch failed: summary kept, text
    cut at a cap). The first ``KEEP_PROBLEMS`` only; ``warnings_count`` counts them all."""
    warnings_count: int = 0
    reextracted: int = 0
    """Stored articles whose entities and moves were extracted again because the index was
    built by another extractor version (no re-embedding)."""
    chunks: int = 0
    tokens: int = 0
    embed_seconds: float = 0.0
    duration_seconds: float = 0.0
    error: str | None = None

    @model_validator(mode="after")
    def _counts_cover_lists(self) -> IngestReport:
        """Reports written before the counts existed: the lists are the counts."""
        self.skipped_count = max(self.skipped_count, len(self.skipped))
        self.warnings_count = max(self.warnings_count, len(self.warnings))
        return self

    def skip(self, problem: Problem) -> None:
        """Count a skipped item; the first ``KEEP_PROBLEMS`` are kept by name."""
        self.skipped_count += 1
        if len(self.skipped) < KEEP_PROBLEMS:
            self.skipped.append(problem.shortened())

    def warn(self, problem: Problem) -> None:
        """Count a warning; the first ``KEEP_PROBLEMS`` are kept by name."""
        self.warnings_count += 1
        if len(self.warnings) < KEEP_PROBLEMS:
            self.warnings.append(problem.shortened())

    @property
    def ingested(self) -> int:
        return self.new + self.updated

    def rates(self) -> dict[str, float]:
        seconds = max(self.duration_seconds, 1e-9)
        return {
            "articles_per_s": self.seen / seconds,
            "chunks_per_s": self.chunks / seconds,
            "tokens_per_s": self.tokens / seconds,
        }

    def summary_lines(self) -> list[str]:
        rates = self.rates()
        lines = [
            f"sources: {len(self.sources)}  seen: {self.seen}  new: {self.new}  "
            f"updated: {self.updated}  unchanged: {self.unchanged}  "
            f"duplicates: {self.duplicates}  near-duplicates: {self.near_duplicates}  "
            f"skipped: {self.skipped_count}  failed: {len(self.failed)}  "
            f"warnings: {self.warnings_count}",
            f"chunks embedded: {self.chunks}  tokens: {self.tokens}  "
            f"duration: {self.duration_seconds:.1f}s  ({rates['articles_per_s']:.1f} articles/s, "
            f"{rates['chunks_per_s']:.1f} chunks/s, {rates['tokens_per_s']:.0f} tokens/s)",
        ]
        if self.reextracted:
            lines.append(f"re-extracted entities and moves of {self.reextracted} stored "
                         "articles (new extractor version)")
        if self.generation is not None:
            lines.append(f"published generation {self.generation} in {self.index_dir}")
        for problem in self.failed:
            lines.append(f"FAILED  {problem.source}: {problem.reason}")
        for problem in self.skipped[:KEEP_PROBLEMS]:
            lines.append(f"skipped {problem.source}: {problem.reason}")
        for problem in self.warnings[:20]:
            lines.append(f"warning {problem.source}: {problem.reason}")
        if self.skipped_count > len(self.skipped[:KEEP_PROBLEMS]):
            lines.append(f"... and {self.skipped_count - len(self.skipped[:KEEP_PROBLEMS])} "
                         f"more skipped (counted, not named: the first {KEEP_PROBLEMS} are)")
        if self.warnings_count > len(self.warnings[:20]):
            lines.append(f"... and {self.warnings_count - len(self.warnings[:20])} more "
                         "warnings")
        if self.error:
            lines.append(f"ERROR   {self.error}")
        return lines
