"""Market slang: one lexicon for questions, keyword search and news; typos; exclusions; anchors."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from wordfreq import top_n_list

from bot.question import Question, parse_question
from bot.question.intent import direction_of
from index.entities import EntityResolver, TickerTable
from index.keyword import query_terms
from index.lexicon import (
    LOSER_CUES,
    NEWS_NOUNS,
    NEWS_VERBS,
    SEARCH_VERBS,
    WINNER_CUES,
    Direction,
    chat_pattern,
    move_pattern,
    news_direction,
    vocabulary,
)
from index.typos import fix_typos, fix_word

NOW = datetime(2023, 12, 1, 12, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def resolver() -> EntityResolver:
    return EntityResolver(TickerTable.load())


def ask(resolver: EntityResolver, text: str) -> Question:
    return parse_question(text, resolver, NOW)


# -- the lexicon's API -------------------------------------------------------------------------


def test_news_words_keep_their_api() -> None:
    assert "plunged" in NEWS_VERBS["down"] and "soared" in NEWS_VERBS["up"]
    assert NEWS_NOUNS["selloff"] == "down"
    assert news_direction("Plummeted") == "down" and news_direction("drop") == "down"
    assert news_direction("said") is None
    assert SEARCH_VERBS["down"][0] == "fell" and WINNER_CUES and LOSER_CUES
    assert chat_pattern("up").search("nvda went parabolic")
    assert vocabulary()["tanked"] == "down" and vocabulary()["mooned"] == "up"


def test_move_pattern_reads_news_and_chat() -> None:
    assert move_pattern("down").search("shares plummeted 20% after the report")
    assert move_pattern("down").search("the stock got smoked")
    assert move_pattern("up").search("shares rallied 5%")
    assert not move_pattern("down").search("a think tank said")


# -- slang: direction of every word, then intent -------------------------------------------------

SLANG = {
    "up": [
        *"""ripped rips ripping rip pumped pumps pumping mooned mooning moons rallied rallies
        surged soared jumped popped spiked skyrocketed rocketed rebounded bounced""".split(),
        "went parabolic", "going parabolic", "caught a bid", "catching a bid", "rallied hard",
        "ran up", "shot up", "took off", "to the moon", "closed green", "ran to a 9 month high",
        "hit a record high", "made new highs", "went vertical", "been on a tear",
        "on a 10-day run", "pushed msft green", "had a monster day", "ran hard",
        "keeps grinding higher",
    ],
    "down": [
        *"""tanked tanks tanking dumped dumps dumping cratered craters cratering puked pukes
        bled bleeding wrecked rekt plunged plummeted crashed slumped sank tumbled""".split(),
        "sent nvda red", "had a rough week", "took the biggest hit", "ended up 10% off its high",
        "got smoked", "got wrecked", "getting wrecked", "sold off", "selling off", "got hit",
        "took a beating", "got burned", "got crushed", "hit hard", "in the red", "nosedived",
        "sank to a 52-week low",
    ],
}  # fmt: skip


@pytest.mark.parametrize(
    ("word", "direction"), [(w, d) for d, words in SLANG.items() for w in words]
)
def test_slang_direction(word: str, direction: Direction) -> None:
    assert direction_of(f"why has nvda {word}") == direction
    assert chat_pattern(direction).search(f"nvda {word} today")


INTENTS = [
    ("why did nvda rip", "why_moved", "up"),
    ("why did $NVDA rip after earnings?", "why_moved", "up"),
    ("did chegg tank after chatgpt?", "why_moved", "down"),
    ("did nvda catch a bid on the guidance", "why_moved", "up"),
    ("chegg got smoked", "why_moved", "down"),
    ("amd pumped", "why_moved", "up"),
    ("what tanked chegg?", "why_moved", "down"),
    ("what ripped today?", "winners", "up"),
    ("what bled on nov 21 ahead of nvda's print?", "losers", "down"),
    ("did semis rip", "why_moved", "up"),
    ("who ripped after the nvda guidance?", "winners", "up"),
    ("who held up the s&p during the svb mess", "winners", "up"),
    ("nvda got added to the dow, how'd it trade after", "why_moved", None),
    ("intc when gelsinger got pushed out, pump or dump?", "why_moved", None),
    ("which big names led the charge in the spring rally", "winners", "up"),
    ("which megacap ran to a 9 month high after its dev conference", "winners", "up"),
    ("who came out ahead?", "winners", "up"),
    ("who came out on top after sora", "winners", "up"),
    ("who benefited from the bard demo", "winners", "up"),
    ("who cashed in on the ai boom", "winners", "up"),
    ("who got burned by sora", "losers", "down"),
    ("who got hurt by chatgpt", "losers", "down"),
    ("who got hit when chegg tanked", "losers", "down"),
    ("who got wrecked", "losers", "down"),
    ("who got rekt", "losers", "down"),
    ("who took a beating after the sora launch", "losers", "down"),
    ("which stocks got smoked after the bard demo?", "losers", "down"),
    ("which stocks fell and why?", "losers", "down"),
    ("biggest losers and why did they fall", "losers", "down"),
    ("top gainers this week", "winners", "up"),
    ("how much did nvda drop", "how_much", "down"),
    ("how hard did chegg dump?", "how_much", "down"),
    ("by how many % did msft fall", "how_much", "down"),
    ("how big was the drop", "how_much", "down"),
    ("what % did chegg lose", "how_much", "down"),
    ("how much did nvda add in market cap", "how_much", "up"),
    ("how much did nvda rip after earnings", "how_much", "up"),
    ("how much is NVDA trading at", "price", None),
    ("did ai stocks rally on the news that openai launched sora", "why_moved", "up"),
    ("nvda ripped, who else?", "winners", "up"),
    ("why did nvda benefit from the ai boom?", "why_moved", "up"),
    ("who is the ceo of openai", "what_happened", None),
]


@pytest.mark.parametrize(("text", "intent", "direction"), INTENTS)
def test_slang_intent(resolver: EntityResolver, text: str, intent: str, direction: str) -> None:
    q = ask(resolver, text)
    assert (q.intent, q.move_direction) == (intent, direction)


# -- misspellings ------------------------------------------------------------------------------

TYPOS = {
    "tankd": "tanked", "plumetted": "plummeted", "plumeted": "plummeted", "craterd": "cratered",
    "surgd": "surged", "benifited": "benefited", "loosers": "losers", "winers": "winners",
    "soard": "soared", "droped": "dropped", "riped": "ripped", "crahsed": "crashed",
    "tumbeld": "tumbled", "wreckd": "wrecked", "smokd": "smoked", "loosing": "losing",
    "droppin": "dropping", "fallin": "falling",
}  # fmt: skip


@pytest.mark.parametrize(("typo", "word"), TYPOS.items())
def test_typos_are_fixed(typo: str, word: str) -> None:
    assert fix_word(typo) == word


@pytest.mark.parametrize(
    ("text", "intent", "direction"),
    [
        ("chegg tankd", "why_moved", "down"),
        ("why did nvda surgd", "why_moved", "up"),
        ("who benifited from sora", "winners", "up"),
        ("biggest loosers this week", "losers", "down"),
        ("who were the winers", "winners", "up"),
        ("did chegg plumetted after chatgpt", "why_moved", "down"),
        ("NVDA SOARD", "why_moved", "up"),
    ],
)
def test_typos_in_questions(
    resolver: EntityResolver, text: str, intent: str, direction: str
) -> None:
    q = ask(resolver, text)
    assert (q.intent, q.move_direction) == (intent, direction)


@pytest.mark.parametrize(
    "word", "cared rated sold tank sunk wines winner hurt timed raced crated dumper".split()
)
def test_real_words_are_not_typos(word: str) -> None:
    assert fix_word(word) is None


def test_no_common_english_word_is_read_as_a_typo() -> None:
    changed = [w for w in top_n_list("en", 30_000) if fix_word(w) is not None]
    # g-dropping ("fallin") and the listed real-word typos are the only ones.
    assert all(w.endswith("in") or w in ("loosing", "looses") for w in changed), changed


def test_names_inside_a_sentence_are_not_typos() -> None:
    assert fix_typos("did the FTSE rise after Sunak quit?") == "did the ftse rise after sunak quit?"
    assert fix_typos("Tankd hard. Tankd again") == "tanked hard. tanked again"


@pytest.mark.parametrize(
    "text",
    [
        "think tank says ai chips are key",
        "a think-tank report on ai",
        "sunk cost fallacy in ai",
        "who cared about sora",
        "analysts rated nvda a buy",
        "i sold my nvda",
        "nvda hit a record",
        "crash course on ai chips",
        "pop culture and ai",
        "did openai rip-off scarlett",
        "nvda shed light on demand",
        "green energy and ai",
        "RIP chegg bagholders",
        "what's up with meta",
    ],
)
def test_real_words_do_not_flip(text: str) -> None:
    assert direction_of(text) is None


# -- exclusions and "who else" -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "tickers", "excluded", "intent"),
    [
        ("who else besides nvda ripped after the guidance", [], ["NVDA"], "winners"),
        ("which stocks rose, not counting nvda itself", [], ["NVDA"], "winners"),
        ("who benefited other than msft?", [], ["MSFT"], "winners"),
        ("who lost excluding $goog", [], ["GOOG"], "losers"),
        ("apart from adobe, who got hit by the figma news", ["FIG"], ["ADBE"], "losers"),
        ("who fell after the bard demo except for Alphabet and Microsoft", [], ["GOOGL", "MSFT"],
         "losers"),
        ("who else got hit when chegg tanked", ["CHGG"], ["CHGG"], "losers"),
        ("which other chip stocks fell after nvda's guidance", ["NVDA"], ["NVDA"], "losers"),
        ("who lost from sora", [], [], "losers"),
        ("why did nvda rip", ["NVDA"], [], "why_moved"),
    ],
)
def test_exclusions(
    resolver: EntityResolver, text: str, tickers: list[str], excluded: list[str], intent: str
) -> None:
    q = ask(resolver, text)
    assert (q.tickers, q.excluded_tickers, q.intent) == (tickers, excluded, intent)
    assert [e.ticker for e in q.excluded] == excluded


def test_excluded_names_are_not_keywords(resolver: EntityResolver) -> None:
    q = ask(resolver, "who else besides nvda ripped after the guidance")
    assert q.entities == [] and [e.name for e in q.excluded] == ["Nvidia"]
    assert q.keywords == ["ripped", "guidance"]
    assert Question.model_validate_json(q.model_dump_json()) == q


# -- event anchors -----------------------------------------------------------------------------

ANCHORS = [
    ("who lost from Sora?", "Sora"),
    ("which stocks fell after the Bard demo?", "Bard demo"),
    ("who benifited from sora", "sora"),
    ("when $CHGG admitted ChatGPT was hurting growth, who else fell?",
     "CHGG admitted ChatGPT was hurting growth"),
    ("why did amd rip off nvda's guidance", "nvda's guidance"),
    ("did chip stocks drop on the wsj report about chip curbs?", "wsj report about chip curbs"),
    ("did ai stocks rally on the news that openai launched sora", "openai launched sora"),
    ("how did msft trade post-earnings", "earnings"),
    ("how did baidu trade around the ernie launch?", "ernie launch"),
    ("who lost when openai dropped sora", "openai dropped sora"),
    ("who else got hit when chegg tanked", "chegg tanked"),
    ("did nvda tank in the wake of the export curbs", "export curbs"),
    ("when did nvda drop", None),
    ("news on openai", None),
    ("nvda down around 5%", None),
    ("why did amd get ripped off", None),
    ("who ripped off the lows", None),
]  # fmt: skip


@pytest.mark.parametrize(("text", "anchor"), ANCHORS)
def test_anchors(resolver: EntityResolver, text: str, anchor: str | None) -> None:
    assert ask(resolver, text).anchor == anchor


# -- keyword expansions ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "direction"),
    [
        ("did chegg get smoked", "down"), ("who took a beating after sora", "down"),
        ("nvda caught a bid", "up"), ("nvda went parabolic", "up"), ("who lost from sora", "down"),
        ("biggest loosers", "down"), ("nvda mooned", "up"), ("nvda down 5%", "down"),
    ],
)  # fmt: skip
def test_slang_expands_to_news_verbs(text: str, direction: Direction) -> None:
    terms = query_terms(text)
    other: Direction = "up" if direction == "down" else "down"
    assert set(SEARCH_VERBS[direction]) <= set(terms)
    assert not set(SEARCH_VERBS[other]) & set(terms) - set(text.split())


def test_typo_expands_to_its_spelling_and_news_verbs() -> None:
    terms = query_terms("why did chegg tankd")
    assert terms[:2] == ["chegg", "tankd"] and "tanked" in terms and "plummeted" in terms
    assert query_terms("think tank report") == ["think", "tank", "report"]


def test_chat_nouns_read_as_the_news_words_them() -> None:
    from index.lexicon import news_words

    assert news_words("who held up thru the bank blowups") == "who held up thru the bank collapse"
    assert news_words("nvda at a new ath after its q3 print") == \
        "nvda at a new all-time high after its q3 earnings"
    assert news_words("a path to growth") == "a path to growth"  # whole words only
