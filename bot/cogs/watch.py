"""``/watch add|remove|list`` and the alert poller's Discord side.

One ``app_commands.Group`` named ``watch``. ``add`` and ``remove`` need Manage Server (or what
``/reingest`` accepts: Administrator, ``DISCORD_ADMIN_USER_IDS`` / ``DISCORD_ADMIN_ROLE_IDS``),
checked on what Discord sent with the interaction (``interaction.permissions``), never the
cache; ``list`` is for everyone and private. Targets autocomplete from the tickers and
companies the serving index knows.

The poller (``bot.watch.WatchPoller``) starts with the cog and stops with it (``Bot.close()``
unloads cogs). Alerts go to ``bot.get_partial_messageable(channel_id)`` (no cache needed) with
mentions off; only watches of guilds on this process's shards alert here (``bot.owns_guild``:
another process running the other shards sends theirs); a 404 (unknown channel) or 403 (no
access or permission) disables the channel's watches with the reason ``/watch list`` shows.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import NotAllowed
from bot.cogs.reingest import is_admin
from bot.discord_settings import DiscordSettings
from bot.render_discord import GREEN, RED, YELLOW, fit, trim
from bot.state import BotState, Watch
from bot.watch import AlertMessage, ChannelUnavailable, TargetError, WatchPoller, parse_target
from index.errors import IndexError_

if TYPE_CHECKING:
    from bot.discord_app import MarketBot

log = logging.getLogger(__name__)

NOT_MANAGER = "Only members with Manage Server (or the bot's admins) can change watches."
AUTOCOMPLETE_TTL = 60.0  # seconds the known tickers and companies are cached
TONES = {"up": GREEN, "down": RED, "news": YELLOW}


class NotManager(app_commands.CheckFailure, NotAllowed):
    """``/watch add|remove`` by someone without Manage Server."""

    def __init__(self, message: str = NOT_MANAGER) -> None:
        super().__init__(message)


def can_manage(interaction: discord.Interaction, settings: DiscordSettings) -> bool:
    """Manage Server in the interaction's permissions, or an admin as ``/reingest`` sees it."""
    if is_admin(interaction, settings):
        return True
    return interaction.guild_id is not None and interaction.permissions.manage_guild


def _manager_predicate(interaction: discord.Interaction) -> bool:
    settings = getattr(interaction.client, "settings", None)
    if not isinstance(settings, DiscordSettings) or not can_manage(interaction, settings):
        raise NotManager()
    return True


managers_only = app_commands.check(_manager_predicate)


def render_alert(message: AlertMessage) -> discord.Embed:
    """An alert as an embed within Discord's limits (``fit`` cleans every part)."""
    return fit(message.title, message.description, message.fields, message.footer,
               TONES.get(message.tone, YELLOW), url=message.url)


def _when(moment: object) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC") if hasattr(moment, "strftime") else "never"


def watch_line(watch: Watch) -> str:
    """One line of ``/watch list``."""
    kind = {"ticker": "ticker", "company": "company", "topic": "topic"}[watch.kind]
    target = f"**{trim(watch.label, 80)}** ({kind}"
    target += f" {watch.key})" if watch.kind == "ticker" and watch.key != watch.label else ")"
    fired = _when(watch.last_fired_at) if watch.last_fired_at else "never fired"
    line = (f"{target} in <#{watch.channel_id}> · added by {trim(watch.added_by_name, 60)} "
            f"on {watch.added_at:%Y-%m-%d} · last fired: {fired}")
    if watch.disabled_reason:
        line += f"\n  ⚠ disabled: {trim(watch.disabled_reason, 200)} (add it again to retry)"
    return line


