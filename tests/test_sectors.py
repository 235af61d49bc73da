"""The kind of company a winners/losers question asks for (bot.answer.sectors) and the
movers listed for it."""

from __future__ import annotations

from datetime import date

import pytest

from bot.answer import Evidence
from bot.answer.movers import plan_movers
from bot.answer.sectors import asked_sectors, placed, sentences_of
from bot.question.model import Question
from index.records import Entity, Move
from tests.conftest import hit


def up(company: str, ticker: str, sentence: str, size: float | None = None) -> Move:
    return Move(company=company, ticker=ticker, direction="up", magnitude=size,
                unit="%" if size else None, refers_to=date(2023, 2, 1), sentence=sentence)


@pytest.mark.parametrize(("text", "kinds"), [
    ("amd reported early feb, which other chip stocks got lifted", ["chips"]),
    ("after nvda's aug numbers which asian chip names caught a bid", ["chips", "asia"]),
    ("which chinese tech giants' shares jumped in feb", ["china"]),
    ("any other education stocks hit?", ["education"]),
    ("$mu tanked in late may on china news", []),  # a kind said otherwise
    ("which chip name got smoked on phone chip sales", ["chips"]),
    ("who ripped on cloud numbers", []),
])
def test_the_kind_of_company_asked_for(text: str, kinds: list[str]) -> None:
    assert asked_sectors(text) == kinds


def test_a_company_is_placed_in_a_kind_by_a_sentence_naming_it() -> None:
    sentences = sentences_of(
        [hit("a", "Chip stocks like Nvidia and Qualcomm were boosted. Meta rose 20%.")])
    assert placed(["nvidia"], ["chips"], sentences) == 1
    assert placed(["meta"], ["chips"], sentences) == 0
    # its own move sentence counts, however it names the company
    assert placed(["tsmc"], ["chips", "asia"], [],
                  ["Taiwan Semiconductor shares climbed 2% on AI chip demand."]) == 2


def test_winners_of_an_asked_kind_leave_out_the_others() -> None:
    chips = "Chip stocks like Nvidia and Qualcomm were boosted after AMD's forecast."
    meta = "Meta shares jumped 20% on its revenue beat."
    evidence = Evidence(
        hits=[hit("chips", chips), hit("meta", meta)],
        moves={"chips": [up("Nvidia", "NVDA", chips), up("Qualcomm", "QCOM", chips)],
               "meta": [up("Meta Platforms", "META", meta, 20)]},
        entities={"chips": [Entity(name="Nvidia", ticker="NVDA"),
                            Entity(name="Qualcomm", ticker="QCOM")],
                  "meta": [Entity(name="Meta Platforms", ticker="META")]},
        covered=True, relevance=0.6, weights={"chips": 1.0, "meta": 1.0},
    )
    asked = Question(text="which chip stocks got lifted", intent="winners", move_direction="up",
                     keywords=["chip", "lifted"])
    assert {p.ticker for p in plan_movers(asked, evidence)} == {"NVDA", "QCOM"}
    # no kind asked: every mover; a kind no sentence places anyone in: nothing dropped
    anyone = asked.model_copy(update={"text": "who got lifted"})
    assert {p.ticker for p in plan_movers(anyone, evidence)} == {"NVDA", "QCOM", "META"}
    banks = asked.model_copy(update={"text": "which bank stocks got lifted"})
    assert {p.ticker for p in plan_movers(banks, evidence)} == {"NVDA", "QCOM", "META"}


def test_which_company_questions_without_a_move_name_the_best_passages_company() -> None:
    text = "Chipmaker Nvidia hit a $1 trillion market value on Tuesday."
    evidence = Evidence(hits=[hit("a", text)], moves={}, covered=True, relevance=0.6,
                        entities={"a": [Entity(name="Nvidia", ticker="NVDA")]})
    asked = Question(text="which chip stock joined the trillion dollar club", intent="general",
                     keywords=["chip", "trillion", "club"])
    assert [(p.ticker, p.mentioned_in) for p in plan_movers(asked, evidence)] == [("NVDA", ["a"])]


def test_without_reported_movers_a_what_question_names_the_asked_kind_of_company() -> None:
    """ "what media co mooned after saying it'd use openai": no passage reports a move, so the
    answer is the listed company of the best passage that the news places in media, never
    the company the question names itself."""
    tool = "OpenAI's tool helps spot text written by ChatGPT, Microsoft said."
    buzz = "BuzzFeed, the digital media company, will use OpenAI tools for its quizzes."
    evidence = Evidence(
        hits=[hit("tool", tool), hit("buzz", buzz)], moves={},
        entities={"tool": [Entity(name="OpenAI", kind="private"),
                           Entity(name="Microsoft", ticker="MSFT")],
                  "buzz": [Entity(name="BuzzFeed", ticker="BZFD"),
                           Entity(name="OpenAI", kind="private")]},
        covered=True, relevance=0.6, weights={"tool": 1.0, "buzz": 1.0},
    )
    asked = Question(text="what media co mooned after saying it'd use openai", intent="winners",
                     move_direction="up", keywords=["media", "mooned"],
                     entities=[Entity(name="OpenAI", kind="private")])
    assert [p.ticker for p in plan_movers(asked, evidence)] == ["BZFD"]
    anyone = asked.model_copy(update={"text": "what co mooned after saying it'd use openai"})
    assert [p.ticker for p in plan_movers(anyone, evidence)] == ["MSFT"]
