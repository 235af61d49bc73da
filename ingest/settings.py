"""Settings of the ingest job (environment variables or ``.env``)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class IngestSettings(BaseSettings):
    """How sources are read and fetched. Built at the entrypoint and passed down."""

    model_config = SettingsConfigDict(
        env_prefix="INGEST_", env_file=".env", extra="ignore", env_ignore_empty=True
    )

    sources_file: Path | None = Field(
        None, description="TOML sources file; None = the default one shipped with the project."
    )
    fetch_timeout: float = Field(10.0, gt=0, description="Seconds per HTTP request.")
    fetch_max_bytes: int = Field(5_000_000, gt=0, description="Largest response body read.")
    fetch_full_text: bool = Field(
        False, description="Fetch each feed item's linked page for its full text."
    )
    fetch_concurrency: int = Field(4, ge=1, le=32)
    user_agent: str = "ai-market-news-bot/0.1"
    max_file_bytes: int = Field(50_000_000, gt=0, description="Larger local files are skipped.")
    chunk_max_tokens: int = Field(256, ge=32, description="Word pieces per chunk, title included.")
    chunk_overlap_sentences: int = Field(1, ge=0, le=3)
