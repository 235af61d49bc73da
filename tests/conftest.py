"""Shared fixtures: settings that never read a developer's .env, the fake embedder; ``hit``,
a retrieved passage for the pure answer and retrieval checks."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from index.embedding import FakeEmbedder
from index.reader import SearchHit
from index.settings import IndexSettings
from ingest.settings import IngestSettings

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def hit(aid: str, text: str, title: str = "t", tickers: list[str] | None = None,
        published: datetime = datetime(2023, 2, 8, tzinfo=UTC)) -> SearchHit:
    """A retrieved passage of article ``aid``."""
    return SearchHit(
        article_id=aid, chunk_id=abs(hash(aid)) % 10_000, position=0, url=f"https://x/{aid}",
        title=title, outlet="o", published=published, text=text, tickers=tickers or [],
        score=1.0, dense=0.6,
    )


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
    from index.embedder_factory import load_embedder

    return load_embedder(IndexSettings(_env_file=None, embedding_model="bundled"))  # type: ignore[call-arg]


def ingest_folders(index_dir: Path, embedder, folders: dict[str, Path], new: int) -> Path:
    """Ingest ``folders`` (name -> path) into ``index_dir``; checks ``new`` articles came in."""
    from index.entities import EntityResolver, TickerTable
    from ingest.pipeline import Ingestor
    from ingest.sources import SourceSpec

    report = Ingestor(
        index_dir, IngestSettings(_env_file=None), embedder,  # type: ignore[call-arg]
        EntityResolver(TickerTable.load()),
    ).run([SourceSpec(name=name, location=str(path)) for name, path in folders.items()])
    assert report.new == new, report
    return index_dir


@pytest.fixture(scope="session")
def sample_index(tmp_path_factory, real_embedder) -> Path:
    """The bundled sample plus four fixture articles, ingested with the real model (once)."""
    return ingest_folders(tmp_path_factory.mktemp("sample") / "index", real_embedder,
                          {"sample": ROOT / "sample", "fixtures": FIXTURES / "articles"}, 5)


def assert_sora_losers(answer) -> dict:
    """The founding answer: Adobe down more than 7%, Shutterstock more than 5% and $70M."""
    assert answer.covered and answer.intent == "losers"
    movers = {m.ticker: m for m in answer.movers}
    assert list(movers)[:2] == ["ADBE", "SSTK"]
    assert [r.text for r in movers["ADBE"].reported] == ["down more than 7%"]
    assert [r.text for r in movers["SSTK"].reported] == [
        "down more than 5%", "market value down more than $70 million"]
    return movers
