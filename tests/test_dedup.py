from index.records import Article
from ingest import dedup

STORY = (
    "A proposed set of rules by the European Union would, among other things, require makers "
    "of generative AI tools such as ChatGPT to publicize any copyrighted material used by the "
    "technology platforms to create content of any kind. A new draft of European Parliament's "
    "legislation would allow the original creators of content used by generative AI "
    "applications to share in any profits that result."
)


def art(url, title, text):
    return Article(url=url, title=title, text=text)


def test_ids_come_from_url_or_content():
    a = art("https://x.com/a", "T", "body")
    b = art("https://x.com/a", "T2", "other body")
    assert dedup.article_id(a) == dedup.article_id(b)
    assert dedup.article_id(a).startswith("u")
    c = art(None, "T", "body")
    d = art(None, "T", "body  ")
    assert dedup.article_id(c) == dedup.article_id(d)
    assert dedup.article_id(c).startswith("h")


def test_content_hash_ignores_case_space_and_punctuation_but_not_words():
    a = art(None, "Title", "Nvidia rose 5%.")
    assert dedup.content_hash(a) == dedup.content_hash(art(None, "title", "Nvidia  rose 5% "))
    assert dedup.content_hash(a) != dedup.content_hash(art(None, "Title", "Nvidia rose 6%."))


def test_simhash_links_syndicated_copy_not_other_story():
    base = dedup.simhash(STORY)
    # A syndicated copy: one word changed, a credit line appended.
    edited = dedup.simhash(STORY.replace("publicize", "disclose") + " (Reuters)")
    other = dedup.simhash(STORY.replace("European", "Japanese").replace("ChatGPT", "Bard").replace(
        "copyrighted", "licensed").replace("profits", "losses").replace("draft", "version").replace(
        "generative", "large"))
    assert base is not None and edited is not None and other is not None
    assert dedup.distance(base, edited) <= dedup.SIMHASH_MAX_DISTANCE
    assert dedup.distance(base, other) > dedup.SIMHASH_MAX_DISTANCE
    # Copies within the distance always share one of the bands (pigeonhole).
    assert set(enumerate(dedup.bands(base))) & set(enumerate(dedup.bands(edited)))


def test_jaccard_confirms_copies_and_rejects_other_stories():
    assert dedup.jaccard(STORY, STORY.replace("publicize", "disclose")) >= dedup.MIN_JACCARD
    assert dedup.jaccard(STORY, STORY[: len(STORY) // 2]) < dedup.MIN_JACCARD
    assert dedup.jaccard(STORY, "Nvidia rose 5% on Tuesday after results were announced.") < 0.1


def test_short_texts_get_no_simhash():
    assert dedup.simhash("Nvidia rose 5% on Tuesday after results.") is None
