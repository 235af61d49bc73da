"""The text of an alert and of the "more alerts than the hourly limit" list (pure: no Discord).

The cog turns an :class:`AlertMessage` into an embed with ``bot.render_discord.fit``, which
strips control characters and keeps every part within Discord's limits; the parts here are
cleaned with ``strip_controls`` too and kept short.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from bot.quotes import Quote, QuoteUnavailable
from bot.watch.matching import Match, NewArticle
from index.text import normalize_space, strip_controls

SENTENCE_CHARS = 600
LIST_LINES = 40


@dataclass(frozen=True)
class AlertMessage:
    """What one message says: an embed's parts and its tone (up, down or news)."""

    title: str
    description: str
    url: str | None = None
    fields: list[tuple[str, str]] = field(default_factory=list)
    footer: str = ""
    tone: str = "news"


def _clean(text: str | None, limit: int) -> str:
    text = normalize_space(strip_controls(text or ""))
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _day(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M UTC") if value else "undated"


def _source(article: NewArticle) -> str:
    outlet = _clean(article.outlet, 100) or "unknown outlet"
    return f"{outlet} · {_day(article.published)}"


def quote_line(quote: Quote | QuoteUnavailable | None) -> str | None:
    """``NVDA 123.45 USD (+1.20%) · as of 2025-11-10 14:30 UTC · yahoo``, or why not."""
    if quote is None:
        return None
    if isinstance(quote, QuoteUnavailable):
        return _clean(quote.text, 300)
    pct = f" ({quote.change_percent:+.2f}%)" if quote.change_percent is not None else ""
    price = f"{quote.price:,.2f} {quote.currency or ''}".strip()
    state = f", {quote.market_state.lower()}" if quote.market_state else ""
    return _clean(f"{quote.symbol} {price}{pct} · as of {_day(quote.as_of)} · "
                  f"{quote.source}{state}", 300)


def compose_alert(match: Match, quote: Quote | QuoteUnavailable | None = None) -> AlertMessage:
    """One alert: title (linked), outlet and date, the move sentence, the live quote, and the
    watches that fired."""
    article = match.article
    lines = [_source(article)]
    if article.url and article.url.startswith(("http://", "https://")):
        lines.append(_clean(article.url, 500))
    fields: list[tuple[str, str]] = []
    move = match.move
    if move is not None:
        fields.append(("Reported move", f"> {_clean(move.sentence, SENTENCE_CHARS)}"))
    line = quote_line(quote)
    if line:
        fields.append(("Live quote", line))
    watched = ", ".join(_clean(label, 60) for label in match.labels)
    tone = move.direction if move is not None else "news"
    url = article.url if article.url and article.url.startswith(("http://", "https://")) else None
    return AlertMessage(title=_clean(article.title, 250) or "(untitled)",
                        description="\n".join(lines), url=url, fields=fields,
                        footer=_clean(f"watch: {watched}", 300), tone=tone)


def compose_overflow(matches: list[Match], limit: int) -> AlertMessage:
    """The one message past the hourly limit: the rest, one line each (title, outlet, date)."""
    lines = []
    for match in matches[:LIST_LINES]:
        article = match.article
        title = _clean(article.title, 150).replace("[", "(").replace("]", ")")
        url = article.url if article.url and article.url.startswith(("http://", "https://")) \
            else None
        head = f"[{title}]({url})" if url else title
        lines.append(f"• {head} — {_source(article)}")
    if len(matches) > LIST_LINES:
        lines.append(f"… and {len(matches) - LIST_LINES} more")
    watched = sorted({label for m in matches for label in m.labels})
    return AlertMessage(
        title=f"{len(matches)} more watched article{'s' if len(matches) != 1 else ''}",
        description="\n".join(lines),
        footer=_clean(f"over {limit} alerts this hour in this channel · watch: "
                      f"{', '.join(watched)}", 300))
