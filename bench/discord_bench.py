"""`/ask` through the fake Discord server (tests/discord_fake) with the real bot class:
time to the first acknowledgement and to the final answer, over real sockets on 127.0.0.1."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from bench.answer_bench import load
from bench.stats import percentiles
from bot.discord_app import MarketBot
from bot.discord_settings import DiscordSettings
from bot.quotes import FakeQuoteProvider, QuoteSettings
from bot.services import build_services
from bot.settings import AnswerSettings
from index.embedding import Embedder
from index.settings import IndexSettings
from tests.discord_fake import FakeDiscord
from tests.discord_fake.fixtures import running


async def _run(index_dir: Path, embedder: Embedder, n: int) -> dict[str, dict[str, float]]:
    services = build_services(
        IndexSettings(_env_file=None, index_dir=index_dir),  # type: ignore[call-arg]
        AnswerSettings(_env_file=None), QuoteSettings(_env_file=None),  # type: ignore[call-arg]
        embedder=embedder, quotes=FakeQuoteProvider(name="warm-cache"),
    )
    questions = [x["question"] for x in load()]
    ack, final = [], []
    async with FakeDiscord() as fake:
        settings = DiscordSettings(  # type: ignore[call-arg]
            _env_file=None, token=fake.token, guild_ids=[fake.guild.id],
            api_base_url=fake.rest_url, gateway_url=fake.gateway_url,
            cooldown_rate=10_000, cooldown_seconds=1.0,
        )
        bot = MarketBot(services, settings, guild_ready_timeout=0.05)
        async with running(bot, fake.token):
            for i in range(n):
                user = fake.members[i % len(fake.members)]
                started = time.perf_counter()
                record = await fake.slash("ask", {"question": questions[i % len(questions)][:500]},
                                          user=user)
                await record.wait_final(timeout=30)
                final.append((time.perf_counter() - started) * 1000)
                if record.first_response_ms is not None:
                    ack.append(record.first_response_ms)
    return {"acknowledgement": percentiles(ack), "final_answer": percentiles(final)}


def run(index_dir: Path, embedder: Embedder, n: int = 120) -> dict[str, dict[str, float]]:
    return asyncio.run(_run(index_dir, embedder, n))
