"""The event a question is anchored on, found in the index, and the question's named terms.

"who lost after the bard demo": search the event's words, keep the articles that name its
rarest word, and take the earliest of them as the event's first day; the moves reported in
those articles and in the days after it are the candidates for winners and losers.

A question that names something the news never mentions ("the blackwell reveal" on 2023
news) is not covered, however close some passage is in meaning: ``missing_terms`` finds the
question's rare words that no retrieved passage contains.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from datetime import date, timedelta

from wordfreq import zipf_frequency

from bot.answer.evidence import Event
from bot.question.model import WORD, Question
from index.lexicon import word_direction
from index.reader import Filters, IndexReader, SearchHit
from index.search import Searcher
from index.text import fold

EVENT_HITS = 12
"""Articles searched for an event's words."""
EVENT_DAYS_BEFORE = 1
EVENT_DAYS_AFTER = 7
"""The days around an event's first article whose reported moves may be tied to it."""
CLUSTER_DAYS = 3
"""An event's coverage is counted over this many days from a candidate first day."""
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
_FIGURE_TERM = re.compile(
    r"^(?:\d[\d.,]*(?:k|m|mn|b|bn|t|tn|x|s|st|nd|rd|th|am|pm|pct|%)?|[qh][1-4]|fy\d{2,4})$")
"""A figure, an ordinal or a period ("4b", "650b", "21st", "q2", "fy24"), not a model name."""
_LETTERS_DIGITS = re.compile(r"[a-z&]+|\d+")
_RATIO = re.compile(r"\b(\d+)\s*-?\s*for\s*-?\s*(\d+)\b")
"""A stock split's ratio, "10 for 1" or "10-for-1": one named term."""
_GENERIC = frozenset(
    """stock stocks share shares market markets company companies news day days week weeks
    month months year years today time people report reports deal deals ai price prices
    trade trading traded investors investor else other others itself biggest big most more
    much many percent pct how hard much lot loads tons guys anyone""".split()
)


def is_move_word(word: str) -> bool:
    return word_direction(word) is not None


def _words(text: str) -> set[str]:
    return set(WORD.findall(fold(text)))


def distinctive(phrase: str, reader: IndexReader) -> list[str]:
    """The phrase's content words, rarest in the index first (move and filler words out)."""
    words = [
        w for w in dict.fromkeys(WORD.findall(fold(phrase)))
        if len(w) > 2 and w not in _GENERIC and not is_move_word(w)
    ]
    return sorted(words, key=lambda w: (reader.term_docs(w), words.index(w)))


def find_event(
    phrase: str, reader: IndexReader, searcher: Searcher, filters: Filters,
    recency: float | None = None,
) -> tuple[Event | None, list[SearchHit]]:  # fmt: skip
    """The event ``phrase`` names and the search hits about it (best first)."""
    words = [w for w in distinctive(phrase, reader) if reader.term_docs(w) > 0]
    if not words:
        return None, []
    hits = searcher.search(phrase, k=EVENT_HITS, filters=filters,
                           recency_half_life_days=recency)
    wanted = words[:3]
    named = {h.article_id: [w for w in wanted if w in _words(f"{h.title} {h.text}")] for h in hits}
    most = max((len(v) for v in named.values()), default=0)
    if most == 0:
        return None, []
    about = [h for h in hits if len(named[h.article_id]) == most]
    shared = [w for w in wanted if all(w in named[h.article_id] for h in about)]
    dated = sorted(h.published.date() for h in about[:8] if h.published is not None)
    if not dated:
        return None, about
    first = _busiest_start(dated)
    event = Event(label=_label(phrase), first_date=first,
                  article_ids=[h.article_id for h in about], words=shared)
    return event, about


def _busiest_start(days: list[date]) -> date:
    """The first day of the busiest few days of coverage: an early preview or a later
    mention does not move the event ("Nvidia guidance" is the day most articles cite)."""
    def count(start: date) -> int:
        return sum(start <= d <= start + timedelta(days=CLUSTER_DAYS) for d in days)
    return max(days, key=lambda d: (count(d), -d.toordinal()))


def _label(phrase: str) -> str:
    """The event phrase without move words ("ripped cloud numbers" -> "cloud numbers")."""
    kept = [w for w in phrase.split() if not is_move_word(fold(w).strip(".,!?"))]
    return " ".join(kept) or phrase


def days_after(event: Event, filters: Filters) -> Filters:
    """``filters`` narrowed to the days around the event (kept inside the question's window)."""
    from datetime import UTC, datetime, time

    start = datetime.combine(event.first_date - timedelta(days=EVENT_DAYS_BEFORE), time.min, UTC)
    end = datetime.combine(event.first_date + timedelta(days=EVENT_DAYS_AFTER), time.max, UTC)
    since = max(start, filters.since) if filters.since else start
    until = min(end, filters.until) if filters.until else end
    return filters.model_copy(update={"since": since, "until": until})


def ties(text: str, event: Event) -> bool:
    """Does ``text`` name the event (its rarest word)?"""
    return bool(event.words) and event.words[0] in _words(text)


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
    seen = set().union(*(_words(f"{h.title} {h.text}") for h in hits)) if hits else set()
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
            if len(term) < 4 or term in _GENERIC or is_move_word(term):
                continue
            if zipf_frequency(term, "en") >= COMMON_ZIPF:
                continue  # an everyday word ("guidance") names no product or event
            docs = max((reader.term_docs(form) for part in term.split("-")
                        for form in _singular(part)), default=0)
        if docs == 0:
            if is_ticker(term) or (not code and _misspelt(term, reader)):
                continue
            out.append(term)
        elif term in anchored and docs <= ANCHOR_RARE and term not in seen:
            out.append(term)
    return out


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
    words = _words(f"{hit.title} {hit.text}")
    return any(t in words for t in terms)


def unnamed(terms: list[str], hits: Sequence[SearchHit]) -> list[str]:
    """``terms`` when no passage holds any of them: for a chat question naming no company
    ("did the knicks win last night"), its rare words in no passage say it is about
    something else, however close a passage sounds."""
    return [] if any(names_any(h, terms) for h in hits) else list(terms)


def ratio_terms(text: str) -> list[str]:
    """Split ratios in ``text`` as single terms ("10 for 1" -> "10-for-1")."""
    return [f"{a}-for-{b}" for a, b in _RATIO.findall(fold(text))]


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
    letters = "abcdefghijklmnopqrstuvwxyz"
    splits = [(term[:i], term[i:]) for i in range(len(term) + 1)]
    variants = {a + b[1:] for a, b in splits if b}
    variants |= {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
    variants |= {a + c + b[1:] for a, b in splits if b for c in letters}
    variants |= {a + c + b for a, b in splits for c in letters}
    variants.discard(term)
    return any(reader.term_docs(v) >= MISSPELT_MIN for v in variants)


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
    own = {w for e in subjects for w in _words(e.name.split(" (")[0])}
    own |= {(e.ticker or "").lower() for e in subjects}
    story = [
        _clean(t) for t in terms
        if len(_clean(t)) > 2 and _clean(t) not in _GENERIC and not is_move_word(_clean(t))
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
        _words(f"{h.title} {h.text}")
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
