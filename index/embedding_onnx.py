"""all-MiniLM-L6-v2 on onnxruntime: sentence-transformers' vectors, faster on this CPU.

The model folder is exported to ONNX once from its own weights by ``index.onnx_export``, run
in a child process (torch, its exporter and their ~1.4 GB stay out of the serving process),
and cached as ``<cache_dir>/minilm-<key>-<variant>.onnx``. The key covers the weights, the
model config, the export recipe and the torch/onnxruntime versions, so a changed model or
toolchain never reuses a stale file. Nothing touches the network.

Two variants:

* ``fp32``: vectors match sentence-transformers to cosine > 0.99999, so ``model_id`` is the
  plain model id and an index built with either backend can be queried with the other.
* ``int8`` (dynamic): MatMuls with a constant weight and the fused attention projections use
  per-output-channel int8 weights. ~1.5x faster on an AVX2 CPU, but vectors differ from
  fp32 (cosine ~0.994 mean, ~0.986 min on news text), so ``model_id`` gets a ``+onnx-int8``
  suffix: an index built with one is never silently queried with the other.

Tokenization (the model's ``tokenizer.json``, truncation at ``max_seq_length``), masked mean
pooling and L2 normalisation follow the sentence-transformers modules exactly. Texts are
sorted by length and batched, so padding stays small.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import subprocess
import sys
import time
from collections.abc import Sequence
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any, Literal

import numpy as np

from index.embedding import BUNDLED_MODEL_ID, EmbedderError

log = logging.getLogger(__name__)

Variant = Literal["fp32", "int8"]
# Bump when the export, fusion or quantization steps change: old cache files are then ignored.
RECIPE_VERSION = "1"
INT8_SUFFIX = "+onnx-int8"
EXPORT_TIMEOUT_SECONDS = 900


class OnnxEmbedder:
    """A sentence-transformers BERT folder (mean pooling + normalize) run by onnxruntime."""

    def __init__(
        self,
        model_dir: Path,
        cache_dir: Path,
        threads: int = 0,
        batch_size: int = 8,
        quantize: bool = False,
        model_id: str = BUNDLED_MODEL_ID,
        spin: bool = False,
    ) -> None:
        """``model_id`` names the fp32 model; ``quantize=True`` appends ``+onnx-int8`` to it.

        ``spin``: idle threads keep spinning between forward passes: ~8 % more throughput
        for bulk embedding (ingest), but a search that embeds one query and then runs FAISS
        and SQLite finds both cores busy (FAISS measured 2x slower). Off for searching."""
        import onnxruntime as ort
        from tokenizers import Tokenizer

        model_dir = Path(model_dir)
        config = read_model_folder(model_dir)
        self.variant: Variant = "int8" if quantize else "fp32"
        self.model_id = model_id + INT8_SUFFIX if quantize else model_id
        self.dimension = int(config["hidden_size"])
        self.max_tokens = int(config["max_seq_length"])
        self.batch_size = batch_size

        tokenizer_file = str(model_dir / "tokenizer.json")
        # tokenizer.json ships with truncation/padding at 128: reset both to what
        # sentence-transformers does (truncate at max_seq_length, pad per batch ourselves).
        self._tokenizer = Tokenizer.from_file(tokenizer_file)
        self._tokenizer.no_padding()
        self._tokenizer.enable_truncation(self.max_tokens)
        self._counter = Tokenizer.from_file(tokenizer_file)
        self._counter.no_padding()
        self._counter.no_truncation()

        self.onnx_path = cached_model(model_dir, Path(cache_dir), self.variant)
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads or (os.cpu_count() or 1)
        options.inter_op_num_threads = 1
        options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        options.log_severity_level = 3
        options.add_session_config_entry("session.intra_op.allow_spinning", "1" if spin else "0")
        self._session = ort.InferenceSession(
            str(self.onnx_path), options, providers=["CPUExecutionProvider"]
        )
        self._input_names = {i.name for i in self._session.get_inputs()}

    def encode(self, texts: Sequence[str], batch_size: int | None = None) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        size = max(1, batch_size or self.batch_size)
        encodings = self._tokenizer.encode_batch(list(texts))
        lengths = np.fromiter((len(e.ids) for e in encodings), dtype=np.int64, count=len(texts))
        order = np.argsort(-lengths, kind="stable")  # longest first: little padding per batch
        out = np.empty((len(texts), self.dimension), dtype=np.float32)
        for start in range(0, len(texts), size):
            rows = order[start : start + size]
            width = int(lengths[rows].max())
            ids = np.zeros((len(rows), width), dtype=np.int64)
            mask = np.zeros((len(rows), width), dtype=np.int64)
            for j, row in enumerate(rows):
                n = int(lengths[row])
                ids[j, :n] = encodings[row].ids
                mask[j, :n] = 1
            out[rows] = self._embed(ids, mask)
        return out

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        if not texts:
            return []
        return [len(e.ids) for e in self._counter.encode_batch(list(texts))]

    def _embed(self, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        feed = {"input_ids": ids, "attention_mask": mask}
        if "token_type_ids" in self._input_names:
            feed["token_type_ids"] = np.zeros_like(ids)
        hidden = self._session.run(None, feed)[0]
        return mean_pool_normalize(hidden, mask)


def mean_pool_normalize(hidden: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """sentence-transformers' Pooling(mean) then Normalize, in float32."""
    weights = mask.astype(np.float32)[:, :, None]
    summed = (hidden.astype(np.float32, copy=False) * weights).sum(axis=1)
    pooled = summed / np.maximum(weights.sum(axis=1), 1e-9)
    norms = np.linalg.norm(pooled, axis=1, keepdims=True)
    return np.ascontiguousarray(pooled / np.maximum(norms, 1e-12), dtype=np.float32)


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise EmbedderError(f"cannot read {path}: {exc}") from exc


