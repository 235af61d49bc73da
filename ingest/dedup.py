"""Identity and near-duplicate detection of articles.

An article's id derives from its canonical URL (or its content when it has none); a content
hash tells unchanged from changed; a 64-bit SimHash over character 5-grams finds syndicated
copies (the same story under another URL with light edits; character grams keep short feed
summaries stable under one-word edits). Near-duplicates are found through five bands of 12-13
bits: two hashes within Hamming distance 4 share at least one band (pigeonhole).
"""

from __future__ import annotations

import hashlib
import re

import numpy as np

from index.records import Article
from index.text import fold

SIMHASH_MAX_DISTANCE = 4
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
    flat = " ".join(words)
    shingles = {flat[i : i + 5] for i in range(len(flat) - 4)}
    hashes = np.fromiter(
        (
            int.from_bytes(hashlib.blake2b(s.encode(), digest_size=8).digest(), "little")
            for s in shingles
        ),
        dtype=np.uint64,
        count=len(shingles),
    )
    bits = np.unpackbits(hashes.view(np.uint8).reshape(-1, 8), axis=1, bitorder="little")
    votes = bits.sum(axis=0, dtype=np.int64) * 2 - len(shingles)
    packed = np.packbits(votes > 0, bitorder="little").view(np.uint64)[0]
    return int(packed.astype(np.int64))


def bands(value: int) -> list[int]:
    unsigned = value & 0xFFFF_FFFF_FFFF_FFFF
    out, shift = [], 0
    for bits in _BAND_BITS:
        out.append((unsigned >> shift) & ((1 << bits) - 1))
        shift += bits
    return out


def distance(a: int, b: int) -> int:
    return ((a ^ b) & 0xFFFF_FFFF_FFFF_FFFF).bit_count()
