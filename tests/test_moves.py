"""Reported market moves: the seed article, real 2023 sentences, and the traps."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from index.entities import EntityResolver, TickerTable, render_markup
from index.records import Entity, Move
from ingest.moves import extract_moves

SEED = Path(__file__).resolve().parent.parent / "sample" / "sora-first-victims-2024-02-19.md"
MONDAY = datetime(2024, 2, 19, 7, 7, tzinfo=UTC)  # the seed's publication time
FRIDAY = datetime(2023, 5, 26, 12, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def resolver() -> EntityResolver:
    return EntityResolver(TickerTable.load())


def moves(resolver: EntityResolver, text: str, published: datetime | None = FRIDAY) -> list[Move]:
    return extract_moves(text, resolver.find(text), published, resolver=resolver)


def summary(found: list[Move]) -> list[tuple]:
    return [(m.ticker, m.direction, m.magnitude, m.unit, m.qualifier, m.metric) for m in found]


# -- the seed article ------------------------------------------------------------------------


def test_seed_gives_exactly_three_moves(resolver: EntityResolver) -> None:
    text = SEED.read_text(encoding="utf-8").split("\n---\n", 1)[1]
    found = moves(resolver, text, MONDAY)
    assert summary(found) == [
        ("ADBE", "down", 7.0, "%", "more than", "price"),
        ("SSTK", "down", 5.0, "%", "more than", "price"),
        ("SSTK", "down", 70_000_000.0, "USD", "more than", "market_value"),
    ]
    adobe, sstk_price, sstk_value = found
    # "The day after Sora's announcement"; the article says Sora was released on February 15.
    assert (adobe.refers_to, adobe.date_stated) == (date(2024, 2, 16), True)
    assert adobe.company == "Adobe"
    assert adobe.sentence.endswith("the stock price plummeted by more than 7%.")
    # "last Friday", said on Monday 2024-02-19.
    assert (sstk_price.refers_to, sstk_price.date_stated) == (date(2024, 2, 16), True)
    assert (sstk_value.refers_to, sstk_value.date_stated) == (date(2024, 2, 16), True)
    assert sstk_value.company == "Shutterstock"


def test_seed_moves_survive_rendered_markup(resolver: EntityResolver) -> None:
    text = render_markup(SEED.read_text(encoding="utf-8").split("\n---\n", 1)[1])
    assert "$Adobe" not in text
    found = moves(resolver, text, MONDAY)
    assert [(m.ticker, m.magnitude, m.unit, m.refers_to) for m in found] == [
        ("ADBE", 7.0, "%", date(2024, 2, 16)),
        ("SSTK", 5.0, "%", date(2024, 2, 16)),
        ("SSTK", 70_000_000.0, "USD", date(2024, 2, 16)),
    ]


# -- realistic sentences ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Shares of Nvidia jumped 24% on Thursday after the chipmaker raised its forecast.",
            ("NVDA", "up", 24.0, "%", None, "price"),
        ),
        (
            "C3.ai stock fell 10% after the company cut its outlook.",
            ("AI", "down", 10.0, "%", None, "price"),
        ),
        (
            "Alphabet lost $100 billion in market value after Bard gave a wrong answer.",
            ("GOOGL", "down", 1e11, "USD", None, "market_value"),
        ),
        (
            "Microsoft shares rose about 3% before paring gains.",
            ("MSFT", "up", 3.0, "%", "about", "price"),
        ),
        (
            "Shares in Taiwan Semiconductor Manufacturing Company fell as much as 4% on Wednesday.",
            ("TSM", "down", 4.0, "%", "up to", "price"),
        ),
        (
            "Micron Technology Inc.’s stock dropped more than 6% after China’s cyberspace regulator"
            " said that its products failed to pass a cybersecurity review.",
            ("MU", "down", 6.0, "%", "more than", "price"),
        ),
        ("Intel jumps 6% as it returns to profitability.", ("INTC", "up", 6.0, "%", None, "price")),
        (
            "Tesla’s share price fell by 9.8 percent on Thursday following disappointing results.",
            ("TSLA", "down", 9.8, "%", None, "price"),
        ),
        (
            "The ripples were felt in London, where education giant Pearson’s stock closed down 15%.",
            ("PSO", "down", 15.0, "%", None, "price"),
        ),
        (
            "Chegg CEO Dan Rosensweig said the stock's 48% plunge was overblown.",
            ("CHGG", "down", 48.0, "%", None, "price"),
        ),
        (
            "Nvidia added $1.2 billion in market value.",
            ("NVDA", "up", 1.2e9, "USD", None, "market_value"),
        ),
        (
            "Alphabet Stock Loses $1bn After New AI Chatbot Gives Wrong Answer.",
            ("GOOGL", "down", 1e9, "USD", None, "market_value"),
        ),
        (
            "Intel shares rose 7.5 percent in late trading.",
            ("INTC", "up", 7.5, "%", None, "price"),
        ),
        (
            "Nvidia shares finished 1.3% lower.",
            ("NVDA", "down", 1.3, "%", None, "price"),
        ),
        (
            "Baidu's market cap surged roughly 56% this year.",
            ("BIDU", "up", 56.0, "%", "about", "market_value"),
        ),
    ],
)
def test_realistic_sentences(resolver: EntityResolver, text: str, expected: tuple) -> None:
    assert summary(moves(resolver, text)) == [expected]


def test_pronoun_subject_takes_the_previous_sentence_company(resolver: EntityResolver) -> None:
    text = (
        "Meta reported its first increase in sales in nearly a year. "
        "Shares rose more than 9% after hours."
    )
    assert summary(moves(resolver, text)) == [("META", "up", 9.0, "%", "more than", "price")]


def test_company_not_in_entities_is_found_by_its_name(resolver: EntityResolver) -> None:
    acme = Entity(name="Acme Robotics", ticker="ACME", how="exchange")
    found = extract_moves("Acme Robotics shares fell 12% on Friday.", [acme], FRIDAY)
    assert summary(found) == [("ACME", "down", 12.0, "%", None, "price")]
    assert found[0].refers_to == date(2023, 5, 26)


# -- dates -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "published", "refers_to", "stated"),
    [
        ("Nvidia shares fell 3% on Feb. 16.", MONDAY, date(2024, 2, 16), True),
        ("Nvidia shares fell 3% yesterday.", MONDAY, date(2024, 2, 18), True),
        ("Nvidia shares fell 3% on Tuesday.", MONDAY, date(2024, 2, 13), True),
        ("Nvidia shares fell 3% last Friday.", FRIDAY, date(2023, 5, 19), True),
        ("Nvidia shares fell 3% on Friday.", FRIDAY, date(2023, 5, 26), True),
        (
            "Nvidia shares fell 3% on Dec. 28.",
            datetime(2024, 1, 3, tzinfo=UTC),
            date(2023, 12, 28),
            True,
        ),
        ("Nvidia shares fell 3% in early trading.", MONDAY, date(2024, 2, 19), False),
        ("Nvidia shares fell 3% on February 2, 2023.", None, date(2023, 2, 2), True),
    ],
)
def test_dates(
    resolver: EntityResolver, text: str, published: datetime | None, refers_to: date, stated: bool
) -> None:
    found = moves(resolver, text, published)
    assert [(m.refers_to, m.date_stated) for m in found] == [(refers_to, stated)]


def test_no_date_at_all_keeps_the_move_undated(resolver: EntityResolver) -> None:
    # Issue 8: a move without any date used to be dropped; it is kept with refers_to=None.
    found = moves(resolver, "Nvidia shares fell 3% on Friday.", None)
    assert summary(found) == [("NVDA", "down", 3.0, "%", None, "price")]
    assert (found[0].refers_to, found[0].date_stated) == (None, False)


# -- traps -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Nvidia said revenue rose 10% in the quarter.",
        "AMD revenue falls 18% as PC market shows continued weakness.",
        "Apple's sales fell 5% in China.",
        "The S&P 500 fell 1.3% for the week, weighed down by losses in Apple and Nvidia.",
        "The Nasdaq Composite rose 2% while Microsoft was flat.",
        "Reality Labs lost $4.3 billion in the fourth quarter of 2022, Meta reported.",
        "Taiwan Semiconductor Manufacturing Co. said its second-quarter net profit fell 23%.",
        "Meta shed 13% of its staff last year.",
        "Apple gained 2% market share in Europe.",
        "The stock market, where Ocado’s shares soared 32%, may have misread Apple.",
        "Shares of its South Korean and Chinese rivals of Samsung surged on Monday.",
        "Apple, Microsoft and Nvidia have collectively jumped 75% in 2023.",
        "OpenAI's valuation jumped 50% in a year.",
        "Nvidia’s founder added $7 billion to his net worth.",
        "Twitter’s web traffic dropped by nearly 8 percent last month.",
        "Elon Musk says Tesla's ad revenue has dropped by 50 percent.",
        "the company sells photos and videos worth around $1 billion a year, says Shutterstock.",
    ],
)
def test_not_a_stock_move(resolver: EntityResolver, text: str) -> None:
    # Index moves ("The S&P 500 fell 1.3%") are moves of kind "index" now, never of a company.
    assert [m for m in moves(resolver, text) if m.kind == "company"] == []


def test_no_entities_no_moves() -> None:
    assert extract_moves("Shares jumped 24% on Thursday.", [], FRIDAY) == []


RELATIVE = {
    # the relative clause right before the move word: what moved is named before it
    "Shares of Taiwan Semiconductor Manufacturing Corp, which manufactures all of Nvidia's "
    "advanced AI semiconductors climbed as much as 1.81%.": [("TSM", "up", 1.81)],
    "Shares of Adobe, which owns Photoshop, fell 7%.": [("ADBE", "down", 7.0)],
    # an intraday move is a move, whatever the shares did after hours
    "Alphabet shares, which slid as much as 9% during regular trading, were flat after hours.":
        [("GOOGL", "down", 9.0)],
    "Microsoft invested in OpenAI, which rose to fame.": [],
    # or an apposition
    "Shares of Adobe, the maker of Photoshop, fell 7%.": [("ADBE", "down", 7.0)],
}

NOUN_MOVES = {
    # a move said as a noun after its verb, when the stock is named
    "Dutch firm ASML and Taiwan's TSMC, two of the world's most important semiconductor "
    "firms, got a share price boost after Nvidia's earnings impressed investors.":
        [("ASML", "up", None), ("TSM", "up", None)],
    "Shares of ASML got a boost on Thursday.": [("ASML", "up", None)],
    "Nvidia shares took a hit on Tuesday.": [("NVDA", "down", None)],
    # no stock named: a company's boost or hit is not its shares'
    "Microsoft got a boost from OpenAI.": [],
    # transitive "lifted"/"boosted" is not a move of the subject's shares
    "Nvidia lifted its forecast.": [],
    "Microsoft boosted its stake in OpenAI.": [],
    "Shares of Adobe were lifted by the news.": [("ADBE", "up", None)],
    "Apple took a hit in China sales.": [],
    # a record high or low of a company is its stock's, unless the record is of something
    "Nvidia shares gain, and Microsoft hits a new all-time high as investor enthusiasm grows.":
        [("NVDA", "up", None), ("MSFT", "up", None)],
    "Nvidia stock closed at a record high.": [("NVDA", "up", None)],
    "Chegg shares hit a 52-week low.": [("CHGG", "down", None)],
    "Microsoft hit a record high in cloud revenue.": [],
    "Apple's MacBook Air M2 drops to an all-time low, plus the week's best tech deals.": [],
    "Microsoft's stock hit a record high.": [("MSFT", "up", None)],
    "Alphabet trading at highest since August as Wall Street cheers Google's A.I. plans.":
        [("GOOGL", "up", None)],
    "Nvidia stock closed at its lowest level since 2021.": [("NVDA", "down", None)],
    "Tesla sales hit their highest level since 2019.": [],
    "Adobe saw a jump in subscriptions.": [],
    # an article naming "Arm Holdings" means it by "Arm" too
    "Arm climbs 17% in Nasdaq debut. Arm Holdings, the chip design firm, began trading.":
        [("ARM", "up", 17.0)],
    # a move said as a noun before the stocks it is of
    "A steep drop in shares of Alphabet, Amazon.com and other technology companies dragged "
    "the Nasdaq Composite into correction territory.":
        [("GOOGL", "down", None), ("AMZN", "down", None)],
    "The report sparked a 5% jump in shares of Nvidia on Tuesday.": [("NVDA", "up", 5.0)],
    "The drop in shares of Chegg was the worst since 2021.": [("CHGG", "down", None)],
    # "stocks" right after a company is its stock; a group's ("tech stocks") is not
    "Alphabet stocks rose in after-hours trading on Tuesday.": [("GOOGL", "up", None)],
    "Microsoft and Nvidia stocks jumped 3%.": [("MSFT", "up", 3.0), ("NVDA", "up", 3.0)],
    "Tech stocks fell on Tuesday.": [],
    # a figure said before the company is another thing; one said of it is its own
    "Google's parent company reported a revenue of $69.8bn even as it races to implement "
    "cost-saving measures Alphabet stocks rose in after-hours trading on Tuesday.":
        [("GOOGL", "up", None)],
    "Revenue at Nvidia rose 20%.": [],
    # "up"/"down" without a figure, after a copula, when the stock is named
    "Shares of Best Buy and some other retailers were down as stores grappled with demand.":
        [("BBY", "down", None)],
    "Nvidia stock closed higher.": [("NVDA", "up", None)],
    "Microsoft sales were up as cloud grew.": [],
    "Intel shares were up to the task.": [],
    "Apple was down on its luck.": [],
    "Shares of Nvidia and other chipmakers rose.": [("NVDA", "up", None)],
    # a weak verb ("gain", "lose") after a stock noun is a move whatever follows
    "Microsoft stock is gaining after the software giant said Sam Altman would lead a team.":
        [("MSFT", "up", None)],
    "Microsoft gained ground in cloud.": [],
    "Sales of the iPhone maker Apple fell 3%.": [],
    # a forecast, a condition or a split figure is not
    "An increase in the stock price of Microsoft is expected.": [],
    "Analysts said the deal could spark a rally in shares of Adobe.": [],
    "A drop in shares of Intel and AMD of 3% and 2% respectively.": [],
    # the market moved by the stocks listed after "by"; a company moved by one is not
    "U.S. indexes were boosted by lenders' results as well as artificial-intelligence related "
    "companies such as Microsoft and Nvidia.": [("MSFT", "up", None), ("NVDA", "up", None)],
    "The Nasdaq was dragged lower by losses in Tesla and Apple.":
        [("TSLA", "down", None), ("AAPL", "down", None)],
    "Wall Street was held back by Tesla.": [("TSLA", "down", None)],
    "Nvidia was boosted by strong demand from Microsoft.": [],
    "Stocks were lifted by bank earnings, while losses in Tesla weighed.": [],
    "Stocks could be lifted by gains in Apple.": [],
    "Stocks were pulled by Apple.": [],
}


LISTS = {
    "Shares of Nvidia, AMD and Micron rose on Thursday.":
        [("NVDA", "up", None), ("AMD", "up", None), ("MU", "up", None)],
    "Shares of Microsoft and Alphabet both fell more than 2%.":
        [("MSFT", "down", 2.0), ("GOOGL", "down", 2.0)],
    "Nvidia and AMD shares rallied on the news.": [("NVDA", "up", None), ("AMD", "up", None)],
    "Chip stocks like NVIDIA, Qualcomm and Broadcom were boosted after the Federal Reserve "
    "rose the federal funds rate.": [("NVDA", "up", None), ("QCOM", "up", None),
                                     ("AVGO", "up", None)],
    "Tech names such as Apple and Microsoft fell 2%.": [("AAPL", "down", 2.0),
                                                        ("MSFT", "down", 2.0)],
    "Companies like Microsoft and Google rose to the challenge.": [],
    # the figure is shared out or summed: no move each (and not the first figure for the last)
    "Nvidia and AMD shares jumped 5% and 3% respectively.": [],
    "Apple, Microsoft and Nvidia have collectively jumped 40% this year.": [],
    # no stock named: companies "rising" are not moves
    "Microsoft and Google rose to the challenge.": [],
    # a list after the verb is not its subject
    "The rally lifted Marvell, Broadcom and Micron.": [],
}


SUBJECTS = {**RELATIVE, **NOUN_MOVES, **LISTS}


@pytest.mark.parametrize("text", list(SUBJECTS))
def test_what_moved_when_the_subject_is_a_list_a_clause_or_a_noun_move(resolver, text):
    """Each company of a listed subject gets the move; a relative clause or an apposition
    before the move word is skipped; a move said as a noun counts when the stock is named."""
    found = [(m.ticker, m.direction, m.magnitude) for m in moves(resolver, text)]
    assert found == SUBJECTS[text]
