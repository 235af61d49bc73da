"""Integration: the real model on real text, through ingest, the index and hybrid search."""

from __future__ import annotations

import numpy as np
import pytest

from index.embedding import BUNDLED_MODEL_ID
from index.entities import EntityResolver, TickerTable
from index.errors import IndexMismatch
from index.reader import Filters, IndexReader
from index.search import Searcher
from ingest.pipeline import Ingestor
from ingest.sources import SourceSpec
from tests.conftest import FIXTURES, ROOT

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def built(tmp_path_factory, real_embedder):
    from ingest.settings import IngestSettings

    index_dir = tmp_path_factory.mktemp("real") / "index"
    ingestor = Ingestor(
        index_dir, IngestSettings(_env_file=None), real_embedder,  # type: ignore[call-arg]
        EntityResolver(TickerTable.load()),
    )
    report = ingestor.run([
        SourceSpec(name="sample", location=str(ROOT / "sample")),
        SourceSpec(name="fixtures", location=str(FIXTURES / "articles")),
    ])
    assert (report.new, report.failed) == (5, [])
    reader = IndexReader.open(index_dir, real_embedder.model_id, real_embedder.dimension)
    return index_dir, reader, Searcher(lambda: reader, real_embedder)


def test_real_model_vectors_are_normalised_and_meaningful(real_embedder):
    # The default backend is onnxruntime int8: its own model id, never mixed with fp32 indexes.
    assert real_embedder.model_id == BUNDLED_MODEL_ID + "+onnx-int8"
    assert real_embedder.dimension == 384
    vectors = real_embedder.encode([
        "Adobe stock plunged after OpenAI unveiled Sora",
        "Shares of the software maker fell sharply following the video model launch",
        "The recipe calls for two cups of flour",
    ])
    assert vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2] + 0.2
    assert real_embedder.count_tokens(["hello world", ""]) == [4, 2]  # with [CLS], [SEP]


def test_who_lost_from_sora_ranks_the_adobe_shutterstock_passage_first(built):
    _, _, searcher = built
    hits = searcher.search("who lost from Sora?", k=3)
    top = hits[0]
    assert top.title == "Sora's first wave of victims has appeared"
    assert "Adobe" in top.text and "Shutterstock" in top.text
    assert {"ADBE", "SSTK"} <= set(top.tickers)
    assert top.outlet == "Gelonghui via Futu"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("why did nvidia stock jump", "Nvidia soars on blowout AI chip forecast"),
        ("which edtech stock crashed because of chatgpt", "Chegg plunges after warning ChatGPT is hurting growth"),
        ("EU copyright disclosure rules for AI models", "European lawmakers agree draft rules for artificial intelligence"),
        ("how much is microsoft putting into openai", "Microsoft deepens OpenAI partnership with multiyear investment"),
    ],
)
def test_paraphrased_questions_find_their_article(built, query, expected):
    _, _, searcher = built
    for mode in ("hybrid", "dense"):
        assert searcher.search(query, k=1, mode=mode)[0].title == expected, mode


def test_filters_with_real_model(built):
    _, _, searcher = built
    hits = searcher.search("stock fell", k=5, filters=Filters(tickers=["CHGG"]))
    assert [h.title for h in hits] == ["Chegg plunges after warning ChatGPT is hurting growth"]


def test_index_refuses_another_model(built):
    index_dir, _, _ = built
    with pytest.raises(IndexMismatch, match="all-MiniLM-L6-v2"):
        IndexReader.open(index_dir, "fake-hashing-64", 64)
    with pytest.raises(IndexMismatch, match=r"onnx-int8"):  # same model, other runtime: refused
        IndexReader.open(index_dir, BUNDLED_MODEL_ID, 384)
