"""The application layer every front end calls: one error-to-words mapping, one question
limit, bounded close. Offline and fast: an empty index directory and the fake embedder."""

from __future__ import annotations

import asyncio
import logging
import time
from pathlib import Path

import pytest

from bot.app import (
    GENERIC_ERROR,
    INDEX_UNAVAILABLE,
    NOT_ALLOWED,
    TIMED_OUT,
    BotApp,
    NotAllowed,
    TooFast,
    UserFacingError,
    is_expected,
    user_message,
)
from bot.discord_settings import DiscordSettings
from bot.question import QuestionError
from bot.quotes import FakeQuoteProvider, InvalidSymbol, QuoteSettings, QuoteUnavailable
from bot.services import Services, build_services
from bot.settings import AnswerSettings
from index.embedding import FakeEmbedder
from index.errors import IndexCorrupt, IndexNotFound
from index.settings import IndexSettings


def app_for(index_dir: Path, quotes: FakeQuoteProvider | None = None, **answer: object) -> BotApp:
    services = build_services(
        IndexSettings(_env_file=None, index_dir=index_dir, embedding_model="fake:64"),  # type: ignore[call-arg]
        AnswerSettings(_env_file=None, **answer),  # type: ignore[arg-type]
        QuoteSettings(_env_file=None),  # type: ignore[call-arg]
        embedder=FakeEmbedder(dimension=64), quotes=quotes or FakeQuoteProvider({"NVDA": 1.0}),
    )
    return BotApp(services)


@pytest.mark.parametrize(("error", "text"), [
    (QuestionError("questions are limited to 500 characters (got 519)"),
     "questions are limited to 500 characters (got 519)"),
    (InvalidSymbol("'../etc' is not a ticker symbol"), "'../etc' is not a ticker symbol"),
    (IndexNotFound("no index in /srv/x: run `python -m ingest` first"), INDEX_UNAVAILABLE),
    (IndexCorrupt("bad"), INDEX_UNAVAILABLE),
    (TimeoutError(), TIMED_OUT),
    (TooFast(29.2), "You're asking too fast: try again in 30 s."),
    (TooFast(0.01), "You're asking too fast: try again in 1 s."),
    (NotAllowed(), NOT_ALLOWED),
    (UserFacingError("nope \x1b[2J\x00here"), "nope here"),
    (RuntimeError("boom /secret/path"), GENERIC_ERROR),
    (KeyError("x"), GENERIC_ERROR),
])
def test_user_message_maps_every_error(error: BaseException, text: str) -> None:
    assert user_message(error) == text
    assert is_expected(error) is (text != GENERIC_ERROR)


def test_the_operator_sees_the_index_reason_discord_does_not() -> None:
    error = IndexNotFound("no index in /srv/x: run `python -m ingest` first\x1b]0;t\x07")
    assert user_message(error) == INDEX_UNAVAILABLE
    assert user_message(error, detail=True) == (
        "The news index is not available: no index in /srv/x: run `python -m ingest` first")
    assert user_message(RuntimeError("/secret"), detail=True) == GENERIC_ERROR


def test_generic_error_says_internal_error() -> None:  # the terminal tests read these words
    assert "internal error" in GENERIC_ERROR


def test_one_question_limit_from_answer_settings(tmp_path: Path) -> None:
    app = app_for(tmp_path, max_question_chars=30)
    assert app.max_question_chars == 30 == app.services.engine.max_question_chars
    assert app.check_question("  who lost?  ") == "who lost?"
    with pytest.raises(QuestionError, match=r"limited to 30 characters \(got 31\)"):
        app.check_question("x" * 31)
    with pytest.raises(QuestionError, match="ask a question"):
        app.check_question("   ")


async def test_ask_refuses_before_the_engine(tmp_path: Path) -> None:
    app = app_for(tmp_path, max_question_chars=20)
    called: list[str] = []

    async def ask(text: str, **_: object) -> None:
        called.append(text)
    app.services.engine.ask = ask  # type: ignore[method-assign,assignment]
    with pytest.raises(QuestionError):
        await app.ask("y" * 21)
    assert called == []
    await app.ask("  why?  ")
    assert called == ["why?"]


async def test_without_an_index_news_raises_and_status_says_so(tmp_path: Path) -> None:
    app = app_for(tmp_path)
    with pytest.raises(IndexNotFound):
        await app.news("nvidia")
    status = await app.status()
    assert status.index_error is not None and status.quotes.provider == "fake"
    assert await app.known_tickers() == []


async def test_quote_and_history(tmp_path: Path) -> None:
    app = app_for(tmp_path)
    quote = await app.quote("nvda")
    assert not isinstance(quote, QuoteUnavailable) and quote.price == 1.0
    result, history = await app.quote_and_history("NVDA", "1mo")
    assert not isinstance(result, QuoteUnavailable)
    assert isinstance(history, QuoteUnavailable)  # the fake has no closes for NVDA
    with pytest.raises(InvalidSymbol):
        app.check_symbol("not a ticker!")


class HangingQuotes(FakeQuoteProvider):
    async def aclose(self) -> None:
        await asyncio.sleep(60)


async def test_aclose_is_bounded_and_idempotent(tmp_path: Path, caplog: pytest.LogCaptureFixture,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("bot.app.CLOSE_TIMEOUT", 0.2)
    app = app_for(tmp_path, quotes=HangingQuotes())
    closed: list[bool] = []
    monkeypatch.setattr(app.services.live, "close", lambda: closed.append(True))
    started = time.monotonic()
    with caplog.at_level(logging.WARNING, logger="bot.app"):
        await app.aclose()
    assert time.monotonic() - started < 1.0
    assert closed == [True] and "did not close" in caplog.text
    await app.aclose()
    assert closed == [True]


async def test_aclose_closes_the_fake_provider(tmp_path: Path) -> None:
    quotes = FakeQuoteProvider()
    app = app_for(tmp_path, quotes=quotes)
    await app.aclose()
    assert quotes.closed


def test_services_close_through_the_protocol(tmp_path: Path) -> None:
    services: Services = app_for(tmp_path).services
    assert callable(services.quotes.aclose)  # on the QuoteProvider protocol: no getattr


def test_discord_max_question_chars_is_ignored_with_a_warning(
        monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    monkeypatch.setenv("DISCORD_MAX_QUESTION_CHARS", "100")
    with caplog.at_level(logging.WARNING, logger="bot.discord_settings"):
        DiscordSettings(_env_file=None)  # type: ignore[call-arg]
    assert "ANSWER_MAX_QUESTION_CHARS" in caplog.text
