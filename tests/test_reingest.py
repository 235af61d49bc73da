"""``/reingest``: the source check, the job runner, and the cog against the fake Discord.

Only three tests run the real ingest subprocess (it loads the real embedding model: slow).
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import shutil
import sys
import time
from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from aiohttp import web

from bot.cogs.reingest import Reingest, format_result
from bot.discord_app import MarketBot
from bot.discord_settings import DiscordSettings
from bot.jobs import IngestResult, IngestRunner, JobBusy, child_environment, ingest_command
from bot.quotes import FakeQuoteProvider, QuoteSettings
from bot.services import Services, build_services
from bot.settings import AnswerSettings
from bot.source_check import (
    NOT_A_PATH,
    SourceNames,
    SourceRefused,
    check_source,
    is_public,
    load_source_names,
)
from index import generations
from index.settings import IndexSettings
from tests.discord_fake import FakeDiscord, FakeRole, FakeUser
from tests.discord_fake.fixtures import fake_discord, running  # noqa: F401

NAMES = SourceNames(names=("sample", "techcrunch-ai"), tags=("feeds",))
PUBLIC = {"example.com": ["93.184.215.14", "2606:2800:21f:cb07:6820:80da:af6b:8b2c"]}


def fake_resolver(table: dict[str, list[str]]):
    def resolve(host: str, port: int) -> list[str]:
        if host not in table:
            raise OSError("Name or service not known")
        return table[host]
    return resolve


# -- source_check ------------------------------------------------------------------------------

@pytest.mark.parametrize("value", [
    "/etc/passwd", "file:///etc/passwd", "FILE:///etc/passwd", "file:/etc/passwd", "../x",
    "sample/../../etc", "~/x", "~", "C:\\x", "c:/windows/win.ini", "\\\\server\\share", "./sample",
    ".", "..", "data/index", "sample/", "/",
])
def test_local_paths_are_refused(value: str) -> None:
    with pytest.raises(SourceRefused) as info:
        check_source(value, NAMES, allow_private=True, resolver=fake_resolver(PUBLIC))
    assert "local path" in str(info.value).lower() or str(info.value) == NOT_A_PATH


@pytest.mark.parametrize(("value", "why"), [
    ("", "named source"), ("   ", "named source"), ("nonsense", "Unknown source"),
    ("ftp://example.com/feed", "Only http"), ("gopher://example.com/", "Only http"),
    ("javascript://alert(1)", "Only http"), ("http://", "no host"), ("https:///path", "no host"),
    ("http://user:pw@example.com/feed", "user name"), ("http://user@example.com/", "user name"),
    ("http://example.com/a b", "spaces"), ("http://example.com/\x00", "control"),
    ("http://example.com:99999/", "malformed"), ("http://[::1/", "malformed"),
    ("http://nowhere.invalid/feed", "does not resolve"),
    ("https://example.com/" + "a" * 2100, "too long"),
])
def test_junk_is_refused_with_a_reason(value: str, why: str) -> None:
    with pytest.raises(SourceRefused, match=why):
        check_source(value, NAMES, resolver=fake_resolver(PUBLIC))


@pytest.mark.parametrize("address", [
    "127.0.0.1", "127.8.9.10", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254",
    "0.0.0.0", "224.0.0.1", "240.0.0.1", "255.255.255.255", "100.64.0.1", "::1", "::",
    "fe80::1", "fe80::1%eth0", "fc00::1", "fd12:3456::1", "ff02::1", "::ffff:127.0.0.1",
    "::ffff:10.0.0.1", "::ffff:169.254.169.254", "2002:7f00:1::", "not an ip",
])
def test_non_public_addresses(address: str) -> None:
    assert not is_public(address)


@pytest.mark.parametrize("address", ["93.184.215.14", "8.8.8.8", "2606:4700:4700::1111",
                                     "::ffff:8.8.8.8"])
def test_public_addresses(address: str) -> None:
    assert is_public(address)


@pytest.mark.parametrize("url", [
    "http://localhost/feed", "http://127.0.0.1:8080/feed", "http://[::1]/feed",
    "http://169.254.169.254/latest/meta-data/", "http://0x7f000001/", "http://intranet/feed",
    "http://mixed.example/feed",
])
def test_private_hosts_are_refused_by_default(url: str) -> None:
    table = {"localhost": ["127.0.0.1", "::1"], "127.0.0.1": ["127.0.0.1"], "::1": ["::1"],
             "169.254.169.254": ["169.254.169.254"], "0x7f000001": ["127.0.0.1"],
             "intranet": ["10.0.0.5"], "mixed.example": ["93.184.215.14", "192.168.0.2"]}
    with pytest.raises(SourceRefused, match="local or private address"):
        check_source(url, NAMES, resolver=fake_resolver(table))


def test_private_hosts_pass_when_allowed_without_dns() -> None:
    def no_dns(host: str, port: int) -> list[str]:
        raise AssertionError("no lookup needed")
    assert check_source("http://127.0.0.1:8080/feed.xml", NAMES, allow_private=True,
                        resolver=no_dns) == "http://127.0.0.1:8080/feed.xml"


def test_names_and_urls_are_normalized() -> None:
    resolve = fake_resolver(PUBLIC)
    assert check_source(" sample ", NAMES, resolver=resolve) == "sample"
    assert check_source("feeds", NAMES, resolver=resolve) == "feeds"
    assert check_source("all", NAMES, resolver=resolve) == "all"
    assert check_source("HTTPS://Example.COM/rss?x=1#top", NAMES,
                        resolver=resolve) == "https://example.com/rss?x=1"
    assert check_source("http://example.com", NAMES, resolver=resolve) == "http://example.com/"


def test_source_names_come_from_the_toml(tmp_path: Path) -> None:
    bundled = load_source_names()
    assert "sample" in bundled.names and "feeds" in bundled.tags
    file = tmp_path / "s.toml"
    file.write_text('[[source]]\nname = "mine"\nurl = "https://example.com/f"\ntags = ["t"]\n')
    assert load_source_names(file) == SourceNames(("mine",), ("t",))
    (tmp_path / "bad.toml").write_text("[[source]\n")
    assert load_source_names(tmp_path / "bad.toml") == SourceNames((), ())
    assert load_source_names(tmp_path / "missing.toml") == SourceNames((), ())


# -- the job runner with a tiny fake command ---------------------------------------------------

def script_command(script: str):
    def build(sources: Sequence[str], sources_file: Path | None) -> list[str]:
        return [sys.executable, "-c", script, *sources]
    return build


REPORT = ("import json, os, sys; print(json.dumps({'seen': 1, 'new': 1, 'updated': 0, "
          "'unchanged': 0, 'skipped': [{'source': 'x', 'reason': 'y'}], 'failed': [], "
          "'generation': 7, 'error': None, 'index_dir': os.environ['INDEX_DIR'], "
          "'argv': sys.argv[1:]}))")
SLEEP = "import time; time.sleep(30)"
STUBBORN = "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); time.sleep(30)"


def test_ingest_command_line() -> None:
    assert ingest_command(["sample"], None)[1:] == ["-m", "ingest", "--json", "--", "sample"]
    assert ingest_command([], Path("/s.toml"))[1:] == ["-m", "ingest", "--json", "--sources",
                                                      "/s.toml"]


async def test_runner_parses_the_report_and_reports_phases(tmp_path: Path) -> None:
    runner = IngestRunner(tmp_path, command=script_command(REPORT), tick=0.05)
    phases: list[str] = []

    async def progress(phase: str, elapsed: float) -> None:
        phases.append(phase)
    result = await runner.run(["-x", "sample"], progress)
    assert result.ok and result.exit_code == 0 and result.generation == 7
    assert (result.count("new"), result.count("skipped"), result.count("failed")) == (1, 1, 0)
    assert result.report["index_dir"] == str(tmp_path)
    assert result.report["argv"] == ["-x", "sample"]
    assert phases[0] == "started" and not runner.running and runner.last is result
    assert "new 1" in format_result("`x`", result) and "generation 7" in format_result("x", result)


@pytest.mark.parametrize(("script", "reason"), [
    ("import json; print(json.dumps({'seen': 0, 'error': 'nothing could be ingested'})); "
     "raise SystemExit(1)", "nothing could be ingested"),
    ("import sys; print('error: no sources to ingest', file=sys.stderr); raise SystemExit(2)",
     "no sources to ingest"),
    ("raise SystemExit(3)", "the ingest exited 3"),
    ("print('not json')", "the ingest printed no report"),
])
async def test_runner_failures_have_a_reason(tmp_path: Path, script: str, reason: str) -> None:
    result = await IngestRunner(tmp_path, command=script_command(script)).run()
    assert not result.ok and result.reason == reason
    assert "failed" in format_result("x", result) and reason in format_result("x", result)


async def test_one_at_a_time_and_cancel(tmp_path: Path) -> None:
    runner = IngestRunner(tmp_path, command=script_command(SLEEP), grace=2.0)
    first = asyncio.create_task(runner.run(["a"]))
    while runner._process is None:
        await asyncio.sleep(0.01)
    with pytest.raises(JobBusy, match=r"already running \(started \d+ s ago\)"):
        await runner.run(["b"])
    started = time.monotonic()
    assert await runner.cancel()
    result = await first
    assert time.monotonic() - started < 2.0
    assert result.cancelled and result.reason == "cancelled" and not runner.running
    assert not await runner.cancel()


async def test_timeout_and_sigkill_after_grace(tmp_path: Path) -> None:
    runner = IngestRunner(tmp_path, command=script_command(STUBBORN), timeout=0.5, grace=0.3)
    started = time.monotonic()
    result = await runner.run()
    assert result.timed_out and not result.ok and result.reason == "timed out after 0 s"
    assert time.monotonic() - started < 5.0 and not runner.running


async def test_a_cancelled_caller_kills_the_child(tmp_path: Path) -> None:
    runner = IngestRunner(tmp_path, command=script_command(SLEEP), grace=1.0)
    task = asyncio.create_task(runner.run())
    while runner._process is None:
        await asyncio.sleep(0.01)
    process = runner._process
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert process.returncode is not None and not runner.running


ENV_REPORT = "import json, os; print(json.dumps({'seen': 0, 'env': dict(os.environ)}))"


def test_child_environment_is_an_allow_list(tmp_path: Path) -> None:
    kept = {
        "PATH": "/usr/bin", "HOME": "/home/bot", "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8",
        "TZ": "UTC", "TMPDIR": "/tmp/x", "PYTHONPATH": "/p", "PYTHONHASHSEED": "0",
        "VIRTUAL_ENV": "/venv", "INGEST_FETCH_TIMEOUT": "3", "EMBEDDING_BACKEND": "onnx",
        "EMBEDDING_CACHE_DIR": "/models", "EMBED_THREADS": "1", "KEEP_GENERATIONS": "3",
        "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false",
        "HTTPS_PROXY": "http://proxy:3128", "SSL_CERT_FILE": "/ca.pem",
    }
    dropped = {
        "DISCORD_TOKEN": "secret-token", "DISCORD_ADMIN_USER_IDS": "1",
        "DISCORD_ADMIN_ROLE_IDS": "2", "DISCORD_SOURCES_FILE": "/d.toml",
        "DISCORD_API_BASE_URL": "http://x", "SOURCES_FILE": "/s.toml",
        "INGEST_SOURCES_FILE": "/i.toml", "HF_TOKEN": "hf_x", "INGEST_API_KEY": "k",
        "EMBEDDING_SECRET": "s", "QUOTES_TIMEOUT_SECONDS": "5", "ANSWER_PASSAGES": "8",
        "OPENAI_API_KEY": "x", "AWS_SECRET_ACCESS_KEY": "x", "GITHUB_TOKEN": "x",
        "SSH_AUTH_SOCK": "/agent", "DBUS_SESSION_BUS_ADDRESS": "unix:x", "INDEX_DIR": "/old",
    }
    env = child_environment({**kept, **dropped}, tmp_path)
    assert env == {**kept, "INDEX_DIR": str(tmp_path)}


async def test_the_child_never_sees_the_token(tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """A real child process: its environment has no Discord setting, its own ones stay."""
    monkeypatch.setenv("DISCORD_TOKEN", "fake-bot-token-must-not-leak")
    monkeypatch.setenv("DISCORD_ADMIN_USER_IDS", "123")
    monkeypatch.setenv("HF_TOKEN", "hf_must_not_leak")
    monkeypatch.setenv("INGEST_FETCH_TIMEOUT", "7")
    result = await IngestRunner(tmp_path, command=script_command(ENV_REPORT)).run()
    assert result.ok, result.reason
    env: dict[str, str] = result.report["env"]
    assert not [name for name in env if name.startswith("DISCORD_")]
    assert "HF_TOKEN" not in env
    assert "must-not-leak" not in json.dumps(env) and "must_not_leak" not in json.dumps(env)
    assert env["INGEST_FETCH_TIMEOUT"] == "7" and env["INDEX_DIR"] == str(tmp_path)
    assert env["PATH"] == os.environ["PATH"]


def echo_ingest(sources: Sequence[str], sources_file: Path | None) -> list[str]:
    """The real ingest command line, run by a script that reports it back (no ingest)."""
    return [sys.executable, "-c", REPORT, *ingest_command(sources, sources_file)[3:]]


async def test_failing_progress_callback_does_not_stop_the_job(tmp_path: Path) -> None:
    async def broken(phase: str, elapsed: float) -> None:
        raise RuntimeError("discord is down")
    result = await IngestRunner(tmp_path, command=script_command(REPORT)).run((), broken)
    assert result.ok


# -- the cog against the fake Discord ----------------------------------------------------------

FEED = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Fixture Wire</title><link>https://fixture.example/</link>
<description>Test feed</description>
<item><title>Zorblax Robotics unveils Quillon-7 warehouse robot, shares jump 12%</title>
<link>https://fixture.example/zorblax-quillon-7</link>
<guid>https://fixture.example/zorblax-quillon-7</guid>
<pubDate>Mon, 10 Nov 2025 14:00:00 GMT</pubDate>
<description>Zorblax Robotics on Monday unveiled Quillon-7, an AI-driven humanoid robot for
warehouse picking trained on a new vision-language model. The company said Quillon-7 picks
1,200 items per hour and will ship to logistics customers in March. Zorblax Robotics shares
jumped 12% after the announcement, while rival Krandle Automation fell 4%. Analysts said the
robot's foundation model could cut warehouse labor costs sharply.</description>
</item></channel></rss>"""


