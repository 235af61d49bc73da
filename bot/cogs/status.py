"""``/status``: index, last ingest, quote provider health, uptime, version."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.render_discord import render_status

if TYPE_CHECKING:
    from bot.discord_app import MarketBot


class StatusCog(commands.Cog, name="Status"):
    """How the bot is doing."""

    def __init__(self, bot: MarketBot) -> None:
        self.bot = bot

    @app_commands.command(name="status", description="Index size, freshness and health")
    async def status(self, interaction: discord.Interaction) -> None:
        """Defer, then the status ``bot.app`` collects."""
        await interaction.response.defer(thinking=True)
        status = await self.bot.app.status()
        await interaction.edit_original_response(embed=render_status(status))

async def setup(bot: MarketBot) -> None:
    """Extension entry point."""
    await bot.add_cog(StatusCog(bot))
