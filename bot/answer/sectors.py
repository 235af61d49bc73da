"""The kind of company a winners/losers question asks for ("which chip stocks", "chinese ai
names", "any education stocks"), and which listed movers the news places in it (pure).

There is no sector table: a mover is of the asked kind when a sentence of the evidence names
it beside the kind's words ("Chip stocks like Nvidia, Qualcomm and Broadcom", "education giant
Pearson's stock"). Asked for several kinds ("asian chip names"), the movers the news places in
the most of them are kept; when the news places none, nothing is dropped.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from index.reader import SearchHit
from index.text import fold, split_sentences

SECTORS: dict[str, tuple[str, str]] = {
    # kind: (words of a question for it, words of a news sentence placing a company in it)
    "chips": (r"chips?|chipmakers?|semis?|semiconductors?|semiconductor",
              r"chip\w*|semiconductor\w*|semis|foundr\w+|processors?|gpus?"),
    "china": (r"chinese|china", r"chin(?:a|ese)|hong kong|beijing|shanghai|shenzhen"),
    "asia": (r"asian|asia",
             r"asia\w*|taiwan\w*|japan\w*|korea\w*|chin(?:a|ese)|hong kong|tokyo|seoul"),
    "korea": (r"korean|korea", r"korea\w*|seoul"),
    "japan": (r"japanese|japan", r"japan\w*|tokyo"),
    "banks": (r"banks?|lenders?|financials?", r"bank\w*|lender\w*|financial\w*"),
    "education": (r"education|edtech|ed-tech|tutoring",
                  r"educat\w+|edtech|tutor\w*|students?|homework|textbooks?|learning"),
    "biotech": (r"biotech|drug|drug-discovery|pharma|healthcare",
                r"biotech\w*|drugs?|pharma\w*|therapeut\w*|medicines?"),
    "media": (r"media|publishers?|publishing", r"media|publish\w*|digital news|content"),
    "software": (r"software|saas", r"software|saas|cloud"),
    "retail": (r"retail|retailers?", r"retail\w*|stores?|shoppers?|consumer electronics"),
    "crypto": (r"crypto", r"crypto\w*|bitcoin|blockchain|tokens?"),
    "autos": (r"ev|evs|auto|automakers?|carmakers?",
              r"electric[- ]vehicles?|evs?|automakers?|carmakers?|cars?"),
}
_GROUP = r"(?:stocks?|names?|cos?|companies|company|firms?|giants?|plays?|players|makers?|shares)"
_ASKED = {
    kind: re.compile(rf"\b(?:{asked})\b(?=(?:\s+[\w&-]+){{0,2}}\s+{_GROUP}\b)")
    for kind, (asked, _) in SECTORS.items()
}
_TOLD = {kind: re.compile(rf"\b(?:{told})\b") for kind, (_, told) in SECTORS.items()}


def asked_sectors(text: str) -> list[str]:
    """The kinds of company a question asks for: a kind's word at most two words before a
    group noun ("which chip stocks", "chinese ai names", "korean chip equipment stock"); not
    a kind said otherwise ("on china news", "on phone chip sales")."""
    low = fold(text)
    return [kind for kind, pattern in _ASKED.items() if pattern.search(low)]


def sentences_of(hits: Iterable[SearchHit]) -> list[str]:
    """The folded sentences of ``hits`` (titles included), split once for every mover."""
    return [fold(s) for hit in hits for s in split_sentences(f"{hit.title}. {hit.text}")]


def placed(names: Iterable[str], kinds: list[str], sentences: Iterable[str],
           own: Iterable[str] = ()) -> int:
    """How many of ``kinds`` the news places the company in: one of ``sentences`` (folded,
    see ``sentences_of``) naming it (any of ``names``, folded) or one of ``own`` (the
    sentences reporting its moves)."""
    wanted = [re.compile(rf"\b{re.escape(n)}\b") for n in names if n]
    about = [fold(s) for s in own] + [s for s in sentences if any(w.search(s) for w in wanted)]
    return sum(any(_TOLD[k].search(s) for s in about) for k in kinds)
