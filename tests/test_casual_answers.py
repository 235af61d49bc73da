"""Integration: questions as people type them, answered with the real model on the sample
index (the bundled Sora article plus four fixture articles from 2023 and 2024)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.quotes import FakeQuoteProvider, QuoteSettings
from bot.services import Services, build_services
from bot.settings import AnswerSettings
from index.settings import IndexSettings
from tests.conftest import FIXTURES, assert_sora_losers, ingest_folders

pytestmark = pytest.mark.integration
TODAY = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)  # long after the news: years must be inferred


def services(index_dir: Path, embedder) -> Services:
    return build_services(
        IndexSettings(_env_file=None, index_dir=index_dir),  # type: ignore[call-arg]
        AnswerSettings(_env_file=None),  # type: ignore[call-arg]
        QuoteSettings(_env_file=None),  # type: ignore[call-arg]
        embedder=embedder, quotes=FakeQuoteProvider({"ADBE": 500.0, "NVDA": 120.0}),
    )


@pytest.fixture(scope="module")
def raw_index(tmp_path_factory, real_embedder) -> Path:
    """The seed article pasted as a plain .txt: no front matter, no parseable date."""
    return ingest_folders(tmp_path_factory.mktemp("raw") / "index", real_embedder,
                          {"raw": FIXTURES / "raw"}, 1)


async def test_who_lost_from_sora_on_the_raw_seed_text(raw_index, real_embedder):
    answer = await services(raw_index, real_embedder).engine.ask("who lost from Sora?", now=TODAY)
    movers = assert_sora_losers(answer)
    assert all(r.refers_to is None and r.day_text == "(date not stated)"
               for m in movers.values() for r in m.reported)
    # The text names each mover with its stated move, cited.
    assert "Adobe (ADBE): down more than 7% [1]" in answer.text


@pytest.mark.parametrize("question", [
    "how did nvda trade after the blackwell reveal",
    "how much did nvda lose on the deepseek selloff",
    "what did nvda do after the 10-for-1 split",
])
async def test_things_the_news_never_mentions_are_not_covered(sample_index, real_embedder,
                                                              question):
    answer = await services(sample_index, real_embedder).engine.ask(question, now=TODAY)
    assert not answer.covered, answer.text
    assert not answer.sources
    assert any("never mentions" in a for a in answer.assumptions), answer.assumptions


async def test_slang_losers_with_an_exclusion(sample_index, real_embedder):
    engine = services(sample_index, real_embedder).engine
    answer = await engine.ask("who got smoked when openai dropped sora", now=TODAY)
    assert answer.covered and answer.intent == "losers"
    assert [m.ticker for m in answer.movers][:2] == ["ADBE", "SSTK"]
    answer = await engine.ask("besides adobe, who got wrecked by sora?", now=TODAY)
    assert answer.intent == "losers"
    assert "ADBE" not in [m.ticker for m in answer.movers]
    assert "SSTK" in [m.ticker for m in answer.movers]
    assert "not counting Adobe (ADBE)" in answer.assumptions
    # Adobe's own move is told apart, cited, for context.
    assert [m.ticker for m in answer.not_counted] == ["ADBE"]
    assert "Adobe (ADBE) (not counted): down more than 7% [" in answer.text


async def test_a_month_without_a_year_is_the_latest_one_the_news_covers(sample_index,
                                                                        real_embedder):
    answer = await services(sample_index, real_embedder).engine.ask(
        "why did chegg tank in may", now=TODAY)
    assert answer.covered and answer.intent == "why_moved"
    assert answer.assumptions[0].startswith("taking May as May 2023")
    assert "48%" in answer.text
    assert answer.sources[0].url.endswith("/chegg-chatgpt")


async def test_how_much_puts_the_figure_sentence_first(sample_index, real_embedder):
    answer = await services(sample_index, real_embedder).engine.ask(
        "how hard did nvda rip on the guidance", now=TODAY)
    assert answer.intent == "how_much" and answer.covered
    assert answer.text.startswith("Shares of Nvidia (NASDAQ: NVDA) jumped 24% on Thursday")
    assert [m.ticker for m in answer.movers] == ["NVDA"]


def spy_move_articles(engine, monkeypatch) -> list[tuple]:
    """Record (since, until, tickers, direction) of each look-up of reported-move articles."""
    reader = engine.retriever.live.reader()
    calls: list[tuple] = []
    moves_of = reader.move_articles

    def spy(since=None, until=None, tickers=(), limit=200, direction=None):
        calls.append((since, until, tuple(tickers), direction))
        return moves_of(since, until, tickers, limit=limit, direction=direction)

    monkeypatch.setattr(reader, "move_articles", spy)
    return calls


async def test_an_anchored_events_days_are_searched_first_for_reported_moves(
        sample_index, real_embedder, monkeypatch):
    engine = services(sample_index, real_embedder).engine
    calls = spy_move_articles(engine, monkeypatch)
    answer = await engine.ask("when adobe tanked on the sora news, what did sstk do", now=TODAY)
    anchored = [a for a in answer.assumptions if a.startswith("anchored on")]
    assert anchored, answer.assumptions
    # first the days around the event (no window was asked), then any time
    assert calls[0][0] is not None and calls[0][1] is not None
    assert calls[0][0].date().isoformat() <= anchored[0][-10:] <= calls[0][1].date().isoformat()
    assert calls[1][:2] == (None, None)
    assert "SSTK" in {m.ticker for m in answer.movers}


async def test_winners_losers_in_a_short_window_read_its_reported_moves(
        sample_index, real_embedder, monkeypatch):
    engine = services(sample_index, real_embedder).engine
    calls = spy_move_articles(engine, monkeypatch)
    answer = await engine.ask("which names bled in early may", now=TODAY)
    assert answer.intent == "losers" and answer.covered
    assert [(s.date().isoformat(), u.date().isoformat(), d) for s, u, _, d in calls] == [
        ("2023-05-01", "2023-05-10", "down")]
    assert "CHGG" in [m.ticker for m in answer.movers]


async def test_winners_on_a_day_read_the_days_moves_beside_the_event(
        sample_index, real_embedder, monkeypatch):
    engine = services(sample_index, real_embedder).engine
    calls = spy_move_articles(engine, monkeypatch)
    answer = await engine.ask("who ripped on may 25 off nvda's blowout forecast", now=TODAY)
    assert answer.intent == "winners" and answer.covered
    assert any(a.startswith("anchored on") for a in answer.assumptions), answer.assumptions
    assert [(s.date().isoformat(), d) for s, _, _, d in calls][:1] == [("2023-05-25", "up")]
    assert "NVDA" in [m.ticker for m in answer.movers]
