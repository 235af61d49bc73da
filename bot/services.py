"""Everything the bot needs, built once at the entrypoint and passed in."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from pathlib import Path

from bot.engine import AnswerEngine
from bot.quotes import QuoteProvider, QuoteSettings, YahooQuoteProvider
from bot.retrieval import Retriever
from bot.settings import AnswerSettings
from index.embedder_factory import load_embedder
from index.embedding import Embedder
from index.entities import EntityResolver, TickerTable
from index.search import LiveIndex
from index.settings import IndexSettings

log = logging.getLogger(__name__)


@dataclass
class Services:
    """Settings, model, index, resolver, quote provider and the engine over them."""

    index_settings: IndexSettings
    answer_settings: AnswerSettings
    embedder: Embedder
    resolver: EntityResolver
    live: LiveIndex
    quotes: QuoteProvider
    engine: AnswerEngine
    started: float = field(default_factory=time.monotonic)

    @property
    def index_dir(self) -> Path:
        return self.live.index_dir


def build_services(
    index_settings: IndexSettings,
    answer_settings: AnswerSettings,
    quote_settings: QuoteSettings,
    *,
    embedder: Embedder | None = None,
    quotes: QuoteProvider | None = None,
) -> Services:
    """Build the bot's services; ``embedder`` and ``quotes`` may be injected (tests)."""
    embedder = embedder or load_embedder(index_settings)
    resolver = EntityResolver(TickerTable.load())
    live = LiveIndex(index_settings.index_dir, embedder.model_id, embedder.dimension,
                     nprobe=index_settings.index_ann_nprobe)
    quotes = quotes or YahooQuoteProvider(quote_settings)
    retriever = Retriever(
        live, embedder, threshold=answer_settings.relevance_threshold,
        passages=answer_settings.passages,
        recency_half_life_days=answer_settings.recency_half_life_days,
        tickers=lambda word: resolver.table.lookup_ticker(word) is not None,
    )
    engine = AnswerEngine(
        retriever, resolver, quotes,
        max_question_chars=answer_settings.max_question_chars,
        search_timeout=answer_settings.search_timeout_seconds,
    )
    return Services(index_settings, answer_settings, embedder, resolver, live, quotes, engine)
