"""``MachineCore``: the part of the state machine every rule relies on.

* :meth:`MachineCore.call` is the one way rules dispatch: through ``rt.dispatch`` (so the call log
  replays), without raising, checking that a failed call left the state root unchanged;
* :meth:`MachineCore.bad_input` sends malformed input and checks it is refused before anything
  changes (not even the call log);
* :meth:`MachineCore.guard` saves the call log of a failing example and prints the one-line
  replay command (``tangle-sim replay <path>``);
* the invariants in :attr:`MachineCore.checks` run after every step.

Rules live in the ``rules_*.py`` mixins, composed in :mod:`simulations.stateful.machine`.
"""

from __future__ import annotations

import copy
import dataclasses
import functools
import inspect
import os
import pickle
from collections import Counter, deque
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, ClassVar, Iterator

from hypothesis import event, target
from hypothesis.control import current_build_context, currently_in_test_context
from hypothesis.stateful import INVARIANT_MARKER, RULE_MARKER, MultipleResults, Rule, RuleBasedStateMachine, invariant

from runtime import Runtime
from runtime.calllog import Checks, RuntimeSource, write_log
from runtime.errors import InvalidTransaction
from runtime.factories import factory_path, source_of
from runtime.receipt import ExtrinsicReceipt
from simulations.stateful import world
from simulations.stateful.invariants import ALL_INVARIANTS, Ledger
from simulations.stateful.selection import RuleDraw

if TYPE_CHECKING:
    from simulations.fuzz.values import LiveState

# simulations.fuzz imports simulations.stateful.invariants (whose package imports this module), so
# what this module takes from simulations.fuzz is imported where it is used, never at import time

FAILURE_DIR_ENV = "TANGLE_SIM_FAILURE_DIR"


def failure_dir() -> Path:
    """Where failing call sequences are saved (``$TANGLE_SIM_FAILURE_DIR``, default ``.hypothesis/tangle-sim-failures``)."""
    return Path(os.environ.get(FAILURE_DIR_ENV, ".hypothesis/tangle-sim-failures"))


