"""What the fake records: requests, uploaded files, messages, pings, interactions.

Records that tests wait on share one :class:`Notifier`, poked on every change.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

T = TypeVar("T")

EPHEMERAL = 1 << 6
LOADING = 1 << 7


class DiscordError(Exception):
    """An error answer, raised anywhere in a handler: ``status`` plus Discord's JSON body."""

    def __init__(self, status: int, code: int, message: str, errors: dict[str, Any] | None = None) -> None:
        super().__init__(f"{status} {code} {message}")
        self.status = status
        self.body: dict[str, Any] = {"code": code, "message": message}
        if errors:
            self.body["errors"] = errors


class InteractionFailed(AssertionError):
    """The interaction can no longer get a message (late first response, wrong response type)."""


class Notifier:
    """Wakes waiters whenever the fake's state changes (and every POLL seconds)."""

    POLL = 0.02

    def __init__(self) -> None:
        self._event = asyncio.Event()

    def changed(self) -> None:
        """Wake every waiter (they re-check their predicate)."""
        self._event.set()
        self._event = asyncio.Event()

    async def wait_for(self, predicate: Callable[[], T | None], timeout: float, what: str) -> T:
        """Return the first truthy ``predicate()``; TimeoutError after ``timeout`` seconds."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            result = predicate()
            if result:
                return result
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise TimeoutError(f"timed out after {timeout}s waiting for {what}")
            event = self._event
            try:  # also poll, so predicates over the bot's own state work too
                await asyncio.wait_for(event.wait(), min(remaining, self.POLL))
            except TimeoutError:
                continue


@dataclass
class UploadedFile:
    """One multipart file part as the client sent it."""

    field: str
    filename: str
    content_type: str
    data: bytes


@dataclass
class RequestRecord:
    """One HTTP request to the fake and the answer it got."""

    method: str
    path: str  # without the /api/v10 prefix
    query: dict[str, str]
    headers: dict[str, str]
    json: Any = None
    files: list[UploadedFile] = field(default_factory=list)
    status: int = 0
    response: Any = None
    at: float = 0.0  # loop time


@dataclass
class Pings:
    """Who a message would notify, given its content and ``allowed_mentions``."""

    everyone: bool = False
    here: bool = False
    users: set[int] = field(default_factory=set)  # explicitly mentioned and allowed
    roles: set[int] = field(default_factory=set)
    replied_user: int | None = None
    user_ids: set[int] = field(default_factory=set)  # everyone actually notified

    @property
    def nobody(self) -> bool:
        """True if no one at all would be notified."""
        return not (self.everyone or self.here or self.users or self.roles
                    or self.replied_user or self.user_ids)


@dataclass
class StoredMessage:
    """A message in the fake: the payload it serves plus its history and upload bytes."""

    id: int
    channel_id: int
    author_id: int
    data: dict[str, Any]
    allowed_mentions: dict[str, Any] | None  # as sent; None when the key was absent
    pings: Pings
    files: list[UploadedFile] = field(default_factory=list)
    interaction_id: int | None = None
    history: list[dict[str, Any]] = field(default_factory=list)  # earlier versions
    deleted: bool = False
    delivered: dict[str, Any] | None = None  # MESSAGE_CREATE payload sent to the bot, if any

    @property
    def content(self) -> str:
        """The message text."""
        return str(self.data.get("content") or "")

    @property
    def embeds(self) -> list[dict[str, Any]]:
        """The embeds as stored."""
        return list(self.data.get("embeds") or [])

    @property
    def attachments(self) -> list[dict[str, Any]]:
        """Attachment objects (id, filename, size, url, content_type, ...)."""
        return list(self.data.get("attachments") or [])

    @property
    def flags(self) -> int:
        """Message flags (64 ephemeral, 128 loading)."""
        return int(self.data.get("flags") or 0)

    @property
    def ephemeral(self) -> bool:
        """True for an ephemeral message."""
        return bool(self.flags & EPHEMERAL)

    @property
    def loading(self) -> bool:
        """True while this is a deferred 'thinking' placeholder."""
        return bool(self.flags & LOADING)

    @property
    def reference_id(self) -> int | None:
        """The id of the message this replies to."""
        ref = self.data.get("message_reference")
        return int(ref["message_id"]) if ref and ref.get("message_id") else None


@dataclass
class InteractionRecord:
    """One dispatched interaction: what the bot answered, when, and with which messages."""

    id: int
    token: str
    type: int  # 2 application command, 4 autocomplete
    name: str
    user_id: int
    channel_id: int
    payload: dict[str, Any]  # the INTERACTION_CREATE d
    dispatched_at: float  # loop time
    notifier: Notifier
    deadline: float  # seconds for the first response
    callbacks: list[dict[str, Any]] = field(default_factory=list)  # accepted callback bodies
    rejections: list[tuple[int, dict[str, Any]]] = field(default_factory=list)  # (status, body)
    response_type: int | None = None
    first_attempt_ms: float | None = None
    first_response_ms: float | None = None  # first accepted acknowledgement
    expired: bool = False  # a callback arrived after the deadline
    original: StoredMessage | None = None
    followups: list[StoredMessage] = field(default_factory=list)
    choices: list[dict[str, Any]] | None = None
    modal: dict[str, Any] | None = None

    @property
    def acknowledged(self) -> bool:
        """True once a callback was accepted."""
        return self.response_type is not None

    @property
    def ephemeral(self) -> bool:
        """True if the first response (message or defer) was ephemeral."""
        return self.original is not None and self.original.ephemeral

    @property
    def messages(self) -> list[StoredMessage]:
        """Original response (if any) then followups."""
        return ([self.original] if self.original else []) + self.followups

    def _failure(self) -> str | None:
        if self.expired and not self.acknowledged:
            return (f"/{self.name} answered after the {self.deadline}s deadline "
                    f"(first attempt at {self.first_attempt_ms:.0f} ms): {self.rejections}")
        return None

    async def wait_response(self, timeout: float = 5.0) -> dict[str, Any]:
        """The first accepted callback body ``{"type": ..., "data": ...}``."""
        def ready() -> dict[str, Any] | None:
            failure = self._failure()
            if failure:
                raise InteractionFailed(failure)
            return self.callbacks[0] if self.callbacks else None
        return await self.notifier.wait_for(ready, timeout, f"a response to /{self.name}")

    async def wait_final(self, timeout: float = 5.0) -> StoredMessage:
        """The original response once it is a real message (immediate, or deferred then edited)."""
        def ready() -> StoredMessage | None:
            failure = self._failure()
            if failure:
                raise InteractionFailed(failure)
            if self.response_type in (8, 9):
                raise InteractionFailed(f"/{self.name} got response type {self.response_type}, "
                                        "not a message")
            if self.original is not None and not self.original.loading:
                return self.original
            return None
        what = f"the final message of /{self.name}"
        try:
            return await self.notifier.wait_for(ready, timeout, what)
        except TimeoutError:
            raise TimeoutError(f"timed out after {timeout}s waiting for {what}; response type "
                               f"{self.response_type}, rejected callbacks {self.rejections}") from None

    async def wait_followups(self, count: int, timeout: float = 5.0) -> list[StoredMessage]:
        """The first ``count`` followup messages."""
        return await self.notifier.wait_for(
            lambda: self.followups[:count] if len(self.followups) >= count else None,
            timeout, f"{count} followups to /{self.name}")
