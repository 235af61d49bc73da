"""``python -m bot ask --batch``: many questions answered warm in one process, one answer per
line, each flushed as soon as it is ready; a bad line writes an error and the batch goes on."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.integration


def env_for(index_dir: Path) -> dict[str, str]:
    # Quotes go through a "proxy" on a closed loopback port: refused at once, nothing leaves.
    return {**os.environ, "INDEX_DIR": str(index_dir), "QUOTES_TIMEOUT_SECONDS": "2",
            "QUOTES_PROXY": "http://127.0.0.1:9", "PYTHONIOENCODING": "utf-8"}


def test_batch_json_answers_line_by_line_and_survives_a_bad_line(sample_index: Path) -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "ask", "--json", "--batch", "-"], cwd=ROOT,
        env=env_for(sample_index), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE)
    assert process.stdin is not None and process.stdout is not None
    try:
        # The first answer arrives while stdin is still open: nothing waits for the end.
        process.stdin.write(b"who lost from Sora?\n")
        process.stdin.flush()
        first = json.loads(process.stdout.readline())
        assert first["covered"] is True and first["intent"] == "losers"
        assert {"ADBE", "SSTK"} <= {m["ticker"] for m in first["movers"]}
        assert all(m["quote"]["unavailable"].startswith("quote unavailable")
                   for m in first["movers"] if m["ticker"])

        # A blank line is skipped, a too-long line (line 3) is refused, a line of bytes that
        # are not UTF-8 around a question (line 4) is cleaned and answered.
        process.stdin.write(b"\n" + b"x" * 501 + b"\n" + b"\xffwhy did nvidia jump?\xfe\n")
        process.stdin.flush()
        bad = json.loads(process.stdout.readline())
        assert bad["line"] == 3 and bad["refused"] is True
        assert "limited to 500 characters" in bad["error"]
        third = json.loads(process.stdout.readline())
        assert third["question"] == "why did nvidia jump?" and "NVDA" in json.dumps(third)

        process.stdin.write(b"what is the capital of France?\n")
        process.stdin.close()
        last = json.loads(process.stdout.readline())
        assert last["covered"] is False
        assert process.stdout.read() == b""  # one line per question, nothing else on stdout
        assert process.wait(timeout=120) == 1  # a line was refused
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        process.stdout.close()
        assert process.stderr is not None
        process.stderr.close()


def test_batch_from_a_file_plain_text_and_exit_codes(sample_index: Path, tmp_path: Path) -> None:
    questions = tmp_path / "questions.txt"
    questions.write_text("who lost from Sora?\n\n  \nwhy did nvidia jump?\n", encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "bot", "ask", "--batch", str(questions)], cwd=ROOT,
        env=env_for(sample_index), capture_output=True, text=True, timeout=300,
        encoding="utf-8")
    assert done.returncode == 0, done.stderr
    assert "1. who lost from Sora?" in done.stdout and "4. why did nvidia jump?" in done.stdout
    assert done.stdout.index("Shutterstock") < done.stdout.index("4. why did nvidia jump?")

    as_json = subprocess.run(
        [sys.executable, "-m", "bot", "ask", "--json", "--batch", str(questions)], cwd=ROOT,
        env=env_for(sample_index), capture_output=True, text=True, timeout=300,
        encoding="utf-8")
    assert as_json.returncode == 0, as_json.stderr
    answers = [json.loads(line) for line in as_json.stdout.splitlines()]
    assert [a["question"] for a in answers] == ["who lost from Sora?", "why did nvidia jump?"]

    both = subprocess.run(
        [sys.executable, "-m", "bot", "ask", "--batch", str(questions), "why?"], cwd=ROOT,
        env=env_for(sample_index), capture_output=True, text=True, timeout=60)
    assert both.returncode == 2 and "not both" in both.stderr
    missing = subprocess.run(
        [sys.executable, "-m", "bot", "ask", "--json", "--batch", str(tmp_path / "nope.txt")],
        cwd=ROOT, env=env_for(sample_index), capture_output=True, text=True, timeout=300)
    assert missing.returncode == 2 and "cannot read the questions" in missing.stderr
