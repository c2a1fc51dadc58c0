"""Choosing the next rule and its arguments in a few raw choices, instead of Hypothesis's strategy tree.

Hypothesis's own ``RuleStrategy`` spends, per step, a swarm flag per rule name the first time it is
asked, a ``sampled_from(rules).filter(...)`` that re-checks preconditions on every rejected draw, and
a full strategy draw (labels, spans, ``one_of`` and ``sampled_from`` wrappers) for every argument.
With ~140 rule slots that bookkeeping was most of a step. :class:`RuleDraw` replaces it (it is what
:class:`~simulations.stateful.core.MachineCore` installs as the machine's ``_rules_strategy``, so the
rest of Hypothesis's stateful loop, its printing, bundles, ``@precondition``, ``event``/``target``
and shrinking, is untouched):

* one ``draw_integer`` picks a rule slot (a rule weighted ``w`` holds ``w`` slots); when that rule
  cannot run now (an empty bundle, a false precondition), a second one picks among the slots whose
  rules can (preconditions are evaluated only then, once per rule);
* each argument strategy is compiled once into a drawer of raw choices: bounded ``integers``,
  ``booleans``, ``sampled_from`` and ``just`` (without ``map``/``filter``), ``one_of`` of those, and
  bundles (an index into the bundle, as Hypothesis draws it); anything else (``st.data()``,
  ``builds``, a user's composite) is drawn by Hypothesis as before;
* the kit's own rules (two arguments or more) draw all of them from one Hypothesis choice, a seed
  for a plain ``random.Random`` (:class:`SeededChoices`: the same drawers, the same distribution's
  shape: endpoints and small values favoured as Hypothesis does). Their ``st.data()`` is a
  :class:`SeededData` over the same seed, and any other strategy is drawn by Hypothesis from a
  private, unrecorded ConjectureData fed by it. A step of the kit then costs three choices
  (continue, rule, seed) instead of one per argument and per ``one_of`` branch; Hypothesis still
  shrinks the rule choices (dropping steps) and the seed, and a failure under ``run_machine`` is
  shrunk by its calls (:mod:`simulations.fuzz.kit_shrink`), which simplifies the arguments. A
  user's own rules keep one Hypothesis choice per argument.

A choice costs little next to the rest of Hypothesis's loop (a bare machine with the kit's selection
ran ~8,000 steps per CPU-second with no argument or one, ~7,200 with two: at most ~15 us a choice,
against ~400 us for a kit step), so the rule and the seed stay two choices, each shrunk on its own.
"""

from __future__ import annotations

import random
import _random
from typing import Any, Callable

from hypothesis.errors import InvalidDefinition, StopTest
from hypothesis.internal.conjecture.data import ConjectureData
from hypothesis.stateful import BundleReferenceStrategy, Rule
from hypothesis.strategies._internal.core import DataStrategy
from hypothesis.strategies._internal.lazy import unwrap_strategies
from hypothesis.strategies._internal.misc import BooleansStrategy, JustStrategy
from hypothesis.strategies._internal.numbers import IntegersStrategy
from hypothesis.strategies._internal.strategies import OneOfStrategy, SampledFromStrategy, SearchStrategy

Drawer = Callable[[Any, Any], Any]  # (ConjectureData or SeededChoices, machine) -> value

#: the modules whose rules draw their arguments from one seed (the kit's own rules)
SEEDED_MODULES = ("simulations.stateful.",)
SEED_MAX = 2**32 - 1
_BIT_SIZES = (8, 8, 16, 16, 16, 32, 64, 128)
_SEED = _random.Random.seed


