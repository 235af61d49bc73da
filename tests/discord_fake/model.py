"""The fake's world: users, roles, channels, guilds (one by default), and their Discord JSON
payloads.

Ids are large snowflake-sized ints so that str/int mix-ups in the client show up; payloads
carry every key discord.py 2.7 reads with ``[]`` (see docs/discord-fake.md).
"""

from __future__ import annotations

import itertools
import mimetypes
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

DISCORD_EPOCH_MS = 1_420_070_400_000
ADMINISTRATOR = 1 << 3
ALL_PERMISSIONS = (1 << 51) - 1
# Send messages, embed links, attach files, read history, view channel, use app commands.
BOT_PERMISSIONS = (1 << 11) | (1 << 14) | (1 << 15) | (1 << 16) | (1 << 10) | (1 << 31)
JOINED_AT = "2024-01-01T00:00:00.000000+00:00"


def iso_now() -> str:
    """The current UTC time as Discord formats timestamps."""
    return datetime.now(UTC).isoformat()


class Snowflakes:
    """Monotonic, unique, time-based snowflakes."""

    def __init__(self) -> None:
        self._last = 0

    def next(self) -> int:
        """A new snowflake, strictly greater than the previous one."""
        now = (int(time.time() * 1000) - DISCORD_EPOCH_MS) << 22
        self._last = max(self._last + 1, now)
        return self._last


@dataclass
class FakeUser:
    """A Discord user who is a member of the fake guild."""

    id: int
    username: str
    bot: bool = False
    roles: list[int] = field(default_factory=list)  # guild role ids, @everyone excluded
    nick: str | None = None

    @property
    def mention(self) -> str:
        """The ``<@id>`` mention string."""
        return f"<@{self.id}>"

    def payload(self) -> dict[str, Any]:
        """The user object."""
        return {
            "id": str(self.id), "username": self.username, "discriminator": "0",
            "global_name": None if self.bot else self.username, "avatar": None,
            "bot": self.bot, "system": False, "public_flags": 0,
        }

    def member_payload(self, *, with_user: bool = True, permissions: int | None = None) -> dict[str, Any]:
        """The guild member object (``permissions`` only inside interactions)."""
        data: dict[str, Any] = {
            "roles": [str(r) for r in self.roles], "nick": self.nick, "avatar": None,
            "joined_at": JOINED_AT, "premium_since": None, "deaf": False, "mute": False,
            "flags": 0, "pending": False, "communication_disabled_until": None,
        }
        if with_user:
            data["user"] = self.payload()
        if permissions is not None:
            data["permissions"] = str(permissions)
        return data


@dataclass
class FakeRole:
    """A guild role; the @everyone role has the guild's id."""

    id: int
    name: str
    permissions: int = 0
    position: int = 0
    mentionable: bool = False
    managed_by: int | None = None  # bot id for a bot's managed role

    @property
    def mention(self) -> str:
        """The ``<@&id>`` mention string."""
        return f"<@&{self.id}>"

    def payload(self) -> dict[str, Any]:
        """The role object."""
        data: dict[str, Any] = {
            "id": str(self.id), "name": self.name, "permissions": str(self.permissions),
            "position": self.position, "color": 0, "colors": {"primary_color": 0},
            "hoist": False, "managed": self.managed_by is not None,
            "mentionable": self.mentionable, "icon": None, "unicode_emoji": None, "flags": 0,
        }
        if self.managed_by is not None:
            data["tags"] = {"bot_id": str(self.managed_by)}
        return data


@dataclass
class FakeChannel:
    """A guild text channel (type 0)."""

    id: int
    name: str
    type: int = 0
    position: int = 0

    @property
    def mention(self) -> str:
        """The ``<#id>`` mention string."""
        return f"<#{self.id}>"

    def payload(self, guild_id: int) -> dict[str, Any]:
        """The channel object."""
        return {
            "id": str(self.id), "type": self.type, "name": self.name, "position": self.position,
            "guild_id": str(guild_id), "permission_overwrites": [], "parent_id": None,
            "topic": None, "nsfw": False, "rate_limit_per_user": 0, "last_message_id": None,
            "flags": 0,
        }


