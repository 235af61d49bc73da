"""Issue 8: moves without figures or dates stored and read back, an older generation's moves
table migrated in the writer's copy, re-extraction when the extractor version changes, and the
raw (no front matter) seed text keeping its moves and its best passage."""

from __future__ import annotations

import json
import sqlite3
from datetime import date
from pathlib import Path

import pytest

from index import generations
from index.entities import EntityResolver, TickerTable
from index.generations import SQLITE_NAME
from index.reader import IndexReader
from index.records import Article, Move
from index.search import Searcher, asks_about_moves
from ingest.moves import EXTRACTOR_VERSION
from ingest.pipeline import EXTRACTOR_KEY, Ingestor
from ingest.sources import SourceSpec
from ingest.sources.files import read_text_file
from tests.conftest import FIXTURES

RAW_SEED = FIXTURES / "raw" / "sora-first-victims-2024-02-19.txt"

OLD_MOVES = """
CREATE TABLE moves (
    id INTEGER PRIMARY KEY AUTOINCREMENT, article_id TEXT NOT NULL, company TEXT NOT NULL,
    ticker TEXT, direction TEXT NOT NULL, magnitude REAL NOT NULL, unit TEXT NOT NULL,
    qualifier TEXT, metric TEXT NOT NULL, refers_to TEXT NOT NULL,
    date_stated INTEGER NOT NULL, sentence TEXT NOT NULL
);
CREATE INDEX moves_article ON moves(article_id);
CREATE INDEX moves_ticker ON moves(ticker);
"""


@pytest.fixture(scope="module")
def resolver() -> EntityResolver:
    return EntityResolver(TickerTable.load())


def corpus(path: Path) -> Path:
    records = [
        {"title": "Chegg slumps", "url": "https://news.example.com/chegg", "date": "2023-05-02",
         "text": "Shares of Chegg plunged on Tuesday. The stock lost 48% of its value after "
                 "the company said ChatGPT was hurting growth. The Nasdaq Composite rose 0.5%."},
        {"title": "Baidu", "url": "https://news.example.com/baidu", "date": "2023-02-07",
         "text": "Baidu shares jumped after it confirmed it would launch its Ernie chatbot."},
        {"title": "Baidu", "url": "https://mirror.example.org/baidu", "date": "2023-02-07",
         "text": "Baidu shares jumped after it confirmed it would launch its Ernie chatbot."},
    ]
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    return path


def all_moves(index_dir: Path) -> dict[str, list[Move]]:
    reader = IndexReader.open(index_dir)
    try:
        ids = [r[0] for r in reader._query("SELECT id FROM articles ORDER BY id")]
        return reader.moves_for(ids)
    finally:
        reader.close()


def downgrade(db: Path) -> None:
    """Turn a generation's database into the layout built before issue 8 (in place: it plays
    an older generation), keeping only the moves that layout could hold."""
    conn = sqlite3.connect(db)
    rows = conn.execute(
        "SELECT article_id, company, ticker, direction, magnitude, unit, qualifier, metric, "
        "refers_to, date_stated, sentence FROM moves WHERE kind = 'company' "
        "AND magnitude IS NOT NULL AND refers_to IS NOT NULL"
    ).fetchall()
    conn.executescript("DROP TABLE moves; DROP TABLE meta;" + OLD_MOVES)
    conn.executemany(
        "INSERT INTO moves (article_id, company, ticker, direction, magnitude, unit, qualifier, "
        "metric, refers_to, date_stated, sentence) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        rows,
    )
    conn.commit()
    conn.close()


def test_word_index_and_merged_moves_are_stored_and_read_back(
    tmp_path, fake_embedder, ingest_settings, resolver
):
    index_dir = tmp_path / "index"
    report = Ingestor(index_dir, ingest_settings, fake_embedder, resolver).run(
        [SourceSpec(name="c", location=str(corpus(tmp_path / "c.jsonl")))]
    )
    assert (report.new, report.duplicates, report.reextracted) == (2, 1, 0)
    found = [m for moves in all_moves(index_dir).values() for m in moves]
    summary = sorted((m.kind, m.ticker or m.company, m.direction, m.magnitude) for m in found)
    assert summary == [
        ("company", "BIDU", "up", None),
        ("company", "CHGG", "down", 48.0),  # "plunged" + the next sentence's figure: one move
        ("index", "Nasdaq Composite", "up", 0.5),
    ]
    chegg = next(m for m in found if m.ticker == "CHGG")
    assert chegg.sentence.startswith("Shares of Chegg plunged on Tuesday. The stock lost 48%")
    assert (chegg.refers_to, chegg.date_stated) == (date(2023, 5, 2), True)


