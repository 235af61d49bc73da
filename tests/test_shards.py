"""Many servers: the bot as ``AutoShardedBot``, shards split between processes
(``DISCORD_SHARD_COUNT`` / ``DISCORD_SHARD_IDS``), and what a guild owns (its slash commands,
its watch alerts, the daily digest of a channel in it) handled by the process running its shard,
once. Two bots, one shard each, against the fake Discord on 127.0.0.1, sharing one index
directory and one state file."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from datetime import UTC, datetime, time
from pathlib import Path
from typing import Any

import discord
import pytest
from pydantic import ValidationError

from bot.discord_app import MarketBot
from bot.discord_settings import DiscordSettings, shard_of
from bot.quotes import FakeQuoteProvider, QuoteSettings
from bot.services import build_services
from bot.settings import AnswerSettings
from bot.state import BotState
from bot.watch.poller import AFTER_KEY, GENERATION_KEY
from index.settings import IndexSettings
from tests.discord_fake import FakeDiscord, FakeGuild, StoredMessage
from tests.discord_fake.fixtures import fake_discord, running  # noqa: F401
from tests.test_watch_bot import ingest, record, write

POLL = 0.3


def settings(**values: Any) -> DiscordSettings:
    return DiscordSettings(_env_file=None, **values)  # type: ignore[call-arg]


def test_shard_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    every = settings()
    assert every.shard_count is None and every.shard_ids is None and not every.sharded
    assert every.owns_guild(12345 << 22) and every.owner_tag == ""

    monkeypatch.setenv("DISCORD_SHARD_COUNT", "4")
    monkeypatch.setenv("DISCORD_SHARD_IDS", "3, 1")
    some = DiscordSettings(_env_file=None)  # type: ignore[call-arg]
    assert some.shard_count == 4 and some.shard_ids == [1, 3] and some.sharded
    assert some.owner_tag == "shards 1,3 of 4"
    assert some.owns_guild(5 << 22) and some.owns_guild(7 << 22)
    assert not some.owns_guild(4 << 22) and not some.owns_guild(None)  # DMs: shard 0
    monkeypatch.setenv("DISCORD_SHARD_IDS", "[0, 1, 2, 3]")
    whole = DiscordSettings(_env_file=None)  # type: ignore[call-arg]
    assert not whole.sharded and whole.owns_guild(1 << 22) and whole.owner_tag == ""
    assert shard_of(None, 4) == 0 and shard_of(6 << 22, 4) == 2

    monkeypatch.delenv("DISCORD_SHARD_COUNT")
    monkeypatch.delenv("DISCORD_SHARD_IDS")
    for bad, words in (({"shard_ids": [0]}, "needs DISCORD_SHARD_COUNT"),
                       ({"shard_ids": [2], "shard_count": 2}, "not in 0..1"),
                       ({"shard_ids": "1,1", "shard_count": 2}, "repeats"),
                       ({"shard_ids": "[]", "shard_count": 2}, "empty"),
                       ({"shard_count": 0}, "greater than or equal to 1")):
        with pytest.raises(ValidationError, match=words):
            settings(**bad)


def test_one_state_file_for_several_processes(tmp_path: Path) -> None:
    """WAL with a busy timeout: two connections (two processes) read and write one file."""
    path = tmp_path / "state.sqlite"
    with BotState.open(path) as first, BotState.open(path) as second:
        mode = sqlite3.connect(path).execute("PRAGMA journal_mode").fetchone()[0]
        assert mode == "wal"
        first.add_watch(guild_id=1 << 22, channel_id=10, kind="ticker", key="NVDA",
                        label="NVDA", added_by_id=1, added_by_name="a")
        second.add_watch(guild_id=2 << 22, channel_id=20, kind="ticker", key="NVDA",
                         label="NVDA", added_by_id=2, added_by_name="b")
        assert [w.guild_id for w in first.watches()] == [1 << 22, 2 << 22]
        assert [w.channel_id for w in second.watches(guild_id=2 << 22)] == [20]


def make_bot(fake: FakeDiscord, index_dir: Path, state_path: Path, shard: int,
             **overrides: Any) -> MarketBot:
    index_settings = IndexSettings(  # type: ignore[call-arg]
        _env_file=None, index_dir=index_dir, embedding_model="fake:64")
    services = build_services(index_settings, AnswerSettings(_env_file=None),  # type: ignore[call-arg]
                              QuoteSettings(_env_file=None),  # type: ignore[call-arg]
                              quotes=FakeQuoteProvider({"NVDA": 140.25}))
    return MarketBot(services, settings(
        token=fake.token, api_base_url=fake.rest_url, gateway_url=fake.gateway_url,
        cooldown_rate=100, state_path=state_path, watch_poll_seconds=POLL, shard_count=2,
        shard_ids=[shard], **overrides), guild_ready_timeout=0.05)


def bot_posts(fake: FakeDiscord, channel_id: int) -> list[StoredMessage]:
    """The bot's own posts (not interaction responses) in a channel."""
    return [m for m in fake.channel_messages(channel_id) if m.author_id == fake.bot_user.id
            and m.interaction_id is None]


