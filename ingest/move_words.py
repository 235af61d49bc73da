"""Patterns the move extractor (``ingest/moves.py``) reads sentences with.

The move words themselves come from ``index.lexicon`` (NEWS_VERBS, NEWS_NOUNS): this module
only builds regexes from them and adds what is specific to reading news sentences: figures,
clause boundaries, what a stock subject looks like, fundamentals, market indexes.
"""

from __future__ import annotations

import re

from index.lexicon import FUNDAMENTAL, NEWS_NOUNS, NEWS_VERBS, Direction, news_direction

QUALIFIERS = {
    "more than": "more than", "over": "over", "just over": "over", "above": "over",
    "nearly": "nearly", "close to": "nearly", "almost": "almost", "about": "about",
    "around": "about", "roughly": "about", "approximately": "about", "some": "about",
    "an estimated": "about", "up to": "up to", "as much as": "up to", "at least": "at least",
    "less than": "less than", "under": "less than", "just under": "less than",
}  # fmt: skip
_QUAL = "|".join(sorted((re.escape(q) for q in QUALIFIERS), key=len, reverse=True))
_ALL_VERBS = [*NEWS_VERBS["up"], *NEWS_VERBS["down"]]
_FIGURE_WORDS = [*_ALL_VERBS, "up", "down", "higher", "lower"]


def _trie(words: list[str]) -> str:
    """One regex alternation for many words, factored by common prefixes (Python's ``re``
    tries a flat alternation word by word at every position: 3x slower on long texts)."""
    tree: dict[str, dict] = {}
    for word in words:
        node = tree
        for char in word.lower():
            node = node.setdefault(char, {})
        node[""] = {}

    def render(node: dict[str, dict]) -> str:
        ends = "" in node
        branches = [re.escape(c) + render(child) for c, child in sorted(node.items()) if c]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        if ends:
            return f"(?:{body})?"
        return body

    return render(tree)


def direction_of(word: str) -> Direction:
    low = word.lower()
    if low in ("up", "higher"):
        return "up"
    if low in ("down", "lower"):
        return "down"
    found = news_direction(low)
    assert found is not None, word
    return found


_IRREGULAR_PAST = {"rose", "risen", "fell", "fallen", "sank", "sunk", "slid", "lost", "shed",
                   "leapt", "dove"}  # fmt: skip
# Verbs that state a move without a figure: past, present (-s) and -ing forms; bare forms
# ("could fall", "to rise") are left out.
WORD_VERBS = [
    v for v in _ALL_VERBS if v.endswith(("ed", "s", "ing")) or v in _IRREGULAR_PAST
]
WORD_VERB = re.compile(rf"\b(?P<verb>{_trie(WORD_VERBS)})\b", re.IGNORECASE)
# Headlines put bare forms after a plural subject: "Salesforce shares pop on earnings beat",
# "Intel Shares Drop After Disappointing Earnings"; only right after "shares"/"stocks".
BARE_VERBS = [v for v in _ALL_VERBS if v not in WORD_VERBS and not v.endswith("ing")]
HEADLINE_VERB = re.compile(
    rf"(?:(?<=\bshares )|(?<=\bstocks )|(?<=\bADRs ))(?P<verb>{_trie(BARE_VERBS)})\b"
    r"(?!\s+of\b)",
    re.IGNORECASE,
)
# Transitive verbs whose figure-less use rarely reports a stock move ("Microsoft added
# Copilot", "Meta shed staff"): kept only when followed by "ground" or nothing.
WEAK_VERBS = {v for v in WORD_VERBS if re.match(r"(?:add|gain|lo[st]|shed|wip|eras|advanc|doubl|"
                                                   r"tripl|halv|balloon)", v)}
