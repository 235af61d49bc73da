"""Company and ticker resolution: explicit markup, names, precision traps, the seed article."""

from __future__ import annotations

from pathlib import Path

import pytest

from index.entities import EntityResolver, TickerTable, render_markup
from index.records import Entity

SEED = Path(__file__).resolve().parent.parent / "sample" / "sora-first-victims-2024-02-19.md"


def seed_text() -> str:
    """The seed article's body (the sample file without its front matter)."""
    return SEED.read_text(encoding="utf-8").split("\n---\n", 1)[1]


@pytest.fixture(scope="module")
def table() -> TickerTable:
    return TickerTable.load()


@pytest.fixture(scope="module")
def resolver(table: TickerTable) -> EntityResolver:
    return EntityResolver(table)


def tickers(entities: list[Entity]) -> list[str | None]:
    return [e.ticker for e in entities]


def one(resolver: EntityResolver, text: str) -> Entity:
    found = resolver.find(text)
    assert len(found) == 1, found
    return found[0]


# -- explicit markup -------------------------------------------------------------------------


def test_futu_markup(resolver: EntityResolver) -> None:
    entity = one(resolver, "it is a tool company$Adobe (ADBE.US)$The day after")
    assert (entity.name, entity.ticker, entity.how, entity.exchange) == (
        "Adobe", "ADBE", "markup", "Nasdaq",
    )  # fmt: skip


def test_futu_markup_hong_kong_and_unknown_listing(resolver: EntityResolver) -> None:
    found = resolver.find("$Tencent (00700.HK)$ and $Kweichow Moutai (600519.SH)$ rose")
    assert [(e.name, e.ticker, e.kind, e.exchange, e.how) for e in found] == [
        ("Tencent", "0700.HK", "foreign", "HKEX", "markup"),
        ("Kweichow Moutai", "600519.SS", "foreign", "SSE", "markup"),
    ]


def test_rendered_markup_is_still_markup(resolver: EntityResolver) -> None:
    text = "a tool company$Adobe (ADBE.US)$The day after, and $Tencent (00700.HK)$."
    rendered = render_markup(text)
    assert rendered == "a tool company Adobe (ADBE.US) The day after, and Tencent (00700.HK)."
    assert [(e.ticker, e.how) for e in resolver.find(rendered)] == [
        ("ADBE", "markup"), ("0700.HK", "markup"),
    ]  # fmt: skip


def test_futu_index_markup_is_not_a_company(resolver: EntityResolver) -> None:
    assert (
        resolver.find("$Nasdaq Composite Index (.IXIC.US)$ fell while $S&P 500 Index (.SPX.US)$")
        == []
    )


def test_dollar_amounts_are_not_markup(resolver: EntityResolver) -> None:
    text = (
        "the market value evaporated by more than $70 million overnight. According to public "
        "information, the company sells photos and videos worth around $1 billion a year."
    )
    assert resolver.find(text) == []
    assert resolver.find("What is the concept of $7 trillion? It costs $1.5B, or US$5.") == []


def test_cashtags(resolver: EntityResolver) -> None:
    found = resolver.find("Traders bought $NVDA and $nvda calls, sold $BRK.B; $AI popped")
    assert [(e.ticker, e.how, e.mentions) for e in found] == [
        ("NVDA", "cashtag", 2), ("BRK-B", "cashtag", 1), ("AI", "cashtag", 1),
    ]  # fmt: skip


def test_cashtag_traps(resolver: EntityResolver) -> None:
    text = "It sells for $AUD 2,399 and $US187m in profit; $all of it is $70, not $ZZZZQ."
    assert resolver.find(text) == []


@pytest.mark.parametrize(
    ("text", "ticker", "exchange"),
    [
        ("Nvidia Corp. (NASDAQ: NVDA) said", "NVDA", "Nasdaq"),
        ("the company (NYSE: IBM) reported", "IBM", "NYSE"),
        ("Microsoft (Nasdaq:MSFT) will", "MSFT", "Nasdaq"),
    ],
)
def test_exchange_mentions(resolver: EntityResolver, text: str, ticker: str, exchange: str) -> None:
    entity = one(resolver, text)
    assert (entity.ticker, entity.exchange, entity.how) == (ticker, exchange, "exchange")


def test_exchange_mentions_several_in_one_parenthesis(resolver: EntityResolver) -> None:
    found = resolver.find("Chipmakers (NASDAQ: NVDA, NYSE: IBM) and Toyota (TSE: 7203) rose.")
    assert [(e.ticker, e.how) for e in found] == [
        ("NVDA", "exchange"), ("IBM", "exchange"), ("TM", "exchange"),
    ]  # fmt: skip
    assert resolver.find("(LSE: the London exchange) and (note: B)") == []


