"""Settings of the answer engine (environment variables or ``.env``)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.question.model import MAX_CHARS


class AnswerSettings(BaseSettings):
    """How questions are answered. Built at the entrypoint and passed down."""

    model_config = SettingsConfigDict(
        env_prefix="ANSWER_", env_file=".env", extra="ignore", env_ignore_empty=True
    )

    relevance_threshold: float = Field(
        0.40, ge=0, le=1,
        description="Cosine of the best passage below which the news 'does not cover' a "
        "question (calibrated on labelled in/out-of-scope questions: make bench).",
    )
    passages: int = Field(8, ge=1, le=50, description="Passages retrieved per question.")
    max_question_chars: int = Field(
        MAX_CHARS, ge=20, le=4000,
        description="Longest question accepted, in characters: the one limit every front end "
        "(slash commands, mentions, terminal, `bot ask`) refuses longer questions by.")
    search_timeout_seconds: float = Field(10.0, gt=0)
    recency_half_life_days: float | None = Field(
        None, description="Favour newer news with this half-life; empty = off."
    )