WORD_FOLLOWER = re.compile(
    r"\s*(?:$|[.,;:!?—–)\"”]|(?:on|in|after|following|as|at|since|when|while|by|to|from|over|"
    r"during|before|amid|despite|ahead|sharply|steeply|further|again|today|yesterday|this|"
    r"last|early|late|more|most|nearly|almost|about|around|roughly|for|ground|too|briefly|"
    r"slightly|significantly|dramatically|and|but|so|premarket|overnight|then|even|back|"
    r"modestly|also|Monday|Tuesday|Wednesday|Thursday|Friday|the most|double digits|"
    r"toward|towards|with|through|into|until|off|down|up|lower|higher|because|due)\b)",
    re.IGNORECASE,
)
AND_OTHERS = re.compile(
    r"\s+(?:some\s+|several\s+|many\s+|a\s+few\s+|its\s+|their\s+)?(?:other|rivals?|peers?|"
    r"fellow)\b", re.IGNORECASE)
"""After "and", what keeps a subject one ("Shares of Nvidia and other chipmakers rose")."""
COPULA_MOVE = re.compile(
    r"\b(?:is|are|was|were|been|closed|ended|finished|traded|trading|moved|edged|ticked|went|"
    r"remained|stayed)\s+(?:(?:sharply|slightly|modestly|significantly|steeply|solidly)\s+)?"
    r"(?P<verb>up|down|higher|lower)\b(?!\s+(?:to|against|from|with|for|there|here)\b)",
    re.IGNORECASE)
"""A move said with "up"/"down" and no figure: "Shares of Best Buy were down as ...", "the
stock closed higher" (a figure after it is read as a figure's move)."""
STOCK_BEFORE = re.compile(
    r"\b(?:shares?|stocks?|stock\s+price|share\s+price)\s+(?:(?:is|are|was|were|has|have|had|"
    r"been|also|still|now)\s+)*$", re.IGNORECASE)
"""A stock noun right before a weak move verb: "Microsoft stock is gaining after ..."."""
WEAK_FOLLOWER = re.compile(r"\s*(?:$|[.,;:!?—–)]|ground\b)", re.IGNORECASE)

MAG_RE = re.compile(
    r"(?P<mag>(?:US)?\$\s?(?P<num>\d+(?:,\d{3})*(?:\.\d+)?)\s*(?P<scale>trillion|billion|million"
    r"|tn|bn|mn|m|b|k)?\b(?:\s+(?:US\s+)?dollars)?|(?P<pnum>\d+(?:\.\d+)?)\s?(?:%|percent\b"
    r"|per cent\b)|(?P<dnum>\d+(?:\.\d+)?)\s+(?P<dscale>trillion|billion|million)\s+(?:US\s+)?"
    r"dollars)",
    re.IGNORECASE,
)
SCALE = {
    "trillion": 1e12, "tn": 1e12, "billion": 1e9, "bn": 1e9, "b": 1e9, "million": 1e6,
    "mn": 1e6, "m": 1e6, "k": 1e3,
}  # fmt: skip
# Looked for right before a figure ("fell by more than " 7%) or right after it (7% "drop").
VERB_BEFORE = re.compile(
    rf"\b(?P<verb>{_trie(_FIGURE_WORDS)})(?:\s+(?:sharply|further|another|steeply|a further|"
    rf"an additional))?(?:\s+by)?(?:\s+(?P<qual>{_QUAL}))?\s*$",
    re.IGNORECASE,
)
QUAL_BEFORE = re.compile(rf"\b(?P<qual>{_QUAL})\s+$", re.IGNORECASE)
NOUN_AFTER = re.compile(rf"\s+(?P<verb>higher|lower|{'|'.join(NEWS_NOUNS)})\b", re.IGNORECASE)

