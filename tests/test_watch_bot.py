"""``/watch`` and alerts end to end: the real discord.py client against the fake Discord, the
real ingest CLI as a subprocess (fake embedder) publishing into the watched index."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.discord_app import MarketBot, run_discord
from bot.discord_settings import DiscordSettings
from bot.quotes import FakeQuoteProvider, QuoteSettings
from bot.services import build_services
from bot.settings import AnswerSettings
from bot.state import StateError
from index.settings import IndexSettings
from tests.conftest import ROOT
from tests.discord_fake import FakeDiscord, StoredMessage
from tests.discord_fake.fixtures import fake_discord, running  # noqa: F401

POLL = 0.5


def make_bot(fake: FakeDiscord, index_dir: Path, state_path: Path, **overrides: Any) -> MarketBot:
    index_settings = IndexSettings(  # type: ignore[call-arg]
        _env_file=None, index_dir=index_dir, embedding_model="fake:64")
    services = build_services(index_settings, AnswerSettings(_env_file=None),  # type: ignore[call-arg]
                              QuoteSettings(_env_file=None),  # type: ignore[call-arg]
                              quotes=FakeQuoteProvider({"NVDA": 140.25, "ADBE": 500.0}))
    settings = DiscordSettings(  # type: ignore[call-arg]
        _env_file=None, token=fake.token, guild_ids=[fake.guild.id], api_base_url=fake.rest_url,
        gateway_url=fake.gateway_url, cooldown_rate=100, state_path=state_path,
        watch_poll_seconds=POLL, **overrides)
    return MarketBot(services, settings, guild_ready_timeout=0.05)


def record(title: str, text: str, url: str, published: datetime) -> str:
    return json.dumps({"title": title, "url": url, "outlet": "Fixture Wire", "text": text,
                       "published": published.isoformat()})


def write(path: Path, *lines: str) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


async def ingest(index_dir: Path, file: Path) -> float:
    """Run ``python -m ingest`` on ``file``; the monotonic time it published."""
    env = {**os.environ, "INDEX_DIR": str(index_dir), "EMBEDDING_MODEL": "fake:64"}
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "ingest", "--json", str(file), cwd=ROOT, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    out, err = await process.communicate()
    published = time.monotonic()
    assert process.returncode == 0, err.decode()[-2000:]
    assert json.loads(out)["error"] is None
    return published


def alerts(fake: FakeDiscord, channel: Any = None) -> list[StoredMessage]:
    """The bot's alerts (embeds posted to a channel), in one channel or in all."""
    messages = fake.channel_messages(channel) if channel is not None else sorted(
        fake.messages.values(), key=lambda m: m.id)
    return [m for m in messages if m.author_id == fake.bot_user.id and m.embeds
            and not m.ephemeral and m.interaction_id is None]


async def quiet(fake: FakeDiscord, count: int, seconds: float = POLL * 4) -> None:
    """No new alert arrives for a few polls."""
    await asyncio.sleep(seconds)
    assert len(alerts(fake)) == count, [m.embeds[0]["title"] for m in alerts(fake)[count:]]


async def say(fake: FakeDiscord, command: str, options: dict[str, Any], user: Any,
              **kw: Any) -> StoredMessage:
    message = await (await fake.slash(command, options, user=user, **kw)).wait_final()
    assert message.ephemeral
    return message


