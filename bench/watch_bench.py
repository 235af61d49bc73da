"""Watches: matching cost and alert latency (``python -m bench watch``; no corpus needed).

- matching: 1,000 watches (listed tickers, private companies, topic phrases) against a
  generation that added 5,000 articles, through ``WatchPoller.match`` (the step that runs on
  every new generation); the name table is built once per process and timed apart. Bound: 1 s.
- latency: the real bot against the fake Discord on 127.0.0.1, polling every 0.5 s; each round
  runs the real ingest CLI (fake embedder) on one article about a watched ticker and measures
  from the publish (the child's exit) to the alert at the fake server; p50/p95.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.stats import percentiles
from bot.discord_app import MarketBot
from bot.discord_settings import DiscordSettings
from bot.quotes import FakeQuoteProvider, QuoteSettings
from bot.services import build_services
from bot.settings import AnswerSettings
from bot.state import BotState
from bot.watch import NewArticle, WatchPoller, parse_target
from index.records import Move
from index.settings import IndexSettings
from index.tickers import TickerTable
from tests.discord_fake import FakeDiscord
from tests.discord_fake.fixtures import running

ROOT = Path(__file__).resolve().parent.parent
MATCH_BOUND_S = 1.0
TOPICS = ["sora", "chip export curbs", "data center", "antitrust probe", "gpu shortage",
          "rate cut", "humanoid robot", "ai act", "copyright lawsuit", "earnings beat"]
FILLER = ("the company said on monday that demand for its products rose sharply as customers "
          "raced to build new systems while analysts weighed the outlook for the sector").split()


def _articles(tickers: list[str], table: TickerTable, n: int,
              rng: random.Random) -> list[NewArticle]:
    now = datetime.now(UTC)
    out = []
    for i in range(n):
        sym = rng.choice(tickers)
        company = table.company_for_symbol(sym)
        name = company.name if company else sym
        words = rng.sample(FILLER, 20)
        title = f"{name} {' '.join(words[:6])} {rng.choice(TOPICS)}"
        lead = f"{' '.join(words)} {rng.choice(TOPICS)} {' '.join(rng.sample(FILLER, 25))}."
        moves = (Move(company=name, ticker=sym, direction="up", magnitude=3.0, unit="%",
                      metric="price", sentence=f"{name} shares rose 3%."),) if i % 3 == 0 else ()
        out.append(NewArticle.build(id=f"a{i}", key=f"a{i}", title=title, url=None,
                                    outlet="bench", published=now, first_seen=now, text=lead,
                                    moves=moves))
    return out


def matching(n_watches: int = 1000, n_articles: int = 5000) -> dict[str, Any]:
    rng = random.Random(7)
    table = TickerTable.load()
    tickers = [t for t in table.known_tickers() if t.isalpha() and 3 <= len(t) <= 4]
    with tempfile.TemporaryDirectory() as tmp:
        state = BotState.open(Path(tmp) / "s.sqlite")
        targets = [*rng.sample(tickers, 700), "OpenAI", "Anthropic", "xAI",
                   *[f"{rng.choice(FILLER)} {rng.choice(TOPICS)}" for _ in range(200)], *TOPICS]
        added = 0
        for i, typed in enumerate(targets):
            if added == n_watches:
                break
            t = parse_target(typed, table)
            _, created = state.add_watch(guild_id=1, channel_id=1 + i % 20, kind=t.kind,
                                         key=t.key, label=t.label, added_by_id=1,
                                         added_by_name="bench")
            added += created
        while added < n_watches:
            _, created = state.add_watch(
                guild_id=1, channel_id=100 + added, kind="topic", key=f"topic {added}",
                label=f"topic {added}", added_by_id=1, added_by_name="bench")
            added += created
        articles = _articles(rng.sample(tickers, 300), table, n_articles, rng)
        poller = WatchPoller(state, Path(tmp) / "index", table, FakeQuoteProvider({}),
                             _no_send)
        started = time.perf_counter()
        poller.match(articles[:1])  # builds the name table once
        book_s = time.perf_counter() - started
        runs = []
        for _ in range(3):
            started = time.perf_counter()
            found = poller.match(articles)
            runs.append(time.perf_counter() - started)
        state.close()
    best = min(runs)
    return {"watches": n_watches, "articles": n_articles, "matches": len(found),
            "seconds": round(best, 3), "name_table_seconds": round(book_s, 3),
            "bound_seconds": MATCH_BOUND_S, "ok": best <= MATCH_BOUND_S}


async def _no_send(channel_id: int, message: Any) -> None:
    return None


async def _ingest(index_dir: Path, file: Path) -> float:
    env = {**os.environ, "INDEX_DIR": str(index_dir), "EMBEDDING_MODEL": "fake:64"}
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "ingest", "--json", str(file), cwd=ROOT, env=env,
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL)
    await process.wait()
    return time.perf_counter()


async def _latency(rounds: int, poll: float) -> dict[str, float]:
    samples: list[float] = []
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        services = build_services(
            IndexSettings(_env_file=None, index_dir=root / "index",  # type: ignore[call-arg]
                          embedding_model="fake:64"),
            AnswerSettings(_env_file=None), QuoteSettings(_env_file=None),  # type: ignore[call-arg]
            quotes=FakeQuoteProvider({"NVDA": 140.0}))
        async with FakeDiscord() as fake:
            settings = DiscordSettings(  # type: ignore[call-arg]
                _env_file=None, token=fake.token, guild_ids=[fake.guild.id],
                api_base_url=fake.rest_url, gateway_url=fake.gateway_url,
                state_path=root / "state.sqlite", watch_poll_seconds=poll,
                watch_max_alerts_per_hour=rounds + 5)
            bot = MarketBot(services, settings, guild_ready_timeout=0.05)
            async with running(bot, fake.token):
                await (await fake.slash("watch add", {"target": "NVDA"},
                                        user=fake.admin)).wait_final()
                for i in range(rounds):
                    file = root / f"n{i}.jsonl"
                    file.write_text(json.dumps({
                        "title": f"Nvidia shares rise {i + 1}% in round {i}",
                        "text": f"Nvidia shares rose {i + 1}% on news number {i * 7919}.",
                        "url": f"https://bench.example/{i}", "outlet": "bench",
                        "published": datetime.now(UTC).isoformat()}) + "\n")
                    before = len(_alerts(fake))
                    published = await _ingest(root / "index", file)
                    await fake.wait_until(lambda b=before: len(_alerts(fake)) > b or None,
                                          poll + 10, "an alert")
                    samples.append((time.perf_counter() - published) * 1000)
    return percentiles(samples)


def _alerts(fake: FakeDiscord) -> list[Any]:
    return [m for m in fake.messages.values() if m.embeds and m.interaction_id is None]


def run(say: Callable[[str], None], rounds: int = 20, poll: float = 0.5) -> dict[str, Any]:
    match = matching()
    say(f"[watch] matching {match['watches']} watches × {match['articles']} articles: "
        f"{match['seconds']:.3f} s ({match['matches']} matches; name table "
        f"{match['name_table_seconds']:.2f} s once) — bound {MATCH_BOUND_S:.0f} s: "
        f"{'ok' if match['ok'] else 'OVER'}")
    latency = asyncio.run(_latency(rounds, poll))
    say(f"[watch] alert latency publish→fake Discord (poll {poll} s, n={rounds}): "
        f"p50 {latency['p50_ms']:.0f} ms, p95 {latency['p95_ms']:.0f} ms")
    return {"matching": match, "latency": {"poll_seconds": poll, **latency}}