BOUNDARY = re.compile(
    r"[,;:()\[\]—–]|\b(?:and|but|while|whereas|as|after|before|when|since|because|which|who|"
    r"though|although|following|whereby|then|that|if|unless|even)\b",
    re.IGNORECASE,
)
# "shares" as a verb ("Nvidia shares the view", "shares its data") is not a stock.
STOCK = re.compile(
    r"\b(?:shares?(?!\s+(?:the|a|an|its|his|her|their|this|that|these|those|some|many|much|"
    r"concerns?|views?|data|details|information|plans?|insights?|similar|common)\b)|stock|"
    r"stock price|share price|ADRs?|market (?:value|cap\w*|valuation)|valuation|"
    r"(?<=█ )stocks)\b",  # "Alphabet stocks rose": a company's, not a group's ("tech stocks")
    re.IGNORECASE,
)
MARKET_VALUE = re.compile(
    r"\bmarket[- ](?:value|cap\w*|valuation)\b|\bwiped\b.{0,40}\boff\b", re.IGNORECASE
)
FUNDAMENTAL_OF = re.compile(
    rf"(?:{FUNDAMENTAL.pattern})\s+(?:at|of|for|from)\s+(?:[\w'’-]+\s+){{0,3}}$",
    re.IGNORECASE)
"""A company's fundamental named before it: "Revenue at █ rose", "sales of the iPhone maker █
fell"."""
INDEX_WORDS = re.compile(
    r"S&P|\b(?:Nasdaq|NYSE)\b(?![- ]listed)|\bDow\b|\bindex\b|\bindices\b|\bindexes\b|"
    r"\bComposite\b|\bRussell\b|\bNikkei\b|Hang Seng|\bKOSPI\b|\bFTSE\b|\bStoxx\b|\bDAX\b|"
    r"\bbenchmark\b|\bsector\b|\bETFs?\b|\bfunds?\b|\bbitcoin\b|\bcrypto\w*\b|\bdollar\b|"
    r"(?<!█ )\bstocks\b|\bmarkets?\b(?![- ](?:value|cap|valuation))",
    re.IGNORECASE,
)
AFTER_BAD = re.compile(
    r"\s*(?:of\s+(?!(?:its|their|the)\s+(?:market\s+)?(?:value|cap))|market share|share\b|"
    r"stake|in\s+(?:\w+\s+)?(?:revenue|sales|profit|earnings|income|users|shipments)|"
    r"year[- ](?:over|on)[- ]year|from a year|compared|behind|short|out\b|apart|"
    r"in (?:popularity|importance|relevance|value to|the rankings?))",
    re.IGNORECASE,
)
FILLER = re.compile(
    r"^(?:\s|['’]s\b|\b(?:Inc|Corp|Co|Ltd|plc|also|both|all|has|had|have|was|were|is|briefly|initially|"
    r"then|now|itself|too|it|which)\b|[.,])*$",
    re.IGNORECASE,
)
INDEX_FILLER = re.compile(
    r"^(?:\s|['’]s\b|\b(?:index|composite|average|benchmark|gauge|also|has|had|was|is|closed|"
    r"ended|finished|briefly|itself|too|then|now|futures)\b|[.,])*$",
    re.IGNORECASE,
)
MODAL_BEFORE = re.compile(
    r"\b(?:could|may|might|would|will|should|can|cannot|to|won['’]t|wouldn['’]t|not|never|"
    r"didn['’]t|doesn['’]t|expected|likely)\s+(?:\w+\s+)?$",
    re.IGNORECASE,
)
MODAL = re.compile(
    r"\b(?:could|may|might|would|will|should|can|expected|likely|if|unless)\b", re.IGNORECASE)
"""After a move said before its stocks, these make it a forecast or a condition."""
TRADING_CUE = re.compile(
    r"\b(?:in\s+(?:(?:early|late|pre-?market|after-?hours|extended|morning|afternoon|midday|"
    r"heavy|regular|Monday|Tuesday|Wednesday|Thursday|Friday|New York|Hong Kong|U\.?S\.?)['’]?s?"
    r"\s+)*trading|pre-?market|after[- ]hours|at the (?:open|close|opening bell|closing bell)|"
    r"on Wall Street|on the (?:Nasdaq|NYSE|New York Stock Exchange)|intraday|per share|a share)"
    r"\b",
    re.IGNORECASE,
)
IN_SHARES = re.compile(r"\s*in\s+(?:its\s+|the\s+)?(?:shares|stock)\b", re.IGNORECASE)
OPEN_RELATIVE = re.compile(
    r",\s*(?:(?:which|who)\b[^,;:()\[\]—–]*,?|(?:the|a|an|one|two|three|four|five|both|all)"
    r"\b[^,;:()\[\]—–]*,)\s*$", re.IGNORECASE)
