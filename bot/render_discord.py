"""Answers, quotes, news and status as ``discord.Embed``s that always fit Discord's limits.

Limits (Discord's): title 256, description 4096, at most 25 fields (name 256, value 1024),
footer 2048, and 6000 characters over the whole embed. Long text is cut at a sentence
boundary and ends with "…". Every text goes through :func:`fit`, which strips control characters
and terminal escapes (:func:`index.text.strip_controls`). Mirrors ``bot.render_terminal``; no
logic beyond layout.
"""

from __future__ import annotations

import re
from datetime import datetime

import discord

from bot.answer import Answer
from bot.answer.model import LiveQuote, Mover, day_of
from bot.digest import Digest, DigestRow
from bot.quotes import Quote, QuoteUnavailable
from bot.status import Status
from index.reader import SearchHit
from index.text import strip_controls

TITLE, DESCRIPTION, FIELDS, FIELD_NAME, FIELD_VALUE, FOOTER, TOTAL = (
    256, 4096, 25, 256, 1024, 2048, 6000)
FIELDS_BUDGET = 3000
"""Characters the fields may take together; the description gets the rest."""
ELLIPSIS = "…"
_SENTENCE_END = re.compile(r"[.!?;](?=\s)|\n")
GREEN, YELLOW, RED = 0x2E9D5B, 0xE0A526, 0xD0453A


def trim(text: str, limit: int) -> str:
    """``text`` if it fits, else cut at the last sentence end (or word) that fits, plus "…"."""
    text = text.strip()
    if len(text) <= limit:
        return text
    if limit <= 1:
        return ELLIPSIS[:limit]
    head = text[: limit - 1]
    ends = [m.end() for m in _SENTENCE_END.finditer(head + " ")]
    cut = ends[-1] if ends and ends[-1] >= limit // 3 else head.rfind(" ")
    if cut < limit // 3:
        cut = limit - 1
    return head[:cut].rstrip() + ELLIPSIS


