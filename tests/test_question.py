"""Question understanding without an LLM: companies, tickers, intent, window, direction."""

from __future__ import annotations

import statistics
import time
from datetime import UTC, datetime, timedelta, timezone

import pytest

from bot.question import MAX_CHARS, Question, QuestionError, TimeWindow, parse_question
from index.entities import EntityResolver, TickerTable

NOW = datetime(2023, 12, 1, 12, 0, tzinfo=UTC)  # a Friday


def utc(year: int, month: int, day: int, hour: int = 0) -> datetime:
    return datetime(year, month, day, hour, tzinfo=UTC)


@pytest.fixture(scope="module")
def resolver() -> EntityResolver:
    return EntityResolver(TickerTable.load())


def ask(resolver: EntityResolver, text: str, now: datetime = NOW) -> Question:
    return parse_question(text, resolver, now)


def names(question: Question) -> list[str]:
    return [e.name for e in question.entities]


# -- the examples of the brief ---------------------------------------------------------------


def test_who_lost_from_sora(resolver: EntityResolver) -> None:
    q = ask(resolver, "who lost from Sora?")
    assert q.intent == "losers"
    assert q.tickers == []
    assert q.entities == []
    assert q.anchor == "Sora"
    assert q.window is None
    assert q.move_direction == "down"
    assert q.keywords == ["sora"]


def test_why_did_nvda_jump_in_may(resolver: EntityResolver) -> None:
    q = ask(resolver, "why did $NVDA jump in May?")
    assert q.intent == "why_moved"
    assert q.tickers == ["NVDA"]
    assert names(q) == ["Nvidia"]
    assert q.entities[0].how == "cashtag"
    assert q.move_direction == "up"
    assert q.window == TimeWindow(since=utc(2023, 5, 1), until=utc(2023, 6, 1), label="May 2023")
    assert q.anchor is None
    assert q.keywords == ["jump"]


def test_what_happened_with_adobe_and_figma(resolver: EntityResolver) -> None:
    q = ask(resolver, "what happened with Adobe and Figma?")
    assert q.intent == "what_happened"
    assert names(q) == ["Adobe", "Figma"]
    # The shared alias table lists Figma as listed on the NYSE (FIG, public since July 2025).
    assert q.tickers == ["ADBE", "FIG"]
    assert q.window is None
    assert q.move_direction is None
    assert q.keywords == []


def test_adbe_quote(resolver: EntityResolver) -> None:
    q = ask(resolver, "$ADBE quote")
    assert (q.intent, q.tickers, names(q), q.window) == ("price", ["ADBE"], ["Adobe"], None)


def test_capital_of_france(resolver: EntityResolver) -> None:
    q = ask(resolver, "what is the capital of France?")
    assert (q.intent, q.tickers, q.entities, q.window) == ("general", [], [], None)
    assert q.keywords == ["capital", "france"]


def test_who_won_the_2022_world_cup(resolver: EntityResolver) -> None:
    """Caught by "won" (winners is acceptable); "2022 World Cup" names an event, not a date."""
    q = ask(resolver, "who won the 2022 World Cup?")
    assert q.intent == "winners"
    assert q.tickers == []
    assert q.entities == []
    assert q.window is None
    assert q.keywords == ["world", "cup"]


def test_private_company_has_no_ticker(resolver: EntityResolver) -> None:
    q = ask(resolver, "news on openai")
    assert q.intent == "what_happened"
    assert q.tickers == []
    assert [(e.name, e.ticker, e.kind) for e in q.entities] == [("OpenAI", None, "private")]


# -- intent and direction ----------------------------------------------------------------------

