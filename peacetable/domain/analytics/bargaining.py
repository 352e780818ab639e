"""Package values and bargaining analysis over the package space (no Qt, no I/O).

Model (see ``docs/analytics.md`` for the full write-up and the citations):

* A *package* settles issues, one option each. A *full* package settles every issue.
* Each player role ``i`` values a full package additively,
  ``u_i = sum_k w_ik * v_ik(option_k)``, with the scenario's weights (normalised to sum to 1)
  and option values in [0, 1], plus the interaction terms the author wrote (a role's
  ``[[roles.interactions]]`` and the ``value`` of a trade-off linkage between two options):
  a bonus or penalty when a package holds both options. Otherwise linkages do not change
  values (the numbers in a scenario are its author's, not the model's); they enter the
  network analytics (:mod:`.network`).
* A *partial* package is valued by the **BATNA-equivalent rule**: every issue it leaves
  unsettled counts at the role's no-deal level, ``w_ik * r_i``. So the empty package is worth
  exactly ``r_i`` (no agreement = no deal), and a partial package is worse than no deal for
  ``i`` exactly when the issues it settles are, weight for weight, worth less to ``i`` than
  its no-deal value. The worst and best completions are reported alongside.
* ZOPA: full packages with ``u_i >= r_i`` for every player role. Pareto frontier: full
  packages no other full package weakly improves for every role and strictly for one.
  Nash (1950): maximise ``prod_i (u_i - r_i)`` over the ZOPA. Kalai-Smorodinsky (1975), on a
  discrete space: maximise the minimum share ``(u_i - r_i) / (u_i* - r_i)``, ``u_i*`` the
  best ``u_i`` in the ZOPA.

Arithmetic is exact, however the numbers are written. Weights, option values and BATNAs
are read as the decimals the author wrote (``0.1`` is one tenth, not its binary neighbour)
and each role's utilities are kept as integers in that role's own unit ``1 / D_i``:
``D_i`` is the least common denominator of every term ``w_ik * v_ik / W_i`` and every
BATNA share ``r_i * w_ik / W_i`` (``W_i`` the sum of the role's weights), so normalising
the weights divides nothing and rounds nothing. A package the author made exactly as good
as no deal is exactly as good as no deal here, whether the weights sum to 1 or to 0.999.
Comparisons within a role (dominance, the ZOPA, each role's best) are integer comparisons;
the Nash product of integer gains differs from the product of real gains by the constant
``prod_i D_i`` (same maximiser); KS shares are ratios within a role; sums across roles (the
tie-break "larger total gain", the uniform gain) are computed exactly with rationals. Ties
are settled by the documented tie-breaks (larger total gain, then the first package in
authored order: issues in file order, options in file order). A role whose numbers need a
denominator above :data:`MAX_DENOMINATOR` (17-digit decimals printed by a program) is kept
in units of ``1 / SCALE`` instead, each term rounded once from its exact value, and is
named in :attr:`PackageSpace.rounded` and in the report.

Method. The frontier is computed by an exact dynamic programme over the issues (a Pareto
filter of the Minkowski sum: a frontier package can only be made of a frontier partial
package plus one option), so the space is never enumerated for it; with interaction terms,
constraints or red lines the issues are added block by block and partial packages are
compared within groups and, with exact margins, across them (:func:`_constrained_frontier`).
Nash, KS and each role's best ZOPA utility are computed on the frontier, which provably
contains them with the tie-breaks above. The ZOPA is counted by exhaustive, vectorised enumeration of the full
space, streamed in blocks. Both have documented limits (:data:`MAX_FRONTIER`,
:data:`MAX_COUNTED`); above them the analysis says so (:class:`AnalyticsLimitError`, or a
count reported as not computed) instead of sampling.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
import dataclasses
from dataclasses import dataclass, field
from fractions import Fraction
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from ..scenario import Scenario

SCALE = 1_000_000_000
"""Units per 1.0 of utility of a role whose exact unit would be too fine (see
:data:`MAX_DENOMINATOR`); every other role keeps its own exact unit, see
:attr:`PackageSpace.denominators`."""

MAX_DENOMINATOR = 10 ** 15
"""Largest exact unit denominator of a role. Numbers written by hand (a few decimals, weights
summing to 0.999) stay far below it; numbers printed by a program with 17 significant
digits can need more, and such a role is then computed in units of 1/SCALE, each term
rounded once from its exact value (the role is named in :attr:`PackageSpace.rounded` and in
the report). Keeps every sum across roles inside 64-bit integers."""

MAX_FRONTIER = 10_000
"""Largest Pareto set the dynamic programme keeps at any step (frontier of the issues so far).
Above it the bargaining analysis is refused with :class:`AnalyticsLimitError`. The filter's
cost grows with (Pareto set size) x (candidates), so this bounds the running time to a few
seconds (see ``docs/analytics.md``)."""

FRONTIER_BY_DEFAULT = 1 << 23
"""Largest full package space (8,388,608 packages) whose Pareto frontier ``analyze`` tries
to build by default. Above it the report gives the exact Nash and Kalai-Smorodinsky points
found without the frontier (:func:`bargaining_points`, under a second for 16.8 million
packages) and builds the frontier only on request (``--frontier``): on spaces that large
the frontier usually exceeds :data:`MAX_FRONTIER`, and finding that out costs seconds."""

MAX_COUNTED = 1 << 25
"""Largest full package space (33,554,432 packages) whose ZOPA is counted exactly by
enumeration; above it the count is reported as not computed (never estimated)."""

MAX_ENUMERATED = 1 << 22
"""Largest space :meth:`PackageSpace.enumerate` materialises in memory (tests, benchmark)."""

_BLOCK = 32  # pivots per vectorised step of the Pareto filter (tuned in bench/bench_analytics.py)
_INNER = 1 << 14  # packages per inner block when streaming the space


MAX_STREAMED = 1 << 28
"""Largest full package space (268,435,456 packages, about ten seconds) whose Nash and
Kalai-Smorodinsky points :func:`bargaining_points` finds by streaming every package; above
it the points are refused with a message, never estimated."""


class AnalyticsLimitError(ValueError):
    """The requested analysis exceeds a documented size limit; the message says which."""


def count_text(n: int) -> str:
    """A count for a message: with thousands separators, or its order of magnitude when it
    has more digits than a person reads (a space of 2,001 two-option issues)."""
    return f"{n:,}" if n < 10 ** 15 else f"about 10^{len(str(n)) - 1}"


def exact(x: float | int | str) -> Fraction:
    """The number as its author wrote it: a float is read as its shortest decimal (the text
    TOML gave it), so 0.1 is exactly one tenth."""
    if isinstance(x, bool):
        raise ValueError("true/false is not a number")
    if isinstance(x, float):
        if not math.isfinite(x):
            raise ValueError(f"{x} is not a finite number")
        return Fraction(repr(x))
    return Fraction(x)


# --------------------------------------------------------------------------- the space


@dataclass(frozen=True, eq=False)
class PackageSpace:
    """All packages of a scenario and every player role's utility table.

    ``tables[k]`` is an ``int64`` array of shape ``(n_roles, n_options_k)`` holding
    ``w_ik * v_ik(option) / W_i`` in role ``i``'s units (``1 / denominators[i]``, exact);
    ``batna_units[i]`` is ``r_i``; ``batna_shares`` splits ``r_i`` over the issues in
    proportion to the weights (exactly: the shares add up to ``r_i``) -- the value of an
    unsettled issue.
    """

    roles: tuple[str, ...]
    issues: tuple[str, ...]
    options: tuple[tuple[str, ...], ...]
    tables: tuple[np.ndarray, ...]
    batna_units: np.ndarray
    batna_shares: np.ndarray  # (n_roles, n_issues)
    _index: dict[str, tuple[int, dict[str, int]]] = field(repr=False)
    denominators: tuple[int, ...] = ()  # role i's utilities are integers of 1/denominators[i]
    rounded: tuple[str, ...] = ()  # roles whose numbers needed more than MAX_DENOMINATOR
    #: feasibility rules, see :func:`feasibility_rules`: (j1, o1, j2, o2, incompatible?)
    constraints: tuple[tuple[int, int, int, int, bool], ...] = ()
    #: interaction terms (j1, o1, j2, o2, units per role): added when both choices hold
    interactions: tuple[tuple[int, int, int, int, np.ndarray], ...] = ()
    #: red lines as hard limits: (role index, red line, issue indices read, typed condition)
    limits: tuple[tuple[int, str, tuple[int, ...], Any], ...] = ()
    #: results computed once per space (each role's best package, see :meth:`ideal`)
    _memo: dict[str, Any] = field(default_factory=dict, init=False, repr=False, compare=False)

    # ---------------------------------------------------------------- construction
    @classmethod
    def build(
        cls,
        roles: Sequence[str],
        issues: Mapping[str, Sequence[str]],
        weights: Mapping[str, Mapping[str, float]],
        values: Mapping[str, Mapping[str, Mapping[str, float]]],
        batna: Mapping[str, float],
        interactions: Mapping[str, Sequence[tuple[str, str, str, str, float]]] | None = None,
    ) -> PackageSpace:
        """A space from plain data: ``issues`` maps issue id to its option ids (in order),
        ``weights[role][issue]``, ``values[role][issue][option]`` in [0, 1] and
        ``batna[role]`` in [0, 1]. Weights are normalised to sum to 1 (a role whose weights
        are all zero weighs the issues equally). ``interactions[role]`` lists
        ``(issue, option, issue, option, value)``: ``value`` (in [-1, 1], not weighted) is
        added to the role's utility of a package that holds both choices."""
        roles = tuple(roles)
        issue_ids = tuple(issues)
        options = tuple(tuple(issues[i]) for i in issue_ids)
        if not roles:
            raise ValueError("a package space needs at least one role")
        if not issue_ids:
            raise ValueError("a package space needs at least one issue")
        for iid, opts in zip(issue_ids, options):
            if not opts:
                raise ValueError(f"issue '{iid}' has no options")
        n, k = len(roles), len(issue_ids)
        tables = [np.zeros((n, len(o)), dtype=np.int64) for o in options]
        shares = np.zeros((n, k), dtype=np.int64)
        r_units = np.zeros(n, dtype=np.int64)
        dens: list[int] = []
        rounded: list[str] = []
        pairs = _interaction_pairs(issue_ids, options, roles, interactions or {})
        pair_units = {key: np.zeros(n, dtype=np.int64) for key in pairs}
        for a, rid in enumerate(roles):
            try:
                raw = [exact(weights.get(rid, {}).get(iid, 0)) for iid in issue_ids]
            except ValueError:
                raise ValueError(f"role '{rid}': weights must be finite and non-negative") from None
            if any(w < 0 for w in raw):
                raise ValueError(f"role '{rid}': weights must be finite and non-negative")
            total = sum(raw)
            w = [x / total for x in raw] if total > 0 else [Fraction(1, k)] * k
            r = exact(batna.get(rid, 0))
            if not 0 <= r <= 1:
                raise ValueError(f"role '{rid}': BATNA {float(r)} outside [0, 1]")
            terms: list[list[Fraction]] = []
            for j, (iid, opts) in enumerate(zip(issue_ids, options)):
                prefs = values.get(rid, {}).get(iid, {})
                row = []
                for oid in opts:
                    v = exact(prefs.get(oid, 0))
                    if not 0 <= v <= 1:
                        raise ValueError(f"role '{rid}': value {float(v)} of {iid}={oid} "
                                         "outside [0, 1]")
                    row.append(w[j] * v)
                terms.append(row)
            share = [wj * r for wj in w]
            extra = {key: v[a] for key, v in pairs.items() if v[a]}
            den = 1
            for x in [*share, *(t for row in terms for t in row), *extra.values()]:
                den = math.lcm(den, x.denominator)
                if den > MAX_DENOMINATOR:
                    break
            if den <= MAX_DENOMINATOR:
                r_units[a] = int(r * den)
                shares[a] = [int(x * den) for x in share]
                for j, row in enumerate(terms):
                    tables[j][a] = [int(t * den) for t in row]
                for key, v in extra.items():
                    pair_units[key][a] = int(v * den)
            else:  # too many digits for exact 64-bit sums: each term rounded once
                den = SCALE
                rounded.append(rid)
                r_units[a] = round(r * den)
                shares[a] = _largest_remainder([x * den for x in share], int(r_units[a]))
                for j, row in enumerate(terms):
                    tables[j][a] = [round(t * den) for t in row]
                for key, v in extra.items():
                    pair_units[key][a] = round(v * den)
            dens.append(den)
        for t in tables:
            t.setflags(write=False)
        r_units.setflags(write=False)
        shares.setflags(write=False)
        index = {iid: (j, {oid: o for o, oid in enumerate(opts)})
                 for j, (iid, opts) in enumerate(zip(issue_ids, options))}
        for v in pair_units.values():
            v.setflags(write=False)
        return cls(roles, issue_ids, options, tuple(tables), r_units, shares, index,
                   tuple(dens), tuple(rounded),
                   interactions=tuple((*key, v) for key, v in pair_units.items()))

    @classmethod
    def from_scenario(cls, sc: Scenario, viewer: str = "control") -> PackageSpace:
        """The space of a :class:`~peacetable.domain.scenario.Scenario`: its player roles,
        issues and options in file order. A role's interaction terms are its own
        ``[[roles.interactions]]`` and its entry in the ``value`` of every trade-off linkage
        (the linkage's two options held together), counted only when ``viewer`` (control,
        audience or a role id) knows of the linkage: the space as that viewer may be shown
        it, so no utility shown to a viewer reveals a linkage it may not see, and a team's
        own valuation counts only the linkages the team knows of. Control knows of every
        linkage and sees every role's value as the scenario states it (docs/analytics.md)."""
        players = [r for r in sc.roles if r.is_player]
        known = [lk for lk in sc.linkages if lk.kind == "trade_off" and lk.source is not None
                 and lk.from_option is not None and lk.to_option is not None
                 and lk.known_to(viewer)]
        return cls.build(
            roles=[r.id for r in players],
            issues={i.id: [o.id for o in i.options] for i in sc.issues},
            weights={r.id: dict(r.weights) for r in players},
            values={r.id: {k: dict(v) for k, v in r.preferences.items()} for r in players},
            batna={r.id: (r.batna if r.batna is not None else 0.0) for r in players},
            interactions={r.id: [(t.first.issue, t.first.option, t.second.issue,
                                  t.second.option, t.value) for t in r.interactions]
                          + [(lk.source, lk.from_option, lk.target, lk.to_option, lk.value[r.id])
                             for lk in known if r.id in lk.value]
                          for r in players},
        ).with_constraints(feasibility_rules(sc)).with_limits(red_line_limits(sc))

    def with_limits(self, limits: Sequence[tuple[int, str, tuple[int, ...], Any]]) -> PackageSpace:
        """The same space whose analyses drop every package that crosses a red line."""
        return dataclasses.replace(self, limits=tuple(limits))

    def crossed(self, package: Mapping[str, str]) -> list[tuple[str, str]]:
        """(role, red line) for each red line a full package crosses."""
        row = np.array([[self._index[iid][1][package[iid]] for iid in self.issues]],
                       dtype=np.int16)
        cols = {iid: (j, self._index[iid][1]) for j, iid in enumerate(self.issues)}
        return [(self.roles[a], text) for a, text, _, cond in self.limits
                if bool(cond.mask(row, cols)[0])]

    def with_constraints(self, rules: Sequence[tuple[int, int, int, int, bool]]) -> PackageSpace:
        """The same space whose analyses keep only packages that keep every rule."""
        return dataclasses.replace(self, constraints=tuple(rules))

    # ---------------------------------------------------------------- basic facts
    @property
    def n_roles(self) -> int:
        return len(self.roles)

    @property
    def size(self) -> int:
        """Number of full packages (product of the option counts)."""
        return math.prod(len(o) for o in self.options)

    def real(self, a: int, u: int | np.integer) -> Fraction:
        """Role ``a``'s utility ``u`` (in its units) as an exact rational."""
        return Fraction(int(u), self.denominators[a])

    def to_float(self, a: int, u: int | np.integer, digits: int = 6) -> float:
        """Role ``a``'s utility ``u`` (in its units) as a float rounded for reports."""
        return round(int(u) / self.denominators[a], digits)

    def floats(self, vector: Sequence[int] | np.ndarray) -> dict[str, float]:
        """Role id -> rounded float of a vector of utilities (one entry per role)."""
        return {rid: self.to_float(a, x) for a, (rid, x) in enumerate(zip(self.roles, vector))}

    def total(self, vector: Sequence[int] | np.ndarray) -> Fraction:
        """Exact sum across roles of a vector of utilities (or gains) in role units."""
        return sum((Fraction(int(x), d) for x, d in zip(vector, self.denominators)), Fraction(0))

    def choices_of(self, package: Mapping[str, str]) -> dict[int, int]:
        """Issue index -> option index for a (partial) package; clear error on unknown ids."""
        out: dict[int, int] = {}
        for iid, oid in package.items():
            if iid not in self._index:
                raise ValueError(f"unknown issue '{iid}' (expected one of: "
                                 f"{', '.join(self.issues)})")
            j, opts = self._index[iid]
            if oid not in opts:
                raise ValueError(f"'{oid}' is not an option of issue '{iid}' (expected one of: "
                                 f"{', '.join(self.options[j])})")
            out[j] = opts[oid]
        return out

    def package_of(self, choice_row: Sequence[int]) -> dict[str, str]:
        """A full package from one row of option indices."""
        return {iid: self.options[j][int(c)]
                for j, (iid, c) in enumerate(zip(self.issues, choice_row))}

    # ---------------------------------------------------------------- values
    def value_units(self, package: Mapping[str, str]) -> np.ndarray:
        """Every role's utility of a (partial) package in units, BATNA-equivalent rule."""
        ch = self.choices_of(package)
        u = np.zeros(self.n_roles, dtype=np.int64)
        for j, t in enumerate(self.tables):
            u += t[:, ch[j]] if j in ch else self.batna_shares[:, j]
        for j1, o1, j2, o2, v in self.interactions:
            if ch.get(j1) == o1 and ch.get(j2) == o2:
                u += v
        return u

    def bounds_units(self, package: Mapping[str, str]) -> tuple[np.ndarray, np.ndarray]:
        """(worst, best) completion of a partial package for every role, in units."""
        ch = self.choices_of(package)
        lo = np.zeros(self.n_roles, dtype=np.int64)
        hi = np.zeros(self.n_roles, dtype=np.int64)
        for j, t in enumerate(self.tables):
            if j in ch:
                lo += t[:, ch[j]]
                hi += t[:, ch[j]]
            else:
                lo += t.min(axis=1)
                hi += t.max(axis=1)
        if self.interactions:
            lo_x, hi_x = self._linked_bounds(ch)
            lo += lo_x
            hi += hi_x
        return lo, hi

    def _linked_bounds(self, ch: Mapping[int, int]) -> tuple[np.ndarray, np.ndarray]:
        """Exact (worst, best) of the interaction terms plus the open issues they touch
        (whose table ranges :meth:`bounds_units` then must not count twice): every
        completion of those issues is tried."""
        linked = sorted({j for t in self.interactions for j in (t[0], t[2]) if j not in ch})
        dims = [len(self.options[j]) for j in linked]
        rows = np.indices(dims, dtype=np.int16).reshape(len(dims), -1).T if linked \
            else np.zeros((1, 0), dtype=np.int16)
        full = np.zeros((len(rows), len(self.tables)), dtype=np.int16)
        for j, o in ch.items():
            full[:, j] = o
        full[:, linked] = rows
        u = np.zeros((len(rows), self.n_roles), dtype=np.int64)
        for c, j in enumerate(linked):
            u += self.tables[j].T[rows[:, c]]
        for j1, o1, j2, o2, v in self.interactions:
            if (j1 in ch or j1 in linked) and (j2 in ch or j2 in linked):
                u += ((full[:, j1] == o1) & (full[:, j2] == o2))[:, None] * v[None, :]
        # the caller's loop added min/max of each open linked issue: take them out here
        lo = u.min(axis=0) - sum((self.tables[j].min(axis=1) for j in linked),
                                 np.zeros(self.n_roles, dtype=np.int64))
        hi = u.max(axis=0) - sum((self.tables[j].max(axis=1) for j in linked),
                                 np.zeros(self.n_roles, dtype=np.int64))
        return lo, hi

    def value(self, package: Mapping[str, str]) -> dict[str, float]:
        """Every role's utility of a (partial) package (rounded to 6 decimals)."""
        return self.floats(self.value_units(package))

    def evaluate(self, package: Mapping[str, str]) -> dict[str, dict[str, Any]]:
        """Per role: utility, no-deal value, gain over no deal, the worse-than-no-deal flag,
        and the worst/best completion of the issues the package leaves open."""
        u = self.value_units(package)
        lo, hi = self.bounds_units(package)
        out: dict[str, dict[str, Any]] = {}
        for a, rid in enumerate(self.roles):
            out[rid] = {
                "utility": self.to_float(a, u[a]),
                "batna": self.to_float(a, self.batna_units[a]),
                "gain": self.to_float(a, u[a] - self.batna_units[a]),
                "worse_than_batna": bool(u[a] < self.batna_units[a]),
                "worst_completion": self.to_float(a, lo[a]),
                "best_completion": self.to_float(a, hi[a]),
            }
        return out

    def ideal(self, role: str) -> tuple[dict[str, str], float | None]:
        """The role's best full package and its utility: the first package in authored order
        (issues in file order, options in file order) with the role's best utility -- the
        first best option of every issue when utilities are additive. With constraints or
        tested red lines only packages that keep them count (``({}, None)`` if none does);
        interaction terms count exactly (a dynamic programme over the issues, :func:`_extreme`)."""
        a = self.roles.index(role)
        if self.interactions or self.constraints or self.limits:
            key = f"best {a}"
            if key not in self._memo:
                self._memo[key] = _extreme(self, a, 1, feasible=True)
            choice, best = self._memo[key]
            if not len(choice):  # no package keeps every constraint and red line
                return {}, None
            return self.package_of(choice), self.to_float(a, best)
        pkg = {iid: self.options[j][int(np.argmax(t[a]))] for j, (iid, t) in
               enumerate(zip(self.issues, self.tables))}
        return pkg, self.to_float(a, sum(int(t[a].max()) for t in self.tables))

    def worst_units(self, role: str) -> int:
        """The role's worst utility over every full package, in its units (interaction
        terms included)."""
        a = self.roles.index(role)
        if self.interactions:
            return _extreme(self, a, -1, feasible=False)[1]
        return sum(int(t[a].min()) for t in self.tables)

    def concession_units(self, role: str, package: Mapping[str, str]) -> int:
        """Utility the role gives up against its ideal on the issues ``package`` settles:
        ``sum_k w_ik * (max_o v_ik(o) - v_ik(chosen))``, in the role's units (0 = its ideal)."""
        a = self.roles.index(role)
        ch = self.choices_of(package)
        return sum(int(self.tables[j][a].max() - self.tables[j][a, o]) for j, o in ch.items())

    # ---------------------------------------------------------------- enumeration
    def utilities(self, choices: np.ndarray) -> np.ndarray:
        """Utilities (units, shape ``(n, n_roles)``) of full packages given as option-index
        rows (shape ``(n, n_issues)``)."""
        choices = np.asarray(choices)
        u = np.zeros((len(choices), self.n_roles), dtype=np.int64)
        for j, t in enumerate(self.tables):
            u += t.T[choices[:, j]]
        for j1, o1, j2, o2, v in self.interactions:
            u += ((choices[:, j1] == o1) & (choices[:, j2] == o2))[:, None] * v[None, :]
        return u

    def enumerate(self, limit: int = MAX_ENUMERATED) -> tuple[np.ndarray, np.ndarray]:
        """Every full package in authored (lexicographic) order: ``(choices, utilities)``.
        Refuses above ``limit`` packages."""
        if self.size > limit:
            raise AnalyticsLimitError(
                f"{self.size:,} packages exceed the enumeration limit of {limit:,}")
        dims = [len(o) for o in self.options]
        choices = np.indices(dims, dtype=np.int16).reshape(len(dims), -1).T
        if self.constraints or self.limits:
            choices = choices[_kept(self, choices, range(len(self.tables)))]
        return choices, self.utilities(choices)


