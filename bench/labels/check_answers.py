"""Sanity check for bench/labels/answers.jsonl against the shared rss2023-ai-market corpus.

Run: python bench/labels/check_answers.py [corpus_dir]
(default corpus dir: $SHARED_DIR/data/news/rss2023-ai-market, SHARED_DIR defaulting to
../shared next to the repo). Exits non-zero on any problem.

Checks:
- every line parses, has exactly the expected keys, and each value has the right type;
- ids are unique; kind is one of the allowed kinds; in_scope agrees with kind;
- tickers are upper-case symbols, with no ticker both expected and forbidden;
- since/until are ISO dates (YYYY-MM-DD) or null, and since <= until;
- in-scope rows have at least one gold URL, every gold URL exists verbatim in the corpus
  `url` field, with no duplicates in a row, and every gold article's date is inside the
  row's [since, until] window;
- every `numbers` string appears verbatim in the title + text of at least one gold article;
- out-of-scope rows have no gold, no tickers, no numbers and no window.
"""

from __future__ import annotations

import json
import re
import sys
from collections import Counter
from collections.abc import Callable
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))  # run as a script beside check_labels.py

from check_labels import default_corpus, utc_day  # noqa: E402  (the same corpus and date rule)

LABELS = HERE / "answers.jsonl"
KEYS = {
    "id", "question", "kind", "in_scope", "expected_tickers", "forbidden_tickers",
    "gold", "numbers", "since", "until",
}
KINDS = {"losers", "winners", "why_moved", "fact", "what_happened", "out_of_scope"}
TICKER = re.compile(r"^[A-Z][A-Z.]{0,5}$")
ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")



def load_corpus(corpus_dir: Path) -> dict[str, tuple[date, str]]:
    """url -> (UTC day, title + text). Later duplicates of a URL extend the text."""
    items: dict[str, tuple[date, str]] = {}
    for path in sorted(corpus_dir.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            item = json.loads(line)
            blob = f"{item.get('title', '')}\n{item.get('text', '')}"
            if item["url"] in items:
                day, old = items[item["url"]]
                items[item["url"]] = (day, old + "\n" + blob)
            else:
                items[item["url"]] = (utc_day(item["date"]), blob)
    return items


def is_str_list(value: object) -> bool:
    return isinstance(value, list) and all(isinstance(x, str) for x in value)


def check_row(row: dict, corpus: dict[str, tuple[date, str]]) -> list[str]:
    problems: list[str] = []
    keys = set(row)
    if keys != KEYS:
        missing, extra = sorted(KEYS - keys), sorted(keys - KEYS)
        problems.append(f"keys: missing {missing}, unexpected {extra}")
        return problems

    if not isinstance(row["id"], str) or not row["id"]:
        problems.append("id must be a non-empty string")
    if not isinstance(row["question"], str) or not row["question"].strip():
        problems.append("question must be a non-empty string")
    if row["kind"] not in KINDS:
        problems.append(f"kind {row['kind']!r} not in {sorted(KINDS)}")
    if not isinstance(row["in_scope"], bool):
        problems.append("in_scope must be a boolean")
    elif row["in_scope"] != (row["kind"] != "out_of_scope"):
        problems.append("in_scope must be false exactly when kind is out_of_scope")
    for key in ("expected_tickers", "forbidden_tickers", "gold", "numbers"):
        if not is_str_list(row[key]):
            problems.append(f"{key} must be a list of strings")
    if problems:
        return problems

    for key in ("expected_tickers", "forbidden_tickers"):
        for tick in row[key]:
            if not TICKER.match(tick):
                problems.append(f"{key}: {tick!r} is not an upper-case ticker")
        if len(set(row[key])) != len(row[key]):
            problems.append(f"{key} has duplicates")
    both = set(row["expected_tickers"]) & set(row["forbidden_tickers"])
    if both:
        problems.append(f"tickers both expected and forbidden: {sorted(both)}")

    window: dict[str, date | None] = {}
    for key in ("since", "until"):
        value = row[key]
        window[key] = None
        if value is None:
            continue
        if not isinstance(value, str) or not ISO_DAY.match(value):
            problems.append(f"{key} must be YYYY-MM-DD or null, got {value!r}")
            continue
        try:
            window[key] = date.fromisoformat(value)
        except ValueError:
            problems.append(f"{key} is not a valid date: {value!r}")
    if window["since"] and window["until"] and window["since"] > window["until"]:
        problems.append("since is after until")

    if not row["in_scope"]:
        for key in ("gold", "expected_tickers", "forbidden_tickers", "numbers"):
            if row[key]:
                problems.append(f"out-of-scope row must have empty {key}")
        if row["since"] is not None or row["until"] is not None:
            problems.append("out-of-scope row must have no date window")
        return problems

    if not row["gold"]:
        problems.append("in-scope row needs at least one gold URL")
    if len(set(row["gold"])) != len(row["gold"]):
        problems.append("duplicate gold URL")
    texts = []
    for url in row["gold"]:
        if url not in corpus:
            problems.append(f"gold URL not in corpus: {url}")
            continue
        day, blob = corpus[url]
        texts.append(blob)
        if window["since"] and day < window["since"]:
            problems.append(f"gold dated {day} before since {window['since']}: {url}")
        if window["until"] and day > window["until"]:
            problems.append(f"gold dated {day} after until {window['until']}: {url}")
    for number in row["numbers"]:
        if not number.strip():
            problems.append("empty string in numbers")
        elif not any(number in blob for blob in texts):
            problems.append(f"number {number!r} not found in any gold title/text")
    return problems


def read_rows(path: Path, check: Callable[[dict], list[str]]) -> tuple[list[dict], list[str]]:
    """The label file's rows and its problems: bad lines, each row's own check, duplicate ids."""
    problems: list[str] = []
    rows: list[dict] = []
    for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            problems.append(f"line {lineno}: blank line")
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            problems.append(f"line {lineno}: invalid JSON ({exc})")
            continue
        if not isinstance(row, dict):
            problems.append(f"line {lineno}: not a JSON object")
            continue
        rows.append(row)
        label = row.get("id", f"line {lineno}")
        problems.extend(f"{label}: {p}" for p in check(row))
    ids = Counter(r.get("id") for r in rows)
    problems.extend(f"duplicate id {i!r} ({n}x)" for i, n in ids.items() if n > 1)
    return rows, problems


def finish(problems: list[str]) -> int:
    """Print each problem and the count; the exit status (1 when any)."""
    for p in problems:
        print("PROBLEM", p)
    print(f"{len(problems)} problems")
    return 1 if problems else 0


def main() -> int:
    corpus_dir = Path(sys.argv[1]) if len(sys.argv) > 1 else default_corpus()
    if not corpus_dir.is_dir():
        print(f"corpus dir not found: {corpus_dir}", file=sys.stderr)
        return 2
    corpus = load_corpus(corpus_dir)
    if not corpus:
        print(f"no corpus items under {corpus_dir}", file=sys.stderr)
        return 2

    rows, problems = read_rows(LABELS, lambda row: check_row(row, corpus))

    kinds = Counter(r.get("kind") for r in rows)
    in_scope = sum(1 for r in rows if r.get("in_scope") is True)
    gold = sum(len(r.get("gold") or []) for r in rows)
    print(f"{len(rows)} rows ({in_scope} in scope, {len(rows) - in_scope} out of scope), "
          f"{gold} gold URLs, {len(corpus)} corpus URLs")
    print("kinds: " + ", ".join(f"{k}={n}" for k, n in sorted(kinds.items())))
    return finish(problems)


if __name__ == "__main__":
    sys.exit(main())
