import itertools

from index.embedding import FakeEmbedder
from ingest.chunking import chunk_article, embedding_text


def _text(n: int) -> str:
    return " ".join(f"Sentence number {i} says that Nvidia shares rose {i}%." for i in range(n))


def test_short_article_is_one_chunk():
    fake = FakeEmbedder()
    chunks = chunk_article("Title here", "One sentence. Two sentences.", fake.count_tokens)
    assert [c.text for c in chunks] == ["One sentence. Two sentences."]
    assert chunks[0].position == 0
    whole = fake.count_tokens([embedding_text("Title here", chunks[0].text)])[0]
    assert abs(chunks[0].tokens - whole) <= 2


def test_chunks_fit_window_and_overlap_by_one_sentence():
    fake = FakeEmbedder()
    chunks = chunk_article("A title", _text(80), fake.count_tokens, max_tokens=64, overlap=1)
    assert len(chunks) > 5
    for chunk in chunks:
        assert fake.count_tokens([embedding_text("A title", chunk.text)])[0] <= 64 + 2
    for first, second in itertools.pairwise(chunks):
        last_sentence = first.text.rsplit("Sentence number", 1)[1]
        assert second.text.startswith("Sentence number" + last_sentence)
    assert [c.position for c in chunks] == list(range(len(chunks)))


def test_no_overlap_means_disjoint_sentences():
    fake = FakeEmbedder()
    chunks = chunk_article("T", _text(40), fake.count_tokens, max_tokens=64, overlap=0)
    joined = " ".join(c.text for c in chunks)
    assert joined == _text(40)


def test_sentence_longer_than_window_is_cut_into_pieces():
    fake = FakeEmbedder()
    long_sentence = " ".join(["word"] * 500) + "."
    chunks = chunk_article("T", long_sentence, fake.count_tokens, max_tokens=64, overlap=0)
    assert len(chunks) >= 8
    assert all(c.tokens <= 64 for c in chunks)
    assert sum(c.text.count("word") for c in chunks) == 500


def test_ticker_finder_labels_chunks():
    fake = FakeEmbedder()
    chunks = chunk_article(
        "T", "Adobe fell. Nothing here.", fake.count_tokens,
        ticker_finder=lambda text: ["ADBE"] if "Adobe" in text else [],
    )
    assert chunks[0].tickers == ["ADBE"]


def test_embedding_text_prefixes_title_once():
    assert embedding_text("Title", "Body text") == "Title\nBody text"
    assert embedding_text("Title", "Title and more") == "Title and more"


def test_paragraph_breaks_survive_chunking():
    fake = FakeEmbedder()
    text = "3. A heading?\n\n360 Chairman said things. More follows here.\n\n" + _text(30)
    chunks = chunk_article("T", text, fake.count_tokens, max_tokens=64, overlap=0)
    assert chunks[0].text.startswith("3. A heading?\n\n360 Chairman said things.")
    short = chunk_article("T", "One line.\n\n\nTwo   line.", fake.count_tokens)
    assert short[0].text == "One line.\n\nTwo line."
