"""The application layer: what every front end asks of the bot, and the words users see.

Slash commands and "@bot question" replies (``bot.cogs``), the terminal chat (``bot.terminal``)
and ``python -m bot ask`` (``bot.cli``) all call :class:`BotApp` and only render what it returns;
every failure becomes text through :func:`user_message`. Nothing here knows about Discord or a
terminal.

Errors a user can act on, and what they read::

    UserFacingError      its own message (refusals written for the user)
    ├── TooFast          "You're asking too fast: try again in N s."
    └── NotAllowed       "You are not allowed to use this command." (NotAdmin: /reingest)
    QuestionError        its own message (empty, or over ANSWER_MAX_QUESTION_CHARS)
    InvalidSymbol        its own message (a ticker that cannot be one)
    IndexError_          INDEX_UNAVAILABLE (the reason too where the reader is the operator)
    TimeoutError         TIMED_OUT
    anything else        GENERIC_ERROR (a bug: the front end logs the trace)
"""

from __future__ import annotations

import asyncio
import logging
import math
from collections.abc import Collection
from datetime import UTC, date, datetime

from bot.answer import Answer
from bot.digest import (
    DEFAULT_DAYS,
    DEFAULT_ROWS,
    MAX_DAYS,
    Digest,
    compose_digest,
    digest_window,
    top_tickers,
)
from bot.news import latest_news
from bot.question import QuestionError, check_length
from bot.quotes import (
    InvalidSymbol,
    Period,
    PriceHistory,
    Quote,
    QuoteUnavailable,
    validate_symbol,
)
from bot.services import Services
from bot.status import Status, collect_status
from index.errors import IndexError_
from index.reader import SearchHit
from index.text import strip_controls

log = logging.getLogger(__name__)

GENERIC_ERROR = ("Sorry, an internal error stopped me from answering. It has been logged; "
                 "please try again.")
INDEX_UNAVAILABLE = "The news index is not available right now; please try again later."
TIMED_OUT = "The search took too long; please try again."
NOT_ALLOWED = "You are not allowed to use this command."
NOT_ADMIN = "Only server admins can re-ingest the news."
DEFAULT_NEWS_QUERY = "AI stocks"
CLOSE_TIMEOUT = 1.0  # seconds: shutdown never waits longer on the quote provider


class UserFacingError(Exception):
    """A refusal whose message is written for the user (shown as is, not logged as an error)."""


class TooFast(UserFacingError):
    """Over the per-user rate; says when to try again."""

    def __init__(self, retry_after: float) -> None:
        self.retry_after = retry_after
        wait = max(1, math.ceil(retry_after))
        super().__init__(f"You're asking too fast: try again in {wait} s.")


class NotAllowed(UserFacingError):
    """A command this user may not run."""

    def __init__(self, message: str = NOT_ALLOWED) -> None:
        super().__init__(message)


EXPECTED: tuple[type[BaseException], ...] = (
    UserFacingError, QuestionError, InvalidSymbol, IndexError_, TimeoutError)


def is_expected(error: BaseException) -> bool:
    """Whether ``error`` is one a user can act on; anything else is a bug (log its trace)."""
    return isinstance(error, EXPECTED)


def user_message(error: BaseException, *, detail: bool = False) -> str:
    """The one mapping of errors to what the user reads (see the module docstring), control
    characters and terminal escapes removed. ``detail`` adds the index's own reason (a path,
    "run python -m ingest"): for the operator's terminal, never for Discord."""
    if isinstance(error, UserFacingError | QuestionError | InvalidSymbol):
        text = str(error)
    elif isinstance(error, IndexError_):
        text = f"The news index is not available: {error}" if detail else INDEX_UNAVAILABLE
    elif isinstance(error, TimeoutError):
        text = TIMED_OUT
    else:
        text = GENERIC_ERROR
    return strip_controls(text)


