"""Companies a question leaves out: "who else besides nvda ripped", "not counting msft".

Two shapes:

* an exclusion phrase ("besides", "other than", "excluding", "except (for)", "apart from",
  "aside from", "not counting", "not including", "leaving out", "ignoring") followed by
  company names: the companies the company finder reads in that phrase are excluded and
  removed from the question's companies, so retrieval does not focus on them;
* "who else" / "what else" / "which other" / "anyone else" without such a phrase: the
  companies named are the event's subject ("who else got hit when chegg tanked"): they stay
  the question's companies (their news is the event) and are also excluded from the list of
  movers the answer gives.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot.question.companies import CompanyMatch, find_companies
from index.entities import EntityResolver
from index.lexicon import DIRECTIONS, chat_pattern
from index.records import Entity

__all__ = ["Exclusions", "find_exclusions"]

MAX_WORDS = 8
_CUE = re.compile(
    r"\b(?:besides|beside|other\s+than|excluding|exclude|except(?:\s+for)?|apart\s+from|"
    r"aside\s+from|not\s+counting|not\s+including|leaving\s+(?:out|aside)|ignoring)\s+",
    re.IGNORECASE,
)
_END = re.compile(
    r"[?!,;:()\[\]]|\.(?:\s|$)|\b(?:who|which|what|that|did|does|do|is|are|was|were|has|have|"
    r"had|got|get|gets|went|go|goes|after|when|since|following|on|in|during|amid|around|post|"
    r"off|from|over|today|yesterday|this|last|why|how|but|because|while|itself|themselves)\b",
    re.IGNORECASE,
)
_OTHERS = re.compile(
    r"\b(?:who|what|anyone|anybody|someone|which)\s+else\b|\b(?:which|what)\s+other\b"
    r"|\bany\s+other\s+(?:stocks?|companies|names|tickers)\b",
    re.IGNORECASE,
)


@dataclass(slots=True)
class Exclusions:
    """The question's companies split into the ones asked about and the excluded ones."""

    entities: list[Entity]
    tickers: list[str]
    excluded: list[Entity] = field(default_factory=list)
    excluded_tickers: list[str] = field(default_factory=list)
    spans: list[tuple[int, int]] = field(default_factory=list)
    """Exclusion phrases, cue included: not keywords."""


def _phrase_end(text: str, start: int) -> int:
    end = min(len(text), start + 200)
    stop = _END.search(text, start, end)
    if stop is not None:
        end = stop.start()
    low = text.lower()
    for direction in DIRECTIONS:
        move = chat_pattern(direction).search(low, start, end)
        if move is not None:
            end = move.start()
    words = list(re.finditer(r"\S+", text[start:end]))
    if len(words) > MAX_WORDS:
        end = start + words[MAX_WORDS - 1].end()
    return end


def _tickers(entities: list[Entity]) -> list[str]:
    out: list[str] = []
    for entity in entities:
        if entity.ticker and entity.ticker not in out:
            out.append(entity.ticker)
    return out


def find_exclusions(text: str, resolver: EntityResolver, companies: CompanyMatch) -> Exclusions:
    """Split ``companies`` (found in ``text``) into asked-about and excluded ones."""
    excluded: dict[str, Entity] = {}
    spans: list[tuple[int, int]] = []
    for cue in _CUE.finditer(text):
        end = _phrase_end(text, cue.end())
        found = find_companies(text[cue.end() : end], resolver)
        if not found.entities:
            continue
        spans.append((cue.start(), end))
        for entity in found.entities:
            excluded.setdefault(entity.name, entity)
    if excluded:
        kept = [e for e in companies.entities if e.name not in excluded]
        gone = list(excluded.values())
        return Exclusions(kept, _tickers(kept), gone, _tickers(gone), spans)
    if _OTHERS.search(text) and companies.entities:
        return Exclusions(
            companies.entities,
            companies.tickers,
            list(companies.entities),
            list(companies.tickers),
        )
    return Exclusions(companies.entities, companies.tickers)
