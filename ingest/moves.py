"""Reported market moves: "Shares of Nvidia jumped 24% on Thursday" -> a ``Move`` record.

Sentence by sentence, a move word is paired with what moved:

* with a figure: a move verb right before it ("plummeted by more than 7%", "up 3%") or a move
  noun right after it ("a 48% plunge", "1.3% lower");
* without one: a move verb on its own ("shares of Chegg plunged", "the stock tanked"); the
  figure is then taken from later in the same sentence ("..., losing 48% of its value") or
  from the next sentence when it reports the same move ("The stock lost 48% ...").

The subject must be a stock ("shares", "stock price", "market value") of a company from the
article's entities, a company acting as the subject with a figure or a trading cue ("Intel
jumps 6%", "Nvidia soared in early trading"), or a market index ("the S&P 500 fell 1%",
``kind="index"``). Fundamentals ("revenue rose 10%"), groups ("AI stocks rallied"), speculation
("could fall") and dollar amounts without a market-value context are not moves. Precision
over recall: an unclear subject gives no record. A move whose date neither the sentence nor
the article gives has ``refers_to=None``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime
from functools import lru_cache
from itertools import pairwise

from index.entities import EntityResolver, TickerTable
from index.records import Entity, Move
from index.text import split_sentences
from ingest import move_words as w
from ingest.move_clause import MASK, Candidate, Context, Hit, Orphan
from ingest.move_dates import MoveDates
from ingest.move_mentions import mention_hits

__all__ = ["EXTRACTOR_VERSION", "article_move_text", "extract_moves"]

EXTRACTOR_VERSION = 22
"""Bump whenever entity or move extraction changes what it finds: an ingest into an index
built by another version re-extracts every stored article (no re-embedding)."""


def article_move_text(title: str, text: str) -> str:
    """The text moves are read from: the headline as its own paragraph (feeds state most
    moves there: "Chegg shares drop more than 40% after ..."), then the body."""
    title = " ".join(title.split())
    if not title or " ".join(text[: len(title) + 50].split()).startswith(title):
        return text
    return f"{title}\n{text}"

def _figure_candidates(flat: str) -> list[Candidate]:
    """Every figure with a move word right before it, else right after it."""
    out = []
    for mag in w.MAG_RE.finditer(flat):
        before = w.VERB_BEFORE.search(flat, max(0, mag.start() - 60), mag.start())
        if before is not None:
            verb = before["verb"]
            out.append(Candidate(verb, w.direction_of(verb), before.start("verb"),
                                  before.start("verb"), mag.end(), mag, before["qual"]))
        after = w.NOUN_AFTER.match(flat, mag.end())
        if after is not None:
            qual = w.QUAL_BEFORE.search(flat, max(0, mag.start() - 20), mag.start())
            start = qual.start() if qual else mag.start()
            verb = after["verb"]
            out.append(Candidate(verb, w.direction_of(verb), after.start("verb"), start,
                                  after.end(), mag, qual and qual["qual"]))
    return out


def _word_candidates(flat: str, figures: list[Candidate]) -> list[Candidate]:
    """Move verbs that are not already the verb of a figure."""
    taken = {c.verb_start for c in figures}
    found = [*w.WORD_VERB.finditer(flat), *w.HEADLINE_VERB.finditer(flat)]
    nouns = [m for m in w.NOUN_MOVE.finditer(flat)
             if not any(m.start() <= t < m.end() for t in taken)]  # "got a 5% boost": a figure's
    taken |= {m.start("verb") for m in nouns}
    out = [
        Candidate(m["verb"], w.direction_of(m["verb"]), m.start(), m.start(), m.end())
        for m in sorted(found, key=lambda m: m.start())
        if m.start() not in taken
    ]
    out += [
        Candidate(m["verb"], w.NOUN_MOVE_DIRECTION.get(m["verb"].lower())
                  or w.direction_of(m["verb"]), m.start(), m.start(), m.end())
        for m in nouns
    ]
    out += [  # "Shares of Best Buy were down as ..."
        Candidate(m["verb"], w.direction_of(m["verb"]), m.start("verb"), m.start("verb"),
                  m.end("verb"))
        for m in w.COPULA_MOVE.finditer(flat)
        if m.start("verb") not in taken
    ]
    out += [  # "hits a new all-time high", "sank to a 52-week low"
        Candidate(m["verb"], w.record_direction(m["verb"]),
                  m.start(), m.start(), m.end())
        for m in w.RECORD_MOVE.finditer(flat)
        if m.start() not in taken and not w.RECORD_NOT_STOCK.match(flat, m.end())
    ]
    return sorted(out, key=lambda c: c.verb_start)


@lru_cache(maxsize=1)
def _default_resolver() -> EntityResolver:
    return EntityResolver(TickerTable.load())


def extract_moves(
    text: str,
    entities: list[Entity],
    published: datetime | None,
    *,
    resolver: EntityResolver | None = None,
) -> list[Move]:
    """Market moves ``text`` reports for the companies in ``entities`` and for market indexes.

    ``published`` dates relative expressions ("last Friday"); without it a move gets the date
    its sentence states, else None. ``resolver`` locates the mentions (default: the packaged
    table, loaded once).
    """
    if not w.PREFILTER.search(text):
        return []
    indexes = [
        Hit(m.start(), m.end(), None, w.index_name(m))
        for m in (w.INDEX_NAMES.finditer(text) if any(k in text for k in w.INDEX_KEYS) else ())
    ]
    if not entities and not indexes:
        return []
    companies = mention_hits(text, entities, resolver or _default_resolver()) if entities else []
    companies = [h for h in companies if not any(_overlap(h, i) for i in indexes)]
    hits = sorted([*companies, *indexes], key=lambda h: h.start)
    # A paragraph can only report a move with a move word and a company, an index or a
    # stock noun in it (sentence splitting, the slow part, is left for those).
    spots = [m.start() for m in w.PREFILTER.finditer(text)]
    anchors = [h.start for h in hits] + [m.start() for m in w.STOCK.finditer(text)]
    dates = MoveDates(text, published.date() if published else None)
    moves: list[Move] = []
    previous: list[Move] = []  # the previous sentence's moves without a figure
    for sentence, prev_hits, local, first in _sentences(text, spots, anchors, hits):
        if first:
            previous = []
        found = []
        for move in _sentence_moves(sentence, local, prev_hits, dates):
            earlier = next((p for p in previous if _same(p, move)), None)
            if move.magnitude is not None and earlier is not None:
                moves.remove(earlier)  # "Shares of Chegg plunged. The stock lost 48% ..."
                move = _merge(earlier, move)
            found.append(move)
        moves.extend(found)
        previous = [m for m in found if m.magnitude is None]
    return _dedupe(moves)


def _overlap(a: Hit, b: Hit) -> bool:
    return a.start < b.end and b.start < a.end


def _same(a: Move, b: Move) -> bool:
    return (a.kind, a.ticker or a.company, a.direction) == (b.kind, b.ticker or b.company,
                                                           b.direction)


def _merge(words: Move, figure: Move) -> Move:
    dated = words if words.date_stated or figure.refers_to is None else figure
    return figure.model_copy(update={
        "sentence": f"{words.sentence} {figure.sentence}",
        "refers_to": dated.refers_to, "date_stated": dated.date_stated,
    })  # fmt: skip


def _dedupe(moves: list[Move]) -> list[Move]:
    """Exact repeats go; so does a move without a figure that a figured one of the same
    company, direction and day reports."""
    figured = {(m.kind, m.ticker or m.company, m.direction, m.refers_to)
               for m in moves if m.magnitude is not None}  # fmt: skip
    out: list[Move] = []
    seen: set[tuple] = set()
    for m in moves:
        key = (m.kind, m.ticker or m.company, m.direction, m.magnitude, m.unit, m.metric,
               m.refers_to)  # fmt: skip
        if key in seen:
            continue
        if m.magnitude is None and (*key[:3], m.refers_to) in figured:
            continue
        seen.add(key)
        out.append(m)
    return out


_ROUGH = re.compile(r"(?<=[.!?])[\"”’)]*\s+(?=[\"“(]*[A-Z0-9$])")
"""Cheap sentence ends: only used to pick the stretches that syntok then splits exactly."""


def _sentences(
    text: str, spots: list[int], anchors: list[int], hits: list[Hit]
) -> Iterator[tuple[str, list[Hit], list[Hit], bool]]:
    """(sentence, previous sentence's hits, its hits, first of its stretch) around every
    rough sentence holding both a move word and an anchor (a company, an index, a stock
    noun), with one rough sentence of context either side. Sentence splitting is the slow
    part, so the rest of the text is never split."""
    para_start = 0
    for paragraph in text.split("\n"):
        para_end = para_start + len(paragraph)
        if any(para_start <= spot < para_end for spot in spots) and any(
            para_start <= anchor < para_end for anchor in anchors
        ):
            for lo, hi in _stretches(paragraph, para_start, spots, anchors):
                yield from _split(text, lo, hi, hits)
        para_start = para_end + 1


def _stretches(
    paragraph: str, offset: int, spots: list[int], anchors: list[int]
) -> list[tuple[int, int]]:
    """Text ranges (absolute) to split: relevant rough sentences and their neighbours."""
    cuts = [0, *(m.end() for m in _ROUGH.finditer(paragraph)), len(paragraph)]
    pieces = [(offset + a, offset + b) for a, b in pairwise(cuts)]
    wanted = [
        n for n, (a, b) in enumerate(pieces)
        if any(a <= s < b for s in spots) and any(a <= x < b for x in anchors)
    ]  # fmt: skip
    ranges: list[tuple[int, int]] = []
    for n in wanted:
        lo, hi = max(0, n - 1), min(len(pieces) - 1, n + 1)
        if ranges and pieces[lo][0] <= ranges[-1][1]:
            ranges[-1] = (ranges[-1][0], pieces[hi][1])
        else:
            ranges.append((pieces[lo][0], pieces[hi][1]))
    return ranges


def _split(
    text: str, lo: int, hi: int, hits: list[Hit]
) -> Iterator[tuple[str, list[Hit], list[Hit], bool]]:
    prev_hits: list[Hit] = []
    pos = lo
    first = True
    for sentence in split_sentences(text[lo:hi]):
        start = text.find(sentence, pos)
        pos = start + len(sentence)
        local = [
            Hit(h.start - start, h.end - start, h.entity, h.index)
            for h in hits
            if start <= h.start and h.end <= pos
        ]
        yield sentence, prev_hits, local, first
        prev_hits, first = local, False


def _sentence_moves(
    sentence: str, hits: list[Hit], prev_hits: list[Hit], dates: MoveDates
) -> list[Move]:
    masked = list(sentence)
    for h in hits:
        masked[h.start : h.end] = MASK * (h.end - h.start)
    flat = "".join(masked)
    ctx = Context(sentence, flat, hits, prev_hits, dates)
    figures = _figure_candidates(flat)
    used: set[int] = set()
    out: list[Move] = []
    orphans: list[Orphan] = []
    for candidate in figures:
        assert candidate.mag is not None
        if candidate.mag.start() in used:
            continue
        result = ctx.analyse_all(candidate)
        if isinstance(result, list):
            used.add(candidate.mag.start())
            out += result
        elif isinstance(result, Orphan):
            orphans.append(result)
    for candidate in _word_candidates(flat, figures):
        listed = ctx.analyse_all(candidate)
        if not isinstance(listed, list):
            continue
        for orphan in orphans:
            mag = orphan.candidate.mag
            assert mag is not None
            if (orphan.candidate.direction == listed[0].direction and mag.start() > candidate.end
                    and mag.start() not in used):  # fmt: skip
                used.add(mag.start())
                listed = [m.model_copy(update=orphan.figure) for m in listed]
                break
        out += [m for m in listed if not any(_same(o, m) for o in out)]
    for found in w.MOVE_IN_SHARES_OF.finditer(flat):  # "a steep drop in shares of █, █ ..."
        out += [m for m in ctx.moves_after(found) if not any(_same(o, m) for o in out)]
    for found in w.MARKET_MOVED_BY.finditer(flat):  # "indexes were boosted by ... █ and █"
        out += [m for m in ctx.moves_by(found) if not any(_same(o, m) for o in out)]
    return out


