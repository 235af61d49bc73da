"""What ``/watch add`` was given: a ticker, a company (listed or private) or a topic phrase.

``$nvda`` / ``NVDA`` (a symbol the ticker table knows, upper case or with ``$``) and company
names or aliases of listed companies (``nvidia``) become a *ticker* watch keyed by the primary
ticker; private companies (``OpenAI``) a *company* watch keyed by their lower-case name;
anything else a *topic* watch keyed by the folded phrase (``chip export curbs``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.app import UserFacingError
from index.text import fold, normalize_space, strip_controls
from index.tickers import TickerTable

MAX_TARGET_CHARS = 80
_SYMBOL = re.compile(r"^\$?[A-Za-z][A-Za-z0-9.\-]{0,9}$")
_WORDS = re.compile(r"\w+")


class TargetError(UserFacingError):
    """A target that cannot be watched (empty, too long, an unknown ``$TICKER``)."""


@dataclass(frozen=True)
class Target:
    """``kind`` ticker|company|topic; ``key`` what is stored and matched; ``label`` shown."""

    kind: str
    key: str
    label: str


def clean(text: str) -> str:
    """The target as typed, without control characters and extra spaces."""
    return normalize_space(strip_controls(text))


def parse_target(text: str, table: TickerTable) -> Target:
    """Resolve what the user typed; TargetError when nothing can be watched."""
    typed = clean(text)
    if not typed or not _WORDS.search(typed):
        raise TargetError("Give a ticker (NVDA), a company (Nvidia, OpenAI) or a topic (sora).")
    if len(typed) > MAX_TARGET_CHARS:
        raise TargetError(f"A watch target is at most {MAX_TARGET_CHARS} characters.")
    explicit = typed.startswith("$")
    if _SYMBOL.match(typed) and (explicit or typed.isupper()):
        entity = table.lookup_ticker(typed)
        if entity is not None and entity.ticker:
            return Target("ticker", entity.ticker.upper(), typed.lstrip("$").upper())
        if explicit:
            raise TargetError(f"I don't know the ticker {typed[:20]}.")
    entity = table.lookup_name(typed)
    if entity is not None:
        if entity.ticker:
            return Target("ticker", entity.ticker.upper(), typed)
        return Target("company", fold(entity.name), entity.name)
    return Target("topic", " ".join(_WORDS.findall(fold(typed))), typed)