INTENTS = [
    ("who lost from Sora?", "losers", [], "down"),
    ("which stocks fell after the Bard demo?", "losers", [], "down"),
    ("biggest losers this week", "losers", [], "down"),
    ("who got hurt by ChatGPT?", "losers", [], "down"),
    ("who benefits from the AI boom?", "winners", [], "up"),
    ("winners of the AI boom", "winners", [], "up"),
    ("which stocks rose after Nvidia earnings?", "winners", ["NVDA"], "up"),
    ("why did $NVDA jump?", "why_moved", ["NVDA"], "up"),
    ("why is Adobe down", "why_moved", ["ADBE"], "down"),
    ("why is adobe down today?", "why_moved", ["ADBE"], "down"),
    ("what moved Chegg", "why_moved", ["CHGG"], None),
    ("did nvda crash?", "why_moved", ["NVDA"], "down"),
    ("how did Chegg stock react to ChatGPT?", "why_moved", ["CHGG"], None),
    (
        "Did Baidu's share price drop after the Ernie chatbot unveiling?",
        "why_moved",
        ["BIDU"],
        "down",
    ),
    ("did AI stocks drop on reports of new chip limits?", "why_moved", [], "down"),
    ("what happened with Adobe and Figma?", "what_happened", ["ADBE", "FIG"], None),
    ("news on OpenAI", "what_happened", [], None),
    ("what's up with meta", "what_happened", ["META"], None),
    ("nvidia", "what_happened", ["NVDA"], None),
    ("nvda stock", "what_happened", ["NVDA"], None),
    ("$ADBE quote", "price", ["ADBE"], None),
    ("price of nvidia", "price", ["NVDA"], None),
    ("how much is NVDA trading at", "price", ["NVDA"], None),
    ("tsla quote pls", "price", ["TSLA"], None),
    ("whats behind qualcom getting crushed early august", "why_moved", ["QCOM"], "down"),
    ("why's $adbe been on a tear all june", "why_moved", ["ADBE"], "up"),
    ("which name went vertical after that forecast", "winners", [], "up"),
    ("what semi tanked first week of august", "losers", [], "down"),
    ("what media co mooned in late jan", "winners", [], "up"),
    ("which megacap had a monster day off its q4 earnings", "winners", [], "up"),
    ("microsoft went red after reporting in july, what gives", "why_moved", ["MSFT"], "down"),
    ("msft was green that monday, what was the catalyst", "why_moved", ["MSFT"], "up"),
    # a move word inside an event about another company is not the asked company's move
    ("how'd msft trade the same day alphabet got crushed", "why_moved", ["MSFT", "GOOGL"], None),
    ("why did nvda rip after its guidance", "why_moved", ["NVDA"], "up"),
    ("what will nvda trade at next year", "general", ["NVDA"], None),  # a forecast
    ("what is the capital of France?", "general", [], None),
    ("why is the sky blue?", "general", [], None),
    ("is nvidia a buy?", "general", ["NVDA"], None),
    ("Did Apple shares move on the report?", "why_moved", ["AAPL"], None),
    ("Adobe's move into AI", "what_happened", ["ADBE"], None),
    ("hello", "general", [], None),
]


@pytest.mark.parametrize(("text", "intent", "tickers", "direction"), INTENTS)
def test_intent(
    resolver: EntityResolver, text: str, intent: str, tickers: list[str], direction: str | None
) -> None:
    q = ask(resolver, text)
    assert (q.intent, q.tickers, q.move_direction) == (intent, tickers, direction)


# -- companies and tickers ---------------------------------------------------------------------

