"""Periods said without a year move to the latest year the news index covers."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace
from typing import Any, cast

import pytest

from bot.engine import AnswerEngine
from bot.question import Question, TimeWindow, parse_question
from bot.question.coverage import ArticleDays
from bot.question.timewin import find_window
from index.embedding import FakeEmbedder
from index.entities import EntityResolver, TickerTable
from index.reader import IndexReader
from index.search import LiveIndex
from tests.test_index_store import build

NOW = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)


def utc(year: int, month: int, day: int, hour: int = 0) -> datetime:
    return datetime(year, month, day, hour, tzinfo=UTC)


def every_day(*years: int) -> ArticleDays:
    days = []
    for year in years:
        day = date(year, 1, 1)
        while day.year == year:
            days.append(day)
            day += timedelta(days=1)
    return ArticleDays(days)


NEWS_2023 = every_day(2023)
NEWS_2023_2024 = every_day(2023, 2024)


@pytest.fixture(scope="module")
def resolver() -> EntityResolver:
    return EntityResolver(TickerTable.load())


def ask(
    resolver: EntityResolver, text: str, coverage: ArticleDays | None = NEWS_2023
) -> Question:
    return parse_question(text, resolver, NOW, coverage=coverage)


# -- yearless periods move to the covered year --------------------------------------------

MOVED = [
    ("nvidia in may", utc(2023, 5, 1), utc(2023, 6, 1), "May 2023", "May"),
    ("what happened back in early march", utc(2023, 3, 1), utc(2023, 3, 11),
     "early March 2023", "early March"),
    ("the late oct selloff", utc(2023, 10, 21), utc(2023, 11, 1), "late October 2023",
     "late October"),
    ("nvda mid-june", utc(2023, 6, 11), utc(2023, 6, 21), "mid June 2023", "mid June"),
    ("AI stocks over the summer", utc(2023, 6, 1), utc(2023, 9, 1), "summer 2023", "summer"),
    ("nvidia in Q3", utc(2023, 7, 1), utc(2023, 10, 1), "Q3 2023", "Q3"),
    ("what happened on March 5", utc(2023, 3, 5), utc(2023, 3, 6), "2023-03-05",
     "March 5"),
    ("in the first week of may", utc(2023, 5, 1), utc(2023, 5, 8),
     "first week of May 2023", "first week of May"),
    ("since the end of march", utc(2023, 3, 21), None, "since late March 2023",
     "late March"),
]  # fmt: skip


@pytest.mark.parametrize(("text", "since", "until", "label", "bare"), MOVED)
def test_yearless_period_moves_to_the_covered_year(
    resolver: EntityResolver, text: str, since: datetime, until: datetime | None, label: str,
    bare: str,
) -> None:  # fmt: skip
    q = ask(resolver, text)
    assert q.window == TimeWindow(since=since, until=until, label=label)
    year_label = label.removeprefix("since ")
    full = year_label if year_label != "2023-03-05" else "March 5, 2023"
    assert q.assumptions == [f"taking {bare} as {full}, the latest one my news covers"]


def test_the_latest_covered_year_wins(resolver: EntityResolver) -> None:
    q = ask(resolver, "nvidia in may", NEWS_2023_2024)
    assert q.window == TimeWindow(since=utc(2024, 5, 1), until=utc(2024, 6, 1), label="May 2024")
    assert q.assumptions == ["taking May as May 2024, the latest one my news covers"]


def test_a_range_moves_together(resolver: EntityResolver) -> None:
    q = ask(resolver, "between march and may")
    assert q.window == TimeWindow(
        since=utc(2023, 3, 1), until=utc(2023, 6, 1), label="March 2023 to May 2023"
    )
    assert q.assumptions == [
        "taking March and May as March 2023 and May 2023, the latest ones my news covers"
    ]


def test_a_range_end_takes_the_other_ends_year(resolver: EntityResolver) -> None:
    q = ask(resolver, "between march and may 2024")
    assert q.window == TimeWindow(
        since=utc(2024, 3, 1), until=utc(2024, 6, 1), label="March 2024 to May 2024"
    )
    assert q.assumptions == []  # the year was said, not assumed
    q = ask(resolver, "from nov to feb", None)
    assert q.window == TimeWindow(
        since=utc(2025, 11, 1), until=utc(2026, 3, 1), label="November 2025 to February 2026"
    )


def test_this_summer_is_said_without_a_year(resolver: EntityResolver) -> None:
    # The issue's own example: "this summer" on 2023 news is summer 2023, said so.
    q = ask(resolver, "AI stocks this summer")
    assert q.window == TimeWindow(since=utc(2023, 6, 1), until=utc(2023, 9, 1),
                                  label="summer 2023")
    assert q.assumptions and "2023" in q.assumptions[0]
    q = ask(resolver, "nvidia this march")
    assert (q.window.since, q.window.until) == (utc(2023, 3, 1), utc(2023, 4, 1))
    q = ask(resolver, "AI stocks this summer", None)  # no coverage: this year's summer
    assert q.window.since == utc(2026, 6, 1)


# -- what keeps its meaning -----------------------------------------------------------------

KEPT = [
    ("losers last week", utc(2026, 11, 23), utc(2026, 11, 30), "last week"),
    ("what happened yesterday", utc(2026, 12, 3), utc(2026, 12, 4), "yesterday"),
    ("nvda in the past 3 months", utc(2026, 9, 4, 12), None, "past 3 months"),
    ("nvidia in may 2025", utc(2025, 5, 1), utc(2025, 6, 1), "May 2025"),
    ("winners in 2024", utc(2024, 1, 1), utc(2025, 1, 1), "2024"),
    ("this week", utc(2026, 11, 30), None, "this week"),
]


@pytest.mark.parametrize(("text", "since", "until", "label"), KEPT)
def test_explicit_and_relative_periods_keep_their_meaning(
    resolver: EntityResolver, text: str, since: datetime, until: datetime | None, label: str
) -> None:
    q = ask(resolver, text)
    assert q.window == TimeWindow(since=since, until=until, label=label)
    assert q.assumptions == []


def test_without_coverage_the_most_recent_year_is_kept(resolver: EntityResolver) -> None:
    assert ask(resolver, "nvidia in may", None).window == TimeWindow(
        since=utc(2026, 5, 1), until=utc(2026, 6, 1), label="May 2026"
    )
    assert ask(resolver, "nvidia in may", None).assumptions == []
    q = ask(resolver, "late december", None)
    assert q.window == TimeWindow(
        since=utc(2025, 12, 21), until=utc(2026, 1, 1), label="late December 2025"
    )
    assert q.assumptions == ["taking late December as late December 2025, the most recent one"]


def test_nothing_covered_keeps_the_most_recent_year(resolver: EntityResolver) -> None:
    q = ask(resolver, "nvidia in may", ArticleDays([date(2010, 5, 3)]))  # over ten years back
    assert q.window is not None and q.window.label == "May 2026"
    assert q.assumptions == []
    assert ask(resolver, "nvidia in may", ArticleDays([])).window == q.window


@pytest.mark.parametrize(
    "text", ["nvidia may drop", "May I ask why nvda fell?", "march on, nvidia",
             "nvda's may be the best", "it's may guidance"]
)
def test_month_words_only_when_dates(resolver: EntityResolver, text: str) -> None:
    q = ask(resolver, text)
    assert (q.window, q.assumptions) == (None, [])


@pytest.mark.parametrize("text", ["nvidia in March", "nvidia March", "nvidia in march"])
def test_month_as_date(resolver: EntityResolver, text: str) -> None:
    assert ask(resolver, text).window == TimeWindow(
        since=utc(2023, 3, 1), until=utc(2023, 4, 1), label="March 2023"
    )


EVENT_MONTHS = [
    # a month between "the"/a possessive and a noun names the event's time, not a bound
    ("who else ripped with nvda after the may guidance", "May 2023", "guidance"),
    ("who ripped after nvda's may guidance", "May 2023", "nvda's guidance"),
    ("who lost after the feb 2023 bard flop", "February 2023", "bard flop"),
    ("who fell before the march selloff", "March 2023", None),
    # a month on its own after "after" still opens the window at its end
    ("what happened after may", "after May 2023", None),
    ("who rallied after the bard demo in feb", "February 2023", "bard demo"),
]


@pytest.mark.parametrize(("text", "label", "anchor"), EVENT_MONTHS)
def test_a_month_naming_an_events_time_is_that_month(
    resolver: EntityResolver, text: str, label: str, anchor: str | None
) -> None:
    q = ask(resolver, text)
    assert q.window is not None and q.window.label == label
    assert q.anchor == anchor


def test_find_window_without_coverage_reports_no_assumption_this_year() -> None:
    match = find_window("in march", NOW)
    assert match.window is not None and match.window.label == "March 2026"
    assert match.assumptions == []


# -- the coverage object and where it comes from ------------------------------------------


def test_article_days_covers_half_open_ranges() -> None:
    days = ArticleDays([date(2023, 5, 31), date(2023, 3, 1), date(2023, 5, 31)])
    assert days.days == (date(2023, 3, 1), date(2023, 5, 31))
    assert days.covers(utc(2023, 5, 1), utc(2023, 6, 1))
    assert not days.covers(utc(2023, 6, 1), utc(2024, 1, 1))
    assert not days.covers(utc(2023, 3, 2), utc(2023, 5, 31))  # end excluded
    assert days.covers(utc(2023, 3, 1, 12), utc(2023, 3, 2))  # a rolling start mid-day


def test_reader_article_days_and_engine_coverage(tmp_path: Any) -> None:
    embedder = FakeEmbedder()
    build(tmp_path, embedder)
    reader = IndexReader.open(tmp_path)
    assert reader.article_days() == (date(2023, 5, 1), date(2023, 5, 25), date(2024, 2, 16))
    assert reader.article_days() is reader.article_days()  # computed once
    reader.close()
    live = LiveIndex(tmp_path, embedder.model_id, embedder.dimension)
    engine = AnswerEngine(
        cast(Any, SimpleNamespace(live=live)), EntityResolver(TickerTable.load()), cast(Any, None)
    )
    coverage = engine.coverage()
    assert coverage is not None and coverage is engine.coverage()
    q = engine.understand("nvidia in may", NOW, coverage=coverage)
    assert q.window is not None and q.window.label == "May 2023"
    live.close()
    empty = LiveIndex(tmp_path / "none", embedder.model_id, embedder.dimension)
    engine = AnswerEngine(
        cast(Any, SimpleNamespace(live=empty)), EntityResolver(TickerTable.load()), cast(Any, None)
    )
    assert engine.coverage() is None


def test_29_february_is_the_last_leap_years(resolver: EntityResolver) -> None:
    q = ask(resolver, "what happened on feb 29", None)
    assert q.window == TimeWindow(since=utc(2024, 2, 29), until=utc(2024, 3, 1), label="2024-02-29")
    assert q.assumptions == ["taking February 29 as February 29, 2024, the most recent one"]


def test_a_company_asked_by_another_listing_is_looked_up_under_its_primary_ticker() -> None:
    """ "goog" is filed under GOOGL in the news and its moves; a quote keeps the listing asked."""
    engine = AnswerEngine(cast(Any, None), EntityResolver(TickerTable.load()), cast(Any, None))
    q = engine.understand("why did goog run 10% in july", NOW)
    assert q.tickers == ["GOOGL"] and [e.ticker for e in q.entities] == ["GOOGL"]
    q = engine.understand("who else ripped not counting goog", NOW)
    assert q.excluded_tickers == ["GOOGL"]
    assert engine.understand("$GOOG quote", NOW).tickers == ["GOOG"]
