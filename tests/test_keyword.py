"""The keyword query: FTS5 token counts, pruning of common terms, and its use by the reader."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime

import pytest

from index import generations
from index.keyword import fts_match, fts_tokens, prune_terms, query_terms, scoring_terms
from index.reader import IndexReader
from index.records import Article, Chunk
from index.search import Searcher
from index.vectors import chunk_id
from index.writer import IndexWriter

WORDS = [
    "stocks", "shares", "plummeted", "companies", "generative", "us", "u.s.", "at&t", "ai",
    "nvidia's", "rallied", "declined", "agency", "apple", "stay", "watered-down", "2023",
    "by", "beneficiaries", "losses", "surging", "hopeful", "relational", "conditional",
]


def test_tokens_are_the_ones_fts5_porter_indexes():
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE VIRTUAL TABLE t USING fts5(x, tokenize='porter unicode61')")
    conn.execute("CREATE VIRTUAL TABLE v USING fts5vocab(t, 'row')")
    for word in WORDS:
        conn.execute("DELETE FROM t")
        conn.execute("INSERT INTO t(x) VALUES (?)", [word])
        indexed = tuple(sorted(r[0] for r in conn.execute("SELECT term FROM v")))
        assert tuple(sorted(set(fts_tokens(word)))) == indexed, word


def test_query_terms_drop_stop_words_and_add_move_verbs():
    terms = query_terms("Who lost from Sora?")
    assert terms[:2] == ["lost", "sora"] and "plummeted" in terms and "who" not in terms
    assert query_terms('say "NEAR(x)" OR') == ["say", "near"]
    assert fts_match(["sora", "lost"]) == '"sora" OR "lost"'
    assert fts_match([]) is None
    # pruned: match on the kept terms, score with all of them
    assert fts_match(["sora"], scoring=["ai", "sora"]) == '("sora") AND ("ai" OR "sora")'
    assert fts_match(["sora", "ai"], scoring=["ai", "sora"]) == '"sora" OR "ai"'


COUNTS = {"sora": 3, "adob": 40, "ai": 9_000, "said": 8_000, "plummet": 10, "fell": 500}


def test_prune_keeps_rare_terms_within_the_budget_in_question_order():
    terms = ["ai", "sora", "said", "adobe", "plummeted", "fell"]
    kept = prune_terms(terms, lambda tok: COUNTS.get(tok, 0), max_rows=1_000)
    assert kept == ["sora", "adobe", "plummeted", "fell"]
    assert prune_terms(terms, lambda tok: COUNTS.get(tok, 0), max_rows=10**9) == terms
    assert prune_terms(terms, lambda tok: COUNTS.get(tok, 0), max_terms=2) == ["sora", "plummeted"]


def test_prune_keeps_the_rarest_term_when_all_are_common():
    assert prune_terms(["ai", "said"], lambda tok: COUNTS.get(tok, 0), max_rows=100) == ["said"]
    assert prune_terms([], lambda tok: 0) == []


def test_terms_in_too_many_chunks_do_not_score_unless_kept():
    count = lambda tok: COUNTS.get(tok, 0)  # noqa: E731
    terms = ["ai", "sora", "said", "adobe"]
    assert scoring_terms(terms, ["sora"], count, max_rows=8_500) == ["sora", "said", "adobe"]
    assert scoring_terms(terms, ["said"], count, max_rows=100) == ["sora", "said", "adobe"]
    assert scoring_terms(terms, ["sora"], count) == terms  # 50,000 by default: all score


def test_prune_keeps_terms_it_cannot_count():
    assert prune_terms(["ai", "zyxw"], lambda tok: COUNTS.get(tok, 0), max_rows=100) == ["zyxw"]


def _build(index_dir, embedder, n_common: int) -> None:
    """``n_common`` chunks about 'market', one about 'sora market'."""
    now = datetime(2024, 2, 16, tzinfo=UTC)
    texts = [("rare", "Sora market news", "Sora hit the market.")] + [
        (f"c{i}", f"Market update {i}", f"The market moved {i} points.") for i in range(n_common)
    ]
    with IndexWriter(index_dir, embedder.model_id, embedder.dimension, 256) as writer:
        for aid, title, text in texts:
            article = Article(url=f"https://example.com/{aid}", title=title, text=text,
                              published=now, outlet="Example")
            writer.store.upsert_article(aid, article, "h" + aid, None, [], None, writer.started)
            ids = [chunk_id(aid, 0)]
            writer.store.add_chunks(aid, title, now, [Chunk(position=0, text=text, tokens=9)], ids)
            writer.add_vectors(ids, embedder.encode([text]))
        writer.commit({}, ["test"])


def test_index_counts_terms_and_search_skips_common_ones(tmp_path, fake_embedder, monkeypatch):
    _build(tmp_path, fake_embedder, n_common=30)
    reader = IndexReader.open(tmp_path)
    assert reader._doc_count("market") == 31 and reader._doc_count("sora") == 1
    assert reader._doc_count("nothing") == 0
    monkeypatch.setattr("index.keyword.MAX_ROWS", 10)
    seen: list[str] = []
    original = reader._query

    def spy(sql, params=()):
        if "MATCH" in sql:
            seen.append(params[0])
        return original(sql, params)

    monkeypatch.setattr(reader, "_query", spy)
    hits = Searcher(lambda: reader, fake_embedder).search("sora market", k=3, mode="keyword")
    # "market" (31 chunks) is over the budget of 10: it scores but does not select chunks
    assert seen == ['("sora") AND ("sora" OR "market")']
    assert [h.title for h in hits] == ["Sora market news"]


def test_generation_without_term_counts_still_searches_everything(tmp_path, fake_embedder):
    _build(tmp_path, fake_embedder, n_common=3)
    path = generations.current_generation(tmp_path) / generations.SQLITE_NAME
    with sqlite3.connect(path) as conn:
        conn.execute("DROP TABLE term_stats")
    reader = IndexReader.open(tmp_path)
    hits = reader.keyword("market sora", 10)
    assert len(hits) == 4


@pytest.mark.parametrize("mode", ["hybrid", "keyword", "dense"])
def test_search_errors_surface_from_every_mode(tmp_path, fake_embedder, monkeypatch, mode):
    _build(tmp_path, fake_embedder, n_common=3)
    reader = IndexReader.open(tmp_path)

    def broken(*args, **kwargs):
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(reader, "keyword", broken)
    monkeypatch.setattr(reader, "dense", broken)
    with pytest.raises(sqlite3.OperationalError):
        Searcher(lambda: reader, fake_embedder).search("market", mode=mode)
