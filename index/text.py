"""Sentence splitting and small text helpers shared by ingest (chunking, moves) and the bot."""

from __future__ import annotations

import re
import sys
import unicodedata
from functools import lru_cache
from typing import Any

import syntok.segmenter as segmenter

_SPACE = re.compile(r"\s+")

# Characters that never belong in news text or in what the bot prints: C0 controls but tab and
# newline, DEL, C1 controls, bidi embeddings/overrides/isolates, lone surrogates.
_CONTROL_CHARS = (
    "\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff"
)
_HAS_CONTROL = re.compile(f"[{_CONTROL_CHARS}]")
_CONTROL = re.compile(
    # CSI: ESC [ (or C1 CSI) parameters, intermediates, final byte (missing when cut off)
    r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]?"
    # OSC, DCS, SOS, PM, APC: the payload up to BEL or ST (or the end of the line)
    r"|(?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f])[^\x07\x1b\x9c\n]*(?:\x07|\x1b\\|\x9c)?"
    # any other escape sequence: ESC, intermediates, final byte
    r"|\x1b[ -/]*[0-~]?"
    f"|[{_CONTROL_CHARS}]"
)
_LINE_CONTROLS = str.maketrans({"\x0b": " ", "\x0c": " ", "\x85": "\n"})


def strip_controls(text: str) -> str:
    """``text`` without control characters and terminal escape sequences.

    Removed: ANSI/VT escape sequences whole (CSI such as colours and cursor moves, OSC such as
    titles and hyperlinks, DCS/SOS/PM/APC strings, two-byte escapes), every other C0 and C1
    control character except tab and newline (NUL and DEL included), the bidi embedding,
    override and isolate characters (U+202A-U+202E, U+2066-U+2069) and lone surrogates (what
    undecodable bytes become). Carriage returns become newlines, vertical tab and form feed
    spaces. Text without any of these is returned as it is (the common case costs one scan).
    The one cleaning used by ingest and by every printer (terminal, ``bot ask``, Discord).
    """
    if _HAS_CONTROL.search(text) is None:
        return text
    text = text.replace("\r\n", "\n").replace("\r", "\n").translate(_LINE_CONTROLS)
    return _CONTROL.sub("", text)


def strip_controls_in(value: Any) -> Any:
    """:func:`strip_controls` applied to every string inside ``value`` (dicts, lists, tuples;
    keys too), e.g. a model dump before it is printed as JSON."""
    if isinstance(value, str):
        return strip_controls(value)
    if isinstance(value, dict):
        return {strip_controls_in(k): strip_controls_in(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(strip_controls_in(v) for v in value)
    return value


def normalize_space(text: str) -> str:
    """Collapse runs of white space into one space and strip the ends."""
    return _SPACE.sub(" ", text).strip()


def split_sentences(text: str) -> list[str]:
    """Split text into sentences (syntok: abbreviations such as "Mr." and "U.S." stay whole).

    Each sentence is an exact slice of ``text`` with surrounding white space stripped, so
    offsets can be recovered with ``text.find``. Recent texts' sentences are kept (the
    passages of one story come back question after question).
    """
    return list(_sentences(text))


@lru_cache(maxsize=2048)
def _sentences(text: str) -> tuple[str, ...]:
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
    return tuple(sentences)


def fold(text: str) -> str:
    """Lower-case, accent-free form for matching names ("Nestlé" -> "nestle")."""
    if text.isascii():
        return text.casefold()
    return _combining().sub("", unicodedata.normalize("NFKD", text)).casefold()


@lru_cache(maxsize=1)
def _combining() -> re.Pattern[str]:
    """Every combining character (``unicodedata.combining`` > 0), as one character class."""
    marks = [chr(c) for c in range(sys.maxunicode + 1) if unicodedata.combining(chr(c))]
    return re.compile("[" + "".join(re.escape(m) for m in marks) + "]")
