"""Integration: the answer engine with the real model on the sample, quotes replayed or down."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bench.grounding import ungrounded
from bot.answer import Answer
from bot.question import QuestionError
from bot.quotes import FakeQuoteProvider, QuoteSettings, YahooQuoteProvider
from bot.services import Services, build_services
from bot.settings import AnswerSettings
from index.reader import IndexReader
from index.settings import IndexSettings
from tests.conftest import assert_sora_losers
from tests.yahoo_replay import (
    ReplayAdapter,
    dns_error,
    isolate_yfinance,
    recorded_charts,
    replay_session,
)

pytestmark = pytest.mark.integration
NOW = datetime(2025, 10, 6, 15, 0, tzinfo=UTC)


def services(index_dir, embedder, quotes) -> Services:
    return build_services(
        IndexSettings(_env_file=None, index_dir=index_dir),  # type: ignore[call-arg]
        AnswerSettings(_env_file=None),  # type: ignore[call-arg]
        QuoteSettings(_env_file=None),  # type: ignore[call-arg]
        embedder=embedder, quotes=quotes,
    )


def yahoo(tmp_path, adapter: ReplayAdapter) -> YahooQuoteProvider:
    isolate_yfinance(tmp_path)
    return YahooQuoteProvider(QuoteSettings(_env_file=None, timeout_seconds=5),  # type: ignore[call-arg]
                              session=replay_session(adapter))


async def test_who_lost_from_sora_offline(sample_index, real_embedder, tmp_path):
    adapter = ReplayAdapter(fail=dns_error)
    svc = services(sample_index, real_embedder, yahoo(tmp_path, adapter))
    answer = await svc.engine.ask("who lost from Sora?", now=NOW)
    movers = assert_sora_losers(answer)
    for mover in (movers["ADBE"], movers["SSTK"]):
        assert mover.quote.unavailable.startswith("quote unavailable: Yahoo Finance unreachable")
    assert answer.sources[0].title == "Sora's first wave of victims has appeared"
    assert answer.sources[0].outlet == "Gelonghui via Futu"
    assert answer.sources[0].published.date().isoformat() == "2024-02-19"
    assert "[1]" in answer.text and ("Adobe" in answer.text or "Shutterstock" in answer.text)
    assert answer.freshness.quotes_as_of == {}


async def test_recorded_yahoo_quote_shows_real_values(sample_index, real_embedder, tmp_path):
    adapter = ReplayAdapter(recorded_charts("MSFT"))
    svc = services(sample_index, real_embedder, yahoo(tmp_path, adapter))
    answer = await svc.engine.ask("what is microsoft doing with openai?", now=NOW)
    assert answer.covered
    msft = next(m for m in answer.movers if m.ticker == "MSFT")
    assert msft.quote.price == pytest.approx(541.55, abs=0.01)
    assert msft.quote.currency == "USD" and msft.quote.as_of is not None
    assert answer.freshness.quotes_as_of["MSFT"] == msft.quote.as_of
    assert any(s.title.startswith("Microsoft deepens OpenAI") for s in answer.sources)
    assert adapter.data_calls("MSFT")  # the price came through yfinance from the recording


@pytest.mark.parametrize("question", [
    "what is the capital of France?",
    "who won the 2022 World Cup?",
    "how do I bake banana bread? 🍌",
])
async def test_out_of_scope_is_not_covered(sample_index, real_embedder, question):
    svc = services(sample_index, real_embedder, FakeQuoteProvider())
    answer = await svc.engine.ask(question, now=NOW)
    assert not answer.covered
    assert "does not cover" in answer.text and "2023-01-23 to 2024-02-19" in answer.text
    assert answer.sources == [] and answer.movers == []


@pytest.mark.parametrize(("question", "ticker"), [
    ("nvidia", "NVDA"),
    ("why did $NVDA jump?   ", "NVDA"),
    ("WHY DID CHEGG STOCK CRASH 📉", "CHGG"),
    ("what happened to adobe after sora?", "ADBE"),
])
async def test_odd_shapes(sample_index, real_embedder, question, ticker):
    svc = services(sample_index, real_embedder, FakeQuoteProvider({ticker: 100.0}))
    answer = await svc.engine.ask(question, now=NOW)
    assert answer.covered
    assert ticker in [m.ticker for m in answer.movers]
    assert answer.sources and "[1]" in answer.text


async def test_limits_are_clear(sample_index, real_embedder):
    svc = services(sample_index, real_embedder, FakeQuoteProvider())
    with pytest.raises(QuestionError, match="limited to 500 characters"):
        await svc.engine.ask("why " * 130, now=NOW)
    with pytest.raises(QuestionError, match="ask a question"):
        await svc.engine.ask("   ", now=NOW)


QUESTIONS = [
    "who lost from Sora?", "which stocks fell after sora", "why did nvidia shares jump?",
    "why did chegg fall?", "who won from the AI chip boom?", "how much did nvidia's value rise?",
    "what happened with adobe?", "shutterstock", "what did the EU vote on?",
    "how much is microsoft investing in openai?", "winners of generative AI", "AMD stock",
    "who got hurt by chatgpt?", "what happened to pearson and duolingo?", "$SSTK", "Sora",
    "market value lost by shutterstock", "how big could the AI data center market get?",
    "what did Jensen Huang say?", "7 trillion dollars", "which companies could Altman buy?",
    "besides adobe, who got wrecked by sora?",
]


@pytest.mark.parametrize("question", QUESTIONS)
async def test_every_number_comes_from_a_cited_passage_or_a_quote(
    sample_index, real_embedder, question
):
    svc = services(sample_index, real_embedder, FakeQuoteProvider({"NVDA": 123.45, "ADBE": 500.0}))
    answer: Answer = await svc.engine.ask(question, now=NOW)
    reader = IndexReader.open(sample_index)
    assert ungrounded(answer, reader.article_text) == []
