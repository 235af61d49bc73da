"""Choosing an answer's sentences (bot.answer.sentences)."""

from __future__ import annotations

from bot.answer.sentences import Candidate, pick_sentences
from bot.question.model import Question
from index.records import Entity


def test_the_sentence_stating_the_askers_figure_comes_first() -> None:
    question = Question(text="which chip stock had added like $650b in value since oct",
                        intent="winners", move_direction="up", keywords=["chip", "value"])
    text = ("The chip stock rallied 20% in value this year on chip demand. "
            "Its market value gained $650 billion since October.")
    picked = pick_sentences(question, [Candidate(text=text, article_id="a", rank=0)], limit=1)
    assert picked == [("Its market value gained $650 billion since October.", "a")]
    other = question.model_copy(update={"text": "which chip stock had added like $90b in value"})
    assert pick_sentences(other, [Candidate(text=text, article_id="a", rank=0)], limit=1) == \
        [("The chip stock rallied 20% in value this year on chip demand.", "a")]


def test_why_prefers_the_sentence_tying_the_named_companys_move_to_a_cause() -> None:
    """A company named "Alphabet (Google)" is found as "Google" too; "after ..." says why."""
    question = Question(text="why did googl crater on feb 8", intent="why_moved",
                        move_direction="down", tickers=["GOOGL"], keywords=["crater"],
                        entities=[Entity(name="Alphabet (Google)", ticker="GOOGL")])
    text = ("Google shares were lower on the day in heavy trading volume. "
            "Google shares slid after its Bard chatbot gave a wrong answer in an ad.")
    picked = pick_sentences(question, [Candidate(text=text, article_id="a", rank=0)], limit=1)
    assert picked == [("Google shares slid after its Bard chatbot gave a wrong answer in an ad.",
                       "a")]
    what = question.model_copy(update={"intent": "what_happened"})
    assert pick_sentences(what, [Candidate(text=text, article_id="a", rank=0)], limit=1) == \
        [("Google shares were lower on the day in heavy trading volume.", "a")]
