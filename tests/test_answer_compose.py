"""Answer composition is a pure function: hand-made evidence in, a checked Answer out."""

from __future__ import annotations

from datetime import UTC, date, datetime

from bot.answer import Coverage, Evidence, compose_answer, plan_movers
from bot.answer.compose import describe_move
from bot.question.model import Question, TimeWindow
from bot.quotes import HistoricalClose, Quote, QuoteUnavailable
from index.reader import SearchHit
from index.records import Entity, Move

NOW = datetime(2024, 3, 1, 15, 0, tzinfo=UTC)
ADBE_SENTENCE = ("It is a tool company$Adobe (ADBE.US)$The day after Sora's announcement, "
                 "the stock price plummeted by more than 7%.")
SSTK_SENTENCE = ("Another US stock$Shutterstock (SSTK.US)$It fell more than 5% last Friday, and the "
                 "market value evaporated by more than $70 million overnight.")


def hit(article_id: str, text: str, dense: float = 0.6, title: str = "Sora's first victims") -> SearchHit:
    return SearchHit(
        article_id=article_id, chunk_id=hash(article_id) & 0xFFFF, position=0,
        url=f"https://example.com/{article_id}", title=title, outlet="Gelonghui via Futu",
        published=datetime(2024, 2, 19, 7, 7, tzinfo=UTC), text=text, tickers=["ADBE", "SSTK"],
        score=1.0, dense=dense,
    )


def moves() -> list[Move]:
    common = {"refers_to": date(2024, 2, 16), "date_stated": True, "qualifier": "more than"}
    return [
        Move(company="Adobe", ticker="ADBE", direction="down", magnitude=7, unit="%",
             sentence=ADBE_SENTENCE, **common),
        Move(company="Shutterstock", ticker="SSTK", direction="down", magnitude=5, unit="%",
             sentence=SSTK_SENTENCE, **common),
        Move(company="Shutterstock", ticker="SSTK", direction="down", magnitude=70e6, unit="USD",
             metric="market_value", sentence=SSTK_SENTENCE, **common),
    ]


def evidence(covered: bool = True) -> Evidence:
    return Evidence(
        hits=[hit("seed", ADBE_SENTENCE + " " + SSTK_SENTENCE + " Who will be next?"),
              hit("other", "Nvidia rose 3% on chip demand.", dense=0.2, title="Chips")],
        moves={"seed": moves(), "other": [Move(company="Nvidia", ticker="NVDA", direction="up",
               magnitude=3, unit="%", refers_to=date(2024, 2, 19),
               sentence="Nvidia rose 3% on chip demand.")]},
        entities={"seed": [Entity(name="Adobe", ticker="ADBE"),
                           Entity(name="Shutterstock", ticker="SSTK")]},
        covered=covered, relevance=0.6,
        coverage=Coverage(built_at=NOW, oldest_article=datetime(2023, 1, 1, tzinfo=UTC),
                          newest_article=datetime(2024, 2, 19, tzinfo=UTC), articles=3480),
    )


def losers() -> Question:
    return Question(text="who lost from Sora?", intent="losers", move_direction="down",
                    keywords=["lost", "sora"], anchor="Sora")


def test_losers_answer_names_movers_with_reported_moves_and_quotes():
    quotes = {
        "ADBE": Quote(symbol="ADBE", price=540.0, change_percent=-1.25, currency="USD",
                      as_of=datetime(2024, 3, 1, 14, 30, tzinfo=UTC), market_state="REGULAR"),
        "SSTK": QuoteUnavailable(symbol="SSTK", reason="Yahoo Finance unreachable (DNS)",
                                 kind="unreachable"),
    }
    closes = {"ADBE": HistoricalClose(symbol="ADBE", day=date(2024, 2, 16),
                                      requested_day=date(2024, 2, 16), close=600.0)}
    answer = compose_answer(losers(), evidence(), quotes, closes, NOW)
    assert answer.covered and answer.intent == "losers"
    assert [(m.name, m.ticker) for m in answer.movers] == [("Adobe", "ADBE"), ("Shutterstock", "SSTK")]
    adobe, sstk = answer.movers
    assert [r.text for r in adobe.reported] == ["down more than 7%"]
    assert [r.text for r in sstk.reported] == ["down more than 5%",
                                               "market value down more than $70 million"]
    assert all(r.citation == 1 for r in adobe.reported + sstk.reported)
    assert adobe.quote.price == 540.0 and adobe.quote.as_of == quotes["ADBE"].as_of
    assert round(adobe.since_article.change_percent, 2) == -10.0
    assert sstk.quote.unavailable == "quote unavailable: Yahoo Finance unreachable (DNS)"
    assert sstk.since_article is None
    assert "Nvidia" not in answer.text  # a far-off, rising article is not evidence of a loss
    assert answer.text.count("[1]") >= 2 and "[2]" not in answer.text
    assert "$Adobe (ADBE.US)$" not in answer.text and "Adobe (ADBE.US)" in answer.text
    assert [s.n for s in answer.sources] == [1]
    assert answer.sources[0].url == "https://example.com/seed"
    assert answer.freshness.quotes_as_of == {"ADBE": quotes["ADBE"].as_of}
    assert answer.freshness.newest_article_used == datetime(2024, 2, 19, 7, 7, tzinfo=UTC)


