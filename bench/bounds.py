"""Hostile inputs, bounded: peak RSS and time of one ingest per row of issue 9's table.

Each case is generated under a temporary folder (nothing is committed), ingested with the fake
embedder (the bounds are in the reading, not the model) beside a good file, in a child
process whose peak RSS is read from the kernel: the child's own ``VmHWM`` at its end (exact,
unlike polling; ``wait4``'s ``ru_maxrss`` would start from this process's RSS at exec).
Targets: peak RSS <= 1 GB and <= 60 s each, the good articles ingested.

    python -m bench bounds          # the section of `make bench`
    python -m bench.bounds [CASE]   # the same, standalone
"""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
import tempfile
import time
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.stats import peak_rss_mb

MAX_RSS_BYTES = 1_000_000_000
MAX_SECONDS = 60.0
GOOD_TEXT = ("Chipmaker Zentrix said on Tuesday that orders for AI servers doubled, and its "
             "shares rose 6% in early trading.")


def good_record(n: int) -> dict[str, str]:
    return {"title": f"Good article {n} about Zentrix", "text": f"{GOOD_TEXT} Record {n}.",
            "url": f"https://good.example/{n}", "date": "2024-03-05"}


def good_lines(*numbers: int) -> bytes:
    return b"".join(json.dumps(good_record(n)).encode() + b"\n" for n in numbers)


