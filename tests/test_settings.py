"""Every settings field is documented in .env.example, and settings read the environment."""

from __future__ import annotations

import re

import pytest
from pydantic_settings import BaseSettings

from bot.discord_settings import DiscordSettings
from bot.quotes import QuoteSettings
from bot.settings import AnswerSettings
from index.settings import IndexSettings
from ingest.settings import IngestSettings
from tests.conftest import ROOT

SETTINGS: list[type[BaseSettings]] = [
    IndexSettings, IngestSettings, AnswerSettings, QuoteSettings, DiscordSettings
]


def env_names(cls: type[BaseSettings]) -> set[str]:
    prefix = cls.model_config.get("env_prefix", "") or ""
    return {(prefix + name).upper() for name in cls.model_fields}


def test_env_example_lists_every_field_with_a_comment():
    text = (ROOT / ".env.example").read_text()
    documented = set(re.findall(r"^([A-Z][A-Z0-9_]+)=", text, re.M))
    expected = set().union(*(env_names(cls) for cls in SETTINGS))
    assert expected - documented == set()
    assert documented - expected == set()
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if re.match(r"^[A-Z][A-Z0-9_]+=", line):
            assert lines[i - 1].startswith("#"), f"{line} has no comment above it"


def test_settings_come_from_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("INDEX_DIR", str(tmp_path / "x"))
    monkeypatch.setenv("INGEST_FETCH_TIMEOUT", "3.5")
    assert IndexSettings(_env_file=None).index_dir == tmp_path / "x"  # type: ignore[call-arg]
    assert IngestSettings(_env_file=None).fetch_timeout == 3.5  # type: ignore[call-arg]


def test_bad_values_are_refused(monkeypatch):
    monkeypatch.setenv("EMBED_BATCH_SIZE", "0")
    with pytest.raises(ValueError, match="embed_batch_size"):
        IndexSettings(_env_file=None)  # type: ignore[call-arg]


def test_empty_values_in_env_mean_default(monkeypatch):
    monkeypatch.setenv("INGEST_SOURCES_FILE", "")
    monkeypatch.setenv("ANSWER_RECENCY_HALF_LIFE_DAYS", "")
    assert IngestSettings(_env_file=None).sources_file is None  # type: ignore[call-arg]
    assert AnswerSettings(_env_file=None).recency_half_life_days is None  # type: ignore[call-arg]
