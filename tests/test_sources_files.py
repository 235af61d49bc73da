"""Local files: text/Markdown, HTML, JSON, JSON Lines (plain and gzip), CSV, folders, globs."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from index.records import Article
from ingest.settings import IngestSettings
from ingest.sources import Failure, SourceSpec, read_sources

FILES = Path(__file__).parent / "fixtures" / "sources" / "files"


def _settings(**overrides: Any) -> IngestSettings:
    return IngestSettings(_env_file=None, **overrides)  # type: ignore[call-arg]


def _read(location: Path | str, **overrides: Any) -> list[Article | Failure]:
    spec = SourceSpec(str(location), str(location))
    return list(read_sources([spec], _settings(**overrides)))


def _articles(items: list[Article | Failure]) -> list[Article]:
    return [i for i in items if isinstance(i, Article)]


def _failures(items: list[Article | Failure]) -> list[Failure]:
    return [i for i in items if isinstance(i, Failure)]


def test_txt_first_line_is_the_title_and_paragraphs_are_kept() -> None:
    (article,) = _read(FILES / "chip-note.txt")
    assert isinstance(article, Article)
    assert article.title == "Chipmaker Zentrix lifts forecast on AI server demand"
    assert article.text == (
        "Zentrix Semiconductor, a fictional chip designer, raised its full-year revenue "
        "forecast on Tuesday, citing strong orders for AI servers.\n\n"
        "Shares of the company rose 6% in early trading & analysts said the outlook was "
        "better than expected."
    )
    assert article.url is None
    assert article.published is None
    assert article.source == str(FILES / "chip-note.txt")


def test_markdown_front_matter_fields() -> None:
    (article,) = _read(FILES / "nested" / "robotics.md")
    assert isinstance(article, Article)
    assert article.title == "Robot startup Kinetra raises $40 million"
    assert article.url == "https://news.example.com/2024/03/kinetra-funding"
    assert article.published == datetime(2024, 3, 5, 19, 30, tzinfo=UTC)
    assert article.outlet == "Example News"
    assert article.language == "en"
    # The repeated "# title" heading, "Share this article" and "Continue reading..." are gone.
    assert article.text == (
        "Kinetra, a fictional warehouse-robot maker, said it raised $40 million in a funding "
        "round led by an imaginary venture firm.\n\nThe company will use the money to hire "
        "engineers."
    )


def test_markdown_heading_title_list_items_and_editor_credit() -> None:
    (article,) = _read(FILES / "plain-heading.md")
    assert isinstance(article, Article)
    assert article.title == "Cloud provider Nimbus cuts GPU rental prices"
    assert article.text == (
        "Nimbus Cloud, an invented provider, cut the hourly price of its GPU instances by 20%.\n"
        "- H-series instances: down 20%\n- L-series instances: down 15%"
    )


def test_html_main_text_without_scripts() -> None:
    (article,) = _read(FILES / "page.html")
    assert isinstance(article, Article)
    assert article.title == "Data-center REIT Vaultline jumps after AI lease deal"
    assert article.url == "https://ledger.example.org/markets/vaultline-ai-lease"
    assert article.published == datetime(2024, 4, 2, 7, 15, tzinfo=UTC)
    assert article.outlet == "The Sample Ledger"
    assert article.text.split("\n\n") == [
        "Shares of Vaultline, a fictional data-center landlord, jumped 9% on Tuesday after it "
        "signed a ten-year lease with an unnamed AI company for a new campus in Ohio.",
        "The lease covers 120 megawatts of capacity, the largest in the company’s history, "
        "and starts next spring.",
        "Analysts said the deal shows demand for AI computing space is still growing faster "
        "than new supply.",
    ]
    for junk in ("gtag", "dataLayer", "alert", "console.log", "BUY NOW", "Copyright", "Home"):
        assert junk not in article.text


def test_json_object_with_aliases_and_html_body() -> None:
    (article,) = _read(FILES / "single.json")
    assert isinstance(article, Article)
    assert article.title == "Search firm Qorva adds chatbot answers"
    assert article.text == ("Qorva, a made-up search company, added chatbot answers to its "
                            "results page.\n\nThe feature launches in English first.")
    assert article.url == "https://www.example.com/tech/qorva-chatbot/?id=42"
    assert article.published == datetime(2024, 3, 5, 15, 0, tzinfo=UTC)
    assert article.outlet == "Example Tech"


def test_json_list_and_wrapped_list() -> None:
    listed = _articles(_read(FILES / "list.json"))
    assert [(a.title, a.outlet, a.url, a.published) for a in listed] == [
        ("Memory maker Halden posts record quarter", "WSJ",
         "https://www.wsj.com/articles/halden-record-quarter-123",
         datetime(2024, 1, 25, 21, 5, tzinfo=UTC)),
        ("Streaming service Lumo tests AI trailers", "CNBC",
         "https://www.cnbc.com/2024/02/20/lumo-ai-trailers.html",
         datetime(2024, 2, 20, tzinfo=UTC)),
    ]
    assert listed[1].text == ("Lumo, an invented streaming service, is testing trailers cut by "
                              "an AI model.")
    (wrapped,) = _read(FILES / "wrapped.json")
    assert isinstance(wrapped, Article)
    assert wrapped.outlet == "The Guardian"  # from {"source": {"name": ...}}
    assert wrapped.published == datetime(2024, 1, 10, 8, 0, tzinfo=UTC)


def test_jsonl_corpus_records_bad_line_skipped_and_reported() -> None:
    items = _read(FILES / "corpus.jsonl")
    articles = _articles(items)
    assert [a.title for a in articles] == [
        "Tech that can help you plan your week",
        "Chip designer Orvex shares slide",
        "Robots in retail, explained & compared",
    ]
    first, second, third = articles
    assert first.url == "https://www.engadget.com/tech-plan-your-week-150034002.html"
    assert first.outlet == "Engadget"
    assert first.text == "A short made-up summary about planning apps for the new year."
    assert first.language == "en"
    assert first.published == datetime(2023, 1, 1, 14, 16, 5, tzinfo=UTC)
    assert second.outlet == "WSJ"
    assert third.url == "https://www.computerworld.com/article/3700000/robots-in-retail.html"
    assert third.outlet == "Computerworld"
    assert third.text == "Retailers are testing robots. Some work, some do not."
    source = str(FILES / "corpus.jsonl")
    assert _failures(items) == [
        Failure(source, "line 3: invalid JSON: Expecting value"),
        Failure(source, "line 4: no title and no text"),
    ]


def test_jsonl_gz_streams_and_reports_its_bad_line() -> None:
    items = _read(FILES / "archive.jsonl.gz")
    assert [(a.title, a.outlet, a.language) for a in _articles(items)] == [
        ("Cloud unit of Stratos grows 30%", "CNBC", "en"),
        ("Regulators look at AI chatbots", "The Guardian", "en"),
    ]
    assert _failures(items) == [
        Failure(str(FILES / "archive.jsonl.gz"),
                "line 3: invalid JSON: Expecting property name enclosed in double quotes"),
    ]


def test_csv_with_aliases_multiline_field_and_bad_date() -> None:
    items = _read(FILES / "table.csv")
    calder, skyvo = _articles(items)
    assert calder.title == "Insurer Calder uses AI to price policies"
    assert calder.text == ("Calder, a fictional insurer, said an AI model now prices most home "
                           "policies. It expects lower claims costs.")
    assert calder.url == "https://www.example.com/calder-ai"
    assert calder.published == datetime(2024, 2, 1, 12, 0, tzinfo=UTC)
    assert calder.outlet == "Example Business"
    assert skyvo.published is None
    assert skyvo.outlet == "example.com"
    assert _failures(items) == [
        Failure(str(FILES / "table.csv"), "line 4: unparseable date 'not a date'", warning=True)
    ]


def test_folder_is_recursive_sorted_and_skips_hidden_files() -> None:
    items = _read(FILES)
    sources = sorted({Path(a.source).name for a in _articles(items)})
    assert sources == ["archive.jsonl.gz", "chip-note.txt", "corpus.jsonl", "list.json",
                       "page.html", "plain-heading.md", "robotics.md", "single.json",
                       "table.csv", "wrapped.json"]
    assert len(_articles(items)) == 15
    assert all(".hidden" not in f.source for f in _failures(items))


def test_glob_and_several_specs_in_order() -> None:
    specs = [SourceSpec("md", str(FILES / "**" / "*.md")), SourceSpec("txt", str(FILES / "*.txt"))]
    titles = [a.title for a in read_sources(specs, _settings()) if isinstance(a, Article)]
    assert titles == ["Robot startup Kinetra raises $40 million",
                      "Cloud provider Nimbus cuts GPU rental prices",
                      "Chipmaker Zentrix lifts forecast on AI server demand"]


def test_front_matter_variants_and_furniture_before_the_title() -> None:
    from ingest.sources.files import read_text_file, split_front_matter

    assert split_front_matter("---\r\ntitle: A\r\ndate: 2024-01-01\r\n---\r\nBody\r\n") == (
        {"title": "A", "date": "2024-01-01"}, "\r\nBody\r\n")
    assert split_front_matter('+++\ntitle = "T"\nyear = 2024\n+++\nBody') == (
        {"title": "T", "year": "2024"}, "\nBody")
    rule = "---\nnot a field line\n---\nText"
    assert split_front_matter(rule) == ({}, rule)
    (article,) = read_text_file("share_log\n\nReal headline here\n\nBody text.\n", "mem.txt")
    assert isinstance(article, Article)
    assert (article.title, article.text, article.source) == (
        "Real headline here", "Body text.", "mem.txt")
