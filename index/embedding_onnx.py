"""all-MiniLM-L6-v2 on onnxruntime: the same vectors as sentence-transformers, faster on CPU.

The bundled sentence-transformers folder is exported to ONNX once, at run time, from its own
weights (``torch.onnx.export``), BERT-fused with ``onnxruntime.transformers.optimizer``
(attention, embedding/skip layer norm and bias-GELU fusion) and cached as
``<cache_dir>/minilm-<hash>-<variant>.onnx``. The hash covers the weights, the model config,
the export recipe and the torch/onnxruntime versions, so a changed model or toolchain never
reuses a stale file. Nothing touches the network.

Two variants:

* ``quantize=False`` (fp32, the default): vectors match sentence-transformers to cosine
  > 0.99999, so ``model_id`` is the plain model id and an index built with either backend can
  be queried with the other.
* ``quantize=True`` (dynamic int8): every MatMul with a constant weight, and the fused
  attention projections, use per-output-channel int8 weights with per-batch uint8
  activations. Faster, but vectors differ from fp32 (cosine ~0.994 mean, ~0.986 min on real
  news text), so ``model_id`` gets a ``+onnx-int8`` suffix: an index built with one is never
  silently queried with the other.

Tokenization (the model's ``tokenizer.json``, truncation at ``max_seq_length``), masked mean
pooling and L2 normalisation follow the sentence-transformers modules exactly. Texts are
sorted by length and batched, so padding stays small.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
import time
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from index.embedding import BUNDLED_MODEL_ID, EmbedderError

log = logging.getLogger(__name__)

# Bump when the export, fusion or quantization steps change: old cache files are then ignored.
RECIPE_VERSION = "1"
INT8_SUFFIX = "+onnx-int8"
# The smallest cosine to the torch model, measured right after export on built-in sentences,
# that a freshly built file must reach before it is cached (fp32 reaches > 0.99999).
EXPORT_CHECK_MIN_COSINE = {"fp32": 0.9999, "int8": 0.97}
_CHECK_SENTENCES = (
    "Shares of the chipmaker rose 8% after it raised its revenue forecast.",
    "The central bank kept interest rates on hold and signalled caution about inflation.",
    "A startup building AI tools for hospitals raised $40 million in new funding.",
    "Oil prices fell as traders weighed weaker demand against supply cuts. " * 12,
)


class OnnxEmbedder:
    """A sentence-transformers BERT folder (mean pooling + normalize) run by onnxruntime."""

    def __init__(
        self,
        model_dir: Path,
        cache_dir: Path,
        threads: int = 0,
        batch_size: int = 32,
        quantize: bool = False,
        model_id: str = BUNDLED_MODEL_ID,
    ) -> None:
        """``model_id`` names the fp32 model; ``quantize=True`` appends ``+onnx-int8`` to it."""
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        import onnxruntime as ort
        from tokenizers import Tokenizer

        model_dir = Path(model_dir)
        self._config = _read_model_folder(model_dir)
        self.variant = "int8" if quantize else "fp32"
        self.model_id = model_id + INT8_SUFFIX if quantize else model_id
        self.dimension = int(self._config["hidden_size"])
        self.max_tokens = int(self._config["max_seq_length"])
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

        self.onnx_path = _cached_model(model_dir, Path(cache_dir), self._config, self.variant)
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads or (os.cpu_count() or 1)
        options.inter_op_num_threads = 1
        options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        options.log_severity_level = 3
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
        return _mean_pool_normalize(hidden, mask)


def _mean_pool_normalize(hidden: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """sentence-transformers' Pooling(mean) then Normalize, in float32."""
    weights = mask.astype(np.float32)[:, :, None]
    summed = (hidden.astype(np.float32, copy=False) * weights).sum(axis=1)
    pooled = summed / np.maximum(weights.sum(axis=1), 1e-9)
    norms = np.linalg.norm(pooled, axis=1, keepdims=True)
    return np.ascontiguousarray(pooled / np.maximum(norms, 1e-12), dtype=np.float32)


def _read_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise EmbedderError(f"cannot read {path}: {exc}") from exc
    if not isinstance(data, dict):
        raise EmbedderError(f"{path} is not a JSON object")
    return data


def _read_model_folder(model_dir: Path) -> dict[str, Any]:
    """Check the folder is a BERT + mean pooling + normalize sentence-transformers model."""
    for name in ("config.json", "tokenizer.json", "model.safetensors", "modules.json"):
        if not (model_dir / name).is_file():
            raise EmbedderError(f"{model_dir} has no {name}: not a sentence-transformers folder")
    config = _read_json(model_dir / "config.json")
    if config.get("model_type") != "bert":
        raise EmbedderError(f"{model_dir}: only BERT models are supported by the ONNX backend")
    modules = json.loads((model_dir / "modules.json").read_text())
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


