"""Turn ``{"text": "hi", "repeat": 2}`` into the typed ``data.options`` Discord would send.

Types come from the command the bot synced (3 string, 4 integer, 5 boolean, 6 user, 7 channel,
8 role, 9 mentionable, 10 number, 11 attachment). Like Discord's own client, the builder refuses
what a user could not submit: unknown or missing required options, wrong value types, values
outside ``min/max`` or not among ``choices``. User/channel/role/attachment values also fill
``data.resolved``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from tests.discord_fake.model import FakeChannel, FakeGuild, FakeRole, FakeUser
from tests.discord_fake.records import UploadedFile

SUBCOMMAND, GROUP, STRING, INTEGER, BOOLEAN, USER, CHANNEL, ROLE, MENTIONABLE, NUMBER, ATTACHMENT = range(1, 12)

# Stores an uploaded option file and returns its attachment object.
AttachmentMaker = Callable[[UploadedFile], dict[str, Any]]


class OptionError(ValueError):
    """The options could not have been submitted from a Discord client."""


def build_options(command: dict[str, Any], path: list[str], values: Mapping[str, Any], *,
                  guild: FakeGuild, make_attachment: AttachmentMaker,
                  focused: str | None = None) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """(options, resolved) for ``/command path... values``; ``focused`` marks autocomplete."""
    resolved: dict[str, dict[str, Any]] = {}
    options = _level(command.get("options") or [], path, values, guild, make_attachment,
                     focused, resolved, command["name"])
    return options, resolved


def _level(defs: list[dict[str, Any]], path: list[str], values: Mapping[str, Any],
           guild: FakeGuild, make_attachment: AttachmentMaker, focused: str | None,
           resolved: dict[str, dict[str, Any]], where: str) -> list[dict[str, Any]]:
    if path:
        sub = next((d for d in defs if d["name"] == path[0] and d["type"] in (SUBCOMMAND, GROUP)), None)
        if sub is None:
            raise OptionError(f"/{where} has no subcommand {path[0]!r}")
        inner = _level(sub.get("options") or [], path[1:], values, guild, make_attachment,
                       focused, resolved, f"{where} {path[0]}")
        return [{"name": sub["name"], "type": sub["type"], "options": inner}]
    if any(d["type"] in (SUBCOMMAND, GROUP) for d in defs):
        raise OptionError(f"/{where} needs a subcommand: {[d['name'] for d in defs]}")
    by_name = {d["name"]: d for d in defs}
    unknown = sorted(set(values) - set(by_name))
    if unknown:
        raise OptionError(f"/{where} has no option(s) {unknown}; declared: {sorted(by_name)}")
    if focused is None:
        missing = [d["name"] for d in defs if d.get("required") and d["name"] not in values]
        if missing:
            raise OptionError(f"/{where} is missing required option(s) {missing}")
    elif focused not in by_name:
        raise OptionError(f"/{where} has no option {focused!r} to autocomplete")
    out = []
    for definition in defs:
        name = definition["name"]
        if name == focused:
            out.append({"name": name, "type": definition["type"], "value": str(values.get(name, "")),
                        "focused": True})
        elif name in values:
            value = _convert(definition, values[name], guild, make_attachment, resolved, where)
            out.append({"name": name, "type": definition["type"], "value": value})
    return out


def _check_range(definition: dict[str, Any], value: float | int, where: str) -> None:
    low, high = definition.get("min_value"), definition.get("max_value")
    if (low is not None and value < low) or (high is not None and value > high):
        raise OptionError(f"/{where} {definition['name']}={value} outside [{low}, {high}]")


def _check_choices(definition: dict[str, Any], value: Any, where: str) -> None:
    choices = definition.get("choices")
    if choices and value not in [c["value"] for c in choices]:
        raise OptionError(f"/{where} {definition['name']}={value!r} is not one of the choices")


def _convert(definition: dict[str, Any], value: Any, guild: FakeGuild,
             make_attachment: AttachmentMaker, resolved: dict[str, dict[str, Any]], where: str) -> Any:
    kind, name = definition["type"], definition["name"]

    def wrong() -> OptionError:
        return OptionError(f"/{where} {name} (type {kind}) cannot take {value!r}")

    if kind == STRING:
        if not isinstance(value, str):
            raise wrong()
        low, high = definition.get("min_length", 0), definition.get("max_length", 6000)
        if not low <= len(value) <= high:
            raise OptionError(f"/{where} {name} length {len(value)} outside [{low}, {high}]")
        _check_choices(definition, value, where)
        return value
    if kind == INTEGER:
        if not isinstance(value, int) or isinstance(value, bool) or abs(value) > 2**53:
            raise wrong()
        _check_range(definition, value, where)
        _check_choices(definition, value, where)
        return value
    if kind == NUMBER:
        if not isinstance(value, int | float) or isinstance(value, bool):
            raise wrong()
        _check_range(definition, value, where)
        _check_choices(definition, value, where)
        return value
    if kind == BOOLEAN:
        if not isinstance(value, bool):
            raise wrong()
        return value
    if kind in (USER, MENTIONABLE) and isinstance(value, FakeUser | int):
        user = guild.member(value.id if isinstance(value, FakeUser) else value)
        if user is None:
            raise wrong()
        resolved.setdefault("users", {})[str(user.id)] = user.payload()
        resolved.setdefault("members", {})[str(user.id)] = user.member_payload(
            with_user=False, permissions=guild.permissions(user))
        return str(user.id)
    if kind in (ROLE, MENTIONABLE) and isinstance(value, FakeRole):
        resolved.setdefault("roles", {})[str(value.id)] = value.payload()
        return str(value.id)
    if kind == CHANNEL and isinstance(value, FakeChannel):
        if definition.get("channel_types") and value.type not in definition["channel_types"]:
            raise wrong()
        resolved.setdefault("channels", {})[str(value.id)] = {
            **value.payload(guild.id), "permissions": str(guild.everyone.permissions)}
        return str(value.id)
    if kind == ATTACHMENT and isinstance(value, UploadedFile):
        attachment = make_attachment(value)
        resolved.setdefault("attachments", {})[attachment["id"]] = attachment
        return attachment["id"]
    raise wrong()