def test_not_covered_says_so_with_the_index_range():
    answer = compose_answer(losers(), evidence(covered=False), {}, {}, NOW)
    assert not answer.covered and answer.movers == [] and answer.sources == []
    assert "does not cover" in answer.text
    assert "3,480 articles published from 2023-01-01 to 2024-02-19" in answer.text


def test_winners_take_only_rising_moves():
    question = Question(text="who gained?", intent="winners", move_direction="up")
    ev = evidence()
    ev.hits[1].dense = 0.58
    assert [p.ticker for p in plan_movers(question, ev)] == ["NVDA"]


def test_price_question_quotes_each_ticker_with_timestamp():
    question = Question(text="$ADBE quote", intent="price", tickers=["ADBE"],
                        entities=[Entity(name="Adobe", ticker="ADBE")])
    quote = Quote(symbol="ADBE", price=512.3456, change_percent=0.5, currency="USD",
                  as_of=datetime(2024, 3, 1, 14, 30, tzinfo=UTC), market_state="CLOSED")
    answer = compose_answer(question, evidence(covered=False), {"ADBE": quote}, {}, NOW)
    assert answer.covered
    assert answer.text.startswith("Adobe (ADBE) last traded at 512.35 USD, +0.50% today as of "
                                  "2024-03-01 14:30 UTC (Yahoo Finance, market closed).")
    assert answer.movers[0].reported == []


def test_live_quote_does_not_answer_a_past_or_future_period():
    """ "did adbe cross $600 in jan 2022": a quote of today is shown but answers nothing, so
    the answer declines with the dates the news holds."""
    quote = Quote(symbol="ADBE", price=512.0, as_of=datetime(2024, 3, 1, 14, 30, tzinfo=UTC))
    for since, until in ((datetime(2022, 1, 1, tzinfo=UTC), datetime(2022, 2, 1, tzinfo=UTC)),
                         (datetime(2030, 1, 1, tzinfo=UTC), None)):
        question = Question(text="did adbe cross $600", intent="price", tickers=["ADBE"],
                            entities=[Entity(name="Adobe", ticker="ADBE")],
                            window=TimeWindow(since=since, until=until, label="then"))
        answer = compose_answer(question, evidence(covered=False), {"ADBE": quote}, {}, NOW)
        assert not answer.covered
        assert answer.text.startswith("Adobe (ADBE) last traded at 512.00")
        assert "does not cover this question" in answer.text
    this_week = TimeWindow(since=datetime(2024, 2, 26, tzinfo=UTC), label="this week")
    question = Question(text="adbe price this week", intent="price", tickers=["ADBE"],
                        entities=[Entity(name="Adobe", ticker="ADBE")], window=this_week)
    answer = compose_answer(question, evidence(covered=False), {"ADBE": quote}, {}, NOW)
    assert answer.covered and "does not cover" not in answer.text


def test_private_company_has_no_ticker():
    question = Question(text="what happened with openai", intent="what_happened",
                        entities=[Entity(name="OpenAI", kind="private")])
    answer = compose_answer(question, evidence(), {}, {}, NOW)
    assert [(m.name, m.ticker, m.label, m.quote) for m in answer.movers] == [
        ("OpenAI", None, "private", None)]


def test_describe_move_formats():
    m = moves()
    assert describe_move(m[2]) == "market value down more than $70 million"
    assert describe_move(m[0].model_copy(update={"qualifier": None, "magnitude": 7.5})) == "down 7.5%"
    # "climbed as much as 1.81%" is read with the qualifier "up to"
    assert describe_move(m[0].model_copy(update={"qualifier": "up to", "magnitude": 1.81,
                                                 "direction": "up"})) == "up as much as 1.81%"


def test_losers_named_in_a_falling_sentence_without_figures_are_listed():
    ev = Evidence(
        hits=[hit("edu", "Chegg plunged 48% on Tuesday. Pearson and Duolingo also slid as "
                         "investors worried. Coursera was unchanged.", title="Edtech rout")],
        moves={}, covered=True, relevance=0.6,
        entities={"edu": [Entity(name="Chegg", ticker="CHGG"), Entity(name="Pearson", ticker="PSO"),
                          Entity(name="Duolingo", ticker="DUOL"), Entity(name="Coursera", ticker="COUR"),
                          Entity(name="OpenAI", kind="private")]},
    )
    question = Question(text="which education stocks got hit?", intent="losers", move_direction="down")
    answer = compose_answer(question, ev, {}, {}, NOW)
    assert [(m.ticker, m.mentioned_in, m.reported) for m in answer.movers] == [
        ("CHGG", [1], []), ("PSO", [1], []), ("DUOL", [1], [])]
