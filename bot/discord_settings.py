"""Settings of the Discord bot (``DISCORD_*`` environment variables or ``.env``).

Lists accept JSON (``[1, 2]``) or comma-separated ids (``1,2``). The token is a secret: it is
never logged, and its repr is masked.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

IdList = Annotated[list[int], NoDecode]


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
        default_factory=list, description="Users allowed admin commands.")
    admin_role_ids: IdList = Field(
        default_factory=list, description="Roles allowed admin commands.")
    api_base_url: str = Field(
        "https://discord.com/api/v10", description="REST base (a REST proxy, or a test fake)."
    )
    gateway_url: str = Field(
        "wss://gateway.discord.gg/", description="Gateway URL (a gateway proxy, or a test fake)."
    )
    cooldown_seconds: float = Field(30.0, gt=0, description="Per-user cooldown window.")
    cooldown_rate: int = Field(3, ge=1, description="Questions per user per window.")
    max_question_chars: int = Field(
        500, ge=20, le=4000, description="Longer questions are refused.")
    reingest_allow_private_urls: bool = Field(
        False, description="Let /reingest fetch URLs on loopback/private addresses (tests, LAN).")
    reingest_timeout_seconds: float = Field(
        1800.0, gt=0, description="An ingest run longer than this is stopped.")
    schedule_minutes: int = Field(
        0, ge=0, description="Ingest the sources file's default entries every N minutes; 0 = off.")
    sources_file: Path | None = Field(
        None, description="TOML sources file for /reingest and the schedule; None = bundled.")

    @field_validator("guild_ids", "admin_user_ids", "admin_role_ids", mode="before")
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
