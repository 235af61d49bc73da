"""The event a question is relative to: "after the Bard demo" -> "Bard demo".

An anchor starts after one of these cues and runs to the end of the clause (punctuation, a
question word, "but", "because", a date), at most ``MAX_WORDS`` words:

* "after", "following", "since", "post"/"post-", "amid", "because of", "due to", "thanks to",
  "in the wake of", "on the back of", "in response to": anything ("after Sora");
* a winner/loser or move word + "from"/"of" ("who lost from Sora", "winners of the AI boom"),
  a hit word + "by" ("hurt by ChatGPT");
* "when" not asking a time ("when OpenAI dropped Sora", not "when did nvda drop");
* "the (same) day" before something that happened ("the day google's bard ad blew up");
* "off" after a move word ("ripped off nvda's guidance"; not "sold off", "ripped off");
* "on" and "around" only before an event noun ("on the WSJ report about chip curbs", "around
  the Ernie launch"; not "news on openai", "around 5%").

Leading filler goes ("the", "its", "news that", "reports of"), as do "$" before a ticker and
function words left dangling at the end. Phrases that are a pronoun, a figure or a date (the
``masked`` spans) are not anchors.
"""

from __future__ import annotations

import re

from index.lexicon import DIRECTIONS, cue_pattern
from index.typos import fix_typos

__all__ = ["anchor_of"]

MAX_WORDS = 6
_START = re.compile(
    r"\b(?:after|following|since|post|amid|amidst|because\s+of|due\s+to|thanks\s+to|"
    r"in\s+the\s+wake\s+of|on\s+the\s+back\s+of|in\s+response\s+to|"
    r"(?:hurt|hit|disrupted|threatened|affected|impacted|crushed|hammered|boosted|lifted|"
    r"helped|burned|burnt|smoked|wrecked|rocked|spooked)\s+by)\s+|\bpost-(?=\w)"
    r"|\b(?P<when>when)\s+(?!(?:did|does|do|is|are|was|were|will|would|could|should|can|has|"
    r"have|had|it|exactly)\b)"
    r"|(?<![\w-])(?P<off>off)\s+(?!of\b)|\b(?P<on>on|around)\s+"
    r"|\bthe\s+(?:same\s+|very\s+)?(?:day|week|morning|session)\s+(?:that\s+|when\s+)?"
    r"(?=\S+['’]s\s|\S+\s+(?:got|was|were|had|did|said|reported|announced|unveiled|blew|"
    r"dropped|released|launched|admitted))",
    re.IGNORECASE,
)
_FROM = re.compile(r"\s+(?:from|of)\s+", re.IGNORECASE)
_EVENT = re.compile(
    r"\b(?:news|reports?|reporting|headlines?|announcements?|guidance|earnings|results|"
    r"launch(?:es)?|releases?|unveil(?:ing)?|debut|demos?|deals?|bans?|curbs?|restrictions?|"
    r"rules?|ruling|lawsuits?|suit|probe|investigation|downgrades?|upgrades?|forecasts?|"
    r"outlook|comments?|remarks?|rumou?rs?|leaks?|filing|keynote|conference|call|reveal|"
    r"presentation|hearing|testimony|tweets?|statement|memo|tariffs?|sanctions?|controls?|"
    r"acquisition|merger|takeover|buyout|partnership|investment|stake|event|admission|miss|"
    r"beat|ipo|split|buyback|layoffs?|update)\b",
    re.IGNORECASE,
)
_STOP = re.compile(
    r"[?!,;:()\[\]]|\.(?:\s|$)|\b(?:why|when|which|who|what|how|where|but|so|because|while|"
    r"whereas|and why|and how|besides|excluding|except|other than|apart from|aside from|"
    r"not counting)\b",
    re.IGNORECASE,
)
_LEAD = re.compile(
    r"^(?:(?:the|a|an|this|that|its|their|his|her|all)\s+|(?:news|reports?|word|fact|"
    r"announcement|headlines?)\s+(?:that|of|about)\s+)+",
    re.IGNORECASE,
)
_TRAIL = frozenset(
    "the a an its their his her of to that was were is are and or with about on in for by "
    "from at itself".split()
)
_NOT_ANCHOR = frozenset(
    "it that this then them those these there now all highs lows high low top bottom peak "
    "news me us cliff".split()
)


def _moved_before(low: str, pos: int) -> bool:
    """A move word ends just before ``pos`` (an adverb between): "ripped hard off"."""
    before = low[:pos].rstrip()
    for direction in DIRECTIONS:
        for m in cue_pattern(direction).finditer(before, max(0, len(before) - 40)):
            tail = before[m.end() :].split()
            if len(tail) <= 1 and not before.endswith(("sold", "took", "sell", "selling")):
                return True
    return False


def _starts(text: str) -> list[tuple[int, str]]:
    """Where anchor phrases may start, with the kind of cue ("on" and "off" need checks)."""
    low = text.lower()
    out: list[tuple[int, str]] = []
    for m in _START.finditer(text):
        kind = "on" if m["on"] else "off" if m["off"] else "plain"
        if kind == "off" and not _moved_before(low, m.start()):
            continue
        out.append((m.end(), kind))
    for m in _FROM.finditer(text):  # "lost from", "benifited from" (typos fixed)
        before = fix_typos(text[max(0, m.start() - 40) : m.start()])
        for direction in DIRECTIONS:
            if any(h.end() == len(before) for h in cue_pattern(direction).finditer(before)):
                out.append((m.end(), "plain"))
    return sorted(set(out))


_ATTRIBUTIVE_DATE = re.compile(r"(?:\w['’]s|\bthe)\s+$", re.IGNORECASE)
_WORD_NEXT = re.compile(r"\s+[A-Za-z]")


def _phrase(text: str, start: int, masked: list[tuple[int, int]]) -> tuple[str, str]:
    """The anchor phrase from ``start`` (filler dropped) and its first words as written."""
    end = len(text)
    stop = _STOP.search(text, start)
    if stop is not None:
        end = stop.start()
    inner: list[tuple[int, int]] = []
    for s, e in sorted(masked):
        if start < s < end:
            if _ATTRIBUTIVE_DATE.search(text, 0, s) and _WORD_NEXT.match(text, e):
                inner.append((s, e))  # "nvda's may guidance": the date names the event's time
            else:
                end = s
                break
    pieces, at = [], start
    for s, e in inner:
        if s < end:
            pieces.append(text[at:s])
            at = e
    phrase = " ".join(" ".join([*pieces, text[at:end]]).split())
    head = " ".join(phrase.split()[:MAX_WORDS])
    while (lead := _LEAD.match(phrase)) is not None and lead.end() > 0:
        phrase = phrase[lead.end() :]
    words = [w for w in re.sub(r"\$(?=[A-Za-z])", "", phrase).split()][:MAX_WORDS]
    while words and (not any(c.isalnum() for c in words[-1]) or words[-1].lower() in _TRAIL):
        words.pop()
    return " ".join(words).strip(" .'\""), head


def anchor_of(text: str, masked: list[tuple[int, int]]) -> str | None:
    """The event a question is relative to ("after the Bard demo" -> "Bard demo"), None
    when there is none.

    ``masked`` are spans already read as dates: "after May 2023" is a window, not an anchor.
    """
    for start, kind in _starts(text):
        if any(s <= start < e for s, e in masked):
            continue
        phrase, head = _phrase(text, start, masked)
        if not phrase or phrase.lower() in _NOT_ANCHOR or phrase[0].isdigit():
            continue
        if kind == "on" and not _EVENT.search(head):
            continue
        return phrase
    return None