async def test_watches_alert_once_and_survive_a_restart(
        fake_discord: FakeDiscord, tmp_path: Path) -> None:  # noqa: F811
    fake = fake_discord
    index_dir, state_path = tmp_path / "index", tmp_path / "state" / "bot.sqlite"
    news = fake.guild.channels[1]
    now = datetime.now(UTC)
    first = write(tmp_path / "first.jsonl",
                  record("Nvidia shares jump 6% as AI chip demand soars",
                         "Nvidia shares jumped 6% on Monday after strong AI chip demand.\n\n"
                         "Analysts were upbeat.", "https://n.example/nvda-jump", now),
                  record("Rain expected across the valley", "Forecasters expect showers.",
                         "https://n.example/weather", now))
    bot = make_bot(fake, index_dir, state_path, watch_max_alerts_per_hour=5)
    async with running(bot, fake.token):
        assert fake.command("watch") is not None
        refused = await say(fake, "watch add", {"target": "NVDA"}, fake.member)
        assert "Manage Server" in refused.content
        added = await say(fake, "watch add", {"target": "$nvda"}, fake.admin)
        assert "Watching **NVDA** (ticker)" in added.content
        added = await say(fake, "watch add", {"target": "sora", "channel": news}, fake.admin)
        assert f"<#{news.id}>" in added.content

        published = await ingest(index_dir, first)
        message = await fake.wait_until(lambda: (alerts(fake) or [None])[0], POLL + 5,
                                        "the Nvidia alert")
        assert time.monotonic() - published <= POLL + 5
        embed = message.embeds[0]
        assert embed["title"] == "Nvidia shares jump 6% as AI chip demand soars"
        assert embed["url"] == "https://n.example/nvda-jump"
        values = {f["name"]: f["value"] for f in embed["fields"]}
        assert "6%" in values["Reported move"]
        assert values["Live quote"].startswith("NVDA 140.25 USD")
        assert "Fixture Wire" in embed["description"]
        assert message.channel_id == fake.channel.id and not fake.anyone_pinged()
        await quiet(fake, 1)

        await ingest(index_dir, first)  # the same file again: nothing new
        await quiet(fake, 1)

        sora = write(tmp_path / "sora.jsonl", record(
            "OpenAI's Sora stuns Hollywood", "OpenAI showed Sora, its video model, on Thursday.",
            "https://n.example/sora", now))
        await ingest(index_dir, sora)
        message = await fake.wait_until(lambda: (alerts(fake, news) or [None])[0], POLL + 5,
                                        "the Sora alert")
        assert message.embeds[0]["footer"]["text"] == "watch: sora"

        old = datetime(2023, 5, 25, 14, tzinfo=UTC)  # a back-fill: nothing alerts
        backfill = write(tmp_path / "backfill.jsonl", *[record(
            f"Nvidia soars {i}% on record data-center sales", f"Nvidia rose {i}% in 2023 day {i}.",
            f"https://n.example/old-{i}", old + timedelta(days=i)) for i in range(1, 20)])
        await ingest(index_dir, backfill)
        await quiet(fake, 2)

        burst = write(tmp_path / "burst.jsonl", *[record(
            f"Nvidia story number {i} about {'GPUs' if i % 2 else 'models'}",
            f"Nvidia item {i}: a distinct first paragraph {i * 7919} for item {i}.",
            f"https://n.example/burst-{i}", now) for i in range(30)])
        await ingest(index_dir, burst)
        await fake.wait_until(lambda: len(alerts(fake, fake.channel)) >= 6 or None, POLL + 10,
                              "the burst")
        await quiet(fake, 2 + 4 + 1)  # 1 earlier alert + 4 = the cap of 5, then one list
        general = alerts(fake, fake.channel)
        assert general[-1].embeds[0]["title"] == "26 more watched articles"
        assert "over 5 alerts this hour" in general[-1].embeds[0]["footer"]["text"]

        listing = await say(fake, "watch list", {}, fake.member)
        text = listing.embeds[0]["description"]
        assert "**NVDA** (ticker)" in text and "**sora** (topic)" in text
        assert "added by admin" in text and "last fired: 20" in text

    sent = len(alerts(fake))
    bot = make_bot(fake, index_dir, state_path, watch_max_alerts_per_hour=5)
    async with running(bot, fake.token):  # restart: the watches are there, nothing re-fires
        listing = await say(fake, "watch list", {}, fake.member)
        assert "**NVDA** (ticker)" in listing.embeds[0]["description"]
        await quiet(fake, sent)
        fake.guild.channels.remove(news)  # the channel is deleted: its watch is disabled
        later = write(tmp_path / "later.jsonl", record(
            "Sora 2 arrives", "OpenAI released Sora 2.", "https://n.example/sora-2", now))
        await ingest(index_dir, later)
        state = bot.state
        assert state is not None
        await fake.wait_until(lambda: state.watches()[1].disabled_reason, POLL + 5,
                              "the watch disabled")
        reason = state.watches()[1].disabled_reason or ""
        assert "channel not found" in reason
        listing = await say(fake, "watch list", {}, fake.member)
        assert "⚠ disabled: channel not found" in listing.embeds[0]["description"]
        removed = await say(fake, "watch remove", {"target": "NVDA"}, fake.admin)
        assert "Stopped watching" in removed.content


async def test_missing_permission_disables_the_watch(
        fake_discord: FakeDiscord, tmp_path: Path) -> None:  # noqa: F811
    fake = fake_discord
    index_dir = tmp_path / "index"
    fake.forbidden_channels.add(fake.channel.id)
    bot = make_bot(fake, index_dir, tmp_path / "s.sqlite")
    async with running(bot, fake.token):
        await say(fake, "watch add", {"target": "OpenAI"}, fake.owner)
        choices = await fake.autocomplete("watch add", "target", "nv", user=fake.admin)
        assert choices == []  # no index yet
        await ingest(index_dir, write(tmp_path / "a.jsonl", record(
            "OpenAI raises money", "OpenAI said on Friday it raised more.",
            "https://n.example/openai", datetime.now(UTC))))
        state = bot.state
        assert state is not None
        await fake.wait_until(lambda: state.watches()[0].disabled_reason, POLL + 5,
                              "the watch disabled")
        assert "missing permission" in (state.watches()[0].disabled_reason or "")
        assert alerts(fake) == []
        await asyncio.sleep(0.1)
        bot.get_cog("Watch")._known = (0.0, [])  # type: ignore[union-attr]
        choices = await fake.autocomplete("watch add", "target", "open", user=fake.admin)
        assert "OpenAI" in [c["value"] for c in choices]


async def test_a_corrupt_state_file_stops_the_bot_with_its_path(
        fake_discord: FakeDiscord, tmp_path: Path,  # noqa: F811
        caplog: pytest.LogCaptureFixture) -> None:
    fake = fake_discord
    state_path = tmp_path / "bot-state.sqlite"
    state_path.write_bytes(b"not a database" * 500)
    bot = make_bot(fake, tmp_path / "index", state_path)
    with pytest.raises(StateError, match=str(state_path)):
        async with running(bot, fake.token, fail_on_error_logs=False):
            pass
    with caplog.at_level(logging.ERROR):
        assert await run_discord(bot.services, bot.settings) == 2
    assert str(state_path) in caplog.text and "corrupt" in caplog.text
    assert state_path.read_bytes() == b"not a database" * 500
