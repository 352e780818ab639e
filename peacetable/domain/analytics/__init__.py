"""Negotiation and linkage analytics (pure domain code; numpy and networkx, no Qt).

* :mod:`.bargaining` -- package values (additive, BATNA-equivalent rule for partial
  packages), no-deal flags, ZOPA, Pareto frontier, Nash and Kalai-Smorodinsky points.
* :mod:`.network` -- precondition deadlocks, keystone issues, a phased order, unlocks.
* :mod:`.session` -- concession curves, GRIT reciprocity, distance of agreements from the
  frontier, proposals worse than no deal.
* :mod:`.report` -- JSON-ready reports for a scenario or a session state.

The models, their formulas, limits and sources are written up in ``docs/analytics.md``.
This package imports numpy and networkx; nothing on the application's start path imports it.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

#: public name -> submodule; submodules are imported on first use (PEP 562), so importing
#: one of them (e.g. the network view importing ``.network``) does not load the others
_EXPORTS = {
    "MAX_COUNTED": "bargaining", "MAX_FRONTIER": "bargaining", "SCALE": "bargaining",
    "AnalyticsLimitError": "bargaining", "Bargaining": "bargaining", "Frontier": "bargaining",
    "PackageSpace": "bargaining", "analyze_bargaining": "bargaining", "count_zopa": "bargaining",
    "kalai_smorodinsky_point": "bargaining", "nash_point": "bargaining",
    "pareto_filter": "bargaining", "pareto_frontier": "bargaining", "zopa_mask": "bargaining",
    "LinkageNetwork": "network", "normalise_cycle": "network",
    "scenario_report": "report", "session_report": "report",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    mod = _EXPORTS.get(name)
    if mod is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f"{__name__}.{mod}"), name)
    globals()[name] = value
    return value
