"""``parse_question``: normalise, then companies, window, intent, direction, anchor, keywords."""

from __future__ import annotations

import logging
import re
import unicodedata
from datetime import UTC, datetime

from bot.question.companies import CONNECTORS, FILLER, find_companies
from bot.question.coverage import DateCoverage
from bot.question.exclude import find_exclusions
from bot.question.intent import anchor_of, classify, direction_of
from bot.question.model import EXAMPLE, MAX_CHARS, Question, QuestionError
from bot.question.timewin import find_window
from index.entities import EntityResolver
from index.lexicon import CHAT_FILLER, CHAT_SYNONYMS
from index.text import strip_controls

__all__ = ["check_length", "normalize", "parse_question"]

log = logging.getLogger(__name__)

_DISCORD = re.compile(r"<a?:\w{1,64}:\d{5,25}>|<@[!&]?\d{5,25}>|<#\d{5,25}>|<t:-?\d+(?::\w)?>")
_MARKDOWN = re.compile(r"\*+|`+|~~|\|\||(?<!\w)__|__(?!\w)|^\s*>+\s?", re.MULTILINE)
_DROP = re.compile("[\u200b-\u200f\u2060\ufeff\u00ad™®©]")
_WORD = re.compile(r"[^\W_](?:[\w.&'’-]*[^\W_])?")
_STOP = frozenset(
    """a about above after again against all am an and any anyone are aren't as at be because
    been before being below between both but by can can't could couldn't did didn't do does
    doesn't doing don't down during each else ever few for from further get gets getting got
    had has have having he her here hers him his how how's i i'd i'll i'm i've if in into is
    isn't it it's its itself just know let let's like me more most much my no nor not now of
    off on once only or other our ours out over own please pls same she should so some such
    tell than that that's the their theirs them then there there's these they this those
    through thru to too under until up us very was wasn't we were what what's when where
    which while who who's whom why why's will with won't would you your yours yet any anything
    something thing things really still also going gonna wanna hey hi hello thanks thank vs
    versus via per e.g eg i.e ie since among amid think say said guys anybody someone how'd
    whats what'd why'd who'd where'd when'd""".split()
)
_INTENT_WORDS = frozenset(
    """happened happen happening news latest update updates quote quotes price prices trading
    trade ticker stock stocks share shares losers loser lose loses lost losing winners winner
    win wins won winning benefit benefits benefited benefitted benefiting beneficiaries
    moved move moving biggest hurt impacted affected companies company many percent
    percentage else itself around""".split()
)
"""Question words that say what is asked, not what about (kept out of ``keywords``)."""


_OPEN_INTENTS = ("general", "what_happened", "why_moved")
_GROUP_ASK = re.compile(
    r"\b(?:which|who|whom|whose)\b|\bwhat\s+(?:stocks?|names?|companies|company|tickers?|"
    r"chips?\s+stocks?)\b",
    re.IGNORECASE,
)


_APPROX = re.compile(r"\b(\d+(?:st|nd|rd|th)?)-?ish\b", re.IGNORECASE)
"""A figure or day said roughly ("feb 8ish", "10-ish%"): the figure."""


_SUBJECT_MOVES = ("why_moved", "how_much", "what_happened")
"""Intents asking how one company moved: a move word inside an event about another company
("the day alphabet got crushed") says nothing of it."""


def normalize(text: str) -> str:
    """Trim, drop control characters, terminal escapes and lone surrogates (undecodable bytes),
    chat markup (Discord mentions, custom emoji, bold/code marks) and invisible characters,
    fold full-width forms (NFKC), drop "-ish" after a figure and collapse white space."""
    text = strip_controls(text)
    text = _DISCORD.sub(" ", text)
    text = _MARKDOWN.sub("", text)
    text = _DROP.sub("", text)
    text = unicodedata.normalize("NFKC", text)
    text = _APPROX.sub(r"\1", text)
    return " ".join(text.split())


def _overlaps(spans: list[tuple[int, int]], start: int, end: int) -> bool:
    return any(s < end and start < e for s, e in spans)