COMPANIES = [
    ("nvidia", ["NVDA"], ["Nvidia"]),
    ("adobe", ["ADBE"], ["Adobe"]),
    ("openai", [], ["OpenAI"]),
    ("NVIDIA", ["NVDA"], ["Nvidia"]),
    ("$NVDA", ["NVDA"], ["Nvidia"]),
    ("$nvda", ["NVDA"], ["Nvidia"]),
    ("NVDA", ["NVDA"], ["Nvidia"]),
    ("nvda stock", ["NVDA"], ["Nvidia"]),
    ("why did nvda drop?", ["NVDA"], ["Nvidia"]),
    ("WHY DID NVDA JUMP", ["NVDA"], ["Nvidia"]),
    ("msft vs googl", ["MSFT", "GOOGL"], ["Microsoft", "Alphabet (Google)"]),
    ("what about Microsoft and google?", ["MSFT", "GOOGL"], ["Microsoft", "Alphabet (Google)"]),
    ("$GOOG quote", ["GOOG"], ["Alphabet (Google)"]),
    ("$Adobe (ADBE.US)$ and $Tencent (00700.HK)$ news", ["ADBE", "0700.HK"], ["Adobe", "Tencent"]),
    ("Nvidia (NASDAQ: NVDA) news", ["NVDA"], ["Nvidia"]),
    ("apple stock", ["AAPL"], ["Apple"]),
    ("any intel on amd?", ["AMD"], ["AMD"]),
    ("intel earnings", ["INTC"], ["Intel"]),
    ("zoom stock", ["ZM"], ["Zoom"]),
    ("shares of workday", ["WDAY"], ["Workday"]),
    ("buy into the arm ipo", ["ARM"], ["Arm Holdings"]),
    ("arm debut in sept, did it pop?", ["ARM"], ["Arm Holdings"]),
    ("arm mooned like 50% after earnings", ["ARM"], ["Arm Holdings"]),
    # misspelt names, a possessive without its apostrophe, a lower-case "$" symbol
    ("how much was nvdia up ytd", ["NVDA"], ["Nvidia"]),
    ("whats behind qualcom getting crushed", ["QCOM"], ["Qualcomm"]),
    ("did micorsoft get hit", ["MSFT"], ["Microsoft"]),
    ("googles new ai bot", ["GOOGL"], ["Alphabet (Google)"]),
    ("how far is $net up since q3", ["NET"], ["Cloudflare"]),
    ("is the net up", [], []),
    # a product or person the company is known for, as "the <it> company/maker"
    ("why is the photoshop company's stock running", ["ADBE"], ["Adobe"]),
    ("zuck's company went vertical", ["META"], ["Meta Platforms (Facebook)"]),
    ("how did the iphone maker do", ["AAPL"], ["Apple"]),
    ("crwd blue screen outage", ["CRWD"], ["CrowdStrike"]),  # a symbol no word list knows
    ("windows 11 update", [], []),
    ("did zoom tank?", ["ZM"], ["Zoom"]),
    ("did mstr pump", ["MSTR"], ["Microstrategy"]),
    ("why did crwd rip after earnings", ["CRWD"], ["CrowdStrike"]),  # a guarded move word
    ("crwd stock", ["CRWD"], ["CrowdStrike"]),
    ("tell me about Samsung", ["005930.KS"], ["Samsung Electronics"]),
    ("any intel on nvidia?", ["NVDA"], ["Nvidia"]),
    ("zoom", ["ZM"], ["Zoom"]),
    ("WDAY stock", ["WDAY"], ["Workday"]),
    ("news on scale ai", [], ["Scale AI"]),
    ("how did doordash do after earnings", ["DASH"], ["DoorDash"]),
    ("how did coinbase trade", ["COIN"], ["Coinbase Global"]),
    ("did robinhood pump", ["HOOD"], ["Robinhood Markets"]),
    ("how did workday trade", ["WDAY"], ["Workday"]),
    # precision: ordinary words, acronyms and non-company senses give nothing
    ("apple pie recipe", [], []),
    ("amazon rainforest fires", [], []),
    ("who lost from SORA?", [], []),
    ("A ON IT ALL NOW AI", [], []),
    ("is it on now? all in on AI", [], []),
    ("$all $on $it", [], []),
    ("the CEO said the EU and US would act", [], []),
    ("zoom in on the chart", [], []),
    ("large scale ai models", [], []),
    ("what are the top AI stocks?", [], []),
    ("HBM stocks", [], []),
    ("the tree sap", [], []),
    ("did my target go up", [], []),  # an ordinary word: an SEC name needs a cue
    ("the best buy for a gaming pc", [], []),
]


@pytest.mark.parametrize(("text", "tickers", "entity_names"), COMPANIES)
def test_companies(
    resolver: EntityResolver, text: str, tickers: list[str], entity_names: list[str]
) -> None:
    q = ask(resolver, text)
    assert q.tickers == tickers
    assert names(q) == entity_names