def _largest_remainder(parts: Sequence[Fraction], total: int) -> list[int]:
    """Integers close to ``parts`` (floored, then +1 by largest remainder) summing to
    ``total`` (the parts are exact and sum to ``total``)."""
    base = [math.floor(p) for p in parts]
    order = sorted(range(len(parts)), key=lambda j: (-(parts[j] - base[j]), j))
    for j in order[:total - sum(base)]:
        base[j] += 1
    return base


# --------------------------------------------------------------------------- matrix-level


def pareto_filter(u: np.ndarray, block: int = _BLOCK, max_kept: int | None = None) -> np.ndarray:
    """Row indices (ascending) of the rows of ``u`` that no other row dominates.

    ``u`` is an integer array ``(n_packages, n_roles)``; row ``p`` dominates ``q`` when
    ``p >= q`` everywhere and ``p != q``. Rows with identical vectors do not dominate each
    other and are all kept (they are different packages worth the same).

    Method: rows are visited by decreasing total (a dominator always has a strictly larger
    total, so nothing can be dominated by a row visited later); each block of ``block``
    visited rows removes every later row it dominates, with one vectorised comparison, and
    a row survives when no earlier row of its own block dominates it. Exact.

    With ``max_kept``, raises :class:`AnalyticsLimitError` as soon as more rows than that
    are known to be undominated (the work done so far is bounded by it).
    """
    u = np.asarray(u)
    n = len(u)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    if n >= _GRID_FROM and (max_kept is None or max_kept >= n) and u.shape[1] > 1:
        return _pareto_grid(u)  # nothing to stop early for: the grid does less work
    d = u.shape[1]
    s = u.sum(axis=1, dtype=np.int64)
    order = np.lexsort((np.arange(n), -s))
    v, tot, ids = u[order], s[order], order
    if v.dtype.kind in "iu" and v.min() >= -(2**31) and v.max() < 2**31:
        v = v.astype(np.int32)  # same comparisons, half the memory traffic
    kept: list[np.ndarray] = []
    n_kept = 0
    start = 0
    while start < len(v):
        end = min(start + block, len(v))
        p, ps = v[start:end], tot[start:end]
        dom = ps[:, None] > ps[None, :]
        for c in range(d):
            dom &= p[:, None, c] >= p[None, :, c]
        kept.append(ids[start:end][~dom.any(axis=0)])
        n_kept += len(kept[-1])
        if max_kept is not None and n_kept > max_kept:
            raise AnalyticsLimitError(f"more than {max_kept:,} undominated packages")
        rest = v[end:]
        if len(rest):
            rs = tot[end:]
            hit = ps[:, None] > rs[None, :]
            for c in range(d):
                hit &= p[:, None, c] >= rest[None, :, c]
            alive = ~hit.any(axis=0)
            if not alive.all():
                v = np.concatenate([v[:end], rest[alive]])
                tot = np.concatenate([tot[:end], rs[alive]])
                ids = np.concatenate([ids[:end], ids[end:][alive]])
        start = end
    return np.sort(np.concatenate(kept))