"""A relative clause or an apposition right before the move word ("Shares of TSMC, which
makes Nvidia's chips climbed 2%", "Shares of Adobe, the maker of Photoshop, fell 7%"): what
moved is named before it."""
NOUN_MOVE = re.compile(
    r"\b(?:got|gets|getting|received|receives|saw|sees|enjoyed|enjoys|took|takes)\s+(?:a|an)\s+"
    r"(?:(?:big|sharp|small|slight|major|nice|huge|further)\s+)?(?:(?:share|stock)[-\s]price\s+"
    r"|stock\s+)?(?P<verb>boost|lift|bump|jump|surge|rally|pop|rebound|drop|slump|plunge|"
    r"tumble|dip|hit|knock)\b", re.IGNORECASE)
"""A move said as a noun after its verb: "got a share price boost", "took a hit"."""
NOUN_MOVE_DIRECTION: dict[str, Direction] = {"boost": "up", "lift": "up", "bump": "up",
                                             "hit": "down", "knock": "down"}
MOVE_IN_SHARES_OF = re.compile(
    r"\b(?:a|an|the)\s+(?:(?:big|steep|sharp|small|slight|major|huge|further|broad|"
    r"heavy|(?P<mag>\d+(?:\.\d+)?\s?%|\d+(?:\.\d+)?\s?(?:percent|per\s+cent)))[-\s]+)*"
    rf"(?P<verb>{'|'.join(sorted(NEWS_NOUNS, key=len, reverse=True))})\s+in\s+(?:the\s+)?"
    r"(?:shares|stocks?|share\s+prices?|stock\s+prices?)\s+(?:of\s+)?(?=█)", re.IGNORECASE)
"""A move said as a noun before the stocks it is of: "A steep drop in shares of Alphabet,
Amazon.com and other technology companies dragged ...", "a 5% jump in shares of Nvidia"."""
_MOVED_BY_UP = frozenset("boosted lifted buoyed propelled powered supported".split())
_MOVED_BY_DOWN = frozenset("dragged weighed".split())
_MOVED_BY_VERBS = "|".join(sorted(_MOVED_BY_UP | _MOVED_BY_DOWN | {"pulled", "held"}))
"""Verbs of a market moved by stocks; "pulled" and "held" need a way ("held back")."""
MARKET_MOVED_BY = re.compile(
    r"(?:\b(?:indexes|indices|averages|benchmarks?|markets?|wall\s+street|equities|"
    r"(?<!█\s)(?<!█'s\s)(?<!█’s\s)stocks)\b|█)\s+"
    r"(?:(?:were|was|have\s+been|has\s+been|got|are|is)\s+)?(?:(?:also|largely|mostly)\s+)?"
    rf"(?P<verb>{_MOVED_BY_VERBS})"
    r"(?:\s+(?P<way>higher|lower|up|down|back))?\s+by\s+"
    r"(?:(?:(?!\b(?:but|while|whereas|although|though)\b)[^.;:█]){0,80}?"
    r"\b(?:such\s+as|like|including|in|of|from)\s+)?(?=█)", re.IGNORECASE)
"""The market moved by the stocks listed after it: "U.S. indexes were boosted by ... companies
such as Microsoft and Nvidia", "the Nasdaq was dragged lower by losses in Tesla". An index
named before the verb must be one (``█`` masks companies too)."""


def moved_by_direction(found: re.Match[str]) -> Direction | None:
    """Which way a ``MARKET_MOVED_BY`` match moved its stocks ("pulled" alone: unknown)."""
    way = (found["way"] or "").lower()
    if way in ("higher", "up"):
        return "up"
    if way in ("lower", "down", "back"):
        return "down"
    verb = found["verb"].lower()
    return "up" if verb in _MOVED_BY_UP else "down" if verb in _MOVED_BY_DOWN else None


