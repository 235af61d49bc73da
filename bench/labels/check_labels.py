"""Sanity check for bench/labels/retrieval.jsonl against the shared rss2023-ai-market corpus.

Run: python bench/labels/check_labels.py [corpus_dir]
(default corpus dir: $SHARED_DIR/data/news/rss2023-ai-market, SHARED_DIR defaulting to
../shared next to the repo). Exits non-zero on any problem.

Checks: every line parses and has the expected keys/types; ids are unique; kind is
move|fact|topic; since/until are ISO dates or null; every gold URL exists verbatim in the
corpus `url` field; no gold URL is duplicated within a label; every gold article's date
falls inside the label's [since, until] window (the benchmark filters on it).
"""

from __future__ import annotations

import json
import os
import sys
from collections import Counter
from datetime import UTC, date, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
LABELS = HERE / "retrieval.jsonl"
KEYS = {"id", "question", "gold", "tickers", "since", "until", "kind"}
KINDS = {"move", "fact", "topic"}


def default_corpus() -> Path:
    shared = Path(os.environ.get("SHARED_DIR", HERE.parent.parent.parent / "shared"))
    return shared / "data" / "news" / "rss2023-ai-market"


def utc_day(value: str) -> date:
    stamp = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=UTC)
    return stamp.astimezone(UTC).date()


def load_corpus(corpus_dir: Path) -> dict[str, date]:
    dates: dict[str, date] = {}
    for path in sorted(corpus_dir.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                item = json.loads(line)
                dates[item["url"]] = utc_day(item["date"])
    return dates


def main() -> int:
    corpus_dir = Path(sys.argv[1]) if len(sys.argv) > 1 else default_corpus()
    if not corpus_dir.is_dir():
        print(f"corpus not found: {corpus_dir}")
        return 2
    dates = load_corpus(corpus_dir)
    problems: list[str] = []
    kinds: Counter[str] = Counter()
    ids: set[str] = set()
    n_gold = 0
    windowed = 0
    lines = [ln for ln in LABELS.read_text(encoding="utf-8").splitlines() if ln.strip()]
    for number, line in enumerate(lines, 1):
        label = json.loads(line)
        where = f"line {number} ({label.get('id')})"
        if set(label) != KEYS:
            problems.append(f"{where}: keys {sorted(label)}")
            continue
        if label["id"] in ids:
            problems.append(f"{where}: duplicate id")
        ids.add(label["id"])
        if label["kind"] not in KINDS:
            problems.append(f"{where}: bad kind {label['kind']!r}")
        kinds[label["kind"]] += 1
        if not isinstance(label["question"], str) or not label["question"].strip():
            problems.append(f"{where}: empty question")
        if not isinstance(label["tickers"], list):
            problems.append(f"{where}: tickers is not a list")
        gold = label["gold"]
        if not isinstance(gold, list) or not gold:
            problems.append(f"{where}: empty gold")
            continue
        if len(set(gold)) != len(gold):
            problems.append(f"{where}: repeated gold URL")
        window: list[date | None] = []
        for key in ("since", "until"):
            value = label[key]
            try:
                window.append(date.fromisoformat(value) if value else None)
            except (TypeError, ValueError):
                problems.append(f"{where}: {key} is not an ISO date: {value!r}")
                window.append(None)
        since, until = window
        windowed += bool(since or until)
        for url in gold:
            n_gold += 1
            day = dates.get(url)
            if day is None:
                problems.append(f"{where}: gold URL not in corpus: {url}")
            elif (since and day < since) or (until and day > until):
                problems.append(f"{where}: gold dated {day} outside window: {url}")
    print(f"corpus items: {len(dates)}  labels: {len(lines)}  gold URLs: {n_gold}")
    print(f"kinds: {dict(sorted(kinds.items()))}  with date window: {windowed}")
    for problem in problems:
        print("PROBLEM", problem)
    print("OK: all checks passed" if not problems else f"{len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
