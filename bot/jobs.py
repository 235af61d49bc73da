"""Run the ingest job (``python -m ingest --json ...``) as a subprocess, one at a time.

The bot never imports ingest internals: it starts the job, reports progress phases through a
callback (started / running N s / done), enforces a timeout, and parses the JSON report the job
prints on stdout. ``cancel()`` terminates the child (SIGTERM, then SIGKILL after a grace
period); the ingest publishes generations atomically, so a killed run leaves the serving index
untouched, and ``LiveIndex`` swaps to a newly published generation on its next use.

The child parses untrusted content, so it gets only what it needs: an environment built from an
allow-list (``child_environment``: no ``DISCORD_*``, no token, no other secret) and the bot's own
sources file as ``--sources`` (the file ``/reingest`` checked the names against).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import logging
import os
import re
import sys
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from index.store import report_count

log = logging.getLogger(__name__)

PROJECT_ROOT = Path(__file__).resolve().parent.parent
COUNT_KEYS = ("seen", "new", "updated", "unchanged", "duplicates", "near_duplicates", "chunks")

Progress = Callable[[str, float], Awaitable[None]]
"""``(phase, elapsed_seconds)``; phase is ``"started"`` or ``"running"``."""

# What the ingest child may inherit from the bot's environment: the system basics, Python's own
# variables, the index / embedding / ingest settings, offline flags of the model libraries,
# thread caps, proxies and CA bundles (a feed fetch behind a corporate proxy or TLS inspection).
CHILD_ENV_NAMES = frozenset({
    "PATH", "HOME", "USER", "LOGNAME", "LANG", "LANGUAGE", "TZ", "TMPDIR", "TEMP", "TMP",
    "VIRTUAL_ENV", "XDG_CACHE_HOME", "SYSTEMROOT", "INDEX_DIR", "KEEP_GENERATIONS",
    "TOKENIZERS_PARALLELISM", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS",
    "SSL_CERT_FILE", "SSL_CERT_DIR", "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE",
    "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY",
    "http_proxy", "https_proxy", "all_proxy", "no_proxy",
})
CHILD_ENV_PREFIXES = ("LC_", "PYTHON", "INGEST_", "EMBEDDING_", "EMBED_", "HF_",
                      "TRANSFORMERS_")
# The child gets the sources file as ``--sources``; the deprecated variable would only repeat or
# contradict it.
CHILD_ENV_DROPPED = frozenset({"INGEST_SOURCES_FILE"})
# Never passed on, even when allowed above (e.g. HF_TOKEN): names that look like credentials.
_SECRET_NAME = re.compile(
    r"(?:^|_)(?:TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIALS?|API_?KEY|ACCESS_?KEY|PRIVATE_?KEY)"
    r"(?:$|_)", re.IGNORECASE)


def child_environment(parent: Mapping[str, str], index_dir: Path) -> dict[str, str]:
    """The ingest child's environment: ``parent`` filtered through the allow-list (never
    ``DISCORD_*`` or anything named like a credential), with ``INDEX_DIR`` set."""
    env = {name: value for name, value in parent.items()
           if (name in CHILD_ENV_NAMES or name.startswith(CHILD_ENV_PREFIXES))
           and not _SECRET_NAME.search(name) and name not in CHILD_ENV_DROPPED}
    env["INDEX_DIR"] = str(index_dir)
    return env


class JobBusy(RuntimeError):
    """An ingest is already running; the message says for how long."""


@dataclass
class IngestResult:
    """The outcome of one run: ``ok`` with the report's counts, or a ``reason``."""

    ok: bool
    reason: str | None = None
    exit_code: int | None = None
    report: dict[str, Any] = field(default_factory=dict)
    duration_seconds: float = 0.0
    cancelled: bool = False
    timed_out: bool = False
    sources: tuple[str, ...] = ()
    finished_at: float = field(default_factory=time.time)

    def count(self, key: str) -> int:
        """A count from the report (totals, not just the items it kept)."""
        return report_count(self.report, key)

    @property
    def generation(self) -> int | None:
        value = self.report.get("generation")
        return value if isinstance(value, int) else None


def ingest_command(sources: Sequence[str], sources_file: Path | None, *,
                   public_only: bool = False) -> list[str]:
    """``python -m ingest --json [--public-only] [--sources FILE] [--] SOURCE...``.

    ``--public-only`` is the fetcher's network policy (every connection, redirect hop and
    full-text link resolved once and checked to be a public address).
    """
    command = [sys.executable, "-m", "ingest", "--json"]
    if public_only:
        command.append("--public-only")
    if sources_file is not None:
        command += ["--sources", str(sources_file)]
    if sources:
        command += ["--", *sources]
    return command


CommandBuilder = Callable[[Sequence[str], "Path | None"], list[str]]


