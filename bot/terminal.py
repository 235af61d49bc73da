"""The terminal chat: the same commands as in Discord, without Discord.

Plain text asks a question; ``/quote T``, ``/news Q``, ``/status`` and ``/help`` work as they
will in Discord. When stdin is not a terminal, each line is one question.
"""

from __future__ import annotations

import asyncio
import logging
import sys
from datetime import UTC, datetime
from typing import TextIO

from rich.console import Console
from rich.text import Text

from bot.news import latest_news
from bot.question import QuestionError
from bot.render_terminal import render_answer, render_news, render_quote, render_status
from bot.services import Services
from bot.status import collect_status
from index.errors import IndexError_
from index.text import strip_controls

log = logging.getLogger(__name__)

HELP = (
    "Ask anything about AI-market news, e.g. 'who lost from Sora?' or 'why did $NVDA jump?'.\n"
    "Commands: /quote TICKER · /news TOPIC · /status · /help · /quit"
)
DEMO_QUESTION = "who lost from Sora?"


async def handle(line: str, services: Services, console: Console) -> None:
    """Answer one line of input: a command or a question. Control characters, terminal escapes
    and undecodable bytes (lone surrogates) are dropped first; nothing typed is read as markup."""
    line = strip_controls(line).strip()
    if not line:
        return
    command, _, rest = line.partition(" ")
    rest = rest.strip()
    try:
        if command == "/help":
            console.print(HELP)
        elif command == "/quote":
            if not rest:
                console.print("usage: /quote TICKER")
                return
            console.print(render_quote(await services.quotes.quote(rest.split()[0])))
        elif command == "/news":
            hits = await asyncio.to_thread(
                latest_news, services.engine.retriever.searcher, rest or "AI stocks",
                services.engine.understand(rest or "AI", datetime.now(UTC)).tickers, None,
                datetime.now(UTC),
            )
            console.print(render_news(hits))
        elif command == "/status":
            status = await asyncio.to_thread(
                collect_status, services.live, services.quotes.health(), services.started
            )
            console.print(render_status(status))
        elif command.startswith("/"):
            console.print(Text(f"unknown command {command}. {HELP}"))
        else:
            console.print(render_answer(await services.engine.ask(line)))
    except QuestionError as exc:
        console.print(Text(strip_controls(str(exc)), style="yellow"))
    except IndexError_ as exc:
        console.print(Text(f"the news index is not available: {strip_controls(str(exc))}",
                           style="red"))
    except TimeoutError:
        console.print("[red]the search took too long; try again[/]")


async def chat(
    services: Services, stdin: TextIO = sys.stdin, console: Console | None = None
) -> int:
    """Interactive on a terminal; one question per line otherwise (the demo question when the
    input is empty)."""
    console = console or Console()
    if hasattr(stdin, "reconfigure"):  # bytes that are not UTF-8 must not end the chat
        stdin.reconfigure(errors="surrogateescape")
    if not stdin.isatty():
        lines = [line for line in stdin.read().splitlines() if line.strip()]
        for line in lines or [DEMO_QUESTION]:
            if not lines:
                console.print(f"(no input: asking the demo question) > {line}")
            await _handle_safely(line, services, console)
        return 0
    console.print(f"[bold]AI market news[/] — {HELP}")
    while True:
        try:
            line = await asyncio.to_thread(console.input, "[bold cyan]> [/]")
        except (EOFError, KeyboardInterrupt):
            console.print()
            return 0
        except UnicodeDecodeError:
            console.print(Text("that line was not UTF-8 text; try again", style="yellow"))
            continue
        if line.strip() in ("/quit", "/exit"):
            return 0
        await _handle_safely(line, services, console)


async def _handle_safely(line: str, services: Services, console: Console) -> None:
    """:func:`handle`, but the chat goes on after any failure (logged, one line shown)."""
    try:
        await handle(line, services, console)
    except Exception:
        log.exception("the chat could not handle a line")
        console.print(Text("internal error while answering that; the chat goes on", style="red"))
