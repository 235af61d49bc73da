"""Bad input is skipped with a named reason and the run goes on."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from index.records import Article
from ingest.settings import IngestSettings
from ingest.sources import Failure, SourceSpec, read_sources

BAD = Path(__file__).parent / "fixtures" / "sources" / "bad"
FILES = Path(__file__).parent / "fixtures" / "sources" / "files"


def _settings(**overrides: Any) -> IngestSettings:
    return IngestSettings(_env_file=None, **overrides)  # type: ignore[call-arg]


def _read(*locations: Path | str, **overrides: Any) -> list[Article | Failure]:
    specs = [SourceSpec(str(loc), str(loc)) for loc in locations]
    return list(read_sources(specs, _settings(**overrides)))


def _reasons(items: list[Article | Failure]) -> list[tuple[str, str]]:
    return [(Path(i.source).name, i.reason) for i in items if isinstance(i, Failure)]


def test_empty_blank_binary_and_non_utf8_files() -> None:
    items = _read(BAD / "empty.txt", BAD / "blank.md", BAD / "binary.txt", BAD / "latin1.txt")
    assert _reasons(items) == [
        ("empty.txt", "empty file"),
        ("blank.md", "empty file"),
        ("binary.txt", "binary file"),
        ("latin1.txt", "not UTF-8 (invalid byte 0xe9 at offset 3)"),
    ]
    assert len(items) == 4


def test_file_over_the_size_limit() -> None:
    items = _read(FILES / "chip-note.txt", max_file_bytes=100)
    assert items == [Failure(str(FILES / "chip-note.txt"), "file too large (297 B > 100 B)")]


def test_large_sizes_are_shown_in_megabytes() -> None:
    from ingest.sources.model import human_bytes

    assert human_bytes(63_200_000) == "63 MB"
    assert human_bytes(50_000_000) == "50 MB"
    assert human_bytes(2_500) == "2.5 kB"


def test_non_xml_feed_file() -> None:
    items = _read(BAD / "not-a-feed.xml")
    assert _reasons(items) == [("not-a-feed.xml", "not an RSS/Atom feed (line 2: syntax error)")]


def test_broken_json_and_records_without_text() -> None:
    items = _read(BAD / "broken.json", BAD / "only-title.json")
    assert _reasons(items) == [
        ("broken.json", "invalid JSON: Expecting ',' delimiter (line 2)"),
        ("only-title.json", "item 1: no text"),
        ("only-title.json", "item 2: no title and no text"),
        ("only-title.json", "item 3: not a JSON object"),
    ]
    assert not [i for i in items if isinstance(i, Article)]


def test_unparseable_date_keeps_the_article_with_a_warning() -> None:
    warning, article = _read(BAD / "bad-date.md")
    assert warning == Failure(str(BAD / "bad-date.md"),
                              "unparseable date 'sometime next week'", warning=True)
    assert isinstance(article, Article)
    assert article.title == "Drone maker Aerix delays launch"
    assert article.published is None
    assert article.outlet == "Example Wire"


def test_gzip_problems() -> None:
    items = _read(BAD / "fake.jsonl.gz", BAD / "truncated.jsonl.gz")
    articles = [i for i in items if isinstance(i, Article)]
    assert articles[0].title == "Record 1"
    assert articles[0].text == "Made-up body number 1 about chips, clouds and robots 7919."
    assert items[0] == Failure(str(BAD / "fake.jsonl.gz"), "not a gzip file")
    last = items[-1]
    assert isinstance(last, Failure)
    assert last.reason == f"truncated gzip file (after line {len(articles)})"


def test_unknown_paths_types_and_empty_globs() -> None:
    missing = str(BAD / "no-such-file.txt")
    pattern = str(BAD / "*.nothing")
    items = _read(missing, BAD / "unsupported.pdf", pattern)
    assert [(i.source, i.reason) for i in items if isinstance(i, Failure)] == [
        (missing, "not found (no such file or folder, no glob match)"),
        (str(BAD / "unsupported.pdf"), "unsupported file type '.pdf'"),
        (pattern, "no files match"),
    ]


def test_the_run_goes_on_after_every_kind_of_failure() -> None:
    items = _read(BAD, FILES / "chip-note.txt")
    articles = [i for i in items if isinstance(i, Article)]
    assert articles[-1].title == "Chipmaker Zentrix lifts forecast on AI server demand"
    assert {name for name, _ in _reasons(items)} == {
        "bad-date.md", "binary.txt", "blank.md", "broken.json", "empty.txt", "fake.jsonl.gz",
        "latin1.txt", "not-a-feed.xml", "only-title.json", "truncated.jsonl.gz",
        "unsupported.pdf",
    }
    assert str(Failure("a.txt", "empty file")) == "skipped: a.txt: empty file"
    assert str(Failure("b.md", "unparseable date 'x'", True)) == "warning: b.md: unparseable date 'x'"


def test_folder_walk_does_not_follow_symlinks_out_of_the_folder(tmp_path: Path) -> None:
    import shutil

    outside = Path("/etc/hostname")
    if not outside.is_file():  # a file outside the folder all the same
        outside = tmp_path / "outside.txt"
        outside.write_text("Secret host\n\nnot news")
    folder = tmp_path / "news"
    folder.mkdir()
    shutil.copy(FILES / "chip-note.txt", folder / "chip-note.txt")
    (folder / "hostname.txt").symlink_to(outside)  # out: skipped and reported
    (folder / "etc").symlink_to(outside.parent, target_is_directory=True)  # out: not walked
    (folder / "again.txt").symlink_to(folder / "chip-note.txt")  # inside: followed
    (folder / "loop.txt").symlink_to(folder / "loop.txt")  # a loop: reported
    items = _read(folder)
    articles = [i for i in items if isinstance(i, Article)]
    assert [Path(a.source).name for a in articles] == ["again.txt", "chip-note.txt"]
    target = outside.resolve()
    assert _reasons(items) == [
        ("etc", f"symlink to {target.parent}, outside {folder.resolve()}: not followed"),
        ("hostname.txt", f"symlink to {target}, outside {folder.resolve()}: not followed"),
        ("loop.txt", "broken symlink or symlink loop"),
    ]
    # a glob below the folder: the same rule
    items = _read(f"{folder}/*.txt")
    assert ("hostname.txt", f"symlink to {target}, outside {folder.resolve()}: not followed") \
        in _reasons(items)
    assert len([i for i in items if isinstance(i, Article)]) == 2
    # naming the link itself is the operator's own choice: followed
    assert _reasons(_read(folder / "again.txt")) == []