def _keywords(text: str, skip: list[tuple[int, int]]) -> list[str]:
    out: dict[str, None] = {}
    for m in _WORD.finditer(text):
        if _overlaps(skip, m.start(), m.end()):
            continue
        word = m.group().lower().replace("’", "'")
        if word.endswith("'s"):
            word = word[:-2]
        word = word.strip(".'-")
        if (len(word) < 2 or word.isdigit() or word in _STOP or word in _INTENT_WORDS
                or word in CHAT_FILLER):
            continue
        out.setdefault(CHAT_SYNONYMS.get(word, word), None)
    return list(out)


def _blank(text: str, spans: list[tuple[int, int]]) -> str:
    """``text`` with ``spans`` replaced by spaces (same length)."""
    for start, end in spans:
        text = text[:start] + " " * (end - start) + text[end:]
    return text


def _alone(text: str, spans: list[tuple[int, int]]) -> bool:
    """Every word is part of a company mention, stock filler or a connector ("nvda stock?")."""
    words = [m for m in _WORD.finditer(text) if m.group().lower() not in FILLER | CONNECTORS]
    return bool(spans) and all(_overlaps(spans, m.start(), m.end()) for m in words)


def check_length(text: str | None, max_chars: int = MAX_CHARS) -> str:
    """The question without its outer whitespace; ``QuestionError`` when it is blank or longer
    than ``max_chars``. The one length check: the parser and every front end's early refusal
    (before any work) both call it, with the limit of ``AnswerSettings.max_question_chars``."""
    raw = (text or "").strip()
    if len(raw) > max_chars:
        raise QuestionError(f"questions are limited to {max_chars} characters (got {len(raw)})")
    if not raw:
        raise QuestionError(EXAMPLE)
    return raw


def parse_question(
    text: str,
    resolver: EntityResolver,
    now: datetime,
    max_chars: int = MAX_CHARS,
    coverage: DateCoverage | None = None,
) -> Question:
    """Understand a chat question without an LLM (see the package docstring).

    ``now`` must be timezone-aware; windows are computed in UTC relative to it. Raises
    ``QuestionError`` for an empty question or one longer than ``max_chars`` (counted after
    trimming the ends). ``coverage`` (the index's article dates) moves a period said without
    a year to the latest year the news covers (see ``bot.question.timewin``); without it,
    such a period is the most recent one.
    """
    if now.utcoffset() is None:
        raise ValueError("now must be timezone-aware")
    now = now.astimezone(UTC)
    raw = check_length(text, max_chars)
    clean = normalize(raw)
    if not any(c.isalnum() for c in clean):
        raise QuestionError(EXAMPLE)

    companies = find_companies(clean, resolver)
    others = find_exclusions(clean, resolver, companies)  # "besides nvda", "who else"
    window = find_window(clean, now, coverage)
    undated = _blank(clean, window.spans)  # "this fall", "May": not move or intent words
    intent = classify(
        undated,
        has_company=bool(companies.entities),
        has_ticker=bool(companies.tickers),
        alone=_alone(clean, companies.spans),
    )
    direction = direction_of(undated)
    asked = set(others.tickers) - set(others.excluded_tickers)
    if intent in _OPEN_INTENTS and direction and not asked and _GROUP_ASK.search(undated):
        # "chinese search giant mooned in feb, who was it", "which other chip stocks got
        # lifted": a move, no company of its own, and a who/which: the movers are the answer.
        intent = "winners" if direction == "up" else "losers"
    if intent == "losers":
        direction = "down"
    elif intent == "winners":
        direction = "up"
    anchor = anchor_of(clean, window.spans)
    if intent in _SUBJECT_MOVES and anchor and direction:
        # "how did msft trade the day alphabet got crushed": the move is the event's
        at = clean.lower().find(anchor.lower())
        named = [s for s in companies.spans if at <= s[0] < at + len(anchor)]
        if at >= 0 and named and len(named) < len(companies.spans):
            direction = direction_of(_blank(undated, [(at, at + len(anchor))]))
    question = Question(
        text=clean,
        entities=others.entities,
        tickers=others.tickers,
        excluded=others.excluded,
        excluded_tickers=others.excluded_tickers,
        intent=intent,
        window=window.window,
        move_direction=direction,
        keywords=_keywords(clean, companies.spans + window.spans + others.spans),
        anchor=anchor,
        assumptions=window.assumptions,
    )
    if log.isEnabledFor(logging.DEBUG):
        log.debug("parsed question %r -> %s", clean, question.model_dump(exclude={"text"}))
    return question
