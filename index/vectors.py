"""FAISS side of a generation: unit vectors under stable 63-bit chunk ids.

Inner product over L2-normalised vectors is cosine similarity. Two kinds of vector index, chosen
when a generation is published (``choose``) and named in its manifest:

* ``flat`` (below ``INDEX_ANN_MIN_VECTORS``): exact search. ``IndexIDMap2`` over an
  ``IndexScalarQuantizer`` QT_fp16 keeps stable ids and supports ``remove_ids``; scores differ
  from float32 by ~1e-4 and rankings do not change in practice (1,536 -> 768 B per vector).
  Generations written before keep their float32 ``IndexFlatIP``; both read the same way.
* ``ivf-sq8`` (at or past the threshold): approximate search. An ``IndexIVFScalarQuantizer``
  (``nlist`` k-means lists trained at publish time on a sample of the vectors, 8-bit scalar
  codes, not residual) that stores the chunk ids itself, with a hashtable direct map so
  ``reconstruct`` and ``remove_ids`` work by chunk id: ~430 B per vector instead of 768. A
  search visits ``nprobe`` lists (the ``INDEX_ANN_NPROBE`` setting).

Filtered searches on an ``ivf-sq8`` index never hand FAISS the whole window: see
``IndexReader.dense``.
"""

from __future__ import annotations

import hashlib
import logging
import math
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import faiss as _faiss
import numpy as np

faiss: Any = _faiss  # its SWIG signatures do not describe the numpy API; treat it as untyped

log = logging.getLogger(__name__)

FLAT = "flat"
IVF_SQ8 = "ivf-sq8"
ANN_MIN_VECTORS = 200_000
"""Default of ``INDEX_ANN_MIN_VECTORS``: from this many vectors a generation is ``ivf-sq8``."""
NPROBE = 64
"""Default of ``INDEX_ANN_NPROBE``: inverted lists visited by one search."""
RETRAIN_GROWTH = 4.0
"""An ``ivf-sq8`` index is trained again at publish once it holds this many times the vectors
it was trained with (its lists would otherwise grow long and uneven)."""
_TRAIN_PER_LIST = 64
_TRAIN_MAX = 200_000
_BATCH = 50_000
_MIN_IVF = 256  # never fewer vectors in an IVF index, whatever the threshold


def chunk_id(article_id: str, position: int) -> int:
    """Stable id of an article's n-th chunk, derived from the article id and position."""
    digest = hashlib.blake2b(f"{article_id}#{position}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") & 0x7FFF_FFFF_FFFF_FFFF


def new_index(dimension: int) -> faiss.IndexIDMap2:
    quantizer = faiss.ScalarQuantizer.QT_fp16
    return faiss.IndexIDMap2(
        faiss.IndexScalarQuantizer(dimension, quantizer, faiss.METRIC_INNER_PRODUCT)
    )


def read_index(path: Path) -> faiss.Index:
    return faiss.read_index(str(path))


def write_index(index: faiss.Index, path: Path) -> None:
    faiss.write_index(index, str(path))


def kind(index: faiss.Index) -> str:
    """``ivf-sq8`` for an approximate index, ``flat`` for the exact ones."""
    return IVF_SQ8 if _ivf(index) is not None else FLAT


def _ivf(index: faiss.Index) -> Any:
    down = faiss.downcast_index(index)
    return down if isinstance(down, faiss.IndexIVFScalarQuantizer) else None


def nlist_for(count: int) -> int:
    """Lists of an IVF index for ``count`` vectors: the power of two nearest 2 * sqrt(count)
    (1M -> 2048, ~490 vectors a list), at least 64."""
    return max(64, 2 ** round(math.log2(2 * math.sqrt(max(count, 1)))))


def params(index: faiss.Index) -> dict[str, Any]:
    """The index's kind and parameters, as recorded in the manifest."""
    ivf = _ivf(index)
    if ivf is None:
        return {"kind": FLAT}
    return {"kind": IVF_SQ8, "nlist": int(ivf.nlist)}


