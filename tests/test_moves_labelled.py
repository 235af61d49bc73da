"""A labelled set of news sentences: which stock and index moves each states (issue 8).

Each case is (text, expected moves) with a move as (ticker or index name, direction,
magnitude or None); an empty list marks a sentence that states no move (a trap). The test
reports precision and recall over the whole set and asserts floors, then checks that no trap
gives a move (precision matters more than recall: a wrong loser is worse than a missed one).
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from index.entities import EntityResolver, TickerTable
from ingest.moves import extract_moves

FRIDAY = datetime(2023, 5, 26, 12, 0, tzinfo=UTC)

Expected = list[tuple[str, str, float | None]]

CASES: list[tuple[str, Expected]] = [
    # -- moves stated in words ----------------------------------------------------------------
    ("Baidu shares jumped after it confirmed it would launch its Ernie chatbot in March.",
     [("BIDU", "up", None)]),
    ("Shares of Chegg plunged after the company said ChatGPT was hurting growth.",
     [("CHGG", "down", None)]),
    ("Nvidia stock soared on Thursday as investors cheered the forecast.", [("NVDA", "up", None)]),
    ("C3.ai's stock tanked after the software maker cut its revenue outlook.",
     [("AI", "down", None)]),
    ("Adobe shares slumped in early trading on Monday.", [("ADBE", "down", None)]),
    ("Palantir's stock rallied for a third straight session.", [("PLTR", "up", None)]),
    ("Microsoft shares climbed after the company unveiled its Copilot pricing.",
     [("MSFT", "up", None)]),
    ("Shares in Alibaba tumbled following the announcement.", [("BABA", "down", None)]),
    ("Nvidia soared in premarket trading after the results.", [("NVDA", "up", None)]),
    ("The stock of Shutterstock sank as investors worried about AI video generators.",
     [("SSTK", "down", None)]),
    # -- with figures, in the same or the next sentence ---------------------------------------
    ("Shares of Chegg plunged. The stock lost 48% of its value in a single day.",
     [("CHGG", "down", 48.0)]),
    ("Shares of Chegg plunged on Tuesday, losing 48% of their value.", [("CHGG", "down", 48.0)]),
    ("Nvidia jumped 5% on Friday.", [("NVDA", "up", 5.0)]),
    ("Shares of Nvidia jumped 24% on Thursday after the chipmaker raised its forecast.",
     [("NVDA", "up", 24.0)]),
    ("AMD stock rose 3.5% while Intel shares fell 2%.",
     [("AMD", "up", 3.5), ("INTC", "down", 2.0)]),
    ("Meta Platforms shares surged 14% after hours.", [("META", "up", 14.0)]),
    ("Alphabet lost $100 billion in market value after Bard gave a wrong answer.",
     [("GOOGL", "down", 1e11)]),
    ("Tesla's share price fell by 9.8 percent on Thursday.", [("TSLA", "down", 9.8)]),
    ("Adobe shares closed 3% lower.", [("ADBE", "down", 3.0)]),
    ("Snowflake tumbled 12% in extended trading after its forecast disappointed.",
     [("SNOW", "down", 12.0)]),
    ("Shares of Palantir rocketed higher. They closed up 21% at a record.",
     [("PLTR", "up", 21.0)]),
    ("Investors dumped Adobe, sending its shares down 7%.", [("ADBE", "down", 7.0)]),
    ("Shares of Nvidia and AMD rallied on the news.", [("NVDA", "up", None), ("AMD", "up", None)]),
    ("Nvidia's stock has doubled this year.", [("NVDA", "up", None)]),
    ("Super Micro Computer shares plummeted 20% in premarket trading Tuesday.",
     [("SMCI", "down", 20.0)]),
    # -- index moves ---------------------------------------------------------------------------
    ("Nasdaq fell 2% on Friday.", [("Nasdaq Composite", "down", 2.0)]),
    ("The S&P 500 rose 1.1% to close at a record.", [("S&P 500", "up", 1.1)]),
    ("The Philadelphia semiconductor index slid on Wednesday.",
     [("Philadelphia Semiconductor Index", "down", None)]),
    ("The Dow Jones Industrial Average dropped 0.8%.",
     [("Dow Jones Industrial Average", "down", 0.8)]),
    ("Japan's Nikkei 225 climbed 1.5% to a 33-year high.", [("Nikkei 225", "up", 1.5)]),
    ("Hong Kong's Hang Seng index tumbled 2.3%.", [("Hang Seng", "down", 2.3)]),
    ("The tech-heavy Nasdaq Composite gained 1.7% on Thursday.",
     [("Nasdaq Composite", "up", 1.7)]),
    # -- traps: not stock moves ---------------------------------------------------------------
    ("Nvidia said revenue rose 10% in the quarter.", []),
    ("AI stocks rallied on Thursday as investors piled into the theme.", []),
    ("Chip stocks soared after the results.", []),
    ("The company's share of the market fell to 20%.", []),
    ("Nvidia shares the view that demand will keep rising.", []),
    ("Microsoft gained ground in cloud computing last year.", []),
    ("Intel fell behind TSMC in manufacturing technology.", []),
    ("Apple's sales fell 5% in China.", []),
    ("Meta shed 13% of its staff last year.", []),
    ("Microsoft added Copilot to its Office apps.", []),
    ("Shares could fall if Nvidia misses estimates.", []),
    ("Analysts expect Nvidia shares to rise next year.", []),
    ("Alphabet's cloud revenue jumped 28%.", []),
    ("Demand for Nvidia's chips soared this year.", []),
    ("OpenAI's valuation jumped 50% in a year.", []),
    ("Google lost its lead in AI to OpenAI, some analysts argue.", []),
    ("Amazon's workforce declined by 27,000 people.", []),
    ("Bitcoin tumbled 8% over the weekend.", []),
    ("Intel's market share dropped as AMD gained.", []),
    ("Tesla deliveries rose 36% in the second quarter.", []),
    ("Nvidia's profit margin climbed to 70%.", []),
    ("Oil prices fell 2% on Friday.", []),
    ("Apple's App Store rankings slipped after the update.", []),
    ("Shares of the startup's rivals fell sharply.", []),
    ("The Federal Reserve lifted rates, and Treasury yields rose.", []),
]


@pytest.fixture(scope="module")
def resolver() -> EntityResolver:
    return EntityResolver(TickerTable.load())


def _found(resolver: EntityResolver, text: str) -> list[tuple[str, str, float | None]]:
    moves = extract_moves(text, resolver.find(text), FRIDAY, resolver=resolver)
    return [(m.ticker or m.company, m.direction, m.magnitude) for m in moves]


def score(resolver: EntityResolver) -> tuple[float, float, list[str]]:
    """(precision, recall, misses) over ``CASES``: a found move counts as right when its
    subject, direction and figure (or its absence) all match a labelled one."""
    right = found_total = expected_total = 0
    misses = []
    for text, expected in CASES:
        found = _found(resolver, text)
        found_total += len(found)
        expected_total += len(expected)
        hits = [f for f in found if f in expected]
        right += len(hits)
        if sorted(map(str, found)) != sorted(map(str, expected)):
            misses.append(f"{text!r}: found {found}, expected {expected}")
    precision = right / found_total if found_total else 1.0
    recall = right / expected_total if expected_total else 1.0
    return precision, recall, misses


def test_set_is_big_enough() -> None:
    assert len(CASES) >= 40
    assert sum(1 for _, e in CASES if e) >= 20 and sum(1 for _, e in CASES if not e) >= 15


def test_precision_and_recall(resolver: EntityResolver) -> None:
    precision, recall, misses = score(resolver)
    print(f"\nlabelled moves: precision {precision:.3f}, recall {recall:.3f}")
    print("\n".join(misses))
    assert precision >= 0.95, misses
    assert recall >= 0.85, misses


@pytest.mark.parametrize("text", [t for t, e in CASES if not e])
def test_trap_gives_no_move(resolver: EntityResolver, text: str) -> None:
    assert _found(resolver, text) == []
