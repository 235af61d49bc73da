"""Clean text out: control characters and terminal escapes never reach the index or a screen,
and a question with bytes that are not UTF-8 is cleaned or refused, never a traceback."""

from __future__ import annotations

import io
import json
import os
import re
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from rich.console import Console

from bot.answer import Answer
from bot.answer.model import LiveQuote, Mover, ReportedMove, Source
from bot.app import BotApp
from bot.question import QuestionError
from bot.question.parse import normalize
from bot.quotes import FakeQuoteProvider, QuoteSettings, QuoteUnavailable
from bot.render_discord import render_answer as discord_answer
from bot.render_discord import render_quote as discord_quote
from bot.render_terminal import render_answer, render_news, render_quote
from bot.services import Services, build_services
from bot.settings import AnswerSettings
from bot.terminal import chat, handle
from index import generations
from index.embedding import FakeEmbedder
from index.entities import EntityResolver, TickerTable
from index.records import Article
from index.settings import IndexSettings
from index.text import strip_controls, strip_controls_in
from ingest.pipeline import Ingestor
from ingest.settings import IngestSettings
from ingest.sources import SourceSpec
from ingest.sources.build import build_article
from ingest.sources.clean import clean_text, clean_title
from tests.conftest import ROOT

# Anything a terminal would act on, or that cannot be printed as UTF-8.
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
HOSTILE = (
    "Nvidia \x1b[31mjumped\x1b[0m 9%\x00 \x1b]0;owned\x07 on \x1b]8;;http://evil.example/\x1b\\"
    "guidance\x1b]8;;\x1b\\ \x9b2J\x1b[2J\x1bc \u202etxt.exe\u202c \udcff\x7f [/x] [bold]b"
)


# -- the shared function -----------------------------------------------------------------
@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("\x1b[1;31mred\x1b[0m", "red"),  # CSI: colours
        ("a\x1b[2J\x1b[Hb", "ab"),  # CSI: clear screen, cursor home
        ("x\x1b[?1049hy", "xy"),  # CSI with a private parameter
        ("t\x1b]0;title\x07u", "tu"),  # OSC ended by BEL
        ("\x1b]8;;http://e.example\x1b\\link\x1b]8;;\x1b\\", "link"),  # OSC 8 hyperlink, ST
        ("p\x1bP1$r\x1b\\q", "pq"),  # DCS
        ("k\x1bcl", "kl"),  # two-byte escape (reset)
        ("c1\x9b31mx\x9d0;t\x9cy", "c1xy"),  # C1 CSI and OSC
        ("nul\x00del\x7fbel\x07bs\x08", "nuldelbelbs"),
        ("bidi \u202eevil\u202c \u2066iso\u2069", "bidi evil iso"),
        ("bytes \udcff\udcfe gone", "bytes  gone"),  # what undecodable bytes become
        ("cr\r\nlf\rend", "cr\nlf\nend"),
        ("v\x0bf\x0c", "v f "),
        ("cut \x1b[3", "cut "),  # a sequence cut off at the end
        ("keep\ttab\nand newline", "keep\ttab\nand newline"),
        ("Nestlé 🚀 中文 — “quotes” ‘’ …", "Nestlé 🚀 中文 — “quotes” ‘’ …"),
    ],
)
def test_strip_controls(raw, clean):
    assert strip_controls(raw) == clean
    assert strip_controls(clean) == clean


def test_clean_text_is_returned_as_is():
    text = "A plain headline, with nothing to strip." * 100
    assert strip_controls(text) is text


def test_strip_controls_in_nested_values():
    value = {"q\x1b[2J": ["a\x00", ("b\udcff", 3)], "n": None, "d": {"x": "\x1b]0;t\x07ok"}}
    assert strip_controls_in(value) == {"q": ["a", ("b", 3)], "n": None, "d": {"x": "ok"}}
    assert not CONTROL.search(json.dumps(strip_controls_in(value), ensure_ascii=False))


# -- ingest ------------------------------------------------------------------------------
def test_clean_text_and_title_strip_escapes():
    assert not CONTROL.search(clean_text(HOSTILE))
    assert not CONTROL.search(clean_text("a &#27;[2J b &#x9b;31m c &#27;]0;t&#7; d"))
    html = "<p>First\x00 para \x1b[31mred</p><p>Second &#27;[2J para</p>"
    assert clean_text(html) == "First para red\n\nSecond para"  # paragraphs kept
    assert clean_title("\x1b]0;owned\x07Nvidia \x1b[1msoars\x1b[0m\x00 - Reuters", "Reuters") == (
        "Nvidia soars"
    )


