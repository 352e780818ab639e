"""Bots: role-players and a control cell that play an exercise through the engine's commands.

Pure domain code (no I/O, no clock): a player bot sees only its role's view, the events its
role could see and the turn clock (:class:`~.players.Observation`), reads only the public
parts of the scenario and its own role, and shares the scenario's bargaining analytics
(:class:`~.knowledge.Knowledge`). Every move is a command that ``decide`` checks. The
models and their sources are in ``docs/models.md`` (Bots).
"""

from __future__ import annotations

from .control import BASE_ODDS, ControlBot, due_injects, move_odds
from .knowledge import Knowledge
from .players import STRATEGIES, Clock, Observation, PlayerBot

__all__ = ["BASE_ODDS", "STRATEGIES", "Clock", "ControlBot", "Knowledge", "Observation",
           "PlayerBot", "due_injects", "move_odds"]