@pytest_asyncio.fixture
async def feed_server() -> AsyncIterator[dict[str, Any]]:
    """Feeds on 127.0.0.1: /feed.xml, /broken.xml (500) and /slow.xml (waits for release)."""
    state: dict[str, Any] = {"release": asyncio.Event()}

    async def feed(request: web.Request) -> web.Response:
        return web.Response(text=FEED, content_type="application/rss+xml")

    async def broken(request: web.Request) -> web.Response:
        return web.Response(status=500, text="boom")

    async def slow(request: web.Request) -> web.Response:
        await state["release"].wait()
        return web.Response(text=FEED, content_type="application/rss+xml")

    app = web.Application()
    app.add_routes([web.get("/feed.xml", feed), web.get("/broken.xml", broken),
                    web.get("/slow.xml", slow)])
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    state["url"] = f"http://127.0.0.1:{port}"
    try:
        yield state
    finally:
        state["release"].set()
        await runner.cleanup()


@pytest.fixture
def index_copy(sample_index: Path, tmp_path: Path) -> Path:
    """A private copy of the session-shared sample index (these tests publish into it)."""
    target = tmp_path / "index"
    shutil.copytree(sample_index, target, symlinks=True)
    return target


def make_bot(fake: FakeDiscord, index_dir: Path, embedder: Any, **overrides: Any) -> MarketBot:
    services: Services = build_services(
        IndexSettings(_env_file=None, index_dir=index_dir),  # type: ignore[call-arg]
        AnswerSettings(_env_file=None),  # type: ignore[call-arg]
        QuoteSettings(_env_file=None),  # type: ignore[call-arg]
        embedder=embedder, quotes=FakeQuoteProvider({}))
    settings = DiscordSettings(  # type: ignore[call-arg]
        _env_file=None, token=fake.token, guild_ids=[fake.guild.id], api_base_url=fake.rest_url,
        gateway_url=fake.gateway_url, cooldown_rate=100, **overrides)
    return MarketBot(services, settings, guild_ready_timeout=0.05)


