"""Market-move vocabulary: one home for the words that say a stock went up or down.

Read by the move extractor (``ingest/moves.py``: news wording), the question parser
(``bot/question/intent.py``: chat wording and slang), the keyword search (``index/keyword.py``:
question words expanded to the verbs news uses), the answer's sentence scoring
(``MOVES_UP``/``MOVES_DOWN``) and the typo fixer (``index/typos.py``: ``vocabulary``). Data
first, then a few small functions; nothing here imports ``bot`` or ``ingest``.

* ``NEWS_VERBS``/``NEWS_NOUNS``: how news reports a move ("plunged", "a 7% drop");
* chat words and phrases (``chat_pattern``): "ripped", "mooned", "caught a bid", "went
  parabolic", "got smoked", "took a beating", "sold off", "in the red";
* ``WINNER_CUES``/``LOSER_CUES``: who won or lost ("who came out ahead", "who got burned");
  ``cue_pattern`` is chat words + cues, what gives a question its direction;
* ``BARE_UP_DOWN``: "up"/"down" where they mean a move ("is adobe down", "up 5%");
* ``SEARCH_VERBS``: the news verbs a question's direction adds to its keyword search.

Words are spelled out with their inflections, so a regex built from them matches "tank",
"tanks", "tanked", "tanking" and nothing longer. Words that are also ordinary English in some
company have guards (``_GUARDS``): "think tank", "sunk cost", "crash course", "pop culture",
"rip-off", "got ripped off", "RIP chegg" are no moves.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Literal

Direction = Literal["up", "down"]

# -- news wording: verbs that report a move ("shares jumped", "the stock plunged") ------------

NEWS_VERBS: dict[Direction, tuple[str, ...]] = {
    "up": tuple(
        """rose rises rise rising risen jumped jumps jump jumping surged surges surge surging
        soared soars soar soaring gained gains gain gaining climbed climbs climb climbing rallied
        rallies rally rallying added adds spiked spikes spike spiking leapt leaped leaps leap
        leaping popped pops pop popping rocketed rockets skyrocketed skyrockets skyrocketing
        advanced advances advancing rebounded rebounds rebound rebounding zoomed zooms
        ballooned balloons doubled tripled mooned moons ripped rips boosted lifted
        buoyed""".split()
    ),
    "down": tuple(
        """fell falls fall falling fallen dropped drops drop dropping plunged plunges plunge
        plunging plummeted plummets plummet plummeting slid slides slide sliding sank sinks
        sink sinking sunk tumbled tumbles tumble tumbling declined declines decline declining
        lost loses lose losing shed sheds shedding evaporated evaporates slumped slumps slump
        slumping tanked tanks tank tanking dipped dips dip dipping dived dove dives diving
        retreated retreats crashed crashes crash crashing cratered craters cratering sagged
        sags wiped erased nosedived nosedives slipped slips slipping skidded sputtered
        halved""".split()
    ),
}
"""Inflected verbs as news writes them; "up"/"down"/"higher"/"lower" are handled apart."""

NEWS_NOUNS: dict[str, Direction] = {
    "plunge": "down", "drop": "down", "fall": "down", "decline": "down", "slide": "down",
    "slump": "down", "dip": "down", "loss": "down", "selloff": "down", "sell-off": "down",
    "rout": "down", "crash": "down", "tumble": "down", "nosedive": "down",
    "jump": "up", "surge": "up", "rise": "up", "gain": "up", "rally": "up", "climb": "up",
    "increase": "up", "spike": "up", "pop": "up", "rebound": "up",
}  # fmt: skip
"""Nouns after a figure: "a 7% drop", "a 24% jump"."""

FUNDAMENTAL = re.compile(
    r"\b(?:revenues?|sales|profits?|earnings|income|margins?|users|subscribers|shipments|"
    r"traffic|spending|deliveries|orders|bookings|guidance|cash|costs?|expenses|headcount|"
    r"staff|workforce|employees|jobs|EPS|dividends?|prices|volumes?|output|production|demand|"
    r"funding|net worth|fortune|wealth|losses|holdings|investments?|share of|market share|"
    r"stake|ratings?|rankings?|downloads|visits|usage|adoption|sentiment|interest|yields?|"
    r"rates?|inflation|GDP|bonds?|forecasts?|estimates?|outlook|capex|backlog)\b",
    re.IGNORECASE,
)
"""What a company reports that is not its stock: "Nvidia's revenue rose 20%" is no move."""

# -- chat wording: what people type in a trading channel --------------------------------------

_CHAT_WORDS: dict[Direction, str] = {
    # Single words with their inflections; each is also a target of typo correction.
    "up": """jump jumps jumped jumping surge surges surged surging soar soars soared soaring
        rally rallies rallied rallying rise rises risen rising rose gain gains gained gaining
        climb climbs climbed climbing spike spikes spiked spiking pop pops popped popping
        rocket rockets rocketed rocketing skyrocket skyrockets skyrocketed skyrocketing moon
        moons mooned mooning rebound rebounds rebounded rebounding bounce bounces bounced
        bouncing recovered recovering higher outperform outperforms outperformed
        outperforming bullish rip rips ripped ripping pump pumps pumped pumping leap leaps leapt
        leaped leaping zooms zoomed zooming doubled doubles doubling tripled lifted boosted
        buoyed propelled""",
    "down": """drop drops dropped dropping crash crashes crashed crashing fall falls fallen
        falling fell plunge plunges plunged plunging tank tanks tanked tanking sink sinks
        sinking sank sunk slide slides slid sliding tumble tumbles tumbled tumbling decline
        declines declined declining dip dips dipped dipping slump slumps slumped slumping
        plummet plummets plummeted plummeting collapse collapses collapsed collapsing crater
        craters cratered cratering lower bearish selloff selloffs sell-off sell-offs dump
        dumps dumped dumping underperform underperforms underperformed underperforming puke
        pukes puked puking bled bleed bleeds bleeding rekt wrecked hammered hurt hurts
        hurting suffer suffers suffered suffering slip slips slipped slipping shed sheds
        shedding nosedive nosedives nosedived nosediving lose loses lost losing sagged
        skidded evaporated erased halved bloodbath""",
}
_GUARDS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    # word: (words it may not follow, words it may not precede): "think tank", "sunk cost".
    "tank": (("think", "fish", "gas", "septic", "fuel", "water", "oil", "shark"), ("top", "tops")),
    "tanks": (("think", "fish", "gas", "septic", "fuel", "water", "oil", "shark"), ()),
    "sunk": ((), ("cost", "costs")),
    "crash": ((), ("course", "courses", "test", "tests")),
    "rip": (("^",), ("out", "apart", "up", "into", "through")),  # not "RIP chegg"
    "ripped": (("got", "get", "gets", "getting", "been", "being"), ("jeans", "abs")),
    "pop": ((), ("culture", "star", "stars", "song", "songs", "music", "up", "ups")),
    "drop": ((), ("down", "shipping", "me", "us", "a", "the", "by")),
    "dip": ((), ("into",)), "shed": ((), ("light",)), "hurt": ((), ("feelings",)),
    "rose": ((), ("garden", "gold", "petals")), "fall": ((), ("back", "behind", "for")),
}  # fmt: skip
_RECORD = r"(?:record|all[-\s]time|\d+[-\s](?:day|week|month|year)|multi[-\s]year|new|fresh)"
"""What a chat "high"/"low" is of: "record highs", "a 52-week low", "fresh highs"."""
_CHAT_PHRASES: dict[Direction, tuple[str, ...]] = {
    "up": (
        r"(?:went|goes|go|going|gone)\s+parabolic", r"(?:caught|catch(?:es|ing)?)\s+a\s+bid",
        r"ran\s+up", r"run(?:s|ning)?\s+up", r"shot\s+up", r"took\s+off", r"to\s+the\s+moon",
        r"(?:went|go(?:es)?|going)\s+up", r"short[-\s]squeez(?:e|es|ed|ing)",
        r"(?:went|goes|go|going|gone)\s+vertical",
        r"(?:ran|run|runs|running)\s+(?:hard|big|wild|higher|like\s+crazy|w(?:ith)?\s+it)",
        r"grind(?:s|ed|ing)?\s+(?:higher|up)",
        r"(?:had|has|have|having)\s+(?:a|an|its|their)\s+(?:monster|huge|massive|banner|"
        r"killer|blowout|record|best)\s+(?:day|week|session)",
        r"(?:on|been\s+on|went\s+on)\s+(?:a|an|such\s+a)\s+(?:tear|heater|(?:[\w-]+\s+)?run)",
        r"(?:in\s+the|turned|went|closed|finished|deep\s+in\s+the|is|are|was|were)\s+green",
        r"(?:pushed|pushing|sent|sending|turned|turning)\s+(?:[\w$'.&-]+\s+){1,2}green",
        r"green\s+(?:day|candles?|close)", r"add(?:s|ed|ing)?\s+(?:\$?\d|about|nearly|almost)",
        r"how\s+much\s+(?:did|has|have|had|will|does)\s+(?:[\w$'.&-]+\s+){1,3}add",
        r"(?:got|get|gets|getting|received?)\s+(?:a\s+)?(?:(?:share|stock)\s+price\s+)?"
        r"(?:lift(?:ed)?|boost(?:ed)?|bid)",
        _RECORD + r"[-\s]highs?",
    ),
    "down": (
        r"sold\s+off", r"sell(?:s|ing)?\s+off", r"hit\s+hard", r"hit\s+by",
        r"(?:got|get|gets|getting|gotten)\s+(?:smoked|wrecked|crushed|hammered|rekt|burned|"
        r"burnt|destroyed|killed|slammed|hit|clobbered|obliterated|nuked|dumped|hurt|torched|"
        r"crushed|cut\s+in\s+half|wiped\s+out)",
        r"took\s+(?:a|the)\s+(?:(?:big|bigger|biggest|worst|hardest|largest|huge|major)\s+)?"
        r"(?:beating|hit|bath|dive|nosedive|tumble|haircut|pounding|drubbing)",
        r"\d+(?:\.\d+)?\s*%\s+off\s+(?:its|their|the)\s+(?:highs?|peaks?|top)",
        r"nose-div(?:e|ed|es|ing)", r"(?:went|go(?:es)?|going)\s+down",
        r"wip(?:e|ed|es|ing)\s+out", r"in\s+free-?\s?fall", r"blood\s+bath",
        r"(?:in\s+the|turned|went|closed|finished|deep\s+in\s+the|sea\s+of|is|are|was|were)"
        r"\s+red", r"red\s+(?:day|candles?|close)", r"crushed\s+by",
        r"(?:pushed|pushing|sent|sending|turned|turning)\s+(?:[\w$'.&-]+\s+){1,2}red",
        r"grind(?:s|ed|ing)?\s+(?:lower|down)",
        r"(?:had|has|have|having)\s+(?:a|an|its|their)\s+(?:rough|brutal|terrible|awful|"
        r"horrible|bad|ugly|nasty|tough|worst)\s+(?:day|week|session)",
        _RECORD + r"[-\s]lows?",
    ),
}

WINNER_CUES: tuple[str, ...] = (
    r"win", r"wins", r"won", r"winning", r"winners?", r"gainers?", r"beneficiar(?:y|ies)",
    r"c(?:a|o)me\s+out\s+(?:ahead|on\s+top)", r"benefit(?:s|ed|ted|ing|ting)?",
    r"profit(?:s|ed|ing)?\s+from", r"cash(?:ed|es|ing)?\s+in", r"big\s+win", r"upside",
    r"(?:led|lead|leads|leading)\s+the\s+(?:charge|rally|gains?|market|s&p|nasdaq|index)",
    r"(?:carried|carry|carries|carrying|held\s+up|holds?\s+up|holding\s+up|propped\s+up|"
    r"props?\s+up|propping\s+up)\s+the\s+(?:market|s&p|nasdaq|index|indexes|indices)",
)
LOSER_CUES: tuple[str, ...] = (
    r"losers?", r"decliners?", r"fallers?", r"victims?", r"casualt(?:y|ies)",
    r"(?:got|get|gets)\s+(?:burn(?:ed|t)|hurt|hit|rekt|wrecked|smoked|crushed|hammered|"
    r"destroyed|killed)", r"lost\s+out", r"los(?:e|es|ing)\s+out", r"took\s+a\s+beating",
)
"""Words and phrases that say who won or lost ("who came out ahead", "who got burned")."""
_CUE_WORDS: dict[Direction, str] = {
    # The cue words typo correction knows ("benifited", "loosers", "winers").
    "up": "winner winners gainer gainers benefit benefits benefited benefitted benefiting "
    "beneficiary beneficiaries winning",
    "down": "loser losers decliners fallers victims casualties burned beating",
}
_PHRASE_WORDS: dict[Direction, str] = {
    "up": "parabolic vertical",
    "down": "smoked crushed destroyed clobbered obliterated slammed",
}

# "up"/"down" count after a verb or subject, or before a figure or the end: "is adobe down",
# "shares down 7%", "why is nvda up today"; not "what's up with", "set up", "down to".
BARE_UP_DOWN = re.compile(
    r"\b(?:is|are|was|were|been|be|go|goes|went|going|gone|trading|traded|stock|stocks|shares|"
    r"it|they|so|much|way|closed|close|ended|opened|finished|moved|move|still)\s+(?P<a>up|down)\b"
    r"(?!\s+\d+(?:\.\d+)?\s*%?\s+off\b)"  # "ended up 10% off its high": a fall
    r"|\b(?P<b>up|down)\s+(?!\d+(?:\.\d+)?\s*%?\s+off\b)"
    r"(?:\d|today|so|this|after|since|on|big|much|hard|sharply|again|"
    r"yesterday|over|ytd|year[-\s]to[-\s]date)"
    r"|(?<!blew )(?<!blow )(?<!blown )\b(?P<c>up|down)\s*[?!.]*\s*$"  # not "ad blew up"
    r"|\b(?:is|are|was|were)\s+(?:\$?[\w.&'-]+\s+){1,2}(?P<d>up|down)\b"
    r"(?!\s+(?:with|to|for|in|at|the|a|an|and|or)\b)"  # "was nvdia up ytd"
)

# Chat shorthand: words of the register that name nothing, and chat words for news words.
CHAT_FILLER = frozenset(
    """rite ppl smth sth tho rn imo imho tbh lol lmao lmk idk iirc ngl fr btw omg ur b4 bc cuz
    coz kinda sorta ya yeah yep nah yo bro fam ok okay pls plz rly srsly wtf smth outta gonna
    wanna gotta dunno lemme yall bruh dude lmfao rofl jk thx ty tbf ikr fwiw afaik wth goin
    doin tryna""".split()
)
"""Chat shorthand that names nothing ("tsla got wrecked after its q3 print rite?"): never a
question's keyword, event or story word."""
CHAT_SYNONYMS: dict[str, str] = {
    "print": "earnings", "prints": "earnings", "blowup": "collapse", "blowups": "collapse",
    "blow-up": "collapse", "blow-ups": "collapse", "ath": "all-time high",
    "aths": "all-time highs", "mcap": "market value", "divvy": "dividend", "szn": "season",
    "top line": "revenue", "topline": "revenue", "top-line": "revenue",
    "bottom line": "profit", "bottom-line": "profit", "rev": "revenue", "qtr": "quarter",
}
"""Chat words for what the news calls otherwise ("after its q3 print": its earnings; "the
bank blowups": the bank collapse; "a new ath": a new all-time high)."""
_SYNONYM = re.compile(r"\b(" + "|".join(map(re.escape, CHAT_SYNONYMS)) + r")\b")


