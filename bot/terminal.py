"""The terminal chat: the same commands as in Discord, without Discord.

Plain text asks a question; ``/quote T``, ``/news Q``, ``/status`` and ``/help`` work as they
will in Discord. When stdin is not a terminal, each line is one question.
"""

from __future__ import annotations

import asyncio
import logging
import sys
from typing import TextIO

from rich.console import Console
from rich.text import Text

from bot.app import BotApp, UserFacingError, is_expected, user_message
from bot.digest import DEFAULT_DAYS
from bot.render_terminal import (
    render_answer,
    render_digest,
    render_news,
    render_quote,
    render_status,
)
from index.text import strip_controls

log = logging.getLogger(__name__)

QUIT = ("/quit", "/exit")

HELP = (
    "Ask anything about AI-market news, e.g. 'who lost from Sora?' or 'why did $NVDA jump?'.\n"
    "Commands: /quote TICKER · /news TOPIC · /digest [DAYS] [YYYY-MM-DD] · /status · /help · "
    "/quit"
)
DEMO_QUESTION = "who lost from Sora?"


DIGEST_USAGE = "usage: /digest [DAYS] [YYYY-MM-DD], e.g. /digest 7 or /digest 30 2023-12-31"


def digest_args(rest: str) -> tuple[int, str | None]:
    """``/digest`` arguments: a number of days and/or a last day, in either order."""
    days: int | None = None
    until: str | None = None
    for word in rest.split():
        if word.isdigit() and days is None:
            days = int(word)
        elif until is None and not word.isdigit():
            until = word
        else:
            raise UserFacingError(DIGEST_USAGE)
    return days or DEFAULT_DAYS, until


async def handle(line: str, app: BotApp, console: Console) -> None:
    """Answer one line of input: a command or a question; a failure is one line of
    ``user_message`` (with the index's reason: this is the operator's terminal), and the chat
    goes on. Control characters, terminal escapes and undecodable bytes (lone surrogates) are
    dropped first; nothing typed or printed is read as markup."""
    line = strip_controls(line).strip()
    if not line:
        return
    command, _, rest = line.partition(" ")
    rest = rest.strip()
    try:
        if command == "/help":
            console.print(Text(HELP))
        elif command == "/quote":
            if not rest:
                console.print(Text("usage: /quote TICKER"))
                return
            console.print(render_quote(await app.quote(rest.split()[0])))
        elif command == "/news":
            console.print(render_news(await app.news(rest)))
        elif command == "/digest":
            days, until = digest_args(rest)
            console.print(render_digest(await app.digest(days, until)))
        elif command == "/status":
            console.print(render_status(await app.status()))
        elif command.startswith("/"):
            console.print(Text(f"unknown command {command}. {HELP}"))
        else:
            console.print(render_answer(await app.ask(line)))
    except Exception as exc:
        if not is_expected(exc):
            log.exception("the chat could not handle a line")
        style = "yellow" if is_expected(exc) else "red"
        console.print(Text(user_message(exc, detail=True), style=style))


async def chat(app: BotApp, stdin: TextIO = sys.stdin, console: Console | None = None) -> int:
    """Interactive on a terminal; one question per line otherwise (the demo question when the
    input is empty)."""
    console = console or Console()
    if hasattr(stdin, "reconfigure"):  # bytes that are not UTF-8 must not end the chat
        stdin.reconfigure(errors="surrogateescape")
    if not stdin.isatty():
        lines = [line for line in stdin.read().splitlines() if line.strip()]
        for line in lines or [DEMO_QUESTION]:
            if line.strip() in QUIT:
                return 0
            if not lines:
                console.print(Text(f"(no input: asking the demo question) > {line}"))
            await handle(line, app, console)
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
        if line.strip() in QUIT:
            return 0
        await handle(line, app, console)
