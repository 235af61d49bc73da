"""`make bench`: ingest throughput, search latency and retrieval quality on the shared corpus.

Sections: ingest-market (3.5k items), backends (the embedding runtimes side by side, and the
3.5k set indexed with fp32 for the quality comparison), ingest-focus (31k items, once), search
(latency of dense/keyword/hybrid at the corpus sizes and at a 100k-chunk scale-up), quality
(nDCG@10 and recall@20 on bench/labels/retrieval.jsonl), answers, casual (the casual-chat set
bench/labels/casual.jsonl, tune and heldout, plus the old answers set, scored by
../shared/tools/score_answers.py on every corpus index present), discord, bounds (peak RSS
and time of an ingest of each hostile input of issue 9: a 49.9 MB .txt, a 20 MB JSON line, a
1 GB .gz bomb, 1 M lines of {}, a 5 MB feed of empty items, a deeply nested line; no corpus
needed), watch (matching 1,000 watches against 5,000 new articles, bound 1 s; alert latency
from publish to the fake Discord, p95; no corpus needed), gpu (the GPU back-fill path on 100k
chunks of the market index: chunks/s per dtype, stock encode beside it, cosine to fp32;
skipped with a message without a CUDA device), scale (the 1M-chunk scale-up of the 3.5k
market index with its approximate vector index: warm ask p50/p95, peak RSS, vectors RAM and
recall@10 against exact search; bench/scale_bench.py). Figures go to stdout and
bench/out/results.json.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import time
from pathlib import Path

from bench import answer_bench, backend_bench, casual_bench, ingest_bench, search_bench
from bench.corpus import OUT, corpus
from bench.scale import scale_up
from index.embedder_factory import load_embedder
from index.settings import IndexSettings

SECTIONS = (
    "ingest-market", "backends", "ingest-focus", "search", "quality", "answers", "casual",
    "discord", "bounds", "watch", "gpu", "scale",
)
FP32 = {"EMBEDDING_BACKEND": "onnx"}  # onnxruntime fp32: the same vectors as torch, faster


def say(line: str) -> None:
    print(line, flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("sections", nargs="*", metavar="SECTION",
                        help=f"any of {', '.join(SECTIONS)} (default: all)")
    parser.add_argument("--reuse", action="store_true",
                        help="reuse indexes already built under bench/out")
    args = parser.parse_args()
    unknown = sorted(set(args.sections) - set(SECTIONS))
    if unknown:
        parser.error(f"unknown section(s) {', '.join(unknown)}; choose from {', '.join(SECTIONS)}")
    sections = args.sections or list(SECTIONS)
    logging.basicConfig(level=logging.WARNING)
    OUT.mkdir(parents=True, exist_ok=True)
    results_path = OUT / "results.json"
    results = json.loads(results_path.read_text()) if results_path.exists() else {}
    if "bounds" in sections:
        from bench import bounds

        results["bounds"] = bounds.run(say=say)
        results_path.write_text(json.dumps(results, indent=2))
        if not all(r["ok"] for r in results["bounds"].values()):
            say("[bounds] a hostile input went over 1 GB or 60 s (see above)")
        if sections == ["bounds"]:
            return 0 if all(r["ok"] for r in results["bounds"].values()) else 1
    if "watch" in sections:
        from bench import watch_bench

        results["watch"] = watch_bench.run(say=say)
        results_path.write_text(json.dumps(results, indent=2))
        if sections == ["watch"]:
            return 0 if results["watch"]["matching"]["ok"] else 1
    market, focus = corpus("rss2023-ai-market"), corpus("rss2023-ai-focus")
    if market is None:
        say("shared corpus ../shared/data/news not found: benchmarks skipped")
        if "gpu" in sections:  # says why it cannot run (no CUDA device, or no index)
            from bench import gpu_bench

            gpu_bench.run(OUT / "index-market", say=say)
        return 0
    indexes = {"market": OUT / "index-market", "focus": OUT / "index-focus",
               "market-fp32": OUT / "index-market-fp32"}
    # Loads the default runtime; its ONNX export (once per machine) is timed here, not in
    # the ingest runs below.
    started = time.perf_counter()
    embedder = load_embedder(IndexSettings(_env_file=None, embedding_model="bundled"))  # type: ignore[call-arg]
    say(f"[model] {embedder.model_id} ready in {time.perf_counter() - started:.1f}s")

    built = "ingest-market" in sections and _ingest(
        "market", indexes["market"], market, results, args.reuse
    )
    if built:  # the re-run measures idempotence: everything unchanged
        again = ingest_bench.run_ingest(market, indexes["market"], fresh=False)
        r = again["report"]
        say(f"[ingest-market] re-run: {r['unchanged']} unchanged, {r['new']} new, "
            f"{again['wall_seconds']:.1f}s")
        results["ingest-market-rerun"] = again | {"report": _slim(r)}
    if "backends" in sections:
        _backends(indexes, market, results, args.reuse)
    if "gpu" in sections:
        from bench import gpu_bench

        results["gpu"] = gpu_bench.run(indexes["market"], say=say)
        results_path.write_text(json.dumps(results, indent=2))
    if "ingest-focus" in sections and focus is not None:
        _ingest("focus", indexes["focus"], focus, results, args.reuse)

    if "search" in sections:
        scaled = OUT / "index-100k"
        targets = [("market", indexes["market"]), ("focus", indexes["focus"])]
        base = next((n for n in ("focus", "market") if (indexes[n] / "CURRENT").exists()), None)
        if base is not None:
            n = scale_up(indexes[base], scaled, 100_000)
            say(f"[search] built a {n}-chunk scale-up of the {base} index")
            targets.append(("100k", scaled))
        for name, path in targets:
            if not (path / "CURRENT").exists():
                continue
            reader, searcher = search_bench.open_searcher(path, embedder)
            queries = search_bench.sample_queries(reader, 240)
            lat = search_bench.latency(searcher, queries)
            results[f"search-{name}"] = {"chunks": reader.manifest.counts.chunks, **lat}
            for mode, p in lat.items():
                say(f"[search-{name}] {mode:8s} n={p['n']:.0f}  p50 {p['p50_ms']:.1f} ms  "
                    f"p95 {p['p95_ms']:.1f} ms  p99 {p['p99_ms']:.1f} ms")
            reader.close()
    if "quality" in sections and (indexes["market"] / "CURRENT").exists():
        labels = search_bench.load_labels()
        if labels:
            reader, searcher = search_bench.open_searcher(indexes["market"], embedder)
            qual = search_bench.quality(searcher, labels)
            results["quality-market"] = qual
            for mode, q in qual.items():
                say(f"[quality] {mode:12s} nDCG@10 {q['ndcg@10']:.3f}  recall@20 "
                    f"{q['recall@20']:.3f}  ({q['questions']:.0f} questions)")
            if (indexes["market-fp32"] / "CURRENT").exists():
                fp32 = load_embedder(IndexSettings(  # type: ignore[call-arg]
                    _env_file=None, embedding_model="bundled", embedding_backend="onnx"
                ))
                _, searcher = search_bench.open_searcher(indexes["market-fp32"], fp32)
                qual = search_bench.quality(searcher, labels, weights=())
                results["quality-market-fp32"] = qual
                for mode, q in qual.items():
                    say(f"[quality] fp32 {mode:7s} nDCG@10 {q['ndcg@10']:.3f}  recall@20 "
                        f"{q['recall@20']:.3f}  (same questions, index embedded in fp32)")
    if "answers" in sections and (indexes["market"] / "CURRENT").exists():
        ans = answer_bench.run_quality(indexes["market"], embedder)
        results["answers-market"] = ans
        cal, q = ans["calibration"], ans["quality"]
        say(f"[answers] threshold sweep: best {cal['best_threshold']:.2f} "
            f"(accuracy {cal['best_accuracy']:.3f}); in use {ans['threshold_used']:.2f}")
        say(f"[answers] {q['questions']} questions ({q['in_scope']} in scope): ticker recall "
            f"{q['ticker_recall']:.3f}  precision {q['ticker_precision']:.3f}  numbers grounded "
            f"{q['numbers_grounded_share']:.3f} of {q['answers_with_numbers']}  not-covered "
            f"accuracy {q['not_covered_accuracy']:.3f}  gold source cited "
            f"{q['gold_source_cited_share']:.3f}")
        for name, path in (("market", indexes["market"]), ("focus", indexes["focus"])):
            if (path / "CURRENT").exists():
                lat = answer_bench.run_latency(path, embedder)
                results[f"ask-latency-{name}"] = lat
                say(f"[ask-{name}] n={lat['n']:.0f}  p50 {lat['p50_ms']:.0f} ms  p95 "
                    f"{lat['p95_ms']:.0f} ms  p99 {lat['p99_ms']:.0f} ms")
    if "casual" in sections:
        casual_bench.run_sections(indexes, embedder, results, say)
    if "discord" in sections and (indexes["market"] / "CURRENT").exists():
        from bench import discord_bench

        lat = discord_bench.run(indexes["market"], embedder)
        results["discord-ask-market"] = lat
        for what, p in lat.items():
            say(f"[discord] /ask {what:15s} n={p['n']:.0f}  p50 {p['p50_ms']:.0f} ms  "
                f"p95 {p['p95_ms']:.0f} ms  p99 {p['p99_ms']:.0f} ms")
    if "scale" in sections and (indexes["market"] / "CURRENT").exists():
        from bench import scale_bench

        results["scale"] = scale_bench.run(indexes["market"], OUT / "index-1m",
                                           reuse=args.reuse, say=say)
    results_path.write_text(json.dumps(results, indent=2, default=str))
    say(f"results written to {results_path.relative_to(OUT.parent.parent)}")
    return 0


def _ingest(name: str, path: Path, source: Path, results: dict, reuse: bool,
            env_extra: dict[str, str] | None = None) -> bool:
    """Ingest ``source`` into ``path`` and print the figures; False when reused instead."""
    if reuse and (path / "CURRENT").exists():
        say(f"[ingest-{name}] reusing {path}")
        return False
    say(f"[ingest-{name}] ingesting {source} ...")
    result = ingest_bench.run_ingest(source, path, env_extra=env_extra)
    results[f"ingest-{name}"] = result | {"report": _slim(result["report"])}
    for line in ingest_bench.summarize(name, result):
        say(line)
    return True


def _backends(indexes: dict, market: Path, results: dict, reuse: bool) -> None:
    """Embedding runtimes on the 3.5k index's chunks, and that set indexed in fp32."""
    if not (indexes["market"] / "CURRENT").exists():
        say("[backends] needs the 3.5k index: run the ingest-market section first")
        return
    say("[backends] torch, onnx fp32 and onnx int8 on the same chunks ...")
    result = backend_bench.run(indexes["market"])
    results["backends"] = result
    for line in backend_bench.summarize(result):
        say(line)
    say("[ingest-market-fp32] for the quality comparison: the 3.5k set embedded in fp32")
    _ingest("market-fp32", indexes["market-fp32"], market, results, reuse, env_extra=FP32)


def _slim(report: dict) -> dict:
    return {k: v for k, v in report.items() if k not in ("skipped",)} | {
        "skipped_count": len(report.get("skipped", []))
    }


if __name__ == "__main__":
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    sys.exit(main())
