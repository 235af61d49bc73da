"""Casual-chat answer quality: bench/labels/casual.jsonl (and the old answers.jsonl) scored the
way answers are judged, by the functions of ../shared/tools/score_answers.py.

Every question goes in-process through the real engine with TODAY's clock (datetime.now(UTC),
as a user asking now would), quotes from the in-process fake provider as in answer_bench. Each
answer is serialized as ``Answer.model_dump(mode="json")`` (what ``python -m bot ask --json``
prints) and scored with ``score_answers.score``; ``table`` and ``summarize`` print the figures.

Standalone, for one index (quick while tuning):
  python -m bench.casual_bench --index-dir DIR --corpus market|focus \
      [--split tune|heldout|extra|para|para2|...|para5|all] [--set casual|old] [--out rows.jsonl]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import importlib.util
import json
import logging
import os
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType
from typing import Any

from bench.corpus import LABELS, ROOT
from bench.grounding import ungrounded
from bench.stats import percentiles

SCORER = ROOT.parent / "shared" / "tools" / "score_answers.py"
KIND_TO_TYPE = {"why_moved": "why_move", "what_happened": "fact", "out_of_scope": "unanswerable",
                "winners": "winners", "losers": "losers", "fact": "fact"}
WARMUP = 3


def load_scorer(path: Path = SCORER) -> ModuleType | None:
    """The shared scorer, imported by path; None when it is absent."""
    if not path.is_file():
        return None
    spec = importlib.util.spec_from_file_location("score_answers", path)
    if spec is None or spec.loader is None:
        return None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


LATER_SETS = {"extra": "casual_extra.jsonl", "para": "casual_para.jsonl",
              "para2": "casual_para2.jsonl", "para3": "casual_para3.jsonl",
              "para4": "casual_para4.jsonl", "para5": "casual_para5.jsonl",
              "unans": "casual_unans.jsonl"}
"""Label files written after the first set, by split name (tuned on like ``tune``)."""


def load_casual(corpus: str | None = None, split: str = "all") -> list[dict[str, Any]]:
    """Rows of ``casual.jsonl`` (``tune``/``heldout``; ``all``: both) or, for ``extra``, of
    ``casual_extra.jsonl`` and, for ``para``, of ``casual_para.jsonl`` (written later, tuned
    on like ``tune``)."""
    name = LATER_SETS.get(split, "casual.jsonl")
    path = LABELS / name
    if not path.exists():
        return []
    rows = [json.loads(x) for x in path.read_text().splitlines() if x.strip()]
    return [r for r in rows if (corpus is None or r["corpus"] == corpus)
            and (split == "all" or r["split"] == split)]


def load_old() -> list[dict[str, Any]]:
    """bench/labels/answers.jsonl (market corpus) in the scorer's schema."""
    out = []
    for x in (LABELS / "answers.jsonl").read_text().splitlines():
        if not x.strip():
            continue
        r = json.loads(x)
        out.append({"id": r["id"], "question": r["question"], "type": KIND_TO_TYPE[r["kind"]],
                    "gold_urls": r["gold"], "expected_tickers": r["expected_tickers"],
                    "key_facts": r["numbers"], "corpus": "market", "split": "old"})
    return out


async def _answer_all(services: Any, questions: list[dict[str, Any]], scorer: ModuleType,
                      ) -> tuple[list[dict[str, Any]], list[float]]:
    engine = services.engine
    for q in questions[:WARMUP]:  # warm the model and caches; not timed
        with contextlib.suppress(Exception):  # the scored pass below records failures
            await engine.ask(q["question"], now=datetime.now(UTC))
    rows, samples = [], []
    for q in questions:
        engine.retriever.searcher.clear_cache()  # no question is free the 2nd time
        started = time.perf_counter()
        try:
            answer = await engine.ask(q["question"], now=datetime.now(UTC))
            secs = time.perf_counter() - started
            ans = answer.model_dump(mode="json")
        except Exception as exc:  # noqa: BLE001 - a declined/failed call is a row, not a crash
            secs = time.perf_counter() - started
            rows.append({"id": q["id"], "type": q["type"], "secs": round(secs, 3), "ok": False,
                         "error": f"{type(exc).__name__}: {exc}"[:300]})
            continue
        samples.append(secs * 1000)
        row = scorer.score(q, ans, secs)
        row["ungrounded"] = ungrounded(answer, engine.retriever.live.reader().article_text)
        row["split"] = q.get("split")
        rows.append(row)
    return rows, samples