_GRID_FROM = 40_000  # rows from which pareto_filter uses the grid (when it may not stop early)
_GRID_CHUNK = 1024


def _grid_bins(roles: int) -> int:
    """Quantile bins per role of :func:`_pareto_grid`: a few hundred to a few thousand cells
    (bench/bench_frontier.py: 3 bins for 6 roles took 0.78x the time of 4)."""
    return 4 if roles <= 5 else 3 if roles <= 8 else 2


def _pareto_grid(u: np.ndarray, bins: int | None = None, chunk: int = _GRID_CHUNK,
                 low: np.ndarray | None = None, group: np.ndarray | None = None,
                 real: int | None = None) -> np.ndarray:
    """Row indices (ascending) of the undominated rows of ``u`` (as :func:`pareto_filter`),
    for large inputs where most rows survive.

    Each role's values are cut into ``bins`` quantile bins, which puts every row in a cell
    (one bin per role). A row can be dominated only by rows of a cell at least as high in
    every role, so each cell's rows are compared with those cells' rows only, in one
    vectorised comparison per chunk of possible dominators (strongest cells first, rows
    already found dominated left out: whatever they dominate, their dominator does too).
    Exact: dominance is tested on the integer utilities themselves, the cells only decide
    which pairs need testing.

    The general form serves the frontier's dynamic programme (:func:`_constrained_frontier`):
    row ``p`` dominates row ``q`` when ``low[p] >= u[q]`` in every column and the first
    ``real`` columns (the roles) of ``low[p]`` sum to more than those of ``u[q]``; or when
    both rows are in the same ``group`` and ``u[p] >= u[q]`` with a larger sum. Columns after
    ``real`` only have to compare (they carry what must agree or be ordered for one partial
    package to stand for another). The relation is transitive whenever ``low <= u``
    (so leaving out dominated rows stays exact); without ``low`` it is plain dominance."""
    u = np.asarray(u)
    n, dd = u.shape
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    d = dd if real is None else real
    bins = bins or _grid_bins(d)
    if low is None:
        low = u
    lo_is_u = low is u
    s = u[:, :d].sum(axis=1, dtype=np.int64)
    ls = s if lo_is_u else low[:, :d].sum(axis=1, dtype=np.int64)

    def small(x):
        return x.astype(np.int32) if len(x) and x.min() >= -(2**31) and x.max() < 2**31 else x

    v = small(u)
    w = v if lo_is_u else small(low)
    code = np.zeros(n, dtype=np.int64)
    for c in range(d):
        cuts = np.quantile(v[:, c], np.linspace(0, 1, bins + 1)[1:-1])
        code = code * bins + np.searchsorted(cuts, v[:, c], side="right")
    codes, inv = np.unique(code, return_inverse=True)
    inv = np.asarray(inv).reshape(-1)
    cells = np.zeros((len(codes), d), dtype=np.int64)  # each cell's bin per role
    rest = codes.copy()
    for c in range(d - 1, -1, -1):
        cells[:, c] = rest % bins
        rest //= bins
    order = np.lexsort((-s, inv))  # by cell, then by decreasing total
    cell_of = inv[order]  # the cell of each row in that order
    starts = np.r_[0, np.cumsum(np.bincount(inv, minlength=len(cells)))]
    above = np.ones((len(cells), len(cells)), dtype=bool)  # above[a, b]: cell b >= cell a
    for c in range(d):
        above &= cells[None, :, c] >= cells[:, None, c]
    strength = cells.sum(axis=1, dtype=np.int64)
    dominated = np.zeros(n, dtype=bool)
    same = group is not None and not lo_is_u
    for ci in np.argsort(-strength, kind="stable"):
        tgt = order[starts[ci]:starts[ci + 1]]
        tgt = tgt[~dominated[tgt]]
        if not len(tgt):
            continue
        dom = order[above[ci][cell_of]]
        dom = dom[~dominated[dom]]
        dom = dom[np.argsort(-ls[dom], kind="stable")]  # strongest first
        t_v, t_s = v[tgt], s[tgt]
        t_g = group[tgt] if same else None
        alive = np.arange(len(tgt))
        for a in range(0, len(dom), chunk):
            if not len(alive):
                break
            rows = dom[a:a + chunk]
            # targets are in decreasing total: those at or above the chunk's largest
            # total cannot be dominated by it
            top = int(s[rows].max())
            first = int(np.searchsorted(-t_s[alive], -top, side="right"))
            if first == len(alive):
                continue
            head, alive = alive[:first], alive[first:]
            p_w, p_s = w[rows], ls[rows]
            q_v, q_s = t_v[alive], t_s[alive]
            hit = p_s[:, None] > q_s[None, :]
            for c in range(dd):
                hit &= p_w[:, None, c] >= q_v[None, :, c]
            if same:
                p_v, p_t = v[rows], s[rows]
                mine = (group[rows][:, None] == t_g[alive][None, :]) & (p_t[:, None] > q_s[None, :])
                for c in range(d):
                    mine &= p_v[:, None, c] >= q_v[None, :, c]
                hit |= mine
            alive = np.concatenate([head, alive[~hit.any(axis=0)]])
        dead = np.ones(len(tgt), dtype=bool)
        dead[alive] = False
        dominated[tgt[dead]] = True
    return np.flatnonzero(~dominated)


