"""The ingest run: read sources, dedupe, extract entities and moves, chunk, embed, publish."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from index.embedding import Embedder
from index.entities import EntityResolver, render_markup
from index.manifest import utcnow
from index.records import Article, Chunk
from index.store import get_meta, set_meta
from index.vectors import ANN_MIN_VECTORS, chunk_id
from index.writer import IndexWriter
from ingest import dedup
from ingest.chunking import chunk_article, embedding_text
from ingest.moves import EXTRACTOR_VERSION, article_move_text, extract_moves
from ingest.report import IngestReport, Problem
from ingest.settings import IngestSettings
from ingest.sources import Failure, SourceSpec, read_sources

log = logging.getLogger(__name__)

Progress = Callable[[IngestReport], None]
EMBED_BATCH_CHUNKS = 256
EXTRACTOR_KEY = "extractor_version"
"""The ``meta`` row naming the extractor version that found a generation's entities and moves."""


class IngestCancelled(RuntimeError):
    """The run was cancelled; the serving index is untouched."""


@dataclass
class _Pending:
    article_id: str
    article: Article
    chunks: list[Chunk]


@dataclass
class _Batch:
    """Articles waiting to be embedded, by id: a later version of one replaces the earlier."""

    items: dict[str, _Pending] = field(default_factory=dict)

    def add(self, pending: _Pending) -> None:
        self.items[pending.article_id] = pending

    @property
    def chunk_count(self) -> int:
        return sum(len(p.chunks) for p in self.items.values())