class WatchCog(commands.Cog, name="Watch"):
    """Watches and alerts."""

    watch = app_commands.Group(name="watch", description="Alerts when news moves what you watch",
                               guild_only=True)

    def __init__(self, bot: MarketBot, state: BotState) -> None:
        self.bot = bot
        self.state = state
        settings = bot.settings
        services = bot.services
        self.poller = WatchPoller(
            state, services.index_dir, services.resolver.table, services.quotes, self.send_alert,
            poll_seconds=settings.watch_poll_seconds,
            max_per_hour=settings.watch_max_alerts_per_hour,
            max_age_hours=settings.watch_max_age_hours,
            owns=bot.owns_guild, owner=settings.owner_tag)  # sharded: this process's guilds only
        self._known: tuple[float, list[str]] = (0.0, [])

    async def cog_load(self) -> None:
        await self.poller.start()

    async def cog_unload(self) -> None:
        await self.poller.stop()

    # --- sending ---------------------------------------------------------------------------

    async def send_alert(self, channel_id: int, message: AlertMessage) -> None:
        """Post one alert; ChannelUnavailable when the channel is gone or forbidden."""
        channel = self.bot.get_partial_messageable(channel_id)
        try:
            await channel.send(embed=render_alert(message),
                               allowed_mentions=discord.AllowedMentions.none())
        except discord.NotFound as exc:
            raise ChannelUnavailable(f"channel not found (Discord: {exc.text or exc.status})"
                                     ) from None
        except discord.Forbidden as exc:
            raise ChannelUnavailable(
                f"missing permission to post there (Discord: {exc.text or exc.status})") from None

    # --- commands --------------------------------------------------------------------------

    @watch.command(name="add", description="Alert a channel when news moves a ticker, company or "
                   "topic (Manage Server)")
    @app_commands.describe(target="a ticker (NVDA, $nvda), a company (Nvidia, OpenAI) or a topic",
                           channel="where alerts go (default: this channel)")
    @managers_only
    async def add(self, interaction: discord.Interaction, target: str,
                  channel: discord.TextChannel | None = None) -> None:
        parsed = parse_target(target, self.bot.services.resolver.table)
        channel_id = channel.id if channel is not None else interaction.channel_id
        if channel_id is None:
            raise TargetError("Pick a channel for the alerts.")
        user = interaction.user
        watch, created = await asyncio.to_thread(
            self.state.add_watch, guild_id=interaction.guild_id, channel_id=channel_id,
            kind=parsed.kind, key=parsed.key, label=parsed.label, added_by_id=user.id,
            added_by_name=str(user))
        what = f"**{trim(watch.label, 80)}** ({watch.kind}" + (
            f" {watch.key})" if watch.kind == "ticker" and watch.key != watch.label else ")")
        if created:
            text = f"Watching {what} in <#{channel_id}>: new articles that name it alert there."
            log.info("%s (%s) added watch %s %s in %d", user, user.id, watch.kind, watch.key,
                     channel_id)
        else:
            text = f"<#{channel_id}> already watches {what}."
        await interaction.response.send_message(trim(text, 1900), ephemeral=True)

    @watch.command(name="remove", description="Stop a watch (Manage Server)")
    @app_commands.describe(target="what is watched", channel="its channel (default: this one)")
    @managers_only
    async def remove(self, interaction: discord.Interaction, target: str,
                     channel: discord.TextChannel | None = None) -> None:
        parsed = parse_target(target, self.bot.services.resolver.table)
        channel_id = channel.id if channel is not None else interaction.channel_id
        removed = channel_id is not None and await asyncio.to_thread(
            self.state.remove_watch, channel_id, parsed.kind, parsed.key)
        text = (f"Stopped watching **{trim(parsed.label, 80)}** in <#{channel_id}>." if removed
                else f"<#{channel_id}> does not watch **{trim(parsed.label, 80)}**.")
        await interaction.response.send_message(trim(text, 1900), ephemeral=True)

    @watch.command(name="list", description="What this server watches")
    async def list_(self, interaction: discord.Interaction) -> None:
        watches = await asyncio.to_thread(self.state.watches, guild_id=interaction.guild_id)
        if not watches:
            text = "Nothing is watched here. `/watch add NVDA` starts a watch."
            await interaction.response.send_message(text, ephemeral=True)
            return
        embed = fit(f"Watches ({len(watches)})", "\n".join(watch_line(w) for w in watches), [],
                    "alerts: new articles naming the target, or reporting its move", YELLOW)
        await interaction.response.send_message(embed=embed, ephemeral=True)

    @add.autocomplete("target")
    @remove.autocomplete("target")
    async def target_autocomplete(self, interaction: discord.Interaction,
                                  current: str) -> list[app_commands.Choice[str]]:
        """Tickers and companies the index knows, containing what was typed."""
        typed = current.strip().lstrip("$").lower()
        known = await self._known_targets()
        starts = [k for k in known if k.lower().startswith(typed)]
        inside = [k for k in known if typed in k.lower() and k not in starts]
        return [app_commands.Choice(name=k[:100], value=k[:100]) for k in (starts + inside)[:25]]

    async def _known_targets(self) -> list[str]:
        stamp, known = self._known
        if known and time.monotonic() - stamp < AUTOCOMPLETE_TTL:
            return known

        def read() -> list[str]:
            try:
                reader = self.bot.services.live.reader()
                return list(dict.fromkeys([*reader.known_tickers(), *reader.known_companies()]))
            except IndexError_:
                return []
        known = await asyncio.to_thread(read)
        self._known = (time.monotonic(), known)
        return known


async def setup(bot: MarketBot) -> None:
    """Extension entry point: needs the bot's state database (``bot.state``)."""
    if bot.state is None:
        raise RuntimeError("the watch cog needs the bot state (MarketBot.setup_hook opens it)")
    await bot.add_cog(WatchCog(bot, bot.state))
