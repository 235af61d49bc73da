"""Company and ticker resolution for articles (ingest) and questions (bot).

Explicit markup first (Futu ``$Adobe (ADBE.US)$``, cashtags ``$NVDA``, ``(NASDAQ: NVDA)``),
then names: the curated alias table and the SEC company list, looked up one capitalised token
at a time in a dictionary of token keys (longest name first). Precision comes first: ordinary
words never give a ticker on their own (see ``index.tickers``).
"""

from __future__ import annotations

import bisect
import logging
import re
from typing import NamedTuple

from index.records import Entity, EntityKind
from index.tickers import (
    LEGAL_WORDS,
    MARKETS,
    Company,
    NameForm,
    TickerTable,
    is_common,
    tokens,
)

__all__ = ["EntityResolver", "Mention", "TickerTable", "render_markup"]

log = logging.getLogger(__name__)

HOW_RANK = {"markup": 0, "cashtag": 1, "exchange": 2, "alias": 3, "name": 4}

# $Adobe (ADBE.US)$, $Tencent (00700.HK)$, $S&P 500 Index (.SPX.US)$ (an index: masked only).
_MARKUP = re.compile(
    r"\$(?P<name>[^$()\n]{1,80}?)\s*\((?P<sym>\.?[A-Za-z0-9][A-Za-z0-9.\-]{0,11}?)"
    r"\.(?P<mkt>US|HK|SH|SZ|SG|JP|UK|AU|CA|KR|TW|MY)\)\$"
)
# The same without the dollar signs, as left by a cleaner: "Adobe (ADBE.US)".
_MARKUP_BARE = re.compile(
    r"(?P<name>[A-Z][\w.&'’-]*(?: [A-Z][\w.&'’-]*){0,4}) ?\((?P<sym>[A-Z0-9][A-Z0-9.\-]{0,9}?)"
    r"\.(?P<mkt>US|HK|SH|SZ|SG|JP|UK|AU|CA|KR|TW|MY)\)"
)
# $NVDA, $BRK.B, $nvda -- never $70, $1.5B, US$5 or $S&P.
_CASHTAG = re.compile(
    r"(?<![\w$])\$(?P<sym>[A-Za-z]{1,6}(?:[.\-][A-Za-z]{1,2})?)(?![\w&'’$])(?!\s?\d)"
)
_CURRENCIES = {"US", "USD", "AUD", "CAD", "HKD", "NZD", "SGD", "EUR", "GBP", "JPY", "CNY", "RMB"}
_EXCHANGES = {
    "NASDAQ": "Nasdaq", "NASDAQGS": "Nasdaq", "NASDAQGM": "Nasdaq", "NASDAQCM": "Nasdaq",
    "NYSE": "NYSE", "NYSE AMERICAN": "NYSE American", "NYSEAMERICAN": "NYSE American",
    "NYSE ARCA": "NYSE Arca", "AMEX": "NYSE American", "CBOE": "CBOE", "OTC": "OTC",
    "OTCQX": "OTC", "OTCQB": "OTC", "OTC MARKETS": "OTC", "TSX": "TSX", "TSXV": "TSXV",
    "LSE": "LSE", "HKEX": "HKEX", "SEHK": "HKEX", "ASX": "ASX", "TWSE": "TWSE", "KRX": "KRX",
    "TYO": "TSE", "TSE": "TSE",
}  # fmt: skip
_EXCHANGE_SUFFIX = {
    "TSX": "TO", "TSXV": "V", "LSE": "L", "HKEX": "HK", "ASX": "AX", "TWSE": "TW", "KRX": "KS",
    "TSE": "T",
}  # fmt: skip
_US_EXCHANGES = {"Nasdaq", "NYSE", "NYSE American", "NYSE Arca", "CBOE", "OTC"}
# (NASDAQ: NVDA), (NYSE: IBM), (Nasdaq:MSFT), (NASDAQ: GOOG, GOOGL; TSE: 7203)
_PAREN = re.compile(r"\(([^()\n]{3,120})\)")
_EXCHANGE = re.compile(
    r"(?<!\w)(?P<ex>(?i:"
    + "|".join(sorted((re.escape(k) for k in _EXCHANGES), key=len, reverse=True))
    + r"))\s*:\s*(?P<sym>[A-Z0-9]{1,6}(?:[.\-][A-Z]{1,2})?)(?![\w.-])"
)
_NAME_BEFORE = re.compile(r"((?:[A-Z][\w.&'’-]*\s+){0,4}[A-Z][\w.&'’-]*),?\s*$")
_SENTENCE_START = {".", "!", "?", ":", ";", "“", '"', "(", "[", "—", "–", "•", "|"}
_CONNECTORS = {"of", "and", "the", "for", "de", "du", "la", "a", "an", "in", "on", "&"}


