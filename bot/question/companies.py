"""Companies and tickers in a question: the ingest resolver, then casual-writing rules.

``EntityResolver.find_mentions`` (the same resolver as ingest) handles markup, cashtags,
"(NASDAQ: X)" and capitalised names. Questions are typed casually, so a second pass adds:

* **lower-case names from the curated alias table** ("nvidia", "adobe", "openai"): in a
  short question a bare known alias IS the company, except when a non-company sense is
  plain: the alias table's excluded phrases ("apple pie", "amazon rainforest") and a few
  question-specific ones below ("any intel on", "meta analysis", "large scale ai"). Aliases
  marked ambiguous ("zoom", "snap", "arm", "runway") and SEC-list names ("workday",
  "shopify") need a stock cue ("zoom stock", "shares of workday", a move word: "arm mooned")
  or the question to be that name alone, as do capitalised ones the resolver turned down at
  the start of a sentence.
* **bare tickers written like tickers**: "NVDA" in capitals for a company of the curated
  table, any known symbol before a stock cue ("WDAY stock") or alone; lower-case "nvda" or
  "pltr" only for curated companies (two-letter ones such as "zm" need a cue or to be
  alone). Ordinary words (wordfreq: "mu", "arm", "snow") and common acronyms ("A", "ON",
  "IT", "ALL", "NOW", "AI", "CEO", "EU", "HBM") never give a ticker without "$"; "SORA" in
  a sentence stays a word.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from wordfreq import zipf_frequency

from bot.question.other_names import known_for, misspelt_name
from index.entities import EntityResolver
from index.lexicon import move_hits, word_direction
from index.records import Entity
from index.tickers import Company, NameForm, is_common, name_key, tokens

__all__ = ["CompanyMatch", "find_companies"]

CUES_AFTER = frozenset(
    "stock shares share price quote ticker earnings calls puts chart options ipo debut "
    "trade traded trading".split()
)
"""Words after a name or symbol that say it is a listed company ("zoom stock")."""
CUE_PHRASES_BEFORE = re.compile(
    r"\b(?:price|prices|shares|stock|quote|quotes|ticker|chart)\s+(?:of|for|on)\s+$"
    r"|\b(?:buy|sell|short|shorting|buying|selling)\s+$",
    re.IGNORECASE,
)
FILLER = frozenset(
    "stock stocks shares share price quote ticker news chart update updates pls please "
    "today now the".split()
)
"""Words that may surround a lone company name ("nvidia stock?", "nvda news")."""
CONNECTORS = frozenset("vs vs. versus and or & compare compared with to".split())
NOT_TICKERS = frozenset(
    """AI GPT LLM LLMS AGI ASI CEO CFO CTO COO IPO SEC FTC DOJ FDA FCC EU US UK USA UAE ETF ETFS
    EPS GDP CPI PPI FED FOMC ATH ATL YTD QOQ YOY API APIS GPU GPUS CPU TPU NPU HBM AR VR XR EV
    EVS IT PC TV OK LOL IMO IMHO FAQ ROI PE PEG AMA DD YOLO FOMO WSB ML NLP RAG SAAS AWS NYSE
    SP SPX NDX QQQ SPY DIA IWM VIX NFT NFTS ASIC FPGA RIP LMAO WTF OMG TLDR NEWS PR HR DC NY
    LA SF APAC EMEA CHIPS OPEN TLDR BTC ETH IOS OS AMA EOD EOW CEOS GOP ESG IRS DEI LLC INC
    CORP PLC LTD ADR ADRS OTC NASDAQ""".split()
)
"""Acronyms of market and AI chat that are also some company's ticker: never bare tickers."""
CASHTAG_WORD_ZIPF = 5.5
"""A lower-case "$word" is a symbol when the word is rarer than this ("$net", "$snow"; not
"$all", "$on", "$it")."""
NON_COMPANY_NEXT = {
    "apple": frozenset("pie pies juice cider tree trees orchard sauce crumble recipe".split()),
    "amazon": frozenset("rainforest river jungle basin forest forests parrot tribe".split()),
    "meta": frozenset("analysis analyses data description tag tags question joke".split()),
    "oracle": frozenset({"of"}),
    "snowflake": frozenset("emoji snowflakes".split()),
}
"""Lower-case curated aliases followed by these words are not the company."""
NON_COMPANY_PREV = {
    "intel": frozenset("any some more good new latest the your my military no".split()),
    "oracle": frozenset("the an".split()),
    "meta": frozenset("so very too pretty kinda bit".split()),
}
"""Lower-case curated aliases after these words are not the company ("any intel on X")."""
LOWER_WORDS = frozenset({"sap"})
"""Curated aliases that, typed in lower case, are ordinary words first (tree sap)."""
PLAIN_BEFORE = frozenset(
    """a an the of on in at for from to by with about and or vs versus like as is are was
    were did does do has have had about after before since how why what who which when
    where whether if than then but so news stock stocks shares""".split()
)
"""Words that may precede a lower-case multi-word alias of common words ("on scale ai")."""
BRAND_ZIPF = 3.0
"""An SEC name with a word rarer than this in English (wordfreq Zipf) is a company in lower
case too, without a stock cue ("how did doordash do")."""
MAX_NAME_TOKENS = 8
"""Longest name tried in the casual pass (tokens, punctuation included)."""
_HOW_RANK = {"markup": 0, "cashtag": 1, "exchange": 2, "alias": 3, "name": 4}
"""The most explicit way a company was written is its ``Entity.how`` (as in ingest)."""
_SYMBOL = re.compile(r"[A-Za-z]{2,5}(?:[.\-][A-Za-z]{1,2})?")


