"""Replay recorded Yahoo Finance responses through a ``requests`` transport adapter.

yfinance accepts a caller-supplied ``requests.Session``; mounting :class:`ReplayAdapter` on it
lets yfinance run its real request and parsing code on recorded Yahoo JSON with no network.
What the adapter answers:

- ``fc.yahoo.com`` (cookie) → 404, like Yahoo when no consent is needed; the consent hosts
  (``guce.yahoo.com``, ``consent.yahoo.com``, tried after an HTTP error) → 404;
- ``/v1/test/getcrumb`` → 200 with a short crumb text;
- ``/v8/finance/chart/{SYMBOL}`` → the recorded body for that symbol, or Yahoo's 404
  "No data found" chart error for a symbol that has no recording. Like Yahoo, a request with
  ``period1``/``period2`` gets only the recorded bars in that window, and ``range=1d``/``5d``
  only the last 1/5 bars (other ranges get every recorded bar);
- ``/v10/finance/quoteSummary/{SYMBOL}`` (yfinance's time-zone fallback for a symbol whose chart
  failed) → Yahoo's 404 "Quote not found" error;
- anything else → 404, and the request is listed in :attr:`ReplayAdapter.unexpected`.

Importing this module imports yfinance, at collection time: yfinance installs a warnings filter
when first imported, and inside a test that filter would outrank pytest's own.

Failure modes for tests: ``fail`` (a factory of the exception every request raises, e.g.
:func:`dns_error`), ``chart_status`` (answer chart requests with that HTTP status, e.g. 429),
``delay`` (chart requests sleep that long first; :meth:`ReplayAdapter.release` wakes them) and
``forbid`` (any request at all is a test failure). Every request is recorded, thread-safely.
"""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import requests
import yfinance
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict
from urllib3.exceptions import MaxRetryError, NameResolutionError

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "yahoo"
CHART_PREFIX = "/v8/finance/chart/"
SUMMARY_PREFIX = "/v10/finance/quoteSummary/"
CRUMB = "replayCrumb1"
# Yahoo's documented chart error for an unknown symbol (HTTP 404); written, not recorded.
NOT_FOUND_BODY = {
    "chart": {
        "result": None,
        "error": {"code": "Not Found", "description": "No data found, symbol may be delisted"},
    }
}


def quote_summary_not_found(symbol: str) -> dict[str, object]:
    """Yahoo's quoteSummary error for an unknown symbol (HTTP 404); written, not recorded."""
    description = f"Quote not found for symbol: {symbol}"
    return {
        "quoteSummary": {"result": None, "error": {"code": "Not Found", "description": description}}
    }


def recorded_charts(*symbols: str) -> dict[str, Path]:
    """Map each symbol to its recorded chart body in ``tests/fixtures/yahoo``."""
    return {symbol: FIXTURES / f"history_chart_{symbol}.json" for symbol in symbols}


def dns_error(host: str = "query2.finance.yahoo.com") -> requests.ConnectionError:
    """The exception ``requests`` raises when a host name does not resolve."""
    reason = socket.gaierror(socket.EAI_NONAME, "Name or service not known")
    cause = NameResolutionError(host, None, reason)  # type: ignore[arg-type]
    return requests.ConnectionError(MaxRetryError(None, f"https://{host}/", cause))  # type: ignore[arg-type]


@dataclass(frozen=True)
class RecordedRequest:
    """One request the adapter saw."""

    method: str
    host: str
    path: str
    params: dict[str, list[str]]

    @property
    def chart_symbol(self) -> str | None:
        """The symbol of a chart request, else None."""
        if not self.path.startswith(CHART_PREFIX):
            return None
        return unquote(self.path[len(CHART_PREFIX) :])