class Mention(NamedTuple):
    """One place in the text that names a company."""

    start: int
    end: int
    company: Company
    how: str


class EntityResolver:
    """Finds the companies a text mentions; one resolver serves many texts (thread-safe)."""

    def __init__(self, table: TickerTable) -> None:
        self.table = table

    # -- public ---------------------------------------------------------------------------

    def find(self, text: str) -> list[Entity]:
        """Companies of ``text`` ordered by first mention, one Entity per company."""
        merged: dict[str, list] = {}
        for mention in self.find_mentions(text):
            slot = merged.get(mention.company.key)
            if slot is None:
                merged[mention.company.key] = [mention.company, 1, mention.how]
            else:
                slot[1] += 1
                if HOW_RANK[mention.how] < HOW_RANK[slot[2]]:
                    slot[2] = mention.how
        return [company.entity(how, mentions=count) for company, count, how in merged.values()]

    def find_mentions(self, text: str) -> list[Mention]:
        """Every company mention of ``text`` with its character span, in text order."""
        mentions: list[Mention] = []
        masked: list[tuple[int, int]] = []
        for match in _MARKUP.finditer(text):
            masked.append(match.span())
            company = self._markup_company(match)
            if company is not None:
                mentions.append(Mention(*match.span(), company, "markup"))
        for match in _MARKUP_BARE.finditer(text):
            if not _inside(masked, match.start()):
                masked.append(match.span())
                company = self._markup_company(match)
                if company is not None:
                    mentions.append(Mention(*match.span(), company, "markup"))
        masked.sort()
        for match in _CASHTAG.finditer(text):
            if _inside(masked, match.start()):
                continue
            company = self._cashtag_company(match.group("sym"))
            if company is not None:
                masked.append(match.span())
                mentions.append(Mention(*match.span(), company, "cashtag"))
        masked.sort()
        for paren in _PAREN.finditer(text):
            if ":" not in paren.group(1) or _inside(masked, paren.start(1)):
                continue
            for match in _EXCHANGE.finditer(text, paren.start(1), paren.end(1)):
                company = self._exchange_company(match, text, paren.start())
                masked.append((match.start("ex"), match.end("sym")))
                mentions.append(Mention(match.start("ex"), match.end("sym"), company, "exchange"))
        masked.sort()
        mentions.extend(self._scan_names(text, masked))
        mentions.sort(key=lambda m: m.start)
        return mentions

    # -- explicit markup ------------------------------------------------------------------

    def _markup_company(self, match: re.Match[str]) -> Company | None:
        sym, market = match.group("sym").upper(), match.group("mkt").upper()
        if sym.startswith("."):
            return None  # an index such as .SPX or .IXIC
        company = self.table.company_for_symbol(f"{sym}.{market}")
        if company is not None:
            return company
        name = match.group("name").strip() or sym
        if market == "US":
            return Company(f"sym:{sym}", name, sym, "listed", None, curated=False)
        symbol = self.table.normalize_symbol(f"{sym}.{market}")
        return Company(f"sym:{symbol}", name, symbol, "foreign", MARKETS[market][1], False)

    def _cashtag_company(self, sym: str) -> Company | None:
        if sym.upper() in _CURRENCIES:
            return None
        if not sym.isupper() and (len(sym) < 3 or is_common(sym)):
            return None  # "$all", "$on": lower-case words are not cashtags
        return self.table.company_for_symbol(sym)

    def _exchange_company(self, match: re.Match[str], text: str, paren: int) -> Company:
        exchange = _EXCHANGES[" ".join(match.group("ex").upper().split())]
        sym = match.group("sym").upper()
        suffix = _EXCHANGE_SUFFIX.get(exchange)
        symbol = f"{sym}.{suffix}" if suffix and "." not in sym else sym
        company = self.table.company_for_symbol(symbol)
        if company is not None:
            return company
        before = _NAME_BEFORE.search(text, max(0, paren - 80), paren)
        name = before.group(1) if before else sym
        named = self.table.company_for_name(name)
        if named is not None:
            return named  # "Toyota (TSE: 7203)": a known company's home listing
        kind: EntityKind = "listed" if exchange in _US_EXCHANGES else "foreign"
        return Company(f"sym:{symbol}", name, symbol, kind, exchange, curated=False)

    # -- names ----------------------------------------------------------------------------

    def _scan_names(self, text: str, masked: list[tuple[int, int]]) -> list[Mention]:
        toks = tokens(text)
        first, names = self.table.first_tokens, self.table.names
        found: list[Mention] = []
        n, i = len(toks), 0
        while i < n:
            start, end, tok = toks[i]
            longest = first.get(tok.lower())
            if longest is None or _inside(masked, start):
                i += 1
                continue
            keys = [tok.lower()]
            prev_end = end
            for j in range(i + 1, min(n, i + longest)):
                s2, e2, t2 = toks[j]
                keys.append(
                    keys[-1] + (" " if s2 > prev_end else "") + t2.lower().replace("’", "'")
                )
                prev_end = e2
            step = 1
            for length in range(len(keys), 0, -1):
                entries = names.get(keys[length - 1])
                if not entries:
                    continue
                entry = self._accept(entries, toks, i, length, text)
                if entry is None:
                    continue
                step = length
                if entry.company is not None:  # None: an excluded phrase swallows the tokens
                    mention_end = toks[i + length - 1][1]
                    found.append(Mention(start, mention_end, entry.company, entry.how))
                break
            i += step
        return found

    def _accept(
        self, entries: list[NameForm], toks: list[tuple[int, int, str]], i: int, length: int,
        text: str,
    ) -> NameForm | None:  # fmt: skip
        surface = " ".join(text[toks[i][0] : toks[i + length - 1][1]].split()).replace("’", "'")
        for entry in entries:
            if entry.company is None:
                if surface.lower() == entry.form.lower():
                    return entry
                continue
            if entry.how == "alias":
                ok = surface == entry.form or (
                    not entry.check and surface == entry.form.upper() and len(surface) >= 4
                )
            else:
                ok = surface == entry.form or _capitalised(toks[i : i + length], entry.form)
            if ok and entry.check and not _context_ok(entry.check, toks, i, length, text):
                ok = False
            if ok:
                return entry
        return None


