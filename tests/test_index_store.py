"""Writer, reader and search over a small index built directly (fake embedder)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest

from index import generations
from index.embedding import FakeEmbedder
from index.errors import IndexBusy, IndexMismatch, IndexNotFound
from index.keyword import fts_match, query_terms
from index.reader import Filters, IndexReader
from index.records import Article, Chunk, Entity
from index.search import LiveIndex, Searcher
from index.vectors import chunk_id
from index.writer import IndexWriter

DOCS = [
    ("a1", "Adobe shares plunge after Sora video model", "Adobe fell more than 7% after OpenAI showed Sora.", "ADBE", "2024-02-16"),
    ("a2", "Nvidia rallies on data center demand", "Nvidia jumped 24% as demand for AI chips soared.", "NVDA", "2023-05-25"),
    ("a3", "Shutterstock loses market value", "Shutterstock fell 5% and lost $70 million of market value.", "SSTK", "2024-02-16"),
    ("a4", "Europe drafts rules for artificial intelligence", "Lawmakers proposed copyright disclosure rules for generative tools.", None, "2023-05-01"),
]


def build(index_dir: Path, embedder: FakeEmbedder, docs=DOCS) -> None:
    with IndexWriter(index_dir, embedder.model_id, embedder.dimension, 256) as writer:
        for aid, title, text, ticker, day in docs:
            published = datetime.fromisoformat(day).replace(tzinfo=UTC)
            entities = [Entity(name=ticker, ticker=ticker)] if ticker else []
            article = Article(url=f"https://example.com/{aid}", title=title, text=text,
                              published=published, outlet="Example", entities=entities)
            writer.store.upsert_article(aid, article, "hash-" + aid, None, [], None, writer.started)
            chunk = Chunk(position=0, text=text, tokens=20, tickers=[ticker] if ticker else [])
            ids = [chunk_id(aid, 0)]
            writer.store.add_chunks(aid, title, published, [chunk], ids)
            writer.add_vectors(ids, embedder.encode([title + "\n" + text]))
        writer.commit({"seen": len(docs)}, ["test"])


def test_open_without_index_is_a_clear_error(tmp_path):
    with pytest.raises(IndexNotFound, match="run `python -m ingest` first"):
        IndexReader.open(tmp_path / "nothing")


def test_publish_writes_manifest_and_counts(tmp_path, fake_embedder):
    build(tmp_path, fake_embedder)
    reader = IndexReader.open(tmp_path, fake_embedder.model_id, fake_embedder.dimension)
    assert reader.manifest.counts.articles == 4
    assert reader.manifest.counts.chunks == 4
    assert reader.manifest.generation == 1
    assert reader.manifest.newest_article == datetime(2024, 2, 16, tzinfo=UTC)
    stats = reader.stats()
    assert stats["vectors"] == 4
    assert stats["runs"][0]["report"] == {"seen": 4}
    assert stats["size_bytes"] > 0


def test_model_mismatch_is_refused(tmp_path, fake_embedder):
    build(tmp_path, fake_embedder)
    with pytest.raises(IndexMismatch, match="built with model 'fake-hashing-64'"):
        IndexReader.open(tmp_path, "sentence-transformers/all-MiniLM-L6-v2", 384)
    other = FakeEmbedder(dimension=32)
    with pytest.raises(IndexMismatch):
        with IndexWriter(tmp_path, other.model_id, other.dimension, 256):
            pass


def test_hybrid_dense_keyword_and_filters(tmp_path, fake_embedder):
    build(tmp_path, fake_embedder)
    reader = IndexReader.open(tmp_path)
    searcher = Searcher(lambda: reader, fake_embedder)
    assert searcher.search("Adobe shares plunge", k=1)[0].article_id == "a1"
    assert searcher.search("Nvidia AI chips", k=1, mode="dense")[0].article_id == "a2"
    top = searcher.search("copyright disclosure", k=2, mode="keyword")
    assert [h.article_id for h in top] == ["a4"]
    only_sstk = searcher.search("market value fell", k=5, filters=Filters(tickers=["sstk"]))
    assert [h.article_id for h in only_sstk] == ["a3"]
    in_2023 = searcher.search(
        "shares", k=5,
        filters=Filters(since=datetime(2023, 1, 1, tzinfo=UTC), until=datetime(2023, 12, 31, tzinfo=UTC)),
    )
    assert {h.article_id for h in in_2023} <= {"a2", "a4"} and in_2023
    hit = searcher.search("Shutterstock", k=1)[0]
    assert hit.url == "https://example.com/a3" and hit.tickers == ["SSTK"]
    assert hit.published == datetime(2024, 2, 16, tzinfo=UTC)


def test_recency_weight_prefers_newer(tmp_path, fake_embedder):
    docs = [
        ("old", "Chip stocks rally", "Chip stocks rally on AI demand.", None, "2023-01-01"),
        ("new", "Chip stocks rally", "Chip stocks rally on AI demand!", None, "2023-12-01"),
    ]
    build(tmp_path, fake_embedder, docs)
    reader = IndexReader.open(tmp_path)
    searcher = Searcher(lambda: reader, fake_embedder)
    hits = searcher.search("chip stocks rally", k=2, recency_half_life_days=30)
    assert hits[0].article_id == "new"
    assert hits[0].score > hits[1].score


def fts_query(text: str) -> str | None:
    """The unpruned match the reader sends for a question."""
    return fts_match(query_terms(text))


def test_fts_query_is_quoted_and_drops_operators():
    assert fts_query('who says "Sora"? OR NEAR(x) -- $NVDA') == '"says" OR "sora" OR "near" OR "nvda"'
    # Move words are expanded to the verbs news use.
    assert '"plummeted"' in fts_query("who lost from Sora?")
    assert '"surged"' in fts_query("biggest winners of the AI boom")
    assert fts_query("the of and") is None


def test_second_writer_is_refused_while_one_runs(tmp_path, fake_embedder):
    with IndexWriter(tmp_path, fake_embedder.model_id, fake_embedder.dimension, 256):
        with pytest.raises(IndexBusy):
            with IndexWriter(tmp_path, fake_embedder.model_id, fake_embedder.dimension, 256):
                pass


def test_failed_run_leaves_serving_generation(tmp_path, fake_embedder):
    build(tmp_path, fake_embedder)
    before = generations.current_name(tmp_path)
    with pytest.raises(RuntimeError, match="boom"):
        with IndexWriter(tmp_path, fake_embedder.model_id, fake_embedder.dimension, 256) as w:
            w.store.delete_article_data("a1")
            raise RuntimeError("boom")
    assert generations.current_name(tmp_path) == before
    assert not list((tmp_path / "generations").glob(".building-*"))
    reader = IndexReader.open(tmp_path)
    assert reader.manifest.counts.chunks == 4


def test_live_index_swaps_to_new_generation_and_gc_keeps_a_few(tmp_path, fake_embedder):
    build(tmp_path, fake_embedder)
    live = LiveIndex(tmp_path, fake_embedder.model_id, fake_embedder.dimension)
    first = live.reader()
    assert first.generation == "g000001"
    for _ in range(4):
        with IndexWriter(tmp_path, fake_embedder.model_id, fake_embedder.dimension, 256, keep=3) as w:
            w.commit({"seen": 0}, [])
    assert live.reader().generation == "g000005"
    assert generations.published(tmp_path) == [3, 4, 5]
    # The old reader's files were deleted under it, yet it still answers (open handles).
    assert first.dense(np.ones(64, dtype=np.float32) / 8.0, 2)
    live.close()


def test_a_company_is_known_by_any_listing_or_by_its_name(tmp_path, fake_embedder):
    docs = [("g1", "Alphabet beats", "Alphabet shares rose.", "GOOGL", "2023-04-25")]
    with IndexWriter(tmp_path, fake_embedder.model_id, fake_embedder.dimension, 256) as writer:
        for aid, title, text, ticker, day in docs:
            published = datetime.fromisoformat(day).replace(tzinfo=UTC)
            article = Article(url=f"https://example.com/{aid}", title=title, text=text,
                              published=published, outlet="Example",
                              entities=[Entity(name="Alphabet (Google)", ticker=ticker)])
            writer.store.upsert_article(aid, article, "h-" + aid, None, [], None, writer.started)
            chunk = Chunk(position=0, text=text, tokens=5, tickers=[ticker])
            writer.store.add_chunks(aid, title, published, [chunk], [chunk_id(aid, 0)])
            writer.add_vectors([chunk_id(aid, 0)], fake_embedder.encode([text]))
        writer.commit({"seen": 1}, ["test"])
    reader = IndexReader.open(tmp_path)
    assert reader.knows_company("Alphabet (Google)", "GOOGL")
    assert reader.knows_company("Alphabet (Google)", "GOOG")  # another listing, same name
    assert not reader.knows_company("Microstrategy", "MSTR")
