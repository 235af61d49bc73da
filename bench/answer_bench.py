"""Answer quality on bench/labels/answers.jsonl and `ask` latency (warm model and quote cache).

Quotes come from the in-process fake provider (Yahoo is unreachable here), which stands for a
warm quote cache: the latency measured is understanding + retrieval + composition.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.corpus import LABELS
from bench.stats import percentiles
from bot.answer import Answer
from bot.quotes import FakeQuoteProvider, QuoteSettings
from bot.services import Services, build_services
from bot.settings import AnswerSettings
from index.embedding import Embedder
from index.entities import render_markup
from index.reader import IndexReader
from index.settings import IndexSettings
from ingest.sources.urls import canonical_url

NOW = datetime(2024, 1, 1, tzinfo=UTC)  # "now" for the 2023 corpus: windows such as "in May"
_NUM = re.compile(r"\d+(?:[.,]\d+)*")


def load() -> list[dict[str, Any]]:
    path = LABELS / "answers.jsonl"
    return [json.loads(x) for x in path.read_text().splitlines() if x.strip()]


def make_services(index_dir: Path, embedder: Embedder, threshold: float | None = None) -> Services:
    answer = AnswerSettings(_env_file=None)  # type: ignore[call-arg]
    if threshold is not None:
        answer = answer.model_copy(update={"relevance_threshold": threshold})
    return build_services(
        IndexSettings(_env_file=None, index_dir=index_dir),  # type: ignore[call-arg]
        answer, QuoteSettings(_env_file=None),  # type: ignore[call-arg]
        embedder=embedder, quotes=FakeQuoteProvider(name="warm-cache"),
    )


def calibrate(services: Services, labels: list[dict[str, Any]]) -> dict[str, Any]:
    """Sweep the relevance threshold over labelled in/out-of-scope questions."""
    engine = services.engine
    rows = []
    for label in labels:
        question = engine.understand(label["question"], NOW)
        evidence = engine.retriever.retrieve(question)
        rows.append((label["in_scope"], question, evidence))
    best: tuple[float, float] = (0.0, -1.0)
    sweep = {}
    saved = engine.retriever.threshold
    for step in range(20, 66, 2):
        threshold = step / 100
        engine.retriever.threshold = threshold
        correct = sum(
            engine.retriever.judge(q, ev.hits, ev.relevance) == in_scope
            for in_scope, q, ev in rows
        )
        accuracy = correct / len(rows)
        sweep[f"{threshold:.2f}"] = accuracy
        if accuracy > best[1]:
            best = (threshold, accuracy)
    engine.retriever.threshold = saved
    return {"best_threshold": best[0], "best_accuracy": best[1], "sweep": sweep}


def _numbers(text: str) -> set[str]:
    return {n.replace(",", "") for n in _NUM.findall(text)}


def grounded(answer: Answer, reader: IndexReader) -> bool:
    """Every number of every cited sentence appears in its source; every reported move's
    sentence is in its source."""
    texts: dict[int, str] = {}
    for s in answer.sources:
        row = reader._query("SELECT title || ' ' || text FROM articles WHERE id = ?",
                            [s.article_id])
        texts[s.n] = render_markup(row[0][0]) if row else ""
    quoted = {f"{m.quote.price:.2f}" for m in answer.movers if m.quote and m.quote.price}
    for sentence, cite in re.findall(r"(.+?) \[(\d+)\](?:\s|$)", answer.text):
        if not _numbers(sentence) <= _numbers(texts.get(int(cite), "")) | quoted:
            return False
    flat = {n: " ".join(t.split()) for n, t in texts.items()}
    return all(
        " ".join(r.sentence.split()) in flat.get(r.citation, "")
        for m in answer.movers for r in m.reported
    )


async def evaluate(services: Services, labels: list[dict[str, Any]]) -> dict[str, Any]:
    reader = services.live.reader()
    expected_hits = expected_total = named_ok = named_total = 0
    grounded_ok = with_numbers = coverage_ok = gold_cited = gold_total = 0
    for label in labels:
        answer = await services.engine.ask(label["question"], now=NOW)
        coverage_ok += answer.covered == label["in_scope"]
        if not label["in_scope"]:
            continue
        named = {m.ticker for m in answer.movers if m.ticker}
        expected = set(label["expected_tickers"])
        expected_hits += len(expected & named)
        expected_total += len(expected)
        if expected:  # precision: of the tickers an answer names, how many were expected
            named_ok += len(named & expected)
            named_total += len(named)
        if _numbers(answer.text):
            with_numbers += 1
            grounded_ok += grounded(answer, reader)
        gold = {canonical_url(u) for u in label["gold"]}
        gold_total += 1
        gold_cited += any(s.url in gold for s in answer.sources)
    in_scope = sum(1 for x in labels if x["in_scope"])
    return {
        "questions": len(labels),
        "in_scope": in_scope,
        "ticker_recall": expected_hits / max(expected_total, 1),
        "ticker_precision": named_ok / max(named_total, 1),
        "answers_with_numbers": with_numbers,
        "numbers_grounded_share": grounded_ok / max(with_numbers, 1),
        "not_covered_accuracy": coverage_ok / len(labels),
        "gold_source_cited_share": gold_cited / max(gold_total, 1),
    }


async def latency(services: Services, questions: list[str], rounds: int) -> dict[str, float]:
    for q in questions[:5]:
        await services.engine.ask(q, now=NOW)  # warm model, caches
    samples = []
    for _ in range(rounds):
        for q in questions:
            services.engine.retriever.searcher.clear_cache()  # no question is free the 2nd time
            started = time.perf_counter()
            await services.engine.ask(q, now=NOW)
            samples.append((time.perf_counter() - started) * 1000)
    return percentiles(samples)


def run_quality(index_dir: Path, embedder: Embedder) -> dict[str, Any]:
    labels = load()
    services = make_services(index_dir, embedder)
    calibration = calibrate(services, labels)
    quality = asyncio.run(evaluate(services, labels))
    return {"calibration": calibration, "quality": quality,
            "threshold_used": services.answer_settings.relevance_threshold}


def run_latency(index_dir: Path, embedder: Embedder, n: int = 120) -> dict[str, float]:
    labels = load()
    services = make_services(index_dir, embedder)
    questions = [x["question"] for x in labels]
    rounds = max(1, -(-n // len(questions)))
    return asyncio.run(latency(services, questions, rounds))