RECORD_MOVE = re.compile(
    r"\b(?:hit|hits|hitting|touched|touches|touching|reached|reaches|reaching|set|sets|setting|"
    r"notched|notches|closed\s+at|closes\s+at|ended\s+at|ends\s+at|(?:rose|rises|climbed|"
    r"climbs|jumped|jumps|surged|surges|fell|falls|dropped|drops|sank|sinks|slid|slides)\s+to|"
    r"(?:trading|trades|traded)\s+at)"
    r"\s+(?:(?:a|an|its|their|the|fresh|new|another)\s+)*(?P<verb>(?:record|all[-\s]time|"
    r"(?:\d+|multi)[-\s](?:day|week|month|year)s?)"
    r"[-\s](?:high|low)s?|(?:highest|lowest)(?=\s+(?:(?:level|close|price|point)s?\s+)?since\s))\b",
    re.IGNORECASE)
"""A move said as a record: "hits a new all-time high", "sank to a 52-week low", "trading at
highest since August"."""


def record_direction(word: str) -> Direction:
    """ "all-time high", "highest" -> up; "52-week lows", "lowest" -> down."""
    return "down" if "low" in word.lower() else "up"


RECORD_NOT_STOCK = re.compile(
    r"\s+(?:in|for|of)\b(?!\s+(?:trading|premarket|pre-market|after-hours|the\s+session|"
    r"early|late|morning|afternoon|intraday|extended|(?:US)?\$|\d))", re.IGNORECASE)
"""What a record is of when it is not the stock's: "a record high in cloud revenue"."""
PREFILTER = re.compile(
    rf"%|\$|percent|per cent|dollars|\b{_trie(WORD_VERBS)}\b|{HEADLINE_VERB.pattern}|"
    r"\b(?:got|gets|getting|received|receives|saw|sees|enjoyed|enjoys|took|takes)\s+an?\s|"
    r"(?:record|time|day|week|month|year)s?[-\s](?:high|low)|(?:highest|lowest)\s+(?:\w+\s+)?since|"
    rf"\b(?:{_MOVED_BY_VERBS})(?:\s+\w+)?\s+by\b|"
    r"\s+in\s+(?:the\s+)?(?:shares|stocks?|share\s+prices?|stock\s+prices?)\s+of\b|"
    + COPULA_MOVE.pattern.replace("?P<verb>", ""),
    re.IGNORECASE,
)
CORPORATE_WORDS = frozenset(
    "Holdings Holding Group Platforms Technologies Technology Inc Inc. Corp Corp. Corporation "
    "Systems Communications Entertainment Labs Networks Software Interactive".split())
"""What may follow a company's short name in its full one ("Arm Holdings", "Meta Platforms")."""
LIST_JOINER = re.compile(
    r"^\s*(?:,\s*(?:and\s+|&\s*)?|and\s+|&\s*)(?:[A-Z][\w-]*['’]s\s+)?$")
"""What separates the companies of a list: ", ", " and ", ", and ", " & " (and a place's
possessive: "ASML and Taiwan's TSMC")."""
SHARES_OF_BEFORE = re.compile(
    r"\b(?:shares|stocks?|names)\s+(?:of|in|like|such\s+as|including)\s+$", re.IGNORECASE)
"""What names a list as stocks: "Shares of █, █ and █", "Chip stocks like █, █ and █"."""
NOT_EACH = re.compile(
    r"\b(?:respectively|collectively|combined|together|between them|in total|jointly)\b",
    re.IGNORECASE)
