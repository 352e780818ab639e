"""Scenario text generated at test time: large networks and the like (valid scenarios)."""

from __future__ import annotations


def ring_scenario(n: int, extra: str = "") -> str:
    """A valid scenario with ``n`` issues whose precondition linkages form one cycle
    (issue 0 -> 1 -> ... -> n-1 -> 0), two player roles and a control cell."""
    ids = [f"i{k:04d}" for k in range(n)]
    w = f"{1 / n:.12f}"
    out = [
        "format = 1",
        "[scenario]",
        'id = "ring"', 'title = "Ring"', 'summary = "A ring of preconditions."',
        'situation = "Every issue waits for the one before it."',
        "[escalation]",
        "[[escalation.variables]]",
        'id = "tension"', 'label = "Tension"', "min = 0", "max = 10", "initial = 1", "weight = 1",
        "[[escalation.rungs]]", 'id = "calm"', 'label = "Calm"', "threshold = 0",
    ]
    for rid, (a, b) in (("east", ("1.0", "0.0")), ("west", ("0.0", "1.0"))):
        out += ["[[roles]]", f'id = "{rid}"', f'name = "{rid.title()}"',
                f'public_brief = "The {rid}."', "batna = 0.25", "[roles.weights]"]
        out += [f"{i} = {w}" for i in ids]
        out += ["[roles.preferences]"]
        out += [f"{i} = {{ a = {a}, b = {b} }}" for i in ids]
    out += ["[[roles]]", 'id = "control"', 'name = "Control"', 'kind = "control"',
            'public_brief = "Runs it."']
    for i in ids:
        out += ["[[issues]]", f'id = "{i}"', f'label = "Issue {i}"',
                "options = [{ id = \"a\", label = \"A\" }, { id = \"b\", label = \"B\" }]"]
    for k, i in enumerate(ids):
        out += ["[[linkages]]", 'kind = "precondition"', f'from = "{i}"',
                f'to = "{ids[(k + 1) % n]}"']
    out += ["[[phases]]", 'id = "talks"', 'label = "Talks"', 'allowed_moves = ["proposal"]',
            "[[moves]]", 'id = "propose"', 'label = "Propose"', 'kind = "proposal"']
    return "\n".join(out) + "\n" + extra
