"""Bounded work per input (issue 9, item 2): every cap is a setting, is reported when hit, and
one bad record never drops its neighbours. The inputs of the issue's table are generated here
(``bench.bounds`` builds them); the measured peak RSS of each row is in ``make bench``
(section ``bounds``), and of the quick rows also in ``test_measured_peak_rss_of_the_quick_rows``.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest

from bench import bounds
from index.entities import EntityResolver, TickerTable
from index.hits import MAX_DUPLICATES, Duplicates, SearchHit
from index.reader import IndexReader
from index.records import Article
from index.search import Searcher
from index.store import RUN_PROBLEMS, bounded_report
from ingest.pipeline import Ingestor
from ingest.report import KEEP_PROBLEMS, IngestReport, Problem
from ingest.settings import IngestSettings
from ingest.sources import Failure, SourceSpec, read_sources
from ingest.sources.limits import BoundedLines


def _settings(**overrides: Any) -> IngestSettings:
    return IngestSettings(_env_file=None, **overrides)  # type: ignore[call-arg]


def _read(*paths: Path | str, **overrides: Any) -> list[Article | Failure]:
    specs = [SourceSpec(str(p), str(p)) for p in paths]
    return list(read_sources(specs, _settings(**overrides)))


def _articles(items: list[Article | Failure]) -> list[Article]:
    return [i for i in items if isinstance(i, Article)]


def _failures(items: list[Article | Failure], warning: bool = False) -> list[str]:
    return [i.reason for i in items if isinstance(i, Failure) and i.warning == warning]


@pytest.fixture(scope="module")
def resolver() -> EntityResolver:
    return EntityResolver(TickerTable.load())


def _ingest(tmp_path: Path, embedder: Any, resolver: EntityResolver, *paths: Path,
            **overrides: Any) -> IngestReport:
    ingestor = Ingestor(tmp_path / "index", _settings(**overrides), embedder, resolver)
    return ingestor.run([SourceSpec(str(p), str(p)) for p in paths])


# --- the table's rows -------------------------------------------------------------------


def test_49_9_mb_txt_is_read_only_as_far_as_an_article_uses(tmp_path: Path) -> None:
    started = time.perf_counter()
    items = _read(bounds.big_txt(tmp_path))
    (article,) = _articles(items)
    assert article.title == "Zentrix files a very long report"
    assert 180_000 < len(article.text) <= 200_000
    assert _failures(items, warning=True) == [
        "text cut to its first 200,000 characters (INGEST_MAX_ARTICLE_CHARS)"]
    assert time.perf_counter() - started < 30


def test_text_cap_is_a_setting_and_warned_once(tmp_path: Path) -> None:
    path = tmp_path / "long.md"
    path.write_text("Title line\n\n" + "Zentrix sold more chips this year. " * 2000)
    items = _read(path, max_article_chars=5_000)
    (article,) = _articles(items)
    assert len(article.text) <= 5_000
    assert len(_failures(items, warning=True)) == 1
    record = tmp_path / "long.jsonl"  # a record: the reader cuts the clean text, one warning
    record.write_text(json.dumps({"title": "T", "text": "word " * 4000}) + "\n")
    items = _read(record, max_article_chars=5_000)
    assert len(_articles(items)[0].text) <= 5_000
    assert _failures(items, warning=True) == [
        "text cut to its first 5,000 characters (INGEST_MAX_ARTICLE_CHARS)"]


def test_20_mb_jsonl_line_is_skipped_with_its_number_and_neighbours_kept(tmp_path: Path) -> None:
    items = _read(bounds.long_line(tmp_path))
    assert [a.title for a in _articles(items)] == [
        "Good article 101 about Zentrix", "Good article 102 about Zentrix"]
    assert _failures(items) == ["line 2: longer than 4.0 MB, skipped (INGEST_MAX_LINE_BYTES)"]


def test_gz_bomb_stops_at_the_decompressed_cap(tmp_path: Path) -> None:
    started = time.perf_counter()
    path = bounds.gz_bomb(tmp_path)
    assert path.stat().st_size < 5_000_000
    items = _read(path)
    assert [a.url for a in _articles(items)] == [
        "https://good.example/201", "https://good.example/202"]
    assert _failures(items) == [
        "line 3: longer than 4.0 MB, skipped (INGEST_MAX_LINE_BYTES)",
        "stopped at line 3: more than 200 MB decompressed, the rest is not read "
        "(INGEST_MAX_GZ_BYTES)",
    ]
    assert time.perf_counter() - started < 30


def test_gz_cap_is_a_setting(tmp_path: Path) -> None:
    import gzip

    path = tmp_path / "many.jsonl.gz"
    path.write_bytes(gzip.compress(bounds.good_lines(*range(1, 101))))
    items = _read(path, max_gz_bytes=2_000)
    assert 5 < len(_articles(items)) < 20
    assert _failures(items)[-1].endswith("(INGEST_MAX_GZ_BYTES)")


def test_million_empty_objects_keep_counts_and_50_names(
    tmp_path: Path, fake_embedder: Any, resolver: EntityResolver
) -> None:
    good = bounds.good_file(tmp_path)
    report = _ingest(tmp_path, fake_embedder, resolver, bounds.empty_objects(tmp_path), good)
    assert report.new == 2  # good.jsonl beside it
    # The first 3 problems name the source that gave nothing; the rest up to the records
    # cap are counted, 50 of them by name; the cap itself is reported.
    assert report.failed[0].reason.startswith("line 1: no title and no text; line 2:")
    assert report.skipped_count == 100_000 - 3 + 1
    assert len(report.skipped) == KEEP_PROBLEMS
    dumped = json.dumps(report.model_dump(mode="json"))
    assert len(dumped) < 20_000
    reader = IndexReader.open(tmp_path / "index")
    (run,) = reader.stats()["runs"]
    assert run["report"]["skipped_count"] == report.skipped_count
    assert len(run["report"]["skipped"]) == KEEP_PROBLEMS
    reader.close()


def test_records_cap_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "many.jsonl"
    path.write_bytes(bounds.good_lines(*range(1, 31)))
    items = _read(path, max_items_per_source=10)
    assert len(_articles(items)) == 10
    assert _failures(items) == [
        "stopped after 10 records, the rest is not read (INGEST_MAX_ITEMS_PER_SOURCE)"]
    exactly = _read(path, max_items_per_source=30)  # exactly at the cap: nothing to report
    assert len(_articles(exactly)) == 30 and not _failures(exactly)


def test_feed_of_empty_items_is_capped_and_bounded(tmp_path: Path) -> None:
    items = _read(bounds.empty_feed(tmp_path), max_items_per_source=2_000)
    assert [a.url for a in _articles(items)] == ["https://good.example/401"]
    reasons = _failures(items)
    assert len(reasons) == 2_000
    assert reasons[0] == "entry 2: no title and no text"
    assert reasons[-1].startswith("stopped after 2,000 entries of 384,")
    assert reasons[-1].endswith("(INGEST_MAX_ITEMS_PER_SOURCE)")


def test_deeply_nested_line_then_two_good_lines(
    tmp_path: Path, fake_embedder: Any, resolver: EntityResolver
) -> None:
    report = _ingest(tmp_path, fake_embedder, resolver, bounds.deep_json(tmp_path))
    assert (report.seen, report.new) == (2, 2)
    assert [p.reason for p in report.skipped] == ["line 1: invalid JSON: nested too deeply"]
    assert report.generation == 1


def test_deeply_nested_json_document(tmp_path: Path) -> None:
    path = tmp_path / "deep.json"
    path.write_text("[" * 100_000 + "]" * 100_000)
    assert _failures(_read(path)) == ["invalid JSON: nested too deeply"]


# --- one bad record never drops its neighbours ------------------------------------------


def test_any_error_in_a_line_skips_that_line_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ingest.sources import records

    real = records.build_article

    def flaky(**fields: Any) -> Any:
        if fields.get("title") == "Good article 2 about Zentrix":
            raise RecursionError("maximum recursion depth exceeded")
        if fields.get("title") == "Good article 3 about Zentrix":
            raise ValueError("parser bug")
        return real(**fields)

    monkeypatch.setattr(records, "build_article", flaky)
    path = tmp_path / "a.jsonl"
    path.write_bytes(bounds.good_lines(1, 2, 3, 4))
    items = _read(path)
    assert [a.url for a in _articles(items)] == [
        "https://good.example/1", "https://good.example/4"]
    assert _failures(items) == ["line 2: nested too deeply (RecursionError)",
                                "line 3: internal error: ValueError: parser bug"]


def test_an_error_in_a_feed_entry_skips_that_entry_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ingest.sources import feeds

    real = feeds.build_article

    def flaky(**fields: Any) -> Any:
        if fields.get("title") == "Item 37":
            raise RecursionError("deep")
        return real(**fields)

    monkeypatch.setattr(feeds, "build_article", flaky)
    items_xml = "".join(
        f"<item><title>Item {n}</title><link>https://good.example/{n}</link>"
        f"<description>{bounds.GOOD_TEXT} {n}</description></item>" for n in range(1, 41))
    path = tmp_path / "feed.xml"
    path.write_text(f'<?xml version="1.0"?><rss version="2.0"><channel><title>W</title>'
                    f"{items_xml}</channel></rss>")
    items = _read(path)
    assert len(_articles(items)) == 39
    assert _failures(items) == ["entry 37: nested too deeply (RecursionError)"]


def test_an_error_in_one_article_of_the_pipeline_skips_it_only(
    tmp_path: Path, fake_embedder: Any, resolver: EntityResolver,
    monkeypatch: pytest.MonkeyPatch
) -> None:
    from ingest import pipeline

    real = pipeline.chunk_article

    def flaky(title: str, *args: Any, **kwargs: Any) -> Any:
        if title == "Good article 2 about Zentrix":
            raise RecursionError("maximum recursion depth exceeded")
        return real(title, *args, **kwargs)

    monkeypatch.setattr(pipeline, "chunk_article", flaky)
    path = tmp_path / "a.jsonl"
    path.write_bytes(bounds.good_lines(1, 2, 3))
    report = _ingest(tmp_path, fake_embedder, resolver, path)
    assert (report.seen, report.new, report.skipped_count) == (2, 2, 1)
    assert report.skipped[0].source == "https://good.example/2"
    assert "RecursionError" in report.skipped[0].reason
    reader = IndexReader.open(tmp_path / "index")  # published: chunks and vectors agree
    assert reader.manifest.counts.articles == 2
    reader.close()


def test_chunks_per_article_cap(
    tmp_path: Path, fake_embedder: Any, resolver: EntityResolver
) -> None:
    path = tmp_path / "long.jsonl"
    text = " ".join(f"Zentrix sentence number {n} says chips sold well." for n in range(400))
    path.write_text(json.dumps({"title": "Long", "text": text, "url": "https://x.example/1"}))
    report = _ingest(tmp_path, fake_embedder, resolver, path, max_chunks_per_article=3)
    assert report.chunks == 3
    (warning,) = report.warnings
    assert warning.reason.endswith("chunks, the first 3 embedded (INGEST_MAX_CHUNKS_PER_ARTICLE)")


# --- the report and the stored run --------------------------------------------------------


def test_report_keeps_counts_and_the_first_50() -> None:
    report = IngestReport(started="2024-01-01T00:00:00Z", index_dir="x")  # type: ignore[arg-type]
    for n in range(1_000):
        report.skip(Problem(source=f"s{n}", reason="r" * 10_000))
        report.warn(Problem(source=f"w{n}", reason="w"))
    assert (report.skipped_count, len(report.skipped)) == (1_000, KEEP_PROBLEMS)
    assert (report.warnings_count, len(report.warnings)) == (1_000, KEEP_PROBLEMS)
    assert report.skipped[0].source == "s0" and len(report.skipped[0].reason) == 500
    lines = report.summary_lines()
    assert "skipped: 1000" in lines[0] and "warnings: 1000" in lines[0]
    assert any("950 more skipped" in line for line in lines)
    # a report written before the counts existed counts its lists
    old = IngestReport.model_validate({"started": "2024-01-01T00:00:00Z", "index_dir": "x",
                                       "skipped": [{"source": "a", "reason": "b"}] * 3})
    assert old.skipped_count == 3


def test_stored_runs_keep_counts_and_first_50() -> None:
    old = {"seen": 1, "skipped": [{"source": "s", "reason": "r" * 900}] * 100_000,
           "warnings": [], "failed": [{"source": "f", "reason": "x"}]}
    bounded = bounded_report(old)
    assert bounded["skipped_count"] == 100_000 and len(bounded["skipped"]) == RUN_PROBLEMS
    assert len(bounded["skipped"][0]["reason"]) == 500
    assert bounded["failed_count"] == 1 and bounded["seen"] == 1
    assert len(json.dumps(bounded)) < 40_000


def test_a_huge_run_row_of_an_earlier_version_is_cut_by_the_next_run(
    tmp_path: Path, fake_embedder: Any, resolver: EntityResolver
) -> None:
    good = bounds.good_file(tmp_path)
    _ingest(tmp_path, fake_embedder, resolver, good)
    from index.store import connect

    (db,) = (tmp_path / "index").rglob("*.sqlite")  # the one generation so far
    conn = connect(db)
    huge = {"seen": 1, "skipped": [{"source": "s", "reason": "r"}] * 50_000}
    conn.execute("UPDATE runs SET report = ?", (json.dumps(huge),))
    conn.commit()
    conn.close()
    _ingest(tmp_path, fake_embedder, resolver, good)
    reader = IndexReader.open(tmp_path / "index")
    runs = reader.stats()["runs"]
    assert [len(r["report"]["skipped"]) for r in runs] == [0, RUN_PROBLEMS]
    assert runs[1]["report"]["skipped_count"] == 50_000
    reader.close()


# --- hits with many duplicates -------------------------------------------------------------


def test_hit_with_9999_duplicates_carries_10_and_a_count(
    tmp_path: Path, fake_embedder: Any, resolver: EntityResolver
) -> None:
    path = tmp_path / "syndicated.jsonl"
    record = {"title": "Zentrix doubles AI server orders", "text": bounds.GOOD_TEXT}
    path.write_text("".join(
        json.dumps(record | {"url": f"https://copy{n}.example/a"}) + "\n" for n in range(10_000)))
    report = _ingest(tmp_path, fake_embedder, resolver, path)
    assert (report.new, report.duplicates) == (1, 9_999)
    reader = IndexReader.open(tmp_path / "index")
    (hit,) = Searcher(lambda: reader, fake_embedder).search("Zentrix AI server orders", k=3)
    assert len(hit.duplicates) == MAX_DUPLICATES
    assert hit.duplicates[0] == "https://copy1.example/a"
    assert hit.duplicates_more == 9_999 - MAX_DUPLICATES
    assert len(hit.model_dump_json()) < 3_000
    (fact_hit,) = reader.article_hits([hit.article_id]).values()
    assert (len(fact_hit.duplicates), fact_hit.duplicates_more) == (10, 9_989)
    reader.close()


def test_search_hit_cuts_a_plain_long_duplicate_list() -> None:
    fields = {"article_id": "a", "chunk_id": 1, "position": 0, "url": None, "title": "t",
              "outlet": None, "published": None, "text": "x", "tickers": [], "score": 0.0}
    hit = SearchHit(**fields, duplicates=[f"u{n}" for n in range(25)])  # type: ignore[arg-type]
    assert (len(hit.duplicates), hit.duplicates_more) == (10, 15)
    hit = SearchHit(**fields, duplicates=Duplicates(["u"], more=4))  # type: ignore[arg-type]
    assert (hit.duplicates, hit.duplicates_more) == (["u"], 4)


# --- the bounded line reader ---------------------------------------------------------------


def test_bounded_lines_edges() -> None:
    import io

    lines = BoundedLines(max_line=4)
    data = b"abcd\nabcde\nab\nabcdefghij" + b"k" * 3_000_000 + b"\nxy"
    assert list(lines.over(io.BytesIO(data))) == [
        (1, b"abcd\n"), (2, None), (3, b"ab\n"), (4, None), (5, b"xy")]
    capped = BoundedLines(max_line=100, max_total=12)
    assert list(capped.over(io.BytesIO(b"12345\n12345\n12345\n"))) == [
        (1, b"12345\n"), (2, b"12345\n")]
    assert capped.over_total


# --- measured peak RSS ---------------------------------------------------------------------


def test_measured_peak_rss_of_the_quick_rows(tmp_path: Path) -> None:
    """Each in a child process (peak RSS from wait4), beside a good file; the slower rows
    (1 M lines of {}, the 5 MB feed of empty items) are measured by `make bench` (bounds)."""
    for case in ("big-txt", "long-line", "gz-bomb", "deep-json"):
        result = bounds.measure(case, tmp_path)
        assert result["exit"] == 0, result
        assert result["peak_rss_mb"] * 1024 * 1024 <= bounds.MAX_RSS_BYTES, result
        assert result["seconds"] <= bounds.MAX_SECONDS, result
        assert result["new"] == bounds.CASES[case][2], result
