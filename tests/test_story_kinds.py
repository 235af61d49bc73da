"""Stories of a kind told in common words: an exit, an index inclusion (bot.story_kinds)."""

from __future__ import annotations

import pytest

from bot.question.model import Question
from bot.story_kinds import asked_story, untold_kind
from index.records import Entity
from tests.conftest import hit

INTEL = Entity(name="Intel", ticker="INTC")
NVIDIA = Entity(name="Nvidia", ticker="NVDA")



def asking(text: str, *entities: Entity) -> Question:
    return Question(text=text, intent="why_moved", entities=list(entities),
                    tickers=[e.ticker for e in entities if e.ticker])


@pytest.mark.parametrize(("text", "kind", "said"), [
    ("did intc dump when gelsinger got pushed out", "exit", "pushed out"),
    ("snow after slootman stepped down?", "exit", "stepped down"),
    ("nvda got added to the dow, how'd it trade after", "inclusion", "added to the dow"),
    ("dell joined the s&p 500, did it pop", "inclusion", "joined the s&p 500"),
    ("pltr s&p inclusion pump", "inclusion", "s&p inclusion"),
    ("how did nvda trade after the 10 for 1 split", "split", "10 for 1 split"),
    ("tsla after its stock split?", "split", "stock split"),
    ("which chip stock joined the trillion dollar club", None, None),
    ("nvda fired up the rally", None, None),
    ("why did nvda rip", None, None),
])
def test_the_story_kind_a_question_is_built_on(text: str, kind: str | None,
                                               said: str | None) -> None:
    found = asked_story(text)
    assert (found[0].name, found[1]) == (kind, said) if found else kind is None


def test_an_exit_must_be_told_of_the_person_the_question_names() -> None:
    question = asking("did intc dump when gelsinger got pushed out", INTEL)
    about = [hit("a", "Intel shares fell 9% as CEO Pat Gelsinger warned on sales."),
             hit("b", "Intel said its finance chief resigned.")]
    # Gelsinger is in the news, an Intel exit too, but no sentence tells Gelsinger's exit.
    assert untold_kind(question, ["gelsinger"], about) == "pushed out"
    about.append(hit("c", "Pat Gelsinger was ousted by the board on Sunday."))
    assert untold_kind(question, ["gelsinger"], about) == ""
    # Without a person named, the company's own exit story counts.
    assert untold_kind(asking("did intc dump when the cfo resigned", INTEL), [], about[:2]) == ""


def test_an_inclusion_needs_the_company_the_index_and_the_joining_in_one_sentence() -> None:
    question = asking("nvda got added to the dow, how'd it trade after", NVIDIA)
    about = [hit("a", "The Dow fell 1% while Nvidia added 3%."),
             hit("b", "Nvidia rose. The Dow will add Intel next week.")]
    assert untold_kind(question, [], about) == "added to the dow"
    about.append(hit("c", "Nvidia will replace Intel in the Dow Jones Industrial Average."))
    assert untold_kind(question, [], about) == ""


def test_questions_without_such_a_story_or_anyone_to_tell_it_of_pass() -> None:
    assert untold_kind(asking("why did nvda rip", NVIDIA), [], []) == ""
    assert untold_kind(asking("who got added to the s&p"), [], []) == ""


def test_a_split_with_a_ratio_must_be_that_split() -> None:
    question = asking("how did nvda trade after the 10 for 1 split", NVIDIA)
    about = [hit("a", "Nvidia shares rose 3%. Netflix announced a 10-for-1 stock split."),
             hit("b", "Nvidia has not split its stock since its 4-for-1 split in 2021.")]
    assert untold_kind(question, [], about) == "10 for 1 split"
    about.append(hit("c", "Nvidia announced a 10-for-1 stock split on Wednesday."))
    assert untold_kind(question, [], about) == ""
    # any split of the company, when no ratio is asked
    assert untold_kind(asking("nvda after the split", NVIDIA), [], about[1:2]) == ""


def test_a_lawsuit_must_be_told_of_the_company_and_whoever_the_question_says_sued() -> None:
    apple = Entity(name="Apple", ticker="AAPL")
    question = asking("did aapl dump when the doj sued them", apple)
    about = [hit("a", "Apple was sued by a group of app developers."),
             hit("b", "The DOJ sued Google over its ad business.")]
    assert untold_kind(question, [], about) == "doj sued"
    about.append(hit("c", "The Justice Department sued Apple on Thursday."))
    assert untold_kind(question, [], about) == ""
    # no one named as suing: any lawsuit against the company
    assert untold_kind(asking("did aapl dump when it got sued", apple), [], about[:1]) == ""


def test_a_market_debut_must_be_told_of_the_company() -> None:
    """ "rddt first day of trading": 2023 news that Reddit may go public tells no debut;
    "Arm climbs 17% in Nasdaq debut" does."""
    reddit = Entity(name="Reddit", ticker="RDDT")
    arm = Entity(name="Arm Holdings", ticker="ARM")
    rumour = [hit("r", "Rumors swirl that Reddit is looking to go public later this year.")]
    debut = [hit("a", "Arm climbs 17% in Nasdaq debut after pricing its IPO at $51 a share.")]
    assert asked_story("rddt first day of trading after the ipo")[0].name == "debut"
    assert untold_kind(asking("how did rddt trade day one", reddit), [], rumour) == "day one"
    assert untold_kind(asking("how did arm trade day one", arm), [], debut) == ""
    assert untold_kind(asking("how did arm do on its first day", arm), [], rumour) == \
        "first day"


def test_a_deal_is_told_of_both_companies_and_other_later_stories_of_the_one() -> None:
    amd, marvell = Entity(name="AMD", ticker="AMD"), Entity(name="Marvell", ticker="MRVL")
    crwd = Entity(name="CrowdStrike", ticker="CRWD")
    news = [hit("a", "AMD acquired Xilinx last year. Marvell shares rose 5% on AI demand.")]
    assert untold_kind(asking("when amd bought marvell what premium did they pay", amd,
                              marvell), [], news) == "bought"
    told = [hit("b", "AMD agreed to acquire Marvell in a $40 billion deal.")]
    assert untold_kind(asking("when amd bought marvell what premium did they pay", amd,
                              marvell), [], told) == ""
    # one company named: "got bought up" is a stock bid up, not a deal
    assert untold_kind(asking("did alibaba get bought up in feb", amd), [], news) == ""
    outage = asking("crwd blue screen outage, how much did it tank", crwd)
    assert untold_kind(outage, [], [hit("c", "CrowdStrike sees strong growth in 2024.")]) \
        == "blue screen"
    assert untold_kind(asking("msft spun off azure, did holders get shares",
                              Entity(name="Microsoft", ticker="MSFT")),
                       [], [hit("d", "Microsoft's Azure grew 29% in the quarter.")]) == "spun off"
    assert untold_kind(asking("why did intel fire gelsinger", INTEL), ["gelsinger"],
                       [hit("e", "Intel CEO Pat Gelsinger said the company is on track.")]) \
        == "fire"