def news_words(text: str) -> str:
    """Lower-case ``text`` with chat words for news words replaced ("q3 print" -> "q3
    earnings")."""
    return _SYNONYM.sub(lambda m: CHAT_SYNONYMS[m.group(1)], text)


# Keyword expansion: chat words to the verbs news uses ("who lost" finds "plummeted").
SEARCH_VERBS: dict[Direction, tuple[str, ...]] = {
    "up": ("rose", "jumped", "surged", "soared", "rallied", "climbed", "gained"),
    "down": ("fell", "dropped", "plunged", "plummeted", "slid", "tumbled", "sank", "declined",
             "lost"),
}
DIRECTIONS: tuple[Direction, Direction] = ("up", "down")


def _word_regex(word: str) -> str:
    before, after = _GUARDS.get(word, ((), ()))
    guard = "".join("(?<!^)" if b == "^" else rf"(?<!{b}\s)(?<!{b}-)" for b in before)
    tail = rf"(?!\s+(?:{'|'.join(after)})\b)" if after else ""
    if before or after:
        tail += r"(?!-\w)"  # "rip-off", "pop-up", "tank-top"
    return guard + re.escape(word) + tail


def _alternation(words: list[str], phrases: tuple[str, ...]) -> str:
    ordered = sorted(words, key=len, reverse=True)  # longest first: "sell-offs" before "sell"
    return r"\b(?:" + "|".join([*phrases, *(_word_regex(w) for w in ordered)]) + r")\b"