class SeededChoices:
    """The raw choices a drawer makes, taken from a ``random.Random`` instead of Hypothesis: integers
    favour their endpoints and (in wide ranges) small values, as Hypothesis's own distribution does."""

    __slots__ = ("rng", "parent", "_private", "_below")

    def __init__(self, seed: int, parent: Any = None, rng: random.Random | None = None) -> None:
        """``parent``: the example's ConjectureData (an impossible draw marks it invalid); ``rng``:
        a generator to re-seed instead of making one (a step's seeding is most of what a new
        ``random.Random`` costs; the values are the same either way)."""
        if rng is None:
            rng = random.Random(seed)
        else:
            _SEED(rng, seed)  # what random.Random(seed) does, without its Python-level type dispatch
        self.rng = rng
        self._below = rng._randbelow  # type: ignore[attr-defined]
        self.parent = parent
        self._private: ConjectureData | None = None

    def draw_integer(self, lo: int, hi: int, shrink_towards: int = 0) -> int:
        span = hi - lo
        if span > 127:
            rng = self.rng
            r = rng.random()
            if r < 0.05:
                return (lo, hi, lo + 1, hi - 1)[int(r * 80)]
            if span >= 1 << 24 and r < 0.8:
                v = lo + rng.getrandbits(rng.choice(_BIT_SIZES))
                if v <= hi:
                    return v
        return lo + self._below(span + 1)  # rng.randint(lo, hi), without its argument checks

    def draw_boolean(self) -> bool:
        return self.rng.random() < 0.5

    def mark_invalid(self, why: str) -> None:  # pragma: no cover - bundles are checked before a rule is drawn
        raise AssertionError(why)

    def draw(self, strategy: Any, label: Any = None) -> Any:
        """A value of any strategy: ``st.data()`` gives a :class:`SeededData` over these same
        choices; anything else is drawn by Hypothesis from a private, unrecorded ConjectureData fed
        by this generator (same distribution as Hypothesis's, no choice in the example's record)."""
        if isinstance(unwrap_strategies(strategy), DataStrategy):
            return SeededData(self)
        for _ in range(_PRIVATE_ATTEMPTS):
            private = self._private
            if private is None:
                private = self._private = ConjectureData(random=self.rng)
            try:
                return private.draw(strategy)
            except StopTest:  # a filter gave up, or the private record filled: start another one
                self._private = None
        self.parent.mark_invalid(f"could not draw {strategy!r} in {_PRIVATE_ATTEMPTS} attempts")


_PRIVATE_ATTEMPTS = 8


class SeededData:
    """What a kit rule's ``data=st.data()`` receives when its arguments are seeded: the
    :class:`SeededChoices` as ``conjecture_data`` (so ``RuleMixin.draw_int``/``draw_from``/
    ``draw_some`` make raw draws from the seed) and ``draw(strategy)`` for whole strategies."""

    __slots__ = ("conjecture_data",)

    def __init__(self, choices: SeededChoices) -> None:
        self.conjecture_data = choices

    def draw(self, strategy: Any, label: Any = None) -> Any:
        return self.conjecture_data.draw(strategy)

    def __repr__(self) -> str:
        return "data(...)"


def compile_strategy(strategy: SearchStrategy[Any]) -> Drawer:
    """A drawer ``(data, machine) -> value`` making the fewest raw choices the strategy allows."""
    return _compile(strategy)[0]


def _compile(strategy: SearchStrategy[Any]) -> tuple[Drawer, bool]:
    """The drawer, and whether it makes raw choices only (so a :class:`SeededChoices` can feed it)."""
    s = unwrap_strategies(strategy)
    kind = type(s)
    if kind is BundleReferenceStrategy:
        name, consume = s.name, s.consume

        def draw_reference(data: Any, machine: Any) -> Any:
            bundle = machine.bundle(name)
            if not bundle:
                data.mark_invalid(f"Cannot draw from empty bundle {name!r}")
            # shrink toward the newest value, as Hypothesis does: earlier steps are easier to delete
            position = data.draw_integer(0, len(bundle) - 1, shrink_towards=len(bundle))
            return bundle.pop(position) if consume else bundle[position]
        return draw_reference, True
    if kind is JustStrategy and not s._transformations:
        value = s.value
        return (lambda data, machine: value), True
    if kind is SampledFromStrategy and not s._transformations:
        elements = tuple(s.elements)
        top = len(elements) - 1
        return (lambda data, machine: elements[data.draw_integer(0, top)]), True
    if kind is IntegersStrategy and s.start is not None and s.end is not None:
        lo, hi = s.start, s.end
        return (lambda data, machine: data.draw_integer(lo, hi)), True
    if kind is BooleansStrategy:
        return (lambda data, machine: data.draw_boolean()), True
    if kind is OneOfStrategy:
        compiled = [_compile(b) for b in s.original_strategies]
        branches = tuple(d for d, _ in compiled)
        last = len(branches) - 1
        return (lambda data, machine: branches[data.draw_integer(0, last)](data, machine)), all(raw for _, raw in compiled)
    return (lambda data, machine: data.draw(strategy)), False


