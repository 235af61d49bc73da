"""Intent, move direction and event anchor of a question, by word patterns.

Order of precedence:

1. ``why_moved``: "why", "what moved", "how come" with a move word, a market word, or a
   listed company in a short or "what moved" question ("why did $NVDA jump?", "what moved
   Chegg"); a long "why" question about a company without a move ("why did Beijing ban
   Micron memory?") is left to the later rules;
2. ``losers``/``winners``: whichever cue comes first ("who lost from", "biggest losers",
   "which stocks fell", "who benefits from", "winners of");
3. ``why_moved`` again for a listed company with a move or reaction word ("did nvda
   crash?", "how did Chegg stock react?", "Baidu's share price drop");
4. ``price``: a quote word and a listed company ("$ADBE quote", "price of nvidia");
5. ``what_happened``: "what happened", "news on", "latest on", "tell me about";
6. ``why_moved`` for a market move without a company ("did AI stocks drop?");
7. ``what_happened`` for any other question naming a company, including a company alone
   ("nvidia", "nvda stock?": the answer shows its news and its quote), except advice or
   prediction ("is nvidia a buy?"), which is ``general``;
8. ``general``.
"who won the 2022 World Cup?" is ``winners`` by its wording; with no company and no window
the retrieval finds nothing and the bot says so.
"""

from __future__ import annotations

import re

from bot.question.model import Direction, Intent

__all__ = ["anchor_of", "classify", "direction_of"]

_UP = (
    r"jump(?:s|ed|ing)?|surg(?:e|es|ed|ing)|soar(?:s|ed|ing)?|rall(?:y|ies|ied|ying)|"
    r"ris(?:e|es|en|ing)|rose|gain(?:s|ed|ing)?|climb(?:s|ed|ing)?|spik(?:e|es|ed|ing)|"
    r"pop(?:s|ped|ping)?|(?:sky)?rocket(?:s|ed|ing)?|moon(?:s|ed|ing)?|rebound(?:s|ed|ing)?|"
    r"higher|outperform(?:s|ed|ing)?|win|wins|won|winning|winners?|benefit(?:s|ed|ted|ing)?|"
    r"beneficiar(?:y|ies)|gainers?|bullish|profit(?:s|ed)?\s+from"
)
_DOWN = (
    r"drop(?:s|ped|ping)?|crash(?:es|ed|ing)?|lose|loses|lost|losing|losers?|fall(?:s|en|ing)?|"
    r"fell|plung(?:e|es|ed|ing)|tank(?:s|ed|ing)?|sink(?:s|ing)?|sank|sunk|slid(?:e|es|ing)?|"
    r"tumbl(?:e|es|ed|ing)|declin(?:e|es|ed|ing)|dip(?:s|ped|ping)?|slump(?:s|ed|ing)?|"
    r"plummet(?:s|ed|ing)?|collaps(?:e|es|ed|ing)|crater(?:s|ed|ing)?|lower|bearish|"
    r"sell-?off|sold\s+off|dump(?:s|ed|ing)?|underperform(?:s|ed|ing)?|hurt|suffer(?:s|ed)?|"
    r"decliners|fallers|hammered|crushed|hit\s+hard"
)
UP_RE = re.compile(rf"\b(?:{_UP})\b")
DOWN_RE = re.compile(rf"\b(?:{_DOWN})\b")
# "up"/"down" count after a verb or subject, or before a figure or the end: "is adobe down",
# "shares down 7%", "why is nvda up today"; not "what's up with", "set up", "down to".
_BARE = re.compile(
    r"\b(?:is|are|was|were|been|be|go|goes|went|going|gone|trading|traded|stock|stocks|shares|"
    r"it|they|so|much|way|closed|close|ended|opened|finished|moved|move|still)\s+(?P<a>up|down)\b"
    r"|\b(?P<b>up|down)\s+(?:\d|today|so|this|after|since|on|big|much|hard|sharply|again|"
    r"yesterday|over)"
    r"|\b(?P<c>up|down)\s*[?!.]*\s*$"
)
_WHY = re.compile(
    r"\bwhy\b|\bhow come\b|\bwhat(?:'s| is| was)?\s+(?:moved|moving|drove|driving|caused|"
    r"causing|behind|sent|pushed|pushing|made|lifted|sank|tanked|hit|boosted)\b"
    r"|\breasons?\s+(?:for|behind|why)\b|\bwhat\s+(?:made|makes)\b"
)
_MARKET = re.compile(
    r"\b(?:stocks?|shares?|market|markets|nasdaq|s&p|dow|index|sector|valuations?|rally|"
    r"sell-?off|crash)\b(?!-)"
)
_MOVE = re.compile(r"\bmove[sd]?\b|\bswings?\b|\bvolatil(?:e|ity)\b")
_LOSERS = re.compile(
    r"\blosers?\b|\bwho\s+(?:lost|loses|lose|will lose|is losing|are losing|got|gets|was|were|"
    r"is|are)?\s*(?:hurt|hit|crushed|hammered|lost|losing)\b|\bwho\s+suffer(?:s|ed)?\b"
    r"|\b(?:hurt|hit|threatened|disrupted|crushed|hammered|endangered)\s+by\b"
    r"|\b(?:decliners|fallers|victims?|casualt(?:y|ies))\b|\blos(?:e|es|t|ing)\s+out\b"
    r"|\bbiggest\s+(?:drops?|declines?|loss(?:es)?)\b"
    rf"|\b(?:which|what)\s+(?:[\w'-]+\s+){{0,3}}(?:stocks?|companies|company|shares|names|tickers|"
    rf"sectors?|firms?|industries|businesses|players|rivals|peers|competitors|makers?|"
    rf"chipmakers|suppliers|startups)\b.*?\b(?:{_DOWN}|(?:went|are|were|is)\s+down)\b"
)
_WINNERS = re.compile(
    r"\bwinners?\b|\bwho\s+(?:won|wins|win|will win|is winning|are winning|gained|gains|gain|"
    r"benefit(?:s|ed|ted)?|will benefit|profit(?:s|ed)?|stands? to (?:gain|benefit))\b"
    r"|\bbenefit(?:s|ed|ted|ing)?\s+(?:from|most)\b|\bbeneficiar(?:y|ies)\b"
    r"|\b(?:biggest\s+)?gainers\b|\bwho(?:'s| is)\s+winning\b|\bprofit(?:s|ed)?\s+from\b"
    rf"|\b(?:which|what)\s+(?:[\w'-]+\s+){{0,3}}(?:stocks?|companies|company|shares|names|tickers|"
    rf"sectors?|firms?|industries|businesses|players|rivals|peers|competitors|makers?|"
    rf"chipmakers|suppliers|startups)\b.*?\b(?:{_UP}|(?:went|are|were|is)\s+up)\b"
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
    r"will \S+ (?:go|hit|reach|recover))\b"
)
_REACT = re.compile(
    r"\bhow (?:did|do|does|is|are|has|have|were|was)\b.*?\b(?:react(?:ed)?|respond(?:ed)?|"
    r"trade[sd]?|trading|do|doing|did|perform(?:ed|ing)?|fare[sd]?|move[sd]?)\b"
    r"|\b(?:stock|shares?|market)\s+(?:reaction|move|moves)\b"
    r"|\b(?:did|does|do|will)\s+(?:[\w$'.&-]+\s+){1,3}move\b"
    r"|\b(?:stock|stocks|shares?|price)\s+mov(?:e|es|ed|ing)\b"
    r"|\bwhat did .*\b(?:stock|shares?|share price|stock price) do\b"
)
_ANCHOR_START = re.compile(
    r"\b(?:after|following|since|post|amid|because of|due to|thanks to|"
    r"(?:benefit(?:s|ed|ted|ing)?|lose|loses|lost|losing|gain(?:s|ed)?|profit(?:s|ed)?|"
    r"suffer(?:s|ed)?|hurt|win|wins|won|losers?|winners?|beneficiaries|victims?|"
    r"casualties)\s+(?:from|of)|"
    r"(?:hurt|hit|disrupted|threatened|affected|impacted|crushed|hammered|boosted|lifted)\s+by)"
    r"\s+",
    re.IGNORECASE,
)
_ANCHOR_STOP = re.compile(
    r"[?!,;:()\[\]]|\.(?:\s|$)|\b(?:why|when|which|who|what|how|where|but|so|because|while|"
    r"whereas|and why|and how)\b",
    re.IGNORECASE,
)
_ANCHOR_DROP = re.compile(r"^(?:(?:the|a|an|this|that|its|their|his|her)\s+)+", re.IGNORECASE)
_NOT_ANCHOR = {"it", "that", "this", "then", "them", "those", "these", "there", "now", "all"}