def test_exchange_mention_of_unknown_symbol_takes_the_name_before(resolver: EntityResolver) -> None:
    entity = one(resolver, "Shares of Acme Robotics (NASDAQ: ZZZQ) rose.")
    assert (entity.name, entity.ticker, entity.exchange, entity.kind) == (
        "Acme Robotics", "ZZZQ", "Nasdaq", "listed",
    )  # fmt: skip


def test_explicit_short_ticker_that_is_a_word(resolver: EntityResolver) -> None:
    assert tickers(resolver.find("Agilent (NYSE: A) and $ON rose")) == ["A", "ON"]


# -- names -----------------------------------------------------------------------------------


def test_curated_aliases_use_canonical_names(resolver: EntityResolver) -> None:
    found = resolver.find("Google, Facebook and Advanced Micro Devices met Nvidia's CEO.")
    assert [(e.name, e.ticker, e.how) for e in found] == [
        ("Alphabet (Google)", "GOOGL", "alias"),
        ("Meta Platforms (Facebook)", "META", "alias"),
        ("AMD", "AMD", "alias"),
        ("Nvidia", "NVDA", "alias"),
    ]


def test_sec_names_with_legal_suffix_stripped(resolver: EntityResolver) -> None:
    found = resolver.find("CrowdStrike, Texas Instruments and Arista Networks gained.")
    assert [(e.ticker, e.how, e.exchange) for e in found] == [
        ("CRWD", "name", "Nasdaq"), ("TXN", "name", "Nasdaq"), ("ANET", "name", "NYSE"),
    ]  # fmt: skip


def test_sec_names_without_a_generic_last_word(resolver: EntityResolver) -> None:
    # "Coinbase Global", "Robinhood Markets": the news writes "Coinbase", "Robinhood"
    found = resolver.find("Shares of Coinbase and Robinhood rallied with bitcoin.")
    assert tickers(found) == ["COIN", "HOOD"]
    assert tickers(resolver.find("Global markets rallied.")) == []


def test_longest_name_wins(resolver: EntityResolver) -> None:
    assert tickers(resolver.find("Apple Hospitality REIT is not Apple.")) == ["APLE", "AAPL"]
    assert tickers(resolver.find("Match Group owns Tinder.")) == ["MTCH"]


@pytest.mark.parametrize(
    ("text", "ticker", "exchange"),
    [
        ("TSMC makes the chips", "TSM", "NYSE"),
        ("Taiwan Semiconductor Manufacturing Company said", "TSM", "NYSE"),
        ("Samsung Electronics said", "005930.KS", "KRX"),
        ("ASML shipped", "ASML", "Nasdaq"),
        ("rival SK Hynix said", "000660.KS", "KRX"),
        ("backed by SoftBank", "9984.T", "TSE"),
    ],
)
def test_foreign_listings(resolver: EntityResolver, text: str, ticker: str, exchange: str) -> None:
    entity = one(resolver, text)
    assert (entity.ticker, entity.kind, entity.exchange) == (ticker, "foreign", exchange)


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("Open AI released Sora", ["OpenAI"]),
        ("OpenAI's Sam Altman", ["OpenAI"]),
        ("Anthropic and Google", ["Anthropic", "Alphabet (Google)"]),
        ("Elon Musk's xAI", ["xAI"]),
        ("images from Midjourney", ["Midjourney"]),
        ("Stability AI raised", ["Stability AI"]),
        ("rivals such as Runway and Pika", ["Runway", "Pika"]),
        ("Hugging Face hosts Mistral AI models", ["Hugging Face", "Mistral AI"]),
        ("TikTok owner ByteDance", ["ByteDance (TikTok)"]),
        ("Character.AI's chatbots", ["Character.AI"]),
        ("Databricks, Cohere and Perplexity raised", ["Databricks", "Cohere", "Perplexity"]),
        ("SpaceX and Scale AI", ["SpaceX", "Scale AI"]),
    ],
)
def test_private_companies(resolver: EntityResolver, text: str, names: list[str]) -> None:
    found = resolver.find(text)
    assert [e.name for e in found] == names
    for entity in found:
        listed = entity.name == "Alphabet (Google)"
        assert (entity.kind, entity.ticker is None) == (
            ("listed", False) if listed else ("private", True)
        )


@pytest.mark.parametrize(
    "text",
    [
        "A new model is out.",
        "ON the other hand, it works.",
        "The net income fell.",
        "He wants all of it.",
        "AI is everywhere.",
        "Ask the IT department.",
        "Target audience: teens.",
        "She baked an apple pie.",
        "Apple pie is American.",
        "A meta-analysis and a Meta-analysis.",
        "The Gap between them. Visa applications rose. Ford said it is time.",
        "Zoom In on the details.",
        "Professor John Pearson said so.",
        "Nikola Tesla invented it.",
        "Join the AI & Quantum Computing panel.",
        "Acer has the Helios 16, and owners of the Venu 2 may update.",
        "He is the NOW generation of CAT lovers on the NET.",
        "The Dow and the Nasdaq fell.",
        "Image: Getty Images. Photo by Jo Ng/Getty Images.",
    ],
)
def test_ordinary_words_give_no_ticker(resolver: EntityResolver, text: str) -> None:
    assert resolver.find(text) == []