def read_model_folder(model_dir: Path) -> dict[str, int]:
    """Check the folder is a BERT + mean pooling + normalize sentence-transformers model."""
    for name in ("config.json", "tokenizer.json", "model.safetensors", "modules.json"):
        if not (model_dir / name).is_file():
            raise EmbedderError(f"{model_dir} has no {name}: not a sentence-transformers folder")
    config = _read_json(model_dir / "config.json")
    if not isinstance(config, dict) or config.get("model_type") != "bert":
        raise EmbedderError(f"{model_dir}: only BERT models are supported by the ONNX backend")
    modules = _read_json(model_dir / "modules.json")
    types = [str(m.get("type", "")).rsplit(".", 1)[-1] for m in modules]
    if types != ["Transformer", "Pooling", "Normalize"]:
        raise EmbedderError(f"{model_dir}: expected Transformer, Pooling, Normalize; got {types}")
    pooling = _read_json(model_dir / modules[1]["path"] / "config.json")
    modes = sorted(k for k, v in pooling.items() if k.startswith("pooling_mode") and v is True)
    if modes != ["pooling_mode_mean_tokens"]:
        raise EmbedderError(f"{model_dir}: only mean pooling is supported, got {modes}")
    if int(pooling.get("word_embedding_dimension", config["hidden_size"])) != config["hidden_size"]:
        raise EmbedderError(f"{model_dir}: pooling dimension differs from hidden size")
    st_config = model_dir / "sentence_bert_config.json"
    max_len = _read_json(st_config).get("max_seq_length") if st_config.is_file() else None
    limit = int(config.get("max_position_embeddings", 512))
    return {
        "hidden_size": int(config["hidden_size"]),
        "num_attention_heads": int(config["num_attention_heads"]),
        "max_seq_length": min(int(max_len or limit), limit),
    }


def cache_key(model_dir: Path, variant: Variant) -> str:
    """Weights, config, recipe and toolchain versions, without importing torch (seconds)."""
    try:
        toolchain = f"torch {version('torch')}|ort {version('onnxruntime')}"
    except PackageNotFoundError as exc:
        raise EmbedderError(f"the ONNX backend needs torch and onnxruntime: {exc}") from exc
    digest = hashlib.sha256()
    for name in ("model.safetensors", "config.json"):
        with (model_dir / name).open("rb") as handle:
            digest.update(hashlib.file_digest(handle, "sha256").digest())
    digest.update(f"{RECIPE_VERSION}|{variant}|{toolchain}".encode())
    return digest.hexdigest()[:16]


def cached_model(model_dir: Path, cache_dir: Path, variant: Variant) -> Path:
    """The cached ONNX file for this model and variant, exported first when missing."""
    path = cache_dir / f"minilm-{cache_key(model_dir, variant)}-{variant}.onnx"
    if path.is_file():
        return path
    log.info("exporting %s to ONNX (%s) once; cached in %s", model_dir.name, variant, cache_dir)
    started = time.perf_counter()
    command = [sys.executable, "-m", "index.onnx_export", str(model_dir), str(path), variant]
    try:
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=EXPORT_TIMEOUT_SECONDS, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise EmbedderError(f"ONNX export of {model_dir} failed: {exc}") from exc
    if done.returncode != 0 or not path.is_file():
        detail = (done.stderr.strip().splitlines() or ["no output"])[-1]
        raise EmbedderError(f"ONNX export of {model_dir} failed: {detail}")
    log.info("ONNX %s model ready in %.1fs: %s", variant, time.perf_counter() - started, path)
    return path
