"""Intent and move direction of a question, by word patterns.

Move words, slang and winner/loser cues all come from ``index.lexicon`` (the same words the
move extractor and the keyword search read); misspelt ones ("tankd", "plumetted",
"benifited", "loosers") are fixed first by ``index.typos``. Order of precedence:

1. ``losers``/``winners`` for a group question: "who" (before any "why") followed in its
   clause by a move or cue word ("who lost from Sora", "who else ripped", "who came out
   ahead", "who got burned", "who took a beating"), "which/what [...] stocks/companies ...
   fell/rose", or a group noun ("biggest losers", "top gainers", "winners of"); its
   direction is that of the first move or cue word after the cue. "who else" alone takes
   the direction of the whole question;
2. ``why_moved``: "why", "what moved", "how come", "what tanked" with a move word, a market
   word, or a listed company in a short or "what moved" question ("why did $NVDA jump?",
   "why did nvda rip"); a long "why" question about a company without a move ("why did
   Beijing ban Micron memory?") is left to the later rules;
3. ``how_much``: "how much/many/big/bad/hard/far", "by how much", "what %" with a move
   word ("how much did nvda drop", "how hard did X dump", "how big was the drop", "what %
   did X lose", "how much did nvda add in market cap");
4. ``losers``/``winners`` for other cues, whichever comes first ("hurt by", "lose out",
   "benefit from", "profit from");
5. ``why_moved`` again for a listed company with a move or reaction word ("did nvda tank
   after the guidance?", "how did Chegg stock react?", "Baidu's share price drop");
6. ``price``: a quote word and a listed company ("$ADBE quote", "price of nvidia");
7. ``why_moved`` for a market move without a company ("did AI stocks drop?", "did chip
   stocks rally on the news that ...");
8. ``what_happened``: "what happened", "news on", "latest on", "tell me about" (then
   ``why_moved`` for "market volatility" words);
9. ``what_happened`` for any other question naming a company, including a company alone
   ("nvidia", "nvda stock?": the answer shows its news and its quote), except advice or
   prediction ("is nvidia a buy?"), which is ``general``;
10. ``general``.
"who won the 2022 World Cup?" is ``winners`` by its wording; with no company and no window
the retrieval finds nothing and the bot says so. The event anchor ("after Sora") is found by
``bot.question.anchor``.
"""

from __future__ import annotations

import re
from itertools import pairwise

from bot.question.anchor import anchor_of
from bot.question.model import Direction, Intent, Question
from index.lexicon import DIRECTIONS, chat_pattern, move_hits
from index.typos import fix_typos

__all__ = ["anchor_of", "classify", "direction_of", "read_moves"]

Hit = tuple[int, int, Direction]

_WHY = re.compile(
    r"\bwhy\b|\bhow come\b|\bwhat(?:'s|s| is| was)?\s+(?:moved|moving|drove|driving|caused|"
    r"causing|behind|sent|pushed|pushing|made|lifted|boosted)\b"
    r"|\breasons?\s+(?:for|behind|why)\b|\bwhat\s+(?:made|makes)\b|\bwhat\s+gives\b"
    r"|\b(?:the\s+)?(?:catalyst|reason)\s*[?.!]*\s*$"
)
_WHAT_MOVED = re.compile(r"\bwhat(?:'s| is| was)?\s+$")
"""Right before a move word: "what tanked chegg" (a cause), "what ripped today" (a list)."""
_LIST_AFTER = re.compile(
    r"\s*(?:$|[?.,!]|(?:on|in|ahead|after|before|when|during|this|last|today|yesterday|most|"
    r"hardest|the\s+most|big|hard)\b)")
