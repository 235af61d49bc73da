"""Settings of the ingest job (environment variables or ``.env``).

The sources file is one setting shared with the bot, ``SOURCES_FILE`` (no prefix);
``INGEST_SOURCES_FILE`` is still read as a fallback, with a deprecation warning in the log.
"""

from __future__ import annotations

import logging
from pathlib import Path

from pydantic import AliasChoices, Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

log = logging.getLogger(__name__)


class IngestSettings(BaseSettings):
    """How sources are read and fetched. Built at the entrypoint and passed down."""

    model_config = SettingsConfigDict(
        env_prefix="INGEST_", env_file=".env", extra="ignore", env_ignore_empty=True
    )

    sources_file: Path | None = Field(
        None, validation_alias=AliasChoices("SOURCES_FILE", "sources_file"),
        description="TOML sources file (shared with the bot); None = the bundled one.",
    )
    ingest_sources_file: Path | None = Field(
        None, validation_alias="INGEST_SOURCES_FILE", exclude=True, repr=False,
        deprecated="INGEST_SOURCES_FILE is read only as a fallback of SOURCES_FILE.",
    )
    fetch_timeout: float = Field(10.0, gt=0, description="Seconds per HTTP request.")
    fetch_max_bytes: int = Field(5_000_000, gt=0, description="Largest response body read.")
    fetch_full_text: bool = Field(
        False, description="Fetch each feed item's linked page for its full text."
    )
    fetch_concurrency: int = Field(4, ge=1, le=32)
    fetch_public_only: bool = Field(
        False, description="Network policy: connect only to public addresses, each redirect hop "
        "and full-text link checked (python -m ingest --public-only, which the bot passes to "
        "/reingest and the schedule unless reingest_allow_private_urls).")
    user_agent: str = "ai-market-news-bot/0.1"
    max_file_bytes: int = Field(50_000_000, gt=0, description="Larger local files are skipped.")
    max_article_chars: int = Field(
        200_000, ge=1_000, description="Text kept per article; longer texts are cut (a warning)."
    )
    max_line_bytes: int = Field(
        4_000_000, ge=1_000,
        description="Longest JSON Lines line (or CSV field) read; longer lines are skipped.",
    )
    max_gz_bytes: int = Field(
        200_000_000, ge=1_000,
        description="Decompressed bytes read from one .gz file; reading stops there (reported).",
    )
    max_chunks_per_article: int = Field(
        500, ge=1, description="Chunks embedded per article; the rest is left out (a warning)."
    )
    max_items_per_source: int = Field(
        100_000, ge=1,
        description="Records (articles and skipped ones) read from one file, feed or page; "
                    "reading stops there (reported).",
    )
    chunk_max_tokens: int = Field(256, ge=32, description="Word pieces per chunk, title included.")
    chunk_overlap_sentences: int = Field(1, ge=0, le=3)

    @model_validator(mode="after")
    def _fallback_sources_file(self) -> IngestSettings:
        """``INGEST_SOURCES_FILE`` (deprecated) when ``SOURCES_FILE`` is not set."""
        old = self.__dict__.get("ingest_sources_file")  # a plain read: no deprecation warning
        if self.sources_file is None and old is not None:
            log.warning("INGEST_SOURCES_FILE is deprecated: set SOURCES_FILE=%s instead (one "
                        "sources file for the bot and the ingest job)", old)
            self.sources_file = old
        return self
