"""Pure parts of event anchoring and coverage: movers ranked by their tie to the event,
exclusions, the story check, and the question rewritten for search."""

from __future__ import annotations

from datetime import UTC, date, datetime

from bot.answer import Evidence
from bot.answer.compose import assumptions
from bot.answer.evidence import Event
from bot.answer.movers import excluded_plans, plan_movers
from bot.news_terms import names_any, rare_terms, ratio_terms, unmatched_story, unnamed
from bot.question.model import Question
from bot.search_words import search_text
from index.records import Entity, Move
from tests.conftest import hit


def move(company: str, ticker: str, direction: str, sentence: str, size: float | None = None,
         kind: str = "company") -> Move:
    return Move(company=company, ticker=ticker if kind == "company" else None, kind=kind,
                direction=direction, magnitude=size, unit="%" if size else None,
                refers_to=date(2023, 2, 8), sentence=sentence)


def losers(**kw) -> Question:
    return Question(text="who got smoked after the bard demo", intent="losers",
                    move_direction="down", keywords=["bard", "demo"], anchor="bard demo", **kw)


def evidence() -> Evidence:
    bard = "Alphabet shares fell 7% after the Bard demo gave a wrong answer."
    week = "Intel shares fell 2% on weak guidance."
    wrap = "The Nasdaq fell 1.7%."
    return Evidence(
        hits=[hit("bard", bard), hit("week", week), hit("wrap", wrap)],
        moves={
            "bard": [move("Alphabet", "GOOGL", "down", bard, 7)],
            "week": [move("Intel", "INTC", "down", week, 2)],
            "wrap": [move("Nasdaq Composite", "", "down", wrap, 1.7, kind="index")],
        },
        entities={"bard": [Entity(name="Alphabet", ticker="GOOGL")],
                  "week": [Entity(name="Intel", ticker="INTC")]},
        covered=True, relevance=0.6,
        event=Event(label="bard demo", first_date=date(2023, 2, 8), article_ids=["bard"],
                    words=["bard", "demo"]),
        weights={"bard": 1.0, "week": 0.35, "wrap": 0.35},
    )


def test_movers_tied_to_the_event_come_first_and_indexes_are_never_listed():
    ev = evidence()
    # Intel's move, in an article of the same week that never names the event, is far weaker
    # than Alphabet's (reported in the event's own article, its sentence naming the event).
    assert [p.ticker for p in plan_movers(losers(), ev)] == ["GOOGL"]
    ev.weights["week"] = 1.0  # a strong search hit of its own: listed, after Alphabet
    plans = plan_movers(losers(), ev)
    assert [p.ticker for p in plans] == ["GOOGL", "INTC"]
    assert plans[0].strength > plans[1].strength


def test_excluded_companies_are_not_listed():
    question = losers(excluded=[Entity(name="Alphabet", ticker="GOOGL")],
                      excluded_tickers=["GOOGL"])
    assert [p.ticker for p in plan_movers(question, evidence())] == ["INTC"]
    # The excluded company's own move is shown apart, for context: not as a mover.
    assert [(p.ticker, p.moves[0][1].magnitude) for p in excluded_plans(question, evidence())] \
        == [("GOOGL", 7)]
    assert excluded_plans(losers(), evidence()) == []


def test_a_story_no_passage_about_the_company_names_is_missing():
    smci = [Entity(name="Super Micro Computer", ticker="SMCI")]
    question = Question(text="smci accounting scandal, how bad did it dump", intent="how_much",
                        entities=smci, tickers=["SMCI"], keywords=["accounting", "scandal"])
    about = [hit("a", "Super Micro Computer shares jumped on AI server demand.",
                 tickers=["SMCI"])]
    assert unmatched_story(question.keywords, question, about) == ["accounting", "scandal"]
    about.append(hit("b", "Super Micro Computer faces an accounting review.", tickers=["SMCI"]))
    assert unmatched_story(question.keywords, question, about) == []
    # One odd chat word alone never declines ("went nuts").
    assert unmatched_story(["nuts"], question, about[:1]) == []


def test_the_story_is_looked_for_beside_the_company_outside_the_event():
    soun, nvda = Entity(name="SoundHound AI", ticker="SOUN"), Entity(name="Nvidia", ticker="NVDA")
    question = Question(
        text="soundhound mooned after nvidia disclosed a stake, how much", intent="how_much",
        entities=[soun, nvda], tickers=["SOUN", "NVDA"], anchor="nvidia disclosed a stake",
        keywords=["disclosed", "stake"],
    )
    assert question.subjects() == [soun]
    terms = ["disclosed", "stake", "nvidia"]
    about = [
        hit("a", "Nvidia disclosed a stake in Arm in its filing.", tickers=["NVDA"]),
        hit("b", "SoundHound AI lays off half its staff.", tickers=["SOUN"]),
    ]
    # Nvidia's passage tells a stake story, but none about SoundHound does.
    assert unmatched_story(terms, question, about) == ["disclosed", "stake", "nvidia"]
    about.append(hit("c", "SoundHound AI shares soared after Nvidia revealed a stake.",
                     tickers=["SOUN"]))
    assert unmatched_story(terms, question, about) == []
    # The answer says whose passages lack the story.
    untold = Evidence(untold=["disclosed", "stake"])
    assert assumptions(question, untold) == [
        "no passage about SoundHound AI mentions \u201cdisclosed\u201d, \u201cstake\u201d"]
    # Without an event naming a company, every company named is asked about.
    plain = question.model_copy(update={"anchor": None})
    assert plain.subjects() == [soun, nvda]


