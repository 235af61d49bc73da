"""``python -m bot``: the chat bot (terminal without a Discord token) and ``ask``."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import os
import subprocess
import sys
from collections.abc import Generator, Sequence
from datetime import date
from pathlib import Path
from typing import BinaryIO

from rich.console import Console
from rich.markup import escape

from bot.app import BotApp, UserFacingError, is_expected, user_message
from bot.digest import DEFAULT_DAYS, MAX_DAYS
from bot.discord_settings import DiscordSettings
from bot.question import QuestionError
from bot.quotes import QuoteSettings
from bot.render_terminal import render_answer, render_digest
from bot.services import build_services
from bot.settings import AnswerSettings
from bot.terminal import chat
from index import generations
from index.embedding import EmbedderError
from index.settings import IndexSettings
from index.text import strip_controls, strip_controls_in

log = logging.getLogger("bot")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bot",
        description="AI market news bot. Without a command: the chat (Discord when "
        "DISCORD_TOKEN is set, otherwise the terminal).",
    )
    parser.add_argument("--index-dir", type=Path, help="index directory (default: $INDEX_DIR)")
    parser.add_argument("-v", "--verbose", action="store_true")
    sub = parser.add_subparsers(dest="command")
    ask = sub.add_parser("ask", help="answer one question (or --batch: one per line) and exit")
    ask.add_argument("question", nargs="*")
    ask.add_argument("--index-dir", type=Path, dest="ask_index_dir", metavar="DIR")
    ask.add_argument("--json", action="store_true", help="print the Answer as JSON")
    ask.add_argument("--batch", metavar="FILE",
                     help="answer one question per line of FILE ('-' = stdin), warm in this "
                     "process; with --json one JSON object per line, flushed as each is answered")
    digest = sub.add_parser("digest", help="what moved in AI news (reported stock moves)")
    digest.add_argument("--days", type=int, default=DEFAULT_DAYS,
                        help=f"days in the window (default {DEFAULT_DAYS}, at most {MAX_DAYS})")
    digest.add_argument("--until", type=_day, metavar="YYYY-MM-DD",
                        help="last day of the window (UTC; default now)")
    digest.add_argument("--index-dir", type=Path, dest="ask_index_dir", metavar="DIR")
    digest.add_argument("--json", action="store_true", help="print the Digest as JSON")
    return parser


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date like 2023-12-31: {text!r}") from None


def ensure_index(index_dir: Path, console: Console) -> None:
    """On a fresh machine, ingest the bundled sample so the bot has something to say."""
    if generations.current_name(index_dir) is not None:
        return
    console.print(f"[dim]{index_dir} is empty: ingesting the bundled sample first…[/]")
    env = {**os.environ, "INDEX_DIR": str(index_dir)}
    result = subprocess.run(
        [sys.executable, "-m", "ingest", "sample"], env=env, capture_output=True, text=True,
        check=False,
    )
    if result.returncode != 0:
        console.print(f"[red]ingesting the sample failed:[/] {result.stderr.strip()[-500:]}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command == "ask" and (args.batch is None) == (not args.question):
        parser.error("ask takes a QUESTION or --batch FILE, not both" if args.question
                     else "ask needs a QUESTION (or --batch FILE)")
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    index_settings = IndexSettings()
    index_dir = getattr(args, "ask_index_dir", None) or args.index_dir or index_settings.index_dir
    index_settings = index_settings.model_copy(update={"index_dir": index_dir})
    console = Console(stderr=bool(getattr(args, "json", False)))
    ensure_index(index_dir, console)
    try:
        services = build_services(index_settings, AnswerSettings(), QuoteSettings())
    except EmbedderError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.command == "ask":
        if args.batch is not None:
            return asyncio.run(_batch(BotApp(services), args.batch, args.json))
        return asyncio.run(_ask(BotApp(services), _question(args.question), args.json))
    discord_settings = DiscordSettings()
    if args.command == "digest":
        return asyncio.run(_digest(BotApp(services), args.days, args.until, args.json,
                                   watched_keys(discord_settings.state_path)))
    if discord_settings.token is not None:
        from bot.discord_app import run_discord  # loads discord.py only when it is needed

        return asyncio.run(run_discord(services, discord_settings))
    return asyncio.run(_chat(BotApp(services)))


def _question(words: Sequence[str]) -> str:
    """The question from the command line, cleaned: bytes that are not UTF-8 (which arrive as
    lone surrogates), control characters and terminal escapes are dropped, with a note."""
    raw = " ".join(words)
    question = strip_controls(raw)
    if question != raw:
        print("note: dropped control characters or bytes that are not UTF-8 from the question",
              file=sys.stderr)
    return question


async def _ask(app: BotApp, question: str, as_json: bool) -> int:
    """Print one answer; an error is one line of ``user_message`` on stderr (2: the question
    was refused, 1: anything else). The app is closed before printing (bounded)."""
    try:
        answer = await app.ask(question)
    except Exception as exc:
        if not is_expected(exc):
            log.exception("could not answer the question")
        print(f"error: {user_message(exc, detail=True)}", file=sys.stderr)
        return 2 if isinstance(exc, QuestionError | UserFacingError) else 1
    finally:
        await app.aclose()
    if as_json:  # valid JSON, without control characters even escaped ones
        print(json.dumps(strip_controls_in(answer.model_dump(mode="json")), indent=2,
                         ensure_ascii=False))
    else:
        Console().print(render_answer(answer))
    return 0


def _batch_lines(source: str) -> Generator[tuple[int, str]]:
    """(line number, raw line) of the batch input, read one line at a time (stdin is not read
    ahead, so an answer can go out before the next question is typed). Bytes that are not
    UTF-8 become lone surrogates, which ``strip_controls`` drops."""
    stream: BinaryIO = sys.stdin.buffer if source == "-" else open(source, "rb")  # noqa: SIM115
    try:
        for number, raw in enumerate(iter(stream.readline, b""), start=1):
            yield number, raw.decode("utf-8", "surrogateescape").rstrip("\r\n")
    finally:
        if stream is not sys.stdin.buffer:
            stream.close()


async def _batch(app: BotApp, source: str, as_json: bool) -> int:
    """Answer every non-blank line of ``source`` with one warm ``app``; each answer is written
    and flushed as soon as it is ready. A refused or failed line writes an error (with
    ``"error"``, ``"line"``, ``"question"`` and ``"refused"`` in JSON) and the batch goes on.
    0 when every line was answered, 1 when some line was not, 2 when the input cannot be read."""
    failed = 0
    lines = _batch_lines(source)
    console = Console()
    try:
        while True:
            try:
                item = await asyncio.to_thread(next, lines, None)
            except OSError as exc:
                print(f"error: cannot read the questions: {exc}", file=sys.stderr)
                return 2
            if item is None:
                break
            number, raw = item
            question = strip_controls(raw).strip()
            if not question:
                continue
            try:
                answer = await app.ask(question)
            except Exception as exc:
                if not is_expected(exc):
                    log.exception("could not answer line %d", number)
                failed += 1
                message = user_message(exc, detail=True)
                refused = isinstance(exc, QuestionError | UserFacingError)
                if as_json:
                    _write_line({"line": number, "question": question, "error": message,
                                 "refused": refused})
                else:
                    console.print(f"[bold]{number}. {escape(question)}[/]\n[red]error:[/] "
                                  f"{escape(message)}\n")
                    sys.stdout.flush()
                continue
            if as_json:
                _write_line(answer.model_dump(mode="json"))
            else:
                console.print(f"[bold]{number}. {escape(question)}[/]")
                console.print(render_answer(answer))
                console.print()
                sys.stdout.flush()
    except BrokenPipeError:  # the reader went away: stop quietly
        with contextlib.suppress(OSError):
            sys.stdout = open(os.devnull, "w")  # noqa: SIM115 (no second error at exit)
        return 1
    finally:
        lines.close()
        await app.aclose()
    return 1 if failed else 0


def _write_line(value: object) -> None:
    """One JSON object on one line (no control characters, even escaped ones), flushed."""
    sys.stdout.write(json.dumps(strip_controls_in(value), ensure_ascii=False) + "\n")
    sys.stdout.flush()


def watched_keys(state_path: Path) -> set[str]:
    """The watched keys of the bot state, to mark digest rows; none when the file does not
    exist (it is not created here) or cannot be read (a warning says why)."""
    if not state_path.exists():
        return set()
    from bot.state import BotState, StateError

    try:
        with BotState.open(state_path) as state:
            return state.watched_keys()
    except StateError as exc:
        print(f"warning: watched companies not marked: {exc}", file=sys.stderr)
        return set()


async def _digest(app: BotApp, days: int, until: date | None, as_json: bool,
                  watched: set[str]) -> int:
    """Print the digest; an error is one line on stderr (2: bad days, 1: anything else)."""
    try:
        digest = await app.digest(days, until, watched=watched)
    except Exception as exc:
        if not is_expected(exc):
            log.exception("could not compose the digest")
        print(f"error: {user_message(exc, detail=True)}", file=sys.stderr)
        return 2 if isinstance(exc, UserFacingError) else 1
    finally:
        await app.aclose()
    if as_json:
        print(json.dumps(strip_controls_in(digest.model_dump(mode="json")), indent=2,
                         ensure_ascii=False))
    else:
        Console().print(render_digest(digest))
    return 0


async def _chat(app: BotApp) -> int:
    try:
        return await chat(app)
    finally:
        await app.aclose()