class MachineCore(RuleBasedStateMachine):
    """Dispatch helpers, the world, the invariant check and failure logs (no rules of its own)."""

    #: invariant functions ``(rt, ledger)`` checked after every step; extend in subclasses
    checks: ClassVar[list[Callable[[Runtime, Ledger], None]]] = list(ALL_INVARIANTS)
    #: ``GenesisConfig.dev`` overrides of each example (short clocks, see :mod:`simulations.stateful.world`)
    genesis: ClassVar[dict[str, Any]] = world.GENESIS

    #: how often a rule is drawn relative to the others (default 1): ``{"approve": 3}`` makes
    #: ``approve`` three times as likely. Hypothesis draws rules uniformly, so deep states (a slash
    #: needs a service, which needs a request and approvals) need the steps on the way weighted up.
    rule_weights: ClassVar[dict[str, int]] = {}

    #: share of the rule slots a user's own rules get together when ``rule_weights`` does not name
    #: them (the kit has ~160 slots: two unweighted user rules would otherwise be drawn ~1 % of steps)
    user_rule_share: ClassVar[float] = 0.3

    #: build the starting world once per machine class and restore a snapshot of it for every later
    #: example. Hypothesis re-runs an example dozens of times while it shrinks; building the world
    #: (constructing the runtime and dispatching the setup calls) costs ~0.5 s, restoring ~0.3 ms.
    #: Requires a deterministic :meth:`make_runtime` (replay needs that anyway) whose contracts keep
    #: no Python state between examples; set False otherwise. The cache is cleared between pytest
    #: tests (the plugin), so a monkeypatch of one test never leaks into another's world.
    reuse_world: ClassVar[bool] = True

    #: under ``run_machine``, shrink a failure by its calls (seconds; the fuzz engine's shrinker)
    #: instead of Hypothesis re-running rule choices (minutes); see :mod:`simulations.fuzz.kit_shrink`
    call_level_shrink: ClassVar[bool] = True

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        own = _count_own_rules(cls)
        weights = dict(cls.__dict__.get("rule_weights", {}))
        if own and not cls.__module__.startswith("simulations.stateful"):
            # a user's machine: rules it does not weight itself get a sensible share of the draws
            base = sum(1 for _, f in inspect.getmembers(cls.__mro__[1]) if hasattr(f, RULE_MARKER))
            unweighted = [n for n in own if n not in weights]
            if unweighted:
                share = cls.user_rule_share * base / (1 - cls.user_rule_share) / len(own)
                for name in unweighted:
                    weights[name] = max(1, round(share))
        for name, weight in weights.items():
            fn = getattr(cls, name, None)
            if fn is None or not hasattr(fn, RULE_MARKER):
                raise TypeError(f"{cls.__name__}.rule_weights names {name!r}, which is not a rule")
            for i in range(1, weight):
                setattr(cls, f"{name}__weight_{i}", fn)  # Hypothesis collects rules by attribute: each alias is one more ticket

    #: a full check of every invariant every this many steps (and at the end of every example);
    #: in between, a step re-checks only the invariants whose storage it touched
    full_check_every: ClassVar[int] = 64
    #: compare the state root around every this many-th call (the journal is checked on every call,
    #: and the root whenever it is known already; as the fuzz engine, :mod:`simulations.fuzz.program`)
    root_every: ClassVar[int] = 256

    def __init__(self) -> None:
        super().__init__()
        self._rules_strategy = _rule_draw(type(self)).for_machine(self)
        self._restored = False
        #: where the starting world's events end (event log, block buffer) when this example starts
        #: from the class's cached world: what the world's events say is then known already
        self._world_cursor: tuple[int, int] | None = None
        self.rt = self._starting_runtime()
        #: the log records (calls, contract lines) :meth:`make_runtime` made: a log's runtime line counts them
        self.world_records = len(self.rt.log_records())
        self._seed_kit_bundles()
        # the first check sees the starting world itself (no initializer of the user's runs before it)
        self._first_check_on_world = not self._initialize_rules_to_run
        self.setup_calls = len(self.rt.call_log)
        self.ledger = Ledger()
        self.failed_calls = 0
        self.receipts = 0
        self.invariant_set = _invariant_set(type(self), self.checks)
        self.touched: set[str] = set()  # what the steps since the last check wrote (READS labels)
        #: the keys they wrote of the items per-key reads and incremental forms judge (KEYED_ITEMS),
        #: each with its value before them
        self.writes: dict[str, dict[Any, Any]] = {}
        #: something ran outside a step since the last check (no journal saw it): check everything
        self._unjournaled = False
        self.checks_run = 0
        self._verbose: bool | None = None
        self._in_step = False
        self._failed = False
        self._live: LiveState | None = None
        self._live_cursor = (0, 0)

    # ------------------------------------------------------------------ construction
    def make_runtime(self) -> Runtime:
        """The runtime each example starts from: :func:`world.build_world` on :attr:`genesis`.
        Override for another genesis, extra pallets or more setup (dispatch it, so it replays)."""
        return world.build_world(self.genesis)

    def _starting_runtime(self) -> Runtime:
        """:meth:`make_runtime`'s world: built on the first example, restored from its snapshot (with
        the attributes ``make_runtime`` set on the machine, copied) on later ones."""
        cls = type(self)
        cached = _WORLDS.get(cls) if cls.reuse_world else None
        if cached is not None:
            rt, snap, attrs = cached
            # a contract deployed by an example is a Python object restore cannot take back: rebuild
            if rt.db.depth == 0 and len(rt.contract_log) == len(snap.contract_log):
                rt.restore(snap)
                self.__dict__.update(copy.deepcopy(attrs, {id(rt): rt}))
                self._restored = True
                self._world_cursor = (len(rt.event_log), len(rt.db.events))
                return rt
        before = set(self.__dict__)
        rt = self.make_runtime()
        if cls.reuse_world:
            attrs = {k: v for k, v in self.__dict__.items() if k not in before}
            # a snapshot carries the keys written since the last root unhashed, and every example
            # restored from it would fold them all in again at its end (state_is_immutable): fold
            # the world's setup in once here, so an example's root costs only its own writes
            rt.state_root()
            try:
                _WORLDS[cls] = (rt, rt.snapshot(), copy.deepcopy(attrs, {id(rt): rt}))
                _WORLD_LIVE.pop(cls, None)
                self._world_cursor = (len(rt.event_log), len(rt.db.events))
            except Exception:  # attributes that cannot be copied: build every example
                _WORLDS.pop(cls, None)
        return rt

    def _seed_kit_bundles(self) -> None:
        """Run the kit's own ``@initialize`` rules (they take no arguments: they put the world's
        accounts, operators, services... into the bundles) here rather than as Hypothesis steps,
        which rebuild a ``one_of`` over the remaining initializers at every one of them. A user's
        initializers stay Hypothesis's."""
        for rule in list(self._initialize_rules_to_run):
            fn = rule.function
            if rule.arguments or rule.preconditions or not getattr(fn, "__module__", "").startswith("simulations.stateful."):
                continue
            result = fn(self)
            if rule.targets:
                self._add_results_to_targets(rule.targets, result.values if isinstance(result, MultipleResults) else [result])
            self._initialize_rules_to_run.remove(rule)

    # ------------------------------------------------------------------ the one way rules dispatch
    def call(self, origin: Any, module: str, function: str, params: dict[str, Any]) -> ExtrinsicReceipt | None:
        """Dispatch without raising. A failed call must change nothing and keep no events. Returns the
        receipt, or None when a transaction-validity check (a signed extension) refused the call,
        which must change nothing and is not recorded.

        "Changed nothing" is read off the storage journal (inside a step's outer transaction every
        write stays there, :meth:`run_step`): a failed call may leave only the signer's nonce (and its
        fee, when fees are on), as any included extrinsic does. The state root, which also catches a
        value the journal did not record (a rollback that failed to restore a key), is compared when
        it is known already, every :attr:`root_every`-th call, and on every call made outside a step."""
        try:
            return self._call(origin, module, function, params)
        except BaseException:
            self._fail()
            raise

    def _call(self, origin: Any, module: str, function: str, params: dict[str, Any]) -> ExtrinsicReceipt | None:
        rt = self.rt
        db = rt.db
        in_step = db.depth > 0
        if not in_step:
            self._unjournaled = True
        _CALLS[0] += 1
        root = self._root_before(in_step)
        n_journal, calls = len(db.journal), len(rt.call_log)
        try:
            receipt = rt.dispatch(origin, module, function, params, raise_error=False)
        except InvalidTransaction:
            assert (not in_step or len(db.journal) == n_journal) and len(rt.call_log) == calls, \
                f"invalid transaction {module}.{function} changed state"
            assert root is None or rt.state_root() == root, f"invalid transaction {module}.{function} changed the state root"
            return None
        self.receipts += 1
        if not receipt.is_success:
            self.failed_calls += 1
            if in_step:
                wrote = [f"{item.prefix}.{item.name}" for item, _k, _o in db.journal[n_journal:] if not _bookkeeping(rt, item)]
                assert not wrote, f"failed call {module}.{function} ({receipt.error_name}) changed the state: {', '.join(wrote[:5])}"
            assert root is None or rt.state_root() == root, f"failed call {module}.{function} ({receipt.error_name}) changed the state root"
            assert receipt.triggered_events == [], f"failed call {module}.{function} kept events"
        return receipt

    def _root_before(self, in_step: bool) -> str | None:
        """The state root before a call, when the call's "changed nothing" is to be checked against
        it too: always outside a step; inside one when the root is already known (no write since
        the last one: free, and the root after a failed call then costs only its own rolled-back
        keys) and every :attr:`root_every`-th call (each root folds in every key written since the
        last, the hooks' era bookkeeping included)."""
        rt = self.rt
        if not in_step:
            return rt.state_root()
        cached = rt.db.root_cache
        if cached is not None:
            return cached
        return rt.state_root() if _CALLS[0] % self.root_every == 0 else None

    @staticmethod
    def ok(receipt: ExtrinsicReceipt | None) -> bool:
        """Did the call succeed?"""
        return receipt is not None and receipt.is_success

    def expect_error(self, receipt: ExtrinsicReceipt | None, *names: str) -> None:
        """The call must have failed with one of ``names`` (``"BadOrigin"``, ``"Services.ServiceNotFound"``...)."""
        with self.guard():
            assert receipt is not None and not receipt.is_success, f"expected {names}, the call succeeded"
            error = receipt.error_name or ""
            assert any(error == n or error.endswith("." + n) for n in names), f"expected one of {names}, got {error}"

    @contextmanager
    def guard(self) -> Iterator[None]:
        """Save the call log (and print the replay command) if anything inside fails."""
        try:
            yield
        except BaseException:
            self._fail()
            raise

    def _fail(self) -> None:
        """What :meth:`guard` does on a failure (the hot paths use it directly: a context manager
        costs more than the checks it guards)."""
        self._failed = True
        _report(self)

    def bad_input(self, origin: Any, module: str, function: str, params: Any) -> None:
        """Malformed input must raise ValueError and change nothing (not even the call log).

        As in :meth:`call`, "nothing" is read off the storage journal inside a step (no write at all,
        not even a nonce: the call was never included) and the event buffer; the state root is
        compared on every :attr:`root_every`-th call and on every call outside a step."""
        with self.guard():
            rt = self.rt
            db = rt.db
            in_step = db.depth > 0
            _CALLS[0] += 1
            root = self._root_before(in_step)
            n_journal, n_events, calls = len(db.journal), len(db.events), len(rt.call_log)
            try:
                rt.dispatch(origin, module, function, params, raise_error=False)
            except ValueError:
                pass
            else:
                raise AssertionError(f"malformed {module}.{function} {params!r} was accepted")
            assert len(rt.call_log) == calls, f"malformed {module}.{function} entered the call log"
            assert not in_step or len(db.journal) == n_journal, f"malformed {module}.{function} wrote storage"
            assert len(db.events) == n_events, f"malformed {module}.{function} deposited events"
            assert root is None or rt.state_root() == root, f"malformed {module}.{function} changed the state root"

    def live_state(self) -> LiveState:
        """Ids and accounts the chain has mentioned in its events (the fuzz engine's
        :class:`~simulations.fuzz.values.LiveState`), caught up on the events since the last use."""
        from simulations.fuzz.values import LiveState, register_keyless

        rt = self.rt
        live = self._live
        if live is None:
            cls = type(self)
            known = _WORLD_LIVE.get(cls) if self._world_cursor is not None else None
            if known is None:
                register_keyless(rt)
                live = LiveState(world.ACCOUNTS)
                if self._world_cursor is not None:
                    # what the starting world's events say, once per machine class (every example
                    # restored from it would observe the same setup events again)
                    live.observe(_new_events(rt, 0, 0)[:sum(self._world_cursor)])
                    self._live_cursor = self._world_cursor
                    _WORLD_LIVE[cls] = (_copy_live(live), self._world_cursor)
            else:
                live, self._live_cursor = _copy_live(known[0]), known[1]
            self._live = live
        n_log, n_events = self._live_cursor
        live.observe(_new_events(rt, n_log, n_events))
        self._live_cursor = (len(rt.event_log), len(rt.db.events))
        return live

    def advance(self, fn: Callable[[], None]) -> None:
        """Run a time step (blocks, rounds, eras) under :meth:`guard`."""
        if self.rt.db.depth == 0:
            self._unjournaled = True
        try:
            fn()
        except BaseException:
            self._fail()
            raise

    # ------------------------------------------------------------------ invariants
    @invariant()
    def runtime_invariants(self) -> None:
        """The invariants the steps since the last check could have moved (their read sets meet the
        pallets written, :mod:`simulations.fuzz.checks`); all of them on the first check of an
        example (it primes what they remember), every :attr:`full_check_every` checks, and at the end."""
        try:
            primed = _PRIMED.get(type(self)) if self.checks_run == 0 and self._restored and self._first_check_on_world else None
            if primed is not None:
                # the world is the one an earlier example already checked in full: take what the
                # invariants remembered of it instead of checking the same state again
                self.ledger = primed.copy()
                self.checks_run = 1
                return
            full = self.checks_run % self.full_check_every == 0 or self._unjournaled
            self.checks_run += 1
            touched, self.touched = self.touched, set()
            writes, self.writes = self.writes, {}
            self._unjournaled = False
            self.invariant_set.check(self.rt, self.ledger, None if full else touched, writes=None if full else writes)
            if self.checks_run == 1 and self._first_check_on_world and type(self).reuse_world and type(self) in _WORLDS:
                _PRIMED[type(self)] = _Frozen(self.ledger)
        except BaseException:
            self._fail()
            raise

    def run_step(self, fn: Callable[..., Any], kwargs: dict[str, Any]) -> Any:
        """Run one rule inside an outer storage transaction, so the pallets it wrote (through calls
        and hooks) can be read off the journal for the next invariant check."""
        rt = self.rt
        db = rt.db
        n_log, n_events = len(rt.event_log), len(db.events)
        db.begin()
        self._in_step = True
        try:
            result = fn(self, **kwargs)
            self._in_step = False
            return result
        finally:
            if self.rt is rt:
                # in the terms of the invariants' READS ("Pallet.Item", "event:Pallet.Event", "Pallet"),
                # and the keys written of the items per-key reads judge (with their values before)
                read, keyed_items = _step_reader()
                labels, writes = read(db.journal, _new_events(rt, n_log, n_events), keyed_items)
                self.touched |= labels
                if writes:
                    mine = self.writes
                    for label, keys in writes.items():
                        before = mine.get(label)
                        if before is None:
                            mine[label] = keys
                        else:  # a second step before a check: the first value before them stays
                            for key, old in keys.items():
                                before.setdefault(key, old)
            db.commit()

    def check_invariants(self, settings: Any, output: Callable[[str], None], runtimes: Any) -> None:
        """Hypothesis's invariant loop without its per-invariant settings lookups (they cost more than
        a step): the same order, preconditions and printing."""
        verbose = self._verbose
        if verbose is None:
            from hypothesis import Verbosity
            from hypothesis.internal.observability import observability_enabled

            final = currently_in_test_context() and current_build_context().is_final
            verbose = self._verbose = bool(final or settings.verbosity >= Verbosity.debug or observability_enabled())
        initializing = bool(self._initialize_rules_to_run)
        for invar in self.invariants:
            if initializing and not invar.check_during_init:
                continue
            if invar.preconditions and not all(p(self) for p in invar.preconditions):
                continue
            if verbose:
                output(f"state.{invar.function.__name__}()")
            invar.function(self)

    def teardown(self) -> None:
        # a last full check: the steps' incremental checks skipped what they could not have moved
        if not self._failed and not self._in_step and getattr(self, "rt", None) is not None and self.checks_run:
            with self.guard():
                self.invariant_set.check(self.rt, self.ledger, None)
        # how often each entry of ``checks`` ran, with the rules' counts: a user's check appended to
        # ``checks`` (the documented way) was missing from the statistics
        runs = RULE_RUNS.setdefault(type(self), Counter())
        for name, n in self.invariant_set.runs.items():
            runs[f"check {name}"] += n
        # steer toward runs that get things done, and say how much they did (--hypothesis-show-statistics);
        # a machine driven by hand (outside a Hypothesis test) has nobody to tell
        if currently_in_test_context():
            target(float(self.receipts - self.failed_calls), label="successful calls")
            event(f"successful calls: {_bucket(self.receipts - self.failed_calls)}")
        self.rt = None  # type: ignore[assignment]


