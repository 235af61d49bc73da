"""What quote providers return: quotes, closes, price histories, "unavailable" answers, health.

Every datetime here is timezone-aware UTC; every price carries its currency and its source.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field, model_validator

YAHOO = "Yahoo Finance"

Period = Literal["1d", "5d", "1mo", "6mo", "1y"]
PERIODS: tuple[Period, ...] = ("1d", "5d", "1mo", "6mo", "1y")

UnavailableKind = Literal[
    "invalid_symbol",  # refused before any request
    "unknown_symbol",  # Yahoo has no such symbol
    "no_data",  # the symbol exists but Yahoo has no usable price for what was asked
    "unreachable",  # DNS or connection failure
    "timeout",
    "rate_limited",  # HTTP 429: the provider backs off
    "disabled",  # turned off by configuration
    "error",  # anything else Yahoo or yfinance did
]


def _to_utc(value: datetime) -> datetime:
    return value.astimezone(UTC)


UtcDatetime = Annotated[AwareDatetime, AfterValidator(_to_utc)]


class Quote(BaseModel):
    """A price with its own timestamp: ``as_of`` is when Yahoo says the price was set."""

    model_config = ConfigDict(frozen=True)

    symbol: str
    name: str | None = Field(default=None, description="Short name, if Yahoo gave one.")
    price: float
    change: float | None = Field(default=None, description="price - previous_close")
    change_percent: float | None = Field(default=None, description="Today's change, in percent.")
    previous_close: float | None = None
    day_low: float | None = None
    day_high: float | None = None
    currency: str | None = None
    exchange: str | None = None
    market_state: str | None = Field(
        default=None, description='"PRE", "REGULAR", "POST", "CLOSED"; None when unknown.'
    )
    as_of: UtcDatetime
    source: str = YAHOO
    delay_note: str | None = Field(default=None, description="e.g. 'delayed 15 min', when known.")


class QuoteUnavailable(BaseModel):
    """Why there is no answer; ``text`` is what a user may be shown."""

    model_config = ConfigDict(frozen=True)

    symbol: str
    reason: str = Field(description="Short and human, e.g. 'Yahoo Finance unreachable (DNS)'.")
    kind: UnavailableKind = "error"
    retry_after: float | None = Field(default=None, description="Seconds, when rate limited.")

    @property
    def text(self) -> str:
        """``quote unavailable: <reason>``."""
        return f"quote unavailable: {self.reason}"


class HistoricalClose(BaseModel):
    """The close of ``day``: the last trading day on or before ``requested_day``."""

    model_config = ConfigDict(frozen=True)

    symbol: str
    day: date
    requested_day: date
    close: float
    currency: str | None = None
    source: str = YAHOO


class PriceHistory(BaseModel):
    """Closing prices over a period, oldest first (what a chart needs)."""

    model_config = ConfigDict(frozen=True)

    symbol: str
    period: Period
    interval: str
    currency: str | None = None
    timezone: str | None = Field(
        default=None, description="The exchange's IANA time zone, if known."
    )
    timestamps: list[UtcDatetime]
    closes: list[float]
    source: str = YAHOO

    @model_validator(mode="after")
    def _same_length(self) -> PriceHistory:
        if len(self.timestamps) != len(self.closes):
            raise ValueError("timestamps and closes differ in length")
        if not self.closes:
            raise ValueError("a price history needs at least one point")
        return self


class ProviderHealth(BaseModel):
    """For ``/status``: is the quote source working?"""

    provider: str
    enabled: bool = True
    last_success: UtcDatetime | None = None
    last_error: str | None = None
    last_error_at: UtcDatetime | None = None
    consecutive_failures: int = 0
    cache_size: int = 0
    backoff_until: UtcDatetime | None = None
    requests: int = Field(default=0, description="Calls made to the source since start.")