"""A list whose figure is split or summed ("jumped 5% and 3% respectively", "collectively
added $1 trillion"): not one move each."""
OWNER_BEFORE_STOCK = re.compile(r"([A-Z][\w.&-]*)(?:['’]s)?\s*$")
OWNER_OK = {
    "The", "Its", "Their", "US", "U.S.", "U.S", "Another", "Company", "Hong", "Kong", "Inc",
    "Inc.", "Corp", "Corp.", "Co", "Co.", "Ltd", "Ltd.", "Plc", "PLC", "Group", "Holdings",
    "Class", "A", "B", "C", "Chinese", "American", "Japanese", "Korean", "Taiwanese",
}  # fmt: skip
SHARES_OF_OTHER = re.compile(r"\b(?:shares?|stock)\s+(?:of|in)\s+(?!█)", re.IGNORECASE)
PRONOUN_START = re.compile(
    r"^(?:It|Its|The stock|The shares|Shares|Its shares|Its stock|The company['’]s "
    r"(?:stock|shares)|The stock price|The share price)\b"
)

# -- market indexes: (pattern, name) ----------------------------------------------------------

_INDEXES: list[tuple[str, str]] = [
    (r"Nasdaq[- ]100(?: [Ii]ndex)?", "Nasdaq-100"),
    (r"Nasdaq(?: Composite)?(?: [Ii]ndex)?(?![- ]?listed|\s*:|\s+(?:Inc|shares|stock)\b)",
     "Nasdaq Composite"),
    (r"S&P\s?500(?: [Ii]ndex)?|Standard (?:&|and) Poor['’]s 500", "S&P 500"),
    (r"Dow Jones(?: Industrial Average| [Ii]ndustrials)?|(?<=the )Dow\b(?!\s+(?:Inc|Chemical|"
     r"shares|stock)\b)|(?<=The )Dow\b(?!\s+(?:Inc|Chemical|shares|stock)\b)",
     "Dow Jones Industrial Average"),
    (r"Philadelphia (?:SE |Stock Exchange )?[Ss]emiconductor [Ii]ndex|PHLX [Ss]emiconductor"
     r"(?: [Ii]ndex)?|\bSOX\b(?: index)?|Philadelphia chip index",
     "Philadelphia Semiconductor Index"),
    (r"Nikkei(?: 225)?(?: [Ss]tock [Aa]verage| average| [Ii]ndex)?", "Nikkei 225"),
    (r"Hang Seng Tech(?: [Ii]ndex)?", "Hang Seng Tech"),
    (r"Hang Seng(?: [Ii]ndex)?", "Hang Seng"),
    (r"Russell 2000(?: [Ii]ndex)?", "Russell 2000"),
    (r"\bKOSPI\b|\bKospi\b", "KOSPI"),
    (r"FTSE 100(?: [Ii]ndex)?", "FTSE 100"),
    (r"(?:STOXX|Stoxx) (?:Europe )?600(?: [Ii]ndex)?", "STOXX Europe 600"),
    (r"\bDAX\b(?: [Ii]ndex)?", "DAX"),
    (r"CSI 300(?: [Ii]ndex)?", "CSI 300"),
    (r"Shanghai Composite(?: [Ii]ndex)?", "Shanghai Composite"),
    (r"\bTAIEX\b|\bTaiex\b", "TAIEX"),
    (r"CAC 40(?: [Ii]ndex)?", "CAC 40"),
]
INDEX_KEYS = ("Nasdaq", "S&P", "Standard", "Dow", "Philadelphia", "PHLX", "SOX", "Nikkei",
              "Hang Seng", "Russell", "KOSPI", "Kospi", "FTSE", "STOXX", "Stoxx", "DAX", "CSI",
              "Shanghai", "TAIEX", "Taiex", "CAC")  # fmt: skip
"""Plain substrings one of which every index name holds: a fast test before the regex."""
INDEX_NAMES = re.compile("|".join(f"(?P<i{n}>{p})" for n, (p, _) in enumerate(_INDEXES)))


def index_name(match: re.Match[str]) -> str:
    """The canonical name of an ``INDEX_NAMES`` match ("the Dow" -> "Dow Jones ...")."""
    for n, (_, name) in enumerate(_INDEXES):
        if match.group(f"i{n}") is not None:
            return name
    raise ValueError(match.group(0))
