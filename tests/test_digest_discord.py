"""``/digest`` and the daily digest through the real discord.py client and the fake Discord
on 127.0.0.1, on the sample index; the digest embed within Discord's limits offline."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.answer.model import LiveQuote
from bot.cogs.digest import LAST_SENT_KEY
from bot.digest import Digest, DigestRow, DigestSource
from bot.discord_app import MarketBot
from bot.discord_settings import DiscordSettings
from bot.quotes import FakeQuoteProvider, QuoteSettings
from bot.render_discord import render_digest
from bot.services import Services, build_services
from bot.settings import AnswerSettings
from bot.state import BotState
from index.settings import IndexSettings
from tests.discord_fake import EPHEMERAL, FakeDiscord
from tests.discord_fake.fixtures import fake_discord, running  # noqa: F401
from tests.discord_fake.limits import message_errors


@pytest.fixture
def services(sample_index: Path, real_embedder) -> Services:
    return build_services(
        IndexSettings(_env_file=None, index_dir=sample_index),  # type: ignore[call-arg]
        AnswerSettings(_env_file=None),  # type: ignore[call-arg]
        QuoteSettings(_env_file=None),  # type: ignore[call-arg]
        embedder=real_embedder, quotes=FakeQuoteProvider({"ADBE": 560.0, "SSTK": 30.0}))


def make_bot(fake: FakeDiscord, services: Services, state_path: Path, **overrides: Any) -> MarketBot:
    settings = DiscordSettings(  # type: ignore[call-arg]
        _env_file=None, token=fake.token, guild_ids=[fake.guild.id], api_base_url=fake.rest_url,
        gateway_url=fake.gateway_url, cooldown_rate=100, state_path=state_path, **overrides)
    return MarketBot(services, settings, guild_ready_timeout=0.05)


async def test_digest_command_lists_movers_with_sources_and_marks_watched(
        fake_discord: FakeDiscord, services: Services, tmp_path: Path) -> None:  # noqa: F811
    fake = fake_discord
    async with running(make_bot(fake, services, tmp_path / "state.sqlite"), fake.token) as bot:
        options = {o["name"]: o for o in fake.command("digest")["options"]}  # type: ignore[index]
        assert (options["days"]["min_value"], options["days"]["max_value"]) == (1, 365)
        assert not options["days"].get("required") and not options["until"].get("required")
        assert bot.state is not None
        bot.state.add_watch(guild_id=fake.guild.id, channel_id=fake.channel.id, kind="ticker",
                            key="ADBE", label="$adbe", added_by_id=fake.admin.id,
                            added_by_name="admin")
        record = await fake.slash("digest", {"days": 365, "until": "2024-02-19"})
        assert (await record.wait_response())["type"] == 5  # deferred at once
        message = await record.wait_final(timeout=30)
        assert not message.ephemeral and message.allowed_mentions == {"parse": []}
        [embed] = message.embeds
        assert embed["title"] == "What moved in AI news · 2023-02-20 to 2024-02-19"
        blocks = embed["description"].split("\n\n")
        assert blocks[0].startswith("3 companies with stock moves reported in 2 articles")
        assert blocks[1].startswith("**1. Chegg (CHGG)** ▼ down 48% · 1 article\n> ")
        assert blocks[2].startswith("**2. Adobe (ADBE)** ▼ down more than 7% · 1 article · "
                                    "★ watched\n> ")
        assert "live 560.00 USD as of 2025-01-02 21:00 UTC" in blocks[2]
        assert "[2] Sora's first wave of victims has appeared — Gelonghui via Futu, 2024-02-19" \
            in blocks[2]
        assert message_errors({"embeds": message.embeds}) == {}

        refused = await (await fake.slash("digest", {"until": "last friday"})).wait_final()
        assert refused.flags & EPHEMERAL
        assert refused.content == "until must be a date like 2023-12-31 (got 'last friday')."


async def test_daily_digest_posts_once_a_day_also_across_restarts(
        fake_discord: FakeDiscord, services: Services, tmp_path: Path) -> None:  # noqa: F811
    fake = fake_discord
    state_path = tmp_path / "state.sqlite"
    daily = {"digest_channel_id": fake.channel.id, "digest_time": "00:00"}  # due at start
    async with running(make_bot(fake, services, state_path, **daily), fake.token):
        posted = await fake.wait_until(lambda: fake.channel_messages(fake.channel) or None,
                                       timeout=10)
        [message] = posted
        [embed] = message.embeds
        today = datetime.now(UTC).date()
        assert embed["title"] == (f"What moved in AI news · {today - timedelta(days=1)} to "
                                  f"{today}")
        assert "reports no stock moves" in embed["description"]  # the sample is older news
        assert message.allowed_mentions == {"parse": []}
    with BotState.open(state_path) as state:
        assert state.get_value(LAST_SENT_KEY) == today.isoformat()
    async with running(make_bot(fake, services, state_path, **daily), fake.token):
        await asyncio.sleep(1.0)  # a restart the same day posts nothing
        assert len(fake.channel_messages(fake.channel)) == 1


async def test_daily_digest_to_a_forbidden_channel_is_logged_not_retried(
        fake_discord: FakeDiscord, services: Services, tmp_path: Path, caplog) -> None:  # noqa: F811
    fake = fake_discord
    fake.forbidden_channels.add(fake.channel.id)
    daily = {"digest_channel_id": fake.channel.id, "digest_time": "00:00"}
    async with running(make_bot(fake, services, tmp_path / "s.sqlite", **daily), fake.token):
        await fake.wait_until(
            lambda: any("could not post the daily digest" in r.message for r in caplog.records)
            or None, timeout=10)
    assert fake.channel_messages(fake.channel) == []


def test_a_huge_digest_fits_discords_limits() -> None:
    source = DigestSource(n=1, title="A very long [headline] " * 30, outlet="Outlet " * 40,
                          published=datetime(2023, 5, 2, tzinfo=UTC),
                          url="https://example.com/x", article_id="a")
    rows = [DigestRow(company=f"Company {i} " + "n" * 200, ticker=f"T{i}", direction="down",
                      move="down 5%", magnitude=5.0, unit="%", sentence="Shares fell 5%. " * 80,
                      citation=1, source=source, articles=30 - i, articles_up=2,
                      articles_down=30 - i, watched=i % 2 == 0,
                      quote=LiveQuote(unavailable="quote unavailable: " + "y" * 900))
            for i in range(25)]
    digest = Digest(days=365, since=datetime(2023, 1, 1, tzinfo=UTC),
                    until=datetime(2024, 1, 1, tzinfo=UTC), covered=True, text="x " * 3000,
                    rows=rows, companies=40, articles=400, sources=[source],
                    quotes_as_of={f"T{i}": datetime(2025, 1, 2, tzinfo=UTC) for i in range(25)},
                    generated_at=datetime(2025, 1, 2, tzinfo=UTC))
    embed = render_digest(digest).to_dict()
    assert message_errors({"embeds": [embed]}) == {}
    small = digest.model_copy(update={"text": "40 companies", "rows": rows[:20]})
    embed = render_digest(small).to_dict()
    assert message_errors({"embeds": [embed]}) == {}
    assert embed["footer"]["text"].startswith(f"{40 - embed['description'].count('**') // 2} "
                                              "more not shown")
    assert date(2023, 1, 1).isoformat() in embed["title"]
