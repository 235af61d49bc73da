"""A rich progress display for terminals; nothing when output is not a terminal."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from ingest.pipeline import Progress as ProgressCallback
from ingest.report import IngestReport


@contextmanager
def progress_reporter(enabled: bool) -> Iterator[ProgressCallback | None]:
    """Yield a callback that updates a live progress line, or None when disabled."""
    if not enabled:
        yield None
        return
    with Progress(
        SpinnerColumn(),
        TextColumn("[bold]ingesting[/]"),
        TextColumn("{task.fields[line]}"),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=True,
    ) as bar:
        task = bar.add_task("ingest", total=None, line="")

        def update(report: IngestReport) -> None:
            bar.update(
                task,
                line=f"seen {report.seen}  new {report.new}  unchanged {report.unchanged}  "
                f"chunks {report.chunks}  skipped {len(report.skipped)}",
            )

        yield update
