"""Integration: the ONNX backend against the sentence-transformers fp32 model, on real text.

Thresholds come from measurements on real RSS news (≈1,100 texts, 16 to 256 tokens): fp32 ONNX
reaches cosine > 0.99999 to torch; int8 has mean ≈ 0.994 and min ≈ 0.986.
"""

from __future__ import annotations

import shutil

import numpy as np
import pytest

from index.embedding import BUNDLED_MODEL_ID, Embedder, EmbedderError, bundled_model_path

pytestmark = pytest.mark.integration

FP32_MIN_COSINE = 0.9999
INT8_MIN_COSINE = 0.98
INT8_MEAN_COSINE = 0.99

DOCS = [
    "Nvidia shares jumped 9% after the chipmaker forecast data-center revenue well above "
    "analysts' estimates, citing soaring demand for processors that train AI models.",
    "The Federal Reserve held interest rates steady on Wednesday but signalled that one more "
    "increase was possible this year as inflation stays above its 2% target.",
    "Oil prices slid for a third straight session as worries about weak Chinese demand "
    "outweighed production cuts announced by Saudi Arabia and Russia.",
    "Microsoft said it would invest billions more in OpenAI, deepening a partnership that has "
    "put generative AI features into Bing, Office and its Azure cloud.",
    "Tesla cut prices on its Model 3 and Model Y in the US for the second time this year, "
    "pressuring margins as competition among electric-vehicle makers heats up.",
    "Regulators in the European Union agreed on draft rules for artificial intelligence that "
    "would require makers of chatbots to disclose copyrighted material used in training.",
    "A cyberattack on a large US health insurer disrupted pharmacy payments nationwide, and the "
    "company said it could take weeks to restore its systems.",
    "Gold rose to a record high as investors sought safety amid banking turmoil and bets that "
    "central banks will soon start cutting rates.",
]
QUERIES = [
    "chip stock rallies on strong AI data center outlook",
    "Fed keeps rates unchanged, hints at another hike",
    "crude falls on China demand concerns",
    "Microsoft expands OpenAI investment",
    "Tesla lowers EV prices again",
    "EU AI act copyright disclosure for chatbots",
    "hack at health insurer hits pharmacies",
    "bullion hits all-time high on safe-haven buying",
]


@pytest.fixture(scope="module")
def st_fp32():
    from index.embedding import SentenceTransformerEmbedder

    return SentenceTransformerEmbedder(bundled_model_path(), BUNDLED_MODEL_ID, threads=2)


@pytest.fixture(scope="module")
def onnx_fp32(onnx_model_cache):
    from index.embedding_onnx import OnnxEmbedder

    return OnnxEmbedder(bundled_model_path(), onnx_model_cache, threads=2, quantize=False)


@pytest.fixture(scope="module")
def onnx_int8(onnx_model_cache):
    from index.embedding_onnx import OnnxEmbedder

    return OnnxEmbedder(bundled_model_path(), onnx_model_cache, threads=2, quantize=True)


def _nearest(queries: np.ndarray, docs: np.ndarray) -> list[int]:
    return [int(i) for i in np.argmax(queries @ docs.T, axis=1)]


def _check_against_fp32(embedder, st_fp32, min_cosine: float) -> np.ndarray:
    texts = DOCS + QUERIES
    got, want = embedder.encode(texts, batch_size=4), st_fp32.encode(texts)
    assert got.shape == want.shape == (len(texts), 384) and got.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(got, axis=1), 1.0, atol=1e-5)
    cosine = np.sum(got * want, axis=1)
    assert cosine.min() >= min_cosine, cosine
    n = len(DOCS)
    assert _nearest(got[n:], got[:n]) == _nearest(want[n:], want[:n]) == list(range(n))
    return cosine


def test_fp32_onnx_matches_sentence_transformers(onnx_fp32, st_fp32):
    assert isinstance(onnx_fp32, Embedder)
    assert onnx_fp32.model_id == BUNDLED_MODEL_ID
    assert (onnx_fp32.dimension, onnx_fp32.max_tokens) == (384, 256)
    _check_against_fp32(onnx_fp32, st_fp32, FP32_MIN_COSINE)


def test_int8_onnx_is_close_and_has_its_own_model_id(onnx_int8, st_fp32):
    assert onnx_int8.model_id == BUNDLED_MODEL_ID + "+onnx-int8"
    cosine = _check_against_fp32(onnx_int8, st_fp32, INT8_MIN_COSINE)
    assert cosine.mean() >= INT8_MEAN_COSINE


