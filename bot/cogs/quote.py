"""``/quote ticker [period]``: the quote as an embed plus a PNG chart; ticker autocomplete."""

from __future__ import annotations

import asyncio
import io
import logging
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.chart import render_chart
from bot.quotes import Period, PriceHistory
from bot.render_discord import render_quote

if TYPE_CHECKING:
    from bot.discord_app import MarketBot

log = logging.getLogger(__name__)
CHOICES = 25


class QuoteCog(commands.Cog, name="Quote"):
    """Live prices and charts."""

    def __init__(self, bot: MarketBot) -> None:
        self.bot = bot

    @app_commands.command(name="quote", description="Price, change and a chart for a ticker")
    @app_commands.describe(ticker="e.g. NVDA", period="chart period (default 1mo)")
    async def quote(self, interaction: discord.Interaction, ticker: str,
                    period: Period = "1mo") -> None:
        """Validate, defer, quote and history from ``bot.app``, chart in a thread."""
        app = self.bot.app
        symbol = app.check_symbol(ticker)  # InvalidSymbol → a private message
        self.bot.cooldown.check(interaction.user.id)
        await interaction.response.defer(thinking=True)
        result, history = await app.quote_and_history(symbol, period)
        embed = render_quote(result, period)
        if not isinstance(history, PriceHistory):
            embed.add_field(name="Chart", value=history.text, inline=False)
            await interaction.edit_original_response(embed=embed)
            return
        png = await asyncio.to_thread(render_chart, history)
        embed.set_image(url="attachment://chart.png")
        await interaction.edit_original_response(
            embed=embed, attachments=[discord.File(io.BytesIO(png), filename="chart.png")])

    @quote.autocomplete("ticker")
    async def ticker_choices(self, interaction: discord.Interaction,
                             current: str) -> list[app_commands.Choice[str]]:
        """Known tickers starting with what was typed (then containing it)."""
        tickers = await self.bot.app.known_tickers()
        typed = current.strip().lstrip("$").upper()
        ranked = [t for t in tickers if t.startswith(typed)]
        ranked += [t for t in tickers if typed and typed in t and not t.startswith(typed)]
        return [app_commands.Choice(name=t, value=t) for t in ranked[:CHOICES]]


async def setup(bot: MarketBot) -> None:
    """Extension entry point."""
    await bot.add_cog(QuoteCog(bot))
