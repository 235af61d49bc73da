"""Sanity check for bench/labels/casual.jsonl (and casual_extra.jsonl, when present) against the
shared rss2023 corpora.

Run: python bench/labels/check_casual.py [news_dir]
(default news dir: $SHARED_DIR/data/news, SHARED_DIR defaulting to ../shared next to the repo;
it holds rss2023-ai-market/*.jsonl and rss2023-ai-focus/*.jsonl.gz). Exits 1 on any problem.

Checks:
- every line parses and has exactly the keys that /work/shared/tools/score_answers.py reads
  (id, question, type, gold_urls, expected_tickers, key_facts) plus corpus and split, with the
  right value types;
- ids are unique (also across the two files); type is one of the six types; corpus is
  market|focus; split is tune|heldout in casual.jsonl and extra in casual_extra.jsonl;
- tickers are upper-case symbols without duplicates;
- answerable rows have at least one gold URL, no duplicate gold URL, every gold URL exists
  verbatim in the `url` field of the corpus the row names, and every key fact (1-3 of them)
  appears case-insensitively in the title + text of at least one gold article;
- unanswerable rows have empty gold_urls, expected_tickers and key_facts;
- casual_para*.jsonl rows re-ask a tune row (source_id) with its type, corpus and labels;
- casual_unans.jsonl rows are all unanswerable.
It then prints the counts per type, split and corpus, for each file.
"""

from __future__ import annotations

import gzip
import json
import os
import re
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))  # run as a script beside check_answers.py

from check_answers import finish, read_rows  # noqa: E402  (one reader for both label files)

LABELS = HERE / "casual.jsonl"
UNANS = HERE / "casual_unans.jsonl"  # optional: out-of-scope questions only, split "unans"
EXTRA = HERE / "casual_extra.jsonl"  # optional extra set, written later, split "extra" only
KEYS = {"id", "question", "type", "gold_urls", "expected_tickers", "key_facts", "corpus", "split"}
TYPES = {"winners", "losers", "why_move", "fact", "multi_hop", "unanswerable"}
CORPORA = {"market": "rss2023-ai-market", "focus": "rss2023-ai-focus"}
SPLITS = {"tune", "heldout"}
EXTRA_SPLITS = {"extra"}
TICKER = re.compile(r"^[A-Z][A-Z.]{0,5}$")


def default_news_dir() -> Path:
    shared = Path(os.environ.get("SHARED_DIR", HERE.parent.parent.parent / "shared"))
    return shared / "data" / "news"


def load_corpus(folder: Path) -> dict[str, str]:
    """url -> lower-cased title + text (later duplicates of a URL extend the text)."""
    items: dict[str, str] = {}
    paths = sorted(folder.glob("*.jsonl")) + sorted(folder.glob("*.jsonl.gz"))
    for path in paths:
        opener = gzip.open if path.suffix == ".gz" else open
        with opener(path, "rt", encoding="utf-8") as fh:
            for line in fh:
                if not line.strip():
                    continue
                item = json.loads(line)
                blob = f"{item.get('title') or ''}\n{item.get('text') or ''}".lower()
                url = item["url"]
                items[url] = items[url] + "\n" + blob if url in items else blob
    return items


def is_str_list(value: object) -> bool:
    return isinstance(value, list) and all(isinstance(x, str) for x in value)


def check_row(row: dict, corpora: dict[str, dict[str, str]],
              splits: set[str] = SPLITS) -> list[str]:
    if set(row) != KEYS:
        return [f"keys: missing {sorted(KEYS - set(row))}, unexpected {sorted(set(row) - KEYS)}"]
    problems: list[str] = []
    if not isinstance(row["id"], str) or not row["id"]:
        problems.append("id must be a non-empty string")
    if not isinstance(row["question"], str) or not row["question"].strip():
        problems.append("question must be a non-empty string")
    if row["type"] not in TYPES:
        problems.append(f"type {row['type']!r} not in {sorted(TYPES)}")
    if row["corpus"] not in CORPORA:
        problems.append(f"corpus {row['corpus']!r} not in {sorted(CORPORA)}")
    if row["split"] not in splits:
        problems.append(f"split {row['split']!r} not in {sorted(splits)}")
    for key in ("gold_urls", "expected_tickers", "key_facts"):
        if not is_str_list(row[key]):
            problems.append(f"{key} must be a list of strings")
    if problems:
        return problems
    for tick in row["expected_tickers"]:
        if not TICKER.match(tick):
            problems.append(f"ticker {tick!r} is not an upper-case symbol")
    if len(set(row["expected_tickers"])) != len(row["expected_tickers"]):
        problems.append("duplicate ticker")
    if row["type"] == "unanswerable":
        for key in ("gold_urls", "expected_tickers", "key_facts"):
            if row[key]:
                problems.append(f"unanswerable row must have empty {key}")
        return problems
    if not row["gold_urls"]:
        problems.append("answerable row needs at least one gold URL")
    if len(set(row["gold_urls"])) != len(row["gold_urls"]):
        problems.append("duplicate gold URL")
    if not 1 <= len(row["key_facts"]) <= 3:
        problems.append("answerable row needs 1-3 key facts")
    corpus = corpora.get(row["corpus"], {})
    texts = []
    for url in row["gold_urls"]:
        if url not in corpus:
            problems.append(f"gold URL not in the {row['corpus']} corpus: {url}")
        else:
            texts.append(corpus[url])
    for fact in row["key_facts"]:
        if not fact.strip():
            problems.append("empty key fact")
        elif not any(fact.lower() in blob for blob in texts):
            problems.append(f"key fact {fact!r} not found in any gold title/text")
    return problems