def test_built_articles_are_clean():
    [article] = list(build_article(
        source="test", title="Title \x1b[5mblink\x1b[0m", text=HOSTILE,
        outlet="Out\x1b[31mlet", url="https://example.com/a",
    ))
    assert isinstance(article, Article)
    assert not CONTROL.search(article.title) and not CONTROL.search(article.text)
    assert "jumped 9%" in article.text


def test_ingested_index_holds_no_control_characters(tmp_path):
    folder = tmp_path / "news"
    folder.mkdir()
    # A NUL makes a .txt a binary file and a byte that is not UTF-8 a refused one: both skipped.
    text = HOSTILE.replace("\x00", "").replace("\udcff", "")
    (folder / "hostile.txt").write_text(
        "Nvidia \x1b[31msoars\x1b[0m on forecast\n\n" + text + "\n\nShares rose 9% on Thursday.",
        encoding="utf-8",
    )
    (folder / "hostile.jsonl").write_text(json.dumps({  # "\\udcff": a lone surrogate
        "title": "Adobe \x1b]0;pwned\x07falls", "text": "Adobe fell 7%.\x00\x1b[2J " + HOSTILE,
        "url": "https://example.com/adobe", "published": "2024-02-16",
    }) + "\n")
    index_dir = tmp_path / "index"
    report = Ingestor(
        index_dir, IngestSettings(_env_file=None), FakeEmbedder(dimension=64),  # type: ignore[call-arg]
        EntityResolver(TickerTable.load()),
    ).run([SourceSpec(name="hostile", location=str(folder))])
    assert report.new == 2, report
    database = generations.current_generation(index_dir) / generations.SQLITE_NAME
    with sqlite3.connect(database) as db:
        tables = [row[0] for row in db.execute("select name from sqlite_master where type='table'")]
        seen = 0
        for table in tables:
            if table.startswith(("sqlite_", "runs")) or "fts" in table:
                continue
            for row in db.execute(f"select * from {table}"):  # our own table names
                for value in row:
                    if isinstance(value, str):
                        seen += 1
                        assert not CONTROL.search(value.replace("\n", "").replace("\t", "")), (
                            table, value[:120])
    assert seen > 0


# -- questions ---------------------------------------------------------------------------
def test_normalize_drops_controls_and_lone_surrogates():
    assert normalize("why did $NVDA \udcff\udcfe jump\x1b[2J\x00 \u202e?") == "why did $NVDA jump ?"


@pytest.fixture(scope="module")
def fake_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    index_dir = tmp_path_factory.mktemp("clean-index") / "index"
    Ingestor(
        index_dir, IngestSettings(_env_file=None), FakeEmbedder(dimension=64),  # type: ignore[call-arg]
        EntityResolver(TickerTable.load()),
    ).run([SourceSpec(name="sample", location=str(ROOT / "sample"))])
    return index_dir


@pytest.fixture
def services(fake_index: Path):
    built = build_services(
        IndexSettings(_env_file=None, index_dir=fake_index, embedding_model="fake:64"),  # type: ignore[call-arg]
        AnswerSettings(_env_file=None), QuoteSettings(_env_file=None),  # type: ignore[call-arg]
        embedder=FakeEmbedder(dimension=64), quotes=FakeQuoteProvider({"NVDA": 123.45}),
    )
    yield built
    built.live.close()


async def test_a_question_of_undecodable_bytes_is_refused_with_the_example(services: Services):
    with pytest.raises(QuestionError, match="ask a question"):
        await services.engine.ask("\udcff\udcfe\x1b[2J")
    answer = await services.engine.ask("why did nvidia \udcff\udcfe jump\x1b]0;t\x07")
    assert answer.question == "why did nvidia jump"
    answer.model_dump_json()  # serialisable: no surrogate left


def screen() -> tuple[Console, io.StringIO]:
    out = io.StringIO()
    return Console(file=out, width=200, color_system=None), out


async def test_terminal_chat_goes_on_after_bad_input(services: Services):
    console, out = screen()
    lines = (
        "why did nvidia \udcff jump\x1b[2J\n"
        "/[/x]\n"  # rich markup that does not parse
        "/quote \x1b[31mNVDA\n"
        "[/bold] who lost from sora?\n"
        "/status\n"
    )
    assert await chat(BotApp(services), stdin=io.StringIO(lines), console=console) == 0
    text = out.getvalue()
    assert not CONTROL.search(text.replace("\n", ""))
    assert "unknown command /[/x]" in text
    assert "123.45" in text
    assert "uptime" in text  # the last line was answered too


async def test_terminal_chat_reads_bytes_that_are_not_utf8(services: Services):
    console, out = screen()
    stdin = io.TextIOWrapper(io.BytesIO(b"why did nvidia \xff\xfe jump\n/status\n"),
                             encoding="utf-8")  # strict, as on a UTF-8 locale
    assert await chat(BotApp(services), stdin=stdin, console=console) == 0
    text = out.getvalue()
    assert "why did nvidia jump" in text and "uptime" in text


