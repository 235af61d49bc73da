"""Answer composition: pure functions from a question, evidence, quotes and "now" to an Answer."""

from bot.answer.compose import compose_answer, plan_movers
from bot.answer.evidence import Coverage, Evidence
from bot.answer.model import Answer, Freshness, LiveQuote, Mover, ReportedMove, Source

__all__ = [
    "Answer",
    "Coverage",
    "Evidence",
    "Freshness",
    "LiveQuote",
    "Mover",
    "ReportedMove",
    "Source",
    "compose_answer",
    "plan_movers",
]
