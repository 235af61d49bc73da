"""Sentence splitting and small text helpers shared by ingest (chunking, moves) and the bot."""

from __future__ import annotations

import re
import unicodedata

import syntok.segmenter as segmenter

_SPACE = re.compile(r"\s+")


def normalize_space(text: str) -> str:
    """Collapse runs of white space into one space and strip the ends."""
    return _SPACE.sub(" ", text).strip()


def split_sentences(text: str) -> list[str]:
    """Split text into sentences (syntok: abbreviations such as "Mr." and "U.S." stay whole).

    Each sentence is an exact slice of ``text`` with surrounding white space stripped, so
    offsets can be recovered with ``text.find``.
    """
    sentences: list[str] = []
    for paragraph in segmenter.analyze(text):
        for sentence in paragraph:
            if not sentence:
                continue
            start = sentence[0].offset
            end = sentence[-1].offset + len(sentence[-1].value)
            piece = text[start:end].strip()
            if piece:
                sentences.append(piece)
    return sentences


def fold(text: str) -> str:
    """Lower-case, accent-free form for matching names ("Nestlé" -> "nestle")."""
    if text.isascii():
        return text.casefold()
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
