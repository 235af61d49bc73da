"""The watcher: notices a new index generation, matches what it added, posts the alerts.

Every ``poll_seconds`` it reads the index's ``CURRENT`` pointer (one small file); when it names
a generation the watcher has not handled (published by ``/reingest``, the schedule or an
external ``python -m ingest`` on the same ``INDEX_DIR``) it takes the articles first seen after
the last handled ingest (so generations published while the bot was down are not missed),
matches them against the enabled watches (off the event loop) and, per channel:

- drops articles already sent to that channel (alone or listed; a syndicated copy counts as its
  original) — the state database remembers, across restarts;
- drops articles older than ``max_age_hours`` when they were ingested (a back-fill);
- sends at most ``max_per_hour`` alerts per channel in any hour, then one message listing the
  rest;
- on ``ChannelUnavailable`` from the sender (channel gone, no permission) disables the channel's
  watches with that reason and logs it.

Sharded bots (several processes, ``DISCORD_SHARD_IDS``): ``owns(guild_id)`` says whether this
process runs the guild's shard; only the watches of owned guilds are matched, so each alert is
sent by one process. The progress keys in the state (``watch.generation`` / ``watch.after``)
carry the ``owner`` tag (``watch.after [shards 0 of 2]``), so processes sharing one state file
each keep their own progress; a process starting with no progress of its own takes over the
unsharded bot's (and the ``fired`` table, shared in one file, keeps a re-sent article out).

On first start with an index already there, the watcher starts from that index's newest
article: what was ingested before it ever ran does not alert. Sending is injected (``send``):
nothing here knows Discord.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.quotes import Quote, QuoteProvider, QuoteUnavailable
from bot.state import BotState
from bot.watch.compose import AlertMessage, compose_alert, compose_overflow
from bot.watch.matching import Match, Matcher, NameBook, NewArticle
from index import generations
from index.errors import IndexError_
from index.reader import IndexReader
from index.store import parse_iso
from index.tickers import TickerTable

log = logging.getLogger(__name__)

GENERATION_KEY = "watch.generation"
AFTER_KEY = "watch.after"
QUOTE_TIMEOUT = 10.0


class ChannelUnavailable(Exception):
    """Raised by the sender when a channel cannot take the alert (gone, no permission); the
    message is the reason ``/watch list`` shows."""


Sender = Callable[[int, AlertMessage], Awaitable[None]]


@dataclass
class Batch:
    """What one new generation brought: its name, the newest ``first_seen``, the matches."""

    generation: str
    newest: str | None
    added: int
    matches: list[Match] = field(default_factory=list)
    seconds: float = 0.0


@dataclass
class PollResult:
    """What one poll did (for logs, tests and the bench)."""

    generation: str | None = None
    added: int = 0
    matched: int = 0
    sent: int = 0
    listed: int = 0
    skipped_old: int = 0
    skipped_seen: int = 0
    disabled_channels: list[int] = field(default_factory=list)


def articles_from_rows(reader: IndexReader, rows: list) -> list[NewArticle]:
    """Rows of ``articles_added_after`` → articles with their reported moves (a syndicated
    copy carries its original's, since copies store none of their own)."""
    keys = [row["duplicate_of"] or row["id"] for row in rows]
    moves = reader.moves_for(list(dict.fromkeys(keys))) if keys else {}
    out = []
    for row, key in zip(rows, keys, strict=True):
        seen = parse_iso(row["first_seen"])
        assert seen is not None
        out.append(NewArticle.build(
            id=row["id"], key=key, title=row["title"], url=row["url"], outlet=row["outlet"],
            published=parse_iso(row["published"]), first_seen=seen, text=row["lead"] or "",
            moves=moves.get(key, [])))
    return out


class WatchPoller:
    """Polls ``index_dir`` and posts alerts through ``send``. ``start()`` / ``stop()``."""

    def __init__(
        self, state: BotState, index_dir: Path, table: TickerTable, quotes: QuoteProvider,
        send: Sender, *, poll_seconds: float = 30.0, max_per_hour: int = 10,
        max_age_hours: float = 48.0, clock: Callable[[], datetime] | None = None,
        owns: Callable[[int | None], bool] | None = None, owner: str = "",
    ) -> None:
        self.state = state
        self.index_dir = index_dir
        self.table = table
        self.quotes = quotes
        self.send = send
        self.poll_seconds = poll_seconds
        self.max_per_hour = max_per_hour
        self.max_age = timedelta(hours=max_age_hours)
        self.clock = clock or (lambda: datetime.now(UTC))
        self.owns = owns or (lambda _guild_id: True)
        self.owner = owner
        self.generation_key = f"{GENERATION_KEY} [{owner}]" if owner else GENERATION_KEY
        self.after_key = f"{AFTER_KEY} [{owner}]" if owner else AFTER_KEY
        self._book: NameBook | None = None
        self._task: asyncio.Task[None] | None = None
        self._lock = asyncio.Lock()
        self.last: PollResult | None = None

    # --- lifecycle -------------------------------------------------------------------------

    async def start(self) -> None:
        """Take the baseline (first start only), then poll in the background."""
        await asyncio.to_thread(self._baseline)
        self._task = asyncio.create_task(self._run(), name="watch-poller")
        log.info("watching %s every %.1f s", self.index_dir, self.poll_seconds)

    async def stop(self) -> None:
        """Stop polling (an alert being sent is cancelled; it was not recorded, so a later
        start can still send it only if its generation was not marked handled)."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    def _baseline(self) -> None:
        if self.state.get_value(self.after_key) is not None:
            return
        legacy = self.state.get_value(AFTER_KEY)
        if self.owner and legacy is not None:  # an unsharded bot ran on this state: go on
            self.state.set_value(self.generation_key, self.state.get_value(GENERATION_KEY) or "")
            self.state.set_value(self.after_key, legacy)
            return
        try:
            reader = IndexReader.open(self.index_dir)
        except IndexError_:
            self.state.set_value(self.after_key, "")  # no index yet: its first generation alerts
            return
        try:
            self.state.set_value(self.after_key, reader.newest_first_seen() or "")
            self.state.set_value(self.generation_key, reader.generation)
        finally:
            reader.close()
        log.info("watcher baseline: %s (earlier articles never alert)", reader.generation)

    async def _run(self) -> None:
        while True:
            try:
                await self.poll_once()
            except asyncio.CancelledError:
                raise
            except Exception:  # keep watching; the next poll retries
                log.exception("watch poll failed")
            await asyncio.sleep(self.poll_seconds)

    # --- one poll --------------------------------------------------------------------------

    async def poll_once(self) -> PollResult:
        """Handle a new generation if there is one; what was done."""
        async with self._lock:
            batch = await asyncio.to_thread(self._collect)
            result = PollResult()
            if batch is None:
                return result
            result.generation, result.added = batch.generation, batch.added
            result.matched = len(batch.matches)
            by_channel: dict[int, list[Match]] = {}
            for match in batch.matches:
                by_channel.setdefault(match.channel_id, []).append(match)
            for channel_id, matches in by_channel.items():
                await self._deliver(channel_id, matches, result)
            await asyncio.to_thread(self._mark, batch)
            log.info("generation %s: %d added, %d matched, %d alerts, %d listed (match %.3f s)",
                     batch.generation, batch.added, result.matched, result.sent, result.listed,
                     batch.seconds)
            self.last = result
            return result

    def _mark(self, batch: Batch) -> None:
        self.state.set_value(self.generation_key, batch.generation)
        after = self.state.get_value(self.after_key) or ""
        if batch.newest and batch.newest > after:
            self.state.set_value(self.after_key, batch.newest)

    def _collect(self) -> Batch | None:
        """(thread) The new generation's added articles and their matches, or None."""
        name = generations.current_name(self.index_dir)
        if name is None or name == self.state.get_value(self.generation_key):
            return None
        try:
            reader = IndexReader.open(self.index_dir)
        except IndexError_ as exc:
            log.warning("watcher cannot open the index: %s", exc)
            return None
        try:
            started = time.perf_counter()
            rows = reader.articles_added_after(self.state.get_value(self.after_key))
            articles = articles_from_rows(reader, rows)
            batch = Batch(reader.generation, reader.newest_first_seen(), len(articles))
            batch.matches = self.match(articles)
            batch.seconds = time.perf_counter() - started
            return batch
        finally:
            reader.close()

    def match(self, articles: list[NewArticle]) -> list[Match]:
        """(thread) Matches of ``articles`` against the enabled watches of the guilds this
        process owns."""
        watches = [w for w in self.state.watches(enabled_only=True) if self.owns(w.guild_id)]
        if not watches or not articles:
            return []
        if self._book is None:
            self._book = NameBook(self.table)
        matcher = Matcher(watches, self._book)
        return [m for article in articles for m in matcher.match(article)]

    async def _deliver(self, channel_id: int, matches: list[Match], result: PollResult) -> None:
        """Apply the rules for one channel and send."""
        now = self.clock()
        fresh: list[Match] = []
        for match in matches:
            article = match.article
            if article.published is not None and article.published < article.first_seen - \
                    self.max_age:
                result.skipped_old += 1
            else:
                fresh.append(match)
        seen = await asyncio.to_thread(self.state.already_fired, channel_id,
                                       [m.article.key for m in fresh])
        todo: list[Match] = []
        for match in fresh:
            if match.article.key in seen:
                result.skipped_seen += 1
                continue
            seen.add(match.article.key)  # two copies in one generation: one alert
            todo.append(match)
        if not todo:
            return
        hour_ago = now - timedelta(hours=1)
        used = await asyncio.to_thread(self.state.alerts_since, channel_id, hour_ago)
        room = max(0, self.max_per_hour - used)
        try:
            for match in todo[:room]:
                message = compose_alert(match, await self._quote(match.ticker))
                await self.send(channel_id, message)
                await asyncio.to_thread(
                    self.state.record_fired, channel_id, [match.article.key], kind="alert",
                    watch_ids=[w.id for w in match.watches], now=self.clock())
                result.sent += 1
            rest = todo[room:]
            if rest:
                await self.send(channel_id, compose_overflow(rest, self.max_per_hour))
                await asyncio.to_thread(
                    self.state.record_fired, channel_id, [m.article.key for m in rest],
                    kind="listed", watch_ids=[w.id for m in rest for w in m.watches],
                    now=self.clock())
                result.listed += len(rest)
        except ChannelUnavailable as exc:
            ids = await asyncio.to_thread(self.state.disable_channel, channel_id, str(exc))
            result.disabled_channels.append(channel_id)
            log.warning("disabled %d watch(es) of channel %d: %s", len(ids), channel_id, exc)

    async def _quote(self, ticker: str | None) -> Quote | QuoteUnavailable | None:
        if not ticker:
            return None
        try:
            return await asyncio.wait_for(self.quotes.quote(ticker), QUOTE_TIMEOUT)
        except TimeoutError:
            return QuoteUnavailable(symbol=ticker, reason="the quote took too long",
                                    kind="timeout")
        except Exception:  # a quote never stops an alert
            log.exception("quote of %s failed", ticker)
            return QuoteUnavailable(symbol=ticker, reason="quote failed")