def test_long_text_is_truncated_like_sentence_transformers(onnx_fp32, st_fp32):
    long_text = " ".join(DOCS * 4)  # ~400 word pieces: cut at 256
    assert onnx_fp32.count_tokens([long_text]) == st_fp32.count_tokens([long_text])
    assert onnx_fp32.count_tokens([long_text])[0] > 256
    cosine = float(onnx_fp32.encode([long_text])[0] @ st_fp32.encode([long_text])[0])
    assert cosine >= FP32_MIN_COSINE


def test_order_batching_and_edge_cases(onnx_fp32, st_fp32):
    texts = [DOCS[0], "", "AI", DOCS[1] * 3, QUERIES[0]]
    one_by_one = np.vstack([onnx_fp32.encode([t]) for t in texts])
    batched = onnx_fp32.encode(texts, batch_size=2)
    np.testing.assert_allclose(batched, one_by_one, atol=1e-5)
    assert onnx_fp32.encode([]).shape == (0, 384)
    assert onnx_fp32.count_tokens([]) == []
    assert onnx_fp32.count_tokens(texts) == st_fp32.count_tokens(texts)
    assert onnx_fp32.count_tokens([""]) == [2]  # [CLS] [SEP]


def test_warm_load_reuses_the_cached_file(onnx_fp32, onnx_model_cache):
    from index.embedding_onnx import OnnxEmbedder

    before = {p.name: p.stat().st_mtime_ns for p in onnx_model_cache.glob("minilm-*.onnx")}
    again = OnnxEmbedder(bundled_model_path(), onnx_model_cache, threads=1)
    assert again.onnx_path == onnx_fp32.onnx_path
    assert {p.name: p.stat().st_mtime_ns for p in onnx_model_cache.glob("minilm-*.onnx")} == before
    assert not list(onnx_model_cache.glob(".export-*"))  # no scratch left behind


def test_rejects_a_folder_that_is_not_a_model(tmp_path):
    from index.embedding_onnx import OnnxEmbedder

    with pytest.raises(EmbedderError):
        OnnxEmbedder(tmp_path, tmp_path / "cache")


def test_settings_choose_the_runtime(onnx_model_cache):
    from index.embedder_factory import load_embedder
    from index.embedding import SentenceTransformerEmbedder
    from index.embedding_onnx import OnnxEmbedder
    from index.settings import IndexSettings

    def load(backend: str):
        return load_embedder(IndexSettings(  # type: ignore[call-arg]
            _env_file=None, embedding_backend=backend, embedding_cache_dir=onnx_model_cache,
        ))

    default = load_embedder(IndexSettings(_env_file=None, embedding_cache_dir=onnx_model_cache))  # type: ignore[call-arg]
    assert isinstance(default, OnnxEmbedder) and default.variant == "int8"
    assert default.model_id == BUNDLED_MODEL_ID + "+onnx-int8" and default.batch_size == 8
    fp32 = load("onnx")
    assert isinstance(fp32, OnnxEmbedder) and fp32.model_id == BUNDLED_MODEL_ID
    torch_model = load("torch")
    assert isinstance(torch_model, SentenceTransformerEmbedder)
    assert torch_model.model_id == BUNDLED_MODEL_ID


def test_idle_threads_spin_only_for_bulk_embedding(onnx_model_cache):
    from index.embedder_factory import load_embedder
    from index.settings import IndexSettings

    settings = IndexSettings(_env_file=None, embedding_cache_dir=onnx_model_cache)  # type: ignore[call-arg]
    key = "session.intra_op.allow_spinning"
    for bulk, expected in ((False, "0"), (True, "1")):
        embedder = load_embedder(settings, bulk=bulk)
        options = embedder._session.get_session_options()  # type: ignore[attr-defined]
        assert options.get_session_config_entry(key) == expected


def test_a_failed_export_is_a_clear_error_and_caches_nothing(tmp_path):
    from index.embedding_onnx import OnnxEmbedder

    broken = tmp_path / "model"
    shutil.copytree(bundled_model_path(), broken)
    (broken / "model.safetensors").write_bytes(b"not a safetensors file")
    cache = tmp_path / "cache"
    with pytest.raises(EmbedderError, match=r"ONNX export of .* failed"):
        OnnxEmbedder(broken, cache, quantize=True)
    assert not list(cache.glob("*.onnx")) and not list(cache.glob(".export-*"))


def test_export_command_line_usage():
    from index.onnx_export import main

    assert main([]) == 2
    assert main(["model", "out.onnx", "fp16"]) == 2
