"""``/ask question [ticker] [since]`` and "@bot question" replies."""

from __future__ import annotations

import logging
import re
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.cogs import UserFacingError
from bot.question import QuestionError
from bot.render_discord import render_answer
from index.errors import IndexError_

if TYPE_CHECKING:
    from bot.discord_app import MarketBot

log = logging.getLogger(__name__)

HELP = ("Ask me about AI-market news, e.g. \"who lost from Sora?\" or \"why did $NVDA jump?\". "
        "Slash commands: /ask, /quote, /news, /status.")


def check_question(text: str, max_chars: int) -> str:
    """The stripped question, or UserFacingError for an empty or too long one."""
    text = text.strip()
    if not text:
        raise UserFacingError(HELP)
    if len(text) > max_chars:
        raise UserFacingError(
            f"That question is {len(text)} characters long; please keep it under {max_chars}.")
    return text


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
        text = check_question(question, self.bot.settings.max_question_chars)
        day = parse_since(since)
        self.bot.cooldown.check(interaction.user.id)
        await interaction.response.defer(thinking=True)
        answer = await self.bot.services.engine.ask(text, ticker=ticker, since=day)
        await interaction.edit_original_response(embed=render_answer(answer))

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        """Answer "@bot question" as a reply; ignore itself, other bots and non-mentions."""
        me = self.bot.user
        if me is None or message.author.bot or me not in message.mentions:
            return
        try:
            text = check_question(strip_mentions(message.content, me.id),
                                  self.bot.settings.max_question_chars)
            self.bot.cooldown.check(message.author.id)
            async with message.channel.typing():
                answer = await self.bot.services.engine.ask(text, now=datetime.now(UTC))
        except (UserFacingError, QuestionError) as exc:
            await message.reply(str(exc), mention_author=False)
            return
        except IndexError_:
            log.warning("index unavailable for a mention", exc_info=True)
            await message.reply("The news index is not available right now.", mention_author=False)
            return
        except TimeoutError:
            await message.reply("The search took too long; please try again.",
                                mention_author=False)
            return
        await message.reply(embed=render_answer(answer), mention_author=False)


async def setup(bot: MarketBot) -> None:
    """Extension entry point."""
    await bot.add_cog(Ask(bot))
