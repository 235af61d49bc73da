"""Stock quotes for answers: an async provider interface, Yahoo Finance behind it, a fake for tests.

    provider = YahooQuoteProvider(QuoteSettings())  # built at the entrypoint, passed down
    answer = await provider.quote("$nvda")  # Quote | QuoteUnavailable, never raises
    if isinstance(answer, QuoteUnavailable):
        text = answer.text  # "quote unavailable: <reason>"

Importing this package does not import yfinance or pandas; building a YahooQuoteProvider does.
Nothing here knows about Discord.
"""

from bot.quotes.model import (
    PERIODS,
    YAHOO,
    HistoricalClose,
    Period,
    PriceHistory,
    ProviderHealth,
    Quote,
    QuoteUnavailable,
    UnavailableKind,
)
from bot.quotes.provider import FakeQuoteProvider, QuoteProvider
from bot.quotes.settings import QuoteSettings
from bot.quotes.symbols import MAX_SYMBOL_LENGTH, InvalidSymbol, is_valid_symbol, validate_symbol
from bot.quotes.yahoo import YahooQuoteProvider

__all__ = [
    "MAX_SYMBOL_LENGTH",
    "PERIODS",
    "YAHOO",
    "FakeQuoteProvider",
    "HistoricalClose",
    "InvalidSymbol",
    "Period",
    "PriceHistory",
    "ProviderHealth",
    "Quote",
    "QuoteProvider",
    "QuoteSettings",
    "QuoteUnavailable",
    "UnavailableKind",
    "YahooQuoteProvider",
    "is_valid_symbol",
    "validate_symbol",
]
