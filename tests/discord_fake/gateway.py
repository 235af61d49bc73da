"""The fake gateway: HELLO, heartbeats, IDENTIFY -> READY + GUILD_CREATE, RESUME -> replay + RESUMED.

Frames go out as text JSON. discord.py asks for ``compress=zlib-stream`` but only
decompresses *binary* frames (``DiscordWebSocket.received_message``), so text frames are
read as plain JSON. Every dispatch is kept per session so a RESUME replays what the client
missed while disconnected.

Shards: an IDENTIFY with ``shard: [id, count]`` gets READY and GUILD_CREATE for the guilds of
that shard only (``(guild_id >> 22) % count``), and a guild's events go to the live session of
its shard (direct messages and guild-less events: shard 0). A session without ``shard`` covers
every guild. Several sessions (shards, or processes running one shard each) live side by side;
``session`` is the latest identified, which drivers without a guild use.
"""

from __future__ import annotations

import asyncio
import json
import secrets
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from aiohttp import WSMsgType, web

if TYPE_CHECKING:
    from tests.discord_fake.model import FakeGuild
    from tests.discord_fake.server import FakeDiscord

GUILDS = 1 << 0
GUILD_MEMBERS = 1 << 1
GUILD_PRESENCES = 1 << 8
GUILD_MESSAGES = 1 << 9
MESSAGE_CONTENT = 1 << 15
PRIVILEGED = GUILD_MEMBERS | GUILD_PRESENCES | MESSAGE_CONTENT


@dataclass
class Session:
    """A gateway session; outlives the socket so it can be resumed."""

    id: str
    intents: int
    shard: list[int] | None
    seq: int = 0
    events: list[dict[str, Any]] = field(default_factory=list)  # every dispatched frame
    ws: web.WebSocketResponse | None = None
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    def covers(self, guild_id: int | None) -> bool:
        """Whether this session's shard gets ``guild_id``'s events (None: shard 0)."""
        if self.shard is None:
            return True
        shard_id, count = int(self.shard[0]), int(self.shard[1])
        return (0 if guild_id is None else (guild_id >> 22) % count) == shard_id


