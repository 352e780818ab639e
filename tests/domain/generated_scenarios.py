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


def random_scenario(seed: int, issues: int = 4, options: int = 3, roles: int = 3,
                    interactions: int = 3, constraints: int = 2, red_lines: int = 2,
                    batna: float | None = None) -> str:
    """A valid scenario with random preferences (coarse values, so exact ties are common),
    interaction terms, constraints and tested red lines (option, all-of, any-of and
    variable forms), ``roles`` player roles and a control cell. Deterministic in ``seed``."""
    import random

    rng = random.Random(seed)
    iss = [f"i{k}" for k in range(issues)]
    opts = [f"o{o}" for o in range(options)]

    def choice() -> tuple[str, str]:
        return rng.choice(iss), rng.choice(opts)

    def pair() -> tuple[tuple[str, str], tuple[str, str]]:
        a, b = rng.sample(iss, 2)
        return (a, rng.choice(opts)), (b, rng.choice(opts))

    out = [
        "format = 1", "[scenario]", f'id = "gen{seed}"', f'title = "Generated {seed}"',
        'summary = "Generated."', 'situation = "Generated."',
        "[escalation]", "[[escalation.variables]]",
        'id = "tension"', 'label = "Tension"', "min = 0", "max = 10", "initial = 1", "weight = 1",
        "[[escalation.rungs]]", 'id = "calm"', 'label = "Calm"', "threshold = 0",
    ]
    for a in range(roles):
        rid = f"r{a}"
        lines = [f"line {k}" for k in range(red_lines)]
        b = batna if batna is not None else rng.choice([0.2, 0.3, 0.35, 0.4, 0.5])
        out += ["[[roles]]", f'id = "{rid}"', f'name = "Role {a}"', 'public_brief = "A role."',
                f"batna = {b}", "red_lines = [" + ", ".join(f'"{x}"' for x in lines) + "]",
                "[roles.weights]"]
        raw = [rng.randint(1, 9) for _ in iss]
        total = sum(raw)
        w = [round(x / total, 3) for x in raw]
        w[-1] = round(1 - sum(w[:-1]), 3)
        out += [f"{i} = {x}" for i, x in zip(iss, w)]
        out += ["[roles.preferences]"]
        out += [f"{i} = {{ " + ", ".join(f"{o} = {rng.randint(0, 4) / 4}" for o in opts) + " }"
                for i in iss]
        for _ in range(interactions):
            (i1, o1), (i2, o2) = pair()
            value = rng.choice([-0.2, -0.1, 0.05, 0.1, 0.25])
            out += ["[[roles.interactions]]", f'first = {{ issue = "{i1}", option = "{o1}" }}',
                    f'second = {{ issue = "{i2}", option = "{o2}" }}', f"value = {value}"]
        for k, text in enumerate(lines):
            form = (seed + a + k) % 4
            if form == 0:
                i, o = choice()
                cond = f'{{ issue = "{i}", option = "{o}" }}'
            elif form in (1, 2):
                (i1, o1), (i2, o2) = pair()
                key = "all" if form == 1 else "any"
                cond = (f'{{ {key} = [ {{ issue = "{i1}", option = "{o1}" }}, '
                        f'{{ issue = "{i2}", option = "{o2}" }} ] }}')
            else:
                cond = '{ variable = "tension", op = ">=", value = 8 }'
            out += ["[[roles.red_line_tests]]", f'red_line = "{text}"', f"crossed_if = {cond}"]
    out += ["[[roles]]", 'id = "control"', 'name = "Control"', 'kind = "control"',
            'public_brief = "Runs it."']
    for i in iss:
        out += ["[[issues]]", f'id = "{i}"', f'label = "Issue {i}"', "options = ["
                + ", ".join(f'{{ id = "{o}", label = "{o.upper()}" }}' for o in opts) + "]"]
    for k in range(constraints):
        (i1, o1), (i2, o2) = pair()
        kind = "incompatible" if k % 2 == 0 else "requires"
        out += ["[[constraints]]", f'kind = "{kind}"', f'first = {{ issue = "{i1}", option = "{o1}" }}',
                f'second = {{ issue = "{i2}", option = "{o2}" }}']
    out += ["[[phases]]", 'id = "talks"', 'label = "Talks"', 'allowed_moves = ["proposal"]',
            "[[moves]]", 'id = "propose"', 'label = "Propose"', 'kind = "proposal"']
    return "\n".join(out) + "\n"
