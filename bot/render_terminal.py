"""Rendering answers, quotes, news and status for a terminal (rich). Thin: no logic.

Everything shown comes from news, users or Yahoo: it goes out as plain ``Text`` (never parsed
as rich markup) with control characters and terminal escapes stripped
(:func:`index.text.strip_controls`).
"""

from __future__ import annotations

from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from bot.answer import Answer
from bot.answer.model import LiveQuote, Source, day_of
from bot.digest import Digest
from bot.quotes import Quote, QuoteUnavailable
from bot.status import Status
from index.reader import SearchHit
from index.text import strip_controls


def _plain(value: object, style: str = "") -> Text:
    """Untrusted text for the terminal: no control characters or escapes, no markup."""
    return Text(strip_controls(str(value)), style=style)


def _article(out: Text, head: str, outlet: str, published: object, url: str | None,
             indent: str) -> None:
    """One article line, "<head> — outlet, date", and its link below it."""
    out.append(strip_controls(head), style="bold")
    out.append(strip_controls(f" — {outlet}, {day_of(published)}\n"))
    if url:
        out.append(strip_controls(f"{indent}{url}\n"), style="blue")


def _sources(sources: list[Source]) -> Text:
    """Numbered sources: "[n] title — outlet, date" and the link."""
    out = Text()
    for s in sources:
        _article(out, f"[{s.n}] {s.title}", s.outlet or "unknown outlet", s.published, s.url,
                 "    ")
    return out


def render_answer(answer: Answer) -> Panel:
    parts: list[object] = [_plain(answer.text)]
    if answer.assumed:
        parts.append(_plain(answer.assumed, style="italic"))
    if answer.movers:
        table = Table(title="Movers", expand=True, show_lines=False)
        for column in ("company", "ticker", "reported move", "live quote", "since the news"):
            table.add_column(column)
        for mover in answer.movers:
            reported = "; ".join(
                f"{r.text} {r.day_text} [{r.citation}]" for r in mover.reported
            ) or (
                "named in " + ", ".join(f"[{n}]" for n in mover.mentioned_in)
                if mover.mentioned_in else "—"
            )
            quote = mover.quote
            if quote is None:
                live = "—"
            elif quote.unavailable:
                live = quote.unavailable
            else:
                pct = (f" ({quote.change_percent:+.2f}% today)"
                       if quote.change_percent is not None else "")
                stamp = quote.as_of.strftime("%Y-%m-%d %H:%M UTC") if quote.as_of else "?"
                live = f"{quote.price:,.2f} {quote.currency or ''}{pct}\nas of {stamp}"
            since = (
                f"{mover.since_article.change_percent:+.1f}% since {mover.since_article.day}"
                if mover.since_article else (mover.since_article_unavailable or "—")
            )
            table.add_row(*(_plain(cell) for cell in (mover.name, mover.label, reported, live,
                                                        since)))
        parts.append(table)
    if answer.sources:
        parts.append(_sources(answer.sources))
    f = answer.freshness
    fresh = [f"newest news used: {day_of(f.newest_article_used)}" if f.newest_article_used else
             "no news used"]
    if f.index_built_at:
        fresh.append(f"index built {f.index_built_at.strftime('%Y-%m-%d %H:%M UTC')}")
    if f.quotes_as_of:
        fresh.append("quotes as of " + ", ".join(
            f"{t} {a.strftime('%Y-%m-%d %H:%M UTC')}" for t, a in f.quotes_as_of.items()))
    parts.append(_plain(" · ".join(fresh), style="dim"))
    style = "green" if answer.covered else "yellow"
    return Panel(Group(*parts), title=_plain(answer.question), border_style=style)  # type: ignore[arg-type]


