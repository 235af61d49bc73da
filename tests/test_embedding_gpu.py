"""The GPU back-fill path (issue 12, item 3), run on the CPU: the same pipelined code
(tokeniser pool ahead of sentence-transformers' forward) with device="cpu" and float32.

No GPU is needed: what differs on CUDA is the device and the dtype (fp16/bf16), whose
fidelity was measured on an H200 in the issue (cosine to fp32 >= 0.996).
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from index.embedding import BUNDLED_MODEL_ID, EmbedderError, SentenceTransformerEmbedder
from index.embedding import bundled_model_path as model_path
from index.settings import IndexSettings
from tests.conftest import FIXTURES, ROOT, ingest_folders

pytestmark = pytest.mark.integration

HAS_CUDA = False
try:  # pragma: no cover - depends on the machine
    import torch

    HAS_CUDA = torch.cuda.is_available()
except ImportError:  # pragma: no cover
    pass
no_cuda = pytest.mark.skipif(HAS_CUDA, reason="this machine has a CUDA device")


def real_paragraphs() -> list[str]:
    """Paragraphs of the bundled sample and the fixture articles: real news text."""
    files = sorted((FIXTURES / "articles").glob("*.md")) + sorted((ROOT / "sample").glob("*.md"))
    out = []
    for path in files:
        body = path.read_text(encoding="utf-8").split("---", 2)[-1]
        out += [p.strip() for p in body.split("\n\n") if len(p.strip()) > 40]
    return out


TEXTS = real_paragraphs()
# Mixed lengths: one word, a headline, the paragraphs, and texts past the model's 256-token
# window (truncated exactly as sentence-transformers truncates).
MIXED = ["Nvidia", "Adobe shares fall after OpenAI shows Sora", *TEXTS[:20],
         " ".join(TEXTS[:12]), " ".join(TEXTS[12:30]), ""]


def settings(**values) -> IndexSettings:
    return IndexSettings(_env_file=None, **values)  # type: ignore[call-arg]


@pytest.fixture(scope="module")
def pipelined():
    from index.embedding_gpu import PipelinedEmbedder

    embedder = PipelinedEmbedder(model_path(), BUNDLED_MODEL_ID, device="cpu", dtype="float32",
                                 batch_size=4, workers=2, threads=2)
    yield embedder
    embedder.close()


@pytest.fixture(scope="module")
def torch_fp32():
    return SentenceTransformerEmbedder(model_path(), BUNDLED_MODEL_ID, threads=2)


def test_real_text_is_at_hand():
    assert len(TEXTS) >= 36 and max(map(len, MIXED)) > 3000


def test_vectors_match_the_default_cpu_embedder_and_torch_fp32(
    pipelined, torch_fp32, real_embedder, gpu_built, onnx_model_cache
):
    from index.embedder_factory import load_embedder

    cache = onnx_model_cache
    got = pipelined.encode(TEXTS)
    assert got.shape == (len(TEXTS), 384) and got.dtype == np.float32
    assert np.allclose(np.linalg.norm(got, axis=1), 1.0, atol=1e-5)
    reference = torch_fp32.encode(TEXTS)  # sentence-transformers' stock encode, fp32
    assert float(np.sum(got * reference, axis=1).min()) >= 0.9999
    # What the default configuration embeds with on an index the GPU built: onnxruntime fp32.
    default_here = load_embedder(settings(index_dir=gpu_built, embedding_cache_dir=cache))
    assert float(np.sum(got * default_here.encode(TEXTS), axis=1).min()) >= 0.9999
    # The int8 runtime (the default on a CPU-built index) is only within its own error of
    # fp32 (min ~0.986 here): why a GPU-built index is not queried with int8 vectors.
    cosine = np.sum(got * real_embedder.encode(TEXTS), axis=1)
    assert float(cosine.mean()) >= 0.99 and float(cosine.min()) >= 0.98
    assert pipelined.model_id == BUNDLED_MODEL_ID  # fp32-compatible: the plain model id
    assert (pipelined.dimension, pipelined.max_tokens) == (384, 256)


def test_order_is_kept_across_batches_of_mixed_lengths(pipelined):
    texts = list(MIXED)
    random.Random(3).shuffle(texts)
    together = pipelined.encode(texts, batch_size=3)
    alone = np.vstack([pipelined.encode([t], batch_size=1) for t in texts])
    assert np.sum(together * alone, axis=1).min() > 0.99999
    again = pipelined.encode(texts[::-1], batch_size=5)
    assert np.allclose(again[::-1], together, atol=1e-5)


def test_token_ids_are_those_of_sentence_transformers(pipelined):
    ids, mask = pipelined.tokenize(MIXED)
    want = pipelined._model.preprocess(MIXED)
    assert ids.shape == (len(MIXED), 256)  # the long texts are cut at max_seq_length
    assert np.array_equal(ids, want["input_ids"].numpy())
    assert np.array_equal(mask, want["attention_mask"].numpy())


def test_token_counts_match_the_default_runtime(pipelined, real_embedder):
    assert pipelined.count_tokens(MIXED) == real_embedder.count_tokens(MIXED)
    assert pipelined.encode([]).shape == (0, 384)


def test_bfloat16_stays_within_the_threshold(torch_fp32):
    from index.embedding_gpu import PipelinedEmbedder

    bf16 = PipelinedEmbedder(model_path(), BUNDLED_MODEL_ID, device="cpu", dtype="bfloat16",
                             batch_size=8, workers=2, threads=2)
    try:
        texts = MIXED[:10]
        assert float(np.sum(bf16.encode(texts) * torch_fp32.encode(texts), axis=1).min()) >= 0.99
    finally:
        bf16.close()


def test_a_tokenizer_failure_reaches_the_caller(pipelined, monkeypatch):
    def broken(texts):
        raise RuntimeError("tokenizer broke")

    monkeypatch.setattr(pipelined, "_tokenize", broken)
    with pytest.raises(RuntimeError, match="tokenizer broke"):
        pipelined.encode(MIXED, batch_size=2)


# -- choosing the device -------------------------------------------------------------------


def test_device_resolution(monkeypatch):
    import index.embedding_gpu as gpu
    from index.embedder_factory import resolve_device

    assert resolve_device("cpu") == "cpu"
    monkeypatch.setattr(gpu, "cuda_status", lambda: (True, "an H200"))
    assert resolve_device("auto") == "cuda" and resolve_device("cuda") == "cuda"
    monkeypatch.setattr(gpu, "cuda_status", lambda: (False, "a CPU-only torch"))
    assert resolve_device("auto") == "cpu"
    with pytest.raises(EmbedderError, match=r"no CUDA device: a CPU-only torch.*--device auto"):
        resolve_device("cuda")


@no_cuda
def test_this_machine_has_no_cuda_and_says_why():
    from index.embedding_gpu import cuda_status

    available, why = cuda_status()
    assert not available and "torch" in why


@no_cuda
def test_auto_falls_back_to_the_default_cpu_runtime(tmp_path, onnx_model_cache):
    from index.embedder_factory import load_embedder
    from index.embedding_onnx import OnnxEmbedder

    embedder = load_embedder(settings(embed_device="auto", index_dir=tmp_path / "none",
                                      embedding_cache_dir=onnx_model_cache), bulk=True)
    assert isinstance(embedder, OnnxEmbedder) and embedder.variant == "int8"


@no_cuda
def test_ingest_device_cuda_without_cuda_is_a_clear_error(tmp_path):
    env = {**os.environ, "EMBEDDING_MODEL": "fake:64", "INDEX_DIR": str(tmp_path / "index"),
           "HF_HUB_OFFLINE": "1"}
    done = subprocess.run(
        [sys.executable, "-m", "ingest", "--device", "cuda", str(ROOT / "sample")],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120, check=False,
    )
    assert done.returncode == 2, done.stderr
    assert "error: --device cuda (EMBED_DEVICE=cuda): no CUDA device" in done.stderr
    assert "CPU-only build" in done.stderr and "Back-filling on a GPU" in done.stderr
    assert "Traceback" not in done.stderr and not (tmp_path / "index").exists()


@no_cuda
def test_ingest_device_auto_without_cuda_ingests_on_the_cpu(tmp_path, monkeypatch, caplog):
    from ingest.cli import main

    monkeypatch.setenv("EMBEDDING_MODEL", "fake:64")
    monkeypatch.chdir(tmp_path)
    with caplog.at_level("INFO", logger="index.embedder_factory"):
        assert main(["--device", "auto", "--index-dir", str(tmp_path / "i"),
                     str(ROOT / "sample")]) == 0
    assert "--device auto: no CUDA device" in caplog.text


def test_the_setting_is_read_from_the_environment(monkeypatch):
    monkeypatch.setenv("EMBED_DEVICE", "auto")
    monkeypatch.setenv("EMBED_GPU_DTYPE", "bfloat16")
    loaded = settings()
    assert (loaded.embed_device, loaded.embed_gpu_dtype) == ("auto", "bfloat16")
    assert settings().model_copy(update={"embed_device": "cuda"}).embed_device == "cuda"
    monkeypatch.delenv("EMBED_DEVICE")
    assert settings().embed_device == "cpu"


# -- an index back-filled on the GPU, served and extended by the default runtime ------------


@pytest.fixture(scope="module")
def gpu_built(tmp_path_factory, pipelined) -> Path:
    """The sample ingested by the GPU code path (run on the CPU)."""
    index_dir = tmp_path_factory.mktemp("gpu") / "index"
    return ingest_folders(index_dir, pipelined, {"sample": ROOT / "sample"}, 1)


def test_a_gpu_built_index_records_the_plain_model_id(gpu_built):
    from index.embedder_factory import index_model_id

    assert index_model_id(gpu_built) == BUNDLED_MODEL_ID
    assert index_model_id(gpu_built.parent / "missing") is None


def test_the_default_runtime_queries_and_extends_a_gpu_built_index(gpu_built, onnx_model_cache,
                                                                  pipelined):
    from index.embedder_factory import load_embedder
    from index.embedding_onnx import OnnxEmbedder
    from index.reader import IndexReader
    from index.search import Searcher

    default = settings(index_dir=gpu_built, embedding_cache_dir=onnx_model_cache)
    query_embedder = load_embedder(default)
    assert isinstance(query_embedder, OnnxEmbedder) and query_embedder.variant == "fp32"
    assert query_embedder.model_id == BUNDLED_MODEL_ID
    # The bot's path: the reader accepts it; the query vector is the GPU path's to 0.9999.
    reader = IndexReader.open(gpu_built, query_embedder.model_id, query_embedder.dimension)
    try:
        hits = Searcher(lambda: reader, query_embedder).search("who lost from Sora?", k=1)
        assert hits[0].title == "Sora's first wave of victims has appeared"
    finally:
        reader.close()
    question = ["who lost from Sora?"]
    assert float(query_embedder.encode(question)[0] @ pipelined.encode(question)[0]) > 0.9999
    # A later CPU ingest (the bot's /reingest, the schedule) adds to it with the same vectors.
    ingest_embedder = load_embedder(default, bulk=True)
    assert ingest_embedder.model_id == BUNDLED_MODEL_ID
    ingest_folders(gpu_built, ingest_embedder, {"fixtures": FIXTURES / "articles"}, 4)
    reader = IndexReader.open(gpu_built, BUNDLED_MODEL_ID, 384)
    try:
        assert reader.stats()["counts"]["articles"] == 5
    finally:
        reader.close()


def test_an_int8_index_is_never_extended_on_the_gpu(sample_index, monkeypatch, onnx_model_cache):
    import index.embedding_gpu as gpu
    from index.embedder_factory import load_embedder
    from index.embedding_onnx import OnnxEmbedder

    monkeypatch.setattr(gpu, "cuda_status", lambda: (True, "an H200"))
    with pytest.raises(EmbedderError, match=r"onnx-int8.*new --index-dir"):
        load_embedder(settings(embed_device="cuda"), bulk=True, index_dir=sample_index)
    fallback = load_embedder(settings(embed_device="auto", embedding_cache_dir=onnx_model_cache),
                             bulk=True, index_dir=sample_index)
    assert isinstance(fallback, OnnxEmbedder) and fallback.variant == "int8"


def test_ingest_hands_a_gpu_embedder_bigger_calls(tmp_path, fake_embedder, monkeypatch):
    """The pipeline flushes at the embedder's ``preferred_chunks_per_call`` (the GPU's pool
    runs ahead within one call), and at 256 chunks for the CPU runtimes."""
    import ingest.pipeline as pipeline

    articles = tmp_path / "news.jsonl"
    articles.write_text("".join(
        f'{{"title": "Item {i}", "text": "Chipmaker {i} shares rose after results.", '
        f'"url": "https://example.com/{i}", "published": "2024-01-0{1 + i % 9}"}}\n'
        for i in range(40)
    ))
    calls: list[int] = []
    encode = fake_embedder.encode
    monkeypatch.setattr(fake_embedder, "encode", lambda texts: calls.append(len(texts))
                        or encode(texts))
    monkeypatch.setattr(pipeline, "EMBED_BATCH_CHUNKS", 8)
    ingest_folders(tmp_path / "a", fake_embedder, {"news": articles}, 40)
    assert max(calls) <= 9 and len(calls) >= 4
    calls.clear()
    fake_embedder.preferred_chunks_per_call = 32  # type: ignore[attr-defined]
    ingest_folders(tmp_path / "b", fake_embedder, {"news": articles}, 40)
    assert calls and max(calls) > 9 and len(calls) <= 2
