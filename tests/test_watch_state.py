"""The bot state database, watch targets, matching and alert composition (no Discord)."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.quotes import Quote, QuoteUnavailable
from bot.state import SCHEMA_VERSION, BotState, StateError
from bot.watch import Matcher, NameBook, NewArticle, TargetError, compose_alert, parse_target
from bot.watch.compose import compose_overflow
from index.records import Move
from index.tickers import TickerTable

NOW = datetime(2025, 11, 10, 15, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def table() -> TickerTable:
    return TickerTable.load()


@pytest.fixture(scope="module")
def book(table: TickerTable) -> NameBook:
    return NameBook(table)


def test_state_is_created_migrated_and_kept(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "state.sqlite"
    with BotState.open(path) as state:
        assert state.schema_version == SCHEMA_VERSION
        assert state.get_value("digest.last") is None
        state.set_value("digest.last", "2025-11-10")
        state.set_value("digest.last", "2025-11-11")
        watch, created = state.add_watch(guild_id=1, channel_id=2, kind="ticker", key="NVDA",
                                         label="nvidia", added_by_id=3, added_by_name="ann")
        assert created and watch.enabled and watch.last_fired_at is None
        again, created = state.add_watch(guild_id=1, channel_id=2, kind="ticker", key="NVDA",
                                         label="NVDA", added_by_id=4, added_by_name="bob")
        assert not created and again.id == watch.id
        state.add_watch(guild_id=1, channel_id=2, kind="company", key="openai", label="OpenAI",
                        added_by_id=3, added_by_name="ann")
        state.add_watch(guild_id=1, channel_id=5, kind="topic", key="sora", label="Sora",
                        added_by_id=3, added_by_name="ann")
        assert state.watched_keys() == {"NVDA", "nvidia", "openai", "sora"}
        state.record_fired(2, ["a1", "a2"], kind="alert", watch_ids=[watch.id], now=NOW)
        state.record_fired(2, ["a3"], kind="listed", now=NOW)
        assert state.already_fired(2, ["a1", "a3", "a4"]) == {"a1", "a3"}
        assert state.already_fired(5, ["a1"]) == set()
        assert state.alerts_since(2, NOW - timedelta(hours=1)) == 2
        assert state.alerts_since(2, NOW + timedelta(seconds=1)) == 0
        assert state.disable_channel(5, "channel not found") != []
        assert "sora" not in state.watched_keys()
    with BotState.open(path) as state:  # reopened: everything is still there
        assert state.get_value("digest.last") == "2025-11-11"
        watches = state.watches(guild_id=1)
        assert [w.key for w in watches] == ["NVDA", "openai", "sora"]
        assert watches[0].last_fired_at == NOW and watches[2].disabled_reason == \
            "channel not found"
        assert state.remove_watch(2, "ticker", "NVDA") and not state.remove_watch(2, "ticker",
                                                                                   "NVDA")
        # adding a disabled watch again enables it
        sora, created = state.add_watch(guild_id=1, channel_id=5, kind="topic", key="sora",
                                        label="Sora", added_by_id=3, added_by_name="ann")
        assert not created and sora.enabled


@pytest.mark.parametrize("content", [b"garbage" * 1000, b"SQLite format 3\x00" + b"\xff" * 5000])
def test_a_corrupt_state_file_is_reported_with_its_path_and_kept(tmp_path: Path,
                                                                 content: bytes) -> None:
    path = tmp_path / "bot-state.sqlite"
    path.write_bytes(content)
    with pytest.raises(StateError) as info:
        BotState.open(path)
    assert str(path) in str(info.value) and "corrupt" in str(info.value)
    assert path.read_bytes() == content  # never silently reset


def test_a_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite"
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(StateError, match="newer"):
        BotState.open(path)


@pytest.mark.parametrize(("typed", "kind", "key"), [
    ("NVDA", "ticker", "NVDA"), ("$nvda", "ticker", "NVDA"), ("nvidia", "ticker", "NVDA"),
    ("Nvidia", "ticker", "NVDA"), ("OpenAI", "company", "openai"), ("sora", "topic", "sora"),
    ("Chip  export curbs", "topic", "chip export curbs"), ("google", "ticker", "GOOGL"),
])
def test_targets(table: TickerTable, typed: str, kind: str, key: str) -> None:
    target = parse_target(typed, table)
    assert (target.kind, target.key) == (kind, key)


@pytest.mark.parametrize("typed", ["", "  ", "$ZZZZQ", "x" * 200, "\x1b[2J"])
def test_bad_targets(table: TickerTable, typed: str) -> None:
    with pytest.raises(TargetError):
        parse_target(typed, table)


def article(title: str, text: str, moves: tuple[Move, ...] = (), key: str = "a1",
            published: datetime | None = NOW) -> NewArticle:
    return NewArticle.build(id=key, key=key, title=title, url=f"https://n.example/{key}",
                            outlet="Wire", published=published, first_seen=NOW, text=text,
                            moves=moves)


def move(company: str, ticker: str | None, sentence: str, direction: str = "up") -> Move:
    return Move(company=company, ticker=ticker, direction=direction, magnitude=5.0, unit="%",
                metric="price", sentence=sentence)  # type: ignore[arg-type]


def watches(tmp_path: Path, table: TickerTable, *targets: tuple[str, int]) -> BotState:
    state = BotState.open(tmp_path / "s.sqlite")
    for typed, channel in targets:
        t = parse_target(typed, table)
        state.add_watch(guild_id=1, channel_id=channel, kind=t.kind, key=t.key, label=t.label,
                        added_by_id=1, added_by_name="ann")
    return state


def test_matching(tmp_path: Path, table: TickerTable, book: NameBook) -> None:
    state = watches(tmp_path, table, ("NVDA", 1), ("sora", 1), ("OpenAI", 2),
                    ("chip export curbs", 2), ("google", 2))
    matcher = Matcher(state.watches(), book)
    nv = move("Nvidia", "NVDA", "Nvidia shares jumped 5% on Monday.")
    # a reported move of the ticker, even when the lead does not name it
    hits = matcher.match(article("Chip stocks rally", "Semis rose.", (nv,)))
    assert [(m.channel_id, m.labels, m.ticker) for m in hits] == [(1, ["NVDA"], "NVDA")]
    assert hits[0].move == nv
    # the company named in the title; a topic in the first paragraph; one match per channel
    hits = matcher.match(article("NVIDIA unveils a chip", "OpenAI's Sora video model leads.\n\n"
                                 "Later paragraph about chip export curbs."))
    assert [(m.channel_id, sorted(m.labels)) for m in hits] == [(1, ["NVDA", "sora"]),
                                                                (2, ["OpenAI"])]
    assert hits[0].move is None and hits[0].ticker == "NVDA"
    # only the first paragraph counts; words, not substrings; Alphabet's name forms
    assert matcher.match(article("Markets", "Quiet day.\n\nNvidia and Sora later.")) == []
    assert matcher.match(article("Soraya speaks", "A soran dish.")) == []
    hits = matcher.match(article("Google shares slip", "Alphabet fell."))
    assert [m.labels for m in hits] == [["google"]]
    # another company's move is not shown for a name match
    other = move("Adobe", "ADBE", "Adobe fell 7%.", "down")
    hits = matcher.match(article("Nvidia and Adobe", "Both named.", (other,)))
    assert hits[0].move is None and hits[0].ticker == "NVDA"
    # a topic watch shows the article's move
    hits = matcher.match(article("Sora hits Adobe", "Adobe fell.", (other,)))
    assert hits[0].move == other and hits[0].ticker == "ADBE"
    state.close()


def test_compose_alert_and_overflow(tmp_path: Path, table: TickerTable, book: NameBook) -> None:
    state = watches(tmp_path, table, ("NVDA", 1))
    matcher = Matcher(state.watches(), book)
    nv = move("Nvidia", "NVDA", "Nvidia shares jumped 5% \x1b[31mon Monday.")
    match = matcher.match(article("Nvidia \x07jumps", "x", (nv,)))[0]
    quote = Quote(symbol="NVDA", price=123.45, change_percent=1.5, currency="USD",
                  as_of=NOW, source="fake")
    message = compose_alert(match, quote)
    assert message.title == "Nvidia jumps" and message.url == "https://n.example/a1"
    assert "Wire · 2025-11-10 15:00 UTC" in message.description
    assert message.fields[0] == ("Reported move", "> Nvidia shares jumped 5% on Monday.")
    assert message.fields[1][1].startswith("NVDA 123.45 USD (+1.50%) · as of 2025-11-10 15:00")
    assert message.tone == "up" and message.footer == "watch: NVDA"
    gone = compose_alert(match, QuoteUnavailable(symbol="NVDA", reason="Yahoo unreachable"))
    assert gone.fields[1] == ("Live quote", "quote unavailable: Yahoo unreachable")
    many = [matcher.match(article(f"Nvidia {i} [x]", "y", key=f"k{i}"))[0] for i in range(60)]
    overflow = compose_overflow(many, 10)
    assert overflow.title == "60 more watched articles" and "… and 20 more" in overflow.description
    assert "(x)" in overflow.description and "over 10 alerts this hour" in overflow.footer
    state.close()
