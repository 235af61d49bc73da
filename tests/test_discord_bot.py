"""The real Discord bot (MarketBot) against the fake Discord on 127.0.0.1, plus its pure parts."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
import pytest_asyncio

from bot.answer import Answer
from bot.answer.model import Freshness, LiveQuote, Mover, Source
from bot.app import GENERIC_ERROR
from bot.chart import render_chart
from bot.cogs import Cooldown, UserFacingError
from bot.discord_app import MarketBot, run_discord
from bot.discord_settings import DiscordSettings
from bot.quotes import FakeQuoteProvider, PriceHistory, Quote, QuoteSettings, YahooQuoteProvider
from bot.render_discord import render_answer, trim
from bot.services import Services, build_services
from bot.settings import AnswerSettings
from index.settings import IndexSettings
from tests.discord_fake import EPHEMERAL, FakeDiscord
from tests.discord_fake.fixtures import fake_discord, running  # noqa: F401
from tests.discord_fake.limits import message_errors
from tests.discord_fake.model import png_size
from tests.yahoo_replay import ReplayAdapter, isolate_yfinance, recorded_charts, replay_session

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
CLOSES = {date(2024, 2, 12) + timedelta(days=i): 600.0 - 5 * i for i in range(5)}


def settings_for(fake: FakeDiscord, **overrides: Any) -> DiscordSettings:
    values: dict[str, Any] = {
        "token": fake.token, "guild_ids": [fake.guild.id], "api_base_url": fake.rest_url,
        "gateway_url": fake.gateway_url, "cooldown_rate": 100, "cooldown_seconds": 60.0,
        **overrides}
    return DiscordSettings(_env_file=None, **values)  # type: ignore[call-arg]


@pytest.fixture
def services(sample_index, real_embedder) -> Services:
    quotes = FakeQuoteProvider(
        {"ADBE": Quote(symbol="ADBE", name="Adobe Inc.", price=560.0, change=-5.0,
                       change_percent=-0.88, previous_close=565.0, day_low=555.5,
                       day_high=566.25, currency="USD", market_state="REGULAR",
                       as_of=datetime(2025, 1, 2, 21, 0, tzinfo=UTC), source="fake"),
         "SSTK": 30.0},
        closes={"ADBE": CLOSES})
    return build_services(
        IndexSettings(_env_file=None, index_dir=sample_index),  # type: ignore[call-arg]
        AnswerSettings(_env_file=None),  # type: ignore[call-arg]
        QuoteSettings(_env_file=None),  # type: ignore[call-arg]
        embedder=real_embedder, quotes=quotes)


@pytest_asyncio.fixture
async def market_bot(fake_discord: FakeDiscord, services: Services) -> AsyncIterator[MarketBot]:  # noqa: F811
    bot = MarketBot(services, settings_for(fake_discord), guild_ready_timeout=0.05)
    async with running(bot, fake_discord.token):
        yield bot


def huge_answer(text: str = "") -> Answer:
    sentence = "Shares of a company moved sharply after the announcement of a new video model. "
    return Answer(
        question="who lost " + "x" * 400, intent="losers", covered=True,
        text=text or sentence * 200,
        movers=[Mover(name=f"Company {i} " + "n" * 300, ticker=f"T{i}", mentioned_in=[1, 2],
                      quote=LiveQuote(unavailable="quote unavailable: " + "y" * 1500))
                for i in range(30)],
        sources=[Source(n=i, title="A very long headline " * 20, outlet="Outlet",
                        published=datetime(2024, 2, 19, tzinfo=UTC),
                        url=f"https://example.com/{i}", article_id=str(i)) for i in range(40)],
        freshness=Freshness(newest_article_used=datetime(2024, 2, 19, tzinfo=UTC)),
        generated_at=datetime(2025, 1, 2, tzinfo=UTC))


def stub_answer(services: Services, answer: Answer) -> list[str]:
    asked: list[str] = []

    async def ask(text: str, **_: Any) -> Answer:
        asked.append(text)
        return answer
    services.engine.ask = ask  # type: ignore[method-assign]
    return asked


# -- against the fake Discord ------------------------------------------------------------------

async def test_login_syncs_declared_commands_to_the_guild(fake_discord: FakeDiscord, market_bot: MarketBot) -> None:  # noqa: F811
    fake = fake_discord
    assert market_bot.is_ready() and market_bot.user is not None
    assert market_bot.user.id == fake.bot_user.id
    assert [scope for scope, _ in fake.command_syncs] == [fake.guild.id]
    commands = {c["name"]: c for c in fake.commands[fake.guild.id]}
    assert sorted(commands) == ["ask", "digest", "news", "quote", "reingest", "status", "watch"]
    assert [(o["name"], o["type"], o.get("required", False)) for o in commands["ask"]["options"]] == [
        ("question", 3, True), ("ticker", 3, False), ("since", 3, False)]
    ticker, period = commands["quote"]["options"]
    assert (ticker["name"], ticker["autocomplete"], ticker["required"]) == ("ticker", True, True)
    assert [c["value"] for c in period["choices"]] == ["1d", "5d", "1mo", "6mo", "1y"]
    days = commands["news"]["options"][1]
    assert (days["name"], days["type"], days["min_value"], days["max_value"]) == ("days", 4, 1, 365)
    assert commands["status"]["options"] == []
    assert fake.gateway.identifies[0]["intents"] & (1 << 15) == 0  # no message-content intent


async def test_ask_sample_defers_then_names_movers_and_sources(fake_discord: FakeDiscord, market_bot: MarketBot) -> None:  # noqa: F811
    record = await fake_discord.slash("ask", {"question": "who lost from Sora?"})
    assert (await record.wait_response())["type"] == 5  # deferred at once
    message = await record.wait_final(timeout=60)
    assert record.first_response_ms is not None and record.first_response_ms < 3000
    assert not message.ephemeral and message.allowed_mentions == {"parse": []}
    [embed] = message.embeds
    assert embed["title"] == "who lost from Sora?"
    names = [f["name"] for f in embed["fields"]]
    assert names[:2] == ["Adobe (ADBE)", "Shutterstock (SSTK)"]
    adbe = embed["fields"][0]["value"]
    assert "down more than 7%" in adbe and "live 560.00 USD (-0.88% today)" in adbe
    sources = next(f["value"] for f in embed["fields"] if f["name"] == "Sources")
    # the bundled sample is a local file: no URL, so the title is not a link
    assert sources.splitlines()[0] == (
        "[1] Sora's first wave of victims has appeared — Gelonghui via Futu, 2024-02-19")
    assert embed["footer"]["text"].startswith("newest news used 2024-02-19")
    assert "[1]" in embed["description"]
    assert message_errors({"embeds": message.embeds}) == {}


async def test_huge_answer_fits_every_limit(fake_discord: FakeDiscord, market_bot: MarketBot, services: Services) -> None:  # noqa: F811
    stub_answer(services, huge_answer())
    record = await fake_discord.slash("ask", {"question": "who lost?"})
    message = await record.wait_final()
    assert record.rejections == []
    [embed] = message.embeds
    assert len(embed["title"]) == 256 and embed["title"].endswith("…")
    assert embed["description"].endswith("announcement of a new video model.…")
    assert len(embed["fields"]) <= 25 and all(len(f["value"]) <= 1024 for f in embed["fields"])
    total = (len(embed["title"]) + len(embed["description"]) + len(embed["footer"]["text"])
             + sum(len(f["name"]) + len(f["value"]) for f in embed["fields"]))
    assert 5000 < total <= 6000
    assert "more not shown" in embed["footer"]["text"]


async def test_everyone_in_the_news_pings_nobody(fake_discord: FakeDiscord, market_bot: MarketBot, services: Services) -> None:  # noqa: F811
    fake = fake_discord
    loud = f"@everyone @here {fake.members[1].mention} {fake.admin_role.mention} Sora hits stocks."
    stub_answer(services, huge_answer(text=loud))
    slash = await (await fake.slash("ask", {"question": "@everyone who lost?"})).wait_final()
    asked = await fake.say(f"{fake.bot_user.mention} @everyone who lost?", user=fake.members[2])
    reply = await fake.wait_reply(asked, timeout=10)
    for message in (slash, reply):
        assert message.allowed_mentions is not None and message.allowed_mentions["parse"] == []
        assert message.pings.nobody and message.data["mention_everyone"] is False
    assert reply.allowed_mentions == {"parse": [], "replied_user": False}
    assert slash.embeds[0]["description"] == loud
    bot_pings = [p for mid, p in fake.ping_log if fake.messages[mid].author_id == fake.bot_user.id]
    assert len(bot_pings) >= 2 and all(p.nobody for p in bot_pings)


async def test_mention_gets_a_reply_and_bots_get_none(fake_discord: FakeDiscord, market_bot: MarketBot) -> None:  # noqa: F811
    fake = fake_discord
    from_bot = await fake.say(f"{fake.bot_user.mention} who lost from Sora?", user=fake.helper_bot)
    asked = await fake.say(f"{fake.bot_user.mention} who lost from Sora?", user=fake.member)
    reply = await fake.wait_reply(asked, timeout=60)
    [embed] = reply.embeds
    assert embed["title"] == "who lost from Sora?"
    assert "ADBE" in embed["fields"][0]["name"] and "SSTK" in embed["fields"][1]["name"]
    assert reply.reference_id == asked.id and reply.pings.nobody
    assert fake.replies_to(from_bot) == []
    assert [m.id for m in fake.bot_messages()] == [reply.id]


async def test_long_question_is_refused_privately(fake_discord: FakeDiscord, market_bot: MarketBot) -> None:  # noqa: F811
    record = await fake_discord.slash("ask", {"question": "why " * 130})
    message = await record.wait_final()
    assert record.response_type == 4 and message.flags == EPHEMERAL
    assert message.content == "questions are limited to 500 characters (got 519)"


async def test_cooldown_says_when_to_try_again(fake_discord: FakeDiscord, services: Services) -> None:  # noqa: F811
    fake = fake_discord
    stub_answer(services, huge_answer(text="Short answer [1]."))
    bot = MarketBot(services, settings_for(fake, cooldown_rate=1, cooldown_seconds=30),
                    guild_ready_timeout=0.05)
    async with running(bot, fake.token):
        first = await (await fake.slash("ask", {"question": "who lost?"})).wait_final()
        second = await (await fake.slash("ask", {"question": "who lost?"})).wait_final()
        other = await (await fake.slash("ask", {"question": "who lost?"}, user=fake.members[1])).wait_final()
    assert first.embeds[0]["description"] == "Short answer [1]."
    assert second.flags == EPHEMERAL
    assert second.content == "You're asking too fast: try again in 30 s."
    assert other.embeds[0]["description"] == "Short answer [1]."


async def test_unexpected_error_is_short_for_the_user_and_traced_in_the_log(
        fake_discord: FakeDiscord, market_bot: MarketBot, services: Services,  # noqa: F811
        caplog: pytest.LogCaptureFixture) -> None:
    async def broken(text: str, **_: Any) -> Answer:
        raise RuntimeError("boom in the engine")
    services.engine.ask = broken  # type: ignore[method-assign]
    with caplog.at_level(logging.ERROR, logger="bot.discord_app"):
        record = await fake_discord.slash("ask", {"question": "who lost?"})
        message = await record.wait_final()
    assert message.content == GENERIC_ERROR and message.embeds == []
    [log] = [r for r in caplog.records if r.name == "bot.discord_app"]
    assert log.getMessage() == "/ask failed" and log.exc_info is not None
    assert str(log.exc_info[1]) == "boom in the engine"
    assert fake_discord.token not in caplog.text


async def test_unexpected_error_on_a_mention_gets_the_same_words(
        fake_discord: FakeDiscord, market_bot: MarketBot, services: Services,  # noqa: F811
        caplog: pytest.LogCaptureFixture) -> None:
    async def broken(text: str, **_: Any) -> Answer:
        raise RuntimeError("boom in the engine")
    services.engine.ask = broken  # type: ignore[method-assign]
    fake = fake_discord
    with caplog.at_level(logging.ERROR, logger="bot.cogs.ask"):
        asked = await fake.say(f"{fake.bot_user.mention} who lost?")
        reply = await fake.wait_reply(asked)
    assert reply.content == GENERIC_ERROR and reply.embeds == [] and reply.pings.nobody
    [log] = [r for r in caplog.records if r.name == "bot.cogs.ask"]
    assert log.exc_info is not None and str(log.exc_info[1]) == "boom in the engine"


async def test_a_bare_mention_gets_the_help(fake_discord: FakeDiscord, market_bot: MarketBot) -> None:  # noqa: F811
    asked = await fake_discord.say(fake_discord.bot_user.mention)
    reply = await fake_discord.wait_reply(asked)
    assert reply.content.startswith("Ask me about AI-market news") and "/ask" in reply.content


def test_discord_errors_become_app_errors() -> None:
    from discord import app_commands

    from bot.app import NOT_ALLOWED, user_message
    from bot.discord_app import app_error
    from bot.question import QuestionError

    assert user_message(app_error(app_commands.CheckFailure("raw"))) == NOT_ALLOWED
    cooldown = app_commands.CommandOnCooldown(app_commands.Cooldown(1, 30), 12.3)
    assert user_message(app_error(cooldown)) == "You're asking too fast: try again in 13 s."
    wrapped = QuestionError("ask a question")
    invoke = app_commands.CommandInvokeError.__new__(app_commands.CommandInvokeError)
    invoke.original = wrapped
    assert app_error(invoke) is wrapped


async def test_quote_has_price_fields_and_a_png_chart(fake_discord: FakeDiscord, market_bot: MarketBot) -> None:  # noqa: F811
    record = await fake_discord.slash("quote", {"ticker": "adbe", "period": "5d"})
    message = await record.wait_final(timeout=30)
    assert record.first_response_ms is not None and record.first_response_ms < 3000
    [embed] = message.embeds
    assert embed["title"] == "Adobe Inc. (ADBE)"
    assert {f["name"]: f["value"] for f in embed["fields"]} == {
        "Price": "560.00 USD", "Change": "-5.00 (-0.88%)", "Day range": "555.50 – 566.25",
        "Market": "regular"}
    assert embed["footer"]["text"] == "as of 2025-01-02 21:00 UTC · fake · chart 5d"
    assert embed["image"]["url"] == "attachment://chart.png"
    [attachment] = message.attachments
    assert (attachment["filename"], attachment["content_type"]) == ("chart.png", "image/png")
    [upload] = message.files
    assert upload.data.startswith(PNG_MAGIC) and png_size(upload.data) == (800, 360)


async def test_quote_of_an_invalid_symbol_is_refused_privately(fake_discord: FakeDiscord, market_bot: MarketBot) -> None:  # noqa: F811
    record = await fake_discord.slash("quote", {"ticker": "not a ticker!"})
    message = await record.wait_final()
    assert record.response_type == 4 and message.flags == EPHEMERAL
    assert "not a ticker!" in message.content or "symbol" in message.content.lower()


async def test_quote_autocomplete_offers_index_tickers(fake_discord: FakeDiscord, market_bot: MarketBot, services: Services) -> None:  # noqa: F811
    known = services.live.reader().known_tickers()
    assert {"ADBE", "SSTK"} <= set(known)
    choices = await fake_discord.autocomplete("quote", "ticker", "ad")
    assert [c["value"] for c in choices] == [t for t in known if t.startswith("AD")]
    assert "ADBE" in [c["value"] for c in choices]
    everything = await fake_discord.autocomplete("quote", "ticker", "")
    assert [c["value"] for c in everything] == known[:25]


async def test_news_lists_headlines_with_outlet_date_and_link(fake_discord: FakeDiscord, market_bot: MarketBot) -> None:  # noqa: F811
    message = await (await fake_discord.slash("news", {"query": "Sora video model"})).wait_final(timeout=30)
    [embed] = message.embeds
    assert embed["title"] == "News: Sora video model"
    assert "Sora's first wave of victims has appeared" in embed["description"]
    assert "— Gelonghui via Futu, 2024-02-19" in embed["description"]
    assert embed["footer"]["text"].endswith("articles")


async def test_status_reports_index_and_quotes(fake_discord: FakeDiscord, market_bot: MarketBot) -> None:  # noqa: F811
    message = await (await fake_discord.slash("status")).wait_final(timeout=30)
    fields = {f["name"]: f["value"] for f in message.embeds[0]["fields"]}
    assert "5 articles" in fields["Index"]
    assert fields["Quotes"] == "fake: ok"
    assert fields["News"].endswith("→ " + fields["News"].split("→ ")[1])
    assert fields["Uptime"].endswith(" s")


async def test_run_discord_with_a_refused_token_returns_2_without_logging_it(
        fake_discord: FakeDiscord, services: Services,  # noqa: F811
        caplog: pytest.LogCaptureFixture) -> None:
    settings = settings_for(fake_discord, token="wrong-secret-token")
    with caplog.at_level(logging.INFO):
        assert await run_discord(services, settings) == 2
    assert "wrong-secret-token" not in caplog.text
    assert "Discord refused the token" in caplog.text
    assert [(r.path, r.status) for r in fake_discord.requests] == [("/users/@me", 401)]


async def test_quote_without_history_says_why_there_is_no_chart(fake_discord: FakeDiscord, market_bot: MarketBot) -> None:  # noqa: F811
    message = await (await fake_discord.slash("quote", {"ticker": "SSTK"})).wait_final(timeout=30)
    fields = {f["name"]: f["value"] for f in message.embeds[0]["fields"]}
    assert fields["Price"] == "30.00 USD" and fields["Market"] == "closed"
    assert fields["Chart"] == "quote unavailable: no price history"
    assert message.attachments == [] and message.files == []


async def test_long_mention_question_is_refused_in_a_reply(fake_discord: FakeDiscord, market_bot: MarketBot) -> None:  # noqa: F811
    fake = fake_discord
    asked = await fake.say(f"{fake.bot_user.mention} " + "why " * 130)
    reply = await fake.wait_reply(asked)
    assert reply.content == "questions are limited to 500 characters (got 519)"
    assert reply.embeds == [] and reply.pings.nobody


async def test_burst_of_50_asks_from_10_users(fake_discord: FakeDiscord, services: Services) -> None:  # noqa: F811
    fake = fake_discord
    asked = stub_answer(services, huge_answer(text="Short answer [1]."))
    bot = MarketBot(services, settings_for(fake, cooldown_rate=3, cooldown_seconds=60),
                    guild_ready_timeout=0.05)
    users = fake.members[:10]
    async with running(bot, fake.token):
        records = await asyncio.gather(*(
            fake.slash("ask", {"question": f"who lost {i}?"}, user=users[i % 10]) for i in range(50)))
        finals = await asyncio.gather(*(r.wait_final(timeout=20) for r in records))
    answered = [m for m in finals if m.embeds]
    refused = [m for m in finals if not m.embeds]
    assert len(answered) == 30 and len(asked) == 30  # 3 per user per minute
    assert len(refused) == 20 and all(m.flags == EPHEMERAL for m in refused)
    assert {m.content for m in refused} == {"You're asking too fast: try again in 60 s."}
    assert all(r.first_response_ms is not None and r.first_response_ms < 3000 for r in records)


async def test_gateway_disconnect_resumes_and_keeps_answering(fake_discord: FakeDiscord, market_bot: MarketBot, services: Services) -> None:  # noqa: F811
    fake = fake_discord
    stub_answer(services, huge_answer(text="Still here [1]."))
    session = fake.gateway.session
    assert session is not None
    shard = market_bot.get_shard(0)  # an AutoShardedBot: the gateway socket is the shard's
    assert shard is not None
    await fake.wait_until(lambda: shard._parent.ws.sequence == session.seq,
                          what="the client to catch up")
    assert await fake.disconnect(code=4000) == "RESUMED"
    assert len(fake.gateway.identifies) == 1
    message = await (await fake.slash("ask", {"question": "who lost?"})).wait_final()
    assert message.embeds[0]["description"] == "Still here [1]."


async def test_run_discord_serves_until_sigterm_then_returns_0(fake_discord: FakeDiscord, services: Services) -> None:  # noqa: F811
    fake = fake_discord
    stub_answer(services, huge_answer(text="Served by run_discord [1]."))
    task = asyncio.create_task(run_discord(services, settings_for(fake)))
    await fake.wait_until(lambda: fake.gateway.connected and fake.commands.get(fake.guild.id),
                          timeout=20, what="run_discord to connect and sync")
    message = await (await fake.slash("ask", {"question": "who lost?"})).wait_final()
    assert message.embeds[0]["description"] == "Served by run_discord [1]."
    # the loop's handler is installed (never send SIGTERM to a process that would die of it)
    assert signal.getsignal(signal.SIGTERM) not in (signal.SIG_DFL, signal.SIG_IGN, None)
    os.kill(os.getpid(), signal.SIGTERM)  # handled by the loop's handler: bot.close()
    assert await asyncio.wait_for(task, 10) == 0
    assert not fake.gateway.connected
    assert signal.getsignal(signal.SIGTERM) == signal.SIG_DFL  # handler removed again


# -- pure parts ----------------------------------------------------------------------------------

def test_trim_cuts_at_a_sentence_boundary() -> None:
    assert trim("One two. Three four five. Six seven eight nine ten.", 30) == "One two. Three four five.…"
    assert trim("short", 10) == "short"
    assert trim("x" * 50, 10) == "x" * 9 + "…"
    assert trim("who lost " + "x" * 50, 20) == "who lost…"
    assert trim("who lost " + "x" * 50, 40) == "who lost " + "x" * 30 + "…"


def test_render_answer_respects_discord_limits_offline() -> None:
    embed = render_answer(huge_answer())
    payload = {"embeds": [embed.to_dict()]}
    assert message_errors(payload) == {}
    assert len(embed) <= 6000 and len(embed.fields) <= 25


def test_cooldown_window_slides() -> None:
    now = [100.0]
    cooldown = Cooldown(rate=2, per=10.0, clock=lambda: now[0])
    assert cooldown.hit(1) is None and cooldown.hit(1) is None
    assert cooldown.hit(1) == 10.0 and cooldown.hit(2) is None
    now[0] = 104.5
    with pytest.raises(UserFacingError, match="try again in 6 s"):
        cooldown.check(1)
    now[0] = 110.0
    assert cooldown.hit(1) is None


def test_settings_read_ids_and_keep_the_token_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DISCORD_TOKEN", "s3cret")
    monkeypatch.setenv("DISCORD_GUILD_IDS", "1, 2")
    monkeypatch.setenv("DISCORD_ADMIN_ROLE_IDS", "[7,8]")
    monkeypatch.setenv("DISCORD_COOLDOWN_RATE", "")
    settings = DiscordSettings(_env_file=None)  # type: ignore[call-arg]
    assert settings.guild_ids == [1, 2] and settings.admin_role_ids == [7, 8]
    assert settings.admin_user_ids == [] and settings.cooldown_rate == 3
    assert settings.token is not None and settings.token.get_secret_value() == "s3cret"
    assert "s3cret" not in repr(settings)
    assert settings.api_base_url == "https://discord.com/api/v10"


def test_chart_is_a_png_of_the_history() -> None:
    history = PriceHistory(symbol="ADBE", period="5d", interval="1d", currency="USD",
                           timestamps=[datetime(d.year, d.month, d.day, 21, tzinfo=UTC) for d in CLOSES],
                           closes=list(CLOSES.values()))
    png = render_chart(history)
    assert png.startswith(PNG_MAGIC) and png_size(png) == (800, 360)


async def test_quote_with_recorded_yahoo_data(fake_discord: FakeDiscord, sample_index, real_embedder, tmp_path) -> None:  # noqa: F811
    isolate_yfinance(tmp_path)
    adapter = ReplayAdapter(recorded_charts("MSFT"))
    yahoo = YahooQuoteProvider(QuoteSettings(_env_file=None), session=replay_session(adapter))  # type: ignore[call-arg]
    services = build_services(
        IndexSettings(_env_file=None, index_dir=sample_index),  # type: ignore[call-arg]
        AnswerSettings(_env_file=None), QuoteSettings(_env_file=None),  # type: ignore[call-arg]
        embedder=real_embedder, quotes=yahoo)
    bot = MarketBot(services, settings_for(fake_discord), guild_ready_timeout=0.05)
    async with running(bot, fake_discord.token):
        record = await fake_discord.slash("quote", {"ticker": "msft", "period": "1mo"})
        message = await record.wait_final(timeout=30)
    [embed] = message.embeds
    fields = {f["name"]: f["value"] for f in embed["fields"]}
    assert fields["Price"] == "541.55 USD"
    assert "(MSFT)" in embed["title"] and "Yahoo Finance" in embed["footer"]["text"]
    [upload] = message.files
    assert upload.data.startswith(PNG_MAGIC)
    assert adapter.data_calls("MSFT")


async def test_memory_stays_flat_over_a_burst_of_real_answers(fake_discord: FakeDiscord, services: Services) -> None:  # noqa: F811
    import gc

    import psutil

    fake = fake_discord
    bot = MarketBot(services, settings_for(fake, cooldown_rate=1000), guild_ready_timeout=0.05)
    process = psutil.Process()
    questions = ["who lost from Sora?", "nvidia", "why did chegg fall?", "$ADBE quote",
                 "what is the capital of France?"]

    async def burst() -> None:
        records = await asyncio.gather(*(
            fake.slash("ask", {"question": questions[i % 5]}, user=fake.members[i % 10])
            for i in range(50)))
        finals = await asyncio.gather(*(r.wait_final(timeout=60) for r in records))
        assert all(m.embeds for m in finals)
        assert all(r.first_response_ms is not None and r.first_response_ms < 3000 for r in records)

    async with running(bot, fake.token):
        await burst()  # warm-up: caches fill, the allocator settles
        gc.collect()
        before = process.memory_info().rss
        await burst()
        await burst()
        gc.collect()
        after = process.memory_info().rss
    assert after - before < 40_000_000, f"grew {(after - before) / 1e6:.1f} MB"
