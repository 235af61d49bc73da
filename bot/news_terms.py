"""The question's named terms against the news: what it names that the news does not hold.

``named_terms`` are the question's words that may name a thing (not its move or chat words).

A question that names something the news never mentions ("the blackwell reveal" on 2023
news) is not covered, however close some passage is in meaning: ``missing_terms`` finds the
question's rare words that no retrieved passage contains; ``unmatched_story`` the story a
company's move is tied to that no passage about the company tells; ``unnamed`` the rare
words of chat that names no company; ``years_outside`` the years it names that no article is from.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence

from wordfreq import zipf_frequency

from bot.question.model import WORD, Question
from bot.question.periods import MONTHS, record_since
from index.lexicon import (
    CHAT_FILLER,
    move_hits,
    news_words,
    word_direction,
)
from index.reader import IndexReader, SearchHit
from index.text import fold
from index.typos import fix_typos, fix_word, one_edit

ANCHOR_RARE = 2
"""An event word in at most this many passages must be in a retrieved one."""
STORY_ZIPF = 5.5
"""Story words rarer than this in English (wordfreq Zipf) must be found beside the company."""
STORY_NAME_ZIPF = 4.5
"""Story words rarer than this that are no verb forms ("dividend", "stake", "accounting")
name the story: one of them must be beside the company when the story has any (a past form
such as "flagged" may be said otherwise)."""
_VERB_FORM = re.compile(r"ed$")
COMMON_ZIPF = 4.0
"""Words at least this frequent in English (wordfreq's Zipf scale) are never "named"
terms: "blackwell" (3.3), "sora" (3.0), "deepseek" (0) are; "guidance" (4.6) is not."""
MISSPELT_MIN = 3
"""A word one edit away from an index word with at least this many passages is a typo."""
RESPELL_WORDS = 24
"""At most this many words of a question are looked at (each costs a few hundred lookups)."""
RESPELL_MIN = 20
"""A misspelt word is searched as the index word one edit away with at least this many
passages (the most frequent such word)."""
_FIGURE_TERM = re.compile(
    r"^(?:\d[\d.,]*(?:k|m|mn|b|bn|t|tn|x|s|st|nd|rd|th|am|pm|pct|%)?|[qh][1-4]|fy\d{2,4})$")
"""A figure, an ordinal or a period ("4b", "650b", "21st", "q2", "fy24"), not a model name."""
_LETTERS_DIGITS = re.compile(r"[a-z&]+|\d+")
_NUMBERED = re.compile(
    r"\b([a-z][a-z-]{2,})\s+(\d{1,2})\b(?![.,:/%]\d|\s*%|\s*(?:percent|pct|points?|pts|days?|"
    r"weeks?|months?|years?|hours?|hrs?|mins?|minutes?|x|bucks|dollars|bn|b|m|k|am|pm|st|nd|"
    r"rd|th)\b)")
"""A name and its version number apart ("llama 3", "gpt 5", "iphone 16")."""
RATIO = re.compile(r"\b(\d+)\s*-?\s*for\s*-?\s*(\d+)\b")
"""A stock split's ratio, "10 for 1" or "10-for-1": one named term."""

GENERIC = frozenset(
    """stock stocks share shares market markets company companies news day days week weeks
    month months year years today time people report reports deal deals ai price prices
    trade trading traded investors investor else other others itself biggest big most more
    much many percent pct how hard much lot loads tons guys anyone weekly daily run runs
    parent owner maker actually really decent solid good great strong weak bad terrible huge
    massive monster blowout crazy insane wild basically literally drove driving pushed
    pushing caused causing behind sent made gives despite hype reporting reported catalyst
    reason szn season nowhere keeps kept sideways""".split()
)


def is_move_word(word: str) -> bool:
    return word_direction(word) is not None


def words_of(text: str) -> set[str]:
    return set(WORD.findall(fold(text)))


def missing_terms(
    terms: Iterable[str], anchor_terms: Iterable[str], hits: Sequence[SearchHit],
    reader: IndexReader, is_ticker: Callable[[str], bool],
) -> list[str]:  # fmt: skip
    """The question's named terms the news does not hold.

    A word no article of the index contains is missing (unless it is a ticker or a likely
    misspelling of a word the index has); a word of the event the question anchors on that
    at most ``ANCHOR_RARE`` passages contain is missing when none of ``hits`` mentions it
    ("who lost from sora" on news from before Sora). The caller leaves company names, dates
    and move or chat words out of ``terms``."""
    seen = set().union(*(words_of(f"{h.title} {h.text}") for h in hits)) if hits else set()
    anchored = {_clean(t) for t in anchor_terms}
    out = []
    for term in dict.fromkeys(_clean(t) for t in [*terms, *anchored]):
        code = any(c.isdigit() for c in term)  # "h20", "b200", "o1", "gpt-5", "10-for-1"
        if code and "-" in term:
            if not reader.has_phrase(term.split("-")):
                out.append(term)
            continue
        if code:
            if len(term) < 2 or _FIGURE_TERM.match(term):
                continue  # "4b", "q2", "21st": figures and periods
            docs = max(reader.term_docs(form) for form in _singular(term, 2))
            if docs == 0 and reader.has_phrase(_LETTERS_DIGITS.findall(term)):
                continue  # "s&p500", "gpt5": written apart in the news
        else:
            if len(term) < 4 or term in GENERIC or is_move_word(term):
                continue
            if zipf_frequency(term, "en") >= COMMON_ZIPF:
                continue  # an everyday word ("guidance") names no product or event
            docs = max((reader.term_docs(form) for part in term.split("-")
                        for form in _singular(part)), default=0)
        if docs == 0:
            if is_ticker(term) or (not code and _misspelt(term, reader)):
                continue
            out.append(term)
        elif term in anchored and docs <= ANCHOR_RARE and not _seen(term, seen):
            out.append(term)
    return out


def _seen(term: str, seen: set[str]) -> bool:
    """``term`` is a passage word or, five letters or more, starts one ("mosaic" in
    "MosaicML")."""
    return term in seen or (len(term) >= 5 and any(w.startswith(term) for w in seen))


def rare_terms(terms: Iterable[str]) -> list[str]:
    """The terms that may name a thing (rarer in English than ``COMMON_ZIPF``: "worldcoin",
    not "launch"; figures such as "650b" are no names)."""
    return [
        c for t in terms
        if len(c := _clean(t)) > 2 and not any(ch.isdigit() for ch in c)
        and zipf_frequency(c, "en") < COMMON_ZIPF
    ]


def names_any(hit: SearchHit, terms: Iterable[str]) -> bool:
    """Does the passage hold one of ``terms`` (as a word)?"""
    words = words_of(f"{hit.title} {hit.text}")
    return any(t in words for t in terms)


def unnamed(terms: list[str], hits: Sequence[SearchHit]) -> list[str]:
    """``terms`` when no passage holds any of them: for a chat question naming no company
    ("did the knicks win last night"), its rare words in no passage say it is about
    something else, however close a passage sounds."""
    return [] if any(names_any(h, terms) for h in hits) else list(terms)


def ratio_terms(text: str) -> list[str]:
    """Split ratios in ``text`` as single terms ("10 for 1" -> "10-for-1")."""
    return [f"{a}-for-{b}" for a, b in RATIO.findall(fold(text))]


def numbered_terms(text: str, is_ticker: Callable[[str], bool]) -> list[str]:
    """Names with a version number said apart ("did meta moon after llama 3 dropped" ->
    "llama-3"), as one term: the news holding "Llama 2" does not hold "Llama 3". Only for
    words rarer in English than ``COMMON_ZIPF`` (not "top 5", "day 2"), no month ("nov 21")
    or ticker ("nvda 10")."""
    return [
        f"{word}-{number}" for word, number in _NUMBERED.findall(fix_typos(fold(text)))
        if word not in MONTHS and word not in GENERIC and not is_move_word(word)
        and zipf_frequency(word, "en") < COMMON_ZIPF and not is_ticker(word)
    ]


def _singular(word: str, shortest: int = 5) -> list[str]:
    """``word`` and, for a plural of ``shortest`` letters or more, its singular forms
    ("blowups" -> "blowup", "h100s" -> "h100")."""
    forms = [word]
    if len(word) >= shortest and word.endswith("s") and not word.endswith("ss"):
        forms.append(word[:-1])
        if word.endswith("es"):
            forms.append(word[:-2])
    return forms


def _clean(term: str) -> str:
    term = fold(term).strip(".,'\u2019-")
    return term[:-2] if term.endswith(("'s", "\u2019s")) else term


def _misspelt(term: str, reader: IndexReader) -> bool:
    """Is ``term`` one edit away from a word the index holds a few times?"""
    return any(reader.term_docs(v) >= MISSPELT_MIN for v in one_edit(term))


def respelt(text: str, reader: IndexReader, is_ticker: Callable[[str], bool]) -> str:
    """``text`` with its words that no passage holds, and no English reader would write,
    spelt as the news spells them when one edit makes a word it holds often ("earnigns" ->
    "earnings", "chatgtp" -> "chatgpt"): for the searches, whose keyword half matches words."""
    out = text
    for word in list(dict.fromkeys(re.findall(r"[a-z]{5,}", text)))[:RESPELL_WORDS]:
        if zipf_frequency(word, "en") >= COMMON_ZIPF - 1 or is_ticker(word):
            continue
        if reader.term_docs(word) > 0:
            continue
        docs, best = max(((reader.term_docs(v), v) for v in one_edit(word)), default=(0, ""))
        if docs >= RESPELL_MIN:
            out = re.sub(rf"\b{word}\b", best, out)
    return out


def unmatched_story(
    terms: Iterable[str], question: Question, hits: Sequence[SearchHit],
    moved: Sequence[SearchHit] = (),
) -> list[str]:
    """For "why did X move on <story>": the story's words when no passage about X names the
    story ("smci accounting scandal" on news that never reports one). Needs two or more
    such words, so one unusual word of chat ("went nuts") never declines a question.

    X is the company the question asks about: with an event naming another company ("soundhound
    mooned after nvidia disclosed a stake"), the company outside the event, whose own name is no
    story word. A story named by two or more rarer nouns ("doj sued apple for monopolizing
    smartphones") must be told in one of the articles reporting X's move (``moved``), when
    the news reports one."""
    subjects = question.subjects()
    own = {w for e in subjects for w in words_of(e.name.split(" (")[0])}
    own |= {(e.ticker or "").lower() for e in subjects}
    story = [
        _clean(t) for t in terms
        if len(_clean(t)) > 2 and _clean(t) not in GENERIC and not is_move_word(_clean(t))
        and zipf_frequency(_clean(t), "en") < STORY_ZIPF and _clean(t) not in own
    ]
    story = list(dict.fromkeys(story))
    if len(story) < 2:
        return []
    # The story's rarer nouns ("dividend", "stake") must be there; a verb ("flagged") may be
    # said otherwise, so a story of verbs and common words needs any of its words.
    nouns = [t for t in story if not _VERB_FORM.search(t)
             and zipf_frequency(t, "en") < STORY_NAME_ZIPF]
    names = [fold(e.name.split(" (")[0]) for e in subjects]
    tickers = {e.ticker for e in subjects if e.ticker}
    about = [
        words_of(f"{h.title} {h.text}")
        for h in (moved if len(nouns) > 1 and moved else hits)
        if any(n in fold(f"{h.title} {h.text}") for n in names) or tickers & set(h.tickers)
    ]
    if any(_stem_match(t, w) for words in about for w in words for t in nouns or story):
        return []
    return story


def _stem_match(term: str, word: str) -> bool:
    """``word`` is ``term`` (or a part of "chatgpt-ish") or shares its first letters
    ("disclosed" ~ "discloses")."""
    for part in [term, *(p for p in term.split("-") if len(p) > 3)]:
        if word == part or word.startswith(part[: max(4, len(part) - 3)]):
            return True
    return False


def named_terms(question: Question, anchor: bool = False) -> list[str]:
    """Question words that may name a thing (no move or chat words, no misspellings of
    them, no tickers of the companies it names); with ``anchor``, those of the event
    phrase only."""
    low = fix_typos(question.text.lower())
    moving = {w for s, e, _ in move_hits(low) for w in low[s:e].split()}
    moving |= {e.ticker.lower() for e in [*question.entities, *question.excluded]
               if e.ticker}
    anchor_words = news_words((question.anchor or "").lower()).split()
    words = anchor_words if anchor else list(question.keywords) + anchor_words
    return [
        w for w in dict.fromkeys(words)
        if w not in moving and fix_word(w) is None and word_direction(w) is None
        and w.strip("?!.,") not in CHAT_FILLER
    ]


_YEAR = re.compile(r"(?<![\w$.,])((?:19|20)\d\d)(?![\w%]|[.,]\d)")


def years_outside(text: str, reader: IndexReader) -> list[str]:
    """Years the question names ("at wwdc 2024") that no article of the index is from."""
    oldest, newest = reader.manifest.oldest_article, reader.manifest.newest_article
    if oldest is None or newest is None:
        return []
    return list(dict.fromkeys(
        m.group(1) for m in _YEAR.finditer(text)
        if not oldest.year <= int(m.group(1)) <= newest.year
        and not record_since(text, m.start())  # "worst day since 2002"
    ))