class RuleDraw(SearchStrategy[tuple[Rule, dict[str, Any]]]):
    """The machine's next ``(rule, arguments)`` (see the module doc). Built once per machine class;
    bound to the running machine by :meth:`for_machine`."""

    def __init__(self, rules: list[Rule], wrap: Callable[[Callable[..., Any]], Callable[..., Any]] | None = None) -> None:
        """``wrap(function)``: what runs in the rule's place (same name, same arguments); the drawn
        rule carries it, so Hypothesis's loop calls it."""
        super().__init__()
        if not rules:
            raise InvalidDefinition("a state machine needs at least one rule")
        # Hypothesis's order (targets, argument count, name), so slots are the same in every process
        self.slots: tuple[Rule, ...] = tuple(sorted(rules, key=lambda r: (sorted(r.targets), len(r.arguments), r.function.__name__)))
        self.drawers: dict[int, tuple[tuple[str, Drawer], ...]] = {}
        self.seeded: dict[int, bool] = {}
        self.runs: dict[int, Rule] = {}
        self.runs_by_id: dict[int, Rule] = {}  # each distinct rule once
        for rule in self.slots:
            if id(rule) not in self.drawers:
                self.runs_by_id[id(rule)] = rule
                compiled = [(k, _compile(v)) for k, v in rule.arguments_strategies.items()]
                self.drawers[id(rule)] = tuple((k, d) for k, (d, _) in compiled)
                module = getattr(rule.function, "__module__", "") or ""
                self.seeded[id(rule)] = len(compiled) > 1 and module.startswith(SEEDED_MODULES)
                self.runs[id(rule)] = rule if wrap is None else Rule(
                    targets=rule.targets, function=wrap(rule.function), arguments=rule.arguments, preconditions=rule.preconditions)
        #: the bundles each rule draws from (by rule id): an empty one means it cannot run now
        self.needs: dict[int, tuple[str, ...]] = {key: tuple(b.name for b in rule.bundles) for key, rule in self.runs_by_id.items()}
        self.top = len(self.slots) - 1
        self.machine: Any = None
        self.rng = random.Random()

    def for_machine(self, machine: Any) -> "RuleDraw":
        bound = object.__new__(RuleDraw)
        bound.__dict__.update(self.__dict__)
        bound.machine = machine
        bound.rng = random.Random()  # re-seeded by every seeded step (SeededChoices)
        return bound

    def calc_label(self) -> int:
        return hash(("simulations.stateful.selection.RuleDraw", len(self.slots)))

    def calc_is_empty(self, recur: Any) -> bool:
        return False

    def calc_has_reusable_values(self, recur: Any) -> bool:
        return False

    def _can_run(self, rule: Rule) -> bool:
        machine = self.machine
        bundles = machine.bundles
        for name in self.needs[id(rule)]:
            if not bundles.get(name):
                return False
        for pred in rule.preconditions:
            if not pred(machine):
                return False
        return True

    def do_draw(self, data: Any) -> tuple[Rule, dict[str, Any]]:
        slots = self.slots
        rule = slots[data.draw_integer(0, self.top)]
        if (self.needs[id(rule)] or rule.preconditions) and not self._can_run(rule):
            # a second choice among the slots whose rules can run now: the draw stays weighted as
            # declared (passing to the next slot would give a rule after a run of blocked ones their weight)
            can_run = {id(r): self._can_run(r) for r in self.runs_by_id.values()}
            ready = [r for r in slots if can_run[id(r)]]
            if not ready:
                names = ", ".join(sorted({r.function.__name__ for r in slots}))
                raise InvalidDefinition(f"No progress can be made from state {self.machine!r}, because no available rule had a "
                                        f"True precondition. rules: {names}")
            rule = ready[data.draw_integer(0, len(ready) - 1)]
        machine = self.machine
        key = id(rule)
        if self.seeded[key]:
            data = SeededChoices(data.draw_integer(0, SEED_MAX), data, self.rng)
        return self.runs[key], {k: draw(data, machine) for k, draw in self.drawers[key]}

    def __repr__(self) -> str:
        return f"RuleDraw({len(self.slots)} slots)"
