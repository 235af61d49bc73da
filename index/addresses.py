"""Which IP addresses a fetch triggered from Discord may reach: the one home of that rule.

It lives in ``index`` because that is the one layer both ``bot`` (``bot.source_check``, the check
before ``/reingest`` starts a job) and ``ingest`` (the fetcher's ``public_only`` policy, which
checks every connection the job makes) may import, with the resolver both use. Standard
library only.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Iterable

Resolver = Callable[[str, int], Iterable[str]]
"""Host and port to the addresses it resolves to (injected in tests: no DNS)."""


def system_resolver(host: str, port: int) -> list[str]:
    """Every address ``host`` resolves to (one blocking ``getaddrinfo``: call it off the event
    loop)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [str(info[4][0]) for info in infos]


def is_public(address: str) -> bool:
    """False for loopback, private, link-local, multicast, reserved or unspecified addresses.

    IPv6 zone ids are dropped, IPv4-mapped (``::ffff:127.0.0.1``) and 6to4 addresses are judged
    by the IPv4 address they carry; anything that is not an IP address is not public.
    """
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])  # drop an IPv6 zone id
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address):
        mapped = ip.ipv4_mapped or ip.sixtofour
        if mapped is not None:
            ip = mapped
    return not (ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_multicast
                or ip.is_reserved or ip.is_unspecified or not ip.is_global)


def refused(addresses: Iterable[str]) -> list[str]:
    """The addresses among ``addresses`` that are not public, sorted, without repeats."""
    return sorted({a for a in addresses if not is_public(a)})
