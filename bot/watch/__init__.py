"""Watches and alerts: what a channel watches, which new articles match, what is posted.

Nothing here imports Discord (the cog ``bot.cogs.watch`` renders and sends):

- :mod:`bot.watch.targets`   "NVDA", "$nvda", "nvidia", "OpenAI", "chip export curbs" → a target
- :mod:`bot.watch.matching`  new articles × watches → one match per (article, channel)
- :mod:`bot.watch.compose`   a match (+ quote) → the alert's text; the list of the rest
- :mod:`bot.watch.poller`    notices a new index generation, applies the rules, sends
"""

from bot.watch.compose import AlertMessage, compose_alert, compose_overflow
from bot.watch.matching import Match, Matcher, NameBook, NewArticle
from bot.watch.poller import ChannelUnavailable, WatchPoller
from bot.watch.targets import Target, TargetError, parse_target

__all__ = [
    "AlertMessage",
    "ChannelUnavailable",
    "Match",
    "Matcher",
    "NameBook",
    "NewArticle",
    "Target",
    "TargetError",
    "WatchPoller",
    "compose_alert",
    "compose_overflow",
    "parse_target",
]