# -- time windows -------------------------------------------------------------------------------

WINDOWS = [
    ("news today", NOW, utc(2023, 12, 1), None, "today"),
    ("what happened yesterday", NOW, utc(2023, 11, 30), utc(2023, 12, 1), "yesterday"),
    ("losers this week", NOW, utc(2023, 11, 27), None, "this week"),
    ("losers last week", NOW, utc(2023, 11, 20), utc(2023, 11, 27), "last week"),
    ("nvda in the past 7 days", NOW, utc(2023, 11, 24, 12), None, "past 7 days"),
    ("nvda last 30 days", NOW, utc(2023, 11, 1, 12), None, "last 30 days"),
    ("AI news this month", NOW, utc(2023, 12, 1), None, "this month"),
    ("AI news last month", NOW, utc(2023, 11, 1), utc(2023, 12, 1), "last month"),
    ("nvidia in May 2023", NOW, utc(2023, 5, 1), utc(2023, 6, 1), "May 2023"),
    ("what pushed msft green on monday nov 20", NOW, utc(2023, 11, 20), utc(2023, 11, 21),
     "2023-11-20"),
    ("who took a beating like feb 8ish", NOW, utc(2023, 2, 8), utc(2023, 2, 9), "2023-02-08"),
    ("amzn put money into anthropic in the fall", NOW, utc(2023, 9, 1), utc(2023, 12, 1),
     "fall 2023"),
    # holidays, a weekday before one, "right before" (the week before)
    # still to come: no news holds it
    ("what will nvda close at tomorrow", NOW, utc(2023, 12, 2), None, "tomorrow"),
    ("nvda next week", NOW, utc(2023, 12, 4), None, "next week"),
    ("msft green the monday before thanksgiving", NOW, utc(2023, 11, 20), utc(2023, 11, 21),
     "the Monday before Thanksgiving 2023 (2023-11-20)"),
    ("black friday movers", NOW, utc(2023, 11, 24), utc(2023, 11, 25),
     "Black Friday 2023 (2023-11-24)"),
    ("who ripped right before memorial day weekend 2023", NOW, utc(2023, 5, 20),
     utc(2023, 5, 27), "right before Memorial Day weekend 2023 (2023-05-29)"),
    ("nvda right after labor day 2023", NOW, utc(2023, 9, 5), utc(2023, 9, 12),
     "right after Labor Day 2023 (2023-09-04)"),
    ("orcl cratered in sept 2023, worst day since 2002", NOW, utc(2023, 9, 1), utc(2023, 10, 1),
     "September 2023"),
    ("best performing chip stock since may 2023", NOW, utc(2023, 5, 1), None, "since May 2023"),
    ("nvidia in may", NOW, utc(2023, 5, 1), utc(2023, 6, 1), "May 2023"),
    ("nvidia in May", utc(2024, 5, 10), utc(2024, 5, 1), None, "May 2024"),
    ("nvidia in May", utc(2024, 4, 30), utc(2023, 5, 1), utc(2023, 6, 1), "May 2023"),
    ("winners in 2022", NOW, utc(2022, 1, 1), utc(2023, 1, 1), "2022"),
    ("winners in 2023", NOW, utc(2023, 1, 1), None, "2023"),
    ("nvidia Q2 2023", NOW, utc(2023, 4, 1), utc(2023, 7, 1), "Q2 2023"),
    ("since 2023-05-01", NOW, utc(2023, 5, 1), None, "since 2023-05-01"),
    ("since March", NOW, utc(2023, 3, 1), None, "since March 2023"),
    ("before June 2023", NOW, None, utc(2023, 6, 1), "before June 2023"),
    (
        "between 2023-05-01 and 2023-06-30",
        NOW,
        utc(2023, 5, 1),
        utc(2023, 7, 1),
        "2023-05-01 to 2023-06-30",
    ),
    ("on May 25, 2023", NOW, utc(2023, 5, 25), utc(2023, 5, 26), "2023-05-25"),
    ("nvidia 2023-05-25", NOW, utc(2023, 5, 25), utc(2023, 5, 26), "2023-05-25"),
    ("after 2023-02-15", NOW, utc(2023, 2, 16), None, "after 2023-02-15"),
    ("from March to May", NOW, utc(2023, 3, 1), utc(2023, 6, 1), "March 2023 to May 2023"),
    ("surging in early 2023", NOW, utc(2023, 1, 1), utc(2023, 5, 1), "early 2023"),
    (
        "in the last week of August",
        NOW,
        utc(2023, 8, 25),
        utc(2023, 9, 1),
        "last week of August 2023",
    ),
    ("last Friday", NOW, utc(2023, 11, 24), utc(2023, 11, 25), "2023-11-24"),
    ("this summer", NOW, utc(2023, 6, 1), utc(2023, 9, 1), "summer 2023"),
    ("ytd", NOW, utc(2023, 1, 1), None, "year to date"),
    ("what happened in dec", NOW, utc(2023, 12, 1), None, "December 2023"),
    # ``now`` in another time zone is read in UTC: 01:00+05:00 is still 30 November in UTC
    (
        "today",
        datetime(2023, 12, 1, 1, tzinfo=timezone(timedelta(hours=5))),
        utc(2023, 11, 30),
        None,
        "today",
    ),
]


