"""GPU back-fill throughput (issue 12, item 3): 100k real chunks through the CUDA path.

Needs a CUDA device seen by torch (skips with a message otherwise) and an index to draw chunk
texts from (the market index built by ``python -m bench ingest-market``; its ~7.6k chunks are
cycled up to 100k). Prints, per dtype, the chunks/s of:

* the fast tokenizer alone, one thread (what bounds stock ``encode``);
* sentence-transformers' stock ``encode`` (one thread tokenises, the GPU waits), on 20k;
* ``PipelinedEmbedder`` (tokeniser pool ahead of the GPU), on all 100k;

and the cosine of the GPU vectors to the CPU runtime that queries a GPU-built index
(onnxruntime fp32) on 512 chunks. ``python -m bench gpu`` or
``python -m bench.gpu_bench [--index-dir DIR] [--chunks N]``.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from bench.backend_bench import sample_chunks
from bench.corpus import OUT
from index.embedding import BUNDLED_MODEL_ID, bundled_model_path

DTYPES = ("float16", "bfloat16")
GOAL = 10_000  # chunks/s, the goal


def _rate(n: int, seconds: float) -> float:
    return n / seconds if seconds > 0 else 0.0


def run(
    index_dir: Path, chunks: int = 100_000, say: Callable[[str], None] = print
) -> dict[str, Any]:
    from index.embedding_gpu import cuda_status

    available, why = cuda_status()
    if not available:
        say(f"[gpu] skipped: no CUDA device ({why}); no GPU throughput measured")
        return {"skipped": why}
    if not (index_dir / "CURRENT").exists():
        say(f"[gpu] skipped: no index at {index_dir} to draw chunks from "
            "(python -m bench ingest-market builds it)")
        return {"skipped": f"no index at {index_dir}"}
    import torch
    from sentence_transformers import SentenceTransformer
    from tokenizers import Tokenizer

    from index.embedder_factory import load_embedder
    from index.embedding_gpu import PipelinedEmbedder
    from index.settings import IndexSettings

    base = sample_chunks(index_dir, 1_000_000)
    texts = [base[i % len(base)] for i in range(chunks)]
    out: dict[str, Any] = {"device": torch.cuda.get_device_name(0), "chunks": len(texts)}
    say(f"[gpu] {out['device']}: {len(texts)} chunks ({len(base)} distinct)")

    tokenizer = Tokenizer.from_file(str(bundled_model_path() / "tokenizer.json"))
    tokenizer.no_padding()
    tokenizer.enable_truncation(256)
    sample = texts[:20_000]
    started = time.perf_counter()
    lengths = [len(e.ids) for e in tokenizer.encode_batch(sample)]
    out["tokenizer_one_thread_per_s"] = _rate(len(sample), time.perf_counter() - started)
    out["mean_tokens"] = float(np.mean(lengths))
    say(f"[gpu] fast tokenizer alone, one thread: {out['tokenizer_one_thread_per_s']:.0f}/s "
        f"({out['mean_tokens']:.0f} word pieces per chunk)")

    reference = load_embedder(IndexSettings(  # type: ignore[call-arg]
        _env_file=None, embedding_model="bundled", embedding_backend="onnx"
    )).encode(texts[:512])
    for dtype in DTYPES:
        stock = SentenceTransformer(str(bundled_model_path()), device="cuda",
                                    local_files_only=True,
                                    model_kwargs={"dtype": getattr(torch, dtype)})
        stock.encode(sample[:1024], batch_size=256)
        torch.cuda.synchronize()
        started = time.perf_counter()
        stock.encode(sample, batch_size=256, normalize_embeddings=True, show_progress_bar=False)
        torch.cuda.synchronize()
        stock_rate = _rate(len(sample), time.perf_counter() - started)
        del stock
        embedder = PipelinedEmbedder(bundled_model_path(), BUNDLED_MODEL_ID, device="cuda",
                                     dtype=dtype)  # type: ignore[arg-type]
        embedder.encode(texts[:4096])  # warm-up: kernels, allocator
        torch.cuda.synchronize()
        started = time.perf_counter()
        vectors = embedder.encode(texts)
        rate = _rate(len(texts), time.perf_counter() - started)
        cosine = np.sum(vectors[:512] * reference, axis=1)
        out[dtype] = {
            "stock_encode_per_s": stock_rate, "pipelined_per_s": rate,
            "workers": embedder.workers, "batch_size": embedder.batch_size,
            "cosine_to_fp32_min": float(cosine.min()), "cosine_to_fp32_mean": float(cosine.mean()),
            "peak_gpu_mem_gb": torch.cuda.max_memory_allocated() / 1e9,
        }
        embedder.close()
        say(f"[gpu] {dtype:8s} stock encode {stock_rate:.0f}/s  pipelined {rate:.0f}/s "
            f"({'meets' if rate >= GOAL else 'below'} the {GOAL}/s goal; {embedder.workers} "
            f"tokenizer threads, batch {embedder.batch_size})  cosine to fp32 min "
            f"{cosine.min():.4f} mean {cosine.mean():.4f}")
    return out


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.gpu_bench", description=__doc__)
    parser.add_argument("--index-dir", type=Path, default=OUT / "index-market")
    parser.add_argument("--chunks", type=int, default=100_000)
    args = parser.parse_args()
    run(args.index_dir, args.chunks)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
