"""Bulk embedding on a GPU: sentence-transformers in fp16/bf16, tokenised ahead in a pool.

``PipelinedEmbedder`` runs the bundled all-MiniLM-L6-v2 (or any BERT + mean pooling +
normalize folder) through sentence-transformers' own ``forward`` (Transformer, Pooling,
Normalize: the modules ``SentenceTransformer.encode`` runs) on tensors tokenised beforehand.
Stock ``encode`` tokenises each batch in the calling thread while the device waits; here a
pool of worker threads runs the fast tokenizer (Rust, the GIL released) on the next batches
while the device runs the current one, so the device is fed without gaps.

Texts are sorted by length (characters, longest first) so a batch carries little padding;
outputs are put back in input order. Token ids are those of ``SentenceTransformer.preprocess``
(the model's ``tokenizer.json``, truncation at ``max_seq_length``); the pooled vectors are
re-normalised in float32.

Vectors are interchangeable with the CPU runtimes' fp32 ones (cosine >= 0.99 to torch fp32 on
real chunks, tested on CPU in float32; fp16/bf16 on a GPU are within ~0.996 by the issue's
measurement), so ``model_id`` is the plain model id, the one ``onnx`` (fp32) and ``torch``
record: see ``index.embedder_factory`` for how such an index is queried by the default runtime.

The same class runs on the CPU (``device="cpu"``, float32), which is how CI tests it.
"""

from __future__ import annotations

import logging
import os
import threading
from collections import deque
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any, Literal

import numpy as np

from index.embedding import EmbedderError
from index.embedding_onnx import read_model_folder

log = logging.getLogger(__name__)

Device = Literal["cpu", "cuda"]
DType = Literal["float16", "bfloat16", "float32"]

# Batches handed to one encode call in the ingest pipeline: a few dozen device batches, so
# the pool's look-ahead is not cut short at every call.
CALL_BATCHES = 16


def default_workers() -> int:
    """Tokenizer threads: one per core, leaving one for the device loop; at most 4 (the fast
    tokenizer does ~4k chunks/s per thread: 4 feed well over 10k/s)."""
    return max(1, min(4, (os.cpu_count() or 2) - 1))


