"""The quotes package stays a library: no Discord, no environment reads, nothing heavy on import."""

from __future__ import annotations

import ast
import subprocess
import sys

from tests.conftest import ROOT

PACKAGE = ROOT / "bot" / "quotes"


def imported_modules(tree: ast.AST) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_no_module_imports_discord_or_reads_the_environment():
    modules = sorted(PACKAGE.glob("*.py"))
    assert len(modules) >= 6
    for path in modules:
        source = path.read_text()
        tree = ast.parse(source)
        assert not any(m.split(".")[0] == "discord" for m in imported_modules(tree)), path
        assert "os.environ" not in source and "getenv" not in source, path
        assert "print(" not in source, path


def test_importing_the_package_loads_no_yfinance_nor_pandas():
    code = (
        "import sys, bot.quotes; "
        "print(sorted(m for m in ('yfinance', 'pandas', 'curl_cffi', 'discord') if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "[]"