async def final_text(fake: FakeDiscord, record: Any, needle: str, timeout: float) -> str:
    """Wait until the interaction's original message contains one of ``needle``'s words."""
    words = needle.split("|")
    message = await fake.wait_until(
        lambda: record.original if record.original is not None and any(
            w in record.original.content for w in words) else None,
        timeout, f"a /reingest message containing {needle}")
    return message.content


async def test_refusals_need_no_ingest(fake_discord: FakeDiscord, sample_index: Path,  # noqa: F811
                                       real_embedder: Any) -> None:
    fake = fake_discord
    bot = make_bot(fake, sample_index, real_embedder)  # default settings: no private URLs
    async with running(bot, fake.token):
        command = fake.command("reingest")
        assert command is not None and command["default_member_permissions"] == "8"
        assert [o["name"] for o in command["options"]] == ["source"]
        choices = await fake.autocomplete("reingest", "source", "sam", user=fake.admin)
        assert [c["value"] for c in choices] == ["sample"]
        assert await fake.autocomplete("reingest", "source", "sam", user=fake.member) == []

        record = await fake.slash("reingest", {"source": "sample"}, user=fake.member)
        message = await record.wait_final()
        assert message.ephemeral and "Only server admins" in message.content
        for value in ("/etc/passwd", "file:///etc/passwd", "../x"):
            record = await fake.slash("reingest", {"source": value}, user=fake.admin)
            message = await record.wait_final()
            assert message.ephemeral and "Local paths can't be ingested" in message.content
        record = await fake.slash("reingest", {"source": "http://127.0.0.1:9/feed.xml"},
                                  user=fake.admin)
        message = await record.wait_final()
        assert message.ephemeral and "local or private address" in message.content
        cog = bot.get_cog("Reingest")
        # load_extension imports the cog module afresh: compare by name, not class identity
        assert type(cog).__name__ == Reingest.__name__ and cog.runner.last is None