"""After "what <move word>", what makes it ask for the movers, not the cause ("what bled on
nov 21 ahead of nvda's print" is a list; "what tanked chegg" a cause)."""
MARKET_WORDS = re.compile(
    r"\b(?:stocks?|shares?|market|markets|nasdaq|s&p|dow|index|sector|valuations?|semis|"
    r"semiconductors?|chipmakers?|megacaps?|mega-caps?|faang|mag(?:nificent)?\s*(?:7|seven))\b(?!-)"
)
"""Words that make a question about markets (lower-case text)."""
_MOVE = re.compile(r"\bmove[sd]?\b|\bswings?\b|\bvolatil(?:e|ity)\b")
_WHO = re.compile(r"\bwho(?:'s|\s+else)?\b|\b(?:any(?:one|body)|what|which)\s+else\b")
_WHO_ELSE = re.compile(r"\b(?:who|any(?:one|body)|what|which)\s+else\b")
_GROUP = re.compile(
    r"\b(?:which|what)\s+(?:[\w'-]+\s+){0,3}(?:stocks?|companies|company|shares|names?|"
    r"tickers?|sectors?|firms?|industries|businesses|players|rivals|peers|competitors|makers?|"
    r"chipmakers?|suppliers|startups|semis?|megacaps?|mega-caps?|banks?|cos?)\b"
)
_GROUP_NOUN = re.compile(
    r"\b(?P<down>losers?|decliners|fallers|victims?|casualt(?:y|ies))\b"
    r"|\b(?P<up>winners?|gainers|beneficiar(?:y|ies))\b"
    r"|\b(?:biggest|top|largest|worst|best)\s+(?:(?P<d2>drops?|declines?|loss(?:es)?|"
    r"fallers|decliners)|(?P<u2>gains?|jumps?|risers|performers))\b"
)
_CLAUSE_END = re.compile(r"[?!;.]|\b(?:why|and\s+why|but|because)\b")
_HOW_MUCH = re.compile(
    r"\bhow\s+(?:much|many|big|large|bad|badly|hard|far|steep|deep|sharp(?:ly)?|severe)\b"
    r"|\bby\s+how\s+(?:much|many)\b|\bwhat\s*(?:%|percent(?:age)?|pct)"
    r"|\bhow\s+many\s+(?:%|percent|points|billion|dollars)"
)
_WEAK_LOSERS = re.compile(
    r"\b(?:hurt|hit|threatened|disrupted|crushed|hammered|endangered)\s+by\b"
    r"|\blos(?:e|es|t|ing)\s+out\b|\bsuffer(?:s|ed)?\s+from\b"
)
_WEAK_WINNERS = re.compile(
    r"\bbenefit(?:s|ed|ted|ing|ting)?\s+(?:from|most)\b|\bprofit(?:s|ed|ing)?\s+from\b"
    r"|\bstands?\s+to\s+(?:gain|benefit)\b|\bwho(?:'s| is)\s+winning\b"
)
_PRICE = re.compile(
    r"\b(?:quotes?|price|prices|trading at|trade at|trades at|market cap|market value|chart|"
    r"last close|closed at|worth now|where (?:is|are) \S+ trading|how much (?:is|are) \S+"
    r"(?: stock| shares?)?\s*(?:trading|worth|going for|now|today|\?|$))"
)
_HAPPENED = re.compile(
    r"\bwhat(?:'s| is| was| has)?\s+happen(?:ed|ing|s)?\b|\bnews\b|\bheadlines?\b|"
    r"\bwhat(?:'s| is)\s+(?:going on|up|new)\b|\blatest\s+(?:on|about|with|from|for|in)\b"
    r"|\bany\s+(?:updates?|news)\b|\bupdates?\s+on\b|\btell me about\b|\bstory\b"
    r"|\bwhat did .+ (?:announce|say|do|release|launch|report)\b"
)
_ADVICE = re.compile(
    r"\b(?:should (?:i|we|you)|is (?:it|\S+) a (?:good )?(?:buy|sell)|a good (?:buy|investment)"
    r"|buy or sell|worth buying|invest in|price target|predict(?:ion)?s?|forecast|"
    r"will \S+ (?:go|hit|reach|recover|trade|be worth|be at|close))\b"
)
_REACT = re.compile(
    r"\bhow (?:did|do|does|is|are|has|have|were|was)\b.*?\b(?:react(?:ed)?|respond(?:ed)?|"
    r"trade[sd]?|trading|do|doing|did|perform(?:ed|ing)?|fare[sd]?|move[sd]?)\b"
    r"|\b(?:stock|shares?|market)\s+(?:reaction|move|moves)\b"
    r"|\b(?:did|does|do|will)\s+(?:[\w$'.&-]+\s+){1,3}move\b"
    r"|\b(?:stock|stocks|shares?|price)\s+mov(?:e|es|ed|ing)\b"
    r"|\bwhat did .*\b(?:stock|shares?|share price|stock price) do\b"
)


def read_moves(text: str) -> tuple[str, list[Hit]]:
    """``text`` lower-cased with move-word typos fixed, and its move words by position."""
    low = fix_typos(text.replace("’", "'"))
    return low, move_hits(low)


