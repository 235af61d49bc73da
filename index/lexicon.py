"""Market-move vocabulary: one home for the words that say a stock went up or down.

Read by the move extractor (``ingest/moves.py``: news wording), the question parser
(``bot/question/intent.py``: chat wording and slang) and the keyword search
(``index/keyword.py``: question words expanded to the verbs news uses). Data first, then a few
small functions; nothing here imports ``bot`` or ``ingest``.

Words are stored as stems with their inflections spelled out, so a regex built from them
matches "tank", "tanks", "tanked", "tanking" and nothing longer.
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
        ballooned balloons doubled tripled mooned moons ripped rips""".split()
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

# -- chat wording: what people type in a trading channel --------------------------------------

_CHAT_STEMS: dict[Direction, tuple[str, ...]] = {
    # Each entry is a regex fragment for a stem with its inflections.
    "up": (
        r"jump(?:s|ed|ing)?", r"surg(?:e|es|ed|ing)", r"soar(?:s|ed|ing)?",
        r"rall(?:y|ies|ied|ying)", r"ris(?:e|es|en|ing)", r"rose", r"gain(?:s|ed|ing)?",
        r"climb(?:s|ed|ing)?", r"spik(?:e|es|ed|ing)", r"pop(?:s|ped|ping)?",
        r"(?:sky)?rocket(?:s|ed|ing)?", r"moon(?:s|ed|ing)?", r"rebound(?:s|ed|ing)?",
        r"higher", r"outperform(?:s|ed|ing)?", r"bullish", r"rip(?:s|ped|ping)?",
        r"pump(?:s|ed|ing)?", r"went\s+parabolic", r"(?:going|gone)\s+parabolic",
        r"caught\s+a\s+bid", r"catch(?:es|ing)?\s+a\s+bid", r"ran\s+up", r"run(?:s|ning)?\s+up",
        r"shot\s+up", r"lift(?:s|ed|ing)?\s+off", r"took\s+off", r"green", r"mooning",
        r"boom(?:s|ed|ing)?", r"(?:went|go(?:es)?|going)\s+up", r"squeez(?:e|ed|ing)",
        r"leap(?:s|t|ed|ing)?", r"zoom(?:s|ed|ing)?", r"doubl(?:e|es|ed|ing)",
    ),
    "down": (
        r"drop(?:s|ped|ping)?", r"crash(?:es|ed|ing)?", r"fall(?:s|en|ing)?", r"fell",
        r"plung(?:e|es|ed|ing)", r"tank(?:s|ed|ing)?", r"sink(?:s|ing)?", r"sank", r"sunk",
        r"slid(?:e|es|ing)?", r"tumbl(?:e|es|ed|ing)", r"declin(?:e|es|ed|ing)",
        r"dip(?:s|ped|ping)?", r"slump(?:s|ed|ing)?", r"plummet(?:s|ed|ing)?",
        r"collaps(?:e|es|ed|ing)", r"crater(?:s|ed|ing)?", r"lower", r"bearish",
        r"sell-?off", r"sold\s+off", r"sell(?:s|ing)?\s+off", r"dump(?:s|ed|ing)?",
        r"underperform(?:s|ed|ing)?", r"puk(?:e|es|ed|ing)", r"bled", r"bleed(?:s|ing)?",
        r"(?:got|get|gets|getting)\s+(?:smoked|wrecked|crushed|hammered|rekt|burned|burnt|"
        r"destroyed|killed|slammed|hit|clobbered|obliterated|nuked|dumped)",
        r"smoked", r"wrecked", r"rekt", r"hammered", r"crushed", r"hit\s+hard",
        r"took\s+a\s+(?:beating|hit|bath|dive|nosedive|tumble)", r"nose-?div(?:e|ed|es|ing)",
        r"(?:went|go(?:es)?|going)\s+down", r"red", r"hurt", r"suffer(?:s|ed|ing)?",
        r"slip(?:s|ped|ping)?", r"shed(?:s|ding)?", r"wip(?:e|ed|es)\s+out",
    ),
}

WINNER_CUES: tuple[str, ...] = (
    r"winners?", r"gainers?", r"beneficiar(?:y|ies)", r"came\s+out\s+(?:ahead|on\s+top)",
    r"come\s+out\s+(?:ahead|on\s+top)", r"benefit(?:s|ed|ted|ing)?", r"profit(?:s|ed)?\s+from",
    r"cash(?:ed)?\s+in", r"big\s+win", r"upside",
)
LOSER_CUES: tuple[str, ...] = (
    r"losers?", r"decliners", r"fallers", r"victims?", r"casualt(?:y|ies)", r"got\s+burn(?:ed|t)",
    r"(?:got|get)\s+(?:hurt|hit|rekt|wrecked|smoked|crushed|hammered|destroyed|killed)",
    r"lost\s+out", r"los(?:e|es|ing)\s+out", r"took\s+a\s+beating",
)

# Keyword expansion: chat words to the verbs news uses ("who lost" finds "plummeted").
SEARCH_VERBS: dict[Direction, tuple[str, ...]] = {
    "up": ("rose", "jumped", "surged", "soared", "rallied", "climbed", "gained"),
    "down": ("fell", "dropped", "plunged", "plummeted", "slid", "tumbled", "sank", "declined",
             "lost"),
}


@lru_cache(maxsize=2)
def chat_pattern(direction: Direction) -> re.Pattern[str]:
    """A regex matching any chat move word of ``direction`` (lower-case input)."""
    return re.compile(r"\b(?:" + "|".join(_CHAT_STEMS[direction]) + r")\b")


def news_direction(word: str) -> Direction | None:
    """Direction of a news verb or noun ("plunged" -> down), None when it is neither."""
    low = word.lower()
    for direction, words in NEWS_VERBS.items():
        if low in words:
            return direction
    return NEWS_NOUNS.get(low)