def test_ambiguous_alias_counts_mid_sentence(resolver: EntityResolver) -> None:
    found = resolver.find("It competes with Zoom and Slack; education giant Pearson’s stock fell.")
    assert tickers(found) == ["ZM", "PSO"]


def test_mentions_are_merged_and_ordered(resolver: EntityResolver) -> None:
    text = "Shutterstock fell. Nvidia rose. NVIDIA and $NVDA again; Shutterstock too."
    found = resolver.find(text)
    assert [(e.ticker, e.mentions, e.how) for e in found] == [
        ("SSTK", 2, "alias"), ("NVDA", 3, "cashtag"),
    ]  # fmt: skip


def test_real_2023_sentences(resolver: EntityResolver) -> None:
    text = (
        "Big tech names Apple, Microsoft, Alphabet, Amazon, Nvidia, Tesla and Meta, the "
        "so-called Magnificent Seven, have collectively jumped 75% in 2023, leaving the other "
        "493 companies in the S&P 500 in their dust."
    )
    assert tickers(resolver.find(text)) == ["AAPL", "MSFT", "GOOGL", "AMZN", "NVDA", "TSLA", "META"]
    text = "Micron Technology Inc.’s stock dropped more than 6% after China’s cyberspace regulator said"
    assert tickers(resolver.find(text)) == ["MU"]
    text = "Microsoft inks deal for A.I. computing power with Nvidia-backed CoreWeave"
    assert tickers(resolver.find(text)) == ["MSFT", "NVDA", "CRWV"]


# -- the seed article ------------------------------------------------------------------------


def test_seed_entities(resolver: EntityResolver) -> None:
    found = resolver.find(seed_text())
    by_ticker = {e.ticker: e for e in found if e.ticker}
    assert set(by_ticker) == {
        "ADBE", "SSTK", "NVDA", "AMD", "TSM", "AVGO", "ASML", "META", "005930.KS", "INTC",
        "QCOM", "BABA",
    }  # fmt: skip
    assert by_ticker["ADBE"].how == "markup"
    assert by_ticker["SSTK"].how == "markup"
    assert by_ticker["TSM"].kind == "foreign"
    assert by_ticker["005930.KS"].kind == "foreign"
    private = {e.name for e in found if e.kind == "private"}
    assert private == {"OpenAI", "Runway", "Pika", "ByteDance (TikTok)"}
    openai = next(e for e in found if e.name == "OpenAI")
    assert openai.mentions == 9  # five "OpenAI" and four "Open AI"


# -- table look-ups --------------------------------------------------------------------------


def test_lookup_ticker(table: TickerTable) -> None:
    nvda = table.lookup_ticker("nvda")
    assert nvda is not None
    assert (nvda.name, nvda.ticker, nvda.exchange) == ("Nvidia", "NVDA", "Nasdaq")
    adbe = table.lookup_ticker("ADBE.US")
    assert adbe is not None and adbe.ticker == "ADBE"
    goog = table.lookup_ticker("$GOOG")
    assert goog is not None and (goog.name, goog.ticker) == ("Alphabet (Google)", "GOOG")
    tencent = table.lookup_ticker("00700.HK")
    assert tencent is not None and (tencent.name, tencent.kind) == ("Tencent", "foreign")
    assert table.lookup_ticker("ZZZZQ") is None


def test_lookup_name_and_known_tickers(table: TickerTable) -> None:
    adobe = table.lookup_name("adobe")
    assert adobe is not None and adobe.ticker == "ADBE"
    assert table.lookup_name("no such company") is None
    known = table.known_tickers()
    assert known == sorted(known)
    assert {"NVDA", "005930.KS", "0700.HK", "SSTK"} <= set(known)


def test_load_from_explicit_paths(tmp_path: Path) -> None:
    sec = tmp_path / "sec.json"
    sec.write_text(
        '{"fields":["cik","name","ticker","exchange"],"data":[[1,"Widget Robotics Inc.","WDGT",'
        '"Nasdaq"],[2,"Target Corp","TGT","NYSE"],[3,"Pink Sheet Co","PNKS","OTC"]]}',
        encoding="utf-8",
    )
    aliases = tmp_path / "aliases.toml"
    aliases.write_text('[[company]]\nname = "OpenAI"\naliases = ["OpenAI"]\n', encoding="utf-8")
    table = TickerTable.load(sec, aliases)
    resolver = EntityResolver(table)
    found = resolver.find("Widget Robotics and OpenAI hit a Target; Pink Sheet rose.")
    assert [(e.name, e.ticker, e.kind) for e in found] == [
        ("Widget Robotics", "WDGT", "listed"), ("OpenAI", None, "private"),
    ]  # fmt: skip
    otc = table.lookup_ticker("PNKS")
    assert otc is not None and otc.exchange == "OTC"
