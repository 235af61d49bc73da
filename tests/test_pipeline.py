"""The ingest run end to end with the fake embedder: counts, idempotency, dedup, bad input."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from index.entities import EntityResolver, TickerTable
from index.reader import Filters, IndexReader
from index.search import Searcher
from ingest.pipeline import IngestCancelled, Ingestor
from ingest.sources import SourceSpec
from tests.conftest import FIXTURES, ROOT

SYNDICATED = (
    "A proposed set of rules by the European Union would, among other things, require makers "
    "of generative AI tools such as ChatGPT to publicize any copyrighted material used by the "
    "technology platforms to create content of any kind. A new draft of European Parliament's "
    "legislation would allow the original creators of content used by generative AI "
    "applications to share in any profits that result."
)


@pytest.fixture(scope="module")
def resolver() -> EntityResolver:
    return EntityResolver(TickerTable.load())


def write_jsonl(path: Path, records: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    return path


def record(i: int, **extra) -> dict:
    return {
        "title": f"Nvidia (NASDAQ: NVDA) story {i}",
        "url": f"https://news.example.com/story-{i}?utm_source=rss",
        "date": "2023-05-25T12:00:00Z",
        "text": f"Shares of Nvidia jumped {i + 10}% on Thursday after results. Story {i}.",
        **extra,
    }


def spec(path: Path) -> SourceSpec:
    return SourceSpec(name=path.name, location=str(path))


def make(tmp_path, fake_embedder, ingest_settings, resolver) -> Ingestor:
    return Ingestor(tmp_path / "index", ingest_settings, fake_embedder, resolver)


def test_counts_idempotency_updates_and_duplicates(
    tmp_path, fake_embedder, ingest_settings, resolver
):
    ingestor = make(tmp_path, fake_embedder, ingest_settings, resolver)
    corpus = write_jsonl(tmp_path / "a.jsonl", [record(i) for i in range(5)])
    first = ingestor.run([spec(corpus)])
    assert (first.seen, first.new, first.unchanged, first.generation) == (5, 5, 0, 1)
    assert first.chunks == 5 and first.tokens > 0

    again = ingestor.run([spec(corpus)])
    assert (again.seen, again.new, again.unchanged, again.updated) == (5, 0, 5, 0)

    changed = [record(i) for i in range(5)]
    changed[2]["text"] = "Nvidia shares fell 3% on Friday as traders took profits."
    changed.append(record(9, url="https://mirror.example.org/copy-of-0"))  # same content as 0
    changed[-1]["text"] = record(0)["text"]
    changed[-1]["title"] = record(0)["title"]
    changed.append({"title": "EU drafts AI rules", "url": "https://a.example/eu", "date": "2023-05-01",
                    "text": SYNDICATED})
    changed.append({"title": "EU drafts rules for AI", "url": "https://b.example/eu",
                    "date": "2023-05-01", "text": SYNDICATED.replace("publicize", "disclose")})
    third = ingestor.run([spec(write_jsonl(tmp_path / "b.jsonl", changed))])
    assert (third.updated, third.unchanged, third.duplicates, third.near_duplicates, third.new) == (
        1, 4, 1, 1, 1)

    reader = IndexReader.open(tmp_path / "index")
    assert reader.manifest.counts.articles == 6
    assert reader.manifest.counts.duplicates == 2
    assert reader.stats()["vectors"] == reader.manifest.counts.chunks == 6
    searcher = Searcher(lambda: reader, fake_embedder)
    hit = searcher.search("Nvidia shares fell 3% on Friday", k=1)[0]
    assert "fell 3%" in hit.text and hit.url == "https://news.example.com/story-2"
    eu = searcher.search("European Union rules generative AI copyrighted", k=3)
    assert eu[0].duplicates == ["https://b.example/eu"]
    nvda = searcher.search("story", k=10, filters=Filters(tickers=["NVDA"]))
    assert len(nvda) == 5 and all("NVDA" in h.tickers for h in nvda)
    assert reader.stats()["runs"][0]["report"]["updated"] == 1


def test_same_url_twice_in_one_run_keeps_the_later_version(
    tmp_path, fake_embedder, ingest_settings, resolver
):
    ingestor = make(tmp_path, fake_embedder, ingest_settings, resolver)
    later = record(1, text="Nvidia shares slid 2% in late trading on Friday.")
    report = ingestor.run([spec(write_jsonl(tmp_path / "a.jsonl", [record(1), record(2), later]))])
    assert (report.seen, report.new, report.updated) == (3, 2, 1)
    reader = IndexReader.open(tmp_path / "index")
    texts = [r["text"] for r in reader._query("SELECT text FROM chunks ORDER BY text")]
    assert texts == [later["text"], record(2)["text"]]
    assert reader.stats()["vectors"] == 2


def test_entities_and_moves_are_stored(tmp_path, fake_embedder, ingest_settings, resolver):
    ingestor = make(tmp_path, fake_embedder, ingest_settings, resolver)
    report = ingestor.run([SourceSpec(name="sample", location=str(ROOT / "sample"))])
    assert report.new == 1
    reader = IndexReader.open(tmp_path / "index")
    moves = reader._query("SELECT ticker, direction, magnitude, unit, qualifier FROM moves ORDER BY id")
    assert [tuple(m) for m in moves] == [
        ("ADBE", "down", 7.0, "%", "more than"),
        ("SSTK", "down", 5.0, "%", "more than"),
        ("SSTK", "down", 70_000_000.0, "USD", "more than"),
    ]
    tickers = set(reader.known_tickers())
    assert {"ADBE", "SSTK", "NVDA"} <= tickers
    hits = Searcher(lambda: reader, fake_embedder).search("Shutterstock", k=1)
    assert "SSTK" in hits[0].tickers
    assert "$Adobe (ADBE.US)$" not in " ".join(
        r["text"] for r in reader._query("SELECT text FROM chunks"))


def test_bad_input_is_reported_and_the_run_goes_on(
    tmp_path, fake_embedder, ingest_settings, resolver
):
    ingestor = make(tmp_path, fake_embedder, ingest_settings, resolver)
    good = write_jsonl(tmp_path / "good.jsonl", [record(1)])
    bad = FIXTURES / "sources" / "bad"
    report = ingestor.run([spec(good), spec(bad), SourceSpec(name="gone", location=str(tmp_path / "missing"))])
    # good.jsonl, the bad-date article (kept undated) and 3 records before a truncation.
    assert (report.seen, report.new) == (5, 5)
    reasons = " | ".join(f"{p.source}: {p.reason}" for p in report.skipped + report.failed)
    for expected in ("empty file", "binary file", "not UTF-8", "invalid JSON",
                     "not an RSS/Atom feed", "truncated gzip"):
        assert expected in reasons, expected
    assert [p.reason for p in report.warnings] == ["unparseable date 'sometime next week'"]
    assert [p.source for p in report.failed] == ["gone"]
    assert report.generation == 1


def test_nothing_ingestable_publishes_nothing(tmp_path, fake_embedder, ingest_settings, resolver):
    ingestor = make(tmp_path, fake_embedder, ingest_settings, resolver)
    report = ingestor.run([SourceSpec(name="gone", location=str(tmp_path / "missing"))])
    assert report.seen == 0 and report.generation is None and report.error
    assert not (tmp_path / "index" / "CURRENT").exists()


def test_cancel_leaves_index_untouched(tmp_path, fake_embedder, ingest_settings, resolver):
    import threading

    ingestor = make(tmp_path, fake_embedder, ingest_settings, resolver)
    ingestor.run([spec(write_jsonl(tmp_path / "a.jsonl", [record(1)]))])
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(IngestCancelled):
        ingestor.run([spec(write_jsonl(tmp_path / "b.jsonl", [record(2)]))], cancel=cancel)
    assert IndexReader.open(tmp_path / "index").manifest.counts.articles == 1


def run_cli(*args: str, index_dir: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "INDEX_DIR": str(index_dir), "EMBEDDING_MODEL": "fake:64"}
    return subprocess.run([sys.executable, *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=120)


def test_cli_exit_codes_json_report_and_search(tmp_path):
    index_dir = tmp_path / "index"
    nothing = run_cli("-m", "ingest", str(tmp_path / "missing"), index_dir=index_dir)
    assert nothing.returncode == 1
    assert "nothing could be ingested" in nothing.stdout + nothing.stderr
    ok = run_cli("-m", "ingest", "--json", "sample", str(tmp_path / "missing"), index_dir=index_dir)
    assert ok.returncode == 0, ok.stderr
    report = json.loads(ok.stdout)
    assert report["new"] == 1 and report["failed"][0]["source"].endswith("missing")
    assert report["rates"]["chunks_per_s"] > 0
    found = run_cli("-m", "index", "search", "--json", "--ticker", "SSTK", "-k", "3",
                    "Shutterstock market value", index_dir=index_dir)
    assert found.returncode == 0, found.stderr
    hits = json.loads(found.stdout)
    assert hits and {"article_id", "url", "title", "published", "text", "tickers", "score"} <= set(hits[0])
    assert hits[0]["published"].startswith("2024-02-19T07:07:00")
    none = run_cli("-m", "index", "search", "--json", "--ticker", "SSTK", "--until", "2023-12-31",
                   "Shutterstock", index_dir=index_dir)
    assert json.loads(none.stdout) == []
    stats = run_cli("-m", "index", "stats", "--json", index_dir=index_dir)
    assert json.loads(stats.stdout)["counts"]["articles"] == 1
    bad_date = run_cli("-m", "index", "search", "--since", "yesterday-ish", "x", index_dir=index_dir)
    assert bad_date.returncode == 2 and "not a date" in bad_date.stderr