def main() -> int:
    news = Path(sys.argv[1]) if len(sys.argv) > 1 else default_news_dir()
    corpora: dict[str, dict[str, str]] = {}
    for name, folder in CORPORA.items():
        if not (news / folder).is_dir():
            print(f"corpus dir not found: {news / folder}", file=sys.stderr)
            return 2
        corpora[name] = load_corpus(news / folder)

    rows, problems = read_rows(LABELS, lambda row: check_row(row, corpora))
    print("corpus sizes: " + ", ".join(f"{k}={len(v)}" for k, v in corpora.items()))
    print_counts(LABELS.name, rows, sorted(SPLITS, reverse=True))  # tune, heldout

    if EXTRA.is_file():
        extra, extra_problems = read_rows(EXTRA,
                                          lambda row: check_row(row, corpora, EXTRA_SPLITS))
        problems.extend(f"{EXTRA.name}: {p}" for p in extra_problems)
        shared = {r.get("id") for r in rows} & {r.get("id") for r in extra}
        problems.extend(f"id {i!r} is in both {LABELS.name} and {EXTRA.name}"
                        for i in sorted(shared, key=str))
        print_counts(EXTRA.name, extra, sorted(EXTRA_SPLITS))
    problems.extend(check_paraphrases(rows))
    if UNANS.is_file():
        unans, unans_problems = read_rows(UNANS, lambda row: check_row(row, corpora, {"unans"}))
        problems.extend(f"{UNANS.name}: {p}" for p in unans_problems)
        problems.extend(f"{UNANS.name}: {r.get('id')} is answerable" for r in unans
                        if r.get("type") != "unanswerable")
        print(f"{UNANS.name}: {len(unans)} rows")
    return finish(problems)


def check_paraphrases(rows: list[dict]) -> list[str]:
    """``casual_para*.jsonl``: each row re-asks a ``tune`` row of casual.jsonl (``source_id``)
    with that row's type, corpus and labels, in a split named after its file."""
    problems: list[str] = []
    tune = {r.get("id"): r for r in rows if r.get("split") == "tune"}
    seen: set[str] = {r.get("id") for r in rows}
    for path in sorted(HERE.glob("casual_para*.jsonl")):
        split = path.stem.removeprefix("casual_")

        def check(row: dict, split: str = split) -> list[str]:
            if set(row) != KEYS | {"source_id"}:
                return [f"keys {sorted(row)}"]
            source = tune.get(row["source_id"])
            if row["split"] != split or source is None:
                return [f"split {row['split']!r} / source {row['source_id']!r} (a tune row "
                        f"of {LABELS.name})"]
            if any(row[k] != source[k] for k in ("type", "corpus", "gold_urls",
                                                 "expected_tickers", "key_facts")):
                return [f"labels differ from {row['source_id']}"]
            return []

        para, para_problems = read_rows(path, check)
        problems.extend(f"{path.name}: {p}" for p in para_problems)
        problems.extend(f"{path.name}: id {r.get('id')!r} is in another label file"
                        for r in para if r.get("id") in seen)
        seen |= {r.get("id") for r in para}
        print(f"{path.name}: checked against the tune rows")
    return problems


def print_counts(name: str, rows: list[dict], splits: list[str]) -> None:
    """Rows per type by split and by corpus, then the answerable and gold totals."""
    print(f"{name}: {len(rows)} rows")
    print(f"{'type':<13}" + "".join(f"{s:>9}" for s in splits)
          + f"{'market':>8}{'focus':>7}{'all':>6}")
    for t in [*sorted(TYPES), "all"]:
        rs = [r for r in rows if t == "all" or r.get("type") == t]
        c = Counter(r.get("split") for r in rs)
        k = Counter(r.get("corpus") for r in rs)
        print(f"{t:<13}" + "".join(f"{c[s]:>9}" for s in splits)
              + f"{k['market']:>8}{k['focus']:>7}{len(rs):>6}")
    answerable = [r for r in rows if r.get("type") != "unanswerable"]
    k = Counter(r.get("corpus") for r in answerable)
    print(f"answerable: {len(answerable)} (market {k['market']}, focus {k['focus']}); "
          f"gold URLs {sum(len(r.get('gold_urls') or []) for r in rows)}")


if __name__ == "__main__":
    sys.exit(main())
