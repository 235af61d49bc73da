"""Choosing the 2–4 sentences an answer is made of, from retrieved passages (lexical, fast)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.question.model import Question
from index.entities import render_markup
from index.lexicon import MOVES_DOWN as DOWN
from index.lexicon import MOVES_UP as UP
from index.text import fold, split_sentences

MAX_PER_SOURCE = 2
MAX_CHARS = 700
_WORD = re.compile(r"[a-z0-9]+")
_NUMBER = re.compile(r"\d")
_QUESTION_FIGURE = re.compile(
    r"(?<![\w.])\$?(\d+(?:\.\d+)?)\s*(?:%|percent|pct|bn?|billion|tn?|trillion|mn?|million)(?!\w)")
"""A figure the asker states ("added like $650b", "cut by 70%+"): the sentence stating it
is the one they remember."""
FIGURE_BOOST = 0.8
_CAUSE = re.compile(r"\b(?:after|following|because|amid|due to|driven by|fueled by|thanks to|"
                    r"on (?:concerns?|fears?|worries|news|reports?|hopes?)|over (?:concerns?|"
                    r"fears?|worries)|as (?:investors|the company|it|traders))\b")
"""Words that tie a move to its cause in a sentence."""
CAUSE_BOOST = 0.5
_STOP = frozenset(
    "the a an of to in on for and or is are was were be did do does what who why how which with "
    "from after before about at by it its this that as than into".split()
)


def tidy(text: str) -> str:
    """Futu markup ``company$Adobe (ADBE.US)$The day`` → ``company Adobe (ADBE.US) The day``."""
    return render_markup(text).strip()


@dataclass
class Candidate:
    """A passage (or a reported move's sentence) and the article it cites."""

    text: str
    article_id: str
    rank: int
    from_move: bool = False


def _content_words(text: str) -> set[str]:
    return {w for w in _WORD.findall(fold(text)) if w not in _STOP and len(w) > 1}


def name_forms(name: str, ticker: str | None) -> list[str]:
    """How the news may name a company, folded: "Alphabet (Google)", GOOGL as alphabet,
    google and googl."""
    base, _, alias = name.partition(" (")
    return [n for n in (fold(base), fold(alias.rstrip(")")), (ticker or "").casefold()) if n]


def _names(question: Question) -> list[re.Pattern[str]]:
    """The companies asked about as the news may name them (two letters or more)."""
    names = [t.casefold() for t in question.tickers]
    names += [n for e in question.entities for n in name_forms(e.name, e.ticker)]
    return [re.compile(rf"\b{re.escape(n)}\b") for n in dict.fromkeys(names) if len(n) > 1]


def _score(sentence: str, question: Question, rank: int, from_move: bool,
           names: list[re.Pattern[str]]) -> float:
    folded = fold(sentence)
    words = _content_words(sentence)
    asked = set(question.keywords) | _content_words(question.text)
    overlap = len(words & asked) / max(len(asked), 1)
    score = 1.0 / (rank + 1) + 1.5 * overlap
    if any(n.search(folded) for n in names):
        score += 0.8
        if question.intent == "why_moved" and _CAUSE.search(folded):
            score += CAUSE_BOOST  # "... fell 12% after it flagged Cerner concerns"
    direction = {"losers": "down", "winners": "up"}.get(question.intent, question.move_direction)
    pattern = {"down": DOWN, "up": UP}.get(direction or "")
    if pattern is not None and pattern.search(folded) and _NUMBER.search(sentence):
        score += 1.0
    if from_move:
        score += 0.5
    for figure in _QUESTION_FIGURE.findall(question.text.lower()):
        if re.search(rf"(?<![\d.]){re.escape(figure)}(?![\d]|\.\d)", sentence):
            score += FIGURE_BOOST
            break
    if len(sentence) < 30 or sentence.endswith("?"):
        score -= 1.0
    if len(sentence) > 400:
        score -= 0.5
    return score


def pick_sentences(
    question: Question, candidates: list[Candidate], limit: int = 4
) -> list[tuple[str, str]]:
    """Up to ``limit`` (sentence, article id) pairs, best first, at most two per article and
    about ``MAX_CHARS`` in all; at least two when two exist."""
    scored: list[tuple[float, int, str, str]] = []
    names = _names(question)
    for order, candidate in enumerate(candidates):
        for sentence in split_sentences(candidate.text):
            sentence = sentence.strip()
            if not sentence:
                continue
            value = _score(sentence, question, candidate.rank, candidate.from_move, names)
            scored.append((value, order, sentence, candidate.article_id))
    scored.sort(key=lambda item: (-item[0], item[1]))
    picked: list[tuple[str, str]] = []
    per_source: dict[str, int] = {}
    seen: set[str] = set()
    used = 0
    for _, _, sentence, article_id in scored:
        key = " ".join(_WORD.findall(fold(sentence)))
        if key in seen or any(key in s or s in key for s in seen):
            continue
        if per_source.get(article_id, 0) >= MAX_PER_SOURCE:
            continue
        if picked and len(picked) >= 2 and used + len(sentence) > MAX_CHARS:
            continue
        picked.append((sentence, article_id))
        per_source[article_id] = per_source.get(article_id, 0) + 1
        seen.add(key)
        used += len(sentence)
        if len(picked) >= limit:
            break
    return picked
