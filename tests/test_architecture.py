"""Imports flow one way: ingest -> index <- bot; only bot's Discord-facing modules import discord."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.conftest import ROOT

DISCORD_FACING = ("bot/discord_app", "bot/cogs", "bot/render_discord")


def imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def modules(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


@pytest.mark.parametrize("path", modules("index"), ids=lambda p: str(p.relative_to(ROOT)))
def test_index_imports_neither_ingest_nor_bot(path):
    bad = {m for m in imports(path) if m.split(".")[0] in ("ingest", "bot", "discord")}
    assert bad == set()


@pytest.mark.parametrize("path", modules("ingest"), ids=lambda p: str(p.relative_to(ROOT)))
def test_ingest_never_imports_bot_or_discord(path):
    bad = {m for m in imports(path) if m.split(".")[0] in ("bot", "discord")}
    assert bad == set()


@pytest.mark.parametrize("path", modules("bot"), ids=lambda p: str(p.relative_to(ROOT)))
def test_bot_uses_ingest_only_as_a_job_and_discord_only_at_the_edge(path):
    found = imports(path)
    assert {m for m in found if m.split(".")[0] == "ingest"} == set()
    relative = str(path.relative_to(ROOT))
    if not relative.startswith(DISCORD_FACING):
        assert {m for m in found if m.split(".")[0] == "discord"} == set()


def test_no_print_in_library_code():
    offenders = []
    for package in ("index", "ingest", "bot"):
        for path in modules(package):
            if path.name in ("cli.py", "__main__.py"):
                continue
            for node in ast.walk(ast.parse(path.read_text())):
                if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "print":
                    offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert offenders == []
