"""Sentence-aware chunking within the embedding model's word-piece window."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from index.records import Chunk
from index.text import split_sentences

TokenCounter = Callable[[Sequence[str]], list[int]]
SPECIAL_TOKENS = 2  # [CLS] and [SEP]


def embedding_text(title: str, chunk_text: str) -> str:
    """What is embedded for a chunk: the title as context, then the passage."""
    if not title or chunk_text.startswith(title):
        return chunk_text
    return f"{title}\n{chunk_text}"


def _split_long(sentence: str, tokens: int, budget: int) -> list[str]:
    """Cut a sentence longer than the budget into word runs that fit (proportional estimate)."""
    words = sentence.split()
    pieces = max(2, -(-tokens // max(budget, 1)) + 1)
    size = max(1, len(words) // pieces)
    return [" ".join(words[i : i + size]) for i in range(0, len(words), size)]


def _tidy_paragraphs(text: str) -> str:
    paragraphs = (" ".join(p.split()) for p in text.split("\n\n"))
    return "\n\n".join(p for p in paragraphs if p)


def _join(units: Iterable[str]) -> str:
    out = ""
    for unit in units:
        if not out:
            out = unit.lstrip("\n")
        elif unit.startswith("\n\n"):
            out += unit
        else:
            out += " " + unit
    return out


def chunk_article(
    title: str,
    text: str,
    count_tokens: TokenCounter,
    max_tokens: int = 256,
    overlap: int = 1,
    ticker_finder: Callable[[str], list[str]] | None = None,
) -> list[Chunk]:
    """Split ``text`` into passages whose embedding text (title + passage) fits ``max_tokens``.

    Sentences are never cut unless one alone exceeds the window; consecutive chunks share
    ``overlap`` sentences so a fact that straddles a boundary is still found whole.
    """
    if not text.strip():
        return []
    title_count, whole_count = count_tokens([title or "", text])
    title_tokens = max(0, title_count - SPECIAL_TOKENS) if title else 0
    budget = max(16, max_tokens - title_tokens - SPECIAL_TOKENS)
    if whole_count - SPECIAL_TOKENS <= budget:  # most feed items: no need to split at all
        body = _tidy_paragraphs(text)
        tickers = ticker_finder(body) if ticker_finder else []
        return [Chunk(position=0, text=body, tokens=title_tokens + whole_count, tickers=tickers)]
    paragraphs = [p for p in text.split("\n\n") if p.strip()]
    sentences: list[str] = []
    starts: set[int] = set()  # indexes of sentences that open a paragraph
    for paragraph in paragraphs:
        starts.add(len(sentences))
        sentences += split_sentences(paragraph)
    if not sentences:
        return []
    counts = [max(0, n - SPECIAL_TOKENS) for n in count_tokens(sentences)]
    units: list[tuple[str, int]] = []
    for index, (sentence, n) in enumerate(zip(sentences, counts, strict=True)):
        # A paragraph's first sentence carries the break, so chunks keep paragraphs apart.
        lead = "\n\n" if index in starts and index > 0 else ""
        if n <= budget:
            units.append((lead + sentence, n))
            continue
        pieces = _split_long(sentence, n, budget)
        for j, (piece, m) in enumerate(zip(pieces, count_tokens(pieces), strict=True)):
            units.append(((lead if j == 0 else "") + piece, max(0, m - SPECIAL_TOKENS)))

    chunks: list[list[tuple[str, int]]] = []
    current: list[tuple[str, int]] = []
    used = 0
    for unit in units:
        if current and used + unit[1] > budget:
            chunks.append(current)
            carry = current[-overlap:] if overlap else []
            while carry and sum(n for _, n in carry) + unit[1] > budget:
                carry = carry[1:]
            current, used = list(carry), sum(n for _, n in carry)
        current.append(unit)
        used += unit[1]
    if current:
        chunks.append(current)

    out: list[Chunk] = []
    for position, parts in enumerate(chunks):
        body = _join(s for s, _ in parts)
        tokens = title_tokens + sum(n for _, n in parts) + SPECIAL_TOKENS
        tickers = ticker_finder(body) if ticker_finder else []
        out.append(Chunk(position=position, text=body, tokens=tokens, tickers=tickers))
    return out