@pytest.mark.parametrize(("text", "now", "since", "until", "label"), WINDOWS)
def test_window(
    resolver: EntityResolver, text: str, now: datetime, since: datetime | None,
    until: datetime | None, label: str,
) -> None:  # fmt: skip
    window = ask(resolver, text, now).window
    assert window == TimeWindow(since=since, until=until, label=label)
    for value in (window.since, window.until):
        assert value is None or value.utcoffset() == timedelta(0)


NOT_DATES = [
    "who lost after Sora?",
    "OpenAI raised $70 million",
    "nvda up 7% on the day",
    "what did GPT-4 change?",
    "Q&A with Nvidia's CEO",
    "nvidia may drop",
    "May I ask why nvda fell?",
    "who won the 2022 World Cup?",
    "Q2 earnings",
    "top 10 AI stocks",
    "S&P 500 rally",
    "a $2023 price target",
    "Did Microsoft stock fall after its June-quarter results?",
    "what caused the fall in nvda",
    "how far is cloudflare up since it reported q3",
    "msft caught a bid the monday after the board fired altman",
    "worst day since 2002 for oracle",
    "who lost money in the fall of tesla shares",
]


@pytest.mark.parametrize("text", NOT_DATES)
def test_no_window(resolver: EntityResolver, text: str) -> None:
    assert ask(resolver, text).window is None


ANCHORS = [
    ("who lost from Sora?", "Sora"),
    ("which stocks fell after the Bard demo?", "Bard demo"),
    ("who got hurt by ChatGPT?", "ChatGPT"),
    ("winners of the AI boom", "AI boom"),
    ("who benefits from the AI boom?", "AI boom"),
    ("what happened after May 2023", None),
    ("why did $NVDA jump in May?", None),
    ("which stocks rose after Nvidia earnings?", "Nvidia earnings"),
    ("how did microsoft trade the day google's bard ad blew up", "google's bard ad blew up"),
    ("what did nvda do the same day", None),
]


@pytest.mark.parametrize(("text", "anchor"), ANCHORS)
def test_anchor(resolver: EntityResolver, text: str, anchor: str | None) -> None:
    q = ask(resolver, text)
    assert q.anchor == anchor
    if anchor is not None:
        assert q.window is None


def test_event_anchor_words_are_keywords(resolver: EntityResolver) -> None:
    q = ask(resolver, "which stocks fell after the Bard demo?")
    assert q.keywords == ["fell", "bard", "demo"]


