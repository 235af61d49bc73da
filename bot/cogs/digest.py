"""``/digest [days] [until]`` (everyone) and the optional daily digest.

The daily digest (``DISCORD_DIGEST_CHANNEL_ID``, at ``DISCORD_DIGEST_TIME`` UTC) posts the
last 24 hours once a day. The day it was last posted lives in the bot state
(``BotState``, key ``digest.last_sent_day``) and is written *before* the post: a restart, even
in the middle of posting, never posts the same day twice (a failed post is logged, not
retried that day). A bot started after the day's time that has not posted yet posts at once.

Sharded over several processes (``DISCORD_SHARD_IDS``), only the process running the shard of
the digest channel's guild posts it (``MarketBot.owns_guild``); the others look the channel up
once (cache, else ``GET /channels/{id}``) and leave the schedule to it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.render_discord import render_digest

if TYPE_CHECKING:
    from bot.discord_app import MarketBot
    from bot.state import BotState

log = logging.getLogger(__name__)

LAST_SENT_KEY = "digest.last_sent_day"
MAX_SLEEP = 300.0
"""The schedule wakes at least this often (seconds), so a changed clock is noticed."""


def next_digest_due(now: datetime, at: time, last_sent: date | None) -> datetime:
    """When the daily digest is next due: today's ``at`` (UTC) unless today's was already
    sent, then tomorrow's. A moment at or before ``now`` means "post now"."""
    today = now.astimezone(UTC).date()
    day = today + timedelta(days=1) if last_sent is not None and last_sent >= today else today
    return datetime.combine(day, at, UTC)


def _parse_day(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        log.warning("ignoring a bad %s in the bot state: %r", LAST_SENT_KEY, value)
        return None


class DigestCog(commands.Cog, name="Digest"):
    """What moved in AI news, on demand and once a day."""

    def __init__(self, bot: MarketBot, clock: Callable[[], datetime] | None = None) -> None:
        self.bot = bot
        self.clock = clock or (lambda: datetime.now(UTC))
        self._schedule: asyncio.Task[None] | None = None

    def _state(self) -> BotState:
        """The bot's state (``MarketBot.setup_hook`` opens it before loading the cogs)."""
        state = self.bot.state
        if state is None:
            raise RuntimeError("the bot state is not open")
        return state

    async def _watched(self) -> set[str]:
        if self.bot.state is None:
            return set()
        try:
            return set(await asyncio.to_thread(self.bot.state.watched_keys))
        except Exception:  # the digest still arrives, without marks
            log.exception("could not read the watched keys")
            return set()

    async def cog_load(self) -> None:
        """Start the daily digest when ``digest_channel_id`` is set."""
        settings = self.bot.settings
        if settings.digest_channel_id is None:
            return
        if self.bot.state is None:
            log.error("the daily digest needs the bot state (BOT_STATE_PATH): not scheduled")
            return
        self._schedule = asyncio.create_task(self._scheduled(), name="daily-digest")
        log.info("daily digest at %s UTC to channel %d",
                 settings.digest_time.strftime("%H:%M"), settings.digest_channel_id)

    async def cog_unload(self) -> None:
        if self._schedule is not None:
            self._schedule.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._schedule
            self._schedule = None

    @app_commands.command(name="digest", description="What moved in AI news: reported stock "
                          "moves, most reported first")
    @app_commands.describe(days="how many days (default 1, at most 365)",
                           until="last day, YYYY-MM-DD (UTC; default now)")
    async def digest(self, interaction: discord.Interaction,
                     days: app_commands.Range[int, 1, 365] = 1,
                     until: str | None = None) -> None:
        """Check the arguments, defer, then the digest ``bot.app`` composes."""
        self.bot.cooldown.check(interaction.user.id)
        days, until_day = self.bot.app.check_digest(days, until)
        await interaction.response.defer(thinking=True)
        digest = await self.bot.app.digest(days, until_day, watched=await self._watched())
        await interaction.edit_original_response(embed=render_digest(digest))

    async def owns_digest_channel(self) -> bool | None:
        """Whether this process posts the daily digest: always when it runs every shard, else
        when it runs the shard of the channel's guild; None when the channel cannot be looked
        up now (try again later: never guess, or two processes could post)."""
        settings = self.bot.settings
        if not settings.sharded:
            return True
        channel_id = settings.digest_channel_id
        assert channel_id is not None
        channel = self.bot.get_channel(channel_id)
        if channel is None:
            try:
                channel = await self.bot.fetch_channel(channel_id)
            except discord.HTTPException as exc:
                log.error("cannot look up the digest channel %d (%s): it decides which shard "
                          "process posts the digest", channel_id, exc)
                return None
        guild = getattr(channel, "guild", None)
        return self.bot.owns_guild(guild.id if guild is not None else None)

    async def _scheduled(self) -> None:
        at = self.bot.settings.digest_time
        await self.bot.wait_until_ready()
        while (owned := await self.owns_digest_channel()) is None:
            await asyncio.sleep(MAX_SLEEP)
        if not owned:
            log.info("the daily digest channel %d is on another process's shard: that process "
                     "posts it", self.bot.settings.digest_channel_id)
            return
        while True:
            try:
                now = self.clock()
                last = _parse_day(await asyncio.to_thread(self._state().get_value,
                                                          LAST_SENT_KEY))
                wait = (next_digest_due(now, at, last) - now).total_seconds()
                if wait > 0:
                    await asyncio.sleep(min(wait, MAX_SLEEP))
                    continue
                await self.post_daily(now)
            except asyncio.CancelledError:
                raise
            except Exception:  # keep the schedule alive; try again shortly
                log.exception("the daily digest failed")
                await asyncio.sleep(MAX_SLEEP)

    async def post_daily(self, now: datetime) -> None:
        """Mark today as sent, then post the last 24 hours to the digest channel."""
        channel_id = self.bot.settings.digest_channel_id
        assert channel_id is not None
        await asyncio.to_thread(self._state().set_value, LAST_SENT_KEY,
                                now.astimezone(UTC).date().isoformat())
        digest = await self.bot.app.digest(1, None, now=now, watched=await self._watched())
        try:
            channel = (self.bot.get_channel(channel_id)
                       or await self.bot.fetch_channel(channel_id))
            if not isinstance(channel, discord.abc.Messageable):
                log.error("the digest channel %d cannot take messages", channel_id)
                return
            await channel.send(embed=render_digest(digest))
        except discord.HTTPException as exc:  # missing channel or permission: say which
            log.error("could not post the daily digest to channel %d: %s", channel_id, exc)
            return
        log.info("posted the daily digest (%d companies) to channel %d", digest.companies,
                 channel_id)


async def setup(bot: MarketBot) -> None:
    """Extension entry point."""
    await bot.add_cog(DigestCog(bot))
