"""A question as the news would word it: tickers as company names, chat move words as the
verbs news uses (for the searches; the question's own words stay for the checks)."""

from __future__ import annotations

import re

from bot.question.model import Question
from index.lexicon import DIRECTIONS, SEARCH_VERBS, chat_pattern, news_words
from index.typos import fix_typos


def with_names(text: str, question: Question) -> str:
    """Tickers written as company names ("amzn" means nothing to the embedding model); the
    name of a company the question calls otherwise ("nvdia", "facebook's parent") added."""
    for entity in [*question.entities, *question.excluded]:
        name = entity.name.split(" (")[0]
        if entity.ticker:
            pattern = rf"(?<![\w$])\$?{re.escape(entity.ticker)}(?!\w)"
            text = re.sub(pattern, name, text, flags=re.IGNORECASE)
        if name.lower() not in text.lower():
            text = f"{text} {name}"
    return text


def search_text(question: Question) -> str:
    """The question as news would word it: tickers as company names, misspellings fixed,
    chat move words ("got smoked", "ripped") replaced by the verbs news uses ("shares fell",
    "shares rose"); winner/loser cues ("who won", "who benefited") stay as they are."""
    text = with_names(news_words(fix_typos(question.text.lower())), question)
    out, last = [], 0
    spans = sorted(
        (m.start(), m.end(), direction)
        for direction in DIRECTIONS for m in chat_pattern(direction).finditer(text)
    )
    for start, end, direction in spans:
        if start < last:
            continue
        out += [text[last:start], f"shares {SEARCH_VERBS[direction][0]}"]
        last = end
    out.append(text[last:])
    return " ".join("".join(out).split())
