"""Identity and near-duplicate detection of articles.

An article's id derives from its canonical URL (or its content when it has none); a content
hash tells unchanged from changed; a 64-bit SimHash over character 5-grams finds syndicated
copies (the same story under another URL with light edits; character grams keep short feed
summaries stable under one-word edits). Candidates are articles sharing one of five 12-13 bit
bands of the SimHash (any two within Hamming distance 4 always do, most closer copies too);
each candidate within distance ``CANDIDATE_DISTANCE`` is then confirmed by the Jaccard
similarity of the two texts' 5-gram sets, so short texts are judged on their content.
"""

from __future__ import annotations

import hashlib
import re

import numpy as np

from index.records import Article
from index.text import fold

SIMHASH_MAX_DISTANCE = 4
CANDIDATE_DISTANCE = 12
MIN_JACCARD = 0.8
_BAND_BITS = (13, 13, 13, 13, 12)
MIN_WORDS_FOR_SIMHASH = 25
"""Shorter texts (one-line feed summaries) give unstable SimHashes: only exact dedup there."""

_WORDS = re.compile(r"\w+")


def _digest(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:24]


def article_id(article: Article) -> str:
    if article.url:
        return "u" + _digest(article.url)
    return "h" + content_hash(article)


def content_hash(article: Article) -> str:
    words = _WORDS.findall(fold(f"{article.title}\n{article.text}"))
    return _digest(" ".join(words))


def simhash(text: str) -> int | None:
    """64-bit SimHash of character 5-grams, as a signed int64 (SQLite's integer), or None."""
    words = _WORDS.findall(fold(text))
    if len(words) < MIN_WORDS_FOR_SIMHASH:
        return None
    hashes = _grams(text)
    bits = np.unpackbits(hashes.view(np.uint8).reshape(-1, 8), axis=1, bitorder="little")
    votes = bits.sum(axis=0, dtype=np.int64) * 2 - len(hashes)
    packed = np.packbits(votes > 0, bitorder="little").view(np.uint64)[0]
    return int(packed.astype(np.int64))


_GRAM = 5
_PRIME = np.uint64(1_099_511_628_211)  # FNV-64 prime, as the polynomial base


def _gram_hashes(data: bytes) -> np.ndarray:
    """Distinct 64-bit hashes of every 5-byte window, vectorised: a polynomial rolling value
    mixed by the SplitMix64 finaliser (stable across runs and machines, unlike ``hash``)."""
    raw = np.frombuffer(data, dtype=np.uint8).astype(np.uint64)
    n = len(raw) - _GRAM + 1
    value = np.zeros(max(n, 0), dtype=np.uint64)
    for k in range(_GRAM):
        value = value * _PRIME + raw[k : k + n]
    value = np.unique(value)
    value += np.uint64(0x9E3779B97F4A7C15)
    value = (value ^ (value >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    value = (value ^ (value >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return value ^ (value >> np.uint64(31))


def _grams(text: str) -> np.ndarray:
    return _gram_hashes(" ".join(_WORDS.findall(fold(text))).encode("utf-8"))


def jaccard(a: str, b: str) -> float:
    """Jaccard similarity of two texts' 5-gram sets."""
    ga, gb = _grams(a), _grams(b)
    union = len(np.union1d(ga, gb))
    return len(np.intersect1d(ga, gb, assume_unique=True)) / union if union else 0.0


def bands(value: int) -> list[int]:
    unsigned = value & 0xFFFF_FFFF_FFFF_FFFF
    out, shift = [], 0
    for bits in _BAND_BITS:
        out.append((unsigned >> shift) & ((1 << bits) - 1))
        shift += bits
    return out


def distance(a: int, b: int) -> int:
    return ((a ^ b) & 0xFFFF_FFFF_FFFF_FFFF).bit_count()
