"""``/reingest [source]`` (admins only) and the optional scheduled ingest.

Discord hides the command from non-admins (``default_permissions(administrator=True)``), and the
bot checks again itself with an app-command check (``admin_only``): a server owner can change
who sees a command. The check reads what Discord sends with the interaction, never the cache
(the bot may not have the guild cached): ``interaction.permissions`` (Administrator), the role
ids of the member payload, or a user id listed in settings. Refusals raise ``NotAdmin``, shown
privately by the tree's error handler; the ``source`` autocomplete answers admins only.

Names are checked against the bot's sources file (``DiscordSettings.sources_path``), and the job
gets that same file as ``--sources``: a name means one thing.
The job runs as a subprocess through ``bot.jobs.IngestRunner`` (one at a time, never blocking
the loop); one progress message is edited as it advances. On cog unload — which
``Bot.close()`` does, so also on SIGTERM — a running job is terminated; the ingest publishes
generations atomically, so the serving index is untouched.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import TYPE_CHECKING

import aiohttp
import discord
from discord import app_commands
from discord.ext import commands

from bot.app import NOT_ADMIN, NotAllowed, UserFacingError
from bot.discord_settings import DiscordSettings
from bot.jobs import IngestResult, IngestRunner, JobBusy
from bot.source_check import SourceRefused, check_source, load_source_names

if TYPE_CHECKING:
    from bot.discord_app import MarketBot

log = logging.getLogger(__name__)

DNS_TIMEOUT = 2.0  # seconds; the check runs before the 3 s acknowledgement deadline


class NotAdmin(app_commands.CheckFailure, NotAllowed):
    """``/reingest`` by someone who is not an admin: an app-command check failure (what
    discord.py's checks raise) whose message is written for them."""

    def __init__(self, message: str = NOT_ADMIN) -> None:
        super().__init__(message)


def member_role_ids(user: discord.abc.User) -> set[int]:
    """Role ids of the interaction's member payload, without the guild cache.

    ``Member.roles`` keeps only the roles found in the cached guild (none when the guild is not
    cached); the ids as Discord sent them are in ``Member._roles``.
    """
    raw = getattr(user, "_roles", None)
    if raw is not None:
        return {int(role_id) for role_id in raw}
    return {role.id for role in getattr(user, "roles", ()) if role is not None}


def is_admin(interaction: discord.Interaction, settings: DiscordSettings) -> bool:
    """A user id of ``admin_user_ids``; in a guild also the Administrator permission Discord
    sent with the interaction, or a role id of ``admin_role_ids`` in the member payload."""
    user = interaction.user
    if user.id in settings.admin_user_ids:
        return True
    if interaction.guild_id is None:
        return False
    if interaction.permissions.administrator:
        return True
    return not member_role_ids(user).isdisjoint(settings.admin_role_ids)


def _admin_predicate(interaction: discord.Interaction) -> bool:
    settings = getattr(interaction.client, "settings", None)
    if not isinstance(settings, DiscordSettings) or not is_admin(interaction, settings):
        raise NotAdmin()
    return True


admin_only = app_commands.check(_admin_predicate)
"""App-command check: admins only, else ``NotAdmin``. On an autocomplete callback a failed check
answers no choices."""


def describe_sources(sources: tuple[str, ...] | list[str]) -> str:
    """``sample`` / ``2 sources`` / ``the default sources``, for messages."""
    if not sources:
        return "the default sources"
    return f"`{sources[0][:200]}`" if len(sources) == 1 else f"{len(sources)} sources"


def format_progress(what: str, phase: str, elapsed: float) -> str:
    """The progress line while the job runs."""
    if phase == "started":
        return f"⏳ Ingest of {what} started…"
    return f"⏳ Ingest of {what} running ({elapsed:.0f} s)…"


def format_result(what: str, result: IngestResult) -> str:
    """The final line: the report's counts, or the failure reason."""
    if not result.ok:
        return (f"❌ Ingest of {what} failed after {result.duration_seconds:.0f} s: "
                f"{(result.reason or 'unknown error')[:1500]}. The serving index is unchanged.")
    counts = ", ".join(f"{key.replace('_', ' ')} {result.count(key)}" for key in
                       ("new", "updated", "unchanged", "skipped", "failed"))
    generation = result.generation
    tail = f"; now serving generation {generation}" if generation is not None else ""
    return f"✅ Ingest of {what} done in {result.duration_seconds:.0f} s: {counts}{tail}."


class Reingest(commands.Cog):
    """Refresh the news index from Discord, by hand or on a schedule."""

    def __init__(self, bot: MarketBot) -> None:
        self.bot = bot
        settings = bot.settings
        self.sources_file = settings.sources_path  # checked against, and passed as --sources
        self.runner = IngestRunner(
            bot.services.index_dir, sources_file=self.sources_file,
            timeout=settings.reingest_timeout_seconds,
            public_only=not settings.reingest_allow_private_urls)
        self._schedule: asyncio.Task[None] | None = None
        self._closing = False

    async def cog_load(self) -> None:
        """Start the scheduled ingest when ``schedule_minutes`` > 0."""
        minutes = self.bot.settings.schedule_minutes
        if minutes > 0:
            self._schedule = asyncio.create_task(self._scheduled(minutes * 60.0),
                                                 name="scheduled-ingest")
            log.info("scheduled ingest every %d min", minutes)

    async def cog_unload(self) -> None:
        """Stop the schedule and terminate a running ingest (shutdown, SIGTERM)."""
        self._closing = True
        if self._schedule is not None:
            self._schedule.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._schedule
            self._schedule = None
        if await self.runner.cancel():
            log.info("cancelled the running ingest on shutdown")

    @app_commands.command(name="reingest", description="Re-ingest news into the index (admins)")
    @app_commands.describe(source="a named source of the sources file, or an http(s) feed URL")
    @app_commands.default_permissions(administrator=True)
    @app_commands.guild_only()
    @admin_only
    async def reingest(self, interaction: discord.Interaction, source: str | None = None) -> None:
        """Check, then defer and edit one progress message until the job ends."""
        if self.runner.running:
            raise UserFacingError(self.runner.busy_message())
        sources = [await self._check(source)] if source and source.strip() else []
        try:
            self.runner.claim()
        except JobBusy as exc:
            raise UserFacingError(str(exc)) from None
        what = describe_sources(sources)
        try:
            await interaction.response.defer(thinking=True)
        except BaseException:
            self.runner.release()
            raise

        async def progress(phase: str, elapsed: float) -> None:
            await interaction.edit_original_response(content=format_progress(what, phase, elapsed))

        log.info("%s (%s) started an ingest of %s", interaction.user, interaction.user.id, what)
        result = await self.runner.run(sources, progress, claimed=True)
        if self._closing:  # shutting down: the HTTP session is closing too
            return
        try:
            await interaction.edit_original_response(content=format_result(what, result))
        except (discord.HTTPException, discord.ClientException, aiohttp.ClientError) as exc:
            log.warning("could not post the ingest result: %s", exc)

    async def _check(self, source: str) -> str:
        """The normalized spec, or UserFacingError (DNS runs in a thread, with a timeout)."""
        names = load_source_names(self.sources_file)
        allow = self.bot.settings.reingest_allow_private_urls
        try:
            return await asyncio.wait_for(
                asyncio.to_thread(check_source, source, names, allow_private=allow), DNS_TIMEOUT)
        except SourceRefused as exc:
            raise UserFacingError(str(exc)) from None
        except TimeoutError:
            raise UserFacingError("Looking up that URL's host took too long; try again.") from None

    @reingest.autocomplete("source")
    @admin_only
    async def source_autocomplete(self, interaction: discord.Interaction,
                                  current: str) -> list[app_commands.Choice[str]]:
        """Names of the sources file containing what was typed (admins only: a failed check
        answers an empty list)."""
        names = load_source_names(self.sources_file)
        typed = current.strip().lower()
        matches = [n for n in (*names.names, *names.tags) if typed in n.lower()]
        return [app_commands.Choice(name=n[:100], value=n[:100]) for n in matches[:25]]

    async def _scheduled(self, every: float) -> None:
        """Ingest the sources file's default entries every ``every`` seconds."""
        while True:
            await asyncio.sleep(every)
            if self.runner.running:
                log.info("scheduled ingest skipped: %s", self.runner.busy_message())
                continue
            try:
                result = await self.runner.run(())
            except JobBusy:
                continue
            except Exception:  # keep the schedule alive; the next tick retries
                log.exception("scheduled ingest crashed")
                continue
            log.info("scheduled ingest: %s", format_result("the default sources", result))


async def setup(bot: MarketBot) -> None:
    """Extension entry point."""
    await bot.add_cog(Reingest(bot))
