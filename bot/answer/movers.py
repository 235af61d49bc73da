"""Which companies an answer lists as movers, and in what order (pure).

Winners and losers are ranked by how strongly and how often the news ties their reported move
to the question: the weight of the article that reports it (a top search hit, an article
about the event, one from the days after it), whether the move's own sentence names the
event or the question's words, and the size of the move. Companies the question excludes
("not counting nvda") and index moves ("the Nasdaq fell 2%") are never listed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot.answer.evidence import Evidence
from bot.answer.sectors import asked_sectors, placed, sentences_of
from bot.answer.sentences import name_forms
from bot.question.model import Question
from index.lexicon import FUNDAMENTAL, move_pattern
from index.reader import SearchHit
from index.records import Move
from index.text import fold, split_sentences

MAX_MOVERS = 6
RELEVANCE_MARGIN = 0.12
"""Moves are taken from passages within this cosine of the best one: far-off articles that
happen to report some move do not make a company a "loser" of the question's event."""
MENTION_HITS = 8
"""Passages searched for companies named beside a move word (no figure, no stock noun)."""
SUBJECT_REACH = 80
"""At most this many characters between a company's name and the move word it is the
subject of."""
_SPEAKS = re.compile(r"\b(?:says?|said|analysts?|upgrad\w*|downgrad\w*|notes?|expects?|"
                     r"thinks?|believes?|predicts?|estimates?)\b")
"""Between a name and a move word, these make the name a speaker, not the mover."""
_OF_FUNDAMENTAL = re.compile(
    rf"\w+\s+(?:\w+\s+)?in\s+(?:[\w-]+\s+){{0,2}}(?:{FUNDAMENTAL.pattern})", re.IGNORECASE)
"""A move word followed by what fell or rose: "a decline in year-over-year revenue"."""
KEEP_SHARE = 0.2
"""Winners/losers scoring below this share of the strongest one are left out."""
_WORD = re.compile(r"[a-z0-9]+")
WHICH = re.compile(r"\b(?:which|who|whose)\b", re.IGNORECASE)
"""A question asking for companies ("which chip stock…", "who else was in that club")."""
WHAT = re.compile(r"\bwhat\b", re.IGNORECASE)
"""In a winners/losers question, "what" asks for companies too ("what media co mooned")."""


@dataclass
class MoverPlan:
    """A company the answer will list, with the moves (article id, move) reported for it and
    the articles that name it in a sentence about a move in the asked direction."""

    name: str
    ticker: str | None
    kind: str
    moves: list[tuple[str, Move]] = field(default_factory=list)
    mentioned_in: list[str] = field(default_factory=list)
    by_article: dict[str, float] = field(default_factory=dict)
    """The strongest tie of this company's moves in each article."""

    @property
    def strength(self) -> float:
        """The best article's tie, plus half of every other article's: strongly and often."""
        ranked = sorted(self.by_article.values(), reverse=True)
        return ranked[0] + 0.5 * sum(ranked[1:]) if ranked else 0.0

    @property
    def key(self) -> str:
        return self.ticker or self.name.casefold()


def wanted_direction(question: Question) -> str | None:
    if question.intent == "losers":
        return "down"
    if question.intent == "winners":
        return "up"
    if question.intent in ("why_moved", "how_much"):
        return question.move_direction
    return None


def _key(ticker: str | None, name: str) -> str:
    return ticker or name.casefold()


def excluded_keys(question: Question) -> set[str]:
    return {_key(e.ticker, e.name) for e in question.excluded}


def relevant_hits(question: Question, evidence: Evidence) -> list[SearchHit]:
    """Hits close enough to the best one (or about the question's event); with an event
    anchor ("after Sora"), those that mention it when any does."""
    if not evidence.covered:
        return []
    floor = evidence.relevance - RELEVANCE_MARGIN
    event_ids = set(evidence.event.article_ids) if evidence.event else set()
    hits = [
        h for h in evidence.hits
        if h.dense is None or h.dense >= floor or h.article_id in event_ids
        or evidence.weights.get(h.article_id, 0.0) >= 0.5
    ]
    if question.anchor and evidence.event is None:
        words = [w for w in re.findall(r"\w+", question.anchor.casefold()) if len(w) > 2]
        anchored = [
            h for h in hits
            if any(w in f"{h.title} {h.text}".casefold() for w in words)
        ]
        hits = anchored or hits
    return hits


