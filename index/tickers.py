"""The ticker table: SEC company list plus the curated alias table, loaded once.

``TickerTable`` answers symbol look-ups and holds the name dictionary that
``index.entities.EntityResolver`` scans text with. Names are keyed by their token sequence
(see ``name_key``) so that matching is a dictionary look-up per capitalised token.
"""

from __future__ import annotations

import json
import logging
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from wordfreq import zipf_frequency

from index.records import Entity, EntityKind

log = logging.getLogger(__name__)

DATA_DIR = Path(__file__).resolve().parent / "data"
SEC_FILE = DATA_DIR / "company_tickers_exchange.json"
ALIASES_FILE = DATA_DIR / "aliases.toml"

COMMON_WORD_ZIPF = 3.0
"""A one-word SEC name at least this frequent in English (wordfreq) is an ordinary word."""

RARE_WORD_ZIPF = 2.0
"""A one-word SEC name between this and ``COMMON_WORD_ZIPF`` needs a mid-sentence context."""
PHRASE_WORD_ZIPF = 3.5
"""A multi-word SEC name whose words are all this frequent ("Quantum Computing") must not sit
inside a longer capitalised run (a Title Case headline)."""

TOKEN = re.compile(r"\w+|[^\w\s]")
"""Words and single punctuation marks; names and text are tokenised the same way."""

_LEGAL = {
    "inc", "incorporated", "corp", "corporation", "co", "cos", "company", "companies", "ltd",
    "limited", "plc", "nv", "sa", "se", "ag", "llc", "lp", "holdings", "holding", "group",
    "reit", "adr", "ads", "com", "the", "&", "and", "de", "spa", "asa", "ab", "oyj", "kk",
}  # fmt: skip
_GENERIC = {
    "technologies", "technology", "systems", "platforms", "software", "networks",
    "semiconductor", "semiconductors", "interactive", "communications", "labs", "computer",
    "global", "markets", "hotels",
}  # fmt: skip
_FUND = re.compile(
    r"\b(ETF|ETN|Fund|iShares|SPDR|ProShares|Direxion|Invesco QQQ|Acquisition|Portfolio)\b",
    re.IGNORECASE,
)
_SLASH = re.compile(r"\s*/[A-Za-z]{0,5}/?\s*$|\s/[A-Za-z]{1,5}/|\\[A-Za-z]{1,5}\\|\([^)]*\)")
LEGAL_WORDS = {"Inc", "Corp", "Corporation", "Co", "Ltd", "Limited", "PLC", "Plc", "plc", "LLC",
               "Group", "Holdings", "NV", "SA", "SE", "AG", "REIT", "ADR", "ADRs"}  # fmt: skip
_CONNECTORS = {"of", "and", "the", "for", "de", "du", "la", "&", "a", "an", "in", "on"}
LISTED_EXCHANGES = {"Nasdaq", "NYSE", "CBOE"}

