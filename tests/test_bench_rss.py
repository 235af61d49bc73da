"""The scale bench's peak RSS of a child is the child's own, not its parent's at exec."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bench.scale_bench import peak_rss_mb


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs Linux /proc")
def test_a_childs_peak_rss_leaves_out_what_its_parent_held() -> None:
    held = bytearray(300 * 2**20)
    held[:: 4096] = b"\x01" * len(held[:: 4096])  # touch every page: resident
    with subprocess.Popen([sys.executable, "-c", "print('ready', flush=True); input()"],
                          stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True) as child:
        assert child.stdin is not None and child.stdout is not None
        assert child.stdout.readline() == "ready\n"  # past exec: its own memory now
        own = peak_rss_mb(child.pid, 0)
        child.stdin.write("\n")
    assert 0 < own < 150  # a bare interpreter, not the 300 MB its parent holds
    assert peak_rss_mb("self") >= 300
    del held
