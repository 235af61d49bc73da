"""Shared fixtures: settings that never read a developer's .env, the fake embedder."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from index.embedding import FakeEmbedder
from index.settings import IndexSettings
from ingest.settings import IngestSettings

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture
def fake_embedder() -> FakeEmbedder:
    return FakeEmbedder(dimension=64)


@pytest.fixture
def index_settings(tmp_path: Path) -> IndexSettings:
    return IndexSettings(_env_file=None, index_dir=tmp_path / "index", embedding_model="fake:64")  # type: ignore[call-arg]


@pytest.fixture
def ingest_settings() -> IngestSettings:
    return IngestSettings(_env_file=None, fetch_timeout=2.0)  # type: ignore[call-arg]


@pytest.fixture(scope="session", autouse=True)
def onnx_model_cache(tmp_path_factory) -> Iterator[Path]:
    """One ONNX export per test session, shared with the subprocesses tests start."""
    cache = tmp_path_factory.mktemp("onnx-cache")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("EMBEDDING_CACHE_DIR", str(cache))
        yield cache


@pytest.fixture(scope="session")
def real_embedder():
    """The bundled all-MiniLM-L6-v2, loaded once per test session (no network)."""
    from index.embedding import load_embedder

    return load_embedder(IndexSettings(_env_file=None, embedding_model="bundled"))  # type: ignore[call-arg]


@pytest.fixture(scope="session")
def sample_index(tmp_path_factory, real_embedder) -> Path:
    """The bundled sample plus four fixture articles, ingested with the real model (once)."""
    from index.entities import EntityResolver, TickerTable
    from ingest.pipeline import Ingestor
    from ingest.sources import SourceSpec

    index_dir = tmp_path_factory.mktemp("sample") / "index"
    report = Ingestor(
        index_dir, IngestSettings(_env_file=None), real_embedder,  # type: ignore[call-arg]
        EntityResolver(TickerTable.load()),
    ).run([
        SourceSpec(name="sample", location=str(ROOT / "sample")),
        SourceSpec(name="fixtures", location=str(FIXTURES / "articles")),
    ])
    assert report.new == 5, report
    return index_dir
