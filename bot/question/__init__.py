"""Understanding a chat question without an LLM: companies, tickers, intent, time window.

``parse_question(text, resolver, now)`` returns a ``Question``. Companies come from the same
``EntityResolver`` as ingest plus rules for casual writing (``bot.question.companies``), the
window from ``bot.question.timewin`` (relative to ``now``), the intent, move direction and
event anchor from ``bot.question.intent``. Pure logic: no I/O, nothing loaded at import.
"""

from bot.question.model import (
    EXAMPLE,
    MAX_CHARS,
    Direction,
    Intent,
    Question,
    QuestionError,
    TimeWindow,
)
from bot.question.parse import check_length, normalize, parse_question

__all__ = [
    "EXAMPLE",
    "MAX_CHARS",
    "Direction",
    "Intent",
    "Question",
    "QuestionError",
    "TimeWindow",
    "check_length",
    "normalize",
    "parse_question",
]