async def test_admins_are_known_without_a_cached_guild(
        fake_discord: FakeDiscord, sample_index: Path, real_embedder: Any,  # noqa: F811
        tmp_path: Path) -> None:
    """No GUILD_CREATE: discord.py knows neither the guild's roles nor its members. The check
    reads the interaction: Administrator in ``permissions``, role ids of the member payload,
    user ids of the settings; everyone else is refused, and gets no autocomplete."""
    fake = fake_discord
    fake.send_guild_create = False
    moderators = FakeRole(fake.snowflakes.next(), "Moderators", position=1)  # no permission
    fake.guild.roles.append(moderators)
    moderator = FakeUser(fake.snowflakes.next(), "moderator", roles=[moderators.id])
    fake.guild.members.append(moderator)
    listed = fake.members[1]
    sources = tmp_path / "sources.toml"
    sources.write_text('[[source]]\nname = "mine"\nurl = "https://example.com/feed.xml"\n')
    bot = make_bot(fake, sample_index, real_embedder, admin_role_ids=[moderators.id],
                   admin_user_ids=[listed.id], sources_file=sources)
    async with running(bot, fake.token):
        guild = bot.get_guild(fake.guild.id)
        assert guild is None or (guild.unavailable and guild.get_member(fake.admin.id) is None)
        cog: Any = bot.get_cog("Reingest")
        cog.runner.command = echo_ingest
        assert cog.sources_file == sources.absolute()

        for user in (fake.admin, fake.owner, moderator, listed):
            choices = await fake.autocomplete("reingest", "source", "mi", user=user)
            assert [c["value"] for c in choices] == ["mine"], user.username
            record = await fake.slash("reingest", {"source": "mine"}, user=user)
            text = await final_text(fake, record, "done|failed", timeout=30)
            assert text.startswith("✅"), (user.username, text)
            # the child gets the very file the name was checked against
            assert cog.runner.last.report["argv"][-4:] == ["--sources", str(sources.absolute()),
                                                           "--", "mine"]

        for user in (fake.member, fake.members[2]):
            assert await fake.autocomplete("reingest", "source", "", user=user) == []
            record = await fake.slash("reingest", {"source": "mine"}, user=user)
            message = await record.wait_final()
            assert message.ephemeral and message.content == "Only server admins can re-ingest the news."
        record = await fake.slash("reingest", {"source": "sample"}, user=fake.admin)
        message = await record.wait_final()  # a bundled name is not in this sources file
        assert message.ephemeral and "Unknown source" in message.content


