"""``load_embedder``: the embedder the settings name (fake, torch, or onnxruntime fp32/int8).

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
from index.settings import IndexSettings

log = logging.getLogger(__name__)

__all__ = ["load_embedder"]


def load_embedder(settings: IndexSettings, bulk: bool = False) -> Embedder:
    """Build the embedder the settings name. Never touches the network.

    ``bulk``: tuned for embedding many texts in a row (ingest) rather than one query at a
    time beside other work (search)."""
    spec = settings.embedding_model
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
    log.info("loading embedding model %s from %s (%s)", model_id, path, settings.embedding_backend)
    if settings.embedding_backend == "torch":
        return SentenceTransformerEmbedder(
            path, model_id, threads=settings.embed_threads, batch_size=settings.embed_batch_size
        )
    return OnnxEmbedder(
        path,
        settings.embedding_cache_dir,
        threads=settings.embed_threads,
        batch_size=settings.embed_batch_size,
        quantize=settings.embedding_backend == "onnx-int8",
        model_id=model_id,
        spin=bulk,
    )
