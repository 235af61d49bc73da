"""Who a message would ping, following Discord's ``allowed_mentions`` rules.

- Key absent: every mention in the content is parsed (users, roles, @everyone/@here) and a
  reply pings the replied-to author.
- Key present: only the types in ``parse`` are parsed, plus the ids in ``users`` / ``roles``;
  ``replied_user`` (default false) decides the reply ping.

Only ``content`` pings (never embeds). Deliberately conservative: role ``mentionable`` and the
MENTION_EVERYONE permission are not checked, so the fake can over-report but never under-report.
"""

from __future__ import annotations

import re
from typing import Any

from tests.discord_fake.model import FakeGuild
from tests.discord_fake.records import Pings

USER_MENTION = re.compile(r"<@!?(\d+)>")
ROLE_MENTION = re.compile(r"<@&(\d+)>")


def compute_pings(content: str, allowed: dict[str, Any] | None, guild: FakeGuild, *,
                  author_id: int, replied_user_id: int | None = None) -> Pings:
    """The users, roles and broadcasts this message would notify."""
    if allowed is None:
        parse = {"users", "roles", "everyone"}
        allowed_users: set[int] = set()
        allowed_roles: set[int] = set()
        ping_reply = True
    else:
        parse = set(allowed.get("parse") or [])
        allowed_users = {int(x) for x in allowed.get("users") or []}
        allowed_roles = {int(x) for x in allowed.get("roles") or []}
        ping_reply = bool(allowed.get("replied_user", False))

    pings = Pings()
    broadcast = "everyone" in parse
    pings.everyone = broadcast and "@everyone" in content
    pings.here = broadcast and "@here" in content
    for raw in USER_MENTION.findall(content):
        user_id = int(raw)
        if user_id != author_id and guild.member(user_id) and (
                "users" in parse or user_id in allowed_users):
            pings.users.add(user_id)
    for raw in ROLE_MENTION.findall(content):
        role_id = int(raw)
        if role_id == guild.id:
            pings.everyone = pings.everyone or broadcast
        elif guild.role(role_id) and ("roles" in parse or role_id in allowed_roles):
            pings.roles.add(role_id)
    if replied_user_id is not None and replied_user_id != author_id and ping_reply:
        pings.replied_user = replied_user_id

    notified = set(pings.users)
    if pings.everyone or pings.here:
        notified |= {m.id for m in guild.members}
    for role_id in pings.roles:
        notified |= {m.id for m in guild.role_members(role_id)}
    if pings.replied_user is not None:
        notified.add(pings.replied_user)
    notified.discard(author_id)
    pings.user_ids = notified
    return pings


def mention_fields(pings: Pings, guild: FakeGuild) -> dict[str, Any]:
    """The ``mentions`` / ``mention_roles`` / ``mention_everyone`` fields of a message."""
    users = sorted(pings.users | ({pings.replied_user} if pings.replied_user else set()))
    mentions = []
    for user_id in users:
        member = guild.member(user_id)
        if member is not None:
            mentions.append({**member.payload(), "member": member.member_payload(with_user=False)})
    return {"mentions": mentions, "mention_roles": [str(r) for r in sorted(pings.roles)],
            "mention_everyone": pings.everyone or pings.here}