@functools.cache
def _step_reader() -> tuple[Callable[..., tuple[set[str], dict[str, dict[Any, Any]]]], frozenset[str]]:
    """``simulations.fuzz.checks``' ``touched_and_written`` and ``KEYED_ITEMS`` (imported on first use: see the imports)."""
    from simulations.fuzz.checks import KEYED_ITEMS, touched_and_written

    return touched_and_written, KEYED_ITEMS


def _bookkeeping(rt: Runtime, item: Any) -> bool:
    """A write every included extrinsic makes, failed or not: the signer's nonce, and the fee when fees are on."""
    if item.prefix == "System" and item.name == "Nonces":
        return True
    return bool(rt.genesis.transaction_fees) and (item.prefix == "Balances" or (item.prefix == "System" and item.name == "Account"))


def _new_events(rt: Runtime, n_log: int, n_events: int) -> list[Any]:
    """Events deposited since the event log had ``n_log`` records and the block buffer ``n_events``
    (finalized blocks' events and the current block's form one append-only sequence)."""
    start = n_log + n_events
    log = rt.event_log
    return list(rt.db.events[start - len(log):]) if start >= len(log) else log[start:] + list(rt.db.events)


_RULE_DRAWS: dict[type, RuleDraw] = {}
#: calls made by every machine in this process: the state root is compared around every
#: ``root_every``-th (a count per example, at ~50 calls, would never reach it)
_CALLS = [0]


