"""Validate the ``source`` argument of ``/reingest`` (no discord import, no ingest import).

A source is either a named entry (or tag) of the sources file, chosen by the machine's owner, or
an ``http(s)`` URL. It is never a local path: a server admin is not the machine's owner, and a
path would let them pull the host's files into answers.

URL rules (refusals raise ``SourceRefused`` with a message written for the admin):

- scheme ``http`` or ``https`` only; a host is required; no ``user:password@``;
- no whitespace or control characters; at most 2,000 characters;
- any port is accepted: what protects internal services is the address check, not the port;
- the host must resolve, and *every* address it resolves to must be public: loopback, private,
  link-local, multicast, reserved, unspecified (IPv4 and IPv6, IPv4-mapped IPv6 unwrapped) are
  refused unless ``allow_private`` (tests, or a self-hosted feed on the LAN).

This check answers the admin early; it is not what stops a DNS rebinding or a redirect to a
private address: the ingest job runs with ``--public-only``, and its fetcher resolves every
connection (each redirect hop, each feed item's full-text link) once, checks every address with
the same rule (``index.addresses.is_public``) and connects to the checked address.
"""

from __future__ import annotations

import logging
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from index.addresses import Resolver, refused, system_resolver
from index.addresses import is_public as is_public  # re-exported: the one rule

log = logging.getLogger(__name__)

DEFAULT_SOURCES_FILE = Path(__file__).resolve().parent.parent / "ingest" / "data" / "sources.toml"
MAX_URL_CHARS = 2000
ALL = "all"

NOT_A_PATH = ("Local paths can't be ingested from Discord: a server admin is not the machine's "
              "owner. Use a named source (see the autocomplete) or an http(s) URL.")


class SourceRefused(ValueError):
    """The source argument is not acceptable; the message is written for the admin."""


@dataclass(frozen=True)
class SourceNames:
    """Names and tags of the sources file."""

    names: tuple[str, ...]
    tags: tuple[str, ...]

    def knows(self, value: str) -> bool:
        return value == ALL or value in self.names or value in self.tags


def load_source_names(path: Path | None = None) -> SourceNames:
    """Names and tags of the TOML sources file (the bundled one by default); empty if unreadable."""
    file = path or DEFAULT_SOURCES_FILE
    try:
        data = tomllib.loads(file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        log.warning("cannot read the sources file %s: %s", file, exc)
        return SourceNames((), ())
    raw = data.get("source", data.get("sources", []))
    names: list[str] = []
    tags: set[str] = set()
    for item in raw if isinstance(raw, list) else []:
        if not isinstance(item, dict):
            continue
        if isinstance(item.get("name"), str):
            names.append(item["name"])
        tags.update(t for t in item.get("tags", []) if isinstance(t, str))
    return SourceNames(tuple(names), tuple(sorted(tags - set(names))))


_LOOKS_LIKE_PATH = re.compile(r"^(?:[a-zA-Z]:[\\/]|[\\/~.]|\\\\)|[\\/]|\.\.")
_CONTROL = re.compile(r"[\x00-\x20\x7f]")


def check_source(value: str, names: SourceNames, *, allow_private: bool = False,
                 resolver: Resolver = system_resolver) -> str:
    """The normalized spec to pass to ``python -m ingest``, or ``SourceRefused``.

    Blocking when ``value`` is a URL (DNS): run it with ``asyncio.to_thread``.
    """
    text = value.strip()
    if not text:
        raise SourceRefused("Give a named source or an http(s) URL.")
    if "://" not in text and names.knows(text):
        return text
    if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*://", text):
        return check_url(text, allow_private=allow_private, resolver=resolver)
    if _LOOKS_LIKE_PATH.search(text) or text.lower().startswith("file:"):
        raise SourceRefused(NOT_A_PATH)
    raise SourceRefused(f"Unknown source {text[:80]!r}: use a named source (see the "
                        "autocomplete) or an http(s) URL.")


def check_url(text: str, *, allow_private: bool = False,
              resolver: Resolver = system_resolver) -> str:
    """Check an absolute URL; return it normalized (lower-case scheme and host, no fragment)."""
    if len(text) > MAX_URL_CHARS:
        raise SourceRefused(f"That URL is too long (over {MAX_URL_CHARS} characters).")
    if _CONTROL.search(text):
        raise SourceRefused("That URL contains spaces or control characters.")
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError as exc:
        raise SourceRefused(f"That URL is malformed: {exc}.") from None
    scheme = parts.scheme.lower()
    if scheme == "file":
        raise SourceRefused(NOT_A_PATH)
    if scheme not in ("http", "https"):
        raise SourceRefused(f"Only http(s) URLs can be ingested, not {scheme}:.")
    if parts.username is not None or parts.password is not None or "@" in parts.netloc:
        raise SourceRefused("URLs with a user name or password are not accepted.")
    host = (parts.hostname or "").rstrip(".")
    if not host:
        raise SourceRefused("That URL has no host.")
    try:
        host.encode("idna")
    except UnicodeError:
        raise SourceRefused("That URL's host name is not valid.") from None
    effective_port = port or (443 if scheme == "https" else 80)
    if not allow_private:
        _check_host(host, effective_port, resolver)
    netloc = f"[{host}]" if ":" in host else host
    if port is not None:
        netloc += f":{port}"
    return urlunsplit((scheme, netloc, parts.path or "/", parts.query, ""))


def _check_host(host: str, port: int, resolver: Resolver) -> None:
    """Refuse a host that is, or resolves to, a non-public address."""
    try:
        addresses = list(resolver(host, port))
    except (OSError, UnicodeError) as exc:
        raise SourceRefused(f"The host {host!r} does not resolve ({exc}).") from None
    if not addresses:
        raise SourceRefused(f"The host {host!r} does not resolve.")
    bad = refused(addresses)
    if bad:
        raise SourceRefused(
            f"The host {host!r} points to a local or private address ({', '.join(bad[:3])}); "
            "such URLs are refused unless the bot's settings allow them.")