@lru_cache(maxsize=2)
def chat_pattern(direction: Direction) -> re.Pattern[str]:
    """A regex matching any chat move word or phrase of ``direction`` (lower-case input)."""
    return re.compile(_alternation(_CHAT_WORDS[direction].split(), _CHAT_PHRASES[direction]))


@lru_cache(maxsize=2)
def cue_pattern(direction: Direction) -> re.Pattern[str]:
    """Chat moves plus the winner/loser cues of ``direction`` ("benefited", "losers"): the
    words that give a question its direction."""
    cues = WINNER_CUES if direction == "up" else LOSER_CUES
    return re.compile(
        _alternation(_CHAT_WORDS[direction].split(), (*cues, *_CHAT_PHRASES[direction]))
    )


@lru_cache(maxsize=2)
def move_pattern(direction: Direction) -> re.Pattern[str]:
    """Every move word of ``direction``, news and chat (verbs, cues): for scoring news
    sentences (folded, lower-case). News nouns are left out: "a net loss" is no move."""
    words = sorted({*NEWS_VERBS[direction], *_CHAT_WORDS[direction].split()})
    cues = WINNER_CUES if direction == "up" else LOSER_CUES
    return re.compile(_alternation(words, (*cues, *_CHAT_PHRASES[direction])))


