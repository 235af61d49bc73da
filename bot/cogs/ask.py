"""``/ask question [ticker] [since]`` and "@bot question" replies."""

from __future__ import annotations

import logging
import re
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import UserFacingError, is_expected, user_message
from bot.render_discord import render_answer

if TYPE_CHECKING:
    from bot.discord_app import MarketBot

log = logging.getLogger(__name__)

HELP = ("Ask me about AI-market news, e.g. \"who lost from Sora?\" or \"why did $NVDA jump?\". "
        "Slash commands: /ask, /quote, /news, /status.")


def parse_since(value: str | None) -> date | None:
    """``YYYY-MM-DD`` → date; UserFacingError otherwise."""
    if not value:
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise UserFacingError(f"`since` must be a date like 2024-02-19, not {value!r}.") from None


def strip_mentions(content: str, user_id: int) -> str:
    """The message text without the bot's own mention(s)."""
    return re.sub(rf"<@!?{user_id}>", " ", content).strip()


class Ask(commands.Cog):
    """Questions about the news, as a slash command or a mention."""

    def __init__(self, bot: MarketBot) -> None:
        self.bot = bot

    @app_commands.command(name="ask", description="Ask about AI-market news (cited answer)")
    @app_commands.describe(question="e.g. who lost from Sora?",
                           ticker="focus on this ticker, e.g. NVDA",
                           since="only news since this date (YYYY-MM-DD)")
    async def ask(self, interaction: discord.Interaction, question: str,
                  ticker: str | None = None, since: str | None = None) -> None:
        """Refusals are private and immediate; otherwise defer at once, then the embed."""
        app = self.bot.app
        text = app.check_question(question)
        day = parse_since(since)
        self.bot.cooldown.check(interaction.user.id)
        await interaction.response.defer(thinking=True)
        answer = await app.ask(text, ticker=ticker, since=day)
        await interaction.edit_original_response(embed=render_answer(answer))

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        """Answer "@bot question" as a reply; ignore itself, other bots and non-mentions. A
        mention with no question gets the help text; errors get ``user_message``."""
        me = self.bot.user
        if me is None or message.author.bot or me not in message.mentions:
            return
        text = strip_mentions(message.content, me.id)
        if not text:
            await message.reply(HELP, mention_author=False)
            return
        app = self.bot.app
        try:
            text = app.check_question(text)
            self.bot.cooldown.check(message.author.id)
            async with message.channel.typing():
                answer = await app.ask(text, now=datetime.now(UTC))
        except Exception as exc:
            if not is_expected(exc):
                log.exception("a mention could not be answered")
            await message.reply(user_message(exc), mention_author=False)
            return
        await message.reply(embed=render_answer(answer), mention_author=False)


async def setup(bot: MarketBot) -> None:
    """Extension entry point."""
    await bot.add_cog(Ask(bot))