# Yahoo-style suffixes for Futu/other market codes.
MARKETS: dict[str, tuple[str, str]] = {
    "HK": (".HK", "HKEX"), "SH": (".SS", "SSE"), "SS": (".SS", "SSE"), "SZ": (".SZ", "SZSE"),
    "SG": (".SI", "SGX"), "JP": (".T", "TSE"), "T": (".T", "TSE"), "UK": (".L", "LSE"),
    "L": (".L", "LSE"), "AU": (".AX", "ASX"), "AX": (".AX", "ASX"), "CA": (".TO", "TSX"),
    "TO": (".TO", "TSX"), "KS": (".KS", "KRX"), "KR": (".KS", "KRX"), "TW": (".TW", "TWSE"),
    "MY": (".KL", "Bursa"), "DE": (".DE", "XETRA"), "PA": (".PA", "Euronext"),
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class Company:
    """One company the table knows: curated (alias table) or from the SEC list."""

    key: str
    name: str
    ticker: str | None
    kind: EntityKind
    exchange: str | None
    curated: bool

    def entity(self, how: str, mentions: int = 1, ticker: str | None = None) -> Entity:
        """An ``Entity`` record for this company."""
        return Entity(
            name=self.name, ticker=ticker or self.ticker, kind=self.kind,
            exchange=self.exchange, mentions=mentions, how=how,
        )  # fmt: skip


@dataclass(frozen=True, slots=True)
class NameForm:
    """A surface form that names a company (``company`` None: an excluded phrase)."""

    company: Company | None
    form: str
    how: Literal["alias", "name"]
    check: Literal["", "strict", "run"] = ""
    """``strict``: an ordinary word, accepted only mid-sentence between lower-case neighbours;
    ``run``: a phrase of ordinary words, rejected inside a longer run of capitalised words."""


def tokens(text: str) -> list[tuple[int, int, str]]:
    """(start, end, token) for every word and punctuation mark of ``text``."""
    return [(m.start(), m.end(), m.group()) for m in TOKEN.finditer(text)]


def name_key(text: str) -> str:
    """Lower-case token key: words joined by one space where the text has white space."""
    out: list[str] = []
    prev_end = None
    for start, end, tok in tokens(text):
        if prev_end is not None and start > prev_end:
            out.append(" ")
        out.append(tok.lower().replace("’", "'"))
        prev_end = end
    return "".join(out)


def strip_legal(name: str, keep_group: bool = False) -> str:
    """Drop SEC decorations and legal suffixes: "Adobe Inc." -> "Adobe".

    ``keep_group`` keeps a trailing "Group"/"Holdings" ("Match Group, Inc." -> "Match Group").
    """
    legal = _LEGAL - {"group", "holdings", "holding"} if keep_group else _LEGAL
    words = _SLASH.sub(" ", name).replace(",", " ").split()
    while len(words) > 1 and (
        words[-1].lower().strip(".").replace(".", "") in legal or words[-1].lower() in _CONNECTORS
    ):
        words.pop()
    if len(words) > 1 and words[0].lower() == "the":
        words.pop(0)
    return " ".join(words).strip(" .&-")


def display_name(name: str) -> str:
    """Readable form of an SEC name ("ADVANCED MICRO DEVICES" -> "Advanced Micro Devices")."""
    if any(c.islower() for c in name):
        return name
    out = []
    for word in name.split():
        low = word.lower()
        if low in _CONNECTORS:
            out.append(low)
        elif len(word) <= 3 and zipf_frequency(low, "en") < 3.5:
            out.append(word)  # likely an acronym: IBM, CVS
        else:
            out.append(word.capitalize())
    return " ".join(out)


def is_common(word: str) -> bool:
    """True for an ordinary English word ("target", "visa", "gap")."""
    return zipf_frequency(word.lower(), "en") >= COMMON_WORD_ZIPF


class TickerTable:
    """SEC tickers and names plus the curated aliases; see ``load``."""

    def __init__(self) -> None:
        self.companies: dict[str, Company] = {}
        self.symbols: dict[str, Company] = {}
        self.names: dict[str, list[NameForm]] = {}
        self.first_tokens: dict[str, int] = {}
        """Lower-cased first token of every name -> the longest name's token count."""
        self.known_for: dict[str, Company] = {}
        """Lower-cased products and people that name a company in a question as "the <it>
        maker" or "<it>'s company" ("photoshop" -> Adobe, "zuck" -> Meta)."""

    @classmethod
    def load(cls, sec_path: Path | None = None, aliases_path: Path | None = None) -> TickerTable:
        """Load the SEC json and the alias TOML (defaults: the files under ``index/data``)."""
        table = cls()
        with (aliases_path or ALIASES_FILE).open("rb") as fh:
            aliases = tomllib.load(fh)
        with (sec_path or SEC_FILE).open(encoding="utf-8") as fh:
            sec = json.load(fh)
        fields = sec["fields"]
        rows = [dict(zip(fields, row, strict=True)) for row in sec["data"]]
        table._add_curated(aliases, rows)
        table._add_sec(rows, set(aliases.get("exclude", {}).get("names", [])))
        for phrase in aliases.get("exclude", {}).get("phrases", []):
            table._add_name(phrase, NameForm(None, phrase, "alias"))
        log.info(
            "ticker table: %d companies, %d symbols, %d names",
            len(table.companies), len(table.symbols), len(table.names),
        )  # fmt: skip
        return table

    # -- building -------------------------------------------------------------------------

    def _add_name(self, form: str, entry: NameForm) -> None:
        key = name_key(form)
        if not key:
            return
        self.names.setdefault(key, []).append(entry)
        first = key.split(" ", 1)[0]
        first_tok = TOKEN.match(first)
        head = first_tok.group().lower() if first_tok else first
        self.first_tokens[head] = max(self.first_tokens.get(head, 0), len(tokens(form)))

    def _add_curated(self, aliases: dict, rows: list[dict]) -> None:
        by_ticker = {row["ticker"]: row for row in rows}
        for item in aliases.get("company", []):
            ticker = item.get("ticker")
            kind = item.get("kind", "private" if ticker is None else "listed")
            exchange = item.get("exchange")
            if exchange is None and ticker in by_ticker:
                exchange = by_ticker[ticker]["exchange"]
            company = Company(
                key=f"alias:{item['name']}", name=item["name"], ticker=ticker,
                kind=kind, exchange=exchange, curated=True,
            )  # fmt: skip
            self.companies[company.key] = company
            for symbol in [ticker, *item.get("symbols", [])]:
                if symbol:
                    self.symbols[symbol.upper()] = company
            for form in item.get("aliases", []):
                self._add_name(form, NameForm(company, form, "alias"))
            for form in item.get("ambiguous", []):
                self._add_name(form, NameForm(company, form, "alias", "strict"))
            for form in item.get("known_for", []):
                self.known_for[" ".join(form.lower().split())] = company

    def _add_sec(self, rows: list[dict], excluded: set[str]) -> None:
        excluded_keys = {name_key(name) for name in excluded}
        curated_cik = {
            row["cik"]: self.symbols[row["ticker"]] for row in rows if row["ticker"] in self.symbols
        }
        by_cik: dict[int, Company] = {}
        candidates: dict[str, set[int]] = {}
        forms: dict[str, str] = {}
        for row in rows:
            cik, symbol = row["cik"], str(row["ticker"]).upper()
            company = by_cik.get(cik)
            if company is None:
                company = curated_cik.get(cik) or Company(
                    key=f"cik:{cik}", name=display_name(strip_legal(row["name"])),
                    ticker=symbol, kind="listed", exchange=row["exchange"], curated=False,
                )  # fmt: skip
                by_cik[cik] = company
                self.companies.setdefault(company.key, company)
            self.symbols.setdefault(symbol, company)
            listed = row["exchange"] in LISTED_EXCHANGES or company.curated
            if not listed or _FUND.search(row["name"]):
                continue  # OTC / unknown exchange / funds: explicit tickers only
            for form in self._sec_forms(row["name"]):
                key = name_key(form)
                if key in excluded_keys or key in self.names:
                    continue  # curated names and exclusions win
                candidates.setdefault(key, set()).add(cik)
                forms.setdefault(key, form)
        for key, ciks in candidates.items():
            if len(ciks) == 1:  # two companies sharing a name are not resolvable by name
                form = forms[key]
                entry = NameForm(by_cik[ciks.pop()], form, "name", self._sec_check(form))
                self._add_name(form, entry)

    @staticmethod
    def _sec_check(form: str) -> Literal["", "strict", "run"]:
        """How cautiously an SEC name must be matched (see ``NameForm.check``)."""
        words = [w for w in name_key(form).split() if w.isalpha()]
        freqs = [zipf_frequency(w, "en") for w in words]
        if len(words) == 1:  # a rare word may still be a surname: "Zhou Hongli"
            return "strict" if freqs[0] >= RARE_WORD_ZIPF else "run"
        if freqs and min(freqs) >= PHRASE_WORD_ZIPF:
            return "run"
        return ""

    @staticmethod
    def _sec_forms(raw: str) -> list[str]:
        """Matchable forms of an SEC name: suffix-stripped, then without a generic last word."""
        base = strip_legal(raw)
        out = [base]
        grouped = strip_legal(raw, keep_group=True)
        if grouped != base:
            out.append(grouped)  # "Match Group" stays matchable when "Match" is a word
        words = base.split()
        if len(words) > 1 and words[-1].lower() in _GENERIC:
            short = words[:-1]
            if len(short) == 1 or not all(is_common(w) for w in short):
                out.append(" ".join(short))
        keep = []
        for form in out:
            parts = form.split()
            if len(parts) == 1:
                letters = sum(c.isalpha() for c in form)
                if letters <= 3 or is_common(form):
                    continue
            keep.append(display_name(form) if form.isupper() else form)
        return keep

    # -- look-ups -------------------------------------------------------------------------

    @staticmethod
    def normalize_symbol(symbol: str) -> str:
        """Canonical symbol: "$adbe" -> "ADBE", "ADBE.US" -> "ADBE", "00700.HK" -> "0700.HK"."""
        sym = symbol.strip().lstrip("$").upper()
        base, dot, market = sym.rpartition(".")
        if not dot or market not in {*MARKETS, "US"}:
            return sym
        if market == "US":
            return base
        suffix = MARKETS[market][0]
        if market == "HK" and base.isdigit():
            base = base.lstrip("0").rjust(4, "0")
        return f"{base}{suffix}"

    def company_for_symbol(self, symbol: str) -> Company | None:
        """The company behind a symbol (any class or listing the table knows)."""
        sym = self.normalize_symbol(symbol)
        return self.symbols.get(sym) or self.symbols.get(sym.replace(".", "-"))

    def lookup_ticker(self, symbol: str) -> Entity | None:
        """Entity for a symbol: "nvda" -> Nvidia/NVDA; "ADBE.US" and "$GOOG" work too.

        The returned ticker is the symbol asked for when it is a listing of that company
        (GOOG stays GOOG), otherwise the company's primary ticker.
        """
        sym = self.normalize_symbol(symbol)
        company = self.company_for_symbol(sym)
        if company is None:
            return None
        ticker = sym if sym in self.symbols else company.ticker
        return company.entity("cashtag", ticker=ticker if company.ticker else None)

    def company_for_name(self, name: str) -> Company | None:
        """The one company a name or alias denotes, case-insensitively; None if not unique."""
        found = {e.company.key: e.company for e in self.names.get(name_key(name), []) if e.company}
        return next(iter(found.values())) if len(found) == 1 else None

    def lookup_name(self, name: str) -> Entity | None:
        """Case-insensitive exact look-up of a company name or alias ("adobe" -> ADBE)."""
        company = self.company_for_name(name)
        return company.entity("alias" if company.curated else "name") if company else None

    def known_tickers(self) -> list[str]:
        """Every symbol the table resolves, sorted."""
        return sorted(self.symbols)
