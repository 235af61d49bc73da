"""The digest: pure composition (ranking, directions, rows left out, watched marks, quotes),
its window, and the whole path on the sample index (CLI, BotApp, terminal chat), every row
grounded in its cited sentence and source."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time
from pathlib import Path

import pytest
from rich.console import Console

from bot.app import BotApp, UserFacingError
from bot.cli import main
from bot.cogs.digest import next_digest_due
from bot.digest import Digest, compose_digest, digest_window, top_tickers
from bot.quotes import FakeQuoteProvider, Quote, QuoteSettings, QuoteUnavailable
from bot.services import build_services
from bot.settings import AnswerSettings
from bot.terminal import digest_args, handle
from index.entities import render_markup
from index.reader import IndexReader
from index.reader_facts import ArticleRef
from index.records import Move
from index.settings import IndexSettings

NOW = datetime(2024, 3, 1, 12, 0, tzinfo=UTC)


def art(n: int, day: int = 1, month: int = 2) -> ArticleRef:
    return ArticleRef(article_id=f"a{n}", title=f"Title {n}", outlet="Outlet",
                      published=datetime(2024, month, day, 9, tzinfo=UTC),
                      url=f"https://example.com/{n}")


def mv(company: str, ticker: str | None, direction: str, magnitude: float | None = None,
       unit: str | None = "%", kind: str = "company", sentence: str = "") -> Move:
    figure = "" if magnitude is None else f" {magnitude:g}{'%' if unit == '%' else ' dollars'}"
    verb = "rose" if direction == "up" else "fell"
    return Move(company=company, ticker=ticker, kind=kind, direction=direction,  # type: ignore[arg-type]
                magnitude=magnitude, unit=unit if magnitude is not None else None,  # type: ignore[arg-type]
                sentence=sentence or f"Shares of {company} {verb}{figure}.")


def compose(reports, **kwargs) -> Digest:
    since, until = digest_window(30, date(2024, 2, 29), NOW)
    return compose_digest(reports, days=30, since=since, until=until, now=NOW, **kwargs)


# -- pure composition --------------------------------------------------------------------------

def test_rank_by_distinct_articles_then_move_size() -> None:
    reports = [
        (art(1), mv("Adobe", "ADBE", "down", 7)),
        (art(2), mv("Nvidia", "NVDA", "up", 3)),
        (art(3), mv("Nvidia", "NVDA", "up", 5)),
        (art(3), mv("Nvidia", "NVDA", "up", 4)),  # the same article twice: one article
        (art(4), mv("Chegg", "CHGG", "down", 48)),
        (art(5), mv("Shutterstock", "SSTK", "down", 5)),
        (art(5), mv("Shutterstock", "SSTK", "down", 70e6, unit="USD")),
    ]
    digest = compose(reports)
    assert [(r.ticker, r.articles) for r in digest.rows] == [
        ("NVDA", 2), ("CHGG", 1), ("ADBE", 1), ("SSTK", 1)]
    nvda = digest.rows[0]
    assert (nvda.move, nvda.sentence, nvda.source.article_id) == (
        "up 5%", "Shares of Nvidia rose 5%.", "a3")
    assert digest.rows[3].move == "down 5%"  # a percent is shown before a dollar figure
    assert digest.covered and digest.companies == 4 and digest.articles == 5
    assert digest.text.startswith("4 companies with stock moves reported in 5 articles from "
                                  "2024-01-31 to 2024-02-29")
    assert [s.n for s in digest.sources] == [1, 2, 3, 4]
    assert [r.citation for r in digest.rows] == [r.source.n for r in digest.rows]


def test_up_and_down_show_the_most_reported_direction_with_counts() -> None:
    reports = [(art(1), mv("Alphabet", "GOOGL", "down", 7)),
               (art(2), mv("Alphabet", "GOOGL", "up", 2)),
               (art(3), mv("Alphabet", "GOOGL", "up", 1)),
               (art(4, day=5), mv("Intel", "INTC", "down")),
               (art(5, day=6), mv("Intel", "INTC", "up"))]  # a tie: the latest report
    googl, intc = compose(reports).rows
    assert (googl.direction, googl.move, googl.articles_up, googl.articles_down) == (
        "up", "up 2%", 2, 1)
    assert googl.counts == "3 articles: 2 up, 1 down"
    assert (intc.direction, intc.move, intc.counts) == (
        "up", "up, no figure stated", "2 articles: 1 up, 1 down")


def test_index_moves_and_private_companies_are_not_rows() -> None:
    reports = [(art(1), mv("Nasdaq Composite", None, "down", 2, kind="index")),
               (art(2), mv("OpenAI", None, "up", 10)),
               (art(3), mv("Microsoft", "MSFT", "up", 1))]
    digest = compose(reports)
    assert [r.company for r in digest.rows] == ["Microsoft"]
    assert digest.companies == 1 and digest.articles == 1


def test_watched_rows_are_marked_by_ticker_or_company() -> None:
    reports = [(art(1), mv("Adobe", "ADBE", "down", 7)), (art(2), mv("Nvidia", "NVDA", "up", 3)),
               (art(3), mv("Chegg", "CHGG", "down", 48))]
    digest = compose(reports, watched={"NVDA", "chegg", "sora"})
    assert {r.ticker: r.watched for r in digest.rows} == {
        "ADBE": False, "NVDA": True, "CHGG": True}


def test_quotes_carry_their_time_and_failures_their_reason() -> None:
    reports = [(art(1), mv("Adobe", "ADBE", "down", 7)), (art(2), mv("Nvidia", "NVDA", "up", 3))]
    adbe = Quote(symbol="ADBE", price=560.0, change_percent=-0.5, currency="USD",
                 as_of=datetime(2025, 1, 2, 21, tzinfo=UTC), source="fake")
    down = QuoteUnavailable(symbol="NVDA", reason="Yahoo Finance unreachable (DNS)")
    digest = compose(reports, quotes={"ADBE": adbe, "NVDA": down})
    rows = {r.ticker: r for r in digest.rows}
    assert rows["ADBE"].quote is not None and rows["ADBE"].quote.price == 560.0
    assert rows["ADBE"].quote.as_of == datetime(2025, 1, 2, 21, tzinfo=UTC)
    assert rows["NVDA"].quote is not None
    assert rows["NVDA"].quote.unavailable == "quote unavailable: Yahoo Finance unreachable (DNS)"
    assert digest.quotes_as_of == {"ADBE": datetime(2025, 1, 2, 21, tzinfo=UTC)}


def test_limit_keeps_the_strongest_and_counts_the_rest() -> None:
    reports = [(art(i), mv(f"Co{i}", f"C{i}", "up", float(i))) for i in range(1, 8)]
    digest = compose(reports, limit=3)
    assert [r.ticker for r in digest.rows] == ["C7", "C6", "C5"]
    assert top_tickers(reports, 3) == ["C7", "C6", "C5"]
    assert digest.companies == 7 and "the top 3 are listed" in digest.text


def test_empty_window_says_so_and_names_the_dates_the_index_holds() -> None:
    digest = compose([], index_articles=3500,
                     index_oldest=datetime(2023, 1, 2, tzinfo=UTC),
                     index_newest=datetime(2023, 12, 30, tzinfo=UTC))
    assert not digest.covered and digest.rows == []
    assert digest.text == ("The news in the index reports no stock moves from 2024-01-31 to "
                           "2024-02-29 (UTC). It holds 3,500 articles published from 2023-01-02 "
                           "to 2023-12-30.")
    assert compose([]).text.endswith("The index is empty.")


def test_window_ends_at_the_end_of_until_or_now() -> None:
    assert digest_window(1, date(2023, 12, 31), NOW) == (
        datetime(2023, 12, 31, tzinfo=UTC), datetime(2024, 1, 1, tzinfo=UTC))
    assert digest_window(365, date(2023, 12, 31), NOW)[0] == datetime(2023, 1, 1, tzinfo=UTC)
    assert digest_window(1, None, NOW) == (datetime(2024, 2, 29, 12, tzinfo=UTC), NOW)
    digest = compose_digest([], days=1, since=datetime(2023, 12, 31, tzinfo=UTC),
                            until=datetime(2024, 1, 1, tzinfo=UTC), now=NOW)
    assert digest.period == "2023-12-31"


def test_days_and_until_are_checked() -> None:
    assert BotApp.check_digest(7, "2023-12-31") == (7, date(2023, 12, 31))
    assert BotApp.check_digest(1, " ") == (1, None)
    with pytest.raises(UserFacingError, match="between 1 and 365"):
        BotApp.check_digest(366, None)
    with pytest.raises(UserFacingError, match="a date like 2023-12-31"):
        BotApp.check_digest(1, "yesterday")
    assert digest_args("") == (1, None)
    assert digest_args("30 2023-12-31") == (30, "2023-12-31")
    assert digest_args("2023-12-31 7") == (7, "2023-12-31")
    with pytest.raises(UserFacingError, match="usage"):
        digest_args("1 2 3")


def test_the_daily_digest_is_due_once_a_day() -> None:
    at = time(8, 0)
    morning = datetime(2024, 3, 1, 7, 0, tzinfo=UTC)
    assert next_digest_due(morning, at, None) == datetime(2024, 3, 1, 8, 0, tzinfo=UTC)
    late = datetime(2024, 3, 1, 15, 0, tzinfo=UTC)  # started after the time, not yet sent
    assert next_digest_due(late, at, date(2024, 2, 29)) <= late
    assert next_digest_due(late, at, date(2024, 3, 1)) == datetime(2024, 3, 2, 8, tzinfo=UTC)


# -- on a real index ---------------------------------------------------------------------------

def assert_grounded(digest: Digest, reader: IndexReader) -> None:
    """Every row's figure is in its sentence; the sentence is in its source article."""
    for row in digest.rows:
        source = render_markup(reader.article_text(row.source.article_id))
        assert " ".join(row.sentence.split()) in " ".join(source.split()), row
        if row.magnitude is not None:
            scales = (1e12, 1e9, 1e6, 1e3, 1.0) if row.unit == "USD" else (1.0,)
            stated = row.sentence.replace(",", "")
            assert any(f"{row.magnitude / s:g}" in stated for s in scales), row
            assert f"{row.magnitude:g}" in row.move or row.unit == "USD"
        assert row.citation == row.source.n