def test_keywords_leave_out_companies_dates_and_stop_words(resolver: EntityResolver) -> None:
    q = ask(resolver, "OpenAI's GPT-4 Q&A in May 2023")
    assert q.keywords == ["gpt-4", "q&a"]
    assert names(q) == ["OpenAI"]
    assert q.window is not None and q.window.label == "May 2023"


# -- odd shapes, limits and errors ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "text", "tickers"),
    [
        ("  why   did $NVDA\n jump?   ", "why did $NVDA jump?", ["NVDA"]),
        ("  nvda 🚀🚀  ", "nvda 🚀🚀", ["NVDA"]),
        ("**why** did <@123456789> $NVDA jump? 🚀", "why did $NVDA jump? 🚀", ["NVDA"]),
        ("ＮＶＤＡ price", "NVDA price", ["NVDA"]),
        ("`$ADBE` quote\u200b", "$ADBE quote", ["ADBE"]),
    ],
)
def test_normalised_text(resolver: EntityResolver, raw: str, text: str, tickers: list[str]) -> None:
    q = ask(resolver, raw)
    assert (q.text, q.tickers) == (text, tickers)


@pytest.mark.parametrize("text", ["", "   ", "\n\t ", "🚀🚀", "?!", "<@123456789>"])
def test_empty_question(resolver: EntityResolver, text: str) -> None:
    with pytest.raises(QuestionError, match=r"^ask a question, e\.g\. "):
        ask(resolver, text)


def test_question_of_exactly_the_limit_is_accepted(resolver: EntityResolver) -> None:
    text = ("why did $NVDA jump in May? " * 30)[:MAX_CHARS]
    assert len(text) == 500
    q = ask(resolver, text + "   ")  # trailing spaces do not count
    assert q.tickers == ["NVDA"]
    assert q.intent == "why_moved"


@pytest.mark.parametrize("length", [501, 612])
def test_question_over_the_limit(resolver: EntityResolver, length: int) -> None:
    with pytest.raises(QuestionError) as caught:
        ask(resolver, "x" * length)
    assert str(caught.value) == f"questions are limited to 500 characters (got {length})"


def test_custom_limit(resolver: EntityResolver) -> None:
    assert parse_question("nvda stock", resolver, NOW, max_chars=10).tickers == ["NVDA"]
    with pytest.raises(QuestionError, match=r"limited to 10 characters \(got 11\)"):
        parse_question("why is nvda", resolver, NOW, max_chars=10)


def test_naive_now_is_a_programming_error(resolver: EntityResolver) -> None:
    with pytest.raises(ValueError, match="timezone-aware") as caught:
        parse_question("nvidia", resolver, datetime(2023, 12, 1))
    assert not isinstance(caught.value, QuestionError)


def test_question_round_trips_as_json(resolver: EntityResolver) -> None:
    q = ask(resolver, "why did $NVDA jump in May?")
    assert Question.model_validate_json(q.model_dump_json()) == q


def test_parse_is_fast(resolver: EntityResolver) -> None:
    questions = [text for text, *_ in INTENTS + COMPANIES + WINDOWS[:-1]] + ["x " * 240]
    for text in questions:  # warm-up
        ask(resolver, text)
    timings = []
    for _ in range(3):
        for text in questions:
            start = time.perf_counter()
            ask(resolver, text)
            timings.append(time.perf_counter() - start)
    assert statistics.median(timings) < 0.005


@pytest.mark.parametrize(("text", "chat"), [
    ("best pizza in nyc", True),
    ("did the knicks win last night", True),
    ("what did the EU vote on?", True),
    ("darktrace", True),
    ("why did nvda rip", False),
    ("what are the top AI stocks?", False),
    ("who won from the AI chip boom?", True),
    ("did chegg tank", False),
    ("who won the super bowl", True),
    ("who lost from sora?", False),
    ("who came out ahead in the chip stocks", False),
    ("who won besides nvda", False),
])
def test_chat_naming_no_company_market_or_move(resolver: EntityResolver, text: str,
                                               chat: bool) -> None:
    from bot.question.intent import is_chat

    assert is_chat(ask(resolver, text)) is chat
