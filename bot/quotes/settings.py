"""Settings of the quote provider (``QUOTES_*`` environment variables or ``.env``)."""

from __future__ import annotations

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class QuoteSettings(BaseSettings):
    """Timeouts, cache lifetimes and rate-limit back-off. Built at the entrypoint, passed down."""

    model_config = SettingsConfigDict(
        env_prefix="QUOTES_", env_file=".env", extra="ignore", env_ignore_empty=True
    )

    enabled: bool = Field(
        default=True, description="False = every quote answers 'quotes disabled'."
    )
    timeout_seconds: float = Field(
        default=5.0,
        gt=0,
        le=120,
        description="Per Yahoo call, every HTTP request it makes included (yfinance's handshake"
        " and time-zone probe too); also how long a worker thread may stay busy.",
    )
    quote_ttl_seconds: float = Field(default=60.0, ge=0, description="How long a quote is reused.")
    history_ttl_seconds: float = Field(
        default=3600.0, ge=0, description="How long past closes and price histories are reused."
    )
    failure_ttl_seconds: float = Field(
        default=15.0, ge=0, description="How long a failure is repeated without asking Yahoo again."
    )
    backoff_initial_seconds: float = Field(
        default=30.0,
        gt=0,
        description="Pause after the first HTTP 429; doubles on each further 429.",
    )
    backoff_max_seconds: float = Field(
        default=600.0, gt=0, description="Longest pause after a 429."
    )
    max_concurrency: int = Field(
        default=4, ge=1, le=32, description="Yahoo calls in flight at once."
    )
    proxy: str | None = Field(
        default=None,
        description="HTTP(S) or SOCKS proxy for every Yahoo request, e.g. http://127.0.0.1:3128;"
        " none = direct.",
    )

    @field_validator("proxy")
    @classmethod
    def _proxy_url(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        value = value.strip()
        if not value.startswith(("http://", "https://", "socks5://", "socks5h://")):
            raise ValueError("proxy must be an http://, https:// or socks5:// URL")
        return value

    @model_validator(mode="after")
    def _backoff_order(self) -> QuoteSettings:
        if self.backoff_max_seconds < self.backoff_initial_seconds:
            raise ValueError("backoff_max_seconds must be >= backoff_initial_seconds")
        return self