async def test_terminal_chat_survives_an_unexpected_failure(services: Services, monkeypatch):
    async def broken(*args: object, **kwargs: object) -> Answer:
        raise RuntimeError("boom")

    monkeypatch.setattr(services.engine, "ask", broken)
    console, out = screen()
    assert await chat(BotApp(services), stdin=io.StringIO("a question\n/status\n"), console=console) == 0
    assert "internal error" in out.getvalue() and "uptime" in out.getvalue()


async def test_handle_cleans_commands(services: Services):
    console, out = screen()
    await handle("/quote \x1b]0;x\x07../../etc", BotApp(services), console)
    await handle("/news \x1b[2Jnvidia", BotApp(services), console)
    assert not CONTROL.search(out.getvalue().replace("\n", ""))


# -- printers ----------------------------------------------------------------------------
def hostile_answer() -> Answer:
    when = datetime(2024, 2, 19, 7, 7, tzinfo=UTC)
    return Answer(
        question="q \x1b]0;t\x07[/x]", covered=True, text=HOSTILE, generated_at=when,
        assumptions=["as\x1b[2Jsumed"],
        movers=[Mover(
            name="Ado\x1b[31mbe", ticker="ADBE",
            reported=[ReportedMove(company="Adobe", sentence="s\x1b[2J", direction="down",
                                   text="down \x00 7%", citation=1,
                                   refers_to=when.date())],
            quote=LiveQuote(unavailable="quote unavailable: \x1b[5mx"),
        )],
        sources=[Source(n=1, title="T\x1b[31mitle [/i]", outlet="O\x9b2Jut",
                        url="https://e.example/\x1b[2J", article_id="a", published=when)],
    )


def test_terminal_printers_strip_escapes_and_ignore_markup():
    console, out = screen()
    console.print(render_answer(hostile_answer()))
    console.print(render_quote(QuoteUnavailable(symbol="X", reason="r\x1b[2J", kind="error")))
    text = out.getvalue()
    assert "\x1b" not in text and "\x9b" not in text and "\x00" not in text
    assert "Title [/i]" in text and "Adobe" in text and "[/x]" in text


def test_terminal_news_is_clean():
    from index.reader import SearchHit

    console, out = screen()
    hit = SearchHit(article_id="a", chunk_id=1, position=0, url="https://e.example/\x1b[2J",
                    title="N\x1b[31mews [/b]", outlet="o\x00", published=None, text="t",
                    tickers=[], score=1.0)
    console.print(render_news([hit]))
    assert "News [/b]" in out.getvalue() and "\x1b" not in out.getvalue()


def test_discord_embeds_are_clean():
    embed = discord_answer(hostile_answer())
    parts = [embed.title or "", embed.description or "", embed.footer.text or ""]
    parts += [f"{f.name}{f.value}" for f in embed.fields]
    assert not any(CONTROL.search(p.replace("\n", "")) for p in parts), parts
    quote = discord_quote(QuoteUnavailable(symbol="X", reason="r\x1b[2J", kind="error"))
    assert "\x1b" not in (quote.description or "")


# -- python -m bot ask ------------------------------------------------------------------
def ask(*args: str | bytes, index_dir: Path) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "INDEX_DIR": str(index_dir), "EMBEDDING_MODEL": "fake:64",
           "QUOTES_ENABLED": "false"}  # no quote request leaves this machine
    return subprocess.run([sys.executable, "-m", "bot", "ask", *args], cwd=ROOT, env=env,
                          capture_output=True, timeout=120, check=False)


def test_bot_ask_with_bytes_that_are_not_utf8(fake_index: Path):
    refused = ask(b"\xff\xfe", index_dir=fake_index)
    stderr = refused.stderr.decode()
    assert refused.returncode == 2, stderr
    assert "not UTF-8" in stderr and "ask a question" in stderr
    assert "Traceback" not in stderr

    answered = ask("--json", b"why did nvidia \xff\xfe jump \x1b[2J\x1b]0;t\x07",
                   index_dir=fake_index)
    assert answered.returncode == 0, answered.stderr.decode()
    answer = json.loads(answered.stdout)  # valid JSON
    assert answer["question"] == "why did nvidia jump"
    assert b"\x1b" not in answered.stdout and b"\\u001b" not in answered.stdout

    plain = ask(b"why did nvidia \xff jump \x1b[2J", index_dir=fake_index)
    assert plain.returncode == 0, plain.stderr.decode()
    assert b"\x1b[2J" not in plain.stdout and b"\xff" not in plain.stdout
