"""The event a question is anchored on, found in the index.

"who lost after the bard demo": search the event's words, keep the articles that name its
rarest word, and take the earliest of them as the event's first day; the moves reported in
those articles and in the days after it are the candidates for winners and losers. What the
question names that the news does not hold is in ``bot.news_terms``.
"""

from __future__ import annotations

from datetime import date, timedelta

from bot.answer.evidence import Event
from bot.news_terms import GENERIC, is_move_word, words_of
from bot.question.model import WORD
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
def distinctive(phrase: str, reader: IndexReader) -> list[str]:
    """The phrase's content words, rarest in the index first (move and filler words out)."""
    words = [
        w for w in dict.fromkeys(WORD.findall(fold(phrase)))
        if len(w) > 2 and w not in GENERIC and not is_move_word(w)
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
    named = {h.article_id: [w for w in wanted if w in words_of(f"{h.title} {h.text}")]
             for h in hits}
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
    return bool(event.words) and event.words[0] in words_of(text)
