"""``FakeDiscord``: a Discord REST API + gateway on 127.0.0.1 for the real discord.py client.

State lives here (world, commands, messages, interactions, records); HTTP routes are in
``rest.py``, the WebSocket in ``gateway.py``. Test drivers (``slash``, ``autocomplete``,
``say``) act as a Discord user would and return records to wait on.

One guild by default (``guild``); ``add_guild`` adds more, e.g. one per shard for a sharded
bot (``guild_id_on_shard``; ``recommended_shards`` is what ``GET /gateway/bot`` answers).
Drivers act in the guild of the channel they are given (default: the first guild's).
"""

from __future__ import annotations

import asyncio
import re
import secrets
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar
from urllib.parse import quote

from aiohttp import web

from tests.discord_fake.gateway import GUILD_MEMBERS, GUILD_MESSAGES, MESSAGE_CONTENT, Gateway
from tests.discord_fake.limits import allowed_mentions_errors, is_empty, message_errors
from tests.discord_fake.mentions import compute_pings, mention_fields
from tests.discord_fake.model import (
    FakeChannel,
    FakeGuild,
    FakeRole,
    FakeUser,
    Snowflakes,
    build_guild,
    build_world,
    guess_content_type,
    iso_now,
    png_size,
    shard_of,
)
from tests.discord_fake.options import build_options
from tests.discord_fake.records import (
    LOADING,
    DiscordError,
    InteractionRecord,
    Notifier,
    Pings,
    RequestRecord,
    StoredMessage,
    UploadedFile,
)

T = TypeVar("T")
SUPPRESS_EMBEDS = 1 << 2
OptionValues = Mapping[str, Any] | Sequence[Mapping[str, Any]] | None