def zopa_mask(u: np.ndarray, batna: np.ndarray) -> np.ndarray:
    """Rows every role weakly prefers to its no-deal value."""
    return np.all(np.asarray(u) >= np.asarray(batna)[None, :], axis=1)


def _zopa_gains(u: np.ndarray, batna: np.ndarray
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(u, r, rows in the ZOPA, their gains over no deal) as arrays."""
    u = np.asarray(u)
    r = np.asarray(batna)
    idx = np.flatnonzero(zopa_mask(u, r))
    return u, r, idx, u[idx] - r[None, :]


def _total(gains: Sequence[int], denominators: Sequence[int] | None) -> Fraction:
    if denominators is None:
        return Fraction(sum(gains))
    return sum((Fraction(x, d) for x, d in zip(gains, denominators)), Fraction(0))


def nash_point(u: np.ndarray, batna: np.ndarray,
               denominators: Sequence[int] | None = None) -> int | None:
    """Row maximising ``prod_i (u_i - r_i)`` over the ZOPA (Nash 1950), or None if the ZOPA
    is empty. ``denominators``: each role's unit (default: a common unit). Ties (exact
    integer products) go to the larger total gain (exact), then the lower row."""
    u, r, idx, g = _zopa_gains(u, batna)
    if len(idx) == 0:
        return None
    d = np.ones(g.shape[1]) if denominators is None else np.asarray(denominators, dtype=np.float64)
    prod = np.prod(g.astype(np.float64) / d[None, :], axis=1)
    top = prod.max()
    cand = idx[prod >= top * (1.0 - 1e-9)]  # a superset of the exact maximisers

    def key(row: int) -> tuple[int, Fraction, int]:
        gains = [int(x) for x in u[row] - r]
        return (math.prod(gains), _total(gains, denominators), -row)

    return int(max(cand, key=key))


def kalai_smorodinsky_point(u: np.ndarray, batna: np.ndarray,
                            denominators: Sequence[int] | None = None) -> int | None:
    """Row maximising the minimum share ``(u_i - r_i) / (u_i* - r_i)`` over the ZOPA, with
    ``u_i*`` the best ``u_i`` in the ZOPA (Kalai & Smorodinsky 1975, discrete form); None if
    the ZOPA is empty. A role with no possible gain in the ZOPA (``u_i* = r_i``) has share 1
    everywhere (it constrains nothing). Ties: leximin (compare the sorted shares, smallest
    first), then the larger total gain, then the lower row -- exact rational arithmetic."""
    u, r, idx, g = _zopa_gains(u, batna)
    if len(idx) == 0:
        return None
    best = g.max(axis=0)
    safe = np.where(best > 0, best, 1)
    shares = np.where(best[None, :] > 0, g / safe[None, :], 1.0)
    mins = shares.min(axis=1)
    cand = idx[mins >= mins.max() - 1e-9]
    best_i = [int(b) for b in best]

    def key(row: int) -> tuple[tuple[Fraction, ...], Fraction, int]:
        gains = [int(x) for x in u[row] - r]
        sh = sorted(Fraction(x, b) if b > 0 else Fraction(1) for x, b in zip(gains, best_i))
        return (tuple(sh), _total(gains, denominators), -row)

    return int(max(cand, key=key))


# --------------------------------------------------------------------------- frontier by DP


@dataclass(frozen=True)
class Frontier:
    """The Pareto frontier of a package space (or of the completions of a partial package):
    ``choices`` (option indices, one row per package, in authored order) and ``utilities``
    (units). ``steps`` records the size of the Pareto set after each issue."""

    choices: np.ndarray
    utilities: np.ndarray
    steps: tuple[int, ...]

    def __len__(self) -> int:
        return len(self.choices)


def pareto_frontier(space: PackageSpace, fixed: Mapping[str, str] | None = None,
                    max_size: int = MAX_FRONTIER) -> Frontier:
    """The exact Pareto frontier of the full packages (extending ``fixed``, if given).

    Dynamic programme over the issues in file order: ``P_0 = {empty}``, ``P_k =
    ParetoFilter(P_{k-1} + options_k)``. Exact because if ``a + b`` is undominated among the
    sums then ``a`` is undominated among the partial packages and ``b`` among the options
    (otherwise swapping in the dominator would dominate ``a + b``). Raises
    :class:`AnalyticsLimitError` if a Pareto set grows beyond ``max_size``."""
    fixed_ch = space.choices_of(fixed or {})
    if space.constraints or space.interactions or space.limits:
        return _constrained_frontier(space, fixed_ch, max_size)
    d = space.n_roles
    u = np.zeros((1, d), dtype=np.int64)
    ch = np.zeros((1, 0), dtype=np.int16)
    steps = []
    for j, t in enumerate(space.tables):
        opts = np.array([fixed_ch[j]] if j in fixed_ch else range(t.shape[1]), dtype=np.int16)
        m = len(opts)
        cand_u = (u[:, None, :] + t.T[opts][None, :, :]).reshape(-1, d)
        cand_c = np.concatenate([np.repeat(ch, m, axis=0),
                                 np.tile(opts, len(ch))[:, None]], axis=1)
        try:
            keep = pareto_filter(cand_u, max_kept=max_size)
        except AnalyticsLimitError:
            raise AnalyticsLimitError(
                f"the Pareto frontier has more than {max_size:,} packages once {j + 1} of "
                f"{len(space.tables)} issues are combined (limit MAX_FRONTIER); the bargaining "
                f"analysis is refused rather than approximated") from None
        u, ch = cand_u[keep], cand_c[keep]
        steps.append(len(keep))
    return Frontier(ch, u, tuple(steps))


# --------------------------------------------------------------------------- ZOPA count


def count_zopa(space: PackageSpace, limit: int = MAX_COUNTED) -> int | None:
    """Exact number of full packages in the ZOPA, by vectorised enumeration streamed in
    blocks; None (not computed) when the space has more than ``limit`` packages."""
    if space.size > limit:
        return None
    if space.constraints or space.interactions or space.limits:
        return sum(len(rows) for rows, _ in _zopa_chunks(space))
    r = space.batna_units
    k = len(space.tables)
    # inner block: the last issues, up to _INNER packages, materialised once
    split = k
    inner = 1
    while split > 0 and inner * space.tables[split - 1].shape[1] <= _INNER:
        split -= 1
        inner *= space.tables[split].shape[1]
    inner_space = _enum_units(space.tables[split:], space.n_roles)
    need = r[None, :] - inner_space  # an outer vector a qualifies a row when a >= need
    outer = _enum_units(space.tables[:split], space.n_roles)
    step = max(1, (1 << 20) // max(1, len(need)))
    total = 0
    for s in range(0, len(outer), step):
        a = outer[s:s + step]
        ok = np.ones((len(a), len(need)), dtype=bool)
        for c in range(space.n_roles):
            ok &= a[:, None, c] >= need[None, :, c]
        total += int(ok.sum())
    return total


def _enum_units(tables: Sequence[np.ndarray], d: int) -> np.ndarray:
    u = np.zeros((1, d), dtype=np.int64)
    for t in tables:
        u = (u[:, None, :] + t.T[None, :, :]).reshape(-1, d)
    return u


# --------------------------------------------------------------------------- constraints


def feasibility_rules(sc: Scenario) -> tuple[tuple[int, int, int, int, bool], ...]:
    """A scenario's constraints as index rules ``(j1, o1, j2, o2, incompatible)``: issue
    ``j1`` on option ``o1`` never with ``j2`` on ``o2`` (incompatible), or only with it
    (requires). In a full package every issue is settled, so "requires" means exactly that."""
    issues = [i.id for i in sc.issues]
    out = []
    for con in sc.constraints:
        j1, j2 = issues.index(con.first.issue), issues.index(con.second.issue)
        o1 = [o.id for o in sc.issues[j1].options].index(con.first.option)
        o2 = [o.id for o in sc.issues[j2].options].index(con.second.option)
        out.append((j1, o1, j2, o2, con.kind == "incompatible"))
    return tuple(out)


def _interaction_pairs(issue_ids: Sequence[str], options: Sequence[Sequence[str]],
                       roles: Sequence[str],
                       interactions: Mapping[str, Sequence[tuple[str, str, str, str, float]]],
                       ) -> dict[tuple[int, int, int, int], list[Fraction]]:
    """(j1, o1, j2, o2) with j1 < j2 -> each role's exact value of holding both choices."""
    out: dict[tuple[int, int, int, int], list[Fraction]] = {}
    for a, rid in enumerate(roles):
        for i1, p1, i2, p2, value in interactions.get(rid, ()):
            try:
                j1, j2 = issue_ids.index(i1), issue_ids.index(i2)
                o1, o2 = options[j1].index(p1), options[j2].index(p2)
            except ValueError:
                raise ValueError(f"role '{rid}': interaction {i1}={p1} with {i2}={p2} names "
                                 "an unknown issue or option") from None
            v = exact(value)
            if j1 == j2 or not -1 <= v <= 1:
                raise ValueError(f"role '{rid}': an interaction joins two issues and is worth "
                                 "between -1 and 1")
            key = (j1, o1, j2, o2) if j1 < j2 else (j2, o2, j1, o1)
            out.setdefault(key, [Fraction(0)] * len(roles))[a] += v
    return out


