"""Text cleaning: HTML fragments to text, entities, control characters and terminal escapes
(:func:`index.text.strip_controls`), white space, boilerplate lines.

Paragraph breaks are kept as ``"\\n\\n"``; lines that are page furniture rather than
content (share widgets, disclaimers, translation notices, editor credits, "Continue
reading...", datelined bylines, a repeated title) are dropped by generic patterns.
"""

from __future__ import annotations

import html
import re
import unicodedata

from lxml import etree
from lxml import html as lxml_html

from index.text import strip_controls

_TAG = re.compile(r"</?[a-zA-Z][a-zA-Z0-9:-]*(?:\s[^<>]*)?/?>")
_TRUNCATED_TAG = re.compile(
    r"<(?:/?(?:a|p|div|span|img|br|strong|em|b|i|u|h[1-6]|ul|ol|li|figure|figcaption|iframe"
    r"|blockquote|table|tr|td|section|article|picture|source|video|script|style)\b[^<>]*"
    r"|/?[a-zA-Z]{0,2})$"
)
_INVISIBLE = str.maketrans({"\u200b": "", "\u200c": "", "\u200d": "", "\ufeff": "", "\xad": "",
                            "\xa0": " ", "\u2009": " ", "\u202f": " ", "\r": "\n",
                            "\u2028": "\n", "\u2029": "\n\n"})
_HAS_INVISIBLE = re.compile("[\u200b\u200c\u200d\ufeff\xad\xa0\u2009\u202f\r\u2028\u2029]")
_CJK = re.compile("[\u3040-\u9fff\uac00-\ud7af\uf900-\ufaff]")
_NON_ALNUM = re.compile(r"[\W_]+")
_BLANK_LINES = re.compile(r"\n\s*\n")
_LIST_ITEM = re.compile(r"^(?:[-*•·]|\d{1,3}[.)])\s")

_BLOCK_TAGS = frozenset(
    "p div li ul ol h1 h2 h3 h4 h5 h6 blockquote pre table tr section article header footer "
    "aside figure figcaption dl dt dd hr main nav form".split()
)
_DROP_TAGS = frozenset({"script", "style", "noscript", "template", "iframe", "svg", "button"})

_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
_DATEISH = (
    rf"(?:\d{{4}}[-/.]\d{{1,2}}[-/.]\d{{1,2}}|{_MONTH}\s+\d{{1,2}}(?:,?\s+\d{{4}})?"
    rf"|\d{{1,2}}\s+{_MONTH}(?:\s+\d{{4}})?)(?:,?\s+\d{{1,2}}:\d{{2}}(?:\s*[ap]\.?m\.?)?)?"
    r"(?:\s+[A-Z]{2,4})?"
)

# Whole lines that are page furniture (matched case-insensitively against a stripped line).
_FURNITURE = re.compile(
    r"(?:"
    # share / comment widgets
    r"share(?:_log)?|share (?:this|on \w+)(?: article| story| post)?|tweet|email|print|save"
    r"|(?:write|leave|add|post) a comment|\d* ?comments?|copy link|advertisement|sponsored"
    r"|listen to (?:this|the) (?:article|story)|(?:facebook|twitter|linkedin|whatsapp|reddit)"
    # "read more" stubs
    r"|(?:continue reading|read more|read the full (?:story|article)|click here to read more)"
    r"\W*(?:on .{1,60})?"
    r"|to read this article in full,? (?:please )?click here\.?"
    r"|the post .{1,300} appeared first on .{1,100}"
    # machine-translation notices
    r"|(?:the )?translation (?:is )?provided by third[- ]party software\.?"
    r"|(?:this (?:article|content|page) (?:was|is|has been) )?(?:machine[- ])?translated "
    r"(?:by|with|using) (?:ai|a machine|machine translation|google translate|deepl"
    r"|third[- ]party software)\.?"
    # disclaimers
    r"|disclaimer\s*[:：].*"
    r"|(?:the above|this) (?:content|article|material|information)\b.{0,80}"
    r"\b(?:informational|educational)(?: or (?:informational|educational))? purposes only\b.*"
    r"|.{0,200}\bdoes not constitute (?:any )?(?:investment|financial) advice\b.*"
    # credits and source lines
    r"|(?:responsible )?(?:editor|editors|author|reporter|writer|translator|editing)"
    r"\s*[/:：|]\s*\S.{0,40}"
    r"|(?:edited|compiled|proofread|translated) by\s*[:：]?\s*\S.{0,40}"
    r"|(?:source|sources|来源|來源)\s*[:：]\s*[^.。]{1,60}"
    # "Outlet Name · Feb 19 07:07" / "By Jane Doe | March 5, 2024" bylines
    rf"|(?:by\s+)?[^\n.!?]{{1,60}}?\s*[·•|]\s*{_DATEISH}"
    r")",
    re.IGNORECASE,
)
_LONG_FURNITURE = 700  # longer lines are content whatever they contain

# Boilerplate glued to the end of a feed summary.
_TRAILING = re.compile(
    r"\s*(?:\[?(?:continue reading|read more)\W{0,5}\]?"
    r"|(?:🛡\s*)?the post [^\n]{1,300}? appeared first on [^\n]{1,100}?)\s*$",
    re.IGNORECASE,
)
_CREDIT_MARKERS = ("photo", "image", "illustration")
_TRAILING_MARKERS = ("continue reading", "read more", "appeared first on")
# Photo credit glued to the start of a feed summary ("Caption. | Photo by X/Getty Images ...").
_LEADING_CREDIT = re.compile(
    r"^(?:[^|\n]{1,200}\s\|\s)?(?:photo|image|illustration|photograph)(?:\s+by|:)\s+[^\n]{1,80}?"
    r"(?:getty images|shutterstock|bloomberg|afp|ap photo|reuters|the verge|engadget|unsplash)"
    r"\s+(?=\S)",
    re.IGNORECASE,
)


