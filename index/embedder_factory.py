"""``load_embedder``: the embedder the settings name (fake, torch, onnxruntime fp32/int8, or
sentence-transformers on a GPU for bulk embedding).

Which vectors an index holds is its manifest's ``model_id``: ``<model>+onnx-int8`` (the default
CPU runtime) or the plain ``<model>`` (fp32-compatible: ``onnx``, ``torch`` and the GPU
path, whose fp16/bf16 vectors are within cosine 0.99 of fp32). So that an index back-filled on
a GPU is served and extended by the default configuration, the default ``onnx-int8`` runtime
embeds with onnxruntime **fp32** (the same model, the vectors the index holds) whenever the
index it works on records the plain model id. The reverse never happens: an int8 index is
not extended on the GPU (``--device cuda`` refuses; ``--device auto`` stays on the CPU).

It lives apart from ``index.embedding`` (protocol, torch and fake embedders) and
``index.embedding_onnx`` (which imports ``index.embedding``) so that neither of those imports
the other back: the imports form no cycle (``tests/test_architecture.py`` checks it).
"""

from __future__ import annotations

import logging
from pathlib import Path

from index.embedding import (
    BUNDLED_MODEL_ID,
    Embedder,
    EmbedderError,
    FakeEmbedder,
    SentenceTransformerEmbedder,
    bundled_model_path,
)
from index.embedding_onnx import OnnxEmbedder
from index.errors import IndexError_
from index.generations import current_generation
from index.manifest import Manifest
from index.settings import IndexSettings

log = logging.getLogger(__name__)

__all__ = ["index_model_id", "load_embedder", "resolve_device"]


def resolve_device(requested: str) -> str:
    """``cpu`` or ``cuda`` for EMBED_DEVICE ``cpu|cuda|auto``; EmbedderError when ``cuda`` is
    asked for and torch sees none. ``cpu`` never imports torch."""
    if requested == "cpu":
        return "cpu"
    from index.embedding_gpu import cuda_status

    available, why = cuda_status()
    if available:
        return "cuda"
    if requested == "auto":
        log.info("--device auto: no CUDA device (%s); embedding on the CPU", why)
        return "cpu"
    raise EmbedderError(
        f"--device cuda (EMBED_DEVICE=cuda): no CUDA device: {why}. Install a CUDA build of "
        "torch (README, 'Back-filling on a GPU') or use --device auto or --device cpu"
    )


def index_model_id(index_dir: Path | None) -> str | None:
    """The model id the index's serving generation records; None when there is none (or it
    cannot be read: the reader or writer reports that with its own words)."""
    if index_dir is None:
        return None
    try:
        return Manifest.read(current_generation(index_dir)).model_id
    except (IndexError_, OSError, ValueError):
        return None


def load_embedder(
    settings: IndexSettings, bulk: bool = False, index_dir: Path | None = None
) -> Embedder:
    """Build the embedder the settings name for the index in ``index_dir`` (default
    ``settings.index_dir``). Never touches the network.

    ``bulk``: tuned for embedding many texts in a row (ingest) rather than one query at a
    time beside other work (search); only bulk embedding honours EMBED_DEVICE."""
    spec = settings.embedding_model
    device = resolve_device(settings.embed_device) if bulk else "cpu"
    if spec == "fake" or spec.startswith("fake:"):
        dim = int(spec.split(":", 1)[1]) if ":" in spec else 64
        return FakeEmbedder(dimension=dim)
    if spec == "bundled":
        path, model_id = bundled_model_path(), BUNDLED_MODEL_ID
    else:
        path = Path(spec).expanduser()
        if not path.is_dir():
            raise EmbedderError(
                f"EMBEDDING_MODEL={spec!r} is neither 'bundled' nor a local model folder"
            )
        model_id = f"local:{path.resolve().name}"
    target = index_dir if index_dir is not None else settings.index_dir
    recorded = index_model_id(target)
    if device == "cuda" and recorded is not None and recorded != model_id:
        if settings.embed_device == "cuda":
            raise EmbedderError(
                f"{target} holds vectors of {recorded!r}; the GPU writes {model_id!r} "
                "(fp32-compatible) vectors, which must not be mixed with them: back-fill into "
                "a new --index-dir, or use --device cpu"
            )
        log.warning("--device auto: %s holds %r vectors, which the GPU does not write; "
                    "embedding on the CPU", target, recorded)
        device = "cpu"
    if device == "cuda":
        from index.embedding_gpu import PipelinedEmbedder

        log.info("loading embedding model %s from %s (cuda, %s)", model_id, path,
                 settings.embed_gpu_dtype)
        return PipelinedEmbedder(
            path, model_id, device="cuda", dtype=settings.embed_gpu_dtype,
            batch_size=settings.embed_gpu_batch_size, workers=settings.embed_tokenizer_workers,
        )
    backend = settings.embedding_backend
    if backend == "onnx-int8" and recorded == model_id:
        log.info("%s holds fp32 vectors of %s (built on a GPU or with the onnx/torch runtime): "
                 "embedding with onnxruntime fp32 to match them", target, model_id)
        backend = "onnx"
    log.info("loading embedding model %s from %s (%s)", model_id, path, backend)
    if backend == "torch":
        return SentenceTransformerEmbedder(
            path, model_id, threads=settings.embed_threads, batch_size=settings.embed_batch_size
        )
    return OnnxEmbedder(
        path,
        settings.embedding_cache_dir,
        threads=settings.embed_threads,
        batch_size=settings.embed_batch_size,
        quantize=backend == "onnx-int8",
        model_id=model_id,
        spin=bulk,
    )
