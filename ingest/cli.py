"""``python -m ingest``: read sources into the news index and print a report."""

from __future__ import annotations

import argparse
import json
import logging
import sqlite3
import sys
from collections.abc import Sequence
from pathlib import Path

from index.embedder_factory import load_embedder
from index.embedding import EmbedderError
from index.entities import EntityResolver, TickerTable
from index.errors import IndexError_
from index.settings import IndexSettings
from ingest.pipeline import Ingestor
from ingest.progress import progress_reporter
from ingest.report import IngestReport
from ingest.settings import IngestSettings
from ingest.sources import resolve_specs

log = logging.getLogger("ingest")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m ingest",
        description="Ingest news (files, folders, globs, RSS/Atom feeds, web pages, or named "
        "entries of a sources file) into the news index. With no SOURCE, every entry of the "
        "sources file is ingested.",
    )
    parser.add_argument("sources", nargs="*", metavar="SOURCE")
    parser.add_argument("--index-dir", type=Path, help="index directory (default: $INDEX_DIR)")
    parser.add_argument("--sources", dest="sources_file", type=Path, metavar="FILE",
                        help="TOML sources file (default: the bundled one)")
    parser.add_argument("--full-text", action="store_true", default=None,
                        help="fetch each feed item's linked page for its full text")
    parser.add_argument("--public-only", action="store_true",
                        help="connect only to public addresses: every connection, redirect hop "
                        "and full-text link is resolved once and checked (the bot sets this)")
    parser.add_argument("--device", choices=("auto", "cpu", "cuda"),
                        help="where to embed: cpu (default: $EMBED_DEVICE, else cpu), cuda "
                        "(a GPU back-fill; needs a CUDA build of torch) or auto (cuda when "
                        "torch sees one)")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.add_argument("-v", "--verbose", action="store_true")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    index_settings = IndexSettings()
    if args.device is not None:
        index_settings = index_settings.model_copy(update={"embed_device": args.device})
    overrides: dict[str, object] = {}
    if args.full_text is not None:
        overrides["fetch_full_text"] = True
    if args.public_only:
        overrides["fetch_public_only"] = True
    ingest_settings = IngestSettings(**overrides)  # type: ignore[arg-type]
    index_dir = args.index_dir or index_settings.index_dir
    sources_file = args.sources_file or ingest_settings.sources_file
    try:
        specs = resolve_specs(list(args.sources), sources_file)
    except (OSError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if not specs:
        print("error: no sources to ingest", file=sys.stderr)
        return 2
    try:
        embedder = load_embedder(index_settings, bulk=True, index_dir=index_dir)
    except EmbedderError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    ingestor = Ingestor(
        index_dir, ingest_settings, embedder, EntityResolver(TickerTable.load()),
        keep_generations=index_settings.keep_generations,
        ann_min_vectors=index_settings.index_ann_min_vectors,
    )
    try:
        with progress_reporter(enabled=sys.stderr.isatty() and not args.json) as progress:
            report = ingestor.run(specs, progress=progress)
    except (IndexError_, sqlite3.Error, OSError) as exc:
        log.debug("ingest failed", exc_info=True)
        print(f"error: the index could not be written: {exc}", file=sys.stderr)
        return 1
    _print(report, as_json=args.json)
    return 0 if report.seen > 0 and report.generation is not None else 1


def _print(report: IngestReport, as_json: bool) -> None:
    if as_json:
        data = report.model_dump(mode="json")
        data["rates"] = report.rates()
        print(json.dumps(data, indent=2))
    else:
        for line in report.summary_lines():
            print(line)
