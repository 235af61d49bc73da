"""pytest glue: the ``fake_discord`` fixture and ``running(bot, token)``.

Import both into a conftest or test module::

    from tests.discord_fake.fixtures import fake_discord, running  # noqa: F401
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from pathlib import Path
from typing import TypeVar

import discord
import discord.gateway
import discord.http
import pytest
import pytest_asyncio
import yarl

from tests.discord_fake.server import FakeDiscord

ClientT = TypeVar("ClientT", bound=discord.Client)


def point_discord_at(fake: FakeDiscord, monkeypatch: pytest.MonkeyPatch) -> None:
    """Patch the process-global REST base and default gateway to the fake."""
    monkeypatch.setattr(discord.http.Route, "BASE", fake.rest_url)
    monkeypatch.setattr(discord.gateway.DiscordWebSocket, "DEFAULT_GATEWAY", yarl.URL(fake.gateway_url))


@pytest_asyncio.fixture
async def fake_discord(monkeypatch: pytest.MonkeyPatch,
                       tmp_path: Path) -> AsyncIterator[FakeDiscord]:
    """A started FakeDiscord with discord.py pointed at it; ``BOT_STATE_PATH`` points into
    the test's tmp_path, so a bot never writes the checkout's ``data/bot-state.sqlite``.

    Teardown fails the test if the bot called a route the fake does not know
    (``fake.unhandled``) or the fake itself raised (``fake.errors``); clear those lists in a
    test that provokes them on purpose.
    """
    monkeypatch.setenv("BOT_STATE_PATH", str(tmp_path / "bot-state.sqlite"))
    fake = FakeDiscord()
    await fake.start()
    point_discord_at(fake, monkeypatch)
    try:
        yield fake
    finally:
        await fake.stop()
    assert not fake.errors, "the fake raised:\n" + "\n".join(fake.errors)
    assert not fake.unhandled, "unhandled requests: " + ", ".join(
        f"{r.method} {r.path}" for r in fake.unhandled)


class _ErrorLog(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@asynccontextmanager
async def running(bot: ClientT, token: str, *, ready_timeout: float = 10.0,
                  fail_on_error_logs: bool = True) -> AsyncIterator[ClientT]:
    """Run ``bot.start(token)`` in a task until ready; at exit close it and re-raise failures.

    Raises what ``start()`` raised (e.g. ``discord.LoginFailure``), TimeoutError if not ready
    in time, and with ``fail_on_error_logs`` an AssertionError listing ERROR records the
    ``discord`` logger emitted (discord.py logs, rather than raises, exceptions in event
    handlers and app commands). Pass the client a small ``guild_ready_timeout`` (e.g. 0.05):
    ``on_ready`` waits that long after the last GUILD_CREATE.
    """
    errors = _ErrorLog()
    logger = logging.getLogger("discord")
    logger.addHandler(errors)
    task = asyncio.create_task(bot.start(token), name="discord-fake-bot")
    try:
        await _wait_ready(bot, task, ready_timeout)
        yield bot
    finally:
        await bot.close()
        done, _ = await asyncio.wait({task}, timeout=10.0)
        if not done:
            task.cancel()
            with suppress(asyncio.CancelledError):
                await task
        logger.removeHandler(errors)
        failure: BaseException | None = (
            TimeoutError("bot.start() did not return after close()") if not done
            else None if task.cancelled() else task.exception())
    if failure is not None:
        raise failure
    if fail_on_error_logs and errors.records:
        raise AssertionError("discord.py logged errors:\n" + "\n".join(
            logging.Formatter("%(name)s: %(message)s").format(r) for r in errors.records))


async def _wait_ready(bot: discord.Client, task: asyncio.Task[None], timeout: float) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not bot.is_ready():
        if task.done():
            task.result()  # re-raises LoginFailure, KeyError from a bad payload, ...
            raise RuntimeError("bot.start() returned before the client was ready")
        if loop.time() > deadline:
            raise TimeoutError(f"bot not ready after {timeout}s")
        await asyncio.sleep(0.01)