def test_a_story_named_by_a_noun_needs_that_noun_beside_the_company():
    meta = [Entity(name="Meta Platforms", ticker="META")]
    question = Question(text="meta announced its first ever dividend, how much did it rip",
                        intent="how_much", entities=meta, tickers=["META"])
    about = [hit("a", "Meta Platforms announced strong results and shares jumped 20%.",
                 tickers=["META"])]
    # "announced" is there, but the story is the dividend
    assert unmatched_story(["announced", "dividend"], question, about) == ["announced", "dividend"]
    # a story told by a verb and common words needs any of them ("china flagged it")
    mu = [Entity(name="Micron", ticker="MU")]
    question = Question(text="how much did micron drop when china flagged it",
                        intent="how_much", entities=mu, tickers=["MU"])
    about = [hit("b", "Micron fell 6% after China said its chips are a security risk.",
                 tickers=["MU"])]
    assert unmatched_story(["china", "flagged"], question, about) == []


def test_a_detailed_story_must_be_where_the_companys_move_is():
    aapl = [Entity(name="Apple", ticker="AAPL")]
    question = Question(
        text="doj sued apple for monopolizing smartphones, how hard did aapl dump that day",
        intent="how_much", entities=aapl, tickers=["AAPL"])
    terms = ["doj", "sued", "monopolizing", "smartphones"]
    review = hit("a", "Apple smartphones get a new camera.", tickers=["AAPL"])
    moved = hit("b", "Apple shares fell 2% after weak iPhone sales.", tickers=["AAPL"])
    # a passage about Apple names smartphones, but the one reporting its move tells no story
    assert unmatched_story(terms, question, [review, moved], [moved]) == terms
    assert unmatched_story(terms, question, [review, moved], []) == []
    # one rarer noun is enough anywhere about the company
    assert unmatched_story(["zuck", "net", "worth"], question.model_copy(
        update={"text": "how much did zuck's net worth go up on the apple pop"}),
        [hit("c", "Apple lifted Zuckerberg's rival fortunes.", tickers=["AAPL"]), moved],
        [moved]) == []


def test_three_letter_story_words_count():
    pltr = [Entity(name="Palantir", ticker="PLTR")]
    question = Question(text="pltr getting added to the s&p 500, how much did it pop",
                        intent="how_much", entities=pltr, tickers=["PLTR"])
    about = [hit("a", "Palantir soars 25% on earnings beat.", tickers=["PLTR"])]
    assert unmatched_story(["added", "s&p"], question, about) == ["added", "s&p"]
    about.append(hit("b", "Palantir will be added to the S&P 500.", tickers=["PLTR"]))
    assert unmatched_story(["added", "s&p"], question, about) == []


def test_search_text_speaks_like_the_news():
    nvda = [Entity(name="Nvidia", ticker="NVDA")]
    question = Question(text="why did $nvda rip in may", entities=nvda, tickers=["NVDA"])
    assert search_text(question) == "why did Nvidia shares rose in may"
    assert search_text(Question(text="who got smoked by chatgpt")) == (
        "who shares fell by chatgpt")
    assert search_text(Question(text="who won from the ai boom")) == "who won from the ai boom"


def test_split_ratios_are_one_term():
    assert ratio_terms("what did nvda do after the 10 for 1 split") == ["10-for-1"]
    assert ratio_terms("a 4-for-1 split") == ["4-for-1"]
    assert ratio_terms("shares rose 10% for 1 day") == []


def test_chat_naming_a_thing_no_passage_holds():
    assert rare_terms(["knicks", "last", "night"]) == ["knicks"]
    assert rare_terms(["worldcoin", "launch", "aug", "650b"]) == ["worldcoin"]
    celtics = hit("a", "Did the Celtics win last night? Every AI forecast got it wrong.")
    assert unnamed(["knicks"], [celtics]) == ["knicks"]
    assert unnamed(["celtics"], [celtics]) == []
    assert unnamed([], [celtics]) == []
    assert names_any(celtics, ["celtics"]) and not names_any(celtics, ["celt"])


def test_named_terms_leave_out_chat_shorthand_and_the_companies_tickers():
    from bot.news_terms import named_terms

    sony, msft = Entity(name="Sony", ticker="SONY"), Entity(name="Microsoft", ticker="MSFT")
    question = Question(
        text="$sony got hit after msft beat the ftc in court in july rite?", intent="why_moved",
        entities=[sony, msft], tickers=["SONY", "MSFT"], keywords=["ftc", "court", "rite"],
        anchor="msft beat the ftc in court",
    )
    terms = named_terms(question)
    assert "msft" not in terms and "rite" not in terms
    assert {"ftc", "court"} <= set(terms)
    q1 = Question(text="tsla got wrecked after its q3 print", keywords=["q3", "earnings"],
                  anchor="q3 print")
    assert "earnings" in named_terms(q1, anchor=True)


