"""Reported market moves: "Shares of Nvidia jumped 24% on Thursday" -> a ``Move`` record.

Sentence by sentence: a move verb (or "up/down", "X% lower", "a 7% drop") paired with the
magnitude right after it, a subject that is a stock ("shares", "stock price", "market value")
or a company acting as the subject ("Intel jumps 6%"), and a company from the article's
entities. Fundamentals ("revenue rose 10%"), indexes ("the S&P 500 fell 1%") and dollar
amounts without a market-value context ("Reality Labs lost $4 billion") are not moves.
Precision over recall: an unclear subject gives no record.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Literal

from index.entities import EntityResolver, TickerTable
from index.records import Entity, Move
from index.text import split_sentences

__all__ = ["extract_moves"]

log = logging.getLogger(__name__)

_QUALIFIERS = {
    "more than": "more than", "over": "over", "just over": "over", "above": "over",
    "nearly": "nearly", "close to": "nearly", "almost": "almost", "about": "about",
    "around": "about", "roughly": "about", "approximately": "about", "some": "about",
    "an estimated": "about", "up to": "up to", "as much as": "up to", "at least": "at least",
    "less than": "less than", "under": "less than", "just under": "less than",
}  # fmt: skip
_QUAL = "|".join(sorted((re.escape(q) for q in _QUALIFIERS), key=len, reverse=True))
_DOWN = (
    "fell falls fall falling dropped drops drop dropping plunged plunges plunge plunging "
    "plummeted plummets plummet plummeting slid slides slide sliding sank sinks sink sinking "
    "sunk tumbled tumbles tumble tumbling declined declines decline declining lost loses lose "
    "losing shed sheds shedding evaporated evaporates slumped slumps slump slumping tanked "
    "tanks tank dipped dips dip dived dove dives retreated crashed crashes cratered craters "
    "sagged wiped erased down lower"
).split()
_UP = (
    "rose rises rise rising risen jumped jumps jump jumping surged surges surge surging soared "
    "soars soar soaring gained gains gain gaining climbed climbs climb climbing rallied rallies "
    "rally rallying added adds spiked spikes leapt leaped leaps leap popped pops rocketed "
    "skyrocketed skyrockets advanced advances rebounded rebounds up higher"
).split()
Direction = Literal["up", "down"]
_NOUNS: dict[str, Direction] = {
    "plunge": "down", "drop": "down", "fall": "down", "decline": "down", "slide": "down",
    "slump": "down", "dip": "down", "loss": "down", "selloff": "down", "sell-off": "down",
    "jump": "up", "surge": "up", "rise": "up", "gain": "up", "rally": "up", "climb": "up",
    "increase": "up", "spike": "up", "pop": "up",
}  # fmt: skip
_DIRECTION: dict[str, Direction] = {
    **{v: "down" for v in _DOWN}, **{v: "up" for v in _UP}, **_NOUNS
}  # fmt: skip
_MAG = (
    r"(?P<mag>(?:US)?\$\s?(?P<num>\d+(?:,\d{3})*(?:\.\d+)?)\s*(?P<scale>trillion|billion|million"
    r"|tn|bn|mn|m|b|k)?\b(?:\s+(?:US\s+)?dollars)?|(?P<pnum>\d+(?:\.\d+)?)\s?(?:%|percent\b"
    r"|per cent\b)|(?P<dnum>\d+(?:\.\d+)?)\s+(?P<dscale>trillion|billion|million)\s+(?:US\s+)?"
    r"dollars)"
)
_MAG_RE = re.compile(_MAG, re.IGNORECASE)
_PREFILTER = re.compile(r"%|\$|percent|per cent|dollars")
# Looked for right before a magnitude ("fell by more than " 7%) or right after it (7% "drop").
_VERB_BEFORE = re.compile(
    rf"\b(?P<verb>{'|'.join(_UP + _DOWN)})(?:\s+(?:sharply|further|another|steeply|a further|"
    rf"an additional))?(?:\s+by)?(?:\s+(?P<qual>{_QUAL}))?\s*$",
    re.IGNORECASE,
)
_QUAL_BEFORE = re.compile(rf"\b(?P<qual>{_QUAL})\s+$", re.IGNORECASE)
_NOUN_AFTER = re.compile(rf"\s+(?P<verb>higher|lower|{'|'.join(_NOUNS)})\b", re.IGNORECASE)
_SCALE = {
    "trillion": 1e12, "tn": 1e12, "billion": 1e9, "bn": 1e9, "b": 1e9, "million": 1e6,
    "mn": 1e6, "m": 1e6, "k": 1e3,
}  # fmt: skip
_BOUNDARY = re.compile(
    r"[,;:()\[\]—–]|\b(?:and|but|while|whereas|as|after|before|when|since|because|which|who|"
    r"though|although|following|whereby|then)\b",
    re.IGNORECASE,
)
_STOCK = re.compile(
    r"\b(?:shares?|stock|stock price|share price|ADRs?|market (?:value|cap\w*|valuation)|"
    r"valuation)\b",
    re.IGNORECASE,
)
_MARKET_VALUE = re.compile(
    r"\bmarket[- ](?:value|cap\w*|valuation)\b|\bwiped\b.{0,40}\boff\b", re.IGNORECASE
)
_FUNDAMENTAL = re.compile(
    r"\b(?:revenues?|sales|profits?|earnings|income|margins?|users|subscribers|shipments|"
    r"traffic|spending|deliveries|orders|bookings|guidance|cash|costs?|expenses|headcount|"
    r"staff|workforce|employees|jobs|EPS|dividends?|prices|volumes?|output|production|demand|"
    r"funding|net worth|fortune|wealth|losses|holdings|investments?)\b",
    re.IGNORECASE,
)
_INDEX = re.compile(
    r"S&P|\b(?:Nasdaq|NYSE)\b(?![- ]listed)|\bDow\b|\bindex\b|\bindices\b|\bindexes\b|"
    r"\bComposite\b|\bRussell\b|\bNikkei\b|Hang Seng|\bKOSPI\b|\bFTSE\b|\bStoxx\b|\bDAX\b|"
    r"\bbenchmark\b|\bsector\b|"
    r"\bstocks\b|\bmarkets?\b(?![- ](?:value|cap|valuation))",
    re.IGNORECASE,
)
_AFTER_BAD = re.compile(
    r"\s*(?:of\s+(?!(?:its|their|the)\s+(?:market\s+)?(?:value|cap))|market share|share\b|"
    r"stake|in\s+(?:\w+\s+)?(?:revenue|sales|profit|earnings|income|users|shipments)|"
    r"year[- ](?:over|on)[- ]year|from a year|compared)",
    re.IGNORECASE,
)
_FILLER = re.compile(
    r"^(?:\s|['’]s\b|\b(?:Inc|Corp|Co|Ltd|plc|also|has|had|have|was|were|is|briefly|initially|"
    r"then|now|itself|too|it)\b|[.,])*$",
    re.IGNORECASE,
)
_IN_SHARES = re.compile(r"\s*in\s+(?:its\s+|the\s+)?(?:shares|stock)\b", re.IGNORECASE)
_OWNER_BEFORE_STOCK = re.compile(r"([A-Z][\w.&-]*)(?:['’]s)?\s*$")
_OWNER_OK = {
    "The", "Its", "Their", "US", "U.S.", "U.S", "Another", "Company", "Hong", "Kong", "Inc",
    "Inc.", "Corp", "Corp.", "Co", "Co.", "Ltd", "Ltd.", "Plc", "PLC", "Group", "Holdings",
}  # fmt: skip
_SHARES_OF_OTHER = re.compile(r"\b(?:shares?|stock)\s+(?:of|in)\s+(?!█)", re.IGNORECASE)
_PRONOUN_START = re.compile(
    r"^(?:It|Its|The stock|The shares|Shares|Its shares|The company['’]s (?:stock|shares))\b"
)


_MASK = "█"
"""Company mentions are blanked out with this (non-word) character before clause analysis."""


@dataclass(frozen=True, slots=True)
class _Hit:
    start: int
    end: int
    entity: Entity


@dataclass(frozen=True, slots=True)
class _Candidate:
    """A move word and its magnitude: "plummeted by more than 7%" or "a 48% plunge"."""

    verb: str
    qualifier: str | None
    mag: re.Match[str]
    subject_end: int  # where the text naming what moved ends
    end: int  # end of the phrase


def _candidates(flat: str) -> list[_Candidate]:
    """Every magnitude with a move word right before it, else right after it."""
    out = []
    for mag in _MAG_RE.finditer(flat):
        before = _VERB_BEFORE.search(flat, max(0, mag.start() - 60), mag.start())
        if before is not None:
            out.append(
                _Candidate(before["verb"], before["qual"], mag, before.start("verb"), mag.end())
            )
        after = _NOUN_AFTER.match(flat, mag.end())
        if after is not None:
            qual = _QUAL_BEFORE.search(flat, max(0, mag.start() - 20), mag.start())
            start = qual.start() if qual else mag.start()
            out.append(_Candidate(after["verb"], qual and qual["qual"], mag, start, after.end()))
    return out


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
    """Market moves ``text`` reports for the companies in ``entities`` (listed or foreign).

    ``published`` dates relative expressions ("last Friday"); without it only moves with an
    explicit dated year are kept. ``resolver`` locates the mentions (default: the packaged
    table, loaded once).
    """
    if not entities or not _PREFILTER.search(text):
        return []
    spots = [c.mag.start() for c in _candidates(text)]
    if not spots:
        return []
    hits = _hits(text, entities, resolver or _default_resolver())
    dates = _Dates(text, published.date() if published else None)
    moves: list[Move] = []
    seen: set[tuple] = set()
    for sentence, prev_hits, local in _sentences(text, spots, hits):
        for move in _sentence_moves(sentence, local, prev_hits, dates):
            key = (move.ticker or move.company, move.direction, move.magnitude, move.unit,
                   move.metric, move.refers_to)  # fmt: skip
            if key not in seen:
                seen.add(key)
                moves.append(move)
    return moves


def _sentences(
    text: str, spots: list[int], hits: list[_Hit]
) -> Iterator[tuple[str, list[_Hit], list[_Hit]]]:
    """(sentence, previous sentence's hits, its hits) for the paragraphs holding a
    candidate move; sentence splitting is the slow part, so other paragraphs are skipped."""
    para_start = 0
    for paragraph in text.split("\n"):
        para_end = para_start + len(paragraph)
        if any(para_start <= spot < para_end for spot in spots):
            prev_hits: list[_Hit] = []
            pos = para_start
            for sentence in split_sentences(paragraph):
                start = text.find(sentence, pos)
                pos = start + len(sentence)
                local = [
                    _Hit(h.start - start, h.end - start, h.entity)
                    for h in hits
                    if start <= h.start and h.end <= pos
                ]
                yield sentence, prev_hits, local
                prev_hits = local
        para_start = para_end + 1


def _hits(text: str, entities: list[Entity], resolver: EntityResolver) -> list[_Hit]:
    """Where the given entities are mentioned (resolver spans, else their literal names)."""
    by_key = {(e.ticker or e.name): e for e in entities}
    hits = []
    found: set[str] = set()
    for m in resolver.find_mentions(text):
        entity = by_key.get(m.company.ticker or m.company.name)
        if entity is not None:
            hits.append(_Hit(m.start, m.end, entity))
            found.add(entity.ticker or entity.name)
    for key, entity in by_key.items():
        if key in found:
            continue
        for found_name in re.finditer(rf"(?<![\w$]){re.escape(entity.name)}(?!\w)", text):
            hits.append(_Hit(found_name.start(), found_name.end(), entity))
    hits.sort(key=lambda h: h.start)
    return hits


def _sentence_moves(
    sentence: str, hits: list[_Hit], prev_hits: list[_Hit], dates: _Dates
) -> list[Move]:
    masked = list(sentence)
    for h in hits:
        masked[h.start : h.end] = _MASK * (h.end - h.start)
    flat = "".join(masked)
    used: set[int] = set()
    out = []
    for candidate in _candidates(flat):
        if candidate.mag.start() in used:
            continue
        move = _move(candidate, sentence, flat, hits, prev_hits, dates)
        if move is not None:
            used.add(candidate.mag.start())
            out.append(move)
    return out


def _move(
    candidate: _Candidate, sentence: str, flat: str, hits: list[_Hit], prev_hits: list[_Hit],
    dates: _Dates,
) -> Move | None:  # fmt: skip
    direction = _DIRECTION[candidate.verb.lower()]
    magnitude, unit = _magnitude(candidate.mag)
    subject_end, end, start = candidate.subject_end, candidate.end, candidate.mag.start()
    if magnitude <= 0 or (unit == "%" and direction == "down" and magnitude > 100):
        return None
    if _AFTER_BAD.match(flat, end):
        return None
    clause_start = max((b.end() for b in _BOUNDARY.finditer(flat, 0, subject_end)), default=0)
    clause_end = next((b.start() for b in _BOUNDARY.finditer(flat, end)), len(flat))
    window, after = flat[clause_start:subject_end], flat[end:clause_end]
    if _FUNDAMENTAL.search(window) or _INDEX.search(window):
        return None
    stock = bool(_STOCK.search(window) or _IN_SHARES.match(after))
    tail = flat[min(subject_end, start) : clause_end]
    market_value = bool(_MARKET_VALUE.search(window) or _MARKET_VALUE.search(tail))
    if unit == "USD" and not market_value:
        if not (stock and magnitude >= 1e6):
            return None  # "$4 billion" lost by a division is not a move
        market_value = True  # "Alphabet stock loses $100 billion"
    entity = _subject(window, clause_start, subject_end, stock, flat, hits, prev_hits, sentence)
    if entity is None or entity.kind == "private":
        return None
    qualifier = candidate.qualifier
    refers_to, stated = dates.resolve(sentence, clause_start, clause_end)
    if refers_to is None:
        log.debug("move without a date skipped: %s", sentence)
        return None
    return Move(
        company=entity.name, ticker=entity.ticker, direction=direction, magnitude=magnitude,
        unit=unit, qualifier=_QUALIFIERS[qualifier.lower()] if qualifier else None,
        metric="market_value" if market_value or unit == "USD" else "price",
        refers_to=refers_to, date_stated=stated, sentence=sentence,
    )  # fmt: skip


def _magnitude(match: re.Match[str]) -> tuple[float, Literal["%", "USD"]]:
    if match.group("pnum"):
        return float(match.group("pnum")), "%"
    if match.group("dnum"):
        return float(match.group("dnum")) * _SCALE[match.group("dscale").lower()], "USD"
    scale = _SCALE.get((match.group("scale") or "").lower(), 1.0)
    return float(match.group("num").replace(",", "")) * scale, "USD"


def _subject(
    window: str, clause_start: int, subject_end: int, stock: bool, flat: str,
    hits: list[_Hit], prev_hits: list[_Hit], sentence: str,
) -> Entity | None:  # fmt: skip
    """The company whose stock moved, or None when the sentence does not say it clearly."""
    if stock:
        found = _STOCK.search(window)
        if found is not None:
            owner = _OWNER_BEFORE_STOCK.search(window[: found.start()])
            if owner and owner.group(1) not in _OWNER_OK:
                return None  # "Ocado's shares": a company we do not know
        if _SHARES_OF_OTHER.search(window):
            return None  # "shares of its rivals"
    inside = [h for h in hits if clause_start <= h.start and h.end <= subject_end]
    if len({h.entity.name for h in inside}) > 1:
        return None  # "Apple, Microsoft and Nvidia have collectively jumped"
    if inside:
        last = inside[-1]
        if stock or _FILLER.match(flat[last.end : subject_end]):
            return last.entity
        return None
    if not stock:
        return None
    before = [h for h in hits if h.end <= clause_start]
    if before:
        return before[-1].entity
    if not hits and _PRONOUN_START.match(sentence) and len({h.entity.name for h in prev_hits}) == 1:
        return prev_hits[-1].entity
    return None


_WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
_MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
_DATE = re.compile(
    r"\b(?P<pre>last|this past|since)?\s*\b(?P<wd>Monday|Tuesday|Wednesday|Thursday|Friday|"
    r"Saturday|Sunday)\b(?!s)"
    r"|\b(?P<mon>Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|"
    r"Sept?(?:ember)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\b\.?\s+"
    r"(?P<day>\d{1,2})(?:st|nd|rd|th)?\b(?:,?\s+(?P<year>\d{4}))?"
    r"|\b(?P<rel>yesterday|today)\b"
    r"|\b(?:[Tt]he|[Aa]) day after (?P<event>[A-Z][\w.-]*)(?:['’]s)?\s+"
    r"(?:announcement|launch|release|debut|unveiling)"
)
_RELEASED = re.compile(r"\b(?:released|announced|launched|unveiled|introduced|debuted)\b")


class _Dates:
    """Resolves "last Friday", "on Feb. 16", "yesterday" against the article's date."""

    def __init__(self, text: str, published: date | None) -> None:
        self.text = text
        self.published = published

    def resolve(self, sentence: str, start: int, end: int) -> tuple[date | None, bool]:
        """(date, stated): from the move's clause ``sentence[start:end]``, else from the text
        before it, else the article's date."""
        clause_start, clause_end = start, end
        for m in _DATE.finditer(sentence, clause_start):
            if m.start() >= clause_end:
                break
            if (value := self._value(m)) is not None:
                return value, True
        for m in reversed(list(_DATE.finditer(sentence, 0, clause_start))):
            if (value := self._value(m)) is not None:
                return value, True
        return self.published, False

    def _value(self, m: re.Match[str]) -> date | None:
        ref = self.published
        if m.group("wd"):
            if ref is None or m.group("pre") == "since":
                return None
            back = (ref.weekday() - _WEEKDAYS.index(m.group("wd").lower())) % 7
            if m.group("pre") and back == 0:
                back = 7  # "last Friday" said on a Friday
            return ref - timedelta(days=back)
        if m.group("mon"):
            return self._month_day(m)
        if m.group("rel"):
            if ref is None:
                return None
            return ref - timedelta(days=1 if m.group("rel") == "yesterday" else 0)
        return self._event(m.group("event"))

    def _month_day(self, m: re.Match[str]) -> date | None:
        month, day = _MONTHS.index(m.group("mon").lower()[:3]) + 1, int(m.group("day"))
        ref = self.published
        if m.group("year"):
            return _date(int(m.group("year")), month, day)
        if ref is None:
            return None
        value = _date(ref.year, month, day)
        if value is not None and value > ref + timedelta(days=2):
            return _date(ref.year - 1, month, day)  # "on Dec. 28" in a January article
        return value

    def _event(self, name: str) -> date | None:
        """For "the day after Sora's announcement": the day after the date given for Sora."""
        for sentence in split_sentences(self.text):
            if name in sentence and _RELEASED.search(sentence):
                for m in _DATE.finditer(sentence):
                    if m.group("mon") and (value := self._month_day(m)) is not None:
                        return value + timedelta(days=1)
        return None


def _date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None
