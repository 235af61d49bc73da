"""Discord's message, embed, autocomplete and command limits, with its error shapes.

``message_errors`` returns the ``errors`` tree of a 400 ``{"code": 50035}`` answer, keyed the
way Discord keys it (``embeds.0.description._errors``); an empty dict means the payload is valid.
"""

from __future__ import annotations

import re
from typing import Any

CONTENT_MAX = 2000
EMBEDS_MAX = 10
TITLE_MAX = 256
DESCRIPTION_MAX = 4096
FIELDS_MAX = 25
FIELD_NAME_MAX = 256
FIELD_VALUE_MAX = 1024
FOOTER_MAX = 2048
AUTHOR_NAME_MAX = 256
EMBED_TOTAL_MAX = 6000
CHOICES_MAX = 25
CHOICE_NAME_MAX = 100
COMMAND_NAME = re.compile(r"^[-_\w]{1,32}$")

Errors = dict[str, Any]


def invalid_form_body(errors: Errors) -> dict[str, Any]:
    """The 400 body Discord sends for a payload that breaks a limit."""
    return {"code": 50035, "errors": errors, "message": "Invalid Form Body"}


def _error(code: str, message: str) -> Errors:
    return {"_errors": [{"code": code, "message": message}]}


def _too_long(limit: int) -> Errors:
    return _error("BASE_TYPE_MAX_LENGTH", f"Must be {limit} or fewer in length.")


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def embed_size(embed: dict[str, Any]) -> int:
    """Characters counted toward the 6,000 total: title, description, fields, footer, author."""
    size = len(_text(embed.get("title"))) + len(_text(embed.get("description")))
    for item in embed.get("fields") or []:
        size += len(_text(item.get("name"))) + len(_text(item.get("value")))
    size += len(_text((embed.get("footer") or {}).get("text")))
    size += len(_text((embed.get("author") or {}).get("name")))
    return size


def _embed_errors(embed: dict[str, Any]) -> Errors:
    errors: Errors = {}
    for key, limit in (("title", TITLE_MAX), ("description", DESCRIPTION_MAX)):
        if len(_text(embed.get(key))) > limit:
            errors[key] = _too_long(limit)
    fields = embed.get("fields") or []
    if len(fields) > FIELDS_MAX:
        errors["fields"] = _too_long(FIELDS_MAX)
    for index, item in enumerate(fields):
        item_errors: Errors = {}
        for key, limit in (("name", FIELD_NAME_MAX), ("value", FIELD_VALUE_MAX)):
            value = item.get(key)
            if not isinstance(value, str) or not value:
                item_errors[key] = _error("BASE_TYPE_REQUIRED", "This field is required")
            elif len(value) > limit:
                item_errors[key] = _too_long(limit)
        if item_errors:
            errors.setdefault("fields", {})[str(index)] = item_errors
    if len(_text((embed.get("footer") or {}).get("text"))) > FOOTER_MAX:
        errors["footer"] = {"text": _too_long(FOOTER_MAX)}
    if len(_text((embed.get("author") or {}).get("name"))) > AUTHOR_NAME_MAX:
        errors["author"] = {"name": _too_long(AUTHOR_NAME_MAX)}
    return errors


def message_errors(payload: dict[str, Any]) -> Errors:
    """Errors for content and embeds; {} when within every limit."""
    errors: Errors = {}
    content = payload.get("content")
    if isinstance(content, str) and len(content) > CONTENT_MAX:
        errors["content"] = _too_long(CONTENT_MAX)
    embeds = payload.get("embeds") or []
    if len(embeds) > EMBEDS_MAX:
        errors["embeds"] = _too_long(EMBEDS_MAX)
        return errors
    embed_errors: Errors = {}
    for index, embed in enumerate(embeds):
        found = _embed_errors(embed)
        if found:
            embed_errors[str(index)] = found
    if embed_errors:
        errors["embeds"] = embed_errors
    elif sum(embed_size(e) for e in embeds) > EMBED_TOTAL_MAX:
        errors["embeds"] = _error("MAX_EMBED_SIZE_EXCEEDED",
                                  f"Embed size exceeds maximum size of {EMBED_TOTAL_MAX}")
    return errors


def allowed_mentions_errors(allowed: Any) -> Errors:
    """Errors for ``allowed_mentions``: ``parse`` and the explicit lists are exclusive."""
    if allowed is None:
        return {}
    if not isinstance(allowed, dict):
        return {"allowed_mentions": _error("MODEL_TYPE_CONVERT", "Only dictionaries may be used")}
    parse = allowed.get("parse") or []
    errors: Errors = {}
    for kind in ("users", "roles"):
        if kind in parse and allowed.get(kind):
            errors[kind] = _error(
                "MESSAGE_ALLOWED_MENTIONS_PARSE_EXCLUSIVE",
                f'parse:["{kind}"] and {kind}: [ids...] are mutually exclusive.')
    bad = [p for p in parse if p not in ("users", "roles", "everyone")]
    if bad:
        errors["parse"] = _error("BASE_TYPE_CHOICES", f"Value must be one of users, roles, everyone: {bad}")
    return {"allowed_mentions": errors} if errors else {}


def is_empty(message: dict[str, Any]) -> bool:
    """True when Discord would answer 50006 'Cannot send an empty message'."""
    return not (_text(message.get("content")).strip() or message.get("embeds")
                or message.get("attachments") or message.get("components")
                or message.get("sticker_ids") or message.get("poll"))


def choices_errors(choices: Any) -> Errors:
    """Errors for an autocomplete result (type 8)."""
    if not isinstance(choices, list):
        return {"choices": _error("BASE_TYPE_REQUIRED", "This field is required")}
    if len(choices) > CHOICES_MAX:
        return {"choices": _too_long(CHOICES_MAX)}
    errors: Errors = {}
    for index, choice in enumerate(choices):
        name = choice.get("name") if isinstance(choice, dict) else None
        if not isinstance(name, str) or not 1 <= len(name) <= CHOICE_NAME_MAX:
            errors[str(index)] = {"name": _error("BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length.")}
        elif "value" not in choice:
            errors[str(index)] = {"value": _error("BASE_TYPE_REQUIRED", "This field is required")}
    return {"choices": errors} if errors else {}


def command_errors(commands: Any) -> Errors:
    """Errors for a bulk command overwrite: names, descriptions, option order."""
    if not isinstance(commands, list):
        return {"_errors": [{"code": "BASE_TYPE_REQUIRED", "message": "Must be an array"}]}
    errors: Errors = {}
    for index, command in enumerate(commands):
        found: Errors = {}
        name = command.get("name", "")
        if not COMMAND_NAME.match(name) or (command.get("type", 1) == 1 and name != name.lower()):
            found["name"] = _error("APPLICATION_COMMAND_INVALID_NAME", "Command name is invalid")
        description = command.get("description", "")
        if command.get("type", 1) == 1 and not 1 <= len(description) <= 100:
            found["description"] = _error("BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length.")
        options = command.get("options") or []
        if len(options) > 25:
            found["options"] = _too_long(25)
        required = [bool(o.get("required")) for o in options if o.get("type") not in (1, 2)]
        if required != sorted(required, reverse=True):
            found["options"] = _error("APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID",
                                      "Required options must be placed before non-required options")
        if found:
            errors[str(index)] = found
    return errors
