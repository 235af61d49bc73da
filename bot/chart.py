"""A price chart as PNG bytes, drawn with matplotlib's Agg backend (no display, no Discord).

Blocking (matplotlib is CPU work): call it through ``asyncio.to_thread`` from async code.
"""

from __future__ import annotations

import io

from matplotlib.dates import date2num
from matplotlib.figure import Figure

from bot.quotes import PriceHistory

WIDTH_IN, HEIGHT_IN, DPI = 8.0, 3.6, 100


def render_chart(history: PriceHistory) -> bytes:
    """Closing prices over the period as a PNG (800x360 px). Uses the object API, so no global
    pyplot state is touched and concurrent renders in threads are safe."""
    figure = Figure(figsize=(WIDTH_IN, HEIGHT_IN), dpi=DPI)
    axes = figure.subplots()
    first, last = history.closes[0], history.closes[-1]
    times = date2num(history.timestamps)
    axes.xaxis_date()
    colour = "#2e9d5b" if last >= first else "#d0453a"
    if len(history.closes) == 1:
        axes.plot(times, history.closes, marker="o", color=colour)
    else:
        axes.plot(times, history.closes, color=colour, linewidth=1.8)
        axes.fill_between(times, history.closes, min(history.closes),
                          color=colour, alpha=0.12)
    change = (last - first) / first * 100 if first else 0.0
    currency = f" {history.currency}" if history.currency else ""
    axes.set_title(f"{history.symbol} · {history.period} · {last:,.2f}{currency} ({change:+.2f}%)")
    axes.grid(True, alpha=0.3)
    axes.set_ylabel(history.currency or "price")
    figure.autofmt_xdate()
    figure.text(0.99, 0.01, f"source: {history.source}", ha="right", va="bottom", fontsize=7,
                alpha=0.6)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