async def test_two_processes_one_shard_each(fake_discord: FakeDiscord, tmp_path: Path,  # noqa: F811
                                            caplog: pytest.LogCaptureFixture) -> None:
    fake = fake_discord
    caplog.set_level(logging.INFO, logger="bot")
    first = fake.guild
    other = fake.add_guild("Second Guild", guild_id=fake.guild_id_on_shard(
        1 - shard_of(first.id, 2), 2))
    guilds: dict[int, FakeGuild] = {shard_of(g.id, 2): g for g in (first, other)}
    assert sorted(guilds) == [0, 1]  # one guild per shard

    index_dir, state_path = tmp_path / "index", tmp_path / "shared" / "bot-state.sqlite"
    now = datetime.now(UTC)
    await ingest(index_dir, write(tmp_path / "before.jsonl", record(
        "Rain expected across the valley", "Forecasters expect showers.",
        "https://n.example/weather", now)))
    digest_channel = guilds[1].channels[1]
    bots = {shard: make_bot(fake, index_dir, state_path, shard,
                            digest_channel_id=digest_channel.id, digest_time=time(0, 0))
            for shard in (0, 1)}
    served: list[tuple[int, int | None, str]] = []  # (shard process, guild, command)
    for shard, bot in bots.items():
        async def on_interaction(interaction: discord.Interaction, shard: int = shard) -> None:
            name = interaction.command.qualified_name if interaction.command else "?"
            served.append((shard, interaction.guild_id, name))
        bot.add_listener(on_interaction, "on_interaction")

    async with running(bots[0], fake.token), running(bots[1], fake.token):
        # Each process identified its one shard and got its one guild.
        assert sorted(i["shard"] for i in fake.gateway.identifies) == [[0, 2], [1, 2]]
        for shard, bot in bots.items():
            assert bot.shard_count == 2 and list(bot.shards) == [shard]
            assert [g.id for g in bot.guilds] == [guilds[shard].id]
        # The global command sync is done once, by the process running shard 0.
        assert [scope for scope, _ in fake.command_syncs] == [None]
        assert None in bots[0].synced and None not in bots[1].synced

        # The digest channel is in the guild of shard 1: that process posts it, once.
        await fake.wait_until(lambda: bot_posts(fake, digest_channel.id), 10, "the digest")
        assert "on another process's shard" in caplog.text

        # Each guild's slash commands reach one process: the one running its shard.
        for guild in guilds.values():
            admin = next(m for m in guild.members if m.username.endswith("admin"))
            interaction = await fake.slash("watch add", {"target": "NVDA"}, user=admin,
                                           channel=guild.channels[0])
            message = await interaction.wait_final()
            assert "Watching **NVDA** (ticker)" in message.content
            assert len(interaction.callbacks) == 1 and not interaction.rejections
            listed = await (await fake.slash("watch list", user=admin,
                                             channel=guild.channels[0])).wait_final()
            assert listed.embeds[0]["title"] == "Watches (1)"  # the shared file, per guild
        assert sorted(served) == [(0, guilds[0].id, "watch add"), (0, guilds[0].id, "watch list"),
                                  (1, guilds[1].id, "watch add"), (1, guilds[1].id, "watch list")]

        # News about Nvidia: each guild's watch alerts once, sent by the owning process.
        await ingest(index_dir, write(tmp_path / "nvda.jsonl", record(
            "Nvidia shares jump 6% as AI chip demand soars",
            "Nvidia shares jumped 6% on Monday after strong AI chip demand.",
            "https://n.example/nvda-jump", now)))
        for guild in guilds.values():
            await fake.wait_until(lambda g=guild: bot_posts(fake, g.channels[0].id),
                                  POLL + 10, f"the alert in {guild.name}")
        await asyncio.sleep(POLL * 5)  # both pollers had time to (not) send more
        for shard, guild in guilds.items():
            posts = bot_posts(fake, guild.channels[0].id)
            assert [p.embeds[0]["title"] for p in posts] == [
                "Nvidia shares jump 6% as AI chip demand soars"]
            poller = bots[shard].get_cog("Watch").poller  # type: ignore[union-attr]
            assert poller.last is not None and poller.last.sent == 1
        assert len(bot_posts(fake, digest_channel.id)) == 1  # the digest, still once

    # Each process kept its own watcher progress in the shared file.
    with BotState.open(state_path) as state:
        for shard in (0, 1):
            assert state.get_value(f"{GENERATION_KEY} [shards {shard} of 2]")
            assert state.get_value(f"{AFTER_KEY} [shards {shard} of 2]")
        assert state.get_value(GENERATION_KEY) is None


async def test_a_sharded_process_takes_over_the_unsharded_progress(tmp_path: Path) -> None:
    """The first sharded start on a state an unsharded bot used goes on from its progress."""
    from bot.watch.poller import WatchPoller
    from index.tickers import TickerTable

    path = tmp_path / "state.sqlite"
    with BotState.open(path) as state:
        state.set_value(GENERATION_KEY, "gen-7")
        state.set_value(AFTER_KEY, "2024-05-01T00:00:00+00:00")

        async def send(channel_id: int, message: object) -> None:
            raise AssertionError("nothing to send")

        poller = WatchPoller(state, tmp_path / "index", TickerTable.load(),
                             FakeQuoteProvider({}), send, owner="shards 1 of 2",
                             owns=lambda guild_id: False)
        await asyncio.to_thread(poller._baseline)
        assert state.get_value("watch.generation [shards 1 of 2]") == "gen-7"
        assert state.get_value("watch.after [shards 1 of 2]") == "2024-05-01T00:00:00+00:00"