def _rule_draw(cls: type) -> RuleDraw:
    """The class's rule selection, with each rule wrapped to run as one step (:meth:`MachineCore.run_step`)."""
    hit = _RULE_DRAWS.get(cls)
    if hit is None:
        hit = _RULE_DRAWS[cls] = RuleDraw(cls.setup_state().rules, wrap=_as_step)  # type: ignore[attr-defined]
    return hit


def _as_step(fn: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(fn)
    def step(self: Any, **kwargs: Any) -> Any:
        return self.run_step(fn, kwargs)
    return step


#: the starting world of each machine class: ``(runtime, its snapshot, attributes make_runtime set)``
_WORLDS: dict[type, tuple[Runtime, Any, dict[str, Any]]] = {}


@dataclasses.dataclass(frozen=True)
class FailedExample:
    """What a failing example did: its call records (the first ``setup_calls`` are the world's
    setup), the block it failed in, and where its log was saved."""

    calls: list[Any]
    setup_calls: int
    block: int
    log: Path


#: the last saved failure of each machine class, for a call-level shrink after Hypothesis's run
#: (:func:`simulations.stateful.plugin.run_with_profile`)
LAST_FAILURE: dict[type, FailedExample] = {}


class _Frozen:
    """A value kept to be copied many times: pickled once, unpickled per copy (a quarter of what
    ``copy.deepcopy`` of a primed ledger costs, ~60 us against ~250 us); deep-copied when it does
    not pickle (a user's invariant may remember anything in ``Ledger.extra``)."""

    __slots__ = ("_pickled", "_value")

    def __init__(self, value: Any) -> None:
        try:
            self._pickled: bytes | None = pickle.dumps(value, pickle.HIGHEST_PROTOCOL)
            self._value = None
        except Exception:
            self._pickled = None
            self._value = copy.deepcopy(value)

    def copy(self) -> Any:
        if self._pickled is not None:
            return pickle.loads(self._pickled)
        return copy.deepcopy(self._value)


#: what each machine class's starting world's events said (:meth:`MachineCore.live_state`), and where they end
_WORLD_LIVE: dict[type, tuple[Any, tuple[int, int]]] = {}


def _copy_live(live: LiveState) -> LiveState:
    """A copy of a :class:`~simulations.fuzz.values.LiveState` (its pools are bounded deques)."""
    from simulations.fuzz.values import LiveState

    out = LiveState(())
    out.by_field = {name: deque(pool, maxlen=pool.maxlen) for name, pool in live.by_field.items()}
    out.accounts = list(live.accounts)
    out.ints = deque(live.ints, maxlen=live.ints.maxlen)
    return out


#: the ledger of each machine class's first full check of its starting world (what the invariants
#: remember of it), copied into every later example that starts from the same world
_PRIMED: dict[type, _Frozen] = {}

#: each machine class's invariants with their read sets (:class:`~simulations.fuzz.checks.InvariantSet`,
#: ~0.3 ms to build), keyed by the check functions it was built from; an example takes a copy with its own run counts
_INVARIANT_SETS: dict[type, tuple[tuple[Any, ...], Any]] = {}


def _invariant_set(cls: type, checks: list[Callable[[Runtime, Ledger], None]]) -> Any:
    """A fresh :class:`~simulations.fuzz.checks.InvariantSet` over ``checks`` (copied from the class's
    template when ``checks`` are the same functions, so a class whose ``checks`` change gets a new one)."""
    from simulations.fuzz.checks import InvariantSet

    key = tuple(checks)
    hit = _INVARIANT_SETS.get(cls)
    if hit is None or len(hit[0]) != len(key) or any(a is not b for a, b in zip(hit[0], key)):
        hit = _INVARIANT_SETS[cls] = (key, InvariantSet(checks))
    fresh = copy.copy(hit[1])
    fresh.invariants = list(fresh.invariants)
    fresh.runs = dict.fromkeys(fresh.runs, 0)
    return fresh


def forget_worlds() -> None:
    """Drop the cached starting worlds (a patched runtime must not start from an unpatched world)."""
    _WORLDS.clear()
    _PRIMED.clear()
    _INVARIANT_SETS.clear()
    _WORLD_LIVE.clear()


#: how often each rule ran, per machine class (``{cls: Counter}``), for statistics and the never-ran warning
RULE_RUNS: dict[type, Counter[str]] = {}


def _bucket(n: int) -> str:
    return "0" if n == 0 else "1-4" if n < 5 else "5-19" if n < 20 else "20+"


def _count_own_rules(cls: type) -> list[str]:
    """Wrap the rules and invariants ``cls`` defines itself so each run is counted (and reported to
    Hypothesis as an ``event``); returns their names."""
    names = []
    for name, fn in list(cls.__dict__.items()):
        rule = getattr(fn, RULE_MARKER, None)
        inv = getattr(fn, INVARIANT_MARKER, None)
        if (rule is None and inv is None) or "__weight_" in name or getattr(fn, "_counted", False):
            continue
        counted = _counting(cls, name, fn, "rule" if rule is not None else "invariant")
        if rule is not None:
            setattr(counted, RULE_MARKER, Rule(targets=rule.targets, function=counted, arguments=rule.arguments, preconditions=rule.preconditions))
            names.append(name)
        else:
            setattr(counted, INVARIANT_MARKER, dataclasses.replace(inv, function=counted))
        setattr(cls, name, counted)
    return names


def _counting(cls: type, name: str, fn: Callable[..., Any], kind: str) -> Callable[..., Any]:
    label = f"{kind} {name}"

    message = f"ran {label}"

    @functools.wraps(fn)
    def counted(self: Any, *args: Any, **kwargs: Any) -> Any:
        runs = RULE_RUNS.setdefault(type(self), Counter())
        runs[label] += 1
        # Hypothesis reports an event as the share of examples it occurred in: once per example says
        # all of it (an invariant runs after every step; event() costs about as much as a draw)
        told = self.__dict__.setdefault("_events_told", set())
        if message not in told:
            told.add(message)
            event(message)
        return fn(self, *args, **kwargs)

    counted._counted = True  # type: ignore[attr-defined]
    return counted


def own_checks(machine: type) -> list[str]:
    """The names of the entries of ``machine.checks`` that are not the kit's built-in invariants."""
    built_in = set(map(id, ALL_INVARIANTS))
    return [getattr(fn, "__name__", repr(fn)) for fn in getattr(machine, "checks", ()) if id(fn) not in built_in]


def never_ran(machine: type) -> list[str]:
    """The rules, invariants and ``checks`` entries a user's machine adds (outside the kit) that never ran."""
    runs = RULE_RUNS.get(machine, Counter())
    out = [f"check {name}" for name in own_checks(machine) if not runs.get(f"check {name}")]
    for klass in machine.__mro__:
        if klass.__module__.startswith(("simulations.stateful", "hypothesis")) or klass is object:
            continue
        for name, fn in klass.__dict__.items():
            if getattr(fn, "_counted", False) and "__weight_" not in name:
                kind = "rule" if hasattr(fn, RULE_MARKER) else "invariant"
                if not runs.get(f"{kind} {name}"):
                    out.append(f"{kind} {klass.__name__}.{name}")
    return out


def checks_record(checks: Any) -> Checks:
    """The log line naming ``checks`` (invariant functions) by import path, so replay re-checks them;
    an invariant no import reaches (a lambda, a function defined inside another) is left out."""
    named = []
    for fn in checks:
        path = factory_path(fn)
        if path is not None:
            named.append((path, source_of(fn)))
    return Checks(tuple(named), f"{Ledger.__module__}:{Ledger.__qualname__}")


def runtime_record(machine: type, setup_records: int) -> RuntimeSource | None:
    """The log line that rebuilds a machine's starting runtime on replay, when the machine builds it
    its own way (a ``make_runtime`` override: a patched pallet, extra setup); None for the kit's
    (the log's genesis and setup calls rebuild that). A replay that rebuilt the stock runtime for
    a patched machine passed "as it does once a bug is fixed" with the bug still there. A machine
    no import reaches (defined inside a function, in a script run as ``__main__``) gets a line that
    makes replay say it cannot rebuild the runtime (it replays the genesis and every record, as
    for a stock machine, and passes only when that reproduces the run exactly)."""
    if getattr(machine, "make_runtime", None) is MachineCore.make_runtime:
        return None
    path = factory_path(machine)
    if path is None:
        return RuntimeSource(None, None, setup_records, unrebuildable=f"{machine.__qualname__}.make_runtime of a machine class no import "
                                                                       f"reaches (module {machine.__module__!r})")
    return RuntimeSource(path, source_of(machine), setup_records, method="make_runtime")


def new_log_path(directory: Path, name: str) -> Path:
    """``directory/name.jsonl``, or ``name-2.jsonl``, ``-3``... when taken: a later failure never
    overwrites an earlier one (the name is claimed atomically, so parallel runs do not collide)."""
    directory.mkdir(parents=True, exist_ok=True)
    k = 1
    while True:
        path = directory / (f"{name}.jsonl" if k == 1 else f"{name}-{k}.jsonl")
        try:
            with open(path, "x"):
                return path
        except FileExistsError:
            k += 1


def save_failure(machine: MachineCore, name: str | None = None) -> Path:
    """Write the machine's call log (JSON lines, replayable with ``tangle-sim replay``, which also
    re-checks the machine's invariants) to a new file and return its path."""
    path = new_log_path(failure_dir(), name or type(machine).__name__)
    write_log(machine.rt, path, checks=checks_record(type(machine).checks), runtime=runtime_record(type(machine), machine.world_records))
    return path


def _report(machine: MachineCore) -> None:
    """Save the call log of the failing example. While Hypothesis shrinks, failures are frequent and
    not final; only the final (minimal) replay is saved, unless we run outside Hypothesis."""
    if getattr(machine, "rt", None) is None:
        return
    try:
        from hypothesis.control import current_build_context, currently_in_test_context

        if not current_build_context().is_final:
            return
    except Exception:  # not inside a Hypothesis run: always save
        pass
    try:
        path = save_failure(machine)
    except Exception:  # pragma: no cover - never mask the real failure
        return
    machine.failure_log = path  # type: ignore[attr-defined]
    LAST_FAILURE[type(machine)] = FailedExample(list(machine.rt.call_log), machine.setup_calls, machine.rt.block_number, path)
    print(f"\ntangle-sim: failing call sequence saved; replay it with:\n    {replay_command(machine.rt, path)}\n")


def replay_command(rt: Any, path: Path) -> str:
    """The command that replays ``path``, naming a factory for every contract the log cannot."""
    unnamed = sorted({r.data["address"] for r in rt.contract_log if r.data["action"] == "deploy" and not r.data["factory"]})
    return " ".join([f"tangle-sim replay {path}", *(f"--contract {a}=package.module:Factory" for a in unnamed)])