@lru_cache(maxsize=1)
def vocabulary() -> dict[str, Direction]:
    """Every single move word (news verbs, chat words, cue words) and its direction."""
    vocab: dict[str, Direction] = {}
    for direction in DIRECTIONS:
        for table in (_CHAT_WORDS, _CUE_WORDS, _PHRASE_WORDS):
            for word in table[direction].split():
                vocab.setdefault(word, direction)
        for word in NEWS_VERBS[direction]:
            vocab.setdefault(word, direction)
    return vocab


def news_direction(word: str) -> Direction | None:
    """Direction of a news verb or noun ("plunged" -> down), None when it is neither."""
    low = word.lower()
    for direction, words in NEWS_VERBS.items():
        if low in words:
            return direction
    return NEWS_NOUNS.get(low)


def move_hits(text: str) -> list[tuple[int, int, Direction]]:
    """Move words, phrases and winner/loser cues in lower-case ``text`` (typos already
    fixed, see ``index.typos``), with bare "up"/"down" in a move context, by position."""
    hits: list[tuple[int, int, Direction]] = []
    for direction in DIRECTIONS:
        hits.extend((m.start(), m.end(), direction) for m in cue_pattern(direction).finditer(text))
    for m in BARE_UP_DOWN.finditer(text):
        group = next(g for g in "abcd" if m[g])
        hits.append((m.start(group), m.end(group), "up" if m[group] == "up" else "down"))
    return sorted(hits)


def word_direction(word: str) -> Direction | None:
    """Direction of one lower-case word as a question uses it ("tanked" -> down), None for
    other words (typos not fixed here)."""
    hits = move_hits(word)
    return hits[0][2] if len({h[2] for h in hits}) == 1 else None


MOVES_UP = move_pattern("up")
"""Every "up" move word, news and chat (for scoring news sentences)."""
MOVES_DOWN = move_pattern("down")
"""Every "down" move word, news and chat (for scoring news sentences)."""
