"""Choosing an answer's sentences (bot.answer.sentences)."""

from __future__ import annotations

from bot.answer.sentences import Candidate, pick_sentences
from bot.question.model import Question


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
