"""A run killed at any point (even SIGKILL) leaves the previous generation serving."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from index import generations
from index.reader import IndexReader
from tests.conftest import ROOT

WORDS = ("chip", "cloud", "model", "rally", "earnings", "margin", "guidance", "server",
         "startup", "valuation", "regulator", "antitrust", "datacenter", "licence", "robot")


def write_corpus(path: Path, n: int, tag: str) -> Path:
    """Distinct articles (different words per story, so none is a near-duplicate)."""
    rng = random.Random(tag)
    with path.open("w") as handle:
        for i in range(n):
            handle.write(json.dumps({
                "title": f"{tag} story {i}: chipmakers and cloud spending",
                "url": f"https://news.example.com/{tag}/{i}",
                "date": "2023-06-01T12:00:00Z",
                "text": " ".join(
                    f"Paragraph {j} of {tag} story {i} on "
                    + " ".join(rng.choice(WORDS) for _ in range(12)) + "."
                    for j in range(12)
                ),
            }) + "\n")
    return path


def ingest(index_dir: Path, *sources: Path) -> subprocess.Popen[str]:
    env = {**os.environ, "INDEX_DIR": str(index_dir), "EMBEDDING_MODEL": "fake:64"}
    return subprocess.Popen(
        [sys.executable, "-m", "ingest", "--json", *map(str, sources)],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )


def test_sigkill_mid_run_keeps_previous_generation_and_next_run_succeeds(tmp_path):
    index_dir = tmp_path / "index"
    first = ingest(index_dir, write_corpus(tmp_path / "a.jsonl", 5, "first"))
    out, err = first.communicate(timeout=120)
    assert first.returncode == 0, err
    assert json.loads(out)["new"] == 5
    serving = generations.current_name(index_dir)
    before = IndexReader.open(index_dir).manifest.counts

    big = write_corpus(tmp_path / "b.jsonl", 4000, "second")
    victim = ingest(index_dir, big)
    building = index_dir / "generations" / f".building-{victim.pid}"
    try:
        deadline = time.monotonic() + 180
        # Wait until the run has copied the serving generation and is adding articles to its
        # new one (the scratch database grows past the copy), then kill it without warning.
        copied: int | None = None
        while time.monotonic() < deadline:
            db = building / "meta.sqlite"
            if db.exists():
                size = db.stat().st_size
                copied = size if copied is None else copied
                if size > copied:
                    break
            assert victim.poll() is None, "the run finished before it could be killed"
            time.sleep(0.01)
        else:
            pytest.fail("the run never started writing")
    finally:  # never leave the victim running, whatever happened above
        victim.send_signal(signal.SIGKILL)
    victim.communicate(timeout=30)
    assert victim.returncode == -signal.SIGKILL

    assert generations.current_name(index_dir) == serving
    reader = IndexReader.open(index_dir)
    assert reader.manifest.counts == before
    assert reader.stats()["vectors"] == before.chunks
    reader.close()
    assert building.exists()  # the debris is there, but nobody reads it

    again = ingest(index_dir, tmp_path / "a.jsonl", write_corpus(tmp_path / "c.jsonl", 3, "third"))
    out, err = again.communicate(timeout=120)
    assert again.returncode == 0, err
    report = json.loads(out)
    assert (report["new"], report["unchanged"]) == (3, 5)
    assert not list((index_dir / "generations").glob(".building-*"))
    reader = IndexReader.open(index_dir)
    assert reader.manifest.counts.articles == 8
    assert reader.stats()["vectors"] == reader.manifest.counts.chunks


def test_crash_between_rename_and_pointer_swap(tmp_path, monkeypatch, fake_embedder):
    from index.writer import IndexWriter

    with IndexWriter(tmp_path, fake_embedder.model_id, fake_embedder.dimension, 256) as w:
        w.commit({"seen": 0}, [])
    assert generations.current_name(tmp_path) == "g000001"

    def crash(self, target):  # the process dies right before CURRENT is replaced
        raise KeyboardInterrupt

    monkeypatch.setattr(Path, "replace", crash)
    with pytest.raises(KeyboardInterrupt):
        with IndexWriter(tmp_path, fake_embedder.model_id, fake_embedder.dimension, 256) as w:
            w.commit({"seen": 0}, [])
    monkeypatch.undo()
    assert generations.current_name(tmp_path) == "g000001"
    IndexReader.open(tmp_path)
    with IndexWriter(tmp_path, fake_embedder.model_id, fake_embedder.dimension, 256) as w:
        manifest = w.commit({"seen": 0}, [])
    assert manifest.generation == 3
    assert generations.current_name(tmp_path) == "g000003"
