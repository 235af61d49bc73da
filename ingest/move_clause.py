"""One clause of a sentence: what a move word reports, and about which stock or index.

Used by ``ingest/moves.py``: a candidate (a move word, with or without its figure) becomes a
``Move``, an orphan figure whose clause names no subject ("..., losing 48% of its value"), or
nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Literal

from index.lexicon import Direction
from index.records import Entity, Move
from ingest import move_words as w
from ingest.move_dates import MoveDates

MASK = "█"
"""Company and index mentions are blanked out with this (non-word) character."""


@dataclass(frozen=True, slots=True)
class Hit:
    start: int
    end: int
    entity: Entity | None
    index: str | None = None


@dataclass(frozen=True, slots=True)
class Candidate:
    """A move word, with its figure when it has one: "plummeted by more than 7%", "a 48%
    plunge", "tanked"."""

    verb: str
    direction: Direction
    verb_start: int
    subject_end: int  # where the text naming what moved ends
    end: int  # end of the phrase
    mag: re.Match[str] | None = None
    qualifier: str | None = None


@dataclass(frozen=True, slots=True)
class Orphan:
    """A figure whose clause names no subject ("..., losing 48% of its value")."""

    candidate: Candidate
    figure: dict[str, object]


class Context:
    """One sentence, its masked form and mentions: decides what a candidate reports."""

    def __init__(
        self, sentence: str, flat: str, hits: list[Hit], prev_hits: list[Hit],
        dates: MoveDates,
    ) -> None:  # fmt: skip
        self.sentence, self.flat, self.dates = sentence, flat, dates
        self.hits = [h for h in hits if h.entity is not None]
        self.indexes = [h for h in hits if h.index is not None]
        self.prev_hits = [h for h in prev_hits if h.entity is not None]

    def analyse_all(self, c: Candidate) -> list[Move] | Orphan | None:
        """``analyse``, and the same move for each company listed beside the subject:
        "Shares of Nvidia, AMD and Micron rose", "Microsoft and Alphabet both fell 2%"."""
        result = self.analyse(c)
        if not isinstance(result, Move):
            return result
        if result.kind != "company":
            return [result]
        if w.NOT_EACH.search(self.sentence) and len(self._list_before(c.subject_end)) > 1:
            return None  # "Nvidia and AMD jumped 5% and 3% respectively": whose figure?
        return [result.model_copy(update={"company": e.name, "ticker": e.ticker})
                for e in self._listed_with(c, result)] + [result]

    def _listed_with(self, c: Candidate, move: Move) -> list[Entity]:
        """The other companies of a list whose last one is the move's subject, when the list
        is the clause's subject and names stocks (a split or summed figure is refused by
        ``analyse_all``)."""
        chain = self._list_before(c.subject_end)
        if len(chain) < 2 or chain[0].entity is None or chain[0].entity.name != move.company:
            return []
        if c.mag is None and not (w.STOCK.search(self.flat[chain[-1].start : c.end])
                                  or w.SHARES_OF_BEFORE.search(self.flat[: chain[-1].start])):
            return []  # "Microsoft and OpenAI rose to the challenge": no stock named
        others: dict[str, Entity] = {}
        for hit in chain[1:]:
            entity = hit.entity
            if entity is not None and entity.kind != "private" and entity.name != move.company:
                others.setdefault(entity.name, entity)
        return list(reversed(others.values()))

    def _list_before(self, end: int) -> list[Hit]:
        """The mentions of a list ending at the last mention before ``end``, last first
        ("Nvidia, AMD and Micron" -> Micron, AMD, Nvidia); one mention when there is no list."""
        before = [h for h in self.hits if h.end <= end]
        chain = before[-1:]
        for hit in reversed(before[:-1]):
            if not w.LIST_JOINER.match(self.flat[hit.end : chain[-1].start]):
                break
            chain.append(hit)
        return chain

    def analyse(self, c: Candidate) -> Move | Orphan | None:
        flat = self.flat
        magnitude: float | None = None
        unit: Literal["%", "USD"] | None = None
        if c.mag is not None:
            magnitude, unit = _magnitude(c.mag)
            if magnitude <= 0 or (unit == "%" and c.direction == "down" and magnitude > 100):
                return None
        elif not (
            w.WEAK_FOLLOWER if c.verb.lower() in w.WEAK_VERBS
            and not w.STOCK_BEFORE.search(flat, 0, c.verb_start) else w.WORD_FOLLOWER
        ).match(flat, c.end) and not w.RECORD_MOVE.match(flat, c.verb_start):
            # "Intel fell behind", "Microsoft added Copilot"; but "Microsoft stock is gaining
            # after ..." (a record has its own check: RECORD_NOT_STOCK)
            return None
        if w.AFTER_BAD.match(flat, c.end):
            return None
        relative = w.OPEN_RELATIVE.search(flat, 0, c.subject_end)
        if relative is not None and not w.STOCK.search(flat, relative.end(), c.subject_end):
            # "Shares of TSMC, which makes Nvidia's chips climbed 2%": the subject is before
            c = replace(c, subject_end=relative.start())
        clause_start = max(
            (b.end() for b in w.BOUNDARY.finditer(flat, 0, c.subject_end)
             if not (b.group().lower() == "and" and w.AND_OTHERS.match(flat, b.end()))),
            default=0,
        )  # "Shares of Best Buy and other retailers were down": one subject
        clause_end = next((b.start() for b in w.BOUNDARY.finditer(flat, c.end)), len(flat))
        window = flat[clause_start : c.subject_end]
        # what moved is named after the last company before the verb ("Nvidia's revenue
        # rose"); a figure said before that company ("reported revenue of $69.8bn ...
        # Alphabet stocks rose") is another thing
        named = max((h.start for h in self.hits if clause_start <= h.start < c.subject_end),
                    default=clause_start)
        if (w.MODAL_BEFORE.search(window) or w.FUNDAMENTAL.search(flat, named, c.subject_end)
                or w.FUNDAMENTAL_OF.search(flat, clause_start, named)):  # "revenue at Nvidia"
            return None
        figure: dict[str, object] = {
            "magnitude": magnitude, "unit": unit,
            "qualifier": w.QUALIFIERS[c.qualifier.lower()] if c.qualifier else None,
        }  # fmt: skip
        inside = [h for h in self.indexes if clause_start <= h.start and h.end <= c.subject_end]
        if inside:
            return self._index_move(c, inside[-1], clause_start, clause_end, figure)
        if w.INDEX_WORDS.search(window):
            return None
        stock = bool(w.STOCK.search(window) or w.IN_SHARES.match(flat[c.end : clause_end])
                     or w.STOCK.search(flat, c.verb_start, c.end)  # "got a share price boost"
                     or w.RECORD_MOVE.match(flat, c.verb_start))  # a record high is a price
        if not stock and not w.NOT_EACH.search(self.sentence):
            listed = self._list_before(c.subject_end)  # "Shares of Nvidia, AMD and Micron rose"
            stock = len(listed) > 1 and bool(w.SHARES_OF_BEFORE.search(flat[: listed[-1].start]))
        tail = flat[min(c.subject_end, c.mag.start() if c.mag else c.end) : clause_end]
        market_value = bool(w.MARKET_VALUE.search(window) or w.MARKET_VALUE.search(tail))
        if unit == "USD" and not market_value:
            if not (stock and magnitude is not None and magnitude >= 1e6):
                return None  # "$4 billion" lost by a division is not a move
            market_value = True  # "Alphabet stock loses $100 billion"
        figure["metric"] = "market_value" if market_value else "price"
        entity = self._subject(window, clause_start, c.subject_end, stock)
        if entity is not None and w.RECORD_MOVE.match(flat, c.verb_start) and not (
            w.STOCK.search(window) or self._right_before(c.subject_end)
        ):
            return None  # "Apple's MacBook Air drops to an all-time low": a product's price
        if entity is None:
            if c.mag is not None and not stock and not re.search(r"[A-Z█]", window):
                return Orphan(c, figure)
            return None
        if entity.kind == "private":
            return None
        if c.mag is None and not stock and not w.TRADING_CUE.search(flat, c.end):
            return None  # "Microsoft gained ground in cloud": not clearly its stock
        refers_to, stated = self.dates.resolve(self.sentence, clause_start, clause_end)
        return Move(
            company=entity.name, ticker=entity.ticker, direction=c.direction,
            refers_to=refers_to, date_stated=stated, sentence=self.sentence,
            **figure,
        )  # fmt: skip

    def moves_after(self, found: re.Match[str]) -> list[Move]:
        """ "A steep drop in shares of Alphabet, Amazon.com and other technology companies
        dragged ...": the move (``w.MOVE_IN_SHARES_OF``) of each company listed after it."""
        mag = found["mag"]
        magnitude = float(re.sub(r"[^\d.]", "", mag)) if mag else None
        return self._listed_moves(found, w.direction_of(found["verb"]), magnitude)

    def moves_by(self, found: re.Match[str]) -> list[Move]:
        """ "Indexes were boosted by ... companies such as Microsoft and Nvidia": the move
        (``w.MARKET_MOVED_BY``) of each company listed after "by", when what moved is the
        market: words for it, or an index by name."""
        direction = w.moved_by_direction(found)
        if direction is None:
            return []
        if found.group().startswith(MASK) and not any(
            h.end == found.start() + 1 for h in self.indexes
        ):
            return []  # "Nvidia was boosted by ...": a company, not the market
        return self._listed_moves(found, direction, None)

    def _listed_moves(
        self, found: re.Match[str], direction: Direction, magnitude: float | None
    ) -> list[Move]:
        if w.NOT_EACH.search(self.sentence):
            return []
        chain: list[Hit] = []
        pos = found.end()
        for hit in self.hits:
            if hit.start < pos:
                continue
            if hit.start > pos and not (chain and w.LIST_JOINER.match(self.flat[pos : hit.start])):
                break
            chain.append(hit)
            pos = hit.end
        clause_start = max((b.end() for b in w.BOUNDARY.finditer(self.flat, 0, found.start())),
                           default=0)  # fmt: skip
        clause_end = next((b.start() for b in w.BOUNDARY.finditer(self.flat, pos)),
                          len(self.flat))
        if w.MODAL_BEFORE.search(self.flat, clause_start, found.start()) or w.MODAL.search(
            self.flat, pos, clause_end
        ):
            return []  # "could spark a drop in shares of ...", "... is expected"
        refers_to, stated = self.dates.resolve(self.sentence, found.start(), clause_end)
        return [
            Move(company=h.entity.name, ticker=h.entity.ticker, direction=direction,
                 magnitude=magnitude, unit="%" if magnitude is not None else None,
                 metric="price",
                 refers_to=refers_to, date_stated=stated, sentence=self.sentence)
            for h in chain if h.entity is not None and h.entity.kind != "private"
        ]

    def _index_move(
        self, c: Candidate, index: Hit, clause_start: int, clause_end: int,
        figure: dict[str, object],
    ) -> Move | None:  # fmt: skip
        """"The S&P 500 fell 1.3%": only when the index is the subject and nothing else is."""
        between = self.flat[index.end : c.subject_end]
        if figure["unit"] == "USD" or not w.INDEX_FILLER.match(between):
            return None
        if any(clause_start <= h.start and h.end <= c.subject_end for h in self.hits):
            return None
        assert index.index is not None
        refers_to, stated = self.dates.resolve(self.sentence, clause_start, clause_end)
        return Move(
            company=index.index, kind="index", direction=c.direction, metric="price",
            refers_to=refers_to, date_stated=stated, sentence=self.sentence,
            **figure,
        )  # fmt: skip

    def _right_before(self, end: int) -> bool:
        """Is a company named right before ``end`` (filler words aside)?"""
        before = [h for h in self.hits if h.end <= end]
        return bool(before) and bool(w.FILLER.match(self.flat[before[-1].end : end]))

    def _subject(
        self, window: str, clause_start: int, subject_end: int, stock: bool
    ) -> Entity | None:
        """The company whose stock moved, or None when the sentence does not say it clearly."""
        hits, flat = self.hits, self.flat
        if stock:
            found = w.STOCK.search(window)
            if found is not None:
                owner = w.OWNER_BEFORE_STOCK.search(window[: found.start()])
                if owner and owner.group(1) not in w.OWNER_OK:
                    return None  # "Ocado's shares": a company we do not know
            if w.SHARES_OF_OTHER.search(window):
                return None  # "shares of its rivals"
        inside = [h for h in hits if clause_start <= h.start and h.end <= subject_end]
        if len({h.entity.name for h in inside if h.entity}) > 1:
            return None  # "Apple, Microsoft and Nvidia have collectively jumped"
        if inside:
            last = inside[-1]
            if stock or w.FILLER.match(flat[last.end : subject_end]):
                return last.entity
            return None
        if not stock:
            return None
        before = [h for h in hits if h.end <= clause_start]
        if before:
            return before[-1].entity
        prev = self.prev_hits
        if not hits and w.PRONOUN_START.match(self.sentence) and len(
            {h.entity.name for h in prev if h.entity}
        ) == 1:
            return prev[-1].entity
        return None


def _magnitude(match: re.Match[str]) -> tuple[float, Literal["%", "USD"]]:
    if match.group("pnum"):
        return float(match.group("pnum")), "%"
    if match.group("dnum"):
        return float(match.group("dnum")) * w.SCALE[match.group("dscale").lower()], "USD"
    scale = w.SCALE.get((match.group("scale") or "").lower(), 1.0)
    return float(match.group("num").replace(",", "")) * scale, "USD"