def big_txt(folder: Path, size: int = 49_900_000) -> Path:
    """A ``.txt`` just under the 50 MB file cap: a title and paragraphs of prose."""
    path = folder / "big.txt"
    paragraph = (GOOD_TEXT + " ") * 8 + "\n\n"
    block = paragraph.encode() * (1_000_000 // len(paragraph))
    with path.open("wb") as out:
        out.write(b"Zentrix files a very long report\n\n")
        while out.tell() + len(block) <= size:
            out.write(block)
        out.write(b"x" * (size - out.tell()))
    return path


def long_line(folder: Path, size: int = 20_000_000) -> Path:
    """One 20 MB JSON Lines line, between two good lines."""
    path = folder / "long-line.jsonl"
    with path.open("wb") as out:
        out.write(good_lines(101))
        out.write(b'{"title": "huge", "text": "' + b"a" * size + b'"}\n')
        out.write(good_lines(102))
    return path


def gz_bomb(folder: Path, size: int = 1_000_000_000) -> Path:
    """A ``.jsonl.gz`` holding ``size`` bytes on one line after two good lines (a few MB on
    disk: one compressed member of 1 MB of ``a`` repeated, as gzip allows)."""
    path = folder / "bomb.jsonl.gz"
    piece = 1_000_000
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    member = packer.compress(b"a" * piece) + packer.flush()
    with path.open("wb") as out:
        out.write(gzip.compress(good_lines(201, 202) + b'{"title": "bomb", "text": "'))
        for _ in range(size // piece):
            out.write(member)
        out.write(gzip.compress(b'"}\n' + good_lines(203)))
    return path


def empty_objects(folder: Path, count: int = 1_000_000) -> Path:
    """``count`` lines of ``{}`` (3 MB), then a good line."""
    path = folder / "empty-objects.jsonl"
    path.write_bytes(b"{}\n" * count + good_lines(301))
    return path


def empty_feed(folder: Path, size: int = 5_000_000) -> Path:
    """An RSS file of ``size`` bytes of empty ``<item>``s after one good item."""
    path = folder / "empty-items.xml"
    head = (b'<?xml version="1.0"?><rss version="2.0"><channel><title>Wire</title>'
            b"<item><title>Good feed item about Zentrix</title><link>https://good.example/401"
            b"</link><description>" + GOOD_TEXT.encode() + b"</description></item>")
    tail = b"</channel></rss>"
    empty = b"<item></item>"
    path.write_bytes(head + empty * ((size - len(head) - len(tail)) // len(empty)) + tail)
    return path


def deep_json(folder: Path, depth: int = 100_000) -> Path:
    """A deeply nested JSON line, then two good lines."""
    path = folder / "deep.jsonl"
    path.write_bytes(b"[" * depth + b"]" * depth + b"\n" + good_lines(501, 502))
    return path


def good_file(folder: Path) -> Path:
    path = folder / "good.jsonl"
    path.write_bytes(good_lines(1, 2))
    return path


CASES: dict[str, tuple[str, Callable[[Path], Path], int]] = {
    # name: (the table's row, input builder, good articles expected with good.jsonl's two)
    "big-txt": ("a 49.9 MB .txt", big_txt, 3),
    "long-line": ("one 20 MB JSONL line", long_line, 4),
    "gz-bomb": ("a .jsonl.gz holding 1 GB on one line", gz_bomb, 4),
    # the good line after 1 M lines of {} is past the records cap (reported): good.jsonl's 2
    "empty-objects": ("1 M lines of {}", empty_objects, 2),
    "empty-feed": ("a 5 MB feed of empty items", empty_feed, 3),
    "deep-json": ("a deeply nested JSON line, then two good lines", deep_json, 4),
}


def ingest(index_dir: Path, paths: list[Path]) -> dict[str, Any]:
    """One ingest run with the fake embedder; the report's counts and its JSON size."""
    from index.embedding import FakeEmbedder
    from index.entities import EntityResolver, TickerTable
    from ingest.pipeline import Ingestor
    from ingest.settings import IngestSettings
    from ingest.sources import SourceSpec

    settings = IngestSettings(_env_file=None)  # type: ignore[call-arg]
    ingestor = Ingestor(index_dir, settings, FakeEmbedder(64), EntityResolver(TickerTable.load()))
    report = ingestor.run([SourceSpec(str(p), str(p)) for p in paths])
    dumped = report.model_dump(mode="json")
    return {
        "new": report.new, "seen": report.seen, "skipped": report.skipped_count,
        "warnings": report.warnings_count, "failed": len(report.failed),
        "report_bytes": len(json.dumps(dumped)),
        "reasons": [f"{p.reason}" for p in (report.failed + report.skipped + report.warnings)][:6],
    }


def measure(case: str, folder: Path) -> dict[str, Any]:
    """Build the case's input, ingest it in a child process; peak RSS, seconds, counts."""
    row, build, expected = CASES[case]
    work = folder / case
    work.mkdir(parents=True, exist_ok=True)
    paths = [build(work), good_file(work)]
    command = [sys.executable, "-m", "bench.bounds", "--child", str(work / "index"),
               *map(str, paths)]
    started = time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.PIPE, cwd=Path(__file__).parent.parent)
    assert child.stdout is not None
    with child.stdout:
        output = child.stdout.read()
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.perf_counter() - started
    result: dict[str, Any] = {"row": row, "seconds": round(seconds, 1),
                              "peak_rss_mb": round(usage.ru_maxrss / 1024),
                              "exit": child.returncode}
    if child.returncode == 0:
        result |= json.loads(output)
        # the child's own high-water mark: ru_maxrss starts from this process's RSS at exec
        result["peak_rss_mb"] = round(result.pop("own_peak_mb"))
    result["ok"] = (child.returncode == 0 and result["peak_rss_mb"] * 2**20 <= MAX_RSS_BYTES
                    and seconds <= MAX_SECONDS and result.get("new") == expected)
    return result


def run(cases: list[str] | None = None, say: Callable[[str], None] = print) -> dict[str, Any]:
    results = {}
    with tempfile.TemporaryDirectory(prefix="bench-bounds-") as tmp:
        for case in cases or list(CASES):
            result = measure(case, Path(tmp))
            results[case] = result
            say(f"[bounds] {result['row']:48s} peak {result['peak_rss_mb']:5d} MB  "
                f"{result['seconds']:5.1f} s  new {result.get('new')}  skipped "
                f"{result.get('skipped')}  warnings {result.get('warnings')}  report "
                f"{result.get('report_bytes', 0) / 1000:.1f} kB  "
                f"{'ok' if result['ok'] else 'OVER TARGET'}")
            for reason in result.get("reasons", [])[:3]:
                say(f"[bounds]     {reason[:150]}")
            shutil_rmtree(Path(tmp) / case)
    return results


def shutil_rmtree(path: Path) -> None:
    import shutil

    shutil.rmtree(path, ignore_errors=True)


def main(argv: list[str]) -> int:
    if argv[:1] == ["--child"]:
        counts = ingest(Path(argv[1]), [Path(p) for p in argv[2:]])
        print(json.dumps(counts | {"own_peak_mb": peak_rss_mb("self")}))
        return 0
    results = run(argv or None)
    return 0 if all(r["ok"] for r in results.values()) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