def run(index_dir: Path, embedder: Any, corpus: str, sets: list[tuple[str, list[dict]]],
        scorer: ModuleType, say: Any = print) -> dict[str, Any]:
    """Answer and score each named question set on one index; returns figures per set."""
    from bench.answer_bench import make_services

    services = make_services(index_dir, embedder)
    result: dict[str, Any] = {}
    all_samples: list[float] = []
    for name, questions in sets:
        if not questions:
            continue
        rows, samples = asyncio.run(_answer_all(services, questions, scorer))
        all_samples += samples
        summary = scorer.summarize(rows)
        result[name] = {"summary": summary, "rows": rows}
        say(f"[casual-{corpus}] {name}: {len(questions)} questions")
        say(scorer.table(rows))
        say(json.dumps(summary))
        bad = [(r["id"], p) for r in rows for p in r.get("ungrounded") or []]
        summary["ungrounded_answers"] = len({i for i, _ in bad})
        say(f"[casual-{corpus}] {name}: every number grounded in a cited source or a quote: "
            f"{'yes' if not bad else 'NO'} ({len(bad)} problems)")
        for qid, problem in bad[:10]:
            say(f"  {qid}: {problem}")
    if all_samples:
        lat = percentiles(all_samples)
        result["latency"] = lat
        say(f"[casual-{corpus}] warm ask n={lat['n']:.0f}  p50 {lat['p50_ms']:.0f} ms  "
            f"p95 {lat['p95_ms']:.0f} ms")
    return result


def run_sections(indexes: dict[str, Path], embedder: Any, results: dict[str, Any],
                 say: Any = print) -> None:
    """`python -m bench casual`: every corpus index present, tune + heldout (+ old on market)."""
    scorer = load_scorer()
    if scorer is None:
        say(f"[casual] scorer {SCORER} not found: section skipped")
        return
    for corpus in ("market", "focus"):
        path = indexes.get(corpus)
        if path is None or not (path / "CURRENT").exists():
            say(f"[casual-{corpus}] no index at {path}: skipped")
            continue
        sets = [(split, load_casual(corpus, split))
                for split in ("tune", "extra", *(k for k in LATER_SETS if k != "extra"),
                              "heldout")]
        if corpus == "market":
            sets.append(("old", load_old()))
        out = run(path, embedder, corpus, sets, scorer, say)
        results[f"casual-{corpus}"] = {
            k: (v["summary"] if isinstance(v, dict) and "summary" in v else v)
            for k, v in out.items()
        }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.casual_bench",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--index-dir", required=True, type=Path)
    parser.add_argument("--corpus", required=True, choices=("market", "focus"))
    parser.add_argument("--split", default="all",
                        choices=("tune", "heldout", *LATER_SETS, "all"))
    parser.add_argument("--set", dest="qset", default="casual", choices=("casual", "old"))
    parser.add_argument("--out", type=Path, help="write the per-question rows here (JSONL)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    scorer = load_scorer()
    if scorer is None:
        print(f"scorer {SCORER} not found: nothing to score", file=sys.stderr)
        return 0
    if not (args.index_dir / "CURRENT").exists():
        print(f"no index at {args.index_dir}", file=sys.stderr)
        return 2
    if args.qset == "old":
        if args.corpus != "market":
            parser.error("the old set is about the market corpus")
        sets = [("old", load_old())]
    elif args.split == "all":
        sets = [("tune", load_casual(args.corpus, "tune")),
                ("heldout", load_casual(args.corpus, "heldout"))]
    else:
        sets = [(args.split, load_casual(args.corpus, args.split))]

    from index.embedder_factory import load_embedder
    from index.settings import IndexSettings

    embedder = load_embedder(IndexSettings(_env_file=None, embedding_model="bundled"))
    out = run(args.index_dir, embedder, args.corpus, sets, scorer)
    if args.out:
        lines = [json.dumps(r) for name, _ in sets for r in out.get(name, {}).get("rows", [])]
        args.out.write_text("".join(x + "\n" for x in lines))
        print(f"rows written to {args.out}")
    return 0


if __name__ == "__main__":
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    sys.exit(main())
