"""Filtered searches that never list a window: the keyword walk and the dates in memory."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest

from index import filtered, vectors
from index.chunk_dates import ChunkDates, bounds
from index.hits import Filters
from index.reader import IndexReader
from index.records import Article, Chunk, Entity
from index.writer import IndexWriter

DIM = 16
MODEL = "test-model"
TICKERS = ["NVDA", "MSFT", "ADBE", "CHGG", None]
WORDS = "nvidia chips rallied earnings guidance fell sora video adobe stock market rose".split()
START = datetime(2023, 1, 1, tzinfo=UTC)


def test_chunk_dates_answer_windows_and_membership():
    ids = np.array([40, 10, 30, 20, 50])
    times = np.array([4.0, 1.0, np.nan, 2.0, 2.0])
    dates = ChunkDates(ids, times)
    assert len(dates) == 5 and dates.nbytes > 0
    assert dates.count(2.0, 4.0) == 3 and dates.count(5.0, 9.0) == 0
    assert sorted(dates.window(-np.inf, np.inf).tolist()) == [10, 20, 40, 50]  # 30 has no date
    assert sorted(dates.window(2.0, 2.0).tolist()) == [20, 50]
    mask = dates.inside(np.array([30, 20, 99, 40, 10]), 1.5, 4.0)
    assert mask.tolist() == [False, True, False, True, False]  # undated, unknown: never inside
    assert ChunkDates(np.array([], dtype=np.int64), np.array([])).inside(np.array([1]), 0, 1).tolist() == [False]
    assert bounds(Filters()) is None
    day = datetime(2023, 5, 1, tzinfo=UTC)
    assert bounds(Filters(since=day)) == (day.timestamp(), np.inf)


def test_chunk_dates_load_from_sqlite_keeps_big_ids_and_undated_chunks():
    conn = sqlite3.connect(":memory:")
    conn.row_factory = sqlite3.Row  # as the reader's connections
    conn.execute("CREATE TABLE chunks (id INTEGER PRIMARY KEY, published_ts REAL)")
    conn.execute("CREATE INDEX chunks_published ON chunks(published_ts)")
    conn.executemany("INSERT INTO chunks VALUES (?, ?)", [(5, None), (3, 10.0), (2**62 + 1, 20.5)])
    dates = ChunkDates.load(conn)
    assert len(dates) == 3 and dates.count(0, 100) == 2
    assert dates.window(0, 100).tolist() == [3, 2**62 + 1]
    assert dates.inside(np.array([5, 2**62 + 1, 2**62]), 0, 100).tolist() == [False, True, False]
    conn.execute("DELETE FROM chunks")
    assert len(ChunkDates.load(conn)) == 0


@pytest.fixture(scope="module")
def reader(tmp_path_factory) -> IndexReader:
    rng = np.random.default_rng(7)
    path: Path = tmp_path_factory.mktemp("filtered")
    with IndexWriter(path, MODEL, DIM, 256) as writer:
        for n in range(240):
            aid, ticker = f"a{n}", TICKERS[n % 5]
            words = rng.choice(WORDS, size=int(rng.integers(4, 30)))
            text = " ".join(words)
            published = START + timedelta(days=int(rng.integers(0, 200)), hours=n % 24)
            entities = [Entity(name=ticker, ticker=ticker)] if ticker else []
            article = Article(url=f"https://example.com/{aid}", title=f"title {n}", text=text,
                              published=published, entities=entities)
            writer.store.upsert_article(aid, article, "h" + aid, None, [], None, writer.started)
            ids = [vectors.chunk_id(aid, 0)]
            writer.store.add_chunks(aid, f"title {n}", published,
                                    [Chunk(position=0, text=text, tokens=len(words))], ids)
            vec = rng.normal(size=(1, DIM)).astype(np.float32)
            writer.add_vectors(ids, vec / np.linalg.norm(vec))
        writer.commit({}, ["test"])
    return IndexReader.open(path, MODEL, DIM)


def reference(reader: IndexReader, text: str, filters: Filters) -> list[tuple[int, float]]:
    """What the keyword search returned when SQLite joined every match to its chunk row."""
    from index.keyword import fts_match, query_terms

    terms = query_terms(text)
    where, params = reader._filter_sql(filters)
    rows = reader._query(
        "SELECT c.id, bm25(chunks_fts, 2.0, 1.0) AS s FROM chunks_fts JOIN chunks c ON "
        f"c.id = chunks_fts.rowid WHERE chunks_fts MATCH ? AND {where} ORDER BY s",
        [fts_match(terms), *params])
    return [(int(r[0]), -float(r[1])) for r in rows]


WINDOWS = [
    Filters(since=START + timedelta(days=30), until=START + timedelta(days=60)),
    Filters(tickers=["nvda"]),
    Filters(tickers=["MSFT", "CHGG"], since=START + timedelta(days=90)),
    Filters(until=START + timedelta(days=80), tickers=["ADBE"]),
]


@pytest.mark.parametrize("filters", WINDOWS)
@pytest.mark.parametrize("narrow", [True, False])
def test_filtered_keyword_search_ranks_as_the_sql_join(reader, filters, narrow, monkeypatch):
    if not narrow:  # every filter checked on the best matches, fetched 8x more each time
        monkeypatch.setattr(filtered, "WINDOW_SET_MAX", 0)
        monkeypatch.setattr(filtered, "TICKER_SET_MAX", 0)
        monkeypatch.setattr(filtered, "POST_FILTER_MIN", 1)
        monkeypatch.setattr(filtered, "OVERFETCH", (1, 2))
    want = reference(reader, "nvidia rallied on earnings", filters)
    assert len(want) > 10
    everything = reader.keyword("nvidia rallied on earnings", 10_000, filters)
    assert sorted(everything) == sorted(want)
    assert reader._narrow_ids(filters)[0] is None or narrow
    top = reader.keyword("nvidia rallied on earnings", 7, filters)
    assert [s for _, s in top] == pytest.approx([s for _, s in want[:7]], rel=1e-9)
    assert set(top) <= set(want)


def test_an_empty_window_answers_without_searching(reader, monkeypatch):
    def no_query(sql, params=()):
        if "MATCH" in sql:
            pytest.fail("searched a window the index holds nothing for")
        return []

    reader.chunk_dates()  # loaded before the spy
    monkeypatch.setattr(reader, "_query", no_query)
    empty = Filters(since=datetime(2025, 1, 1, tzinfo=UTC), tickers=["NVDA"])
    assert reader.keyword("nvidia rallied", 10, empty) == []


def test_window_ids_come_from_memory_and_the_ticker_index(reader):
    filters = Filters(tickers=["MSFT"], since=START + timedelta(days=50),
                      until=START + timedelta(days=150))
    where, params = reader._filter_sql(filters)
    want = {r[0] for r in reader._query(f"SELECT c.id FROM chunks c WHERE {where}", params)}
    assert want and set(reader._window_ids(filters)) == want
    found = [(cid, 1.0) for cid in sorted(reader.chunk_dates().window(-np.inf, np.inf).tolist())]
    assert {c for c, _ in reader._within(found, filters)} == want


def test_ticker_checks_are_remembered_per_ticker_set(reader, monkeypatch):
    ids = np.array(sorted(reader.chunk_dates().window(-np.inf, np.inf).tolist())[:60])
    where, params = reader._filter_sql(Filters(tickers=["MSFT"]))
    want = {r[0] for r in reader._query(f"SELECT c.id FROM chunks c WHERE {where}", params)}
    first = reader._naming(ids, ["MSFT"])
    assert first == want & set(ids.tolist()) and first
    original = reader._query

    def spy(sql, params=()):
        assert "json_each" not in sql, "looked up candidates already checked"
        return original(sql, params)

    monkeypatch.setattr(reader, "_query", spy)
    assert reader._naming(ids[:30], ["msft"]) == first & set(ids[:30].tolist())