def _stamp(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M UTC") if value else "?"


def _link(title: str, url: str | None, limit: int = 200) -> str:
    title = trim(title.replace("[", "(").replace("]", ")"), limit)
    return f"[{title}]({url})" if url and url.startswith(("http://", "https://")) else title


def _pack(name: str, lines: list[str]) -> list[tuple[str, str]]:
    """Lines into as few fields of at most FIELD_VALUE characters as possible."""
    fields: list[tuple[str, str]] = []
    current = ""
    for line in lines:
        line = trim(line, FIELD_VALUE)
        if current and len(current) + 1 + len(line) > FIELD_VALUE:
            fields.append((name if not fields else f"{name} (cont.)", current))
            current = line
        else:
            current = f"{current}\n{line}" if current else line
    if current:
        fields.append((name if not fields else f"{name} (cont.)", current))
    return fields


def fit(
    title: str, description: str, fields: list[tuple[str, str]], footer: str, colour: int,
    url: str | None = None,
) -> discord.Embed:
    """An embed within every limit: fields beyond the budget are dropped (with a note in the
    footer), then the description takes what is left of the 6000. Control characters and
    terminal escapes are stripped from every part first."""
    title, footer = trim(strip_controls(title), TITLE), trim(strip_controls(footer), 500)
    description = strip_controls(description)
    fields = [(strip_controls(name), strip_controls(value)) for name, value in fields]
    kept: list[tuple[str, str]] = []
    used = 0
    for name, value in fields:
        name, value = trim(name, FIELD_NAME), trim(value, FIELD_VALUE) or "—"
        if len(kept) == FIELDS or used + len(name) + len(value) > FIELDS_BUDGET:
            footer = trim(f"{len(fields) - len(kept)} more not shown · {footer}", 500)
            break
        kept.append((name, value))
        used += len(name) + len(value)
    room = TOTAL - len(title) - len(footer) - used
    embed = discord.Embed(title=title, description=trim(description, min(DESCRIPTION, room)),
                          colour=colour, url=url)
    for name, value in kept:
        embed.add_field(name=name, value=value, inline=False)
    if footer:
        embed.set_footer(text=footer)
    return embed


def _live(quote: LiveQuote) -> str:
    """ "live 123.45 USD (+1.20% today) as of …", or why there is no quote."""
    if quote.unavailable or quote.price is None:
        return quote.unavailable or "quote unavailable"
    pct = f" ({quote.change_percent:+.2f}% today)" if quote.change_percent is not None else ""
    return f"live {quote.price:,.2f} {quote.currency or ''}{pct} as of {_stamp(quote.as_of)}"


def _mover_value(mover: Mover) -> str:
    lines = [f"{r.text} {r.day_text} [{r.citation}]" for r in mover.reported]
    if not lines and mover.mentioned_in:
        lines.append("named in " + ", ".join(f"[{n}]" for n in mover.mentioned_in))
    if mover.quote is not None:
        lines.append(_live(mover.quote))
    if mover.since_article:
        s = mover.since_article
        lines.append(f"{s.change_percent:+.1f}% since the close of {s.day.isoformat()}")
    elif mover.since_article_unavailable:
        lines.append(mover.since_article_unavailable)
    return "\n".join(lines) or "—"


def freshness_footer(answer: Answer) -> str:
    """"news up to … · index built … · quotes as of …"."""
    f = answer.freshness
    parts = [f"newest news used {day_of(f.newest_article_used)}" if f.newest_article_used
             else "no news used"]
    if f.index_built_at:
        parts.append(f"index built {_stamp(f.index_built_at)}")
    if f.quotes_as_of:
        parts.append("quotes as of " + ", ".join(
            f"{t} {_stamp(a)}" for t, a in f.quotes_as_of.items()))
    return " · ".join(parts)


def render_answer(answer: Answer) -> discord.Embed:
    """The cited answer, one field per mover, numbered sources as links, freshness footer."""
    fields = [(f"{m.name} ({m.label})", _mover_value(m)) for m in answer.movers]
    fields += _pack("Sources", [
        f"[{s.n}] {_link(s.title, s.url)} — {s.outlet or 'unknown outlet'}, {day_of(s.published)}"
        for s in answer.sources])
    colour = GREEN if answer.covered else YELLOW
    text = f"{answer.text}\n*{answer.assumed}*" if answer.assumed else answer.text
    return fit(answer.question, text, fields, freshness_footer(answer), colour)


def render_quote(result: Quote | QuoteUnavailable, period: str | None = None) -> discord.Embed:
    """Price, change, day range, market state and as-of time (or why there is none)."""
    if isinstance(result, QuoteUnavailable):
        return fit(result.symbol, result.text, [], "", YELLOW)
    pct = f" ({result.change_percent:+.2f}%)" if result.change_percent is not None else ""
    change = f"{result.change:+,.2f}{pct}" if result.change is not None else (pct.strip() or "—")
    fields = [("Price", f"{result.price:,.2f} {result.currency or ''}".strip()),
              ("Change", change)]
    if result.day_low is not None and result.day_high is not None:
        fields.append(("Day range", f"{result.day_low:,.2f} – {result.day_high:,.2f}"))
    fields.append(("Market", (result.market_state or "unknown").lower()))
    delay = f" ({result.delay_note})" if result.delay_note else ""
    footer = f"as of {_stamp(result.as_of)} · {result.source}{delay}"
    if period:
        footer += f" · chart {period}"
    colour = GREEN if (result.change or 0) >= 0 else RED
    embed = fit(f"{result.name or result.symbol} ({result.symbol})", "", fields, footer, colour)
    for i in range(len(embed.fields)):
        embed.set_field_at(i, name=embed.fields[i].name, value=embed.fields[i].value or "—",
                           inline=True)
    return embed


def render_news(query: str, hits: list[SearchHit], days: int | None) -> discord.Embed:
    """The latest matching headlines with outlet, date and link."""
    window = f" · last {days} days" if days else ""
    if not hits:
        return fit(f"News: {query}", "No matching news in the index.", [], window.strip(" ·"),
                   YELLOW)
    lines = [f"• {_link(h.title, h.url)} — {h.outlet or '?'}, {day_of(h.published)}" for h in hits]
    return fit(f"News: {query}", "\n".join(lines), [], f"{len(hits)} articles{window}", GREEN)


def render_status(status: Status) -> discord.Embed:
    """Index size, newest article, last ingest, quote health, uptime, version."""
    fields = [("Version", status.version), ("Uptime", f"{status.uptime_seconds:.0f} s")]
    if status.index_error:
        fields.append(("Index", status.index_error))
    else:
        fields.append(("Index", f"{status.index_generation}: {status.articles:,} articles, "
                                f"{status.chunks:,} chunks, {status.size_bytes / 1e6:.1f} MB"))
        fields.append(("News", f"{day_of(status.oldest_article)} → "
                               f"{day_of(status.newest_article)}"))
    if status.last_ingest:
        li = status.last_ingest
        fields.append(("Last ingest", f"{li['finished']}: seen {li['seen']}, new {li['new']}, "
                                      f"skipped {li['skipped']}, failed {li['failed']}"))
    q = status.quotes
    health = "ok" if q.consecutive_failures == 0 else f"{q.consecutive_failures} failures"
    error = f" ({q.last_error})" if q.last_error else ""
    fields.append(("Quotes", f"{q.provider}: {health}{error}"))
    colour = RED if status.index_error else GREEN
    return fit("Status", "", fields, "", colour)


DIGEST_SENTENCE = 300
"""Characters of a digest row's sentence (cut at a word with "…" beyond)."""
DIGEST_DESCRIPTION = 3900
"""What the digest's rows may take of the description (the rest are counted in the footer)."""


def _digest_row(i: int, row: DigestRow, source: str) -> str:
    watched = " · ★ watched" if row.watched else ""
    arrow = "▲" if row.direction == "up" else "▼"
    sentence = trim(row.sentence.replace("\n", " "), DIGEST_SENTENCE)
    lines = [f"**{i}. {row.company} ({row.ticker})** {arrow} {row.move} · {row.counts}{watched}",
             f"> {sentence} [{row.citation}]", source]
    if row.quote is not None:
        lines.append(_live(row.quote))
    return "\n".join(lines)


def render_digest(digest: Digest) -> discord.Embed:
    """The digest in the description (a block per company: move, article count, watched
    mark, its sentence with its citation, the source as a link, the live quote), as many
    companies as fit; the rest are counted in the footer."""
    blocks: list[str] = []
    used = len(digest.text)
    for i, row in enumerate(digest.rows, 1):
        s = row.source
        source = (f"[{s.n}] {_link(s.title, s.url, 150)} — {trim(s.outlet or 'unknown outlet', 60)}"
                  f", {day_of(s.published)}")
        block = strip_controls(_digest_row(i, row, source))
        if used + 2 + len(block) > DIGEST_DESCRIPTION:
            break
        blocks.append(block)
        used += 2 + len(block)
    left = digest.companies - len(blocks)
    footer = [f"{left} more not shown"] if left else []
    if digest.quotes_as_of:
        footer.append("quotes as of " + ", ".join(
            f"{t} {_stamp(a)}" for t, a in list(digest.quotes_as_of.items())[:5]))
    footer.append(f"generated {_stamp(digest.generated_at)}")
    return fit(f"What moved in AI news · {digest.period}", "\n\n".join([digest.text, *blocks]),
               [], " · ".join(footer), GREEN if digest.covered else YELLOW)


def embed_size(embed: discord.Embed) -> int:
    """Characters Discord counts towards the 6000 total."""
    return len(embed)