@dataclass(slots=True)
class CompanyMatch:
    """The companies of a question: entities, their tickers and the spans they cover."""

    entities: list[Entity]
    tickers: list[str]
    spans: list[tuple[int, int]]


@dataclass(slots=True)
class _Hit:
    start: int
    end: int
    company: Company
    how: str
    symbol: str | None = None


def _inside(spans: list[tuple[int, int]], pos: int) -> bool:
    return any(s <= pos < e for s, e in spans)


def _words(toks: list[tuple[int, int, str]]) -> list[int]:
    """Indexes of the word tokens (letters or digits)."""
    return [k for k, (_, _, t) in enumerate(toks) if t[0].isalnum()]


class _Scanner:
    """The casual pass over one question (see the module docstring)."""

    def __init__(self, resolver: EntityResolver, text: str, taken: list[tuple[int, int]]):
        self.table = resolver.table
        self.text = text
        self.toks = tokens(text)
        self.taken = taken
        self.move_starts = {start for start, _, _ in move_hits(text.lower())}
        """Where move words of the question begin (guarded ones such as "rip" included)."""
        self.content_words = [
            k for k in _words(self.toks) if self.toks[k][2].lower() not in FILLER | CONNECTORS
        ]

    def cue(self, i: int, j: int) -> bool:
        """A stock cue right after tokens ``i..j-1`` or right before them."""
        nxt = self.toks[j][2].lower() if j < len(self.toks) else ""
        if nxt in {"'", "’"} and j + 2 < len(self.toks):  # "nvidia's stock"
            nxt = self.toks[j + 2][2].lower()
        if nxt in CUES_AFTER or word_direction(nxt) is not None:  # "arm mooned", "zoom tanked"
            return True
        if j < len(self.toks) and self.toks[j][0] in self.move_starts:  # "did rddt rip"
            return True
        start = self.toks[i][0]
        return bool(CUE_PHRASES_BEFORE.search(self.text, max(0, start - 20), start))

    def lone(self, i: int, j: int) -> bool:
        """The question is only names or symbols ("nvda", "msft vs googl", "zoom stock?"):
        every word outside tokens ``i..j-1`` is stock filler, a connector, a name or symbol
        the table knows, or already taken by the resolver."""
        for k in self.content_words:
            if i <= k < j:
                continue
            start, _, tok = self.toks[k]
            if _inside(self.taken, start):
                continue
            if any(e.how == "alias" for e in self.table.names.get(tok.lower(), ())):
                continue
            if not is_common(tok) and self.table.company_for_symbol(tok) is not None:
                continue
            return False
        return any(i <= k < j for k in self.content_words)

    def scan(self) -> list[_Hit]:
        hits: list[_Hit] = []
        toks, n, i = self.toks, len(self.toks), 0
        while i < n:
            start, _, tok = toks[i]
            if _inside(self.taken, start) or not tok[0].isalnum():
                i += 1
                continue
            step, hit = self._name_at(i)
            if step == 0:
                step, hit = self._symbol_at(i)
            if hit is not None:
                hits.append(hit)
            i += max(step, 1)
        return hits

    # -- names ----------------------------------------------------------------------------

    def _name_at(self, i: int) -> tuple[int, _Hit | None]:
        """(tokens used, hit) for a name starting at token ``i``; (0, None) when none."""
        toks = self.toks
        longest = self.table.first_tokens.get(toks[i][2].lower())
        if longest is None:  # "nvdia", "qualcom", "googles new ai bot"
            entry = misspelt_name(toks[i][2], self.table)
            if entry is None or entry.company is None:
                return 0, None
            return 1, _Hit(toks[i][0], toks[i][1], entry.company, "alias")
        keys = [toks[i][2].lower()]
        prev_end = toks[i][1]
        for j in range(i + 1, min(len(toks), i + min(longest, MAX_NAME_TOKENS))):
            s2, e2, t2 = toks[j]
            if _inside(self.taken, s2):
                break
            keys.append(keys[-1] + (" " if s2 > prev_end else "") + t2.lower().replace("’", "'"))
            prev_end = e2
        for length in range(len(keys), 0, -1):
            entries = self.table.names.get(keys[length - 1])
            if not entries:
                continue
            if any(e.company is None for e in entries):
                return length, None  # an excluded phrase: "apple pie", "nikola tesla"
            entry = self._accept(entries, i, i + length)
            if entry is not None and entry.company is not None:
                end = toks[i + length - 1][1]
                return length, _Hit(toks[i][0], end, entry.company, entry.how)
        return 0, None

    def _accept(self, entries: list[NameForm], i: int, j: int) -> NameForm | None:
        companies = {e.company.key for e in entries if e.company is not None}
        if len(companies) != 1:
            return None  # one key, two companies: not resolvable without capitals
        if self.cue(i, j) or self.lone(i, j):
            return entries[0]
        for entry in entries:
            if entry.how == "name" and _no_word(entry.form):
                return entry  # "how did crowdstrike do": no English sense to mistake
        surface = self.text[self.toks[i][0] : self.toks[j - 1][1]]
        for entry in entries:
            if entry.how != "alias" or entry.check:
                continue  # SEC names and ambiguous aliases need a cue (above)
            if not self._plain_sense_ok(surface.lower(), entry, i, j):
                return None
            return entry
        return None

    def _plain_sense_ok(self, surface: str, entry: NameForm, i: int, j: int) -> bool:
        toks = self.toks
        prev = toks[i - 1][2].lower() if i > 0 else ""
        nxt = toks[j][2].lower() if j < len(toks) else ""
        if nxt in NON_COMPANY_NEXT.get(surface, ()) or prev in NON_COMPANY_PREV.get(surface, ()):
            return False
        if surface in LOWER_WORDS:
            return False
        words = surface.split()
        if len(words) > 1 and all(is_common(w) for w in words if w.isalpha()):
            # "scale ai", "character ai": not inside a phrase ("large scale ai models")
            return not prev or not prev.isalpha() or prev in PLAIN_BEFORE
        return True

    # -- bare symbols ---------------------------------------------------------------------

    def _symbol_at(self, i: int) -> tuple[int, _Hit | None]:
        toks = self.toks
        start, end, tok = toks[i]
        j = i + 1
        # BRK.B / BRK-B: a class suffix glued to the symbol
        if (
            j + 1 < len(toks) and toks[j][2] in {".", "-"} and toks[j][0] == end
            and toks[j + 1][0] == toks[j][1] and toks[j + 1][2].isalpha()
            and len(toks[j + 1][2]) <= 2 and toks[j + 1][2].isupper() == tok.isupper()
        ):  # fmt: skip
            end, j = toks[j + 1][1], j + 2
        symbol = self.text[start:end]
        if not _SYMBOL.fullmatch(symbol) or symbol.upper() in NOT_TICKERS:
            return 0, None
        cashtag = start > 0 and self.text[start - 1] == "$"
        if (start > 0 and self.text[start - 1] in "#@/\\-") or (cashtag and not tok.islower()):
            return 0, None  # an upper-case "$NET" is the resolver's cashtag
        company = self.table.company_for_symbol(symbol)
        if company is None:
            return 0, None
        if cashtag and zipf_frequency(tok, "en") < CASHTAG_WORD_ZIPF:
            # "how far is $net up": a question's "$" makes a word a symbol ("$all" stays)
            return j - i, _Hit(start - 1, end, company, "cashtag", symbol.upper())
        if is_common(tok):
            return 0, None  # A, ON, IT, ALL, NOW, SNOW: only as $ON
        cue, lone = self.cue(i, j), self.lone(i, j)
        if symbol.isupper():
            ok = company.curated or cue or lone
        else:  # "nvda", "pltr": a curated company's symbol that is no English word; any
            # other's before a stock cue ("did mstr pump", "crwd stock") or when no word list
            # knows it at all ("crwd blue screen outage")
            ok = ((company.curated or cue) and (cue or lone or len(symbol) >= 3)) or (
                len(symbol) >= 4 and zipf_frequency(tok, "en") == 0)
        if not ok:
            return 0, None
        return j - i, _Hit(start, end, company, "cashtag", symbol.upper())


