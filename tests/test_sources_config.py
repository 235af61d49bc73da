"""The TOML sources file and CLI argument resolution."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.sources import (
    SourcesFileError,
    SourceSpec,
    default_sources_file,
    load_sources_file,
    resolve_specs,
)
from ingest.sources.config import PROJECT_ROOT

FILES = Path(__file__).parent / "fixtures" / "sources" / "files"


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "sources.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_default_file_lists_the_sample_and_public_feeds() -> None:
    assert default_sources_file() == PROJECT_ROOT / "ingest" / "data" / "sources.toml"
    specs = {spec.name: spec for spec in load_sources_file(None)}
    assert specs["sample"] == SourceSpec("sample", str(PROJECT_ROOT / "sample"), "path")
    assert specs["techcrunch-ai"] == SourceSpec(
        "techcrunch-ai", "https://techcrunch.com/category/artificial-intelligence/feed/", "feed")
    assert specs["verge-ai"].location == (
        "https://www.theverge.com/rss/ai-artificial-intelligence/index.xml")
    assert specs["cnbc-tech"].location == "https://www.cnbc.com/id/19854910/device/rss/rss.html"
    assert {"ars-technica", "marketwatch", "wsj-tech", "guardian-ai"} <= set(specs)
    assert all(s.location.startswith("https://") for s in specs.values()
               if s.kind == "feed")


def test_sample_is_found_from_any_working_directory(monkeypatch: pytest.MonkeyPatch,
                                                    tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    (sample,) = resolve_specs(["sample"], None)
    assert sample.location == str(PROJECT_ROOT / "sample")
    assert Path(sample.location, "sora-first-victims-2024-02-19.md").is_file()


def test_named_entries_tags_all_and_defaults(tmp_path: Path) -> None:
    path = _write(tmp_path, """
[[source]]
name = "notes"
path = "notes"
tags = ["local"]

[[source]]
name = "wire"
url = "https://wire.example.com/rss.xml"
kind = "feed"
full_text = true
tags = ["feeds"]

[[source]]
name = "archive"
path = "archive/*.jsonl.gz"
default = false
""")
    (tmp_path / "notes").mkdir()
    notes = SourceSpec("notes", str(tmp_path / "notes"), "auto")
    wire = SourceSpec("wire", "https://wire.example.com/rss.xml", "feed", True)
    archive = SourceSpec("archive", str(tmp_path / "archive" / "*.jsonl.gz"), "auto")
    assert load_sources_file(path) == [notes, wire, archive]
    assert resolve_specs([], path) == [notes, wire]  # default = false is left out
    assert resolve_specs(["wire"], path) == [wire]
    assert resolve_specs(["feeds", "local"], path) == [wire, notes]
    assert resolve_specs(["all"], path) == [notes, wire, archive]
    assert resolve_specs(["archive", "archive"], path) == [archive]  # duplicates dropped


def test_raw_paths_globs_and_urls(tmp_path: Path) -> None:
    path = _write(tmp_path, '[[source]]\nname = "x"\nurl = "https://x.example/feed"\n')
    glob = str(FILES / "*.json")
    assert resolve_specs([str(FILES), glob, "https://news.example.com/feed.xml"], path) == [
        SourceSpec(str(FILES), str(FILES), "path"),
        SourceSpec(glob, glob, "path"),
        SourceSpec("https://news.example.com/feed.xml", "https://news.example.com/feed.xml"),
    ]


def test_a_toml_argument_is_a_sources_file(tmp_path: Path) -> None:
    other = tmp_path / "more.toml"
    other.write_text('[[source]]\nname = "more"\nurl = "https://more.example/rss"\n')
    assert resolve_specs([str(other)], None) == [
        SourceSpec("more", "https://more.example/rss", "auto")
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[[source]]\nname = 'a'\n", "source #1: give exactly one of 'url' or 'path'"),
        ("[[source]]\nurl = 'ftp://a'\n", "source #1: url must start with http:// or https://"),
        ("[[source]]\npath = 'a'\nkind = 'video'\n", "source #1: kind must be one of"),
        ("[[source]]\npath = 'a'\ncolour = 'red'\n", "source #1: unknown key(s) colour"),
        ("[[source]]\npath = 'a'\nfull_text = 'yes'\n", "source #1: full_text must be true"),
        ("[[source]]\nname='a'\npath='a'\n[[source]]\nname='a'\npath='b'\n",
         "duplicate source name(s) a"),
        ("[[source]\n", "invalid TOML"),
    ],
)
def test_malformed_sources_files(tmp_path: Path, text: str, message: str) -> None:
    path = _write(tmp_path, text)
    with pytest.raises(SourcesFileError) as caught:
        load_sources_file(path)
    assert message in str(caught.value)
    assert str(path) in str(caught.value)


def test_missing_sources_file_only_matters_when_needed(tmp_path: Path) -> None:
    missing = tmp_path / "nope.toml"
    with pytest.raises(SourcesFileError, match="sources file not found"):
        resolve_specs([], missing)
    with pytest.raises(SourcesFileError, match="sources file not found"):
        resolve_specs(["some-name"], missing)
    assert resolve_specs([str(FILES)], missing) == [SourceSpec(str(FILES), str(FILES), "path")]