class Ingestor:
    """Runs ingest jobs into one index directory with one embedder and entity resolver."""

    def __init__(
        self,
        index_dir: Path,
        settings: IngestSettings,
        embedder: Embedder,
        resolver: EntityResolver,
        keep_generations: int = 3,
        ann_min_vectors: int = ANN_MIN_VECTORS,
    ) -> None:
        self.index_dir = index_dir
        self.ann_min_vectors = ann_min_vectors
        self.settings = settings
        self.embedder = embedder
        self.resolver = resolver
        self.keep_generations = keep_generations

    def run(
        self,
        specs: Sequence[SourceSpec],
        progress: Progress | None = None,
        cancel: threading.Event | None = None,
    ) -> IngestReport:
        """Ingest ``specs`` into a new generation and publish it.

        Raises IndexBusy when another run holds the lock, IngestCancelled when ``cancel`` is
        set; in both cases, and on any other error, the serving generation is left as it was.
        """
        clock = time.perf_counter()
        with IndexWriter(
            self.index_dir,
            self.embedder.model_id,
            self.embedder.dimension,
            self.embedder.max_tokens,
            keep=self.keep_generations,
            ann_min_vectors=self.ann_min_vectors,
        ) as writer:
            report = IngestReport(
                started=writer.started,
                index_dir=str(self.index_dir),
                sources=[s.name for s in specs],
            )
            self._reextract(writer, report, cancel)
            batch = _Batch()
            # A GPU embedder wants bigger calls, so its tokenizer pool can run ahead.
            flush_at = max(EMBED_BATCH_CHUNKS,
                           int(getattr(self.embedder, "preferred_chunks_per_call", 0)))
            for spec in specs:
                produced = 0
                first: list[Problem] = []  # a spec's first problems, while it produced nothing
                for item in read_sources([spec], self.settings):
                    if cancel is not None and cancel.is_set():
                        raise IngestCancelled("ingest cancelled")
                    if isinstance(item, Failure):
                        problem = Problem(source=item.source, reason=item.reason)
                        if item.warning:
                            report.warn(problem)
                        elif produced == 0 and len(first) < 3:
                            first.append(problem)
                        else:
                            report.skip(problem)
                        continue
                    if produced == 0:  # counts stay bounded: only 3 problems are ever held
                        for problem in first:
                            report.skip(problem)
                        first = []
                    produced += 1
                    pending = self._admit_one(writer, item, report)
                    if pending is not None:
                        batch.add(pending)
                        if batch.chunk_count >= flush_at:
                            self._flush(writer, batch, report)
                            batch = _Batch()
                    if progress is not None and report.seen % 25 == 0:
                        progress(report)
                if produced == 0 and first:
                    report.failed.append(
                        Problem(source=spec.name, reason="; ".join(p.reason for p in first))
                        .shortened(1500)
                    )
            self._flush(writer, batch, report)
            if progress is not None:
                progress(report)
            if report.seen == 0:
                report.error = "nothing could be ingested"
                report.finished = utcnow()
                report.duration_seconds = time.perf_counter() - clock
                return report
            report.duration_seconds = time.perf_counter() - clock
            report.finished = utcnow()
            manifest = writer.commit(
                report.model_dump(mode="json"), [s.location for s in specs]
            )
            report.generation = manifest.generation
            report.duration_seconds = time.perf_counter() - clock
            return report

    def _reextract(
        self, writer: IndexWriter, report: IngestReport, cancel: threading.Event | None
    ) -> None:
        """When the generation was built by another extractor version, extract entities and
        moves again for every stored original article (vectors and chunks stay as they are),
        so better extraction reaches articles that the run itself skips as unchanged."""
        conn = writer.store.conn
        version = str(EXTRACTOR_VERSION)
        if get_meta(conn, EXTRACTOR_KEY) != version:
            for aid, title, text, published in writer.store.originals():
                if cancel is not None and cancel.is_set():
                    raise IngestCancelled("ingest cancelled")
                entities = self.resolver.find(f"{title}\n{text}")
                moves = extract_moves(
                    article_move_text(title, text), entities, published, resolver=self.resolver
                )
                writer.store.replace_extraction(aid, entities, moves)
                report.reextracted += 1
            set_meta(conn, EXTRACTOR_KEY, version)
            if report.reextracted:
                log.info("re-extracted %d stored articles (extractor version %s)",
                         report.reextracted, version)

    def _admit_one(
        self, writer: IndexWriter, article: Article, report: IngestReport
    ) -> _Pending | None:
        """``_admit``, where an error in one article (a bug in entity, move or chunk
        extraction, a RecursionError) skips that article only, with its reason."""
        try:
            return self._admit(writer, article, report)
        except Exception as exc:
            log.warning("article %s skipped", article.url or article.title, exc_info=True)
            reason = " ".join(f"{type(exc).__name__}: {exc}".split())[:300]
            report.skip(Problem(source=article.url or article.source or article.title,
                                reason=f"{article.title[:80]!r}: internal error: {reason}"))
            return None

    def _admit(
        self, writer: IndexWriter, article: Article, report: IngestReport
    ) -> _Pending | None:
        """Classify an article (new, updated, unchanged, duplicate) and store its row.

        Everything that can fail on odd input (entities, moves, chunks) runs before the first
        write, so an article that raises leaves the generation as it was; ``seen`` counts it
        only once it is classified."""
        store = writer.store
        aid = dedup.article_id(article)
        chash = dedup.content_hash(article)
        existing = store.by_id(aid)
        if existing is not None and existing.content_hash == chash:
            report.seen += 1
            report.unchanged += 1
            return None
        simhash = dedup.simhash(article.text)
        bands = dedup.bands(simhash) if simhash is not None else []
        duplicate_of: str | None = None
        same = store.by_hash(chash)
        if same is not None and same.id != aid:
            duplicate_of = same.id
        elif simhash is not None:
            for other, value in store.simhash_candidates(bands):
                if other == aid or dedup.distance(simhash, value) > dedup.CANDIDATE_DISTANCE:
                    continue
                if dedup.jaccard(article.text, store.text_of(other)) >= dedup.MIN_JACCARD:
                    duplicate_of = other
                    break
        if duplicate_of is not None:
            if existing is not None:
                writer.remove_vectors(store.delete_article_data(aid))
            store.upsert_article(aid, article, chash, None, [], duplicate_of, writer.started)
            report.seen += 1
            if existing is not None:
                report.updated += 1
            elif same is not None:
                report.duplicates += 1
            else:
                report.near_duplicates += 1
            return None
        entities = self.resolver.find(f"{article.title}\n{article.text}")
        moves = extract_moves(
            article_move_text(article.title, article.text), entities, article.published,
            resolver=self.resolver,
        )
        article = article.model_copy(update={"entities": entities, "moves": moves})
        chunks = chunk_article(
            article.title,
            render_markup(article.text),  # "$Adobe (ADBE.US)$" reads as "Adobe (ADBE.US)"
            self.embedder.count_tokens,
            max_tokens=min(self.settings.chunk_max_tokens, self.embedder.max_tokens),
            overlap=self.settings.chunk_overlap_sentences,
            ticker_finder=self._chunk_tickers,
        )
        cap = self.settings.max_chunks_per_article
        if len(chunks) > cap:
            report.warn(Problem(
                source=article.url or article.source or article.title,
                reason=f"{article.title[:80]!r}: {len(chunks)} chunks, the first {cap} embedded "
                       "(INGEST_MAX_CHUNKS_PER_ARTICLE)"))
            chunks = chunks[:cap]
        if existing is not None:
            writer.remove_vectors(store.delete_article_data(aid))
        store.upsert_article(aid, article, chash, simhash, bands, None, writer.started)
        report.seen += 1
        if existing is not None:
            report.updated += 1
        else:
            report.new += 1
        return _Pending(aid, article, chunks)

    def _chunk_tickers(self, text: str) -> list[str]:
        return [e.ticker for e in self.resolver.find(text) if e.ticker]

    def _flush(self, writer: IndexWriter, batch: _Batch, report: IngestReport) -> None:
        """Embed a batch of chunks in one call (length-sorted inside) and store them."""
        pending_items = list(batch.items.values())
        texts = [
            embedding_text(p.article.title, c.text) for p in pending_items for c in p.chunks
        ]
        if not texts:
            return
        started = time.perf_counter()
        matrix = self.embedder.encode(texts)
        report.embed_seconds += time.perf_counter() - started
        row = 0
        for pending in pending_items:
            ids = [chunk_id(pending.article_id, c.position) for c in pending.chunks]
            writer.store.add_chunks(
                pending.article_id, pending.article.title, pending.article.published,
                pending.chunks, ids,
            )
            writer.add_vectors(ids, matrix[row : row + len(ids)])
            row += len(ids)
            report.chunks += len(ids)
            report.tokens += sum(c.tokens for c in pending.chunks)
