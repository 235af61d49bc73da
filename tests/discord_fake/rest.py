"""The fake's HTTP routes under ``/api/v10``, plus the gateway at ``/`` and attachment downloads.

Every request is recorded (method, path, query, JSON or ``payload_json``, file parts). JSON
answers carry ``Content-Type: application/json`` exactly: discord.py's ``json_or_text`` compares
the header verbatim and treats ``application/json; charset=utf-8`` as text. No rate-limit headers
are sent (all or none, per discord-fake.md). Unknown routes answer 404 and land in
``fake.unhandled``.
"""

from __future__ import annotations

import asyncio
import json
import traceback
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

from aiohttp import BodyPartReader, hdrs, web

from tests.discord_fake.limits import choices_errors, command_errors
from tests.discord_fake.records import (
    EPHEMERAL,
    LOADING,
    DiscordError,
    InteractionRecord,
    RequestRecord,
    StoredMessage,
    UploadedFile,
)

if TYPE_CHECKING:
    from tests.discord_fake.server import FakeDiscord

API = "/api/v10"
SUPPRESS_EMBEDS, SUPPRESS_NOTIFICATIONS, COMPONENTS_V2 = 1 << 2, 1 << 12, 1 << 15
CHANNEL_FLAGS = SUPPRESS_EMBEDS | SUPPRESS_NOTIFICATIONS | COMPONENTS_V2
INTERACTION_FLAGS = CHANNEL_FLAGS | EPHEMERAL
# Interaction type -> callback types Discord accepts for it.
CALLBACK_TYPES = {2: {4, 5, 9}, 3: {4, 5, 6, 7, 9}, 4: {8}, 5: {4, 5, 6, 7}}
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
# The record of the request being handled (set by the middleware, same task as the handler).
_RECORD: ContextVar[RequestRecord] = ContextVar("discord_fake_request")


def json_response(body: Any, status: int = 200) -> web.Response:
    """A JSON answer with the exact content type discord.py expects."""
    return web.Response(body=json.dumps(body).encode(), status=status,
                        headers={hdrs.CONTENT_TYPE: "application/json"})


def _now() -> float:
    return asyncio.get_running_loop().time()


def _truthy(value: str | None) -> bool:
    return value is not None and value.lower() in ("1", "true")


async def _read_body(request: web.Request, record: RequestRecord) -> None:
    if request.content_type.startswith("multipart/"):
        reader = await request.multipart()
        while (part := await reader.next()) is not None:
            if not isinstance(part, BodyPartReader):
                raise DiscordError(400, 50035, "Invalid Form Body")
            if part.name == "payload_json":
                record.json = json.loads(await part.text())
            else:
                record.files.append(UploadedFile(
                    part.name or "", part.filename or "",
                    part.headers.get(hdrs.CONTENT_TYPE, ""), bytes(await part.read())))
        return
    raw = await request.read()
    if raw:
        try:
            record.json = json.loads(raw)
        except ValueError:
            raise DiscordError(400, 50109, "The request body contains invalid JSON.") from None


def _middleware(fake: FakeDiscord) -> Any:
    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        if request.path == "/":
            return await handler(request)  # the gateway WebSocket
        path = request.path.removeprefix(API)
        record = RequestRecord(
            request.method, path, dict(request.query),
            {k.title(): v for k, v in request.headers.items()
             if k.lower() in ("authorization", "content-type", "user-agent", "x-audit-log-reason")},
            at=_now())
        _RECORD.set(record)
        fake.requests.append(record)
        try:
            await _read_body(request, record)
            response = await handler(request)
        except DiscordError as exc:
            response = json_response(exc.body, exc.status)
        except Exception as exc:  # noqa: BLE001 - a bug in the fake must fail the test, not hang it
            fake.errors.append(f"{request.method} {request.path}: {traceback.format_exc()}")
            response = json_response({"code": 0, "message": f"fake discord internal error: {exc!r}"}, 400)
        record.status = response.status
        if isinstance(response, web.Response) and response.content_type == "application/json":
            record.response = json.loads(response.body)  # type: ignore[arg-type]
        fake.notifier.changed()
        return response

    return middleware


