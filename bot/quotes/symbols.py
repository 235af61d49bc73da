"""Ticker symbol validation: refuse what is not a plausible Yahoo symbol before any request.

Accepted shapes (after trimming spaces and one leading ``$``, upper-cased): ``NVDA``, ``BRK.B``,
``BRK-B``, ``005930.KS``, ``0700.HK``, ``^GSPC``, ``EURUSD=X``, ``BTC-USD``, ``GC=F``, ``M&M.NS``.
"""

from __future__ import annotations

import re
import unicodedata

MAX_SYMBOL_LENGTH = 15

# Letters/digits (and '&' inside, as in M&M.NS), joined by single '.' or '-', optionally a
# leading '^' (indices) and a trailing '=X' / '=F' style suffix (currencies, futures).
_SYMBOL = re.compile(r"\^?[A-Z0-9](?:[A-Z0-9&]*[A-Z0-9])?(?:[.\-][A-Z0-9]+)*(?:=[A-Z]{1,2})?")
_ALLOWED_CHARS = re.compile(r"[A-Z0-9.\-=^&]+")
# yfinance resolves ISIN-shaped strings through a search request: refuse them here.
_ISIN = re.compile(r"[A-Z]{2}[A-Z0-9]{9}[0-9]")


class InvalidSymbol(ValueError):
    """The text is not a ticker symbol; the message says why, for the user."""


def printable(raw: str, limit: int = 20) -> str:
    """Untrusted input cut to ``limit`` characters, control characters escaped."""
    text = raw if len(raw) <= limit else raw[:limit] + "…"
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode() for c in text)


def shown(raw: str, limit: int = 20) -> str:
    """Untrusted input quoted for messages and logs: ``'../../x'``."""
    return f"'{printable(raw, limit)}'"


def validate_symbol(raw: str) -> str:
    """Return ``raw`` as a normalised (upper-case) symbol, or raise :class:`InvalidSymbol`."""
    if not isinstance(raw, str):
        raise InvalidSymbol(f"symbol must be text, not {type(raw).__name__}")
    text = unicodedata.normalize("NFKC", raw).strip()
    if text.startswith("$"):
        text = text[1:].strip()
    if not text:
        raise InvalidSymbol("empty symbol")
    if len(text) > MAX_SYMBOL_LENGTH:
        raise InvalidSymbol(
            f"symbol too long ({len(text)} characters, at most {MAX_SYMBOL_LENGTH})"
        )
    symbol = text.upper()
    if not symbol.isascii() or not _ALLOWED_CHARS.fullmatch(symbol):
        raise InvalidSymbol(
            f"{shown(raw)} is not a ticker symbol (only letters, digits and . - = ^ & are allowed)"
        )
    if not _SYMBOL.fullmatch(symbol):
        raise InvalidSymbol(f"{shown(raw)} is not a valid ticker symbol")
    if _ISIN.fullmatch(symbol):
        raise InvalidSymbol(f"{shown(raw)} looks like an ISIN, not a ticker symbol")
    return symbol


def is_valid_symbol(raw: str) -> bool:
    """True when :func:`validate_symbol` accepts ``raw``."""
    try:
        validate_symbol(raw)
    except InvalidSymbol:
        return False
    return True