class FakeDiscord:
    """A fake Discord server; use ``async with FakeDiscord() as fake`` or start()/stop()."""

    def __init__(self, *, token: str = "fake-bot-token", bot_name: str = "market-bot",
                 guild_name: str = "Fake Guild", regular_members: int = 10,
                 deadline: float = 3.0, token_lifetime: float = 900.0,
                 heartbeat_interval_ms: int = 41_250, allow_privileged_intents: bool = True,
                 attachment_size_limit: int = 10 * 1024 * 1024,
                 send_guild_create: bool = True) -> None:
        self.token = token
        # False: READY lists the guild as unavailable and no GUILD_CREATE follows, so discord.py
        # never caches it (roles, channels, members): interactions must stand on their payload.
        self.send_guild_create = send_guild_create
        self.deadline = deadline  # seconds for an interaction's first response
        self.token_lifetime = token_lifetime
        self.allow_privileged_intents = allow_privileged_intents
        self.attachment_size_limit = attachment_size_limit
        self.bot_user, self.guild = build_world(bot_name=bot_name, guild_name=guild_name,
                                                regular_members=regular_members)
        self.guilds: list[FakeGuild] = [self.guild]  # add_guild adds more
        self.recommended_shards = 1  # GET /gateway/bot "shards"
        self.application_id = self.bot_user.id
        # GATEWAY_PRESENCE_LIMITED | GATEWAY_GUILD_MEMBERS_LIMITED | GATEWAY_MESSAGE_CONTENT_LIMITED
        self.application_flags = ((1 << 13) | (1 << 15) | (1 << 19)) if allow_privileged_intents else 0
        self.owner = self.user("owner")
        self.admin = self.user("admin")
        self.helper_bot = self.user("helper-bot")
        self.members = [m for m in self.guild.members if m.username.startswith("member")]
        self.member = self.members[0] if self.members else self.admin
        self.admin_role = next(r for r in self.guild.roles if r.name == "Admin")
        self.channel = self.guild.channels[0]

        self.snowflakes = Snowflakes()
        self.notifier = Notifier()
        self.gateway = Gateway(self, heartbeat_interval_ms=heartbeat_interval_ms)
        self.requests: list[RequestRecord] = []
        self.unhandled: list[RequestRecord] = []  # requests no route knew: fail the test
        self.errors: list[str] = []  # exceptions inside the fake itself
        self.messages: dict[int, StoredMessage] = {}
        self.interactions: dict[int, InteractionRecord] = {}
        self.commands: dict[int | None, list[dict[str, Any]]] = {}  # guild id or None (global)
        self.command_syncs: list[tuple[int | None, list[dict[str, Any]]]] = []  # bodies as sent
        self.typing: dict[int, int] = defaultdict(int)  # channel id -> typing requests
        self.ping_log: list[tuple[int, Pings]] = []  # (message id, pings) per create/edit
        self.attachment_files: dict[int, UploadedFile] = {}
        self.forbidden_channels: set[int] = set()  # the bot may not post there (403 50013)
        self._tokens: dict[str, InteractionRecord] = {}
        self._command_ids: dict[tuple[int | None, str, int], int] = {}
        self._runner: web.AppRunner | None = None
        self.port = 0

    # -- lifecycle ---------------------------------------------------------------------------

    async def start(self) -> None:
        """Listen on 127.0.0.1 with an OS-chosen port."""
        from tests.discord_fake.rest import build_app

        self._runner = web.AppRunner(build_app(self), access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = int(self._runner.addresses[0][1])

    async def stop(self) -> None:
        """Close gateway sockets and the HTTP server."""
        if self._runner is None:
            return
        await self.gateway.close_all()
        await self._runner.cleanup()
        self._runner = None

    async def __aenter__(self) -> FakeDiscord:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT``."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def rest_url(self) -> str:
        """Value for ``discord.http.Route.BASE``."""
        return f"{self.base_url}/api/v10"

    @property
    def gateway_url(self) -> str:
        """Value for ``DiscordWebSocket.DEFAULT_GATEWAY`` (also the READY resume URL)."""
        return f"ws://127.0.0.1:{self.port}/"

    # -- world ---------------------------------------------------------------------------------

    def user(self, username: str) -> FakeUser:
        """The member with that username (the first guild's first)."""
        return next(m for g in self.guilds for m in g.members if m.username == username)

    def add_guild(self, name: str, *, guild_id: int | None = None,
                  regular_members: int = 2) -> FakeGuild:
        """Another guild with the bot in it (``build_guild``); before the bot connects."""
        guild = build_guild(self.bot_user, guild_id=guild_id or self.snowflakes.next(),
                            name=name, ids=self.snowflakes.next,
                            regular_members=regular_members)
        self.guilds.append(guild)
        return guild

    def guild_id_on_shard(self, shard: int, shard_count: int) -> int:
        """A new snowflake whose guild lands on ``shard`` of ``shard_count``."""
        while True:
            candidate = self.snowflakes.next()
            if shard_of(candidate, shard_count) == shard:
                return candidate
            self.snowflakes._last += (1 << 22) - 1  # the next timestamp step

    def guild_by_id(self, guild_id: int) -> FakeGuild | None:
        """The guild with that id, if any."""
        return next((g for g in self.guilds if g.id == guild_id), None)

    def guild_of(self, channel_id: int) -> FakeGuild | None:
        """The guild holding the channel, if any."""
        return next((g for g in self.guilds if g.channel(channel_id) is not None), None)

    def _guild_at(self, channel_id: int) -> FakeGuild:
        return self.guild_of(channel_id) or self.guild

    def bot_user_payload(self) -> dict[str, Any]:
        """GET /users/@me and READY.user."""
        return {**self.bot_user.payload(), "verified": True, "mfa_enabled": False, "flags": 0,
                "email": None, "locale": "en-US", "premium_type": 0}

    def application_payload(self) -> dict[str, Any]:
        """GET /oauth2/applications/@me."""
        return {
            "id": str(self.application_id), "name": self.bot_user.username,
            "description": "fake application", "icon": None, "bot_public": False,
            "bot_require_code_grant": False, "owner": self.owner.payload(), "team": None,
            "verify_key": "00" * 32, "flags": self.application_flags, "summary": "",
            "bot": self.bot_user.payload(), "rpc_origins": [], "interactions_endpoint_url": None,
            "tags": [], "redirect_uris": [], "approximate_guild_count": len(self.guilds),
        }

    async def add_member(self, username: str, *, admin: bool = False, bot: bool = False) -> FakeUser:
        """Add a member; after READY this dispatches GUILD_MEMBER_ADD (members intent only)."""
        user = FakeUser(self.snowflakes.next(), username, bot=bot,
                        roles=[self.admin_role.id] if admin else [])
        self.guild.members.append(user)
        if self.gateway.session is not None:
            await self.gateway.dispatch("GUILD_MEMBER_ADD", {
                **user.member_payload(), "guild_id": str(self.guild.id)}, intent=GUILD_MEMBERS,
                guild_id=self.guild.id)
        return user

    def command(self, name: str, *, kind: int = 1,
                guild: FakeGuild | None = None) -> dict[str, Any] | None:
        """A synced command by name: the guild's (default: the first guild) first, then global."""
        for scope in ((guild or self.guild).id, None):
            for command in self.commands.get(scope, []):
                if command["name"] == name and command.get("type", 1) == kind:
                    return command
        return None

    def store_commands(self, scope: int | None, commands: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Overwrite a scope's commands; ids stay stable for the same name (as on Discord)."""
        self.command_syncs.append((scope, commands))
        stored = []
        for command in commands:
            kind = command.get("type", 1)
            key = (scope, command["name"], kind)
            command_id = self._command_ids.setdefault(key, self.snowflakes.next())
            item = {
                "id": str(command_id), "application_id": str(self.application_id),
                "version": str(self.snowflakes.next()), "type": kind,
                "description": "", "options": [], "default_member_permissions": None,
                "dm_permission": True, "nsfw": False, "contexts": None, "integration_types": [0],
                **command,
            }
            if item["default_member_permissions"] is not None:
                item["default_member_permissions"] = str(item["default_member_permissions"])
            if scope is not None:
                item["guild_id"] = str(scope)
            stored.append(item)
        self.commands[scope] = stored
        self.notifier.changed()
        return stored

    # -- waiting -------------------------------------------------------------------------------

    async def wait_until(self, predicate: Callable[[], T | None], timeout: float = 5.0,
                         what: str = "a condition") -> T:
        """Wait until ``predicate()`` is truthy (re-checked on every change in the fake)."""
        return await self.notifier.wait_for(predicate, timeout, what)

    async def wait_ready(self, timeout: float = 5.0) -> None:
        """Wait until a session got READY and its socket is open."""
        await self.wait_until(lambda: self.gateway.connected and bool(self.gateway.handshakes),
                              timeout, "gateway READY")

    async def disconnect(self, code: int = 4000, *, wait: bool = True, timeout: float = 5.0) -> str:
        """Drop the gateway socket; with ``wait`` return ``"RESUMED"`` or ``"READY"`` once back."""
        before = len(self.gateway.handshakes)
        await self.gateway.disconnect(code)
        if not wait:
            return ""
        return await self.wait_until(
            lambda: self.gateway.handshakes[-1] if len(self.gateway.handshakes) > before
            and self.gateway.connected else None, timeout, "the client to reconnect")

    # -- messages ------------------------------------------------------------------------------

    def channel_messages(self, channel: FakeChannel | int | None = None) -> list[StoredMessage]:
        """Non-deleted messages in a channel (default: the main channel), oldest first."""
        channel_id = (channel or self.channel).id if not isinstance(channel, int) else channel
        return [m for m in self.messages.values() if m.channel_id == channel_id and not m.deleted]

    def bot_messages(self) -> list[StoredMessage]:
        """Every message the bot created, oldest first."""
        return [m for m in self.messages.values() if m.author_id == self.bot_user.id]

    def replies_to(self, message: StoredMessage) -> list[StoredMessage]:
        """Messages replying to ``message``."""
        return [m for m in self.messages.values() if m.reference_id == message.id]

    async def wait_reply(self, message: StoredMessage, timeout: float = 5.0) -> StoredMessage:
        """The first reply (``message_reference``) to ``message``."""
        return await self.wait_until(lambda: next(iter(self.replies_to(message)), None), timeout,
                                     f"a reply to message {message.id}")

    def anyone_pinged(self) -> bool:
        """True if any message created or edited so far would have notified someone."""
        return any(not pings.nobody for _, pings in self.ping_log)

    def validate(self, body: dict[str, Any]) -> None:
        """Raise 400 50035 if the payload breaks a message limit."""
        errors = message_errors(body)
        errors.update(allowed_mentions_errors(body.get("allowed_mentions")))
        if errors:
            raise DiscordError(400, 50035, "Invalid Form Body", errors)

    def create_message(self, *, channel_id: int, author: FakeUser, body: dict[str, Any],
                       files: Sequence[UploadedFile] = (), kind: int = 0, flags: int = 0,
                       interaction: InteractionRecord | None = None,
                       reference: StoredMessage | None = None,
                       allow_empty: bool = False) -> StoredMessage:
        """Validate and store a new message (no gateway echo: see ``deliver``)."""
        self.validate(body)
        guild = self._guild_at(channel_id)
        data: dict[str, Any] = {
            "id": str(self.snowflakes.next()), "channel_id": str(channel_id),
            "guild_id": str(guild.id), "type": kind, "content": body.get("content") or "",
            "author": author.payload(), "timestamp": iso_now(), "edited_timestamp": None,
            "tts": bool(body.get("tts")), "pinned": False, "flags": flags,
            "embeds": [{"type": "rich", **e} for e in body.get("embeds") or []],
            "components": body.get("components") or [],
            "attachments": self._attachments(channel_id, body.get("attachments"), files, []),
        }
        if "nonce" in body:
            data["nonce"] = body["nonce"]
        if interaction is not None:
            data.update(webhook_id=str(self.application_id), application_id=str(self.application_id),
                        interaction_metadata={
                            "id": str(interaction.id), "type": interaction.type,
                            "user": guild.member(interaction.user_id).payload(),  # type: ignore[union-attr]
                            "authorizing_integration_owners": {"0": str(guild.id)},
                            "name": interaction.name})
        if reference is not None:
            data["message_reference"] = {"type": 0, "message_id": str(reference.id),
                                         "channel_id": str(reference.channel_id),
                                         "guild_id": str(guild.id)}
            data["referenced_message"] = reference.data
        if not allow_empty and is_empty(data):
            raise DiscordError(400, 50006, "Cannot send an empty message")
        message = StoredMessage(
            id=int(data["id"]), channel_id=channel_id, author_id=author.id, data=data,
            allowed_mentions=body.get("allowed_mentions"), pings=Pings(), files=list(files),
            interaction_id=interaction.id if interaction else None)
        self._set_pings(message, reference.author_id if reference else None)
        self.messages[message.id] = message
        self.notifier.changed()
        return message

    def edit_message(self, message: StoredMessage, body: dict[str, Any],
                     files: Sequence[UploadedFile] = ()) -> StoredMessage:
        """Apply a PATCH: only the keys sent change; a deferred placeholder stops loading."""
        self.validate(body)
        data = dict(message.data)
        for key, empty in (("content", ""), ("embeds", []), ("components", [])):
            if key in body:
                data[key] = body[key] or empty
        data["embeds"] = [{"type": "rich", **e} for e in data["embeds"]]
        flags = data["flags"] & ~LOADING
        if "flags" in body:
            flags = (flags & ~SUPPRESS_EMBEDS) | (int(body["flags"] or 0) & SUPPRESS_EMBEDS)
        data["flags"] = flags
        if "attachments" in body or files:
            data["attachments"] = self._attachments(message.channel_id, body.get("attachments"),
                                                    files, data["attachments"])
        if is_empty(data):
            raise DiscordError(400, 50006, "Cannot send an empty message")
        data["edited_timestamp"] = iso_now()
        message.history.append(message.data)
        message.data = data
        message.allowed_mentions = body.get("allowed_mentions")
        message.files.extend(files)
        reference = message.reference_id
        self._set_pings(message, self.messages[reference].author_id
                        if reference in self.messages else None)
        self.notifier.changed()
        return message

    def _set_pings(self, message: StoredMessage, replied_user_id: int | None) -> None:
        guild = self._guild_at(message.channel_id)
        message.pings = compute_pings(message.content, message.allowed_mentions, guild,
                                      author_id=message.author_id, replied_user_id=replied_user_id)
        message.data.update(mention_fields(message.pings, guild))
        self.ping_log.append((message.id, message.pings))

    def _attachments(self, channel_id: int, declared: list[dict[str, Any]] | None,
                     files: Sequence[UploadedFile], existing: list[dict[str, Any]]) -> list[dict[str, Any]]:
        uploads: dict[str, UploadedFile] = {}
        for upload in files:
            match = re.fullmatch(r"files\[(\d+)\]|file(\d*)", upload.field)
            index = next((g for g in match.groups() if g), "0") if match else upload.field
            if len(upload.data) > self.attachment_size_limit:
                raise DiscordError(413, 40005, "Request entity too large")
            uploads[index] = upload
        kept = {str(a["id"]): a for a in existing}
        if declared is None:
            declared = [{"id": key} for key in kept] + [{"id": key} for key in uploads]
        result, used = [], set()
        for position, entry in enumerate(declared):
            key = str(entry.get("id"))
            if key in kept:
                result.append(kept[key])
            elif key in uploads:
                result.append(self.store_attachment(channel_id, uploads[key], entry))
                used.add(key)
            else:
                raise DiscordError(400, 50035, "Invalid Form Body", {"attachments": {str(position): {
                    "id": {"_errors": [{"code": "ATTACHMENT_NOT_FOUND",
                                        "message": f"Unknown attachment id {key}"}]}}}})
        result += [self.store_attachment(channel_id, u, {}) for k, u in uploads.items() if k not in used]
        return result

    def store_attachment(self, channel_id: int, upload: UploadedFile,
                         entry: Mapping[str, Any]) -> dict[str, Any]:
        """Keep an upload and return its attachment object (served at its ``url``)."""
        attachment_id = self.snowflakes.next()
        filename = str(entry.get("filename") or upload.filename)
        content_type = guess_content_type(filename)
        url = f"{self.base_url}/attachments/{channel_id}/{attachment_id}/{quote(filename)}"
        attachment: dict[str, Any] = {
            "id": str(attachment_id), "filename": filename, "size": len(upload.data),
            "url": url, "proxy_url": url, "content_type": content_type}
        if entry.get("description"):
            attachment["description"] = entry["description"]
        size = png_size(upload.data)
        if size is not None:
            attachment["width"], attachment["height"] = size
        self.attachment_files[attachment_id] = UploadedFile(upload.field, filename, content_type,
                                                            upload.data)
        return attachment

    async def deliver(self, message: StoredMessage, event: str = "MESSAGE_CREATE") -> None:
        """Echo a message on the gateway as Discord would (guild-messages intent; no ephemerals).

        Without the MESSAGE_CONTENT intent, content/embeds/attachments are blanked unless the
        message is the bot's own or mentions the bot.
        """
        guild = self._guild_at(message.channel_id)
        session = self.gateway.session_for(guild.id)
        if message.ephemeral or session is None:
            return
        author = guild.member(message.author_id)
        payload = {**message.data, "member": author.member_payload(with_user=False) if author else None}
        mentioned = {int(m["id"]) for m in payload.get("mentions", [])}
        if not (session.intents & MESSAGE_CONTENT or message.author_id == self.bot_user.id
                or self.bot_user.id in mentioned):
            payload.update(content="", embeds=[], attachments=[], components=[])
        seq = await self.gateway.dispatch(event, payload, intent=GUILD_MESSAGES, session=session)
        if event == "MESSAGE_CREATE" and seq is not None:
            message.delivered = payload
            self.notifier.changed()

    # -- drivers: what a Discord user does ------------------------------------------------------

    async def say(self, content: str, *, user: FakeUser | None = None,
                  channel: FakeChannel | None = None,
                  reply_to: StoredMessage | None = None) -> StoredMessage:
        """A member posts ``content``; ``<@id>`` / ``<@&id>`` fill ``mentions`` / ``mention_roles``.

        ``message.delivered`` is the MESSAGE_CREATE payload the bot got (None if its intents
        exclude guild messages). Use a bot member (``fake.helper_bot``) for a bot author.
        """
        channel = channel or self.channel
        message = self.create_message(channel_id=channel.id, author=user or self.member,
                                      body={"content": content}, kind=19 if reply_to else 0,
                                      reference=reply_to)
        await self.deliver(message)
        return message

    async def slash(self, name: str, options: OptionValues = None, *, user: FakeUser | None = None,
                    channel: FakeChannel | None = None) -> InteractionRecord:
        """Dispatch a slash command (type 2): ``name`` may hold subcommands (``"quote get"``).

        ``options`` is a dict typed from the synced command, or a list of raw option dicts sent
        unchanged. Returns the record at once; await ``wait_final()`` on it.
        """
        return await self._interact(2, name, options, user, channel, focused=None)

    async def autocomplete(self, name: str, option: str, value: str = "", *,
                           options: Mapping[str, Any] | None = None, user: FakeUser | None = None,
                           channel: FakeChannel | None = None,
                           timeout: float = 5.0) -> list[dict[str, Any]]:
        """Dispatch an autocomplete (type 4) for ``option`` typed as ``value``; return the choices."""
        record = await self._interact(4, name, {**(options or {}), option: value}, user, channel,
                                      focused=option)
        response = await record.wait_response(timeout)
        return list(response["data"]["choices"])

    async def _interact(self, kind: int, name: str, options: OptionValues, user: FakeUser | None,
                        channel: FakeChannel | None, focused: str | None) -> InteractionRecord:
        parts = name.split()
        channel = channel or self.channel
        guild = self._guild_at(channel.id)
        command = self.command(parts[0], guild=guild)
        if command is None:
            synced = sorted(c["name"] for cs in self.commands.values() for c in cs)
            raise LookupError(f"/{parts[0]} was never synced; synced commands: {synced}")
        user = user or self.member
        if options is None or isinstance(options, Mapping):
            typed, resolved = build_options(
                command, parts[1:], options or {}, guild=guild, focused=focused,
                make_attachment=lambda upload: self.store_attachment(channel.id, upload, {}))
        else:
            typed, resolved = [dict(o) for o in options], {}
        data: dict[str, Any] = {"id": command["id"], "name": command["name"], "type": 1, "options": typed}
        if resolved:
            data["resolved"] = resolved
        if command.get("guild_id"):
            data["guild_id"] = command["guild_id"]
        interaction_id = self.snowflakes.next()
        token = "aW50ZXJhY3Rpb246" + secrets.token_urlsafe(48)
        payload = {
            "id": str(interaction_id), "application_id": str(self.application_id), "type": kind,
            "token": token, "version": 1, "data": data, "guild_id": str(guild.id),
            "guild": {"id": str(guild.id), "locale": "en-US", "features": []},
            "channel_id": str(channel.id), "channel": channel.payload(guild.id),
            "member": user.member_payload(permissions=guild.permissions(user)),
            "app_permissions": str(guild.permissions(guild.member(self.bot_user.id)
                                                     or self.bot_user)),
            "locale": "en-US", "guild_locale": "en-US", "entitlements": [], "entitlement_sku_ids": [],
            "authorizing_integration_owners": {"0": str(guild.id)}, "context": 0,
            "attachment_size_limit": self.attachment_size_limit,
        }
        record = InteractionRecord(
            id=interaction_id, token=token, type=kind, name=name, user_id=user.id,
            channel_id=channel.id, payload=payload, dispatched_at=asyncio.get_running_loop().time(),
            notifier=self.notifier, deadline=self.deadline)
        self.interactions[interaction_id] = record
        self._tokens[token] = record
        await self.gateway.dispatch("INTERACTION_CREATE", payload, guild_id=guild.id)
        return record

    def interaction_by_token(self, token: str) -> InteractionRecord | None:
        """The interaction owning a webhook token."""
        return self._tokens.get(token)

    def role(self, name: str) -> FakeRole:
        """A guild role by name."""
        return next(r for r in self.guild.roles if r.name == name)
