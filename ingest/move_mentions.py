"""Where an article's companies are mentioned, for the move extractor (``ingest/moves.py``)."""

from __future__ import annotations

import re

from index.entities import EntityResolver
from index.records import Entity
from ingest import move_words as w
from ingest.move_clause import Hit


def mention_hits(text: str, entities: list[Entity], resolver: EntityResolver) -> list[Hit]:
    """Where the given entities are mentioned (resolver spans, else their literal names)."""
    by_key = {(e.ticker or e.name): e for e in entities}
    hits = []
    found: set[str] = set()
    for m in resolver.find_mentions(text):
        entity = by_key.get(m.company.ticker or m.company.name)
        if entity is not None:
            hits.append(Hit(m.start, m.end, entity))
            found.add(entity.ticker or entity.name)
    for key, entity in by_key.items():
        if key in found:
            continue
        for found_name in re.finditer(rf"(?<![\w$]){re.escape(entity.name)}(?!\w)", text):
            hits.append(Hit(found_name.start(), found_name.end(), entity))
    hits += _short_forms(text, entities, hits)
    hits.sort(key=lambda h: h.start)
    return hits


def _short_forms(text: str, entities: list[Entity], hits: list[Hit]) -> list[Hit]:
    """An article that names "Arm Holdings" means it by "Arm" too ("Arm climbs 17% in Nasdaq
    debut"): a name's first word, capitalised, when the rest is a corporate word and no other
    company of the article starts with it."""
    firsts: dict[str, list[Entity]] = {}
    for entity in entities:
        words = entity.name.split(" (")[0].split()
        if len(words) >= 2 and all(x in w.CORPORATE_WORDS for x in words[1:]):
            firsts.setdefault(words[0], []).append(entity)
    out: list[Hit] = []
    for short, owners in firsts.items():
        if len(short) < 3 or len(owners) > 1 or any(
                e.name.startswith(short) and e not in owners for e in entities):
            continue
        for m in re.finditer(rf"(?<![\w$]){re.escape(short)}(?![\w-])", text):
            if not any(h.start <= m.start() < h.end for h in hits):
                out.append(Hit(m.start(), m.end(), owners[0]))
    return out
