"""The Discord bot: a ``commands.AutoShardedBot`` over the injected ``Services``.

Shards: ``DISCORD_SHARD_COUNT`` (None = what Discord recommends) and ``DISCORD_SHARD_IDS``
(None = every shard) let several processes share the guilds while reading one index directory
(generations are read-only files). Discord delivers a guild's events, slash commands included,
on its shard only, so each guild is served by one process. What the bot does on its own is
limited the same way (``DiscordSettings.owns_guild``): the watcher alerts only for watches of
guilds on this process's shards, the daily digest is posted only by the process owning the
digest channel's guild, guild command syncs go only to owned guilds and the global sync is done
by the process running shard 0.

Intents: the defaults, *without* the privileged message-content intent. Slash commands need no
intent, and Discord still delivers the content of messages that mention the bot, which is all
the "@bot question" handler reads. No members or presence intents either.

Allowed mentions are off for everything the bot sends (``AllowedMentions.none()``): no answer
can ping @everyone, a role, a user or the author it replies to, whatever the news says.

REST and gateway base URLs come from ``DiscordSettings`` (a proxy, or the test fake). discord.py
keeps them in process-global class attributes (``discord.http.Route.BASE`` and
``discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY``); ``MarketBot.start`` sets them before
logging in, so one process runs one bot configuration.

The token is a ``SecretStr``: it is read once, handed to ``start()``, and never logged.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal

import discord
import discord.gateway
import discord.http
import yarl
from discord import app_commands
from discord.ext import commands

from bot.app import BotApp, NotAllowed, TooFast, is_expected, user_message
from bot.cogs import EXTENSIONS, Cooldown
from bot.discord_settings import DiscordSettings
from bot.services import Services
from bot.state import BotState, StateError

log = logging.getLogger(__name__)

def app_error(error: app_commands.AppCommandError) -> BaseException:
    """discord.py's wrapper or kind of error → the error ``user_message`` knows: the original
    of a failed callback, ``TooFast`` for a cooldown, ``NotAllowed`` for a failed check."""
    if isinstance(error, app_commands.CommandInvokeError):
        return error.original
    if isinstance(error, app_commands.CommandOnCooldown):
        return TooFast(error.retry_after)
    if isinstance(error, app_commands.CheckFailure) and not is_expected(error):
        return NotAllowed()
    return error


async def send_ephemeral(interaction: discord.Interaction, text: str) -> None:
    """Reply privately, whether or not the interaction was already acknowledged."""
    try:
        if interaction.response.is_done():
            await interaction.followup.send(text, ephemeral=True)
        else:
            await interaction.response.send_message(text, ephemeral=True)
    except discord.HTTPException as exc:
        log.warning("could not tell the user about an error: %s", exc)


class MarketTree(app_commands.CommandTree["MarketBot"]):
    """The one error path for every slash command: a short private message to the user, the
    trace to the log."""

    async def on_error(
        self, interaction: discord.Interaction[MarketBot], error: app_commands.AppCommandError
    ) -> None:
        original = app_error(error)
        if not is_expected(original):
            name = interaction.command.qualified_name if interaction.command else "?"
            log.error("/%s failed", name, exc_info=original)
        await send_ephemeral(interaction, user_message(original))


def configure_endpoints(settings: DiscordSettings) -> None:
    """Point discord.py's process-global REST base and default gateway at the settings."""
    discord.http.Route.BASE = settings.api_base_url.rstrip("/")
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(settings.gateway_url)


