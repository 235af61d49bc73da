"""Self-tests of the fake Discord: the real discord.py client over real sockets on 127.0.0.1."""

from __future__ import annotations

import asyncio
import io
import struct
import zlib
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import discord
import pytest
import pytest_asyncio
from discord import app_commands
from discord.ext import commands

from tests.discord_fake import EPHEMERAL, LOADING, FakeDiscord, InteractionFailed
from tests.discord_fake.fixtures import fake_discord, running  # noqa: F401
from tests.discord_fake.limits import message_errors
from tests.discord_fake.mentions import compute_pings
from tests.discord_fake.options import OptionError

TICKERS = ["AMD", "GOOGL", "MSFT", "NVDA"]


def tiny_png(width: int = 3, height: int = 2) -> bytes:
    """A valid RGB PNG of the given size."""
    def chunk(tag: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data))
    rows = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows))
            + chunk(b"IEND", b""))


PNG = tiny_png()


class TinyBot(commands.Bot):
    """A minimal bot exercising what the project's bot does; records what it saw."""

    def __init__(self, guild_id: int, intents: discord.Intents | None = None) -> None:
        super().__init__(command_prefix=commands.when_mentioned,
                         intents=intents or discord.Intents.default(), guild_ready_timeout=0.05)
        self.guild_object = discord.Object(guild_id)
        self.synced: list[app_commands.AppCommand] = []
        self.seen_permissions: list[int] = []
        self.http_errors: list[tuple[int, int]] = []
        self.resumed = 0

    async def setup_hook(self) -> None:
        for command in build_commands(self):
            self.tree.add_command(command, guild=self.guild_object)
        self.synced = await self.tree.sync(guild=self.guild_object)

    async def on_resumed(self) -> None:
        self.resumed += 1

    async def on_message(self, message: discord.Message) -> None:
        if message.author.bot:
            return
        if self.user in message.mentions:
            await message.reply(f"pong: {message.content}")