def render_markup(text: str) -> str:
    """Futu markup as plain text: "company$Adobe (ADBE.US)$The" -> "company Adobe (ADBE.US) The".

    ``find`` recognises both forms, so text may be rendered before or after resolution.
    """

    def plain(m: re.Match[str]) -> str:
        before = " " if m.start() > 0 and text[m.start() - 1].isalnum() else ""
        after = " " if m.end() < len(text) and text[m.end()].isalnum() else ""
        return f"{before}{m['name'].strip()} ({m['sym']}.{m['mkt']}){after}"

    return _MARKUP.sub(plain, text)


def _inside(spans: list[tuple[int, int]], pos: int) -> bool:
    """True when ``pos`` falls in one of the (start, end) ``spans`` (sorted or short)."""
    if len(spans) < 8:
        return any(s <= pos < e for s, e in spans)
    k = bisect.bisect_right(spans, (pos, float("inf"))) - 1
    return k >= 0 and spans[k][0] <= pos < spans[k][1]


def _capitalised(toks: list[tuple[int, int, str]], form: str) -> bool:
    """Every word of a name span is capitalised (connectors such as "of" aside) and acronyms
    of the name ("PACS") are in capitals in the text too ("PACs" is not PACS Group)."""
    words = [t for _, _, t in toks if t[0].isalnum()]
    if not words or not (words[0][0].isupper() or words[0][0].isdigit()):
        return False
    if not all(w[0].isupper() or w[0].isdigit() or w.lower() in _CONNECTORS for w in words):
        return False
    upper = {w for w in form.split() if len(w) > 1 and w.isupper()}
    return all(w.upper() not in upper or w.isupper() for w in words)


def _is_word_cap(tok: str) -> bool:
    return tok[0].isupper() and tok.isalpha()


def _context_ok(
    check: str, toks: list[tuple[int, int, str]], i: int, length: int, text: str
) -> bool:
    """Context rule for ordinary-word names (see ``NameForm.check``)."""
    prev = toks[i - 1] if i > 0 else None
    nxt = toks[i + length] if i + length < len(toks) else None
    at_start = prev is None or prev[2] in _SENTENCE_START or "\n" in text[prev[1] : toks[i][0]]
    if nxt is not None and nxt[2].isdigit():
        return False  # a product and its model number: "Helios 16", "Venu 2"
    if (
        nxt is not None
        and _is_word_cap(nxt[2])
        and nxt[2] not in LEGAL_WORDS
        and "\n" not in text[toks[i + length - 1][1] : nxt[0]]
    ):
        return False  # inside a run of capitalised words: "Zoom In", "Pearson Correlation"
    if not at_start and prev is not None and _is_word_cap(prev[2]):
        return False  # "John Pearson", "Title Case Zoom"
    return check == "run" or not at_start