def _tie(move: Move, hit: SearchHit, question: Question, evidence: Evidence) -> float:
    """How closely the news ties this move to what was asked."""
    sentence = set(_WORD.findall(fold(move.sentence)))
    event = evidence.event
    if event is not None:
        if event.words and event.words[0] in sentence:
            return 1.6
        if hit.article_id in event.article_ids:
            return 1.2
        return 0.7
    asked = {w for w in question.keywords if len(w) > 2}
    return 1.3 if asked & sentence else 1.0


def _size(move: Move) -> float:
    if move.magnitude is None:
        return 1.0
    if move.unit == "%":
        return 1.0 + min(move.magnitude, 40.0) / 40.0
    return 1.1


def plan_movers(question: Question, evidence: Evidence) -> list[MoverPlan]:
    """The companies a winners/losers/why-moved/how-much/price answer lists, best first."""
    plans: dict[str, MoverPlan] = {}
    named = {_key(e.ticker, e.name): e for e in question.entities}
    skip = excluded_keys(question)
    listing = question.intent in ("losers", "winners")
    if not listing:
        for entity in question.entities:  # the companies asked about, with their quotes
            plan = MoverPlan(entity.name, entity.ticker, entity.kind)
            plans.setdefault(plan.key, plan)
    asks_which = question.intent == "general" and WHICH.search(question.text) is not None
    if question.intent not in ("losers", "winners", "why_moved", "how_much",
                               "what_happened") and not asks_which:
        return list(plans.values())[:MAX_MOVERS]
    direction = wanted_direction(question)
    restrict = not listing and bool(named)
    hits = relevant_hits(question, evidence)
    for hit in hits:
        weight = evidence.weights.get(hit.article_id, 0.3) or 0.3
        for move in evidence.moves.get(hit.article_id, []):
            if move.kind != "company" or (direction is not None and move.direction != direction):
                continue
            key = _key(move.ticker, move.company)
            if key in skip or (restrict and key not in named):
                continue
            kind = "listed" if move.ticker else "private"
            for entity in evidence.entities.get(hit.article_id, []):
                if _key(entity.ticker, entity.name) == key:
                    kind = entity.kind
            if kind == "private":
                continue
            plan = plans.setdefault(key, MoverPlan(move.company, move.ticker, kind))
            if all(m != move for _, m in plan.moves):
                plan.moves.append((hit.article_id, move))
                value = weight * _tie(move, hit, question, evidence) * _size(move)
                plan.by_article[hit.article_id] = max(plan.by_article.get(hit.article_id, 0.0),
                                                      value)
    if listing and direction is not None:
        _add_mentioned(plans, hits, evidence, direction, skip)
    if listing and not plans:  # no reported mover: at least the companies asked about
        for entity in question.entities:
            if entity.ticker and _key(entity.ticker, entity.name) not in skip:
                plans.setdefault(entity.ticker,
                                 MoverPlan(entity.name, entity.ticker, entity.kind))
    if listing and not plans and (WHICH.search(question.text) or WHAT.search(question.text)):
        # "which chip stock joined the $1tn club": the listed companies of the best passage
        # naming one the question does not name itself (of the kind it asks, if it asks one)
        kinds = asked_sectors(question.text)
        for hit in hits[:3]:
            _add_named(plans, [hit], evidence, skip | set(named))
            if kinds:
                told = sentences_of([hit])
                for key in [k for k, p in plans.items() if not placed(_names(p), kinds, told)]:
                    del plans[key]
            if plans:
                break
    elif question.intent in ("what_happened", "general") and WHICH.search(question.text):
        _add_named(plans, hits[:3], evidence, skip)
    for plan in plans.values():
        plan.moves.sort(key=lambda am: (am[1].magnitude is None, -_tie_order(am, evidence)))
    ordered = sorted(
        plans.values(),
        key=lambda p: (p.key not in named, not (p.moves or p.mentioned_in), -p.strength),
    )
    if listing and (kinds := asked_sectors(question.text)):
        # "which chip stocks got lifted": the movers the news places among chip stocks
        sentences = sentences_of(evidence.hits)
        counts = {p.key: placed(_names(p), kinds, sentences, [m.sentence for _, m in p.moves])
                  for p in ordered}
        most = max((n for key, n in counts.items() if key not in named), default=0)
        if most:
            ordered = [p for p in ordered if counts[p.key] == most or p.key in named]
    if listing and ordered:
        best = max(p.strength for p in ordered)
        ordered = [p for p in ordered if p.strength >= KEEP_SHARE * best or p.key in named]
    return ordered[:MAX_MOVERS]


