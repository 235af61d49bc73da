"""Ticker symbol validation happens before any request."""

from __future__ import annotations

import pytest

from bot.quotes import MAX_SYMBOL_LENGTH, InvalidSymbol, is_valid_symbol, validate_symbol


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("NVDA", "NVDA"),
        ("BRK.B", "BRK.B"),
        ("BRK-B", "BRK-B"),
        ("005930.KS", "005930.KS"),
        ("0700.HK", "0700.HK"),
        ("^GSPC", "^GSPC"),
        ("EURUSD=X", "EURUSD=X"),
        ("BTC-USD", "BTC-USD"),
        ("GC=F", "GC=F"),
        ("$nvda", "NVDA"),
        ("  $NVDA  ", "NVDA"),
        (" brk.b\n", "BRK.B"),
        ("M&M.NS", "M&M.NS"),
        ("0P000071W8.TO", "0P000071W8.TO"),
        ("ＮＶＤＡ", "NVDA"),  # full-width letters, as some keyboards type them
    ],
)
def test_accepted_symbols_are_normalised(raw, expected):
    assert validate_symbol(raw) == expected
    assert is_valid_symbol(raw)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("../../x", "not a ticker symbol"),
        ("A" * 50, "too long (50 characters, at most 15)"),
        ("NVDA'; DROP TABLE x;--", "too long"),
        ("NVDA';--", "not a ticker symbol"),
        ("NV DA", "not a ticker symbol"),
        ("", "empty symbol"),
        ("   ", "empty symbol"),
        ("$", "empty symbol"),
        ("NV\x00DA", "not a ticker symbol"),
        ("NV\tDA", "not a ticker symbol"),
        ("http://x.io", "not a ticker symbol"),
        ("🚀", "not a ticker symbol"),
        ("NVDA🚀", "not a ticker symbol"),
        ("-NVDA", "not a valid ticker symbol"),
        ("NVDA.", "not a valid ticker symbol"),
        ("BRK..B", "not a valid ticker symbol"),
        ("^", "not a valid ticker symbol"),
        ("=X", "not a valid ticker symbol"),
        ("US0378331005", "looks like an ISIN"),
    ],
)
def test_refused_symbols_say_why(raw, message):
    with pytest.raises(InvalidSymbol, match=message.replace("(", r"\(").replace(")", r"\)")):
        validate_symbol(raw)
    assert not is_valid_symbol(raw)


def test_invalid_symbol_is_a_value_error_and_messages_are_printable():
    with pytest.raises(ValueError) as caught:
        validate_symbol("NV\x00DA\x1b[31m")
    assert str(caught.value).isprintable()
    assert "\\x00" in str(caught.value)


def test_length_limit():
    assert validate_symbol("A" * MAX_SYMBOL_LENGTH) == "A" * MAX_SYMBOL_LENGTH
    assert not is_valid_symbol("A" * (MAX_SYMBOL_LENGTH + 1))


def test_non_text_is_refused():
    assert not is_valid_symbol(None)  # type: ignore[arg-type]
