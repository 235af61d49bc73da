"""Every settings field is documented in .env.example, and settings read the environment."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pytest
from pydantic import AliasChoices
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
    """The variable of each field: its alias (the first choice) or prefix + name; deprecated
    fallback names are not settings of their own."""
    prefix = cls.model_config.get("env_prefix", "") or ""
    names = set()
    for name, field in cls.model_fields.items():
        if field.deprecated:
            continue
        alias = field.validation_alias
        if isinstance(alias, AliasChoices):
            alias = alias.choices[0]
        names.add(alias.upper() if isinstance(alias, str) else (prefix + name).upper())
    return names


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


# -- one sources file for the bot and the ingest job -------------------------------------------

SOURCES_ENV = ("SOURCES_FILE", "DISCORD_SOURCES_FILE", "INGEST_SOURCES_FILE")


@pytest.fixture
def no_sources_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name in SOURCES_ENV:
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_one_sources_setting_for_bot_and_ingest(no_sources_env, tmp_path, caplog):
    no_sources_env.setenv("SOURCES_FILE", str(tmp_path / "s.toml"))
    no_sources_env.setenv("DISCORD_SOURCES_FILE", "/old-bot.toml")
    no_sources_env.setenv("INGEST_SOURCES_FILE", "/old-ingest.toml")
    with caplog.at_level(logging.WARNING):
        bot = DiscordSettings(_env_file=None)  # type: ignore[call-arg]
        ingest = IngestSettings(_env_file=None)  # type: ignore[call-arg]
    assert bot.sources_file == ingest.sources_file == tmp_path / "s.toml"
    assert bot.sources_path == tmp_path / "s.toml"
    assert "deprecated" not in caplog.text  # the new name wins, silently
    assert "discord_sources_file" not in repr(bot) and "ingest_sources" not in repr(ingest)


def test_sources_file_defaults_to_the_bundled_one(no_sources_env):
    no_sources_env.setenv("SOURCES_FILE", "")
    bot = DiscordSettings(_env_file=None)  # type: ignore[call-arg]
    assert bot.sources_file is None and IngestSettings(_env_file=None).sources_file is None  # type: ignore[call-arg]
    assert bot.sources_path == ROOT / "ingest" / "data" / "sources.toml"
    assert bot.sources_path.is_absolute() and bot.sources_path.is_file()


def test_relative_sources_file_is_made_absolute(no_sources_env, tmp_path):
    no_sources_env.chdir(tmp_path)
    no_sources_env.setenv("SOURCES_FILE", "conf/sources.toml")
    # the ingest child runs from the project root: it must get the path the bot checked
    assert DiscordSettings(_env_file=None).sources_path == tmp_path / "conf" / "sources.toml"  # type: ignore[call-arg]


@pytest.mark.parametrize(("env", "expected"), [
    ({"DISCORD_SOURCES_FILE": "/bot.toml"}, "/bot.toml"),
    ({"INGEST_SOURCES_FILE": "/ingest.toml"}, "/ingest.toml"),
    # what the child used to get: the bot's file as --sources, when there was one
    ({"DISCORD_SOURCES_FILE": "/bot.toml", "INGEST_SOURCES_FILE": "/ingest.toml"}, "/bot.toml"),
])
def test_old_names_are_fallbacks_with_a_deprecation_line(no_sources_env, caplog, env, expected):
    for name, value in env.items():
        no_sources_env.setenv(name, value)
    with caplog.at_level(logging.WARNING, logger="bot.discord_settings"):
        settings = DiscordSettings(_env_file=None)  # type: ignore[call-arg]
    assert settings.sources_file == Path(expected)
    [record] = caplog.records
    assert "deprecated" in record.getMessage() and f"SOURCES_FILE={expected}" in record.getMessage()


def test_ingest_reads_its_old_name_as_a_fallback(no_sources_env, caplog):
    no_sources_env.setenv("INGEST_SOURCES_FILE", "/ingest.toml")
    with caplog.at_level(logging.WARNING, logger="ingest.settings"):
        settings = IngestSettings(_env_file=None)  # type: ignore[call-arg]
    assert settings.sources_file == Path("/ingest.toml")
    assert "INGEST_SOURCES_FILE is deprecated" in caplog.text
    assert IngestSettings(_env_file=None, sources_file="/k.toml").sources_file == Path("/k.toml")  # type: ignore[call-arg]


def test_old_names_are_read_from_the_env_file(no_sources_env, tmp_path):
    env_file = tmp_path / ".env"
    env_file.write_text("DISCORD_SOURCES_FILE=/from-dotenv.toml\n")
    assert DiscordSettings(_env_file=env_file).sources_file == Path("/from-dotenv.toml")  # type: ignore[call-arg]
