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


# -- no import cycles ---------------------------------------------------------------------------

PACKAGES = ("index", "ingest", "bot")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def runtime_imports(path: Path, known: set[str]) -> set[str]:
    """Project modules ``path`` imports at run time, lazy (in-function) imports included and
    ``if TYPE_CHECKING:`` blocks left out; ``from pkg import mod`` counts as importing ``mod``."""
    tree = ast.parse(path.read_text(), filename=str(path))
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skipped |= {id(child) for stmt in node.body for child in ast.walk(stmt)}
    found: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names if alias.name in known}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                sub = f"{node.module}.{alias.name}"
                found.add(sub if sub in known else node.module)
    return found & known


def import_graph() -> dict[str, set[str]]:
    paths = [p for package in PACKAGES for p in modules(package)]
    known = {module_name(p) for p in paths}
    return {module_name(p): runtime_imports(p, known) - {module_name(p)} for p in paths}


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle (as a path that ends where it starts), or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return [*path[path.index(nxt):], nxt]
            if nxt not in state and (cycle := visit(nxt)) is not None:
                return cycle
        path.pop()
        state[node] = 2
        return None

    for start in sorted(graph):
        if start not in state and (cycle := visit(start)) is not None:
            return cycle
    return None


def test_no_import_cycles():
    """Not in index (``embedding`` <-> ``embedding_onnx`` was one: the factory now lives in
    ``index.embedder_factory``), nor anywhere in index, ingest and bot."""
    graph = import_graph()
    assert "index.embedding_onnx" in graph["index.embedder_factory"]
    assert "index.embedding" in graph["index.embedding_onnx"]
    assert "index.embedding_onnx" not in graph["index.embedding"]
    assert find_cycle(graph) is None


def test_the_cycle_finder_finds_one():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


@pytest.mark.parametrize("module", ["index.embedding", "index.embedding_onnx",
                                    "index.embedder_factory"])
def test_embedding_modules_import_alone_in_a_fresh_interpreter(module):
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-c", f"import {module}"], cwd=ROOT,
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr


# -- one application layer ----------------------------------------------------------------------

FRONT_ENDS = ("bot/cogs", "bot/discord_app.py", "bot/terminal.py", "bot/cli.py")


def test_the_app_layer_knows_nothing_of_discord_or_terminals():
    found = imports(ROOT / "bot" / "app.py")
    assert {m for m in found if m.split(".")[0] in ("discord", "rich")} == set()
    assert not any(m.startswith(("bot.cogs", "bot.discord", "bot.render", "bot.terminal",
                                 "bot.cli")) for m in found)


def test_error_words_live_only_in_the_app_layer():
    words = ("not available right now", "took too long; please", "internal error",
             "not allowed to use", "asking too fast", "characters long")
    offenders = []
    for package in ("bot",):
        for path in modules(package):
            if path.relative_to(ROOT).as_posix() == "bot/app.py":
                continue
            text = path.read_text()
            offenders += [f"{path.relative_to(ROOT)}: {w!r}" for w in words if w in text]
    assert offenders == []


def test_front_ends_close_services_through_the_protocol():
    offenders = [str(p.relative_to(ROOT)) for package in PACKAGES for p in modules(package)
                 if 'getattr(' in p.read_text() and '"aclose"' in p.read_text()]
    assert offenders == []
