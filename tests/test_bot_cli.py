"""The terminal front end: `python -m bot ask`, the line-per-question chat, and commands."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys

import pytest
from rich.console import Console

from bot.app import BotApp
from bot.quotes import FakeQuoteProvider, QuoteSettings
from bot.services import build_services
from bot.settings import AnswerSettings
from bot.terminal import chat, handle
from index.settings import IndexSettings
from tests.conftest import ROOT

pytestmark = pytest.mark.integration


def run(*args: str, index_dir, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    # Quotes go through a "proxy" on a closed loopback port: refused at once, so every quote is
    # "quote unavailable" and no packet (not even a DNS query for Yahoo) leaves the machine.
    env = {**os.environ, "INDEX_DIR": str(index_dir), "QUOTES_TIMEOUT_SECONDS": "2",
           "QUOTES_PROXY": "http://127.0.0.1:9"}
    return subprocess.run([sys.executable, "-m", "bot", *args], cwd=ROOT, env=env, input=stdin,
                          capture_output=True, text=True, timeout=300)


def test_ask_json_prints_the_answer_model(sample_index):
    done = run("ask", "--json", "who lost from Sora?", index_dir=sample_index)
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout)
    assert {"text", "movers", "sources", "freshness", "covered"} <= set(answer)
    assert answer["covered"] is True
    assert {"ADBE", "SSTK"} <= {m["ticker"] for m in answer["movers"]}
    assert answer["sources"][0]["published"].startswith("2024-02-19T07:07:00")
    assert all(m["quote"]["unavailable"].startswith("quote unavailable") for m in answer["movers"]
               if m["ticker"])


def test_ask_refuses_empty_and_long_questions(sample_index):
    empty = run("ask", "   ", index_dir=sample_index)
    assert empty.returncode == 2 and "ask a question" in empty.stderr
    long = run("ask", "x" * 501, index_dir=sample_index)
    assert long.returncode == 2 and "limited to 500 characters" in long.stderr


def test_fresh_machine_ingests_the_sample_then_answers_lines(tmp_path):
    done = run(index_dir=tmp_path / "fresh", stdin="who lost from Sora?\n\nwhat is the capital of France?\n")
    assert done.returncode == 0, done.stderr
    assert "ingesting the bundled sample" in done.stdout
    assert "Shutterstock" in done.stdout and "ADBE" in done.stdout
    assert "does not cover" in done.stdout


async def test_commands(sample_index, real_embedder):
    services = build_services(
        IndexSettings(_env_file=None, index_dir=sample_index),  # type: ignore[call-arg]
        AnswerSettings(_env_file=None), QuoteSettings(_env_file=None),  # type: ignore[call-arg]
        embedder=real_embedder, quotes=FakeQuoteProvider({"NVDA": 123.45}),
    )
    app = BotApp(services)
    out = io.StringIO()
    console = Console(file=out, width=200)
    await handle("/quote nvda", app, console)
    await handle("/quote ../../etc", app, console)
    await handle("/news nvidia", app, console)
    await handle("/status", app, console)
    await handle("/nope", app, console)
    text = out.getvalue()
    assert "NVDA" in text and "123.45" in text
    assert "invalid symbol" in text
    assert "Nvidia soars on blowout AI chip forecast" in text
    assert "5 articles" in text and "fake" in text
    assert "unknown command /nope" in text
    out2 = io.StringIO()
    await chat(app, stdin=io.StringIO("nvidia\n"), console=Console(file=out2, width=200))
    assert "Nvidia" in out2.getvalue()
    # Piped input stops at /quit, as typed input does.
    out3 = io.StringIO()
    await chat(app, stdin=io.StringIO("/quit\nnvidia\n"), console=Console(file=out3, width=200))
    assert "Nvidia" not in out3.getvalue() and "unknown command" not in out3.getvalue()