def red_line_limits(sc: Scenario) -> tuple[tuple[int, str, tuple[int, ...], Any], ...]:
    """Every player role's red-line tests as hard limits of the analysis. A test over
    variables alone is not decided by a package and limits nothing."""
    players = [r for r in sc.roles if r.is_player]
    issues = [i.id for i in sc.issues]
    out = []
    for a, role in enumerate(players):
        for test in role.red_line_tests:
            cond = test.crossed_if.typed()
            out.append((a, test.red_line, tuple(sorted(issues.index(i) for i in cond.issues())),
                        cond))
    return tuple(out)


def _within_limits(space: PackageSpace, choices: np.ndarray, due: Any) -> np.ndarray:
    """Rows (option indices of the first issues, in order) that cross none of the red lines
    for which ``due(issues read)`` is true."""
    ok = np.ones(len(choices), dtype=bool)
    cols = {iid: (j, space._index[iid][1]) for j, iid in enumerate(space.issues)
            if j < choices.shape[1]}
    for _, _, read, cond in space.limits:
        if due(read) or (not read and choices.shape[1] == len(space.tables)):
            ok &= ~cond.mask(choices, cols)
    return ok


def _kept(space: PackageSpace, choices: np.ndarray, _all: Any) -> np.ndarray:
    """Full packages that keep every constraint and cross no red line."""
    return feasible_mask(space.constraints, choices) & _within_limits(space, choices, lambda r: True)


def feasible_mask(rules: Sequence[tuple[int, int, int, int, bool]], choices: np.ndarray,
                  columns: Sequence[int] | None = None) -> np.ndarray:
    """Which option-index rows keep every rule whose two issues are both among ``columns``
    (the issue index of each column of ``choices``; default: all issues in order)."""
    choices = np.asarray(choices)
    col = {j: c for c, j in enumerate(range(choices.shape[1]) if columns is None else columns)}
    ok = np.ones(len(choices), dtype=bool)
    for j1, o1, j2, o2, incompatible in rules:
        if j1 in col and j2 in col:
            a = choices[:, col[j1]] == o1
            b = choices[:, col[j2]] == o2
            ok &= ~(a & b) if incompatible else ~(a & ~b)
    return ok


def _issue_links(space: PackageSpace) -> list[set[int]]:
    """Per issue, the issues a constraint, an interaction term or a red line ties it to."""
    k = len(space.tables)
    nb: list[set[int]] = [set() for _ in range(k)]
    pairs = [(r[0], r[2]) for r in space.constraints] + \
        [(t[0], t[2]) for t in space.interactions]
    for _, _, read, _ in space.limits:
        pairs += [(x, y) for x in read for y in read if x != y]
    for x, y in pairs:
        if x != y:
            nb[x].add(y)
            nb[y].add(x)
    return nb