def test_cli_digest_json_on_the_sample_index(sample_index: Path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("QUOTES_ENABLED", "false")
    monkeypatch.setenv("BOT_STATE_PATH", "/nonexistent/bot-state.sqlite")
    code = main(["digest", "--index-dir", str(sample_index), "--days", "365",
                 "--until", "2024-02-19", "--json"])
    assert code == 0
    digest = Digest.model_validate(json.loads(capsys.readouterr().out))
    assert digest.covered and digest.since == datetime(2023, 2, 20, tzinfo=UTC)
    tickers = [r.ticker for r in digest.rows]
    assert tickers == ["CHGG", "ADBE", "SSTK"]  # one article each: the bigger move first
    rows = {r.ticker: r for r in digest.rows}
    assert rows["ADBE"].move == "down more than 7%"
    assert rows["ADBE"].quote is not None
    assert rows["ADBE"].quote.unavailable == "quote unavailable: quotes are disabled"
    reader = IndexReader.open(sample_index)
    try:
        assert_grounded(digest, reader)
    finally:
        reader.close()


def test_cli_digest_refuses_bad_arguments(sample_index: Path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("QUOTES_ENABLED", "false")
    assert main(["digest", "--index-dir", str(sample_index), "--days", "400"]) == 2
    assert "days must be between 1 and 365" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["digest", "--until", "31/12/2023"])


async def test_app_and_terminal_digest_on_the_sample_index(sample_index: Path, real_embedder) -> None:
    services = build_services(
        IndexSettings(_env_file=None, index_dir=sample_index),  # type: ignore[call-arg]
        AnswerSettings(_env_file=None),  # type: ignore[call-arg]
        QuoteSettings(_env_file=None),  # type: ignore[call-arg]
        embedder=real_embedder, quotes=FakeQuoteProvider({"ADBE": 560.0, "SSTK": 30.0}))
    app = BotApp(services)
    try:
        digest = await app.digest(1, "2024-02-19", watched={"ADBE"})
        assert [r.ticker for r in digest.rows] == ["ADBE", "SSTK"]  # Chegg: May 2023
        assert digest.rows[0].watched and not digest.rows[1].watched
        assert digest.rows[0].quote is not None and digest.rows[0].quote.price == 560.0
        stated = await app.digest(1, "2024-02-16")  # the day the moves refer to
        assert [r.ticker for r in stated.rows] == ["ADBE", "SSTK"]
        empty = await app.digest(1, "2022-06-01")
        assert not empty.covered and "It holds 5 articles published from 2023-01-23" in empty.text
        console = Console(record=True, width=200)
        await handle("/digest 1 2024-02-19", app, console)
        await handle("/digest 1 tomorrow", app, console)
        out = console.export_text()
        assert "What moved in AI news · 2024-02-19" in out
        assert "1. Adobe (ADBE) — down more than 7%" in out
        assert "live 560.00 USD as of 2025-01-02 21:00 UTC" in out
        assert "until must be a date like 2023-12-31" in out
    finally:
        await app.aclose()