class ReplayAdapter(BaseAdapter):
    """A transport adapter answering yfinance's requests from recordings (see module doc)."""

    def __init__(
        self,
        charts: Mapping[str, Path] | None = None,
        *,
        fail: Callable[[], BaseException] | None = None,
        chart_status: int | None = None,
        delay: float = 0.0,
        forbid: bool = False,
    ) -> None:
        super().__init__()
        self.charts = dict(charts or {})
        self.fail = fail
        self.chart_status = chart_status
        self.delay = delay
        self.forbid = forbid
        self.requests: list[RecordedRequest] = []
        self.unexpected: list[RecordedRequest] = []
        self._lock = threading.Lock()
        self._released = threading.Event()

    # -- what tests look at -------------------------------------------------------------
    def chart_calls(self, symbol: str | None = None) -> list[RecordedRequest]:
        """Chart requests seen so far (for one symbol if given)."""
        with self._lock:
            calls = [r for r in self.requests if r.chart_symbol is not None]
        return [r for r in calls if symbol is None or r.chart_symbol == symbol]

    def data_calls(self, symbol: str | None = None) -> list[RecordedRequest]:
        """Chart requests made by ``Ticker.history()`` (not yfinance's time-zone probe)."""
        return [r for r in self.chart_calls(symbol) if "events" in r.params]

    def release(self) -> None:
        """Wake every request sleeping in ``delay`` (call at the end of a timeout test)."""
        self._released.set()

    # -- the transport -------------------------------------------------------------------
    def send(
        self,
        request: requests.PreparedRequest,
        stream: bool = False,
        timeout: object = None,
        verify: object = True,
        cert: object = None,
        proxies: object = None,
    ) -> requests.Response:
        parts = urlsplit(request.url or "")
        seen = RecordedRequest(
            method=request.method or "GET",
            host=parts.hostname or "",
            path=parts.path,
            params=parse_qs(parts.query),
        )
        with self._lock:
            self.requests.append(seen)
        if self.forbid:
            raise AssertionError(f"no request expected, got {request.url}")
        if self.fail is not None:
            raise self.fail()
        if seen.host in ("fc.yahoo.com", "guce.yahoo.com") or seen.host.endswith(
            "consent.yahoo.com"
        ):
            return _response(request, 404, b"<html><body>Not Found</body></html>", "text/html")
        if seen.path == "/v1/test/getcrumb":
            return _response(request, 200, CRUMB.encode(), "text/plain")
        if seen.path.startswith(SUMMARY_PREFIX):
            body = quote_summary_not_found(unquote(seen.path[len(SUMMARY_PREFIX) :]))
            return _response(request, 404, json.dumps(body).encode(), "application/json")
        symbol = seen.chart_symbol
        if symbol is None:
            with self._lock:
                self.unexpected.append(seen)
            return _response(request, 404, b'{"error": "not recorded"}', "application/json")
        if self.delay:
            self._released.wait(self.delay)
        if self.chart_status == 429:
            return _response(request, 429, b"Too Many Requests\r\n", "text/html")
        if self.chart_status is not None:
            page = b"<html><body>Service temporarily unavailable</body></html>"
            return _response(request, self.chart_status, page, "text/html")
        if symbol in self.charts:
            body = _slice_chart(json.loads(self.charts[symbol].read_bytes()), seen.params)
            return _response(request, 200, json.dumps(body).encode(), "application/json")
        return _response(request, 404, json.dumps(NOT_FOUND_BODY).encode(), "application/json")

    def close(self) -> None:
        self.release()


_cache_dir_set = False


def isolate_yfinance(cache_dir: Path) -> None:
    """Keep yfinance's state out of the way of tests.

    Its on-disk caches (exchange time zones, cookies) go to ``cache_dir`` instead of the user's
    cache folder (once per process: yfinance keeps open handles), and its in-process cache of
    past-range responses is emptied, so each test sees its own adapter's requests.
    """
    global _cache_dir_set
    from yfinance.data import YfData

    if not _cache_dir_set:
        yfinance.set_tz_cache_location(str(cache_dir))
        _cache_dir_set = True
    YfData.cache_get.cache_clear()


def replay_session(adapter: ReplayAdapter) -> requests.Session:
    """A plain ``requests.Session`` whose every request goes to ``adapter``."""
    session = requests.Session()
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    return session


def _slice_chart(body: dict, params: Mapping[str, list[str]]) -> dict:
    """Keep the recorded bars a real chart request with these parameters would get."""
    result = body["chart"]["result"][0]
    stamps: list[int] = result.get("timestamp", [])
    indices = list(range(len(stamps)))
    if "period1" in params or "period2" in params:
        start = int(params.get("period1", ["0"])[0])
        end = int(params.get("period2", [str(2**40)])[0])
        indices = [i for i in indices if start <= stamps[i] < end]
    elif params.get("range", [""])[0] in ("1d", "5d"):
        indices = indices[-{"1d": 1, "5d": 5}[params["range"][0]] :]
    if len(indices) == len(stamps):
        return body
    sliced = json.loads(json.dumps(body))
    out = sliced["chart"]["result"][0]
    if not indices:  # Yahoo: meta only, no bars
        out.pop("timestamp", None)
        out.pop("events", None)
        out["indicators"] = {"quote": [{}], "adjclose": [{}]}
        return sliced
    out["timestamp"] = [stamps[i] for i in indices]
    for series in out["indicators"].get("quote", []) + out["indicators"].get("adjclose", []):
        for key, values in series.items():
            series[key] = [values[i] for i in indices]
    lo, hi = stamps[indices[0]], stamps[indices[-1]]
    for kind, events in list(out.get("events", {}).items()):
        out["events"][kind] = {k: v for k, v in events.items() if lo <= int(k) <= hi}
    return sliced


def _response(
    request: requests.PreparedRequest, status: int, body: bytes, content_type: str
) -> requests.Response:
    response = requests.Response()
    response.status_code = status
    response.reason = {200: "OK", 404: "Not Found", 429: "Too Many Requests"}.get(status, "Error")
    response.headers = CaseInsensitiveDict({"content-type": content_type})
    response._content = body
    response.encoding = "utf-8"
    response.url = request.url or ""
    response.request = request
    return response