def test_a_company_named_before_a_fundamental_falling_is_not_moving():
    from bot.answer.movers import _named_before
    from index.lexicon import move_pattern
    from index.text import fold

    def named(sentence: str) -> bool:
        folded = fold(sentence)
        moves = [m.start() for m in move_pattern("down").finditer(folded)]
        return _named_before(folded, "AMD", "AMD", moves)

    assert named("AMD tumbled on the news.")
    assert named("Shares of AMD fell after the report.")
    assert not named("AMD reported an 18% decline in year-over-year revenue.")
    assert not named("AMD revenue fell in the quarter.")


class _Docs:
    """The two look-ups ``missing_terms`` makes of an index."""

    def __init__(self, docs: dict[str, int], phrases: set[str] = frozenset()) -> None:
        self.docs, self.phrases = docs, phrases

    def term_docs(self, term: str) -> int:
        return self.docs.get(term, 0)

    def has_phrase(self, words) -> bool:
        return " ".join(words) in self.phrases


def test_model_names_with_digits_no_article_holds_are_missing():
    from bot.news_terms import missing_terms

    reader = _Docs({"h100": 8, "launch": 50, "h20": 2}, {"gpt 4"})
    hits = [hit("a", "Nvidia sells the H100 to China.")]
    never = lambda term: False  # noqa: E731
    assert missing_terms(["o1", "launch"], [], hits, reader, never) == ["o1"]
    assert missing_terms(["h100", "b200"], [], hits, reader, never) == ["b200"]
    # figures and periods are no names; phrases with a hyphen are looked up as phrases
    assert missing_terms(["4b", "q2", "21st", "gpt-4"], [], hits, reader, never) == []
    assert missing_terms(["gpt-5"], [], hits, reader, never) == ["gpt-5"]
    # a rare model name of the event must be in a retrieved passage
    assert missing_terms([], ["h20"], hits, reader, never) == ["h20"]
    assert missing_terms([], ["h20"], [hit("b", "The H20 chip for China.")], reader,
                         never) == []
    # a rare event word that starts a passage's word is there ("mosaic" in "MosaicML")
    reader = _Docs({"mosaic": 2, "mosaicml": 5}, set())
    deal = [hit("c", "Databricks buys MosaicML for $1.3 billion.")]
    assert missing_terms([], ["mosaic"], deal, reader, never) == []
    assert missing_terms([], ["mosaic"], hits, reader, never) == ["mosaic"]


def test_model_names_in_plural_or_glued_to_a_figure_are_read_as_the_news_writes_them():
    from bot.news_terms import missing_terms

    reader = _Docs({"h100": 8}, {"s&p 500", "gpt 5"})
    never = lambda term: False  # noqa: E731
    assert missing_terms(["h100s", "s&p500", "gpt5"], [], [], reader, never) == []
    assert missing_terms(["b200s"], [], [], reader, never) == ["b200s"]


def test_names_with_a_version_number_said_apart_are_one_term():
    from bot.news_terms import missing_terms, numbered_terms

    never = lambda term: False  # noqa: E731
    assert numbered_terms("did meta moon after llama 3 dropped", never) == ["llama-3"]
    # months, common words, units and tickers are no version numbers
    assert numbered_terms("what bled on nov 21, top 5 names, up 10 pct", never) == []
    assert numbered_terms("nvda 10 days later", never) == []
    assert numbered_terms("knocked the nasdaq 10% off its highs", never) == []
    assert numbered_terms("arm 2 weeks after", lambda t: t == "arm") == []
    reader = _Docs({"llama": 9}, {"llama 2"})
    assert missing_terms(["llama-3", "llama-2"], [], [], reader, never) == ["llama-3"]



def test_misspelt_words_are_searched_as_the_news_spells_them():
    from bot.news_terms import respelt

    reader = _Docs({"earnings": 900, "earning": 30, "chatgpt": 400, "season": 50})
    never = lambda term: False  # noqa: E731
    assert respelt("early feb earnigns szn, chatgtp rival", reader, never) == \
        "early feb earnings szn, chatgpt rival"
    # English words, words the news holds, tickers and rare near-misses stay
    assert respelt("reasons for the earnings beat", reader, never) == \
        "reasons for the earnings beat"
    assert respelt("earnigns", reader, lambda t: t == "earnigns") == "earnigns"
    assert respelt("seasnn", _Docs({"season": 5}), never) == "seasnn"


def test_years_outside_the_news_leave_out_a_records_start():
    from types import SimpleNamespace

    from bot.news_terms import years_outside

    reader = SimpleNamespace(manifest=SimpleNamespace(
        oldest_article=datetime(2023, 1, 1, tzinfo=UTC),
        newest_article=datetime(2023, 12, 31, tzinfo=UTC)))
    assert years_outside("how did nvda do at wwdc 2024", reader) == ["2024"]
    assert years_outside("orcl had its worst day since 2002 in sept", reader) == []
    assert years_outside("nvda in 2023", reader) == []