@pytest.mark.integration
async def test_admin_reingest_of_a_feed_then_ask_finds_it(
        fake_discord: FakeDiscord, index_copy: Path, real_embedder: Any,  # noqa: F811
        feed_server: dict[str, Any]) -> None:
    fake = fake_discord
    before = generations.current_name(index_copy)
    bot = make_bot(fake, index_copy, real_embedder, reingest_allow_private_urls=True)
    async with running(bot, fake.token):
        url = feed_server["url"] + "/feed.xml"
        record = await fake.slash("reingest", {"source": url}, user=fake.admin)
        assert (await record.wait_response())["type"] == 5
        text = await final_text(fake, record, "done|failed", timeout=180)
        assert text.startswith("✅") and "new 1," in text and "failed 0" in text, text
        assert "started" in " ".join(h.get("content") or "" for h in record.original.history)
        assert generations.current_name(index_copy) != before

        ask = await fake.slash("ask", {"question": "What did Zorblax Robotics unveil?"})
        answer = await ask.wait_final(timeout=60)
        [embed] = answer.embeds
        sources = next(f["value"] for f in embed["fields"] if f["name"] == "Sources")
        assert "Zorblax Robotics unveils Quillon-7" in sources


@pytest.mark.integration
async def test_a_failing_ingest_reports_why_and_keeps_the_index(
        fake_discord: FakeDiscord, index_copy: Path, real_embedder: Any,  # noqa: F811
        feed_server: dict[str, Any]) -> None:
    fake = fake_discord
    before = generations.current_name(index_copy)
    bot = make_bot(fake, index_copy, real_embedder, reingest_allow_private_urls=True)
    async with running(bot, fake.token):
        record = await fake.slash("reingest", {"source": feed_server["url"] + "/broken.xml"},
                                  user=fake.admin)
        text = await final_text(fake, record, "done|failed", timeout=180)
        assert text.startswith("❌") and "nothing could be ingested" in text, text
        assert "serving index is unchanged" in text
    assert generations.current_name(index_copy) == before