def _names(plan: MoverPlan) -> list[str]:
    """How the news may name a mover: "Alphabet (Google)" as alphabet, google, googl;
    "Meta Platforms" as meta too."""
    names = name_forms(plan.name, plan.ticker)
    words = fold(plan.name.partition(" (")[0]).split()
    if len(words) > 1 and len(words[0]) > 3:
        names.append(words[0])
    return names


def excluded_plans(question: Question, evidence: Evidence) -> list[MoverPlan]:
    """For "who else ripped with nvda": the moves of the companies a winners/losers question
    leaves out, in the asked direction (shown apart, as the context of the others)."""
    if question.intent not in ("losers", "winners") or not question.excluded:
        return []
    own = question.model_copy(update={
        "intent": "how_much", "move_direction": wanted_direction(question),
        "entities": question.excluded, "tickers": question.excluded_tickers,
        "excluded": [], "excluded_tickers": [],
    })
    return [p for p in plan_movers(own, evidence) if p.moves]


def _named_before(folded: str, name: str, ticker: str, moves: list[int]) -> bool:
    """Is the company named shortly before a move word ("ASML and TSMC got a share price
    boost"), as its subject rather than as the analyst quoted later in the sentence?"""
    names = {fold(name.split(" (")[0]), ticker.casefold()}
    for found in re.finditer("|".join(rf"\b{re.escape(n)}\b" for n in names), folded):
        for move in moves:
            gap = folded[found.end() : move]
            after = folded[move : move + SUBJECT_REACH]
            if (move >= found.end() and len(gap) <= SUBJECT_REACH and not _SPEAKS.search(gap)
                    and not FUNDAMENTAL.search(gap) and not _OF_FUNDAMENTAL.match(after)):
                return True
    return False


def _add_named(
    plans: dict[str, MoverPlan], hits: list[SearchHit], evidence: Evidence, skip: set[str]
) -> None:
    """For "which chip stock joined the $1tn club": the listed companies the best passages
    name (the answer to a "which" is a company, shown with its quote)."""
    for hit in hits:
        text = fold(f"{hit.title} {hit.text}")
        for entity in evidence.entities.get(hit.article_id, []):
            if len(plans) >= MAX_MOVERS:
                return
            if not entity.ticker or entity.kind == "private" or entity.ticker in skip:
                continue
            if fold(entity.name.split(" (")[0]) not in text:
                continue
            plan = plans.setdefault(entity.ticker,
                                    MoverPlan(entity.name, entity.ticker, entity.kind))
            if hit.article_id not in plan.mentioned_in:
                plan.mentioned_in.append(hit.article_id)


def _tie_order(item: tuple[str, Move], evidence: Evidence) -> float:
    return evidence.weights.get(item[0], 0.0)


def _add_mentioned(
    plans: dict[str, MoverPlan], hits: list[SearchHit], evidence: Evidence, direction: str,
    skip: set[str],
) -> None:  # fmt: skip
    """Listed companies named in a passage sentence that reports a move in ``direction``
    (the news said they rose or fell in words the move extractor did not read)."""
    pattern = move_pattern("down" if direction == "down" else "up")
    event_ids = set(evidence.event.article_ids) if evidence.event else set()
    chosen = hits[:MENTION_HITS] + [h for h in hits[MENTION_HITS:] if h.article_id in event_ids]
    for hit in chosen:
        for sentence in split_sentences(f"{hit.title}. {hit.text}"):
            folded = fold(sentence)
            moves = [m.start() for m in pattern.finditer(folded)]
            if not moves:
                continue
            for entity in evidence.entities.get(hit.article_id, []):
                if not entity.ticker or entity.kind == "private" or entity.ticker in skip:
                    continue
                if not _named_before(folded, entity.name, entity.ticker, moves):
                    continue
                plan = plans.setdefault(
                    entity.ticker, MoverPlan(entity.name, entity.ticker, entity.kind)
                )
                if hit.article_id not in plan.mentioned_in:
                    plan.mentioned_in.append(hit.article_id)
                    plan.by_article.setdefault(
                        hit.article_id, 0.3 * evidence.weights.get(hit.article_id, 0.3)
                    )