def _lower(text: str) -> str:
    return text.lower().replace("’", "'")


def direction_of(text: str) -> Direction | None:
    """``up``/``down`` from move words; None when there are none or both."""
    low = _lower(text)
    bare = {m["a"] or m["b"] or m["c"] for m in _BARE.finditer(low)}
    up = bool(UP_RE.search(low)) or "up" in bare
    down = bool(DOWN_RE.search(low)) or "down" in bare
    if up == down:
        return None
    return "up" if up else "down"


def classify(text: str, has_company: bool, has_ticker: bool, alone: bool) -> Intent:
    """The intent of a question (dates already blanked out of ``text``).

    ``has_ticker``: a listed company is named (a private one has no stock to move or quote);
    ``alone``: the question is only company names and filler words.
    """
    low = _lower(text)
    moved = direction_of(text) is not None
    market = _MARKET.search(low) is not None
    why = _WHY.search(low)
    if why and (
        moved or market or (has_ticker and (why.group() != "why" or len(low.split()) <= 6))
    ):
        return "why_moved"
    losers, winners = _LOSERS.search(low), _WINNERS.search(low)
    if losers and (not winners or losers.start() <= winners.start()):
        return "losers"
    if winners:
        return "winners"
    if has_ticker and (moved or _REACT.search(low)):
        return "why_moved"
    if has_ticker and _PRICE.search(low):
        return "price"
    if _HAPPENED.search(low):
        return "what_happened"
    if market and (moved or _MOVE.search(low)):
        return "why_moved"
    if has_company and (alone or not _ADVICE.search(low)):
        return "what_happened"
    return "general"


def anchor_of(text: str, masked: list[tuple[int, int]]) -> str | None:
    """The event a question is relative to ("after the Bard demo" -> "Bard demo").

    ``masked`` are spans already read as dates: "after May 2023" is a window, not an anchor.
    """
    for m in _ANCHOR_START.finditer(text):
        start = m.end()
        if any(s <= start < e for s, e in masked):
            continue
        end = len(text)
        stop = _ANCHOR_STOP.search(text, start)
        if stop is not None:
            end = stop.start()
        for s, _ in masked:
            if start < s < end:
                end = s
        phrase = _ANCHOR_DROP.sub("", text[start:end].strip())
        words = phrase.split()[:6]
        while words and not any(c.isalnum() for c in words[-1]):
            words.pop()
        phrase = " ".join(words).strip(" .'\"")
        if phrase and phrase.lower() not in _NOT_ANCHOR:
            return phrase
    return None