class BotApp:
    """The bot's use cases over the injected ``Services``. Blocking work runs off the loop."""

    def __init__(self, services: Services) -> None:
        self.services = services
        self._closed = False

    @property
    def max_question_chars(self) -> int:
        """The one question-length limit (``ANSWER_MAX_QUESTION_CHARS``)."""
        return self.services.engine.max_question_chars

    def check_question(self, text: str) -> str:
        """The trimmed question, or QuestionError (blank, too long): front ends call it to
        refuse before any work (Discord: before deferring)."""
        return check_length(text, self.max_question_chars)

    @staticmethod
    def check_symbol(ticker: str) -> str:
        """The normalized symbol, or InvalidSymbol (refuse before any work)."""
        return validate_symbol(ticker)

    async def ask(self, text: str, *, ticker: str | None = None, since: date | None = None,
                  now: datetime | None = None) -> Answer:
        """A cited answer; QuestionError, IndexError_ or TimeoutError otherwise."""
        question = self.check_question(text)
        return await self.services.engine.ask(question, now=now, ticker=ticker, since=since)

    async def news(self, query: str | None, *, days: int | None = None,
                   now: datetime | None = None) -> list[SearchHit]:
        """The latest headlines about ``query`` (a topic or tickers; blank: AI stocks), newest
        first, within the last ``days`` days when given."""
        query = (query or "").strip() or DEFAULT_NEWS_QUERY
        now = now or datetime.now(UTC)
        engine = self.services.engine
        tickers = engine.understand(query, now).tickers
        return await asyncio.to_thread(latest_news, engine.retriever.searcher, query, tickers,
                                       days, now)

    async def status(self) -> Status:
        """Index size and freshness, last ingest, quote health, uptime, version."""
        services = self.services
        return await asyncio.to_thread(collect_status, services.live, services.quotes.health(),
                                       services.started)

    async def quote(self, ticker: str) -> Quote | QuoteUnavailable:
        """The quote of ``ticker``; never raises (failures are QuoteUnavailable)."""
        return await self.services.quotes.quote(ticker)

    async def quote_and_history(
        self, ticker: str, period: Period
    ) -> tuple[Quote | QuoteUnavailable, PriceHistory | QuoteUnavailable]:
        """The quote and the price history over ``period`` (for a chart), fetched together."""
        provider = self.services.quotes
        quote, history = await asyncio.gather(provider.quote(ticker),
                                              provider.history(ticker, period))
        return quote, history

    @staticmethod
    def check_digest(days: int, until: str | date | None) -> tuple[int, date | None]:
        """``days`` within 1..MAX_DAYS and ``until`` as a date (``YYYY-MM-DD``), or a
        UserFacingError that says what is wrong."""
        if not 1 <= days <= MAX_DAYS:
            raise UserFacingError(f"days must be between 1 and {MAX_DAYS} (got {days}).")
        if isinstance(until, str):
            text = until.strip()
            try:
                until = date.fromisoformat(text) if text else None
            except ValueError:
                raise UserFacingError(
                    f"until must be a date like 2023-12-31 (got {text[:40]!r}).") from None
        return days, until

    async def digest(self, days: int = DEFAULT_DAYS, until: str | date | None = None, *,
                     now: datetime | None = None, watched: Collection[str] = (),
                     limit: int = DEFAULT_ROWS) -> Digest:
        """What moved in AI news in the ``days`` days ending at ``until`` (the end of that UTC
        day; default now), strongest first, with live quotes; ``watched`` marks rows."""
        days, until_day = self.check_digest(days, until)
        now = now or datetime.now(UTC)
        since, end = digest_window(days, until_day, now)
        reader = await asyncio.to_thread(self.services.live.reader)
        reports = await asyncio.to_thread(reader.moves_between, since, end)
        tickers = top_tickers(reports, limit)
        quotes = await self.services.quotes.quotes(tickers) if tickers else {}
        manifest = reader.manifest
        return compose_digest(
            reports, days=days, since=since, until=end, now=now, quotes=quotes,
            watched=watched, limit=limit, index_articles=manifest.counts.articles,
            index_oldest=manifest.oldest_article, index_newest=manifest.newest_article)

    async def known_tickers(self) -> list[str]:
        """Tickers the serving index knows, most mentioned first; none without an index."""
        try:
            return await asyncio.to_thread(lambda: self.services.live.reader().known_tickers())
        except IndexError_:
            return []

    async def aclose(self) -> None:
        """Close the quote provider (bounded: ``CLOSE_TIMEOUT``) and the index reader. Safe to
        call twice."""
        if self._closed:
            return
        self._closed = True
        try:
            await asyncio.wait_for(self.services.quotes.aclose(), CLOSE_TIMEOUT)
        except TimeoutError:
            log.warning("the quote provider did not close within %.0f s", CLOSE_TIMEOUT)
        except Exception:
            log.exception("closing the quote provider failed")
        finally:
            self.services.live.close()