class Gateway:
    """Serves the WebSocket at ``/`` and dispatches events to the current session."""

    def __init__(self, fake: FakeDiscord, *, heartbeat_interval_ms: int) -> None:
        self.fake = fake
        self.heartbeat_interval_ms = heartbeat_interval_ms
        self.sessions: dict[str, Session] = {}
        self.session: Session | None = None  # the latest identified session
        self.live: dict[tuple[int, int] | None, Session] = {}  # latest session per shard
        self.connections = 0
        self.queries: list[dict[str, str]] = []  # query string of each connection
        self.identifies: list[dict[str, Any]] = []  # IDENTIFY d, token removed
        self.resumes: list[dict[str, Any]] = []  # RESUME d, token removed
        self.heartbeats = 0
        self.received: list[dict[str, Any]] = []  # every non-heartbeat frame from the client
        self.closed_with: list[int] = []  # close codes the fake sent
        self.handshakes: list[str] = []  # "READY" / "RESUMED", in order
        self._sockets: set[web.WebSocketResponse] = set()

    @property
    def connected(self) -> bool:
        """True while the latest session has an open socket."""
        return self.session is not None and self.session.ws is not None and not self.session.ws.closed

    @property
    def intents(self) -> int | None:
        """Intents of the latest IDENTIFY."""
        return self.session.intents if self.session else None

    async def handle(self, request: web.Request) -> web.WebSocketResponse:
        """One gateway connection."""
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        self.connections += 1
        self.queries.append(dict(request.query))
        self._sockets.add(ws)
        self.fake.notifier.changed()
        attached: Session | None = None
        try:
            await self._send(ws, {"op": 10, "d": {"heartbeat_interval": self.heartbeat_interval_ms}})
            async for msg in ws:
                if msg.type is not WSMsgType.TEXT:
                    await self._close(ws, 4002)  # decode error: the client never sends binary
                    break
                try:
                    frame = json.loads(msg.data)
                except ValueError:
                    await self._close(ws, 4002)
                    break
                attached = await self._on_frame(ws, frame, attached)
        finally:
            self._sockets.discard(ws)
            if attached is not None and attached.ws is ws:
                attached.ws = None
            self.fake.notifier.changed()
        return ws

    async def _on_frame(self, ws: web.WebSocketResponse, frame: dict[str, Any],
                        attached: Session | None) -> Session | None:
        op, data = frame.get("op"), frame.get("d")
        if op == 1:
            self.heartbeats += 1
            await self._send(ws, {"op": 11})
            return attached
        self.received.append(frame if op not in (2, 6) else {"op": op})
        if op == 2:
            if attached is not None:
                await self._close(ws, 4005)  # already authenticated
                return None
            return await self._identify(ws, data or {})
        if op == 6:
            return await self._resume(ws, data or {})
        if attached is None:
            await self._close(ws, 4003)  # not authenticated
            return None
        if op == 8:
            guild = self.fake.guild_by_id(int((data or {}).get("guild_id") or 0)) or self.fake.guild
            members = [m.member_payload() for m in guild.members]
            await self.dispatch("GUILD_MEMBERS_CHUNK", {
                "guild_id": str(guild.id), "members": members, "chunk_index": 0,
                "chunk_count": 1, "not_found": [], "nonce": (data or {}).get("nonce")},
                session=attached)
        elif op not in (3, 4):
            await self._close(ws, 4001)  # unknown opcode
        return attached

    async def _identify(self, ws: web.WebSocketResponse, data: dict[str, Any]) -> Session | None:
        self.identifies.append({k: v for k, v in data.items() if k != "token"})
        if data.get("token") != self.fake.token:
            await self._close(ws, 4004)
            return None
        intents = int(data.get("intents", 0))
        if intents & PRIVILEGED and not self.fake.allow_privileged_intents:
            await self._close(ws, 4014)
            return None
        shard = data.get("shard")
        if shard is not None and not (isinstance(shard, list) and len(shard) == 2
                                      and 0 <= int(shard[0]) < int(shard[1])):
            await self._close(ws, 4010)  # invalid shard
            return None
        session = Session(id=secrets.token_hex(16), intents=intents, shard=shard)
        self.sessions[session.id] = session
        self.session = session
        self.live[None if shard is None else (int(shard[0]), int(shard[1]))] = session
        session.ws = ws
        guilds = self.guilds_of(session)
        ready: dict[str, Any] = {
            "v": 10, "user": self.fake.bot_user_payload(), "guilds": [
                {"id": str(guild.id), "unavailable": True} for guild in guilds],
            "session_id": session.id, "session_type": "normal",
            "resume_gateway_url": self.fake.gateway_url,
            "application": {"id": str(self.fake.application_id), "flags": self.fake.application_flags},
            "private_channels": [], "relationships": [], "presences": [],
            "guild_join_requests": [], "geo_ordered_rtc_regions": [], "auth": {},
            "user_settings": {}, "_trace": ["fake-discord"],
        }
        if session.shard is not None:
            ready["shard"] = session.shard
        await self.dispatch("READY", ready, session=session)
        if self.fake.send_guild_create:
            for guild in guilds:
                await self.dispatch("GUILD_CREATE", guild.create_payload(), session=session)
        self.handshakes.append("READY")
        self.fake.notifier.changed()
        return session

    async def _resume(self, ws: web.WebSocketResponse, data: dict[str, Any]) -> Session | None:
        self.resumes.append({k: v for k, v in data.items() if k != "token"})
        session = self.sessions.get(str(data.get("session_id")))
        if session is None or data.get("token") != self.fake.token:
            await self._send(ws, {"op": 9, "d": False})
            return None
        seq = int(data.get("seq") or 0)
        async with session.lock:
            old = session.ws
            session.ws = ws
            for frame in session.events:
                if frame["s"] > seq:
                    await self._send(ws, frame)
        if old is not None and old is not ws and not old.closed:
            await self._close(old, 4000)
        await self.dispatch("RESUMED", {"_trace": ["fake-discord"]}, session=session)
        self.handshakes.append("RESUMED")
        self.fake.notifier.changed()
        return session

    def guilds_of(self, session: Session) -> list[FakeGuild]:
        """The guilds whose events go to ``session`` (all of them when it is not sharded)."""
        return [g for g in self.fake.guilds if session.covers(g.id)]

    def session_for(self, guild_id: int | None) -> Session | None:
        """The latest identified live session whose shard gets ``guild_id``'s events."""
        candidates = [s for s in self.live.values() if s.covers(guild_id)]
        return max(candidates, key=lambda s: list(self.sessions).index(s.id), default=None)

    async def dispatch(self, event: str, data: dict[str, Any], *, intent: int | None = None,
                       guild_id: int | None = None, session: Session | None = None) -> int | None:
        """Send (or buffer for RESUME) an op 0 event; None when the session lacks ``intent``.

        The session: ``session`` when given, else the one of ``guild_id``'s shard, else the
        latest identified."""
        if session is None:
            session = self.session if guild_id is None else self.session_for(guild_id)
        if session is None:
            raise RuntimeError(f"cannot dispatch {event}: no gateway session for guild "
                               f"{guild_id} (is the bot running, on that shard?)")
        if intent is not None and not session.intents & intent:
            return None
        async with session.lock:
            session.seq += 1
            frame = {"op": 0, "t": event, "s": session.seq, "d": data}
            session.events.append(frame)
            if session.ws is not None and not session.ws.closed:
                await self._send(session.ws, frame)
        self.fake.notifier.changed()
        return session.seq

    async def send_op(self, op: int, data: Any = None) -> None:
        """Send a raw opcode (7 RECONNECT, 9 INVALID_SESSION, 1 HEARTBEAT) on the live socket."""
        if self.session is None or self.session.ws is None:
            raise RuntimeError("no live gateway connection")
        await self._send(self.session.ws, {"op": op, "d": data})

    async def disconnect(self, code: int = 4000) -> None:
        """Close the live socket with ``code``; the session stays resumable."""
        if self.session is None or self.session.ws is None:
            raise RuntimeError("no live gateway connection")
        await self._close(self.session.ws, code)

    async def close_all(self, code: int = 1001) -> None:
        """Close every open socket (server shutdown)."""
        for ws in list(self._sockets):
            await self._close(ws, code)

    async def _send(self, ws: web.WebSocketResponse, frame: dict[str, Any]) -> None:
        if ws.closed:
            return
        try:
            await ws.send_str(json.dumps(frame))
        except ConnectionError:
            return  # the client went away; a RESUME replays buffered dispatches

    async def _close(self, ws: web.WebSocketResponse, code: int) -> None:
        if not ws.closed:
            self.closed_with.append(code)
            await ws.close(code=code)
