"""Every number in an answer comes from a cited passage or a timestamped quote.

Shared by the integration test and the casual benchmark (which runs it on every answer of
the held-out questions): the text's sentences end with their citation ``[n]``; a quoted
sentence must appear verbatim in source n, a mover line ("Adobe (ADBE): down more than 7%
[1]") only needs its figures there; each reported move's sentence is in its cited source and
states its figure.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from bot.answer import Answer
from bot.answer.compose import MOVER_MARK, NOT_COUNTED, mover_line
from index.entities import render_markup

_NUM = re.compile(r"\d+(?:[.,]\d+)*")
_CITED = re.compile(r"(.+?) \[(\d+)\](?:\s|$)")
_QUOTE_LINE = re.compile(
    r"[^\[\]]*?\([A-Z0-9.^=-]+\)(?::\s+quote unavailable[^\[\]]*?|\s+last traded at [^\[\]]*?"
    r"\))\.(?:\s+|$)"
)
"""A price answer's opening quote lines ("Nvidia (NVDA) last traded at … (Yahoo).")."""


def numbers(text: str) -> set[str]:
    return {n.replace(",", "") for n in _NUM.findall(text)}


def ungrounded(answer: Answer, source_text: Callable[[str], str]) -> list[str]:
    """What in ``answer`` is not backed by its sources (empty when all is grounded).

    ``source_text`` gives an article's title and text by article id."""
    if not answer.covered:
        return ["declined but cites sources"] if answer.sources else []
    texts = {s.n: render_markup(source_text(s.article_id)) for s in answer.sources}
    quoted = {f"{m.quote.price:,.2f}".replace(",", "")
              for m in answer.movers if m.quote and m.quote.price}
    summaries = {line for m in answer.movers if (line := mover_line(m))}
    summaries |= {line for m in answer.not_counted if (line := mover_line(m, NOT_COUNTED))}
    problems = []
    text = answer.text
    while (line := _QUOTE_LINE.match(text)) is not None and line.end() > 0:
        text = text[line.end():]
    for sentence, cite in _CITED.findall(text):
        source = texts.get(int(cite), "")
        summary = f"{sentence} [{cite}]" in summaries
        stated = sentence.split(MOVER_MARK, 1)[-1] if summary else sentence  # not the ticker
        if not numbers(stated) <= numbers(source) | quoted:
            problems.append(f"figure not in [{cite}]: {sentence[:120]}")
        if summary:
            continue
        if " ".join(sentence.split()) not in " ".join(source.split()):
            problems.append(f"not quoted from [{cite}]: {sentence[:120]}")
    for mover in [*answer.movers, *answer.not_counted]:
        for move in mover.reported:
            source = texts.get(move.citation, "")
            if move.sentence not in source:
                problems.append(f"move sentence not in [{move.citation}]: {move.sentence[:120]}")
            if move.magnitude is not None:
                scales = (1e12, 1e9, 1e6, 1e3, 1.0) if move.unit == "USD" else (1.0,)
                stated = numbers(move.sentence)
                if not any(f"{move.magnitude / s:g}" in stated for s in scales):
                    problems.append(f"move figure {move.magnitude:g} not in: "
                                    f"{move.sentence[:120]}")
    return problems