def _grouped_filter(u: np.ndarray, group: np.ndarray) -> np.ndarray:
    """Row indices (ascending) of the rows no row *of the same group* dominates. Small
    groups are compared all at once, padded to a common size; large ones one by one."""
    n = len(u)
    order = np.argsort(group, kind="stable")
    g_sorted = group[order]
    starts = np.flatnonzero(np.r_[True, g_sorted[1:] != g_sorted[:-1]])
    sizes = np.diff(np.r_[starts, n])
    keep = np.zeros(n, dtype=bool)
    d = u.shape[1]
    v = u.astype(np.int32) if n and u.min() >= -(2**31) and u.max() < 2**31 else u
    tot = u.sum(axis=1, dtype=np.int64)
    lo = 0
    for cap in (1, 4, 16, 64, 256):
        sel = np.flatnonzero((sizes <= cap) & (sizes > lo))
        lo = cap
        if not len(sel):
            continue
        if cap == 1:
            keep[order[starts[sel]]] = True
            continue
        per = max(1, (1 << 22) // (cap * cap * max(d, 1)))
        for c0 in range(0, len(sel), per):
            gs = sel[c0:c0 + per]
            idx = starts[gs][:, None] + np.arange(cap)[None, :]
            valid = np.arange(cap)[None, :] < sizes[gs][:, None]
            rows = order[np.where(valid, idx, starts[gs][:, None])]
            pu, ps = v[rows], tot[rows]  # (G, cap, d), (G, cap)
            dom = ps[:, :, None] > ps[:, None, :]  # [g, p, q]: p may dominate q
            for c in range(d):
                dom &= pu[:, :, None, c] >= pu[:, None, :, c]
            dom &= valid[:, :, None]
            alive = ~dom.any(axis=1) & valid
            keep[rows[alive]] = True
    for gi in np.flatnonzero(sizes > lo):
        rows = order[starts[gi]:starts[gi] + sizes[gi]]
        keep[rows[pareto_filter(u[rows])]] = True
    return np.flatnonzero(keep)


def _elimination_order(space: PackageSpace, nb: Sequence[set[int]]) -> list[int]:
    """The order in which :func:`_constrained_frontier` adds the issues: issues tied to
    none last; before them, each time the one that leaves the fewest partial-package groups
    (the product of the option counts of the issues still tied to one not yet added), then
    one tied to an issue already added (a block of linked issues is completed before the
    next is begun), then file order."""
    k = len(space.tables)
    placed: set[int] = set()
    out: list[int] = []
    live: set[int] = set()
    sizes = [len(o) for o in space.options]
    while len(out) < k:
        best = None
        for j in range(k):
            if j in placed:
                continue
            after = placed | {j}
            now = {i for i in live if nb[i] - after}
            if nb[j] - after:
                now.add(j)
            groups = math.prod(sizes[i] for i in now)
            key = (not nb[j], groups, not (nb[j] & placed), j)
            if best is None or key < best[0]:
                best = (key, j, now)
        _, j, live = best
        placed.add(j)
        out.append(j)
    return out


def _group_key(ch: np.ndarray, cols: Sequence[int], dims: Sequence[int]) -> np.ndarray:
    """One integer per row naming its options on ``cols`` (equal rows, equal keys)."""
    if math.prod(dims[c] for c in cols) < 2 ** 62:
        key = np.zeros(len(ch), dtype=np.int64)
        for c in cols:
            key = key * dims[c] + ch[:, c]
        return key
    _, inv = np.unique(ch[:, cols], axis=0, return_inverse=True)
    return np.asarray(inv).reshape(-1).astype(np.int64)


_MARGIN_FROM = 2048  # partial packages from which a step also compares across groups


def _margins(space: PackageSpace, ch: np.ndarray, live: Sequence[int], placed: set[int]
             ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """What the issues not yet added can still do to each partial package, by the options
    it holds on the ``live`` issues: the least and the most its interaction terms with them
    can add (per role, each such issue at its worst and best option for the package), and
    columns that must compare for one partial package to stand for another -- ``-1`` per
    constraint it switches on towards an issue not yet added (a package switching on fewer
    rules has every completion the other has), its options on the issues a red line reads
    together with an issue not yet added (both signs: they must be equal)."""
    n, d = len(ch), space.n_roles
    lo = np.zeros((n, d), dtype=np.int64)
    hi = np.zeros((n, d), dtype=np.int64)
    live_set = set(live)
    per_issue: dict[int, list[tuple[int, int, int, np.ndarray]]] = {}
    for j1, o1, j2, o2, v in space.interactions:
        if j1 in live_set and j2 not in placed:
            per_issue.setdefault(j2, []).append((j1, o1, o2, v))
        elif j2 in live_set and j1 not in placed:
            per_issue.setdefault(j1, []).append((j2, o2, o1, v))
    for j, terms in per_issue.items():
        f = np.zeros((n, len(space.options[j]), d), dtype=np.int64)
        for i, oi, o, v in terms:
            f[:, o] += (ch[:, i] == oi)[:, None] * v[None, :]
        lo += f.min(axis=1)
        hi += f.max(axis=1)
    extra = []
    for j1, o1, j2, o2, incompatible in space.constraints:
        if j1 in live_set and j2 not in placed:
            extra.append(-(ch[:, j1] == o1).astype(np.int64))
        elif j2 in live_set and j1 not in placed:
            on = (ch[:, j2] == o2) if incompatible else (ch[:, j2] != o2)
            extra.append(-on.astype(np.int64))
    read_live = sorted({i for _, _, read, _ in space.limits if not placed.issuperset(read)
                        for i in read if i in live_set})
    for i in read_live:
        extra += [ch[:, i].astype(np.int64), -ch[:, i].astype(np.int64)]
    x = np.stack(extra, axis=1) if extra else np.zeros((n, 0), dtype=np.int64)
    return lo, hi, x


def _constrained_frontier(space: PackageSpace, fixed_ch: Mapping[int, int],
                          max_size: int) -> Frontier:
    """The Pareto frontier of the feasible full packages, with interaction terms, exactly.

    The same dynamic programme as :func:`pareto_frontier`, over the issues in the order of
    :func:`_elimination_order`. A candidate is dropped as soon as both issues of a rule are
    in and it breaks the rule (or all the issues a red line reads are in and it crosses
    it); an interaction term is added once both of its issues are in. Partial packages that
    agree on every issue a term, a rule or a red line still ties to an issue not yet added
    (a *group*) are compared as usual: a dominated one cannot start a frontier package,
    whatever completes it. Across groups, ``a`` stands for ``b`` when ``a`` plus the least
    its terms with the issues not yet added can give still dominates ``b`` plus the most
    those can give it, and every completion ``b`` may take ``a`` may take too (see
    :func:`_margins`): then ``a`` with any completion dominates ``b`` with it. Both
    comparisons are exact integer ones, so the result is the frontier itself. A step whose
    groups each hold one group of the step before with one option of the new issue filters
    nothing within groups: such a group is a Pareto set shifted by one vector. The result
    is in authored order."""
    rules = space.constraints
    k = len(space.tables)
    nb = _issue_links(space)
    order = _elimination_order(space, nb)
    dims = [len(o) for o in space.options]
    d = space.n_roles
    cols = {iid: (j, space._index[iid][1]) for j, iid in enumerate(space.issues)}
    u = np.zeros((1, d), dtype=np.int64)
    ch = np.zeros((1, k), dtype=np.int16)  # every issue's column; unplaced ones read 0
    placed: set[int] = set()
    live: list[int] = []
    steps = []
    for step, j in enumerate(order):
        t = space.tables[j]
        opts = np.array([fixed_ch[j]] if j in fixed_ch else range(t.shape[1]), dtype=np.int16)
        m = len(opts)
        cand_u = (u[:, None, :] + t.T[opts][None, :, :]).reshape(-1, d)
        cand_c = np.repeat(ch, m, axis=0)
        cand_c[:, j] = np.tile(opts, len(ch))
        placed.add(j)
        for j1, o1, j2, o2, v in space.interactions:
            if j in (j1, j2) and j1 in placed and j2 in placed:
                cand_u += ((cand_c[:, j1] == o1) & (cand_c[:, j2] == o2))[:, None] * v[None, :]
        ok = feasible_mask([r for r in rules if j in (r[0], r[2])
                            and r[0] in placed and r[2] in placed], cand_c)
        for _, _, read, cond in space.limits:
            if (j in read and placed.issuperset(read)) or (not read and len(placed) == k):
                ok &= ~cond.mask(cand_c, cols)
        cand_u, cand_c = cand_u[ok], cand_c[ok]
        was_live = live if step else []
        live = sorted(i for i in placed if nb[i] - placed)
        shifted = set(was_live) | {j} <= set(live)
        if live and len(cand_c) >= _MARGIN_FROM:
            group = _group_key(cand_c, live, dims)
            # the margins depend on the live options alone: computed once per group
            _, first, inv = np.unique(group, return_index=True, return_inverse=True)
            inv = np.asarray(inv).reshape(-1)
            lo, hi, x = (a[inv] for a in _margins(space, cand_c[first], live, placed))
            if shifted:  # within a group nothing is dominated: compare across groups only
                group = None
            keep = _pareto_grid(np.concatenate([cand_u + hi, x], axis=1),
                                low=np.concatenate([cand_u + lo, x], axis=1),
                                group=group, real=d)
        elif shifted:
            # each group is one old group with one option of this issue: a Pareto set
            # shifted by the same vector (the terms added here read only live issues), so
            # none of its packages dominates another
            keep = np.arange(len(cand_u))
        elif live and len(cand_c):
            keep = _grouped_filter(cand_u, _group_key(cand_c, live, dims))
        else:
            keep = pareto_filter(cand_u) if len(cand_u) else np.zeros(0, dtype=np.int64)
        if len(keep) > max_size:
            raise AnalyticsLimitError(
                f"the Pareto frontier has more than {max_size:,} packages once {step + 1} of "
                f"{k} issues are combined (limit MAX_FRONTIER); the bargaining "
                f"analysis is refused rather than approximated")
        u, ch = cand_u[keep], cand_c[keep]
        steps.append(len(keep))
    rows = np.lexsort(ch.T[::-1]) if len(ch) else np.zeros(0, dtype=np.int64)
    return Frontier(ch[rows], u[rows], tuple(steps))


# --------------------------------------------------------------------------- the analysis


@dataclass(frozen=True)
class Bargaining:
    """Result of :func:`analyze_bargaining` (row numbers refer to ``frontier``)."""

    space: PackageSpace
    frontier: Frontier
    zopa_rows: np.ndarray  # frontier rows inside the ZOPA
    nash: int | None
    ks: int | None
    best_in_zopa: dict[str, int | None]  # role -> frontier row of its best ZOPA package
    zopa_count: int | None
    fixed: dict[str, str]

    def package(self, row: int) -> dict[str, str]:
        return self.space.package_of(self.frontier.choices[row])

    def describe(self, row: int | None) -> dict[str, Any] | None:
        """A JSON-ready record of one frontier package."""
        if row is None:
            return None
        u = self.frontier.utilities[row]
        g = u - self.space.batna_units
        sp = self.space
        rec: dict[str, Any] = {
            "package": self.package(row),
            "utilities": sp.floats(u),
            "gains": sp.floats(g),
            "nash_product": float(f"{math.prod(int(x) for x in g) / math.prod(sp.denominators):.6g}")
            if (g >= 0).all() else None,
        }
        if self.zopa_rows.size:
            best = self.frontier.utilities[self.zopa_rows].max(axis=0) - self.space.batna_units
            rec["ks_shares"] = {r: (round(int(x) / int(b), 6) if b > 0 else 1.0)
                                for r, x, b in zip(self.space.roles, g, best)} \
                if (g >= 0).all() else None
        return rec


def analyze_bargaining(space: PackageSpace, fixed: Mapping[str, str] | None = None,
                       count: bool = True, max_frontier: int = MAX_FRONTIER) -> Bargaining:
    """Frontier, ZOPA, Nash and Kalai-Smorodinsky points of the full packages extending
    ``fixed`` (default: the whole space). Exact; raises :class:`AnalyticsLimitError` above
    :data:`MAX_FRONTIER`. The ZOPA count is over the whole space and only when
    ``fixed`` is empty and ``count`` is true."""
    fr = pareto_frontier(space, fixed, max_frontier)
    r = space.batna_units
    zrows = np.flatnonzero(zopa_mask(fr.utilities, r))
    sub = fr.utilities[zrows]
    nash = nash_point(sub, r, space.denominators)
    ks = kalai_smorodinsky_point(sub, r, space.denominators)
    best: dict[str, int | None] = {}
    for a, rid in enumerate(space.roles):
        if not len(zrows):
            best[rid] = None
            continue
        gains = sub - r[None, :]
        top = sub[:, a].max()
        rows = np.flatnonzero(sub[:, a] == top)
        tot = [space.total(gains[x]) for x in rows]
        best[rid] = int(zrows[rows[tot.index(max(tot))]])  # first of the largest totals
    zcount = count_zopa(space) if count and not fixed else None
    return Bargaining(space, fr, zrows,
                      None if nash is None else int(zrows[nash]),
                      None if ks is None else int(zrows[ks]),
                      best, zcount, dict(fixed or {}))


def uniform_gain(frontier_u: np.ndarray, point: np.ndarray,
                 denominators: Sequence[int] | None = None) -> tuple[Fraction, int]:
    """``max_f min_i (u_i(f) - point_i)`` over frontier rows, exactly, and the (first) row
    reaching it: the largest amount by which every role could gain at once by moving from
    ``point`` to an efficient package (<= 0: no such joint gain). ``denominators``: each
    role's unit (default: a common unit)."""
    diff = np.asarray(frontier_u) - np.asarray(point)[None, :]
    dens = [1] * diff.shape[1] if denominators is None else [int(d) for d in denominators]
    common = math.lcm(*dens)
    scaled = diff.astype(object) * np.array([common // d for d in dens], dtype=object)[None, :]
    m = scaled.min(axis=1)
    best = max(m)
    row = next(k for k, x in enumerate(m) if x == best)
    return Fraction(int(best), common), row


# --------------------------------------------------------------------------- some parties

OPEN = "\x00open"
"""Option id of "left open" in a :func:`coalition_space` (never a scenario id: ids cannot
hold control characters); :func:`settled` drops it from a package."""


def coalition_space(space: PackageSpace, parties: Sequence[str]) -> PackageSpace:
    """The bargaining space of ``parties`` alone, the other roles held at their status quo
    (see ``docs/analytics.md``, "Bargaining among some parties"):

    * only the parties' utilities enter: the others are not asked, so their utilities
      enter neither the ZOPA nor the Nash product nor the KS shares;
    * every issue gains the option "left open" (:data:`OPEN`), valued at each party's
      no-deal share of that issue (the BATNA-equivalent rule of partial packages), so the
      parties may settle any subset of the issues, the rest staying as they are without a
      deal;
    * the disagreement point is each party's BATNA, as in the full analysis;
    * the scenario's constraints hold: two incompatible options are never settled together,
      and an option that requires another is settled only with it (not with that issue left
      open).

    Unknown or repeated party ids raise ``ValueError`` naming them."""
    parties = list(parties)
    unknown = [p for p in parties if p not in space.roles]
    if unknown:
        raise ValueError(f"unknown role{'s' if len(unknown) > 1 else ''} "
                         f"{', '.join(repr(p) for p in unknown)} (expected player roles "
                         f"among: {', '.join(space.roles)})")
    if len(set(parties)) != len(parties):
        raise ValueError("a role is named twice in the parties")
    if not parties:
        raise ValueError("name at least one role")
    idx = [space.roles.index(p) for p in parties]
    tables = []
    for j, t in enumerate(space.tables):
        tab = np.concatenate([t[idx], space.batna_shares[idx, j][:, None]], axis=1)
        tab.setflags(write=False)
        tables.append(tab)
    options = tuple((*o, OPEN) for o in space.options)
    index = {iid: (j, {oid: k for k, oid in enumerate(opts)})
             for j, (iid, opts) in enumerate(zip(space.issues, options))}
    r = space.batna_units[idx].copy()
    shares = space.batna_shares[idx].copy()
    r.setflags(write=False)
    shares.setflags(write=False)
    terms = []
    for j1, o1, j2, o2, v in space.interactions:  # "left open" never holds a term's option
        w = v[idx].copy()
        w.setflags(write=False)
        if w.any():
            terms.append((j1, o1, j2, o2, w))
    limits = [(idx.index(a), text, read, OpenAware(cond))  # the parties' own red lines
              for a, text, read, cond in space.limits if a in idx]
    return PackageSpace(tuple(parties), space.issues, options, tuple(tables), r, shares,
                        index, tuple(space.denominators[a] for a in idx),
                        tuple(x for x in space.rounded if x in parties),
                        constraints=space.constraints, interactions=tuple(terms),
                        limits=tuple(limits))


@dataclass(frozen=True)
class OpenAware:
    """A red-line test read on packages that may leave issues open (:data:`OPEN`): an
    option test holds only for a settled issue on that option, "agreed" only for a settled
    issue, "open" only for an issue left open; a variable is decided by no package. On a
    full package it reads as the condition itself (:meth:`Condition.mask`)."""

    cond: Any

    def issues(self) -> frozenset[str]:
        return self.cond.issues()

    def describe(self, sc: Any = None, top: bool = True) -> str:
        return self.cond.describe(sc, top)

    def mask(self, choices: Any, columns: Mapping[str, tuple[int, Mapping[str, int]]]) -> Any:
        return _open_mask(self.cond, np.asarray(choices), columns)


def _open_mask(cond: Any, choices: np.ndarray,
               columns: Mapping[str, tuple[int, Mapping[str, int]]]) -> np.ndarray:
    from ..conditions import AllOf, AnyOf, OptionTest, StatusTest

    if isinstance(cond, AnyOf):  # AnyOf is a subclass of AllOf: test it first
        out = np.zeros(len(choices), dtype=bool)
        for part in cond.parts:
            out |= _open_mask(part, choices, columns)
        return out
    if isinstance(cond, AllOf):
        out = np.ones(len(choices), dtype=bool)
        for part in cond.parts:
            out &= _open_mask(part, choices, columns)
        return out
    if isinstance(cond, (OptionTest, StatusTest)):
        col, opts = columns[cond.issue]
        left_open = choices[:, col] >= opts.get(OPEN, len(opts))
        if isinstance(cond, OptionTest):
            return choices[:, col] == opts[cond.option]
        if cond.status == "agreed":
            return ~left_open
        return left_open if cond.status == "open" else np.zeros(len(choices), dtype=bool)
    return np.zeros(len(choices), dtype=bool)  # a variable: no package decides it


def crossed_partial(space: PackageSpace, package: Mapping[str, str]) -> list[tuple[str, str]]:
    """(role, red line) for each tested red line a package crosses, the issues it does not
    settle left open (so a test on an option of an open issue does not hold)."""
    ch = space.choices_of(package)
    row = np.array([[ch.get(j, len(space.options[j])) for j in range(len(space.issues))]],
                   dtype=np.int16)
    cols = {iid: (j, space._index[iid][1]) for j, iid in enumerate(space.issues)}
    return [(space.roles[a], text) for a, text, _, cond in space.limits
            if bool(_open_mask(getattr(cond, "cond", cond), row, cols)[0])]


def settled(package: Mapping[str, str]) -> dict[str, str]:
    """A coalition package without the issues it leaves open."""
    return {k: v for k, v in package.items() if v != OPEN}


# --------------------------------------------------------------------------- points by enumeration

_CHUNK = 1 << 20  # packages compared per chunk of the streamed enumeration
_KEEP_ZOPA = 1 << 23  # ZOPA packages kept in memory between the two passes (about 450 MB)


def _split(space: PackageSpace) -> int:
    """First issue of the inner block: the last issues, up to :data:`_INNER` packages."""
    split, inner = len(space.tables), 1
    while split > 0 and inner * space.tables[split - 1].shape[1] <= _INNER:
        split -= 1
        inner *= space.tables[split].shape[1]
    return split


class _Blocks:
    """The full space as (outer run) x (inner block), with interaction terms and
    constraints exactly.

    The last issues form an inner block (up to :data:`_INNER` packages) whose utilities are
    materialised once, interaction terms within it included, with a flag per inner package
    for the constraints within it. A term between two outer issues is added to the outer
    run's utilities, and a constraint between two outer issues drops outer packages; a term
    or a constraint between an outer and an inner issue ("cross") is switched on by the
    outer package's choice and then adds a vector over the inner block (a term) or rules
    out some inner packages (a constraint), so the outer packages of a run are grouped by
    which cross terms and constraints they switch on (:meth:`inner_for`, cached per
    group). Red lines are checked on the packages that pass (:meth:`kept`)."""

    def __init__(self, space: PackageSpace) -> None:
        self.space = space
        k, d = len(space.tables), space.n_roles
        self.split = split = _split(space)
        self.dims = [len(o) for o in space.options]
        self.outer_dims = self.dims[:split]
        self.n_outer = math.prod(self.outer_dims)
        inner_dims = self.dims[split:]
        self.inner_u = _enum_units(space.tables[split:], d)
        self.n_in = len(self.inner_u)
        ich = np.indices(inner_dims, dtype=np.int16).reshape(len(inner_dims), -1).T \
            if inner_dims else np.zeros((1, 0), dtype=np.int16)
        self.outer_terms: list[tuple[int, int, int, int, np.ndarray]] = []
        # cross terms and constraints: (outer issue, option, switched on when the outer
        # package does NOT hold it?, inner vector to add or None, inner packages ruled out)
        self.cross: list[tuple[int, int, bool, np.ndarray | None, np.ndarray | None]] = []
        for j1, o1, j2, o2, v in space.interactions:
            if j1 > j2:
                j1, o1, j2, o2 = j2, o2, j1, o1
            if j1 >= split:
                hit = (ich[:, j1 - split] == o1) & (ich[:, j2 - split] == o2)
                self.inner_u = self.inner_u + hit[:, None] * v[None, :]
            elif j2 < split:
                self.outer_terms.append((j1, o1, j2, o2, v))
            else:
                hit = ich[:, j2 - split] == o2
                self.cross.append((j1, o1, False, hit[:, None] * v[None, :], None))
        self.inner_ok = np.ones(self.n_in, dtype=bool)
        self.outer_rules: list[tuple[int, int, int, int, bool]] = []
        for j1, o1, j2, o2, incompatible in space.constraints:
            # broken when j1 holds o1 and j2 holds o2 (incompatible) / does not (requires)
            if j1 >= split and j2 >= split:
                self.inner_ok &= feasible_mask([(j1 - split, o1, j2 - split, o2, incompatible)],
                                               ich)
            elif j1 < split and j2 < split:
                self.outer_rules.append((j1, o1, j2, o2, incompatible))
            elif j1 < split:  # outer j1 = o1 switches it on; inner j2 decides
                bad = (ich[:, j2 - split] == o2) if incompatible else (ich[:, j2 - split] != o2)
                self.cross.append((j1, o1, False, None, bad))
            elif incompatible:  # inner j1 = o1 is ruled out when outer j2 = o2
                self.cross.append((j2, o2, False, None, ich[:, j1 - split] == o1))
            else:  # inner j1 = o1 is ruled out when outer j2 is not o2
                self.cross.append((j2, o2, True, None, ich[:, j1 - split] == o1))
        self.inner_rows = np.flatnonzero(self.inner_ok)
        self._cache: dict[bytes, tuple[np.ndarray, np.ndarray]] = {}
        self._k = k

    def outer(self, idx: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Utilities of the outer packages ``idx`` (outer terms included), which of them
        keep the constraints between outer issues, and, per package, which cross terms and
        constraints it switches on (``(len(idx), n_cross)`` booleans)."""
        oc = np.unravel_index(idx, self.outer_dims) if self.split else ()
        ou = np.zeros((len(idx), self.space.n_roles), dtype=np.int64)
        for t, c in zip(self.space.tables[:self.split], oc):
            ou += t.T[c]
        for j1, o1, j2, o2, v in self.outer_terms:
            ou += ((oc[j1] == o1) & (oc[j2] == o2))[:, None] * v[None, :]
        ok = np.ones(len(idx), dtype=bool)
        for j1, o1, j2, o2, incompatible in self.outer_rules:
            a, b = oc[j1] == o1, oc[j2] == o2
            ok &= ~(a & b) if incompatible else ~(a & ~b)
        on = np.stack([(oc[j] == o) ^ negated for j, o, negated, _, _ in self.cross], axis=1) \
            if self.cross else np.zeros((len(idx), 0), dtype=bool)
        return ou, ok, on

    def inner_for(self, switched: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The inner block for outer packages switching on ``switched``: the positions of
        the inner packages they may be completed with, and those packages' utilities."""
        if not switched.any():
            return self.inner_rows, self.inner_u[self.inner_rows]
        key = np.packbits(switched).tobytes()
        got = self._cache.get(key)
        if got is None:
            u = self.inner_u.copy()
            ok = self.inner_ok.copy()
            for on, (_, _, _, add, bad) in zip(switched, self.cross):
                if on:
                    if add is not None:
                        u += add
                    if bad is not None:
                        ok &= ~bad
            rows = np.flatnonzero(ok)
            got = (rows, u[rows])
            if len(self._cache) >= 64:
                self._cache.clear()
            self._cache[key] = got
        return got

    def runs(self, chunk: int = 0):
        """``(idx, outer utilities, groups)`` per run of outer packages: ``groups`` lists
        ``(positions in idx, inner positions, their utilities)`` -- one group unless cross
        terms or constraints split the run. Outer packages that break a constraint between
        outer issues are in no group."""
        step = max(1, (chunk or _CHUNK) // self.n_in)
        plain = None
        for s in range(0, self.n_outer, step):
            idx = np.arange(s, min(self.n_outer, s + step), dtype=np.int64)
            ou, ok, on = self.outer(idx)
            if not self.cross:
                if plain is None:
                    plain = self.inner_for(np.zeros(0, dtype=bool))
                yield idx, ou, [(np.flatnonzero(ok), *plain)]
                continue
            sig, inv = np.unique(on[ok], axis=0, return_inverse=True)
            inv = np.asarray(inv).reshape(-1)
            at = np.flatnonzero(ok)
            yield idx, ou, [(at[inv == g], *self.inner_for(sig[g])) for g in range(len(sig))]

    def kept(self, rows: np.ndarray) -> np.ndarray:
        """Which of the packages ``rows`` cross no red line (the constraints are kept by
        construction, see :meth:`runs`)."""
        if not self.space.limits:
            return np.ones(len(rows), dtype=bool)
        choices = np.stack(np.unravel_index(rows, self.dims), axis=1)
        return _within_limits(self.space, choices, lambda r: True)


def _zopa_chunks(space: PackageSpace):
    """The feasible ZOPA packages of the full space in authored order, streamed in chunks:
    ``(rows, gains)`` with ``rows`` the packages' positions in authored (lexicographic) order
    and ``gains`` their ``u - r`` in role units. Interaction terms count exactly; packages
    that break a constraint or cross a red line are left out.

    A run of outer packages qualifies against the inner block role by role (``outer >=
    r - inner``, as in :func:`count_zopa`), so utilities are summed only for ZOPA packages
    (see :class:`_Blocks`)."""
    blocks = _Blocks(space)
    r = space.batna_units
    d = space.n_roles
    n_in = blocks.n_in
    for idx, ou, groups in blocks.runs():
        parts_r, parts_g = [], []
        for pos, inner_rows, inner_u in groups:
            if not len(pos) or not len(inner_rows):
                continue
            need = r[None, :] - inner_u
            a = ou[pos]
            ok = a[:, None, 0] >= need[None, :, 0]
            for c in range(1, d):
                ok &= a[:, None, c] >= need[None, :, c]
            qo, qi = np.nonzero(ok)
            if len(qo):
                parts_r.append((idx[pos][qo] * n_in + inner_rows[qi]).astype(np.int64))
                parts_g.append(a[qo] - need[qi])
        if not parts_r:
            continue
        rows = np.concatenate(parts_r)
        gains = np.concatenate(parts_g)
        if len(parts_r) > 1:
            order = np.argsort(rows, kind="stable")
            rows, gains = rows[order], gains[order]
        keep = blocks.kept(rows)
        if not keep.all():
            rows, gains = rows[keep], gains[keep]
        if len(rows):
            yield rows, gains


def _links(space: PackageSpace, feasible: bool) -> dict[int, int]:
    """Issue -> the last issue a rule, an interaction term or (``feasible``) a red line ties
    it to (-1: none): until then, partial packages that differ on it are not comparable."""
    k = len(space.tables)
    links = [(t[0], t[2]) for t in space.interactions]
    if feasible:
        links += [(r[0], r[2]) for r in space.constraints]
    last = {j: max([b for a, b in links if a == j] + [a for a, b in links if b == j], default=-1)
            for j in range(k)}
    if feasible:
        for _, _, read, _ in space.limits:  # a red line links every issue it reads
            for j in read:
                last[j] = max(last[j], *read)
    return last


def _extreme(space: PackageSpace, a: int, sign: int, feasible: bool) -> tuple[np.ndarray, int]:
    """The first full package in authored order with role ``a``'s best (``sign`` = 1) or
    worst (-1) utility -- over the packages that keep every constraint and red line when
    ``feasible`` -- and that utility, exactly, by a dynamic programme over the issues: among
    partial packages that agree on every issue still tied to a later one, only the first
    with the best value can be the start of the answer. Empty choices if no package is
    feasible."""
    last = _links(space, feasible)
    u = np.zeros(1, dtype=np.int64)
    ch = np.zeros((1, 0), dtype=np.int16)
    for j, t in enumerate(space.tables):
        m = t.shape[1]
        opts = np.arange(m, dtype=np.int16)
        cand_u = (u[:, None] + sign * t[a][None, :]).reshape(-1)
        cand_c = np.concatenate([np.repeat(ch, m, axis=0), np.tile(opts, len(ch))[:, None]],
                                axis=1)  # still in authored (lexicographic) order
        for j1, o1, j2, o2, v in space.interactions:
            if max(j1, j2) == j and v[a]:
                cand_u += ((cand_c[:, j1] == o1) & (cand_c[:, j2] == o2)) * (sign * v[a])
        if feasible:
            ok = feasible_mask([r for r in space.constraints if j in (r[0], r[2])], cand_c)
            ok &= _within_limits(space, cand_c, lambda read: bool(read) and max(read) == j)
            cand_u, cand_c = cand_u[ok], cand_c[ok]
            if not len(cand_u):
                return np.zeros(0, dtype=np.int16), 0
        live = [i for i in range(j + 1) if last[i] > j]
        if live:
            _, group = np.unique(cand_c[:, live], axis=0, return_inverse=True)
            group = np.asarray(group).reshape(-1)
        else:
            group = np.zeros(len(cand_u), dtype=np.int64)
        order = np.lexsort((np.arange(len(cand_u)), -cand_u, group))
        first = order[np.r_[True, group[order][1:] != group[order][:-1]]]
        first.sort()
        u, ch = cand_u[first], cand_c[first]
    row = int(np.lexsort((np.arange(len(u)), -u))[0])
    return ch[row], int(sign * u[row])


class _Best:
    """Running argmax over streamed float scores that keeps every row within a relative
    ``1e-9`` of the best seen (a superset of the exact maximisers: the float scores differ
    from the exact ones by far less); :meth:`resolve` picks the exact winner."""

    def __init__(self) -> None:
        self.top = -math.inf
        self.rows: list[np.ndarray] = []

    def _cut(self) -> float:
        return self.top - abs(self.top) * 1e-9 - 1e-300

    def add(self, score: np.ndarray, rows: np.ndarray) -> None:
        if not len(score):
            return
        m = float(score.max())
        if m > self.top:
            self.top = m  # rows kept under a lower top are re-cut in candidates()
        keep = rows[score >= self._cut()]
        if len(keep):
            self.rows.append(keep)

    def candidates(self, space: PackageSpace, score) -> list[int]:
        if not self.rows:
            return []
        rows = np.unique(np.concatenate(self.rows))
        u = space.utilities(_choices(space, rows))
        s = score(u)
        return [int(x) for x in rows[s >= self._cut()]]


def _choices(space: PackageSpace, rows: np.ndarray) -> np.ndarray:
    dims = [len(o) for o in space.options]
    return np.stack(np.unravel_index(np.asarray(rows, dtype=np.int64), dims), axis=1)


def bargaining_points(space: PackageSpace) -> Bargaining:
    """Nash and Kalai-Smorodinsky points and each role's best ZOPA package, exactly, without
    building the Pareto frontier: the feasible ZOPA is streamed in chunks
    (:func:`_zopa_chunks`: utilities are summed only for ZOPA packages). Pass 1: each role's
    best gain in the ZOPA and the Nash product's maximisers; pass 2 (over the ZOPA kept in
    memory, up to :data:`_KEEP_ZOPA` packages, else streamed again): the KS minimum share's
    maximisers and each role's best. Float scores only pre-select (within a relative 1e-9,
    far above their rounding error); the winners are chosen with the exact keys and
    tie-breaks of :func:`nash_point`,
    :func:`kalai_smorodinsky_point` and :func:`analyze_bargaining`, so the points are the
    ones the frontier would give (tests compare the two).

    The result is a :class:`Bargaining` whose ``frontier`` holds only the packages found
    (Nash, KS, each role's best; ``steps`` empty) -- not the frontier -- and whose
    ``zopa_count`` is the number of ZOPA packages streamed (the exact count of
    :func:`count_zopa`, up to :data:`MAX_COUNTED` packages; None above)."""
    if space.size > MAX_STREAMED:
        raise AnalyticsLimitError(
            f"the Nash and Kalai–Smorodinsky points are found by going through every package, "
            f"up to {MAX_STREAMED:,} (this space has {count_text(space.size)})")
    r = space.batna_units
    d = space.n_roles
    den = np.asarray(space.denominators, dtype=np.float64)
    nash = _Best()
    best_gain = np.full(d, -1, dtype=np.int64)
    kept: list[tuple[np.ndarray, np.ndarray]] | None = []
    n_kept = 0
    n_zopa = 0
    for rows, g in _zopa_chunks(space):
        n_zopa += len(rows)
        np.maximum(best_gain, g.max(axis=0), out=best_gain)
        nash.add(np.prod(g.astype(np.float64), axis=1), rows)  # prod_i D_i: same argmax
        if kept is not None:
            kept.append((rows, g))
            n_kept += len(rows)
            if n_kept > _KEEP_ZOPA:
                kept = None  # pass 2 enumerates again
    if best_gain[0] < 0:  # empty ZOPA
        empty = Frontier(np.zeros((0, len(space.tables)), dtype=np.int16),
                         np.zeros((0, d), dtype=np.int64), ())
        return Bargaining(space, empty, np.zeros(0, dtype=np.int64), None, None,
                          {rid: None for rid in space.roles},
                          0 if space.size <= MAX_COUNTED else None, {})
    safe = np.where(best_gain > 0, best_gain, 1).astype(np.float64)
    ks = _Best()
    tops = [_Best() for _ in range(d)]
    for rows, g in (kept if kept is not None else _zopa_chunks(space)):
        sh = np.where(best_gain[None, :] > 0, g / safe[None, :], 1.0)
        ks.add(sh.min(axis=1), rows)
        for a in range(d):
            at = np.flatnonzero(g[:, a] == best_gain[a])
            if len(at):  # best for role a: its best gain, then the larger total
                tops[a].add((g[at] / den[None, :]).sum(axis=1), rows[at])
    del kept

    def near_top(x: np.ndarray) -> np.ndarray:
        top = x.max()
        return x >= top - abs(top) * 1e-9 - 1e-300

    def pick(rows: list[int], *float_keys, exact_key) -> int:
        """The exact winner among ``rows``: each float key (best first) narrows the rows to
        those within 1e-9 of its best -- always a superset of the exact ties -- then
        ``exact_key`` decides."""
        rows_a = np.array(rows, dtype=np.int64)
        for fk in float_keys:
            rows_a = rows_a[near_top(fk(space.utilities(_choices(space, rows_a))))]
        return max((int(x) for x in rows_a), key=exact_key)

    def gains(row: int) -> list[int]:
        return [int(x) for x in space.utilities(_choices(space, np.array([row])))[0] - r]

    def g_of(u):
        return u - r[None, :]

    def total(u):
        return (g_of(u) / den[None, :]).sum(axis=1)

    def shares(u):
        return np.sort(np.where(best_gain[None, :] > 0, g_of(u) / safe[None, :], 1.0), axis=1)

    best_i = [int(b) for b in best_gain]
    nash_row = pick(nash.candidates(space, lambda u: np.prod(g_of(u).astype(np.float64), axis=1)),
                    total, exact_key=lambda row: (math.prod(gains(row)), space.total(gains(row)),
                                                  -row))
    ks_row = pick(ks.candidates(space, lambda u: shares(u)[:, 0]),
                  *[(lambda u, c=c: shares(u)[:, c]) for c in range(d)], total,
                  exact_key=lambda row: (tuple(sorted(Fraction(x, b) if b > 0 else Fraction(1)
                                                      for x, b in zip(gains(row), best_i))),
                                         space.total(gains(row)), -row))
    best_rows = [pick(t.candidates(space, total), total,
                      exact_key=lambda row: (space.total(gains(row)), -row)) for t in tops]
    rows = sorted({nash_row, ks_row, *best_rows})
    choices = _choices(space, np.array(rows)).astype(np.int16)
    fr = Frontier(choices, space.utilities(choices), ())
    at = {row: i for i, row in enumerate(rows)}
    return Bargaining(space, fr, np.arange(len(rows)), at[nash_row], at[ks_row],
                      {rid: at[b] for rid, b in zip(space.roles, best_rows)},
                      n_zopa if space.size <= MAX_COUNTED else None, {})