def code_bytes(index: faiss.Index) -> int:
    """Bytes the index's vectors take in memory: codes, ids (and lists and centroids)."""
    ivf = _ivf(index)
    if ivf is not None:
        return int(ivf.ntotal) * (int(ivf.code_size) + 8) + int(ivf.nlist) * int(ivf.d) * 4
    down = faiss.downcast_index(index)
    inner = faiss.downcast_index(down.index) if hasattr(down, "index") else down
    per = int(inner.code_size) if hasattr(inner, "code_size") else 4 * int(index.d)
    return int(index.ntotal) * (per + 8)


def set_nprobe(index: faiss.Index, nprobe: int) -> None:
    ivf = _ivf(index)
    if ivf is not None:
        ivf.nprobe = max(1, min(int(nprobe), int(ivf.nlist)))


def iter_vectors(
    index: faiss.Index, batch: int = _BATCH
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Every (ids, float32 vectors) of an index, ``batch`` at a time (memory stays bounded)."""
    ivf = _ivf(index)
    if ivf is None:
        down = faiss.downcast_index(index)
        ids = faiss.vector_to_array(down.id_map).astype(np.int64)
        inner = down.index
        for start in range(0, len(ids), batch):
            stop = min(start + batch, len(ids))
            yield ids[start:stop], inner.reconstruct_n(start, stop - start)
        return
    invlists = ivf.invlists
    ids_parts: list[np.ndarray] = []
    code_parts: list[np.ndarray] = []
    held = 0
    for lst in range(ivf.nlist):
        size = invlists.list_size(lst)
        if size == 0:
            continue
        ids_parts.append(
            faiss.rev_swig_ptr(invlists.get_ids(lst), size).astype(np.int64).copy())
        code_parts.append(
            faiss.rev_swig_ptr(invlists.get_codes(lst), size * ivf.code_size).copy())
        held += size
        if held >= batch:
            yield _decode(ivf, ids_parts, code_parts)
            ids_parts, code_parts, held = [], [], 0
    if held:
        yield _decode(ivf, ids_parts, code_parts)


def _decode(
    ivf: Any, ids: list[np.ndarray], codes: list[np.ndarray]
) -> tuple[np.ndarray, np.ndarray]:
    id_array = np.concatenate(ids)
    code_array = np.concatenate(codes).reshape(len(id_array), ivf.code_size)
    return id_array, ivf.sq.decode(code_array)


def _sample(index: faiss.Index, size: int, seed: int) -> np.ndarray:
    """``size`` vectors drawn evenly from the whole index (float32, for training)."""
    total = int(index.ntotal)
    rng = np.random.default_rng(seed)
    keep = np.sort(rng.choice(total, size=min(size, total), replace=False))
    out = np.empty((len(keep), index.d), dtype=np.float32)
    seen = filled = 0
    for _, matrix in iter_vectors(index):
        lo, hi = np.searchsorted(keep, [seen, seen + len(matrix)])
        out[filled:filled + hi - lo] = matrix[keep[lo:hi] - seen]
        filled += hi - lo
        seen += len(matrix)
    return out


def build_ivf(source: faiss.Index, nlist: int | None = None, seed: int = 7,
              train_size: int | None = None) -> tuple[faiss.Index, dict[str, Any]]:
    """An ``ivf-sq8`` index holding every vector of ``source``, trained on a sample of them."""
    total = int(source.ntotal)
    dimension = int(source.d)
    nlist = nlist or nlist_for(total)
    train_size = train_size or min(total, max(_TRAIN_PER_LIST * nlist, 10_000), _TRAIN_MAX)
    sample = _sample(source, train_size, seed)
    quantizer = faiss.IndexFlatIP(dimension)
    ivf = faiss.IndexIVFScalarQuantizer(
        quantizer, dimension, nlist, faiss.ScalarQuantizer.QT_8bit,
        faiss.METRIC_INNER_PRODUCT, False,
    )
    ivf.own_fields = True
    quantizer.this.disown()
    ivf.cp.niter = 10
    ivf.cp.seed = seed
    ivf.cp.max_points_per_centroid = max(256, math.ceil(len(sample) / nlist))
    ivf.train(sample)
    del sample
    ivf.set_direct_map_type(faiss.DirectMap.Hashtable)
    for ids, matrix in iter_vectors(source):
        ivf.add_with_ids(np.ascontiguousarray(matrix, dtype=np.float32), ids)
    return ivf, {"kind": IVF_SQ8, "nlist": int(nlist), "trained_on": int(train_size),
                 "trained_count": total}


def build_flat(source: faiss.Index) -> faiss.Index:
    """An exact (``flat``) index holding every vector of ``source``."""
    flat = new_index(int(source.d))
    for ids, matrix in iter_vectors(source):
        add(flat, ids, matrix)
    return flat


def choose(index: faiss.Index, min_vectors: int, previous: dict[str, Any] | None = None,
           ) -> tuple[faiss.Index, dict[str, Any]]:
    """The index to publish and its manifest parameters: ``ivf-sq8`` from ``min_vectors``
    vectors (trained now when the index is flat or has grown ``RETRAIN_GROWTH`` times since
    it was trained), ``flat`` below (a shrunken IVF index is made exact again)."""
    total = int(index.ntotal)
    current = kind(index)
    if total < max(min_vectors, _MIN_IVF):
        if current == FLAT:
            return index, {"kind": FLAT}
        log.info("%d vectors, below %d: publishing a flat index", total, min_vectors)
        return build_flat(index), {"kind": FLAT}
    trained = (previous or {}).get("trained_count") or 0
    if current == IVF_SQ8 and trained and total < RETRAIN_GROWTH * trained:
        return index, {**(previous or {}), **params(index)}
    log.info("%d vectors: training an %s index", total, IVF_SQ8)
    return build_ivf(index)


def add(index: faiss.Index, ids: Sequence[int] | np.ndarray, vectors: np.ndarray) -> None:
    if len(ids) == 0:
        return
    index.add_with_ids(
        np.ascontiguousarray(vectors, dtype=np.float32), np.asarray(ids, dtype=np.int64)
    )


def remove(index: faiss.Index, ids: Sequence[int]) -> int:
    if len(ids) == 0:
        return 0
    return int(index.remove_ids(np.asarray(ids, dtype=np.int64)))


def search(
    index: faiss.Index, query: np.ndarray, k: int, allowed: Sequence[int] | None = None,
    exhaustive: bool = False,
) -> list[tuple[int, float]]:
    """Top-k (chunk id, cosine) for one query vector, optionally only among ``allowed`` ids.

    ``exhaustive`` makes an ``ivf-sq8`` search visit every list (exact up to its 8-bit codes:
    the fallback of a filtered search)."""
    if index.ntotal == 0 or k <= 0:
        return []
    q = np.ascontiguousarray(query.reshape(1, -1), dtype=np.float32)
    # One query: a single OpenMP thread is faster (14 vs 18 ms at 100k flat) and leaves the
    # other core to the keyword search running beside it. Per calling thread, not global.
    faiss.omp_set_num_threads(1)
    ivf = _ivf(index)
    selector = None
    if allowed is not None:
        if len(allowed) == 0:
            return []
        selector = faiss.IDSelectorBatch(np.asarray(allowed, dtype=np.int64))
    if ivf is not None:
        nprobe = int(ivf.nlist) if exhaustive else int(ivf.nprobe)
        scores, ids = ivf.search(q, k, params=faiss.SearchParametersIVF(sel=selector,
                                                                         nprobe=nprobe))
    elif selector is not None:
        scores, ids = index.search(q, k, params=faiss.SearchParameters(sel=selector))
    else:
        scores, ids = index.search(q, k)
    return [(i, s) for i, s in zip(ids[0].tolist(), scores[0].tolist(), strict=True) if i >= 0]