class MarketBot(commands.AutoShardedBot):
    """Slash commands ``/ask /quote /news /status`` and "@bot question" replies over one
    ``BotApp`` (``self.app``), which ``run_discord`` closes on the way out. Runs the shards
    ``settings.shard_ids`` of ``settings.shard_count`` (all, and Discord's count, by default)."""

    def __init__(
        self, services: Services, settings: DiscordSettings, *, guild_ready_timeout: float = 2.0,
        state: BotState | None = None,
    ) -> None:
        intents = discord.Intents.default()
        intents.message_content = False  # mentions carry their content anyway
        super().__init__(
            command_prefix=commands.when_mentioned, intents=intents, tree_cls=MarketTree,
            allowed_mentions=discord.AllowedMentions.none(), help_command=None,
            guild_ready_timeout=guild_ready_timeout,
            shard_count=settings.shard_count,
            shard_ids=settings.shard_ids,  # type: ignore[arg-type]  # None = every shard
        )
        self.services = services
        self.app = BotApp(services)
        self.settings = settings
        self.cooldown = Cooldown(settings.cooldown_rate, settings.cooldown_seconds)
        self.synced: dict[int | None, list[app_commands.AppCommand]] = {}
        self.state = state  # watches, alerts, schedules; opened in setup_hook when not given
        self._owns_state = state is None

    async def start(self, token: str, *, reconnect: bool = True) -> None:
        """Set the REST/gateway endpoints from settings, then log in and connect."""
        configure_endpoints(self.settings)
        await super().start(token, reconnect=reconnect)

    async def setup_hook(self) -> None:
        """Open the state database (``StateError`` names a corrupt file), load the cogs,
        then sync commands to the configured guilds (or globally)."""
        if self.state is None:
            self.state = await asyncio.to_thread(BotState.open, self.settings.state_path)
        for extension in EXTENSIONS:
            try:
                await self.load_extension(extension)
            except commands.ExtensionError:
                log.exception("could not load %s", extension)
                raise
        if self.settings.guild_ids:
            owned = [g for g in self.settings.guild_ids if self.settings.owns_guild(g)]
            for guild_id in owned:
                guild = discord.Object(guild_id)
                self.tree.copy_global_to(guild=guild)
                self.synced[guild_id] = await self.tree.sync(guild=guild)
            log.info("synced %d commands to %d guilds (on this process's shards)",
                     len(self.tree.get_commands()), len(owned))
        elif self.settings.owns_guild(None):  # the process running shard 0 syncs for all
            self.synced[None] = await self.tree.sync()
            log.info("synced %d commands globally", len(self.synced[None]))

    async def close(self) -> None:
        """Unload the cogs (stops the watcher and the schedules), disconnect, then close the
        state database the bot opened."""
        try:
            await super().close()
        finally:
            if self._owns_state and self.state is not None:
                self.state.close()
                self.state = None

    async def on_message(self, message: discord.Message, /) -> None:
        """No prefix commands: mentions are answered by the ask cog's listener."""

    async def on_ready(self) -> None:
        log.info("connected as %s (%s), shards %s of %s", self.user,
                 self.user.id if self.user else "?", list(self.shards), self.shard_count)

    def owns_guild(self, guild_id: int | None) -> bool:
        """Whether this process runs ``guild_id``'s shard (DMs: shard 0); always True when it
        runs every shard. Known from the settings alone, before connecting."""
        return self.settings.owns_guild(guild_id)


async def run_discord(services: Services, settings: DiscordSettings) -> int:
    """Run the bot until it is closed (Ctrl-C / SIGTERM); 0 on a clean exit, 2 on a bad token."""
    if settings.token is None:
        log.error("DISCORD_TOKEN is not set")
        return 2
    try:
        state = BotState.open(settings.state_path)
    except StateError as exc:
        log.error("%s", exc)
        return 2
    bot = MarketBot(services, settings, state=state)
    loop = asyncio.get_running_loop()
    with contextlib.suppress(NotImplementedError, RuntimeError):  # not on Windows / threads
        loop.add_signal_handler(signal.SIGTERM, lambda: loop.create_task(bot.close()))
    try:
        async with bot:
            await bot.start(settings.token.get_secret_value())
    except discord.LoginFailure:
        log.error("Discord refused the token (DISCORD_TOKEN): check it in the developer portal")
        return 2
    except discord.PrivilegedIntentsRequired as exc:
        log.error("Discord refused the intents: %s", exc)
        return 2
    finally:
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.remove_signal_handler(signal.SIGTERM)
        await bot.app.aclose()
        state.close()
    return 0