def _direction(hits: list[Hit]) -> Direction | None:
    found = {d for _, _, d in hits}
    return found.pop() if len(found) == 1 else None


def direction_of(text: str) -> Direction | None:
    """``up``/``down`` from move words; None when there are none or both."""
    return _direction(read_moves(text)[1])


def _first_after(low: str, hits: list[Hit], pos: int) -> Direction | None:
    """Direction of the first move word after ``pos`` in the same clause."""
    end = _CLAUSE_END.search(low, pos)
    limit = end.start() if end else len(low)
    for start, _, direction in hits:
        if pos <= start < limit:
            return direction
    return None


def _group(low: str, hits: list[Hit], why_at: int) -> Intent | None:
    """``winners``/``losers`` for a "who", "which stocks" or "biggest losers" question."""
    cues: list[tuple[int, Direction | None]] = []
    for m in _WHO.finditer(low):
        if m.start() < why_at:
            direction = _first_after(low, hits, m.end())
            if direction is None and _WHO_ELSE.match(low, m.start()):
                direction = _direction(hits)
            cues.append((m.start(), direction))
    for m in _GROUP.finditer(low):
        cues.append((m.start(), _first_after(low, hits, m.end())))
    for m in _GROUP_NOUN.finditer(low):
        cues.append((m.start(), "down" if m["down"] or m["d2"] else "up"))
    for _, direction in sorted(cues, key=lambda c: c[0]):
        if direction is not None:
            return "losers" if direction == "down" else "winners"
    return None


_CONTRACTION = re.compile(r"\b(how|what|why|where|when|who)['’]d\b", re.IGNORECASE)
"""Chat's "how'd it trade", "what'd it do": did."""


def _either(low: str, hits: list[Hit]) -> bool:
    """ "pump or dump?", "up or down": a move asked about, its direction open."""
    return any(a[2] != b[2] and low[a[1] : b[0]].strip() == "or" for a, b in pairwise(hits))


def is_chat(question: Question) -> bool:
    """A question naming no company, market word or move ("best pizza in nyc", "did the knicks
    win", "who won the super bowl"): about the news only if the news holds what it names."""
    low = question.text.lower()
    return (question.intent in ("general", "what_happened", "winners", "losers")
            and not question.entities and not question.excluded
            and not MARKET_WORDS.search(low)
            and not any(chat_pattern(d).search(low) for d in DIRECTIONS))


def classify(text: str, has_company: bool, has_ticker: bool, alone: bool) -> Intent:
    """The intent of a question (dates already blanked out of ``text``).

    ``has_ticker``: a listed company is named (a private one has no stock to move or quote);
    ``alone``: the question is only company names and filler words.
    """
    low, hits = read_moves(_CONTRACTION.sub(r"\1 did", text))
    moved = _direction(hits) is not None or _either(low, hits)
    market = MARKET_WORDS.search(low) is not None
    why = _WHY.search(low)
    what, what_end = next(((d, end) for start, end, d in hits
                           if _WHAT_MOVED.search(low, 0, start)), (None, 0))
    group = _group(low, hits, why.start() if why else len(low))
    if group is not None:
        return group
    if why and (
        moved or market or (has_ticker and (why.group() != "why" or len(low.split()) <= 6))
    ):
        return "why_moved"
    if what is not None:  # "what tanked chegg?" asks a cause, "what ripped today?" a list
        cause = has_ticker and not _LIST_AFTER.match(low, what_end)  # not "what bled on nov 21"
        return "why_moved" if cause else "losers" if what == "down" else "winners"
    if hits and _HOW_MUCH.search(low):
        return "how_much"
    losers, winners = _WEAK_LOSERS.search(low), _WEAK_WINNERS.search(low)
    if losers and (not winners or losers.start() <= winners.start()):
        return "losers"
    if winners:
        return "winners"
    if has_ticker and (moved or _REACT.search(low)):
        return "why_moved"
    # "what will nvda trade at in 2030" is a forecast, which neither a quote nor news answers
    if has_ticker and _PRICE.search(low) and not _ADVICE.search(low):
        return "price"
    if market and moved:  # "did ai stocks rally on the news that ...": a move, not news
        return "why_moved"
    if _HAPPENED.search(low):
        return "what_happened"
    if market and _MOVE.search(low):
        return "why_moved"
    if has_company and (alone or not _ADVICE.search(low)):
        return "what_happened"
    return "general"