def looks_like_html(text: str) -> bool:
    """True when the text carries HTML tags."""
    return "<" in text and _TAG.search(text) is not None


def html_to_text(fragment: str) -> str:
    """Text of an HTML fragment; block elements become paragraph breaks, scripts are dropped."""
    fragment = _TRUNCATED_TAG.sub("", fragment)  # feed summaries cut off inside a tag
    try:
        root = lxml_html.fragment_fromstring(fragment, create_parent="div")
    except (etree.ParserError, ValueError):
        return html.unescape(_TAG.sub(" ", fragment))
    for element in list(root.iter()):
        tag = element.tag if isinstance(element.tag, str) else ""
        if tag in _DROP_TAGS:
            element.drop_tree()
        elif tag == "br":  # entities such as &#27; are decoded: lxml refuses them back
            element.tail = "\n" + strip_controls(element.tail or "")
        elif tag in _BLOCK_TAGS:
            element.text = "\n\n" + strip_controls(element.text or "")
            element.tail = "\n\n" + strip_controls(element.tail or "")
    return str(root.text_content())


def _mostly_cjk(line: str) -> bool:
    if _CJK.search(line) is None:
        return False
    letters = sum(1 for c in line if c.isalpha())
    return letters > 0 and len(_CJK.findall(line)) / letters > 0.5


def _key(text: str) -> str:
    return _NON_ALNUM.sub("", unicodedata.normalize("NFKC", text).casefold())


def is_furniture(line: str) -> bool:
    """True when a stripped line is page furniture (widget, disclaimer, credit, byline...)."""
    return len(line) <= _LONG_FURNITURE and _FURNITURE.fullmatch(line) is not None


def _paragraphs(text: str, lines_are_paragraphs: bool) -> list[list[str]]:
    """Split into paragraphs, each a list of stripped non-empty lines."""
    blocks = text.split("\n") if lines_are_paragraphs else _BLANK_LINES.split(text)
    result = []
    for block in blocks:
        lines = [" ".join(line.split()) for line in block.split("\n")]
        lines = [line for line in lines if line]
        if lines:
            result.append(lines)
    return result


def clean_text(
    text: str,
    *,
    title: str | None = None,
    is_html: bool | None = None,
    lines_are_paragraphs: bool = False,
) -> str:
    """Clean article text; returns "" when nothing is left.

    ``is_html=None`` detects tags; HTML is converted with paragraph breaks kept. Plain text
    has its entities unescaped. Paragraphs are separated by blank lines (or by single
    newlines with ``lines_are_paragraphs``, as trafilatura returns them); wrapped lines are
    re-joined with spaces. Furniture lines are dropped everywhere; in the first lines also
    a repeat of ``title`` and a title line in another script (CJK above a Latin title).
    """
    if not text:
        return ""
    text = strip_controls(text)  # lxml refuses control characters
    if is_html or (is_html is None and looks_like_html(text)):
        text = html_to_text(text)
        lines_are_paragraphs = False
    else:
        if "<" in text:
            text = _TRUNCATED_TAG.sub("", text)
        if "&" in text:
            text = html.unescape(text)
    text = strip_controls(text)  # after unescaping: "&#27;[2J" is an escape too
    if _HAS_INVISIBLE.search(text):
        text = text.replace("\r\n", "\n").translate(_INVISIBLE)
    title_key: str | None = None
    repeats: list[str] = []  # title lines dropped from the head, kept if nothing else is
    out: list[str] = []
    for index, lines in enumerate(_paragraphs(text, lines_are_paragraphs)):
        kept: list[str] = []
        for line in lines:
            if is_furniture(line):
                continue
            if title and index < 8 and not out and len(line) < 300:
                if title_key is None:
                    title_key = _key(title)
                if _key(line) == title_key:
                    repeats.append(line)
                    continue
                if _mostly_cjk(line) and not _mostly_cjk(title):
                    continue
            kept.append(line)
        if not kept:
            continue
        paragraph = kept[0]
        for line in kept[1:]:
            paragraph += ("\n" if _LIST_ITEM.match(line) else " ") + line
        out.append(paragraph)
    if out:
        head = out[0][:400]
        if any(marker in head.lower() for marker in _CREDIT_MARKERS):
            out[0] = _LEADING_CREDIT.sub("", head, count=1) + out[0][400:]
        cut = max(0, len(out[-1]) - 500)
        tail = out[-1][cut:]
        if any(marker in tail.lower() for marker in _TRAILING_MARKERS):
            out[-1] = out[-1][:cut] + _TRAILING.sub("", tail)
        if not out[-1].strip():
            out.pop()
    if not out and repeats:
        out = repeats[:1]
    return "\n\n".join(out).strip()


def clean_title(title: str | None, outlet: str | None = None) -> str:
    """One-line title: tags and entities removed, spaces collapsed, " - Outlet" suffix dropped."""
    if not title:
        return ""
    if looks_like_html(title):
        title = html_to_text(title)
    elif "&" in title:
        title = html.unescape(title)
    title = " ".join(strip_controls(title).translate(_INVISIBLE).split())
    if outlet:
        for sep in (" - ", " | ", " – ", " — ", " :: "):
            head, found, tail = title.rpartition(sep)
            if found and head and _key(tail) == _key(outlet):
                return head.strip()
    return title


def first_line_title(text: str, limit: int = 140) -> str:
    """A title made from the start of the text when a record has none."""
    line = text.strip().split("\n", 1)[0]
    if len(line) <= limit:
        return line
    cut = line[:limit].rsplit(" ", 1)[0]
    return cut.rstrip(",;:") + "…"
