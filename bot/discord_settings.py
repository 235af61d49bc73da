"""Settings of the Discord bot (``DISCORD_*`` environment variables or ``.env``).

Lists accept JSON (``[1, 2]``) or comma-separated ids (``1,2``). The token is a secret: it is
never logged, and its repr is masked.

The sources file is one setting shared with the ingest job, ``SOURCES_FILE`` (no prefix): the
bot validates ``/reingest`` names against it and passes the same file to the ingest child as
``--sources``. The old names still work, with a deprecation warning in the log:
``DISCORD_SOURCES_FILE`` first, then ``INGEST_SOURCES_FILE`` (what the child used to read).

Sharding: ``DISCORD_SHARD_COUNT`` (None = Discord's recommendation) and ``DISCORD_SHARD_IDS``
(None = every shard) split the guilds between processes that read one index directory; a guild
belongs to the process running its shard (``owns_guild``), which alone serves its commands,
posts its watch alerts and, for the digest channel's guild, the daily digest.

The question-length limit is ``ANSWER_MAX_QUESTION_CHARS`` (``bot.settings``), the same for every
front end; ``DISCORD_MAX_QUESTION_CHARS`` is ignored, with a warning.
"""

from __future__ import annotations

import logging
from datetime import time
from pathlib import Path
from typing import Annotated, Any

from pydantic import AliasChoices, Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from bot.source_check import DEFAULT_SOURCES_FILE

log = logging.getLogger(__name__)

IdList = Annotated[list[int], NoDecode]
SOURCES_FILE_ENV = "SOURCES_FILE"
DEPRECATED_SOURCES_FILE_ENVS = ("DISCORD_SOURCES_FILE", "INGEST_SOURCES_FILE")


def shard_of(guild_id: int | None, shard_count: int) -> int:
    """The shard Discord delivers a guild's events on: ``(guild_id >> 22) % shard_count``;
    direct messages (no guild) come on shard 0."""
    return 0 if guild_id is None else (guild_id >> 22) % shard_count