def render_quote(result: Quote | QuoteUnavailable) -> Text:
    if isinstance(result, QuoteUnavailable):
        return _plain(f"{result.symbol}: {result.text}", style="yellow")
    pct = f" ({result.change_percent:+.2f}%)" if result.change_percent is not None else ""
    change = f" {result.change:+,.2f}" if result.change is not None else ""
    rng = (f"  day {result.day_low:,.2f}–{result.day_high:,.2f}"
           if result.day_low is not None and result.day_high is not None else "")
    state = f"  market {result.market_state.lower()}" if result.market_state else ""
    return _plain(
        f"{result.name or result.symbol} ({result.symbol}) {result.price:,.2f} "
        f"{result.currency or ''}{change}{pct}{rng}{state}  as of "
        f"{result.as_of.strftime('%Y-%m-%d %H:%M UTC')} ({result.source})"
    )


def render_news(hits: list[SearchHit]) -> Text:
    if not hits:
        return Text("no matching news in the index", style="yellow")
    out = Text()
    for hit in hits:
        _article(out, f"• {hit.title}", hit.outlet or "?", hit.published, hit.url, "  ")
    return out


def render_status(status: Status) -> Table:
    table = Table(show_header=False, box=None)

    def row(name: str, value: object) -> None:
        table.add_row(name, _plain(value))

    row("version", status.version)
    row("uptime", f"{status.uptime_seconds:.0f} s")
    if status.index_error:
        row("index", status.index_error)
    else:
        row("index", f"{status.index_generation}: {status.articles:,} articles, "
                     f"{status.chunks:,} chunks, {status.size_bytes / 1e6:.1f} MB")
        row("news", f"{day_of(status.oldest_article)} → {day_of(status.newest_article)}")
    if status.last_ingest:
        li = status.last_ingest
        row("last ingest", f"{li['finished']}: seen {li['seen']}, new {li['new']}, "
                           f"skipped {li['skipped']}, failed {li['failed']}")
    q = status.quotes
    health = "ok" if q.consecutive_failures == 0 else f"{q.consecutive_failures} failures"
    error = f" ({q.last_error})" if q.last_error else ""
    row("quotes", f"{q.provider}: {health}{error}")
    return table


def live_text(quote: LiveQuote | None) -> str:
    """ "live 480.00 USD (+1.20% today) as of 2025-01-02 21:00 UTC" or why there is none."""
    if quote is None:
        return "no live quote"
    if quote.unavailable or quote.price is None:
        return quote.unavailable or "quote unavailable"
    pct = f" ({quote.change_percent:+.2f}% today)" if quote.change_percent is not None else ""
    stamp = quote.as_of.strftime("%Y-%m-%d %H:%M UTC") if quote.as_of else "?"
    return f"live {quote.price:,.2f} {quote.currency or ''}{pct} as of {stamp}".replace("  ", " ")


def render_digest(digest: Digest) -> Panel:
    """The digest: a line per company (move, how many articles, watched), its sentence with
    its citation, the live quote; then the numbered sources."""
    out = Text()
    out.append(strip_controls(digest.text) + "\n")
    for i, row in enumerate(digest.rows, 1):
        out.append(strip_controls(f"\n{i}. {row.company} ({row.ticker})"), style="bold")
        if row.watched:
            out.append(" ★ watched", style="bold magenta")
        out.append(strip_controls(f" — {row.move} · {row.counts}\n"),
                   style="green" if row.direction == "up" else "red")
        out.append(strip_controls(f"   \"{row.sentence}\" [{row.citation}]\n"))
        out.append(strip_controls(f"   {live_text(row.quote)}\n"), style="dim")
    if digest.companies > len(digest.rows):
        left = digest.companies - len(digest.rows)
        out.append(f"\n{left} more compan{'ies' if left != 1 else 'y'} not shown\n",
                   style="dim")
    if digest.sources:
        out.append("\n")
        out.append_text(_sources(digest.sources))
    return Panel(out, title=_plain(f"What moved in AI news · {digest.period}"),
                 border_style="green" if digest.covered else "yellow")


def console() -> Console:
    return Console()
