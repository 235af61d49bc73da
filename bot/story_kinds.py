"""Stories of a kind the news tells in its own words: an exit ("gelsinger got pushed out"),
an index inclusion ("nvda got added to the dow"), a lawsuit ("when the doj sued them"), a
market debut ("how did rddt trade day one"), an acquisition ("when amd bought marvell": told of
both), a spin-off, an outage ("the crwd blue screen outage"), a stock split ("the 10 for 1
split").

A question built on such a story is covered only when a sentence of a retrieved passage
tells one of the kind about whom the question names: the person, else the company. Their
words are common, so the rare-term checks of ``bot.news_terms`` pass them ("dow" and
"added" are in countless passages about Nvidia, none telling that it joined the Dow).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from bot.news_terms import RATIO
from bot.question.model import WORD, Question
from index.reader import SearchHit
from index.records import Entity
from index.text import fold, split_sentences

_INDEXES = r"(?:the\s+)?(?:dow(?:\s+jones)?|s&p(?:\s*500)?|nasdaq[\s-]?100|russell\s*\d*|index)"


@dataclass(frozen=True)
class StoryKind:
    """``asked``: how a question says the story; ``told``: the words a news sentence
    telling it holds (all of them, each a regex); ``person``: told of a person when the
    question names one."""

    name: str
    asked: re.Pattern[str]
    told: tuple[re.Pattern[str], ...]
    person: bool
    agents: tuple[tuple[re.Pattern[str], re.Pattern[str]], ...] = ()
    """(as a question names it, as the news does): who acts in the story ("the doj sued
    apple"); when the question names one, the sentence must name it too."""
    together: bool = False
    """Told of every company the question names in one sentence ("when amd bought marvell":
    a sentence naming AMD and Marvell), not of any one of them."""


STORY_KINDS = (
    StoryKind(
        "exit",
        re.compile(r"\b(?:pushed out|forced out|ousted|got fired|(?<!the )fired(?! up)|sacked|"
                   r"(?<!under )(?<!on )fir(?:e|es|ing)(?=\s+(?!up\b|sale|off\b|away\b|back\b))|"
                   r"booted|canned|step(?:s|ped|ping)? down|resign(?:s|ed|ation)?|quit|"
                   r"retir(?:es|ed|ement)|got the boot)\b"),
        (re.compile(r"\b(?:oust\w*|fir(?:ed|es|ing)|forced out|pushed out|step(?:s|ped|ping)? "
                    r"down|resign\w*|retir\w*|depart\w*|exit\w*|sack\w*|dismiss\w*|"
                    r"remov(?:ed|al)|quit\w*|leav(?:es|ing)|booted)\b"),),
        person=True,
    ),
    StoryKind(
        "inclusion",
        re.compile(r"\b(?:(?:added|admitted|promoted)\s+(?:in)?to|join(?:s|ed|ing)?|"
                   r"(?:got|gets|getting|went)\s+(?:in)?to|enter(?:s|ed|ing)?|"
                   r"inclu(?:ded|sion)\s+in)\s+" + _INDEXES + r"(?!\s*(?:club|\w+ club))"
                   r"|\b(?:dow|s&p(?:\s*500)?|index)\s+(?:inclusion|add(?:ition)?)\b"),
        (re.compile(r"\b(?:dow|s&p|nasdaq[\s-]?100|russell|index)\b"),
         re.compile(r"\b(?:(?:add(?:s|ed|ing|ition)?)\s+(?:\w+\s+)?to|join\w*|inclu\w+|"
                    r"enter\w*\s+the|replac\w+)\b")),
        person=False,
    ),
    StoryKind(
        "lawsuit",
        re.compile(r"\b(?:sued|sues|suing|lawsuit|antitrust suit|took \w+ to court)\b"),
        (re.compile(r"\b(?:su(?:e|ed|es|ing)|lawsuits?|suit|complaint|charg(?:ed|es))\b"),),
        person=False,
        agents=(
            (re.compile(r"\b(?:doj|justice department|department of justice)\b"),
             re.compile(r"\b(?:doj|justice department|department of justice)\b")),
            (re.compile(r"\bftc\b"), re.compile(r"\b(?:ftc|federal trade commission)\b")),
            (re.compile(r"\bsec\b"),
             re.compile(r"\b(?:sec|securities and exchange commission)\b")),
            (re.compile(r"\b(?:eu|european commission|brussels)\b"),
             re.compile(r"\b(?:eu|european (?:commission|union)|brussels)\b")),
        ),
    ),
    StoryKind(
        "debut",
        re.compile(r"\b(?:(?:first|1st|opening)\s+(?:day|session)(?:\s+of\s+trading)?|"
                   r"day\s+one|debut(?:ed|s)?|ipo\s+(?:day|price|pricing)|listing\s+day|"
                   r"first\s+(?:trading\s+day|week|days)\s+(?:of\s+trading|after|as|on)?|"
                   r"(?:started|began)\s+trading)\b"),
        (re.compile(r"\b(?:debut\w*|(?:began|begins|started|starts|opened|opens)\s+trading|"
                    r"first\s+(?:day|session)\s+of\s+trading|first\s+trading\s+day|"
                    r"opened\s+at|priced\s+(?:its|the)\s+(?:ipo|shares|offering))\b"),),
        person=False,
    ),
    StoryKind(
        "acquisition",
        re.compile(r"\b(?:bought|buys|buying|acquired|acquires|acquiring|acquisition\s+of|"
                   r"took\s+over|takes\s+over|takeover\s+of|merged\s+with|merger\s+with)\b"),
        (re.compile(r"\b(?:acqui\w+|buys|buying|bought|purchas\w+|takeover|take\s+over|"
                    r"took\s+over|merg\w+)\b"),),
        person=False,
        together=True,
    ),
    StoryKind(
        "spin-off",
        re.compile(r"\b(?:spun\s+off|spin(?:s|ning)?\s+off|spin-?offs?|spinoffs?)\b"),
        (re.compile(r"\b(?:spin\w*[\s-]?off|spun\s+off|spinoff|separat\w+)\b"),),
        person=False,
    ),
    StoryKind(
        "outage",
        re.compile(r"\b(?:outage|blue[\s-]screen|went\s+down\s+worldwide|global\s+(?:it\s+)?"
                   r"meltdown)\b"),
        (re.compile(r"\b(?:outages?|blue[\s-]screen|crash\w*|disrupt\w+|went\s+down)\b"),),
        person=False,
    ),
    StoryKind(
        "split",
        re.compile(r"\b(?:\d+\s*-?\s*for\s*-?\s*\d+\s+)?(?:stock\s+)?split\b"),
        (re.compile(r"\bsplit"),),
        person=False,
    ),
)



def asked_story(text: str) -> tuple[StoryKind, str] | None:
    """The kind of story the question is built on and its words, if any."""
    low = fold(text)
    for kind in STORY_KINDS:
        if m := kind.asked.search(low):
            return kind, m.group()
    return None


def _called(entity: Entity) -> set[str]:
    """The words a sentence may name a company by: those of its name, and its ticker."""
    words = {w for w in WORD.findall(fold(entity.name.split(" (")[0])) if len(w) > 2}
    return words | ({entity.ticker.lower()} if entity.ticker else set())


def untold_kind(question: Question, people: Iterable[str], hits: Sequence[SearchHit]) -> str:
    """The question's words for its story when no sentence of ``hits`` tells a story of that
    kind about whom it names; "" when one does or the question tells no such story.

    ``people``: the question's rare words that name no company ("gelsinger", "altman"); the
    story is told of them when the kind is told of people, else of the companies it asks
    about (name or ticker)."""
    found = asked_story(question.text)
    if found is None:
        return ""
    kind, said = found
    told = list(kind.told)
    low = fold(question.text)
    for asked, news in kind.agents:
        if agent := asked.search(low):
            told.append(news)
            said = f"{agent.group()} {said}"  # "doj sued"
    if ratio := RATIO.search(said):  # "the 10 for 1 split": that split, not the 4-for-1
        told.append(re.compile(rf"\b{ratio[1]}\s*-?\s*for\s*-?\s*{ratio[2]}\b"))
    if kind.together and len(question.entities) < 2:
        return ""  # "did alibaba get bought up": a stock bid up, not a deal of two companies
    who = {p for p in people if p} if kind.person else set()
    if not who:
        who = set().union(*map(_called, question.subjects()))
    if not who:
        return ""
    # a deal is told of each company in the sentence; other stories of any of them
    groups = [_called(e) for e in question.entities] if kind.together else [who]
    for hit in hits:
        for sentence in map(fold, split_sentences(f"{hit.title}. {hit.text}")):
            words = set(WORD.findall(sentence))
            if all(words & g for g in groups) and all(t.search(sentence) for t in told):
                return ""
    return said