class PipelinedEmbedder:
    """sentence-transformers on ``device`` with tokenisation in a thread pool ahead of it."""

    def __init__(
        self,
        path: Path,
        model_id: str,
        device: Device = "cuda",
        dtype: DType = "float16",
        batch_size: int = 256,
        workers: int = 0,
        threads: int = 0,
    ) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        import torch
        import transformers
        from sentence_transformers import SentenceTransformer

        transformers.utils.logging.disable_progress_bar()
        transformers.utils.logging.set_verbosity_error()

        path = Path(path)
        config = read_model_folder(path)  # BERT + mean pooling + normalize, or EmbedderError
        if device == "cuda" and not torch.cuda.is_available():
            raise EmbedderError("CUDA was asked for but torch sees no CUDA device")
        if device == "cpu":
            torch.set_num_threads(threads or (os.cpu_count() or 1))
        self._torch = torch
        self._dtype = getattr(torch, dtype)
        self.device: Device = device
        self.dtype: DType = dtype
        self.model_id = model_id
        self.dimension = int(config["hidden_size"])
        self.max_tokens = int(config["max_seq_length"])
        self.batch_size = max(1, batch_size)
        self.preferred_chunks_per_call = self.batch_size * CALL_BATCHES
        self.workers = workers or default_workers()

        model = SentenceTransformer(str(path), device=device, local_files_only=True)
        model.max_seq_length = self.max_tokens
        model.eval()
        if self._dtype != torch.float32:
            model.to(dtype=self._dtype)
        self._model = model

        self._tokenizer_file = str(path / "tokenizer.json")
        self._local = threading.local()
        self._counter = self._new_tokenizer(truncate=False, pad=False)
        self._pool = ThreadPoolExecutor(self.workers, thread_name_prefix="embed-tokenize")
        log.info(
            "embedding on %s (%s, batch %d, %d tokenizer threads)",
            self.device_name(), dtype, self.batch_size, self.workers,
        )

    def device_name(self) -> str:
        if self.device == "cuda":
            return f"cuda ({self._torch.cuda.get_device_name(0)})"
        return "cpu"

    # -- tokenising (worker threads) ---------------------------------------------------------

    def _new_tokenizer(self, truncate: bool, pad: bool) -> Any:
        from tokenizers import Tokenizer

        tokenizer = Tokenizer.from_file(self._tokenizer_file)
        # tokenizer.json ships truncation/padding at 128: reset both to what
        # sentence-transformers does (truncate at max_seq_length, pad to the batch's longest).
        tokenizer.no_padding()
        tokenizer.no_truncation()
        if truncate:
            tokenizer.enable_truncation(self.max_tokens)
        if pad:
            pad_id = tokenizer.token_to_id("[PAD]")
            tokenizer.enable_padding(pad_id=0 if pad_id is None else pad_id, pad_token="[PAD]")
        return tokenizer

    def _tokenize(self, texts: list[str]) -> tuple[Any, Any]:
        """One batch to (input_ids, attention_mask) int64 tensors, pinned for a GPU copy."""
        tokenizer = getattr(self._local, "tokenizer", None)
        if tokenizer is None:  # one per thread: nothing shared between workers
            tokenizer = self._local.tokenizer = self._new_tokenizer(truncate=True, pad=True)
        encodings = tokenizer.encode_batch(texts)
        ids = self._torch.tensor([e.ids for e in encodings], dtype=self._torch.int64)
        mask = self._torch.tensor([e.attention_mask for e in encodings], dtype=self._torch.int64)
        if self.device == "cuda":
            ids, mask = ids.pin_memory(), mask.pin_memory()
        return ids, mask

    def tokenize(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """The (ids, mask) one batch of ``texts`` is fed to the model with (for tests)."""
        ids, mask = self._tokenize(list(texts))
        return ids.numpy(), mask.numpy()

    # -- embedding (calling thread) ----------------------------------------------------------

    def encode(self, texts: Sequence[str], batch_size: int | None = None) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        torch = self._torch
        size = max(1, batch_size or self.batch_size)
        items = [str(t) for t in texts]
        lengths = np.fromiter((len(t) for t in items), dtype=np.int64, count=len(items))
        order = np.argsort(-lengths, kind="stable")  # longest first: little padding per batch
        batches = [order[i : i + size] for i in range(0, len(items), size)]
        ahead = self.workers + 2  # batches tokenised ahead of the device
        pending: deque[Future[tuple[Any, Any]]] = deque()
        submitted = 0
        results: list[Any] = []
        try:
            with torch.inference_mode():
                for _ in range(len(batches)):
                    while submitted < len(batches) and len(pending) < ahead:
                        rows = batches[submitted]
                        pending.append(self._pool.submit(self._tokenize, [items[r] for r in rows]))
                        submitted += 1
                    ids, mask = pending.popleft().result()
                    results.append(self._forward(ids, mask))
                vectors = torch.cat(results).float()
                vectors = torch.nn.functional.normalize(vectors, p=2, dim=1)
                host = vectors.cpu().numpy()
        finally:
            for future in pending:
                future.cancel()
        out = np.empty((len(items), self.dimension), dtype=np.float32)
        out[order] = host
        return out

    def _forward(self, ids: Any, mask: Any) -> Any:
        torch = self._torch
        blocking = self.device != "cuda"
        ids = ids.to(self.device, non_blocking=not blocking)
        mask = mask.to(self.device, non_blocking=not blocking)
        features = {
            "input_ids": ids, "attention_mask": mask, "token_type_ids": torch.zeros_like(ids)
        }
        return self._model.forward(features)["sentence_embedding"]

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        if not texts:
            return []
        return [len(e.ids) for e in self._counter.encode_batch(list(texts))]

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)


def cuda_status() -> tuple[bool, str]:
    """Whether torch sees a CUDA device, and in words why not."""
    try:
        import torch
    except ImportError as exc:  # pragma: no cover - torch is a dependency
        return False, f"torch cannot be imported ({exc})"
    if torch.cuda.is_available():
        return True, f"torch {torch.__version__} sees {torch.cuda.get_device_name(0)}"
    if torch.version.cuda is None:
        return False, f"the installed torch {torch.__version__} is a CPU-only build"
    return False, f"torch {torch.__version__} (CUDA {torch.version.cuda}) sees no CUDA device"
