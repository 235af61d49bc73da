"""The bundled sample and the cleaning rules it exercises."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from index.records import Article
from ingest.settings import IngestSettings
from ingest.sources import Failure, read_sources, resolve_specs
from ingest.sources.clean import clean_text, clean_title, html_to_text, is_furniture
from ingest.sources.config import PROJECT_ROOT

SAMPLE = PROJECT_ROOT / "sample" / "sora-first-victims-2024-02-19.md"


@pytest.fixture(scope="module")
def sample() -> Article:
    settings = IngestSettings(_env_file=None)  # type: ignore[call-arg]
    items = list(read_sources(resolve_specs(["sample"], None), settings))
    assert [type(i) for i in items] == [Article]
    article = items[0]
    assert isinstance(article, Article)
    return article


def test_sample_folder_holds_only_the_article() -> None:
    assert sorted(p.name for p in (PROJECT_ROOT / "sample").iterdir()) == [SAMPLE.name]


def test_sample_metadata(sample: Article) -> None:
    assert sample.title == "Sora's first wave of victims has appeared"
    assert sample.published == datetime(2024, 2, 19, 7, 7, tzinfo=UTC)
    assert sample.published.date().isoformat() == "2024-02-19"
    assert sample.outlet == "Gelonghui via Futu"
    assert sample.language == "en"
    assert sample.url is None
    assert sample.source == str(SAMPLE)


def test_sample_furniture_is_removed_by_cleaning(sample: Article) -> None:
    raw = SAMPLE.read_text(encoding="utf-8")
    for furniture in ("share_log", "Write a comment", "Sora的第一波受害者出现了",
                      "Gelonghui Finance ·", "Source: Gelonghui", "Editor/Corrine",
                      "The translation is provided by third-party software",
                      "for informational or educational purposes only"):
        assert furniture in raw  # the file keeps the page text as captured...
        assert furniture not in sample.text  # ...and the pipeline removes it
    assert "third-party software" not in sample.text
    assert "investment advice" not in sample.text


def test_sample_content_is_kept(sample: Article) -> None:
    paragraphs = sample.text.split("\n\n")
    assert paragraphs[0] == "Massive industrial transformation"
    assert paragraphs[-1].endswith("Companies that “sell shovels” are still the number one "
                                   "beneficiaries.")
    assert ("Judging from the performance of the secondary market, it is a tool "
            "company$Adobe (ADBE.US)$The day after Sora's announcement, the stock price "
            "plummeted by more than 7%.") in paragraphs
    assert any(p.startswith("Another US stock$Shutterstock (SSTK.US)$It fell more than 5% "
                            "last Friday") for p in paragraphs)
    assert "1. What is Sora?" in paragraphs
    assert len(paragraphs) == 34
    assert "\n\n\n" not in sample.text and "  " not in sample.text


@pytest.mark.parametrize(
    "line",
    [
        "share_log", "Share", "Write a comment", "12 Comments", "Continue reading...",
        "Continue reading…", "Read more", "To read this article in full, please click here",
        "The translation is provided by third-party software.",
        "This article was machine-translated by AI.",
        "The above content is for informational or educational purposes only and does not "
        "constitute any investment advice related to Futu.",
        "Disclaimer: nothing here is advice.", "Editor/Corrine", "Editor: Jane Smith",
        "Edited by Sam Lee", "Source: Gelonghui", "Gelonghui Finance ·  Feb 19 07:07",
        "By Jane Doe | March 5, 2024", "Example Wire · 2024-03-05 14:30",
        "The post Chip stocks rally appeared first on Example Wire.",
    ],
)
def test_furniture_lines(line: str) -> None:
    assert is_furniture(line)


@pytest.mark.parametrize(
    "line",
    [
        "Massive industrial transformation",
        "Source code for the model was released on GitHub, the company said in a statement.",
        "Shares fell 5% · analysts cut targets after the results were published in full today.",
        "The editor of the paper, Jane Smith, said the decision was final.",
        "Read more about the deal in the company's filing, which runs to 200 pages.",
    ],
)
def test_content_lines_are_not_furniture(line: str) -> None:
    assert not is_furniture(line)


def test_clean_text_entities_whitespace_and_paragraphs() -> None:
    raw = "First&nbsp;line  of\tthe  first\r\nparagraph &amp; more.\n\n\n\nSecond\u200b one.\n"
    assert clean_text(raw) == "First line of the first paragraph & more.\n\nSecond one."


def test_clean_text_feed_summary_boilerplate() -> None:
    assert clean_text("Photo by Jo Ng/Getty Images Chip stocks rose. Continue reading…") == (
        "Chip stocks rose.")
    assert clean_text("Meta was fined. The post EU fines Meta appeared first on Example .") == (
        "Meta was fined.")
    assert clean_text("Regulators met on Tuesday <a href=\"https://example.com/very-lo") == (
        "Regulators met on Tuesday")
    assert clean_text("Only furniture.\n\nRead more...", title="x") == "Only furniture."
    assert clean_text("Share\n\nRead more...") == ""


def test_clean_text_title_repeat_kept_when_it_is_all_there_is() -> None:
    assert clean_text("Chip stocks rally", title="Chip stocks rally") == "Chip stocks rally"
    assert clean_text("Chip stocks rally!\n\nBody.", title="Chip Stocks Rally") == "Body."


def test_html_fragments() -> None:
    fragment = ("<p>One &amp; two.</p><script>alert('x')</script><ul><li>A</li><li>B</li></ul>"
                "<p>Line<br>break</p><style>p{}</style>")
    assert clean_text(fragment) == "One & two.\n\nA\n\nB\n\nLine break"
    assert "alert" not in html_to_text(fragment)


def test_clean_title() -> None:
    assert clean_title("These Robots Are Like Humans video     - CNET", "CNET") == (
        "These Robots Are Like Humans video")
    assert clean_title("Chips &amp; <b>AI</b> | The Verge", "The Verge") == "Chips & AI"
    assert clean_title("A - B - C", "Other") == "A - B - C"
    assert clean_title(None) == ""


def test_failure_is_frozen() -> None:
    failure = Failure("x", "empty file")
    with pytest.raises(AttributeError):
        failure.reason = "other"  # type: ignore[misc]
    assert Path(str(SAMPLE)).suffix == ".md"
