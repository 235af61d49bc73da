"""Which watches a new article matches.

A watch matches an article when

- *ticker* watch: the article reports a move of that ticker (the ``moves`` table), or the
  company (any name form the ticker table knows, what the user typed, or the ticker itself when
  it is not an ordinary word) is named in the title or the first paragraph;
- *company* watch (private companies): a reported move of that company, or its name in the
  title or first paragraph;
- *topic* watch: the phrase, word for word (case and accents ignored), in the title or the first
  paragraph.

Matching is by whole words: each watch's phrases are indexed by their first word, and each
article's words are scanned once, so the cost grows with the articles' words, not with the
number of watches. One :class:`Match` per (article, channel) however many of the channel's
watches match it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from bot.state import Watch
from index.records import Move
from index.text import fold
from index.tickers import TickerTable, is_common

_WORDS = re.compile(r"\w+")
LEAD_CHARS = 1000  # the first paragraph, at most this many characters

Phrase = tuple[str, ...]


def words(text: str) -> list[str]:
    """Folded words of ``text`` (what phrases are matched on)."""
    return _WORDS.findall(fold(text))


def first_paragraph(text: str) -> str:
    """The text up to its first blank line (at most ``LEAD_CHARS`` characters)."""
    text = text.strip()
    cut = text.find("\n\n")
    return (text if cut < 0 else text[:cut])[:LEAD_CHARS]


@dataclass(frozen=True)
class NewArticle:
    """An article a new generation added. ``key`` is what "already sent" is checked by: the
    original's id for a syndicated copy, else its own id."""

    id: str
    key: str
    title: str
    url: str | None
    outlet: str | None
    published: datetime | None
    first_seen: datetime
    lead: str
    moves: tuple[Move, ...] = ()
    words: tuple[str, ...] = field(default=(), compare=False)

    @classmethod
    def build(cls, *, id: str, key: str, title: str, url: str | None, outlet: str | None,
              published: datetime | None, first_seen: datetime, text: str,
              moves: Sequence[Move] = ()) -> NewArticle:
        lead = first_paragraph(text)
        return cls(id=id, key=key, title=title, url=url, outlet=outlet, published=published,
                   first_seen=first_seen, lead=lead, moves=tuple(moves),
                   words=tuple(words(f"{title}\n{lead}")))


@dataclass(frozen=True)
class Match:
    """An article for one channel: the watches it matched, the move to show (the watched
    company's, else the article's first), and the ticker to quote (or None)."""

    article: NewArticle
    channel_id: int
    watches: tuple[Watch, ...]
    move: Move | None
    ticker: str | None

    @property
    def labels(self) -> list[str]:
        return [w.label for w in self.watches]


class NameBook:
    """Every name form of every company in the ticker table, as folded word tuples, by ticker
    and by folded company name. Built once (it walks the whole table), then shared."""

    def __init__(self, table: TickerTable) -> None:
        self.by_ticker: dict[str, set[Phrase]] = {}
        self.by_company: dict[str, set[Phrase]] = {}
        for entries in table.names.values():
            for entry in entries:
                company = entry.company
                if company is None or entry.check == "strict":  # an ordinary word
                    continue
                form = tuple(words(entry.form))
                if not form:
                    continue
                if company.ticker:
                    self.by_ticker.setdefault(company.ticker.upper(), set()).add(form)
                self.by_company.setdefault(fold(company.name), set()).add(form)

    def phrases(self, watch: Watch) -> set[Phrase]:
        """What a watch looks for in titles and first paragraphs."""
        typed = tuple(words(watch.label))
        if watch.kind == "topic":
            return {typed} if typed else set()
        found = set(self.by_ticker.get(watch.key, ()) if watch.kind == "ticker"
                    else self.by_company.get(watch.key, ()))
        if watch.kind == "company":
            found.add(tuple(words(watch.key)))
        if typed and not (len(typed) == 1 and (len(typed[0]) < 3 or is_common(typed[0]))):
            found.add(typed)  # "nvda" typed as a name; never a lone ordinary word ("on")
        if watch.kind == "ticker" and len(watch.key) >= 3 and not is_common(watch.key):
            found.add((watch.key.lower(),))  # $NVDA, (NASDAQ: NVDA)
        return {p for p in found if p}


class Matcher:
    """The enabled watches, indexed for matching many articles."""

    def __init__(self, watches: Iterable[Watch], book: NameBook) -> None:
        self.watches = [w for w in watches if w.enabled]
        self._first: dict[str, list[tuple[Phrase, Watch]]] = {}
        self._tickers: dict[str, list[Watch]] = {}
        self._companies: dict[str, list[Watch]] = {}
        for watch in self.watches:
            for phrase in book.phrases(watch):
                self._first.setdefault(phrase[0], []).append((phrase, watch))
            if watch.kind == "ticker":
                self._tickers.setdefault(watch.key, []).append(watch)
            elif watch.kind == "company":
                self._companies.setdefault(watch.key, []).append(watch)

    def match(self, article: NewArticle) -> list[Match]:
        """One match per channel with a watch the article matches (channel order stable)."""
        hits: dict[int, tuple[Watch, Move | None]] = {}
        for move in article.moves:
            if move.kind != "company":
                continue
            found = self._tickers.get((move.ticker or "").upper(), [])
            found = found + self._companies.get(fold(move.company), [])
            for watch in found:
                if watch.id not in hits or hits[watch.id][1] is None:
                    hits[watch.id] = (watch, move)
        tokens = article.words
        for i, token in enumerate(tokens):
            for phrase, watch in self._first.get(token, ()):
                if watch.id not in hits and tokens[i:i + len(phrase)] == phrase:
                    hits[watch.id] = (watch, None)
        if not hits:
            return []
        channels: dict[int, list[tuple[Watch, Move | None]]] = {}
        for hit in sorted(hits.values(), key=lambda h: h[0].id):
            channels.setdefault(hit[0].channel_id, []).append(hit)
        return [self._one(article, channel, found) for channel, found in channels.items()]

    @staticmethod
    def _one(article: NewArticle, channel: int,
             found: list[tuple[Watch, Move | None]]) -> Match:
        move: Move | None = next((m for _, m in found if m is not None), None)
        ticker = move.ticker if move is not None and move.ticker else next(
            (w.key for w, _ in found if w.kind == "ticker"), None)
        if move is None and all(w.kind == "topic" for w, _ in found):
            move = next((m for m in article.moves if m.kind == "company"), None)
            ticker = move.ticker if move is not None else None
        return Match(article, channel, tuple(w for w, _ in found), move, ticker)