def test_old_generation_is_migrated_in_the_copy_and_re_extracted(
    tmp_path, fake_embedder, ingest_settings, resolver
):
    index_dir = tmp_path / "index"
    source = [SourceSpec(name="c", location=str(corpus(tmp_path / "c.jsonl")))]
    ingestor = Ingestor(index_dir, ingest_settings, fake_embedder, resolver)
    ingestor.run(source)
    old_db = generations.current_generation(index_dir) / SQLITE_NAME
    downgrade(old_db)
    # The older layout reads as it is: company moves with figures and dates only.
    old = [m for moves in all_moves(index_dir).values() for m in moves]
    assert [(m.kind, m.ticker, m.magnitude) for m in old] == [("company", "CHGG", 48.0)]

    again = ingestor.run(source)
    # Nothing changed in the articles; both originals (not the duplicate) are re-extracted,
    # nothing is embedded again.
    assert (again.unchanged, again.new, again.chunks, again.reextracted) == (3, 0, 0, 2)
    assert "re-extracted entities and moves of 2 stored articles" in "\n".join(
        again.summary_lines()
    )
    kinds = sorted(m.kind for moves in all_moves(index_dir).values() for m in moves)
    assert kinds == ["company", "company", "index"]
    new_db = generations.current_generation(index_dir) / SQLITE_NAME
    with sqlite3.connect(new_db) as conn:
        assert conn.execute("SELECT value FROM meta WHERE key = ?", (EXTRACTOR_KEY,)).fetchone() \
            == (str(EXTRACTOR_VERSION),)
    with sqlite3.connect(old_db) as conn:  # the serving generation was never touched
        columns = [r[1] for r in conn.execute("PRAGMA table_info(moves)")]
        assert "kind" not in columns
        assert conn.execute("SELECT count(*) FROM moves").fetchone() == (1,)

    third = ingestor.run(source)
    assert third.reextracted == 0 and third.unchanged == 3


def test_raw_seed_text_keeps_title_and_undated_moves(resolver) -> None:
    [article] = list(read_text_file(RAW_SEED.read_text(encoding="utf-8"), str(RAW_SEED)))
    assert isinstance(article, Article)
    assert article.title == "Sora's first wave of victims has appeared"
    assert article.published is None
    assert not article.text.startswith(("share_log", "Sora的"))
    from ingest.moves import extract_moves

    moves = extract_moves(article.text, resolver.find(article.text), None, resolver=resolver)
    assert [(m.ticker, m.magnitude, m.unit, m.refers_to) for m in moves] == [
        ("ADBE", 7.0, "%", None),
        ("SSTK", 5.0, "%", None),
        ("SSTK", 70_000_000.0, "USD", None),
    ]


@pytest.mark.parametrize(
    "text",
    [
        "share_log\n\nNvidia soars on AI demand\n\nBody text.",
        "id:1234\n# Nvidia soars on AI demand\n\nBody text.",
        "英伟达大涨\n\nNvidia soars on AI demand\n\nBody text.",
    ],
)
def test_plain_text_title_skips_junk(text: str) -> None:
    [article] = list(read_text_file(text, "x.txt"))
    assert isinstance(article, Article)
    assert (article.title, article.text) == ("Nvidia soars on AI demand", "Body text.")


def test_plain_text_byline_date() -> None:
    text = "Nvidia soars on AI demand\nBy Jane Doe · Feb 19, 2024\n\nBody text. More body."
    [article] = list(read_text_file(text, "x.txt"))
    assert isinstance(article, Article)
    assert article.published is not None and article.published.date() == date(2024, 2, 19)


def test_move_questions() -> None:
    assert asks_about_moves("who lost from Sora")
    assert asks_about_moves("why did $NVDA jump?")
    assert not asks_about_moves("what is Sora?")


def test_raw_seed_best_passage_reports_the_moves(tmp_path, real_embedder, resolver) -> None:
    from ingest.settings import IngestSettings

    index_dir = tmp_path / "index"
    report = Ingestor(
        index_dir, IngestSettings(_env_file=None), real_embedder, resolver  # type: ignore[call-arg]
    ).run([SourceSpec(name="raw", location=str(RAW_SEED))])
    assert report.new == 1
    reader = IndexReader.open(index_dir)
    try:
        [hit] = Searcher(lambda: reader, real_embedder).search("who lost from Sora", k=1)
        assert "plummeted by more than 7%" in hit.text and "more than 5%" in hit.text
    finally:
        reader.close()
