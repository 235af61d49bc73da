"""Approximate vector search past a size threshold (issue 12): the kind chosen at publish and
recorded, exact answers below it, filters that never list the window, broken files refused.

Small synthetic indexes with a lowered threshold (``ann_min_vectors``), so the IVF path runs
in well under a second."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest

from index import generations, vectors
from index.errors import IndexCorrupt
from index.generations import VECTORS_NAME
from index.reader import Filters, IndexReader
from index.records import Article, Chunk, Entity
from index.search import LiveIndex
from index.writer import IndexWriter

DIM = 32
MODEL = "test-model"
TICKERS = ["NVDA", "MSFT", "ADBE", "CHGG"]
START = datetime(2023, 1, 1, tzinfo=UTC)


def corpus(articles: int, per: int = 5, seed: int = 1) -> list[tuple[str, datetime, str, np.ndarray]]:
    """(article id, published, ticker, (per, DIM) unit vectors): clustered like news topics."""
    rng = np.random.default_rng(seed)
    centers = rng.normal(size=(40, DIM))
    out = []
    for n in range(articles):
        vecs = centers[n % 40] + rng.normal(0, 0.6, size=(per, DIM))
        vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
        out.append((f"a{seed}-{n}", START + timedelta(days=n % 365), TICKERS[n % 4],
                    vecs.astype(np.float32)))
    return out


def write(index_dir: Path, docs, min_vectors: int, remove: list[str] = ()) -> None:
    with IndexWriter(index_dir, MODEL, DIM, 256, ann_min_vectors=min_vectors) as writer:
        for aid in remove:
            writer.remove_vectors(writer.store.delete_article_data(aid))
            writer.store.conn.execute("DELETE FROM articles WHERE id = ?", (aid,))
        for aid, published, ticker, vecs in docs:
            article = Article(url=f"https://example.com/{aid}", title=aid, text=f"text of {aid}",
                              published=published, entities=[Entity(name=ticker, ticker=ticker)])
            writer.store.upsert_article(aid, article, "h-" + aid, None, [], None, writer.started)
            ids = [vectors.chunk_id(aid, p) for p in range(len(vecs))]
            chunks = [Chunk(position=p, text=f"{aid} part {p}", tokens=5) for p in range(len(vecs))]
            writer.store.add_chunks(aid, aid, published, chunks, ids)
            writer.add_vectors(ids, vecs)
        writer.commit({}, ["test"])


def exact(docs, query: np.ndarray, k: int, keep=lambda published, ticker: True) -> list[int]:
    ids, mats = [], []
    for aid, published, ticker, vecs in docs:
        if keep(published, ticker):
            ids += [vectors.chunk_id(aid, p) for p in range(len(vecs))]
            mats.append(vecs)
    scores = np.concatenate(mats) @ query
    return [ids[i] for i in np.argsort(-scores)[:k]]


@pytest.fixture(scope="module")
def ann_dir(tmp_path_factory) -> tuple[Path, list]:
    docs = corpus(600)  # 3,000 chunks
    path = tmp_path_factory.mktemp("ann")
    write(path, docs, min_vectors=2_000)
    return path, docs


def test_past_the_threshold_the_index_is_ivf_sq8_and_recorded(ann_dir):
    path, _ = ann_dir
    reader = IndexReader.open(path, MODEL, DIM)
    info = reader.manifest.vectors
    assert info.kind == "ivf-sq8" == reader.vectors_kind
    assert info.nlist == vectors.nlist_for(3_000) and info.trained_on and info.trained_count == 3_000
    assert info.count == 3_000
    assert info.bytes == (reader.path / VECTORS_NAME).stat().st_size
    assert vectors.kind(reader.load()._faiss) == "ivf-sq8"
    assert reader.stats()["vectors_index"]["kind"] == "ivf-sq8"


def test_below_the_threshold_search_stays_flat_and_exact(tmp_path):
    docs = corpus(100)
    write(tmp_path, docs, min_vectors=2_000)
    reader = IndexReader.open(tmp_path, MODEL, DIM)
    assert reader.manifest.vectors.kind == "flat"
    for _, _, _, vecs in docs[:20]:
        got = [cid for cid, _ in reader.dense(vecs[0], 10)]
        assert got == exact(docs, vecs[0], 10)


def test_recall_at_10_against_exact(ann_dir):
    path, docs = ann_dir
    reader = IndexReader.open(path, MODEL, DIM)
    rng = np.random.default_rng(5)
    hits = total = 0
    for _, _, _, vecs in docs[::10]:
        query = vecs[0] + rng.normal(0, 0.05, DIM).astype(np.float32)
        query /= np.linalg.norm(query)
        got = {cid for cid, _ in reader.dense(query, 10)}
        hits += len(got & set(exact(docs, query, 10)))
        total += 10
    assert hits / total >= 0.95


def test_wide_filters_post_filter_candidates_without_listing_the_window(ann_dir, monkeypatch):
    path, docs = ann_dir
    reader = IndexReader.open(path, MODEL, DIM)
    monkeypatch.setattr("index.filtered.TICKER_SET_MAX", 0)  # tickers named by many articles
    monkeypatch.setattr(reader, "_dense_exact", lambda *a: pytest.fail("listed the window"))
    since, until = datetime(2023, 2, 1, tzinfo=UTC), datetime(2023, 11, 30, tzinfo=UTC)
    query = docs[7][3][0]
    got = reader.dense(query, 20, Filters(since=since, until=until))
    want = exact(docs, query, 20, lambda p, t: since <= p <= until)
    assert len(got) == 20 and len({c for c, _ in got} & set(want)) >= 18
    details = reader.chunk_details([c for c, _ in got])
    assert all(since.timestamp() <= datetime.fromisoformat(details[c]["published"]).timestamp()
               <= until.timestamp() for c, _ in got)
    scores = [s for _, s in got]
    assert scores == sorted(scores, reverse=True)
    got = reader.dense(query, 10, Filters(tickers=["nvda", "MSFT"]))
    assert {c for c, _ in got} <= set(exact(docs, query, 10_000, lambda p, t: t in ("NVDA", "MSFT")))
    assert len({c for c, _ in got} & set(exact(docs, query, 10, lambda p, t: t in ("NVDA", "MSFT")))) >= 9


def test_a_narrow_window_falls_back_to_the_exact_search(ann_dir, monkeypatch):
    path, docs = ann_dir
    reader = IndexReader.open(path, MODEL, DIM)
    calls = []
    exact_search = reader._dense_exact
    monkeypatch.setattr(reader, "_dense_exact", lambda *a: calls.append(a) or exact_search(*a))
    day = datetime(2023, 3, 5, tzinfo=UTC)
    window = Filters(since=day, until=day + timedelta(hours=23), tickers=["ADBE", "CHGG"])
    query = docs[0][3][0]  # an article of another day: its neighbours are not in the window
    got = reader.dense(query, 10, window)
    want = exact(docs, query, 10, lambda p, t: day <= p <= day + timedelta(hours=23)
                 and t in ("ADBE", "CHGG"))
    assert calls and [c for c, _ in got] == want and 0 < len(want) < 10


def test_a_rare_ticker_is_searched_exactly_among_its_chunks(ann_dir, monkeypatch):
    path, docs = ann_dir
    reader = IndexReader.open(path, MODEL, DIM)
    monkeypatch.setattr(reader, "_window_ids", lambda *a: pytest.fail("listed the window in SQL"))
    query = docs[3][3][0]
    got = reader.dense(query, 10, Filters(tickers=["chgg"]))
    want = exact(docs, query, 10, lambda p, t: t == "CHGG")  # float32; the index has 8-bit codes
    assert got[0][0] == want[0] and len({c for c, _ in got} & set(want)) >= 9
    # a second search on the same ticker reads its chunk ids from memory
    monkeypatch.setattr(reader, "_ticker_chunk_ids", lambda *a: pytest.fail("read them again"))
    assert reader.dense(query, 5, Filters(tickers=["CHGG"])) == got[:5]


def test_later_runs_edit_the_ivf_index_and_a_shrunk_one_goes_flat(tmp_path):
    docs = corpus(500)
    write(tmp_path, docs, min_vectors=2_000)
    first = IndexReader.open(tmp_path).manifest.vectors
    extra = corpus(40, seed=2)
    write(tmp_path, extra, min_vectors=2_000, remove=[docs[0][0]])
    reader = IndexReader.open(tmp_path, MODEL, DIM)
    second = reader.manifest.vectors
    assert second.kind == "ivf-sq8" and second.count == 2_500 + 200 - 5
    assert second.trained_count == first.trained_count  # not trained again: it grew < 4x
    gone = vectors.chunk_id(docs[0][0], 0)
    added = vectors.chunk_id(extra[3][0], 1)
    sims = reader.similarity(extra[3][3][1], [gone, added])
    assert gone not in sims and sims[added] == pytest.approx(1.0, abs=0.02)
    assert reader.dense(extra[3][3][1], 1)[0][0] == added
    write(tmp_path, [], min_vectors=10_000)
    reader = IndexReader.open(tmp_path, MODEL, DIM)
    assert reader.manifest.vectors.kind == "flat" and reader.manifest.vectors.count == 2_695
    assert reader.dense(extra[3][3][1], 1)[0][0] == added


@pytest.mark.parametrize("damage", ["truncate", "garbage", "missing"])
def test_a_broken_vectors_file_is_refused_and_the_previous_generation_keeps_serving(
    tmp_path, damage
):
    docs = corpus(500)
    write(tmp_path, docs, min_vectors=2_000)
    live = LiveIndex(tmp_path, MODEL, DIM)
    serving = live.reader()
    write(tmp_path, corpus(20, seed=3), min_vectors=2_000)
    broken = generations.current_generation(tmp_path) / VECTORS_NAME
    size = broken.stat().st_size
    if damage == "truncate":
        with broken.open("r+b") as handle:
            handle.truncate(size // 2)
    elif damage == "garbage":
        broken.write_bytes(b"\0" * size)
    else:
        broken.unlink()
    with pytest.raises(IndexCorrupt):
        IndexReader.open(tmp_path, MODEL, DIM).load()
    assert live.reader() is serving and live.reader() is serving  # refused once, kept serving
    assert serving.dense(docs[4][3][0], 1)[0][0] == vectors.chunk_id(docs[4][0], 0)
    with pytest.raises(IndexCorrupt):
        LiveIndex(tmp_path, MODEL, DIM).reader()  # nothing to fall back on: the error shows
    with pytest.raises(IndexCorrupt):  # nor does a writer build on a broken generation
        write(tmp_path, [], min_vectors=2_000)
    assert generations.current_generation(tmp_path).name == "g000002"  # nothing published


def test_a_same_size_file_of_another_index_is_refused(tmp_path):
    docs = corpus(100)
    write(tmp_path, docs, min_vectors=2_000)
    path = generations.current_generation(tmp_path)
    other = vectors.new_index(DIM)
    vectors.add(other, [1, 2], docs[0][3][:2])
    vectors.write_index(other, path / VECTORS_NAME)
    manifest = generations.read_manifest(path)
    manifest.vectors.bytes = (path / VECTORS_NAME).stat().st_size
    manifest.write(path)
    with pytest.raises(IndexCorrupt, match="2 vectors where the manifest says 500"):
        IndexReader.open(tmp_path).load()
