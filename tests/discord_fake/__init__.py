"""A fake Discord (REST + gateway on 127.0.0.1) that the real discord.py client talks to.

Usage in a test module (or a conftest)::

    from tests.discord_fake import FakeDiscord
    from tests.discord_fake.fixtures import fake_discord, running  # noqa: F401

    async def test_echo(fake_discord: FakeDiscord) -> None:
        async with running(MyBot(guild_ready_timeout=0.05), fake_discord.token):
            record = await fake_discord.slash("echo", {"text": "hi"}, user=fake_discord.member)
            message = await record.wait_final()
            assert message.content == "hi" and record.first_response_ms < 3000
"""

from tests.discord_fake.gateway import GUILD_MEMBERS, GUILD_MESSAGES, MESSAGE_CONTENT, Gateway
from tests.discord_fake.model import FakeChannel, FakeGuild, FakeRole, FakeUser
from tests.discord_fake.records import (
    EPHEMERAL,
    LOADING,
    DiscordError,
    InteractionFailed,
    InteractionRecord,
    Pings,
    RequestRecord,
    StoredMessage,
    UploadedFile,
)
from tests.discord_fake.server import FakeDiscord

__all__ = [
    "EPHEMERAL",
    "GUILD_MEMBERS",
    "GUILD_MESSAGES",
    "LOADING",
    "MESSAGE_CONTENT",
    "DiscordError",
    "FakeChannel",
    "FakeDiscord",
    "FakeGuild",
    "FakeRole",
    "FakeUser",
    "Gateway",
    "InteractionFailed",
    "InteractionRecord",
    "Pings",
    "RequestRecord",
    "StoredMessage",
    "UploadedFile",
]