class IngestRunner:
    """One ingest subprocess at a time for an index directory."""

    def __init__(self, index_dir: Path, *, sources_file: Path | None = None,
                 timeout: float = 1800.0, grace: float = 5.0, tick: float = 5.0,
                 command: CommandBuilder | None = None, public_only: bool = True,
                 env: dict[str, str] | None = None) -> None:
        self.index_dir = index_dir
        self.sources_file = sources_file
        self.timeout = timeout
        self.grace = grace
        self.tick = tick
        self.public_only = public_only  # the child's network policy (``--public-only``)
        self.command: CommandBuilder = command or functools.partial(
            ingest_command, public_only=public_only)
        self.env = env
        self.last: IngestResult | None = None
        self._process: asyncio.subprocess.Process | None = None
        self._started: float | None = None
        self._cancelled = False

    @property
    def running(self) -> bool:
        return self._started is not None

    def busy_message(self) -> str:
        elapsed = time.monotonic() - (self._started or time.monotonic())
        return f"An ingest is already running (started {elapsed:.0f} s ago)."

    def claim(self) -> None:
        """Reserve the runner (raises ``JobBusy`` if taken); ``run`` must follow."""
        if self._started is not None:
            raise JobBusy(self.busy_message())
        self._started = time.monotonic()
        self._cancelled = False

    def release(self) -> None:
        """Undo ``claim()`` when the run will not happen."""
        if self._process is None:
            self._started = None

    async def run(self, sources: Sequence[str] = (), progress: Progress | None = None,
                  *, claimed: bool = False) -> IngestResult:
        """Run the job to completion; ``JobBusy`` if one is running (unless ``claimed``)."""
        if not claimed:
            self.claim()
        started = self._started or time.monotonic()
        try:
            result = await self._run(list(sources), progress, started)
        finally:
            self._process = None
            self._started = None
        result.sources = tuple(sources)
        result.duration_seconds = round(time.monotonic() - started, 1)
        self.last = result
        log.info("ingest of %s: %s", list(sources) or "defaults",
                 "ok" if result.ok else result.reason)
        return result

    async def _run(self, sources: list[str], progress: Progress | None,
                   started: float) -> IngestResult:
        env = child_environment(self.env if self.env is not None else os.environ,
                                self.index_dir)
        command = self.command(sources, self.sources_file)
        try:
            process = await asyncio.create_subprocess_exec(
                *command, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
                stdin=asyncio.subprocess.DEVNULL, env=env, cwd=str(PROJECT_ROOT))
        except OSError as exc:
            return IngestResult(ok=False, reason=f"the ingest could not start: {exc}")
        self._process = process
        if self._cancelled:  # cancelled between claim() and the start of the child
            await self._terminate(process)
        if progress is not None:
            await _notify(progress, "started", 0.0)
        communicate = asyncio.ensure_future(process.communicate())
        timed_out = False
        try:
            while not communicate.done():
                elapsed = time.monotonic() - started
                if elapsed >= self.timeout:
                    timed_out = True
                    await self._terminate(process)
                    break
                wait = min(self.tick, self.timeout - elapsed)
                done, _ = await asyncio.wait({communicate}, timeout=wait)
                if not done and progress is not None:
                    await _notify(progress, "running", time.monotonic() - started)
            stdout, stderr = await communicate
        except asyncio.CancelledError:
            await self._terminate(process)
            communicate.cancel()
            raise
        return self._result(process.returncode, stdout, stderr, timed_out)

    def _result(self, code: int | None, stdout: bytes, stderr: bytes,
                timed_out: bool) -> IngestResult:
        report = _parse_report(stdout)
        if timed_out:
            return IngestResult(ok=False, reason=f"timed out after {self.timeout:.0f} s",
                                exit_code=code, report=report, timed_out=True)
        if self._cancelled:
            return IngestResult(ok=False, reason="cancelled", exit_code=code, report=report,
                                cancelled=True)
        if code == 0 and report:
            return IngestResult(ok=True, exit_code=0, report=report)
        reason = report.get("error") if isinstance(report.get("error"), str) else None
        if not reason:
            reason = _last_error_line(stderr) or (
                "the ingest printed no report" if code == 0 else f"the ingest exited {code}")
        return IngestResult(ok=False, reason=reason, exit_code=code, report=report)

    async def cancel(self) -> bool:
        """Terminate a running job; True if there was one."""
        if self._started is None:
            return False
        self._cancelled = True
        if self._process is not None:
            await self._terminate(self._process)
        return True

    async def _terminate(self, process: asyncio.subprocess.Process) -> None:
        """SIGTERM, then SIGKILL after the grace period."""
        if process.returncode is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            process.terminate()
        try:
            await asyncio.wait_for(asyncio.shield(process.wait()), self.grace)
        except TimeoutError:
            log.warning("the ingest did not stop within %.0f s: killing it", self.grace)
            with contextlib.suppress(ProcessLookupError):
                process.kill()
            await process.wait()


async def _notify(progress: Progress, phase: str, elapsed: float) -> None:
    """Report progress; a failing callback (e.g. Discord down) never stops the job."""
    try:
        await progress(phase, elapsed)
    except Exception:  # progress is best effort: Discord may be down
        log.warning("progress callback failed", exc_info=True)


def _parse_report(stdout: bytes) -> dict[str, Any]:
    text = stdout.decode("utf-8", "replace").strip()
    if not text:
        return {}
    start = text.find("{")
    try:
        data = json.loads(text[start:] if start >= 0 else text)
    except json.JSONDecodeError:
        log.warning("the ingest printed something that is not a JSON report")
        return {}
    return data if isinstance(data, dict) else {}


def _last_error_line(stderr: bytes) -> str | None:
    lines = [line.strip() for line in stderr.decode("utf-8", "replace").splitlines()
             if line.strip()]
    if not lines:
        return None
    line = lines[-1]
    return line.removeprefix("error: ")[:300]