def _cache_key(model_dir: Path, variant: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:  # the installed versions, without importing torch (seconds) on the warm path
        toolchain = f"torch {version('torch')}|ort {version('onnxruntime')}"
    except PackageNotFoundError as exc:
        raise EmbedderError(f"the ONNX backend needs torch and onnxruntime: {exc}") from exc
    digest = hashlib.sha256()
    for name in ("model.safetensors", "config.json"):
        with (model_dir / name).open("rb") as handle:
            digest.update(hashlib.file_digest(handle, "sha256").digest())
    digest.update(f"{RECIPE_VERSION}|{variant}|{toolchain}".encode())
    return digest.hexdigest()[:16]


def _cached_model(model_dir: Path, cache_dir: Path, config: dict[str, Any], variant: str) -> Path:
    path = cache_dir / f"minilm-{_cache_key(model_dir, variant)}-{variant}.onnx"
    if path.is_file():
        return path
    cache_dir.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(dir=cache_dir, prefix=".export-") as scratch:
        work = Path(scratch)
        model = _load_torch_model(model_dir)
        _export(model, work / "raw.onnx")
        _fuse(work / "raw.onnx", work / "fused.onnx", config)
        final = work / "fused.onnx"
        if variant == "int8":
            _quantize(final, work / "int8.onnx")
            final = work / "int8.onnx"
        _check_against_torch(model, model_dir, final, variant)
        os.replace(final, path)  # atomic: a reader sees the old state or the finished file
    log.info("exported %s (%s) in %.1fs", path, variant, time.perf_counter() - started)
    return path


def _load_torch_model(model_dir: Path) -> Any:
    from transformers import AutoModel

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = AutoModel.from_pretrained(
            str(model_dir), local_files_only=True, attn_implementation="eager"
        )
    return model.eval()


def _export(model: Any, target: Path) -> None:
    """torch -> ONNX with dynamic batch and sequence axes; output: last_hidden_state."""
    import torch

    class _Encoder(torch.nn.Module):
        def __init__(self, bert: Any) -> None:
            super().__init__()
            self.bert = bert

        def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
            return self.bert(
                input_ids=input_ids,
                attention_mask=attention_mask,
                token_type_ids=torch.zeros_like(input_ids),
            ).last_hidden_state

    wrapper = _Encoder(model).eval()
    ids = torch.randint(1000, 2000, (2, 16), dtype=torch.long)
    args = (ids, torch.ones_like(ids))
    names = {"input_names": ["input_ids", "attention_mask"], "output_names": ["last_hidden_state"]}
    with warnings.catch_warnings(), torch.inference_mode(False), torch.no_grad():
        # The exporters are noisy (deprecation, tracer and shape warnings): none of it is ours.
        warnings.simplefilter("ignore")
        try:
            # The TorchScript exporter gives the graph that onnxruntime's BERT fusion recognises
            # (fused attention); it is deprecated, so fall back to the dynamo exporter.
            torch.onnx.export(
                wrapper, args, str(target), opset_version=17, dynamo=False,
                dynamic_axes={
                    "input_ids": {0: "batch", 1: "sequence"},
                    "attention_mask": {0: "batch", 1: "sequence"},
                    "last_hidden_state": {0: "batch", 1: "sequence"},
                },
                **names,
            )
        except Exception as exc:  # noqa: BLE001 - any failure of the old exporter: try the new one
            log.warning("TorchScript ONNX export failed (%s); using the dynamo exporter", exc)
            batch, sequence = torch.export.Dim("batch"), torch.export.Dim("sequence")
            torch.onnx.export(
                wrapper, args, str(target), dynamo=True, external_data=False,
                dynamic_shapes={"input_ids": {0: batch, 1: sequence},
                                "attention_mask": {0: batch, 1: sequence}},
                **names,
            )


def _fuse(source: Path, target: Path, config: dict[str, Any]) -> None:
    from onnxruntime.transformers import optimizer

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fused = optimizer.optimize_model(
            str(source), model_type="bert", opt_level=0,
            num_heads=config["num_attention_heads"], hidden_size=config["hidden_size"],
        )
    stats = fused.get_fused_operator_statistics()
    log.info("ONNX BERT fusion: %s", {k: v for k, v in stats.items() if v})
    fused.save_model_to_file(str(target))


def _quantize(source: Path, target: Path) -> None:
    """Dynamic int8: per-channel weights, only MatMuls with a constant weight, plus attention."""
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    graph = onnx.load(str(source)).graph
    weights = {init.name for init in graph.initializer}
    nodes = [
        n.name for n in graph.node
        if (n.op_type == "MatMul" and n.input[1] in weights)
        or (n.op_type == "Attention" and n.input[1] in weights)
    ]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        quantize_dynamic(
            str(source), str(target),
            weight_type=QuantType.QInt8, per_channel=True, reduce_range=False,
            op_types_to_quantize=["MatMul", "Attention"], nodes_to_quantize=nodes,
            extra_options={"MatMulConstBOnly": True, "DefaultTensorType": onnx.TensorProto.FLOAT},
        )


def _check_against_torch(model: Any, model_dir: Path, onnx_file: Path, variant: str) -> None:
    """Refuse to cache a file whose vectors stray from the torch model's."""
    import onnxruntime as ort
    import torch
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
    tokenizer.enable_padding()
    tokenizer.enable_truncation(_read_model_folder(model_dir)["max_seq_length"])
    batch = tokenizer.encode_batch(list(_CHECK_SENTENCES))
    ids = np.array([e.ids for e in batch], dtype=np.int64)
    mask = np.array([e.attention_mask for e in batch], dtype=np.int64)
    with torch.no_grad():
        expected = model(
            input_ids=torch.from_numpy(ids), attention_mask=torch.from_numpy(mask),
            token_type_ids=torch.zeros_like(torch.from_numpy(ids)),
        ).last_hidden_state.numpy()
    session = ort.InferenceSession(str(onnx_file), providers=["CPUExecutionProvider"])
    got = session.run(None, {"input_ids": ids, "attention_mask": mask})[0]
    cosine = np.sum(_mean_pool_normalize(got, mask) * _mean_pool_normalize(expected, mask), axis=1)
    if float(cosine.min()) < EXPORT_CHECK_MIN_COSINE[variant]:
        raise EmbedderError(
            f"ONNX {variant} export of {model_dir} strays from torch (cosine {cosine.min():.4f})"
        )
    log.info("ONNX %s export checked against torch: min cosine %.5f", variant, cosine.min())
