"""``python -m index stats|search``: look inside the news index from a terminal."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Sequence
from datetime import UTC, datetime, time
from pathlib import Path
from typing import Any

from dateutil import parser as dateparser
from rich.console import Console
from rich.table import Table

from index.embedder_factory import load_embedder
from index.embedding import EmbedderError
from index.errors import IndexError_
from index.reader import Filters, IndexReader, SearchHit
from index.search import Searcher
from index.settings import IndexSettings


def _date(value: str, end_of_day: bool = False) -> datetime:
    try:
        parsed = dateparser.isoparse(value)
    except ValueError:
        try:
            parsed = dateparser.parse(value)
        except (ValueError, OverflowError):
            raise argparse.ArgumentTypeError(f"not a date: {value!r} (use YYYY-MM-DD)") from None
    if len(value) <= 10 and end_of_day:
        parsed = datetime.combine(parsed.date(), time.max)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m index", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    stats = sub.add_parser("stats", help="counts, dates, size and last ingest runs")
    stats.add_argument("--index-dir", type=Path)
    stats.add_argument("--json", action="store_true")
    search = sub.add_parser("search", help="hybrid (dense + keyword) search")
    search.add_argument("query", nargs="+", metavar="QUERY")
    search.add_argument("--index-dir", type=Path)
    search.add_argument("--ticker", action="append", default=[], metavar="T",
                        help="only articles naming this ticker (repeatable)")
    search.add_argument("--since", type=_date, metavar="DATE")
    search.add_argument("--until", type=lambda v: _date(v, end_of_day=True), metavar="DATE")
    search.add_argument("-k", type=int, default=5, metavar="N", help="results (default 5)")
    search.add_argument("--mode", choices=["hybrid", "dense", "keyword"], default="hybrid")
    search.add_argument("--recency", type=float, metavar="DAYS",
                        help="favour newer articles with this half-life in days")
    search.add_argument("--json", action="store_true")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    settings = IndexSettings()
    index_dir = args.index_dir or settings.index_dir
    try:
        if args.command == "stats":
            reader = IndexReader.open(index_dir)
            _stats(reader.stats(), args.json)
            return 0
        embedder = load_embedder(settings)
        reader = IndexReader.open(index_dir, embedder.model_id, embedder.dimension)
        hits = Searcher(lambda: reader, embedder).search(
            " ".join(args.query).strip(),
            k=max(1, args.k),
            filters=Filters(tickers=args.ticker, since=args.since, until=args.until),
            mode=args.mode,
            recency_half_life_days=args.recency,
        )
    except (IndexError_, EmbedderError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    _hits(hits, args.json)
    return 0


def _stats(stats: dict[str, Any], as_json: bool) -> None:
    if as_json:
        print(json.dumps(stats, indent=2))
        return
    console = Console()
    table = Table(show_header=False, box=None)
    for key in ("generation", "path", "model_id", "built_at", "oldest_article",
                "newest_article"):
        table.add_row(key, str(stats[key]))
    for key, value in stats["counts"].items():
        table.add_row(key, f"{value:,}")
    table.add_row("size", f"{stats['size_bytes'] / 1e6:.1f} MB")
    table.add_row("top tickers", ", ".join(f"{t} ({n})" for t, n in stats["top_tickers"].items()))
    console.print(table)
    for run in stats["runs"][:3]:
        report = run["report"]
        console.print(
            f"run {run['id']} finished {run['finished']}: seen {report['seen']}, new "
            f"{report['new']}, updated {report['updated']}, unchanged {report['unchanged']}, "
            f"skipped {len(report['skipped'])}, failed {len(report['failed'])}"
        )


def _hits(hits: list[SearchHit], as_json: bool) -> None:
    if as_json:
        print(json.dumps([h.model_dump(mode="json") for h in hits], indent=2))
        return
    console = Console()
    if not hits:
        console.print("no results")
    for rank, hit in enumerate(hits, 1):
        date = hit.published.date().isoformat() if hit.published else "undated"
        console.print(f"[bold]{rank}. {hit.title}[/]  ({hit.outlet or '?'}, {date})")
        if hit.tickers:
            console.print(f"   tickers: {', '.join(hit.tickers)}")
        console.print(f"   {hit.url or '(no url)'}   score {hit.score:.4f}")
        console.print(f"   {hit.text[:300]}{'…' if len(hit.text) > 300 else ''}", markup=False)