class _Routes:
    """Route handlers; each reads the current request's record for the parsed body."""

    def __init__(self, fake: FakeDiscord) -> None:
        self.fake = fake

    # -- checks ------------------------------------------------------------------------------

    def _bot(self, request: web.Request) -> RequestRecord:
        if request.headers.get(hdrs.AUTHORIZATION) != f"Bot {self.fake.token}":
            raise DiscordError(401, 0, "401: Unauthorized")
        record = _RECORD.get()
        return record

    def _scope(self, request: web.Request) -> int | None:
        if request.match_info["app"] != str(self.fake.application_id):
            raise DiscordError(403, 50001, "Missing Access")
        guild = request.match_info.get("guild")
        if guild is not None and (not guild.isdigit() or self.fake.guild_by_id(int(guild)) is None):
            raise DiscordError(403, 50001, "Missing Access")
        return int(guild) if guild else None

    def _channel_id(self, request: web.Request) -> int:
        raw = request.match_info["cid"]
        if not raw.isdigit() or self.fake.guild_of(int(raw)) is None:
            raise DiscordError(404, 10003, "Unknown Channel")
        return int(raw)

    def _channel_message(self, request: web.Request) -> StoredMessage:
        channel_id = self._channel_id(request)
        raw = request.match_info["mid"]
        message = self.fake.messages.get(int(raw)) if raw.isdigit() else None
        if message is None or message.deleted or message.channel_id != channel_id or message.ephemeral:
            raise DiscordError(404, 10008, "Unknown Message")
        return message

    def _webhook(self, request: web.Request) -> InteractionRecord:
        record = self.fake.interaction_by_token(request.match_info["token"])
        if record is None or request.match_info["app"] != str(self.fake.application_id):
            raise DiscordError(404, 10015, "Unknown Webhook")
        if _now() - record.dispatched_at > self.fake.token_lifetime:
            raise DiscordError(401, 50027, "Invalid Webhook Token")
        if not record.acknowledged:
            raise DiscordError(404, 10015, "Unknown Webhook")
        return record

    def _webhook_message(self, request: web.Request, interaction: InteractionRecord) -> StoredMessage:
        raw = request.match_info["mid"]
        if raw == "@original":
            message = interaction.original
        else:
            message = self.fake.messages.get(int(raw)) if raw.isdigit() else None
            if message is not None and message.interaction_id != interaction.id:
                message = None
        if message is None or message.deleted:
            raise DiscordError(404, 10008, "Unknown Message")
        return message

    # -- identity ----------------------------------------------------------------------------

    async def me(self, request: web.Request) -> web.Response:
        """GET /users/@me (401 on a wrong token -> discord.LoginFailure)."""
        self._bot(request)
        return json_response(self.fake.bot_user_payload())

    async def application(self, request: web.Request) -> web.Response:
        """GET /oauth2/applications/@me."""
        self._bot(request)
        return json_response(self.fake.application_payload())

    async def gateway_bot(self, request: web.Request) -> web.Response:
        """GET /gateway/bot (only AutoShardedClient asks)."""
        self._bot(request)
        limit = {"total": 1000, "remaining": 999, "reset_after": 14_400_000, "max_concurrency": 1}
        return json_response({"url": self.fake.gateway_url, "shards": self.fake.recommended_shards,
                              "session_start_limit": limit})

    # -- commands ----------------------------------------------------------------------------

    async def put_commands(self, request: web.Request) -> web.Response:
        """PUT .../commands: bulk overwrite, echoed back with ids."""
        record = self._bot(request)
        scope = self._scope(request)
        errors = command_errors(record.json)
        if errors:
            raise DiscordError(400, 50035, "Invalid Form Body", errors)
        return json_response(self.fake.store_commands(scope, record.json))

    async def get_commands(self, request: web.Request) -> web.Response:
        """GET .../commands."""
        self._bot(request)
        return json_response(self.fake.commands.get(self._scope(request), []))

    async def post_command(self, request: web.Request) -> web.Response:
        """POST .../commands: upsert one command by name."""
        record = self._bot(request)
        scope = self._scope(request)
        body = record.json or {}
        errors = command_errors([body])
        if errors:
            raise DiscordError(400, 50035, "Invalid Form Body", errors["0"])
        kept = [c for c in self.fake.commands.get(scope, []) if c["name"] != body.get("name")]
        created = len(kept) == len(self.fake.commands.get(scope, []))
        stored = self.fake.store_commands(scope, [*kept, body])
        return json_response(stored[-1], 201 if created else 200)

    # -- interactions ------------------------------------------------------------------------

    async def callback(self, request: web.Request) -> web.StreamResponse:
        """POST /interactions/{id}/{token}/callback: the first response, within the deadline."""
        record = _RECORD.get()
        raw_id = request.match_info["iid"]
        interaction = self.fake.interactions.get(int(raw_id)) if raw_id.isdigit() else None
        if interaction is None or interaction.token != request.match_info["token"]:
            raise DiscordError(404, 10062, "Unknown interaction")
        elapsed = _now() - interaction.dispatched_at
        if interaction.first_attempt_ms is None:
            interaction.first_attempt_ms = elapsed * 1000
        try:
            kind = self._acknowledge(interaction, record, elapsed)
        except DiscordError as exc:
            interaction.rejections.append((exc.status, exc.body))
            raise
        original = interaction.original
        if original is not None and kind in (4, 5):
            await self.fake.deliver(original)
        if not _truthy(request.query.get("with_response")):
            return web.Response(status=204)
        body: dict[str, Any] = {"interaction": {
            "id": str(interaction.id), "type": interaction.type,
            "response_message_loading": kind == 5,
            "response_message_ephemeral": bool(original and original.ephemeral)}}
        body["resource"] = {"type": kind}
        if original is not None and kind in (4, 5):
            body["interaction"]["response_message_id"] = str(original.id)
            body["resource"]["message"] = original.data
        return json_response(body)

    def _acknowledge(self, interaction: InteractionRecord, record: RequestRecord, elapsed: float) -> int:
        if interaction.acknowledged:
            raise DiscordError(400, 40060, "Interaction has already been acknowledged.")
        if elapsed > interaction.deadline:
            interaction.expired = True
            raise DiscordError(404, 10062, "Unknown interaction")
        body = record.json if isinstance(record.json, dict) else {}
        kind, data = body.get("type"), body.get("data") or {}
        if kind not in CALLBACK_TYPES.get(interaction.type, set()):
            raise DiscordError(400, 50035, "Invalid Form Body", {"type": {"_errors": [{
                "code": "INTERACTION_RESPONSE_TYPE_INVALID",
                "message": f"Response type {kind} is not valid for interaction type {interaction.type}"}]}})
        flags = int(data.get("flags") or 0)
        try:
            if kind == 4:
                interaction.original = self.fake.create_message(
                    channel_id=interaction.channel_id, author=self.fake.bot_user, body=data,
                    files=record.files, kind=20, flags=flags & INTERACTION_FLAGS,
                    interaction=interaction)
            elif kind == 5:
                interaction.original = self.fake.create_message(
                    channel_id=interaction.channel_id, author=self.fake.bot_user, body={},
                    kind=20, flags=LOADING | (flags & EPHEMERAL), interaction=interaction,
                    allow_empty=True)
            elif kind == 8:
                errors = choices_errors(data.get("choices"))
                if errors:
                    raise DiscordError(400, 50035, "Invalid Form Body", errors)
                interaction.choices = list(data["choices"])
            elif kind == 9:
                interaction.modal = data
        except DiscordError as exc:
            if "errors" in exc.body:
                exc.body["errors"] = {"data": exc.body["errors"]}
            raise
        interaction.response_type = kind
        interaction.first_response_ms = elapsed * 1000
        interaction.callbacks.append(body)
        return kind

    async def followup(self, request: web.Request) -> web.StreamResponse:
        """POST /webhooks/{app}/{token}: a followup; the first one after a defer fills the original."""
        record = _RECORD.get()
        interaction = self._webhook(request)
        body = record.json if isinstance(record.json, dict) else {}
        original = interaction.original
        if original is not None and original.loading and not original.deleted:
            message = self.fake.edit_message(original, body, record.files)
            await self.fake.deliver(message, "MESSAGE_UPDATE")
        else:
            message = self.fake.create_message(
                channel_id=interaction.channel_id, author=self.fake.bot_user, body=body,
                files=record.files, kind=20, flags=int(body.get("flags") or 0) & INTERACTION_FLAGS,
                interaction=interaction)
            interaction.followups.append(message)
            await self.fake.deliver(message)
        if not _truthy(request.query.get("wait")):
            return web.Response(status=204)
        return json_response(message.data)

    async def webhook_message(self, request: web.Request) -> web.StreamResponse:
        """GET/PATCH/DELETE /webhooks/{app}/{token}/messages/{@original|id}."""
        record = _RECORD.get()
        interaction = self._webhook(request)
        message = self._webhook_message(request, interaction)
        return await self._message_verb(request, record, message)

    async def _message_verb(self, request: web.Request, record: RequestRecord,
                            message: StoredMessage) -> web.StreamResponse:
        if request.method == "GET":
            return json_response(message.data)
        if request.method == "DELETE":
            message.deleted = True
            if not message.ephemeral:
                guild = self.fake.guild_of(message.channel_id) or self.fake.guild
                await self.fake.gateway.dispatch("MESSAGE_DELETE", {
                    "id": str(message.id), "channel_id": str(message.channel_id),
                    "guild_id": str(guild.id)}, intent=1 << 9, guild_id=guild.id)
            return web.Response(status=204)
        if message.author_id != self.fake.bot_user.id:
            raise DiscordError(403, 50005, "Cannot edit a message authored by another user")
        body = record.json if isinstance(record.json, dict) else {}
        self.fake.edit_message(message, body, record.files)
        await self.fake.deliver(message, "MESSAGE_UPDATE")
        return json_response(message.data)

    # -- channels ----------------------------------------------------------------------------

    async def create_message(self, request: web.Request) -> web.Response:
        """POST /channels/{id}/messages (JSON or multipart; ``message_reference`` = reply)."""
        record = self._bot(request)
        channel_id = self._channel_id(request)
        if channel_id in self.fake.forbidden_channels:
            raise DiscordError(403, 50013, "Missing Permissions")
        body = record.json if isinstance(record.json, dict) else {}
        reference = None
        ref = body.get("message_reference")
        if ref:
            target = self.fake.messages.get(int(ref.get("message_id") or 0))
            if target is not None and not target.deleted:
                reference = target
            elif ref.get("fail_if_not_exists", True):
                raise DiscordError(400, 50035, "Invalid Form Body", {"message_reference": {"_errors": [
                    {"code": "REPLIES_UNKNOWN_MESSAGE", "message": "Unknown message"}]}})
        message = self.fake.create_message(
            channel_id=channel_id, author=self.fake.bot_user, body=body, files=record.files,
            kind=19 if reference else 0, flags=int(body.get("flags") or 0) & CHANNEL_FLAGS,
            reference=reference)
        await self.fake.deliver(message)
        return json_response(message.data)

    async def channel_message(self, request: web.Request) -> web.StreamResponse:
        """GET/PATCH/DELETE /channels/{id}/messages/{id}."""
        record = self._bot(request)
        return await self._message_verb(request, record, self._channel_message(request))

    async def typing(self, request: web.Request) -> web.Response:
        """POST /channels/{id}/typing -> 204."""
        self._bot(request)
        self.fake.typing[self._channel_id(request)] += 1
        return web.Response(status=204)

    async def get_channel(self, request: web.Request) -> web.Response:
        """GET /channels/{id}."""
        self._bot(request)
        channel_id = self._channel_id(request)
        guild = self.fake.guild_of(channel_id)
        assert guild is not None
        channel = guild.channel(channel_id)
        assert channel is not None
        return json_response(channel.payload(guild.id))

    async def attachment(self, request: web.Request) -> web.Response:
        """GET an uploaded attachment's bytes (its ``url``)."""
        raw = request.match_info["aid"]
        upload = self.fake.attachment_files.get(int(raw)) if raw.isdigit() else None
        if upload is None:
            raise DiscordError(404, 0, "404: Not Found")
        return web.Response(body=upload.data, headers={hdrs.CONTENT_TYPE: upload.content_type})

    async def unknown(self, request: web.Request) -> web.Response:
        """Anything else: recorded in ``fake.unhandled`` and answered 404."""
        self.fake.unhandled.append(_RECORD.get())
        raise DiscordError(404, 0, "404: Not Found")