class DiscordSettings(BaseSettings):
    """How the bot talks to Discord. Built at the entrypoint and passed down."""

    model_config = SettingsConfigDict(
        env_prefix="DISCORD_", env_file=".env", extra="ignore", env_ignore_empty=True
    )

    token: SecretStr | None = Field(None, description="The bot token; set it to run on Discord.")
    guild_ids: IdList = Field(
        default_factory=list,
        description="Guilds to sync slash commands to (instant); empty = global sync.",
    )
    admin_user_ids: IdList = Field(
        default_factory=list, description="Users allowed admin commands (also in DMs).")
    admin_role_ids: IdList = Field(
        default_factory=list,
        description="Roles allowed admin commands, besides the Administrator permission.")
    api_base_url: str = Field(
        "https://discord.com/api/v10", description="REST base (a REST proxy, or a test fake)."
    )
    gateway_url: str = Field(
        "wss://gateway.discord.gg/", description="Gateway URL (a gateway proxy, or a test fake)."
    )
    shard_count: int | None = Field(
        None, ge=1, description="Shards in total; None = Discord's recommendation "
        "(GET /gateway/bot). Required with DISCORD_SHARD_IDS.")
    shard_ids: IdList | None = Field(
        None, description="The shards this process runs (\"0,1\" or [0, 1]); None = all. "
        "Several processes share the shards by running disjoint lists with one shard_count.")
    cooldown_seconds: float = Field(30.0, gt=0, description="Per-user cooldown window.")
    cooldown_rate: int = Field(3, ge=1, description="Questions per user per window.")
    max_question_chars: int | None = Field(
        None, exclude=True, repr=False,
        deprecated="DISCORD_MAX_QUESTION_CHARS is ignored: ANSWER_MAX_QUESTION_CHARS is the one "
        "question-length limit.")
    reingest_allow_private_urls: bool = Field(
        False, description="Let /reingest fetch URLs on loopback/private addresses (tests, LAN).")
    reingest_timeout_seconds: float = Field(
        1800.0, gt=0, description="An ingest run longer than this is stopped.")
    schedule_minutes: int = Field(
        0, ge=0, description="Ingest the sources file's default entries every N minutes; 0 = off.")
    digest_channel_id: int | None = Field(
        None, description="Channel the daily digest is posted to; None = no scheduled digest.")
    digest_time: time = Field(
        time(8, 0), description="When (UTC, HH:MM) the daily digest is posted.")
    sources_file: Path | None = Field(
        None, validation_alias=AliasChoices(SOURCES_FILE_ENV, "sources_file"),
        description="TOML sources file of /reingest, the schedule and the ingest job they start "
        "(passed as --sources); None = the bundled one.")
    state_path: Path = Field(
        Path("data/bot-state.sqlite"),
        validation_alias=AliasChoices("BOT_STATE_PATH", "state_path"),
        description="SQLite file of the bot's own state (watches, fired alerts, schedules).")
    watch_poll_seconds: float = Field(
        30.0, gt=0, validation_alias=AliasChoices("WATCH_POLL_SECONDS", "watch_poll_seconds"),
        description="How often the watcher looks for a new index generation.")
    watch_max_alerts_per_hour: int = Field(
        10, ge=1,
        validation_alias=AliasChoices("WATCH_MAX_ALERTS_PER_HOUR", "watch_max_alerts_per_hour"),
        description="Alert messages per channel per hour; past it one message lists the rest.")
    watch_max_age_hours: float = Field(
        48.0, gt=0, validation_alias=AliasChoices("WATCH_MAX_AGE_HOURS", "watch_max_age_hours"),
        description="Articles older than this when ingested never alert (back-fills).")
    discord_sources_file: Path | None = Field(
        None, validation_alias="DISCORD_SOURCES_FILE", exclude=True, repr=False,
        deprecated="DISCORD_SOURCES_FILE is read only as a fallback of SOURCES_FILE.")
    ingest_sources_file: Path | None = Field(
        None, validation_alias="INGEST_SOURCES_FILE", exclude=True, repr=False,
        deprecated="INGEST_SOURCES_FILE is read only as a fallback of SOURCES_FILE.")

    @model_validator(mode="after")
    def _fallback_sources_file(self) -> DiscordSettings:
        """Fill ``sources_file`` from a deprecated name when ``SOURCES_FILE`` is not set;
        warn about ``DISCORD_MAX_QUESTION_CHARS``, which no longer does anything."""
        values = self.__dict__  # plain reads: the deprecated fields warn on attribute access
        if values.get("max_question_chars") is not None:
            log.warning("DISCORD_MAX_QUESTION_CHARS is ignored: set ANSWER_MAX_QUESTION_CHARS, "
                        "the one question-length limit of every front end")
        if self.sources_file is not None:
            return self
        for env, field in zip(DEPRECATED_SOURCES_FILE_ENVS,
                              ("discord_sources_file", "ingest_sources_file"), strict=True):
            value = values.get(field)
            if value is not None:
                log.warning("%s is deprecated: set %s=%s instead (one sources file for the bot "
                            "and the ingest job)", env, SOURCES_FILE_ENV, value)
                self.sources_file = value
                break
        return self

    @model_validator(mode="after")
    def _check_shards(self) -> DiscordSettings:
        """``DISCORD_SHARD_IDS`` needs ``DISCORD_SHARD_COUNT``; ids within it, no repeats."""
        if self.shard_ids is None:
            return self
        if self.shard_count is None:
            raise ValueError("DISCORD_SHARD_IDS needs DISCORD_SHARD_COUNT (the total number of "
                             "shards every process uses)")
        if not self.shard_ids:
            raise ValueError("DISCORD_SHARD_IDS is empty: unset it to run every shard")
        wrong = [i for i in self.shard_ids if not 0 <= i < self.shard_count]
        if wrong:
            raise ValueError(f"DISCORD_SHARD_IDS {wrong} not in 0..{self.shard_count - 1} "
                             f"(DISCORD_SHARD_COUNT={self.shard_count})")
        if len(set(self.shard_ids)) != len(self.shard_ids):
            raise ValueError(f"DISCORD_SHARD_IDS repeats a shard: {self.shard_ids}")
        self.shard_ids = sorted(self.shard_ids)
        return self

    @property
    def sharded(self) -> bool:
        """True when this process runs only some of the shards (``DISCORD_SHARD_IDS``)."""
        return self.shard_ids is not None and len(self.shard_ids) < (self.shard_count or 0)

    def owns_guild(self, guild_id: int | None) -> bool:
        """Whether this process runs the shard of ``guild_id`` (Discord's rule: shard =
        ``(guild_id >> 22) % shard_count``; DMs, ``None``, are shard 0). Always True when
        this process runs every shard."""
        if not self.sharded:
            return True
        assert self.shard_ids is not None and self.shard_count is not None
        return shard_of(guild_id, self.shard_count) in self.shard_ids

    @property
    def owner_tag(self) -> str:
        """Names this process's share of the shards in the bot state's keys ("" when it runs
        every shard, so an unsharded bot keeps its keys): ``shards 0,2 of 4``."""
        if not self.sharded:
            return ""
        return f"shards {','.join(map(str, self.shard_ids or []))} of {self.shard_count}"

    @property
    def sources_path(self) -> Path:
        """The sources file as an absolute path (the bundled one by default): what ``/reingest``
        checks names against and what the ingest child gets as ``--sources`` (it runs from
        the project root, so a relative path must not be read twice from two places)."""
        return (self.sources_file or DEFAULT_SOURCES_FILE).expanduser().absolute()

    @field_validator("digest_time", mode="before")
    @classmethod
    def _hh_mm(cls, value: Any) -> Any:
        """``HH:MM`` (UTC) only: no seconds, no time zone."""
        if isinstance(value, str):
            text = value.strip()
            hours, sep, minutes = text.partition(":")
            if not (sep and hours.isdigit() and minutes.isdigit() and len(minutes) == 2
                    and int(hours) < 24 and int(minutes) < 60):
                raise ValueError(f"DISCORD_DIGEST_TIME must be HH:MM in UTC (got {text!r})")
            return time(int(hours), int(minutes))
        return value

    @field_validator("guild_ids", "admin_user_ids", "admin_role_ids", "shard_ids", mode="before")
    @classmethod
    def _split_ids(cls, value: Any) -> Any:
        if isinstance(value, str):
            text = value.strip()
            if text.startswith("["):
                text = text[1:-1]
            return [int(part) for part in text.replace(" ", "").split(",") if part]
        if isinstance(value, int):
            return [value]
        return value