def build_commands(bot: TinyBot) -> list[Any]:
    """The test bot's slash commands."""

    @app_commands.command(description="Echo text back")
    @app_commands.describe(text="what to echo", repeat="how many times", shout="upper-case it")
    async def echo(interaction: discord.Interaction, text: str,
                   repeat: app_commands.Range[int, 1, 5] = 1, shout: bool = False) -> None:
        word = text.upper() if shout else text
        await interaction.response.send_message(" ".join([word] * repeat))

    @app_commands.command(description="Defer, then edit (optionally with a chart)")
    async def slow(interaction: discord.Interaction, chart: bool = False) -> None:
        await interaction.response.defer(thinking=True)
        await asyncio.sleep(0.2)
        if chart:
            await interaction.edit_original_response(
                content="chart below", attachments=[discord.File(io.BytesIO(PNG), filename="q.png")])
        else:
            await interaction.edit_original_response(content="done slowly")

    @app_commands.command(description="Defer, then two followups")
    async def steps(interaction: discord.Interaction) -> None:
        await interaction.response.defer()
        await interaction.followup.send("step 1")
        await interaction.followup.send("step 2", ephemeral=True)

    @app_commands.command(name="file", description="Send a PNG")
    async def file_(interaction: discord.Interaction) -> None:
        await interaction.response.send_message(
            "chart", file=discord.File(io.BytesIO(PNG), filename="chart.png"))

    @app_commands.command(name="admin-only", description="Administrators only")
    @app_commands.default_permissions(administrator=True)
    async def admin_only(interaction: discord.Interaction) -> None:
        bot.seen_permissions.append(interaction.permissions.value)
        if not interaction.permissions.administrator:
            await interaction.response.send_message("denied", ephemeral=True)
            return
        await interaction.response.send_message("allowed")

    @app_commands.command(description="Look up a ticker")
    async def lookup(interaction: discord.Interaction, ticker: str) -> None:
        await interaction.response.send_message(f"looked up {ticker}")

    @lookup.autocomplete("ticker")
    async def lookup_ticker(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        return [app_commands.Choice(name=t, value=t) for t in TICKERS if t.startswith(current.upper())]

    @app_commands.command(description="Try an oversize embed, then fall back")
    async def big(interaction: discord.Interaction) -> None:
        try:
            await interaction.response.send_message(embed=discord.Embed(description="x" * 4097))
        except discord.HTTPException as exc:
            bot.http_errors.append((exc.status, exc.code))
            await interaction.response.send_message(f"embed rejected: {exc.code}")

    @app_commands.command(description="Answer after the deadline")
    async def late(interaction: discord.Interaction) -> None:
        await asyncio.sleep(0.4)
        try:
            await interaction.response.send_message("too late")
        except discord.NotFound as exc:
            bot.http_errors.append((exc.status, exc.code))

    @app_commands.command(description="Post text, with or without pings")
    async def announce(interaction: discord.Interaction, text: str, quiet: bool = True) -> None:
        if quiet:
            await interaction.response.send_message(text, allowed_mentions=discord.AllowedMentions.none())
        else:
            await interaction.response.send_message(text)

    return [echo, slow, steps, file_, admin_only, lookup, big, late, announce]


@pytest_asyncio.fixture
async def bot(fake_discord: FakeDiscord) -> AsyncIterator[TinyBot]:  # noqa: F811
    async with running(TinyBot(fake_discord.guild.id), fake_discord.token) as client:
        yield client


def requests_to(fake: FakeDiscord, suffix: str, method: str = "POST") -> list[Any]:
    return [r for r in fake.requests if r.method == method and r.path.endswith(suffix)]


async def test_login_sync_and_ready(fake_discord: FakeDiscord, bot: TinyBot) -> None:  # noqa: F811
    fake = fake_discord
    app, guild_id = fake.application_id, fake.guild.id
    assert [(r.method, r.path, r.status) for r in fake.requests[:3]] == [
        ("GET", "/users/@me", 200), ("GET", "/oauth2/applications/@me", 200),
        ("PUT", f"/applications/{app}/guilds/{guild_id}/commands", 200)]
    assert {r.headers["Authorization"] for r in fake.requests[:3]} == {f"Bot {fake.token}"}
    assert bot.user is not None and bot.user.id == fake.bot_user.id and bot.application_id == app

    stored = {c["name"]: c for c in fake.commands[guild_id]}
    assert sorted(stored) == ["admin-only", "announce", "big", "echo", "file", "late", "lookup", "slow", "steps"]
    assert {c.name: c.id for c in bot.synced} == {name: int(c["id"]) for name, c in stored.items()}
    assert [(o["name"], o["type"], o.get("required", False)) for o in stored["echo"]["options"]] == [
        ("text", 3, True), ("repeat", 4, False), ("shout", 5, False)]
    assert (stored["echo"]["options"][1]["min_value"], stored["echo"]["options"][1]["max_value"]) == (1, 5)
    assert stored["admin-only"]["default_member_permissions"] == "8"
    assert stored["lookup"]["options"][0]["autocomplete"] is True
    assert stored["echo"]["guild_id"] == str(guild_id)

    assert fake.gateway.queries == [{"v": "10", "encoding": "json", "compress": "zlib-stream"}]
    assert fake.gateway.handshakes == ["READY"] and fake.gateway.heartbeats >= 1
    [identify] = fake.gateway.identifies
    assert identify["intents"] == discord.Intents.default().value and "token" not in identify
    guild = bot.get_guild(guild_id)
    assert guild is not None and guild.member_count == len(fake.guild.members) == 14
    assert guild.me.id == fake.bot_user.id and guild.owner_id == fake.owner.id
    assert sorted(c.name for c in guild.text_channels) == ["general", "market-news"]
    assert guild.get_role(fake.admin_role.id).permissions.administrator  # type: ignore[union-attr]
    assert guild.default_role.id == guild_id


async def test_echo_round_trip(fake_discord: FakeDiscord, bot: TinyBot) -> None:  # noqa: F811
    fake = fake_discord
    user = fake.members[3]
    record = await fake.slash("echo", {"text": "hi", "repeat": 2, "shout": True}, user=user)
    message = await record.wait_final()
    assert message.content == "HI HI" and message.author_id == fake.bot_user.id
    assert record.payload["data"]["options"] == [
        {"name": "text", "type": 3, "value": "hi"}, {"name": "repeat", "type": 4, "value": 2},
        {"name": "shout", "type": 5, "value": True}]
    assert record.response_type == 4 and record.first_response_ms is not None
    assert 0 < record.first_response_ms < 3000
    [callback] = requests_to(fake, f"/interactions/{record.id}/{record.token}/callback")
    assert callback.query == {"with_response": "1"}
    assert callback.json["type"] == 4 and callback.json["data"]["content"] == "HI HI"
    assert callback.response["resource"]["message"]["id"] == str(message.id)
    assert message.channel_id == fake.channel.id and not message.ephemeral
    assert message.data["interaction_metadata"]["user"]["id"] == str(user.id)
    await fake.wait_until(lambda: message.delivered, what="the MESSAGE_CREATE echo")
    assert message.delivered is not None and message.delivered["content"] == "HI HI"


async def test_driver_refuses_what_a_discord_client_would(fake_discord: FakeDiscord, bot: TinyBot) -> None:  # noqa: F811
    fake = fake_discord
    with pytest.raises(OptionError, match="missing required"):
        await fake.slash("echo", {})
    with pytest.raises(OptionError, match="cannot take"):
        await fake.slash("echo", {"text": "x", "repeat": "2"})
    with pytest.raises(OptionError, match=r"outside \[1, 5\]"):
        await fake.slash("echo", {"text": "x", "repeat": 6})
    with pytest.raises(OptionError, match="no option"):
        await fake.slash("echo", {"text": "x", "loud": True})
    with pytest.raises(LookupError, match="never synced"):
        await fake.slash("nope")
    assert fake.interactions == {}


async def test_privileged_intent_not_enabled(fake_discord: FakeDiscord) -> None:  # noqa: F811
    fake_discord.allow_privileged_intents = False
    intents = discord.Intents.default()
    intents.message_content = True
    client = TinyBot(fake_discord.guild.id, intents)
    with pytest.raises(discord.PrivilegedIntentsRequired):
        async with running(client, fake_discord.token):
            pass
    assert fake_discord.gateway.closed_with == [4014]


async def test_deferred_then_edited(fake_discord: FakeDiscord, bot: TinyBot) -> None:  # noqa: F811
    fake = fake_discord
    record = await fake.slash("slow")
    assert (await record.wait_response())["type"] == 5
    message = await record.wait_final()
    assert message.content == "done slowly" and message.flags == 0
    assert [(v["content"], v["flags"]) for v in message.history] == [("", LOADING)]
    [patch] = requests_to(fake, "/messages/@original", "PATCH")
    assert patch.path == f"/webhooks/{fake.application_id}/{record.token}/messages/@original"
    assert patch.at - record.dispatched_at >= 0.2
    assert record.followups == []

    charted = await (await fake.slash("slow", {"chart": True})).wait_final()
    assert charted.content == "chart below" and charted.flags == 0
    assert [(a["filename"], a["content_type"], a["size"]) for a in charted.attachments] == [
        ("q.png", "image/png", len(PNG))]
    assert [f.data for f in charted.files] == [PNG]


async def test_first_followup_replaces_the_thinking_message(fake_discord: FakeDiscord, bot: TinyBot) -> None:  # noqa: F811
    record = await fake_discord.slash("steps")
    original = await record.wait_final()
    [second] = await record.wait_followups(1)
    assert original.content == "step 1" and not original.ephemeral
    assert second.content == "step 2" and second.flags == EPHEMERAL
    assert [r.query["wait"] for r in requests_to(fake_discord, f"/webhooks/{fake_discord.application_id}/{record.token}")] == ["1", "1"]


async def test_file_attachment_arrives_with_bytes(fake_discord: FakeDiscord, bot: TinyBot) -> None:  # noqa: F811
    fake = fake_discord
    message = await (await fake.slash("file")).wait_final()
    assert message.content == "chart"
    [upload] = message.files
    assert (upload.field, upload.filename, upload.content_type) == (
        "files[0]", "chart.png", "application/octet-stream")  # discord.py's part header, always
    assert upload.data == PNG
    [attachment] = message.attachments
    assert attachment["filename"] == "chart.png" and attachment["content_type"] == "image/png"
    assert (attachment["size"], attachment["width"], attachment["height"]) == (len(PNG), 3, 2)
    [callback] = requests_to(fake, "/callback")
    assert callback.json["data"]["attachments"] == [{"id": 0, "filename": "chart.png"}]
    async with aiohttp.ClientSession() as session, session.get(attachment["url"]) as response:
        assert response.headers["Content-Type"] == "image/png" and await response.read() == PNG


async def test_admin_check_sees_member_permissions(fake_discord: FakeDiscord, bot: TinyBot) -> None:  # noqa: F811
    fake = fake_discord
    allowed_record = await fake.slash("admin-only", user=fake.admin)
    allowed = await allowed_record.wait_final()
    denied_record = await fake.slash("admin-only", user=fake.member)
    denied = await denied_record.wait_final()
    assert allowed_record.payload["member"]["permissions"] == "8"
    assert denied_record.payload["member"]["permissions"] == "0"
    assert bot.seen_permissions == [8, 0]
    assert allowed.content == "allowed" and not allowed.ephemeral
    assert denied.content == "denied" and denied.flags == EPHEMERAL
    assert denied.delivered is None  # ephemeral messages are never echoed on the gateway


async def test_autocomplete_choices(fake_discord: FakeDiscord, bot: TinyBot) -> None:  # noqa: F811
    fake = fake_discord
    assert await fake.autocomplete("lookup", "ticker", "n") == [{"name": "NVDA", "value": "NVDA"}]
    assert [c["value"] for c in await fake.autocomplete("lookup", "ticker", "")] == TICKERS
    sent = [r for r in fake.interactions.values() if r.type == 4]
    assert sent[0].payload["data"]["options"] == [{"name": "ticker", "type": 3, "value": "n", "focused": True}]
    assert sent[0].response_type == 8
    message = await (await fake.slash("lookup", {"ticker": "AMD"})).wait_final()
    assert message.content == "looked up AMD"


async def test_mention_gets_reply_and_bot_author_does_not(fake_discord: FakeDiscord, bot: TinyBot) -> None:  # noqa: F811
    fake = fake_discord
    from_bot = await fake.say(f"{fake.bot_user.mention} are you there?", user=fake.helper_bot)
    asked = await fake.say(f"{fake.bot_user.mention} hello", user=fake.member)
    reply = await fake.wait_reply(asked)
    assert reply.content == f"pong: <@{fake.bot_user.id}> hello"
    assert reply.data["type"] == 19 and reply.reference_id == asked.id
    assert reply.pings.replied_user == fake.member.id  # default allowed mentions ping the author
    assert asked.delivered is not None
    assert [m["id"] for m in asked.delivered["mentions"]] == [str(fake.bot_user.id)]
    assert fake.replies_to(from_bot) == []
    assert from_bot.delivered is not None and from_bot.delivered["author"]["bot"] is True
    chatter = await fake.say("just chatting")  # no MESSAGE_CONTENT intent: content is blanked
    assert chatter.delivered is not None and chatter.delivered["content"] == ""


async def test_oversize_embed_is_rejected(fake_discord: FakeDiscord, bot: TinyBot) -> None:  # noqa: F811
    record = await fake_discord.slash("big")
    message = await record.wait_final()
    assert message.content == "embed rejected: 50035"
    assert bot.http_errors == [(400, 50035)]
    [(status, body)] = record.rejections
    assert status == 400 and body["code"] == 50035 and body["message"] == "Invalid Form Body"
    assert body["errors"] == {"data": {"embeds": {"0": {"description": {"_errors": [
        {"code": "BASE_TYPE_MAX_LENGTH", "message": "Must be 4096 or fewer in length."}]}}}}}


async def test_response_after_deadline_is_unknown_interaction(fake_discord: FakeDiscord, bot: TinyBot) -> None:  # noqa: F811
    fake = fake_discord
    fake.deadline = 0.25
    record = await fake.slash("late")
    with pytest.raises(InteractionFailed, match="deadline"):
        await record.wait_final(timeout=3)
    assert record.rejections == [(404, {"code": 10062, "message": "Unknown interaction"})]
    assert record.expired and record.first_response_ms is None
    assert record.first_attempt_ms is not None and record.first_attempt_ms >= 250
    await fake.wait_until(lambda: bot.http_errors, what="the bot to see NotFound")
    assert bot.http_errors == [(404, 10062)]


async def test_second_acknowledgement_is_rejected(fake_discord: FakeDiscord, bot: TinyBot) -> None:  # noqa: F811
    fake = fake_discord
    record = await fake.slash("echo", {"text": "once"})
    await record.wait_final()
    url = f"{fake.rest_url}/interactions/{record.id}/{record.token}/callback?with_response=1"
    async with aiohttp.ClientSession() as session, session.post(
            url, json={"type": 4, "data": {"content": "twice"}}) as response:
        assert response.status == 400 and response.headers["Content-Type"] == "application/json"
        assert await response.json() == {"code": 40060, "message": "Interaction has already been acknowledged."}
    assert record.original is not None and record.original.content == "once"


async def test_gateway_disconnect_resumes(fake_discord: FakeDiscord, bot: TinyBot) -> None:  # noqa: F811
    fake = fake_discord
    assert (await (await fake.slash("echo", {"text": "before"})).wait_final()).content == "before"
    session = fake.gateway.session
    assert session is not None
    await fake.wait_until(lambda: bot.ws.sequence == session.seq, what="the client to catch up")
    seen = session.seq

    assert await fake.disconnect(code=4000) == "RESUMED"
    assert fake.gateway.resumes == [{"seq": seen, "session_id": session.id}]
    assert len(fake.gateway.identifies) == 1
    await fake.wait_until(lambda: bot.resumed == 1, what="on_resumed")
    assert (await (await fake.slash("echo", {"text": "after"})).wait_final()).content == "after"

    await fake.disconnect(code=1001, wait=False)  # dispatched while down: replayed on RESUME
    missed = await fake.slash("echo", {"text": "missed"})
    assert (await missed.wait_final()).content == "missed"
    assert fake.gateway.handshakes == ["READY", "RESUMED", "RESUMED"]
    assert fake.gateway.closed_with == [4000, 1001] and fake.gateway.connections == 3

    await fake.gateway.send_op(7)  # RECONNECT: the client closes the socket itself and resumes
    await fake.wait_until(lambda: len(fake.gateway.handshakes) == 4 and fake.gateway.connected,
                          what="RESUME after op 7")
    assert fake.gateway.handshakes[-1] == "RESUMED" and len(fake.gateway.identifies) == 1
    assert (await (await fake.slash("echo", {"text": "last"})).wait_final()).content == "last"
    await fake.wait_until(lambda: bot.resumed == 3, what="three on_resumed events")


async def test_allowed_mentions_decide_who_is_pinged(fake_discord: FakeDiscord, bot: TinyBot) -> None:  # noqa: F811
    fake = fake_discord
    text = f"@everyone {fake.members[1].mention} {fake.admin_role.mention} market update"
    quiet = await (await fake.slash("announce", {"text": text, "quiet": True})).wait_final()
    assert quiet.content == text and quiet.allowed_mentions == {"parse": []}
    assert quiet.pings.nobody and quiet.data["mention_everyone"] is False and quiet.data["mentions"] == []
    assert not fake.anyone_pinged()

    loud = await (await fake.slash("announce", {"text": text, "quiet": False})).wait_final()
    assert loud.allowed_mentions is None
    assert loud.pings.everyone and loud.pings.users == {fake.members[1].id}
    assert loud.pings.roles == {fake.admin_role.id}
    assert loud.pings.user_ids == {m.id for m in fake.guild.members} - {fake.bot_user.id}
    assert loud.data["mention_everyone"] is True and loud.data["mention_roles"] == [str(fake.admin_role.id)]
    assert fake.anyone_pinged()


async def test_burst_of_50_from_10_users(fake_discord: FakeDiscord, bot: TinyBot) -> None:  # noqa: F811
    fake = fake_discord
    users = fake.members[:10]
    records = await asyncio.gather(*(
        fake.slash("echo", {"text": f"q{i}"}, user=users[i % 10]) for i in range(50)))
    finals = await asyncio.gather(*(r.wait_final(timeout=10) for r in records))
    assert [m.content for m in finals] == [f"q{i}" for i in range(50)]
    assert [m.data["interaction_metadata"]["user"]["id"] for m in finals] == [
        str(users[i % 10].id) for i in range(50)]
    assert len({m.id for m in finals}) == 50 and {r.user_id for r in records} == {u.id for u in users}
    assert all(r.first_response_ms is not None and r.first_response_ms < 3000 for r in records)


async def test_bad_token_is_login_failure(fake_discord: FakeDiscord) -> None:  # noqa: F811
    with pytest.raises(discord.LoginFailure):
        async with running(TinyBot(fake_discord.guild.id), "wrong-token"):
            pass
    assert [(r.method, r.path, r.status) for r in fake_discord.requests] == [("GET", "/users/@me", 401)]


async def test_unknown_route_is_recorded_and_json_type_is_exact(fake_discord: FakeDiscord) -> None:  # noqa: F811
    fake = fake_discord
    auth = {"Authorization": f"Bot {fake.token}"}
    async with aiohttp.ClientSession(headers=auth) as session:
        async with session.get(f"{fake.rest_url}/users/@me") as response:
            assert response.headers["Content-Type"] == "application/json"
            assert (await response.json())["id"] == str(fake.bot_user.id)
        async with session.get(f"{fake.rest_url}/guilds/{fake.guild.id}/bans") as response:
            assert response.status == 404
            assert await response.json() == {"code": 0, "message": "404: Not Found"}
    assert [(r.method, r.path) for r in fake.unhandled] == [("GET", f"/guilds/{fake.guild.id}/bans")]
    fake.unhandled.clear()


@pytest.mark.parametrize(("payload", "path"), [
    ({"content": "x" * 2001}, ["content"]),
    ({"embeds": [{"title": "t"}] * 11}, ["embeds"]),
    ({"embeds": [{"title": "x" * 257}]}, ["embeds", "0", "title"]),
    ({"embeds": [{"description": "x" * 4097}]}, ["embeds", "0", "description"]),
    ({"embeds": [{"fields": [{"name": "n", "value": "v"}] * 26}]}, ["embeds", "0", "fields"]),
    ({"embeds": [{"fields": [{"name": "x" * 257, "value": "v"}]}]}, ["embeds", "0", "fields", "0", "name"]),
    ({"embeds": [{"fields": [{"name": "n", "value": "x" * 1025}]}]}, ["embeds", "0", "fields", "0", "value"]),
    ({"embeds": [{"footer": {"text": "x" * 2049}}]}, ["embeds", "0", "footer", "text"]),
    ({"embeds": [{"author": {"name": "x" * 257}}]}, ["embeds", "0", "author", "name"]),
    ({"embeds": [{"description": "x" * 4000}, {"description": "x" * 2001}]}, ["embeds"]),
])
def test_message_limits(payload: dict[str, Any], path: list[str]) -> None:
    node: Any = message_errors(payload)
    for key in path:
        node = node[key]
    assert node["_errors"][0]["code"] in ("BASE_TYPE_MAX_LENGTH", "MAX_EMBED_SIZE_EXCEEDED")


def test_message_limits_accept_the_maximum() -> None:
    fields = [{"name": "n" * 20, "value": "v" * 20}] * 25
    embed = {"title": "t" * 256, "description": "d" * 3000, "fields": fields,
             "footer": {"text": "f" * 500}, "author": {"name": "a" * 256}}
    assert message_errors({"content": "x" * 2000, "embeds": [embed]}) == {}
    assert message_errors({"embeds": [{"title": "t"}] * 10}) == {}


def test_ping_rules() -> None:
    fake = FakeDiscord()
    guild, author, member = fake.guild, fake.bot_user.id, fake.members[0]
    text = f"hi {member.mention} @here"
    assert compute_pings(text, {"parse": ["users"]}, guild, author_id=author).users == {member.id}
    assert compute_pings(text, {"parse": ["users"]}, guild, author_id=author).here is False
    assert compute_pings(text, {"users": [str(member.id)]}, guild, author_id=author).users == {member.id}
    assert compute_pings(text, {"parse": [], "users": []}, guild, author_id=author).nobody
    assert compute_pings(text, {"parse": ["everyone"]}, guild, author_id=author).here is True
    reply = compute_pings("ok", None, guild, author_id=author, replied_user_id=member.id)
    assert reply.replied_user == member.id and reply.user_ids == {member.id}
    assert compute_pings("ok", {"parse": []}, guild, author_id=author, replied_user_id=member.id).nobody