@pytest.mark.integration
async def test_second_request_is_told_and_shutdown_cancels(
        fake_discord: FakeDiscord, index_copy: Path, real_embedder: Any,  # noqa: F811
        feed_server: dict[str, Any], caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="bot")
    fake = fake_discord
    before = generations.current_name(index_copy)
    bot = make_bot(fake, index_copy, real_embedder, reingest_allow_private_urls=True)
    async with running(bot, fake.token):
        cog: Any = bot.get_cog("Reingest")
        assert cog is not None
        first = await fake.slash("reingest", {"source": feed_server["url"] + "/slow.xml"},
                                 user=fake.admin)
        await final_text(fake, first, "started|running", timeout=10)
        second = await fake.slash("reingest", {"source": "sample"}, user=fake.admin)
        message = await second.wait_final()
        assert message.ephemeral and "already running (started" in message.content
        assert cog.runner.running
    # close() unloaded the cog, which terminated the child (as on SIGTERM)
    for _ in range(100):
        if cog.runner.last is not None:
            break
        await asyncio.sleep(0.05)
    last: IngestResult | None = cog.runner.last
    assert last is not None and last.cancelled and not cog.runner.running
    assert generations.current_name(index_copy) == before
    errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert errors == []  # no failed "result" edit on a closing session
    assert "cancelled the running ingest on shutdown" in caplog.text


async def test_scheduled_ingest_uses_the_same_runner(tmp_path: Path) -> None:
    from types import SimpleNamespace

    settings = DiscordSettings(_env_file=None, schedule_minutes=0)  # type: ignore[call-arg]
    bot: Any = SimpleNamespace(settings=settings, services=SimpleNamespace(index_dir=tmp_path))
    cog = Reingest(bot)
    cog.runner.command = script_command(REPORT)
    task = asyncio.create_task(cog._scheduled(0.05))
    try:
        for _ in range(200):
            if cog.runner.last is not None:
                break
            await asyncio.sleep(0.05)
    finally:
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    assert cog.runner.last is not None and cog.runner.last.ok
    assert cog.runner.last.report["argv"] == []  # the sources file's default entries
    await cog.cog_unload()