def build_app(fake: FakeDiscord) -> web.Application:
    """The aiohttp application serving REST, gateway and attachments."""
    app = web.Application(middlewares=[_middleware(fake)], client_max_size=64 * 1024 * 1024)
    routes = _Routes(fake)
    add = app.router.add_route
    add("GET", "/", fake.gateway.handle)
    add("GET", f"{API}/users/@me", routes.me)
    add("GET", f"{API}/oauth2/applications/@me", routes.application)
    add("GET", f"{API}/gateway/bot", routes.gateway_bot)
    for path in (f"{API}/applications/{{app}}/commands",
                 f"{API}/applications/{{app}}/guilds/{{guild}}/commands"):
        add("PUT", path, routes.put_commands)
        add("GET", path, routes.get_commands)
        add("POST", path, routes.post_command)
    add("POST", f"{API}/interactions/{{iid}}/{{token}}/callback", routes.callback)
    add("POST", f"{API}/webhooks/{{app}}/{{token}}", routes.followup)
    for method in ("GET", "PATCH", "DELETE"):
        add(method, f"{API}/webhooks/{{app}}/{{token}}/messages/{{mid}}", routes.webhook_message)
        add(method, f"{API}/channels/{{cid}}/messages/{{mid}}", routes.channel_message)
    add("POST", f"{API}/channels/{{cid}}/messages", routes.create_message)
    add("POST", f"{API}/channels/{{cid}}/typing", routes.typing)
    add("GET", f"{API}/channels/{{cid}}", routes.get_channel)
    add("GET", "/attachments/{cid}/{aid}/{filename}", routes.attachment)
    add("*", "/{tail:.*}", routes.unknown)
    return app
