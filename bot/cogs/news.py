"""``/news query [days]``: the latest matching headlines."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.render_discord import render_news

if TYPE_CHECKING:
    from bot.discord_app import MarketBot


class News(commands.Cog):
    """Headlines from the index."""

    def __init__(self, bot: MarketBot) -> None:
        self.bot = bot

    @app_commands.command(name="news", description="Latest headlines about a topic or ticker")
    @app_commands.describe(query="topic or ticker, e.g. Sora or NVDA",
                           days="only the last N days")
    async def news(self, interaction: discord.Interaction, query: str,
                   days: app_commands.Range[int, 1, 365] | None = None) -> None:
        """Defer, then the headlines ``bot.app`` finds."""
        self.bot.cooldown.check(interaction.user.id)
        await interaction.response.defer(thinking=True)
        hits = await self.bot.app.news(query, days=days)
        await interaction.edit_original_response(embed=render_news(query, hits, days))

async def setup(bot: MarketBot) -> None:
    """Extension entry point."""
    await bot.add_cog(News(bot))