def _no_word(form: str) -> bool:
    """An SEC name no English reader would take for words ("crowdstrike", "goldman
    sachs"): one of its words is rarer than ``BRAND_ZIPF``."""
    words = [w for w in name_key(form).split() if w.isalpha()]
    return bool(words) and min(zipf_frequency(w, "en") for w in words) < BRAND_ZIPF


def _ticker_for(resolver: EntityResolver, company: Company, symbol: str | None) -> str | None:
    """The written listing when it is one of the company's ("$GOOG"), else its ticker."""
    if symbol and company.ticker:
        entity = resolver.table.lookup_ticker(symbol)
        if entity is not None and entity.ticker:
            return entity.ticker
    return company.ticker


def find_companies(text: str, resolver: EntityResolver) -> CompanyMatch:
    """Companies of a question in order of first mention, one Entity each."""
    hits: list[_Hit] = []
    for mention in resolver.find_mentions(text):
        symbol = None
        if mention.how == "cashtag":
            symbol = text[mention.start : mention.end].lstrip("$")
        hits.append(_Hit(mention.start, mention.end, mention.company, mention.how, symbol))
    taken = [(h.start, h.end) for h in hits]
    for start, end, company in known_for(text, resolver.table, taken):  # "the iphone maker"
        hits.append(_Hit(start, end, company, "alias"))
        taken.append((start, end))
    hits.extend(_Scanner(resolver, text, taken).scan())
    hits.sort(key=lambda h: h.start)

    merged: dict[str, list] = {}
    for hit in hits:
        slot = merged.get(hit.company.key)
        if slot is None:
            merged[hit.company.key] = [hit.company, 1, hit.how, hit.symbol]
        else:
            slot[1] += 1
            slot[3] = slot[3] or hit.symbol
            if _HOW_RANK.get(hit.how, 9) < _HOW_RANK.get(slot[2], 9):
                slot[2] = hit.how
    entities: list[Entity] = []
    tickers: list[str] = []
    for company, count, how, symbol in merged.values():
        ticker = _ticker_for(resolver, company, symbol)
        entities.append(company.entity(how, mentions=count, ticker=ticker))
        if ticker and ticker not in tickers:
            tickers.append(ticker)
    return CompanyMatch(entities, tickers, sorted((h.start, h.end) for h in hits))