@dataclass
class FakeGuild:
    """The one guild: roles (incl. @everyone), text channels, members (incl. the bot)."""

    id: int
    name: str
    owner_id: int
    roles: list[FakeRole]
    channels: list[FakeChannel]
    members: list[FakeUser]

    @property
    def everyone(self) -> FakeRole:
        """The @everyone role."""
        return next(r for r in self.roles if r.id == self.id)

    def member(self, user_id: int) -> FakeUser | None:
        """The member with that id, if any."""
        return next((m for m in self.members if m.id == user_id), None)

    def role(self, role_id: int) -> FakeRole | None:
        """The role with that id, if any."""
        return next((r for r in self.roles if r.id == role_id), None)

    def channel(self, channel_id: int) -> FakeChannel | None:
        """The channel with that id, if any."""
        return next((c for c in self.channels if c.id == channel_id), None)

    def permissions(self, user: FakeUser) -> int:
        """Guild-level permissions: the OR of @everyone and the member's roles; owner = all.

        Discord expands ADMINISTRATOR to every bit in interaction payloads; the fake keeps
        the plain OR so tests can assert ``"8"`` for an administrator role.
        """
        if user.id == self.owner_id:
            return ALL_PERMISSIONS
        value = self.everyone.permissions
        for role_id in user.roles:
            role = self.role(role_id)
            if role is not None:
                value |= role.permissions
        return value

    def role_members(self, role_id: int) -> list[FakeUser]:
        """Members holding the role (everyone for @everyone)."""
        if role_id == self.id:
            return list(self.members)
        return [m for m in self.members if role_id in m.roles]

    def create_payload(self) -> dict[str, Any]:
        """The GUILD_CREATE payload; ``member_count == len(members)`` so no chunking happens."""
        return {
            "id": str(self.id), "name": self.name, "icon": None, "splash": None,
            "discovery_splash": None, "owner_id": str(self.owner_id), "afk_channel_id": None,
            "afk_timeout": 300, "verification_level": 0, "default_message_notifications": 0,
            "explicit_content_filter": 0, "features": [], "mfa_level": 0,
            "system_channel_id": str(self.channels[0].id), "system_channel_flags": 0,
            "rules_channel_id": None, "vanity_url_code": None, "description": None,
            "banner": None, "premium_tier": 0, "premium_subscription_count": 0,
            "preferred_locale": "en-US", "public_updates_channel_id": None, "nsfw_level": 0,
            "premium_progress_bar_enabled": False, "joined_at": JOINED_AT, "large": False,
            "unavailable": False, "member_count": len(self.members),
            "roles": [r.payload() for r in self.roles],
            "channels": [c.payload(self.id) for c in self.channels],
            "members": [m.member_payload() for m in self.members],
            "threads": [], "voice_states": [], "presences": [], "emojis": [], "stickers": [],
            "stage_instances": [], "guild_scheduled_events": [], "soundboard_sounds": [],
        }


def build_world(*, bot_name: str, guild_name: str, regular_members: int) -> tuple[FakeUser, FakeGuild]:
    """The default world: bot, owner, admin (admin role), a helper bot, N regular members."""
    ids = itertools.count(1_300_000_000_000_000_100)
    bot = FakeUser(next(ids), bot_name, bot=True)
    guild_id = next(ids)
    admin_role = FakeRole(next(ids), "Admin", permissions=ADMINISTRATOR, position=2)
    bot_role = FakeRole(next(ids), bot_name, permissions=BOT_PERMISSIONS, position=1,
                        managed_by=bot.id)
    bot.roles = [bot_role.id]
    roles = [FakeRole(guild_id, "@everyone", permissions=0), admin_role, bot_role]
    channels = [FakeChannel(next(ids), "general"), FakeChannel(next(ids), "market-news", position=1)]
    owner = FakeUser(next(ids), "owner")
    admin = FakeUser(next(ids), "admin", roles=[admin_role.id])
    helper = FakeUser(next(ids), "helper-bot", bot=True)
    members = [bot, owner, admin, helper]
    members += [FakeUser(next(ids), f"member{i}") for i in range(regular_members)]
    guild = FakeGuild(guild_id, guild_name, owner.id, roles, channels, members)
    return bot, guild


def shard_of(guild_id: int, shard_count: int) -> int:
    """Discord's rule: a guild's events go to shard ``(guild_id >> 22) % shard_count``."""
    return (guild_id >> 22) % shard_count


def build_guild(bot: FakeUser, *, guild_id: int, name: str, ids: Callable[[], int],
                regular_members: int) -> FakeGuild:
    """Another guild the bot is in: its own @everyone, Admin and bot roles, two channels, an
    owner, an admin and N regular members (``{name}-member{i}``). The bot's member object is
    a copy holding this guild's managed role."""
    admin_role = FakeRole(ids(), "Admin", permissions=ADMINISTRATOR, position=2)
    bot_role = FakeRole(ids(), bot.username, permissions=BOT_PERMISSIONS, position=1,
                        managed_by=bot.id)
    roles = [FakeRole(guild_id, "@everyone", permissions=0), admin_role, bot_role]
    channels = [FakeChannel(ids(), "general"), FakeChannel(ids(), "market-news", position=1)]
    owner = FakeUser(ids(), f"{name}-owner")
    admin = FakeUser(ids(), f"{name}-admin", roles=[admin_role.id])
    members = [FakeUser(bot.id, bot.username, bot=True, roles=[bot_role.id]), owner, admin]
    members += [FakeUser(ids(), f"{name}-member{i}") for i in range(regular_members)]
    return FakeGuild(guild_id, name, owner.id, roles, channels, members)


def guess_content_type(filename: str) -> str:
    """The content type Discord infers from a file name (it ignores the part's header)."""
    guessed, _ = mimetypes.guess_type(filename)
    if guessed is None:
        return "application/octet-stream"
    if guessed.startswith("text/"):
        return f"{guessed}; charset=utf-8"
    return guessed


def png_size(data: bytes) -> tuple[int, int] | None:
    """(width, height) from a PNG header, else None."""
    if data[:8] != b"\x89PNG\r\n\x1a\n" or len(data) < 24:
        return None
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
