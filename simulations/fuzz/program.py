"""Programs: what a fuzz run did, as data that can be re-run, mutated, shrunk and saved.

A program is a list of steps (JSON-friendly lists):

* ``["call", origin, pallet, function, params]`` - a dispatch (``params`` in compose_call's shape);
* ``["bad", origin, pallet, function, params]`` - deliberately malformed input: must raise ValueError
  naming the field and change nothing (it never reaches the call log);
* ``["wait", blocks]`` - time passes (hooks run for every block).

:class:`Executor` runs steps on a runtime, with every check the engine makes: a failed call leaves the
state root unchanged and keeps no events, nothing panics, bad input is refused cleanly, and the
invariants hold (incrementally, :mod:`simulations.fuzz.checks`).
"""

from __future__ import annotations

import json
from itertools import chain
from operator import attrgetter, itemgetter
from typing import Any

from runtime import Runtime
from runtime.errors import InvalidTransaction, RuntimePanic
from simulations.fuzz.checks import InvariantFailure, InvariantSet, Writes, writes_of
from simulations.fuzz.coverage import LIFECYCLES, state_transitions
from simulations.fuzz.hostile import expand
from simulations.stateful.invariants import Ledger

_BOOKKEEPING = frozenset({"System", "System.Nonces"})  # what a failed call may write (without fees)
#: the labels of the storage items whose lifecycle transitions are coverage features
_WATCHED = frozenset(f"{pallet}.{item}" for pallet, item in LIFECYCLES)
_FIRST = itemgetter(0)
_SPEC = attrgetter("spec")
Step = list  # ["call", origin, pallet, function, params] | ["bad", ...] | ["wait", blocks]


class Failure(Exception):
    """A step broke something. ``key`` identifies the bug for shrinking (kind and invariant/call)."""

    def __init__(self, kind: str, what: str, message: str, step: int) -> None:
        self.kind = kind  # "invariant" | "panic" | "rollback" | "bad-input"
        self.what = what
        self.message = message
        self.step = step
        super().__init__(f"{kind} {what}: {message}")

    @property
    def key(self) -> tuple[str, str]:
        return (self.kind, self.what)


def _field_named(message: str, pallet: str, function: str) -> bool:
    """Does a refusal say where the problem is (the argument's path, the origin, the call's name)?"""
    return message.startswith((f"{pallet}.{function}.", "origin", "call_params", "unknown pallet", "unknown call", f"{pallet}.{function}:"))


class Executor:
    """Runs steps on ``rt`` from its current state; ``full_every``: a full invariant check every K steps."""

    def __init__(self, rt: Runtime, invariants: InvariantSet, full_every: int = 64, root_every: int = 256,
                 ledger: Ledger | None = None) -> None:
        self.rt = rt
        self.root_every = root_every
        self._calls = 0
        self.invariants = invariants
        #: what the invariants remember; pass one primed on this start state to skip the first check
        self.ledger = ledger if ledger is not None else Ledger()
        self.full_every = full_every
        self.steps = 0
        self._last_full = 0  # the step count at the last periodic full check
        self.last_events: list[Any] = []
        #: what the last step touched (:func:`simulations.fuzz.checks.touched`)
        self.last_touched: set[str] = set()
        self.last_outcome = ""
        #: lifecycle transitions of the last step (coverage features); only when ``transitions`` is on
        self.transitions = False
        self.last_transitions: list[str] = []

    def run_all(self, program: list[Step], prime: bool = True, derived: Any = None) -> Failure | None:
        """Run ``program`` with every check a replay makes: a first check that primes what invariants
        remember (issuance, commitments) on the start state (unless the ledger came primed), each
        step, then a full check at the end; the first failure, or None. ``derived``
        (:class:`simulations.fuzz.derived.DerivedAccounts`) rewrites each step to the accounts this
        run derived (the shrinker's candidates)."""
        try:
            if prime:
                self.check(None, -1)
            for step in program:
                if derived is None:
                    self.run(step)
                    continue
                self.run(derived.rewrite(step))
                derived.observe(self)
            self.check(None, len(program) - 1)
        except Failure as failure:
            return failure
        return None

    def run(self, step: Step) -> str:
        """Run one step and check it; returns its outcome ("ok", an error name, "refused", "waited").
        Raises :class:`Failure` when a check fails."""
        rt = self.rt
        db = rt.db
        plans = self.invariants._plans
        index = self.steps
        self.steps += 1
        kind = step[0]
        n_log, n_events = len(rt.event_log), len(db.events)
        db.begin()  # an outer transaction: the step's writes stay in the journal until it ends
        try:
            if kind == "call":
                outcome = self._call(step, index)
            elif kind == "wait":
                rt.advance_blocks(step[1])
                outcome = "waited"
            else:
                outcome = self._bad(step, index)
            events = self._new_events(n_log, n_events)
            journal = db.journal
            # the items written and the event kinds deposited: what the step touched, which items'
            # written keys the checks need and which invariants it selects follow from them
            # (InvariantSet.plan, remembered per combination)
            things = frozenset(chain(map(_FIRST, journal), map(_SPEC, events))) if events else frozenset(map(_FIRST, journal))
            plan = plans.get(things) or self.invariants.plan(things)
            written = plan.touched
            self.last_touched = written
            writes = writes_of(journal, plan.keyed_items) if plan.keyed_items else {}
            if self.transitions:
                self.last_transitions = state_transitions(journal, events) if not _WATCHED.isdisjoint(written) else []
        finally:
            db.commit()
        self.last_outcome = outcome
        if (outcome == "refused" or (kind == "call" and outcome != "ok")) and written <= _BOOKKEEPING:
            # nothing changed but the signer's nonce (checked): no invariant can have moved (a failed
            # call that paid a fee moved balances: checked, as incremental forms keep running sums)
            return outcome
        # a full check once ``full_every`` steps have passed since the last (a failed call that
        # changed nothing cannot take its turn: the next step that changed something does)
        if self.full_every and self.steps - self._last_full >= self.full_every:
            self._last_full = self.steps
            self.check(None, index, final=False)
            return outcome
        try:
            self.invariants.check_step(rt, self.ledger, plan, writes)
        except InvariantFailure as exc:
            raise Failure("invariant", exc.name, exc.message, index) from None
        return outcome

    def check(self, touched: set[str] | None, index: int, final: bool = True, writes: Writes | None = None) -> None:
        """Run the invariants (see :meth:`InvariantSet.check`); a failure becomes a :class:`Failure`."""
        try:
            self.invariants.check(self.rt, self.ledger, touched, final, writes)
        except InvariantFailure as exc:
            raise Failure("invariant", exc.name, exc.message, index) from None

    def _new_events(self, n_log: int, n_events: int) -> list[Any]:
        """Events of the step: finalized blocks' events and the current block's form one append-only sequence."""
        rt = self.rt
        start = n_log + n_events
        log = rt.event_log
        new = list(rt.db.events[start - len(log):]) if start >= len(log) else log[start:] + list(rt.db.events)
        self.last_events = new
        return new

    def _call(self, step: Step, index: int) -> str:
        _, origin, pallet, function, params = step
        rt = self.rt
        # a failed call must change nothing: the journal (inside the step's outer transaction) must
        # hold no write of it, checked every time. Every write through the storage API (insert,
        # remove, add_many; load refuses inside a transaction) is journaled and marks its key for
        # the root alike, so the state root adds one thing to that check: that the storage layer's
        # rollback restored what the journal recorded. That is checked when the root is already
        # known (free), at a run's first call, and every ``root_every``-th call (256: the root folds in every key written
        # since the last one, hooks' era bookkeeping included, a tenth of a step's cost at 64)
        self._calls += 1
        root = self._root_before()
        n_journal = len(rt.db.journal)
        n_calls = len(rt.call_log)
        try:
            receipt = rt.dispatch(origin, pallet, function, params, raise_error=False)
        except InvalidTransaction:
            if len(rt.db.journal) != n_journal or len(rt.call_log) != n_calls:
                raise Failure("rollback", f"{pallet}.{function}", "an invalid transaction changed the state", index) from None
            return "invalid"
        except RuntimePanic as exc:
            if self._modelled_panic(exc, n_journal):
                return "panic (modelled)"
            raise Failure("panic", f"{pallet}.{function}", str(exc)[:500], index) from None
        except ValueError as exc:
            # the engine's well-typed params can still be refused at the boundary (a value out of a
            # pallet's bound); that must change nothing
            if len(rt.db.journal) != n_journal or len(rt.call_log) != n_calls:
                raise Failure("bad-input", f"{pallet}.{function}", f"refused input changed the state: {str(exc)[:200]}", index) from None
            return "refused"
        except RecursionError as exc:
            raise Failure("bad-input", f"{pallet}.{function}", f"RecursionError: {exc}", index) from None
        if receipt.error is None:  # (receipt.is_success, without the property)
            return "ok"
        if (len(rt.db.journal) != n_journal and not self._only_bookkeeping(n_journal)) or (root is not None and rt.state_root() != root):
            raise Failure("rollback", f"{pallet}.{function}", f"failed with {receipt.error_name} but changed the state", index)
        if receipt.triggered_events:
            raise Failure("rollback", f"{pallet}.{function}", f"failed with {receipt.error_name} but kept events", index)
        return receipt.error_name or "failed"

    def _root_before(self) -> str | None:
        """The state root before a call, when this call's rollback is to be checked against it: when
        the root is already known (no write since the last one: the first call after a check that
        computed it) it costs nothing, and the root after a failed call then costs only the call's
        own rolled-back keys; otherwise every ``root_every``-th call pays for folding in every key
        written since the last root."""
        db = self.rt.db
        cached = db.root_cache
        if cached is not None:
            return cached
        # the first call of a run (a run starts from a restored snapshot whose writes are folded
        # in: its root costs a constant) and every ``root_every``-th after it
        return self.rt.state_root() if self._calls % self.root_every == 1 or self.root_every == 1 else None

    def _modelled_panic(self, exc: RuntimePanic, start: int) -> bool:
        """A panic the pallet raises on purpose (the real runtime panics there: a registered quirk
        of the real profile), with the extrinsic's writes rolled back but its nonce."""
        return isinstance(exc.__cause__, RuntimePanic) and len(self.rt.db.journal) == start + self._nonce_writes(start)

    def _nonce_writes(self, start: int) -> int:
        return sum(1 for item, _k, _o in self.rt.db.journal[start:] if item.prefix == "System" and item.name == "Nonces")

    def _only_bookkeeping(self, start: int) -> bool:
        """Did a failed call write only what any included extrinsic writes (the signer's nonce, and
        the fee when fees are on)?"""
        fees = self.rt.genesis.transaction_fees
        for item, _key, _old in self.rt.db.journal[start:]:
            if item.prefix == "System" and item.name == "Nonces":
                continue
            if fees and (item.prefix == "Balances" or (item.prefix == "System" and item.name == "Account")):
                continue
            return False
        return True

    def _bad(self, step: Step, index: int) -> str:
        _, origin, pallet, function, params = expand(step)
        rt = self.rt
        self._calls += 1
        root = self._root_before()
        n_journal = len(rt.db.journal)
        n_calls = len(rt.call_log)
        n_events = len(rt.db.events)
        try:
            receipt = rt.dispatch(origin, pallet, function, params, raise_error=False)
        except ValueError as exc:
            message = str(exc)
            if len(rt.db.journal) != n_journal or (root is not None and rt.state_root() != root) or len(rt.call_log) != n_calls \
                    or len(rt.db.events) != n_events:
                raise Failure("bad-input", f"{pallet}.{function}", f"refused input changed the state: {message[:200]}", index) from None
            if len(message) > 4_000:
                raise Failure("bad-input", f"{pallet}.{function}", f"a {len(message)}-character error message", index)
            if not _field_named(message, pallet, function):
                raise Failure("bad-input", f"{pallet}.{function}", f"the error names no field: {message[:200]}", index)
            return "refused"
        except RecursionError as exc:
            raise Failure("bad-input", f"{pallet}.{function}", f"RecursionError: {exc}", index) from None
        except RuntimePanic as exc:
            # a mutated call can reach a panic the pallet raises on purpose (the real runtime panics
            # there: a registered quirk), as a drawn call can (_call); rolled back, it is an outcome
            if self._modelled_panic(exc, n_journal) and len(rt.db.events) == n_events and len(rt.call_log) == n_calls:
                return "panic (modelled)"
            raise Failure("bad-input", f"{pallet}.{function}", f"RuntimePanic: {str(exc)[:200]}", index) from None
        except Exception as exc:  # anything but a ValueError is a crash at the boundary
            raise Failure("bad-input", f"{pallet}.{function}", f"{type(exc).__name__}: {str(exc)[:200]}", index) from None
        # accepted after all (a mutation that still fits the type): an ordinary call, checked as one
        if not receipt.is_success and ((len(rt.db.journal) != n_journal and not self._only_bookkeeping(n_journal))
                                       or (root is not None and rt.state_root() != root)):
            raise Failure("rollback", f"{pallet}.{function}", f"failed with {receipt.error_name} but changed the state root", index)
        return "ok" if receipt.is_success else (receipt.error_name or "failed")


def replay_step(rt: Runtime, step: Step) -> Failure | None:
    """Run one step of a saved failure (a call log's ``step`` line, :mod:`runtime.calllog`) on ``rt``
    with the checks the engine made when it failed (nothing panics, malformed input is refused
    cleanly, a failed call changes nothing); the failure it shows now, or None. The log's own
    invariants are the replay's to check, so none run here."""
    try:
        Executor(rt, InvariantSet(()), full_every=0, root_every=1).run(step)
    except Failure as failure:
        return failure
    return None


def failing_step_record(program: list[Step], failure: Failure | None, block: int) -> dict[str, Any] | None:
    """The call log line (kind ``step``) that carries ``program``'s failing step, when its failure is
    not an invariant's: a panic or a refused input never becomes a call record, and a call record
    cannot show that a failed call changed the state. None for an invariant failure (its calls are
    in the log, and the log's invariants re-check it) or a time step."""
    if failure is None or failure.kind == "invariant" or not 0 <= failure.step < len(program):
        return None
    step = program[failure.step]
    if step[0] not in ("call", "bad"):
        return None
    return {"kind": "step", "block": block, "step": step, "failure": failure.kind, "what": failure.what}


def is_program(obj: Any) -> bool:
    """Is ``obj`` a program (the shape :func:`loads` of a corpus entry must give before it is run or
    mutated)? A list of steps, each a ``["wait", blocks]`` or a ``["call" | "bad", origin, pallet,
    function, params]``. Valid JSON of another shape reached the mutator as ``KeyError: 0``."""
    if not isinstance(obj, list):
        return False
    for step in obj:
        if not isinstance(step, list) or not step:
            return False
        if step[0] == "wait":
            if len(step) != 2 or type(step[1]) is not int or step[1] < 0:
                return False
        elif step[0] in ("call", "bad"):
            if len(step) != 5 or not isinstance(step[2], str) or not isinstance(step[3], str):
                return False
        else:
            return False
    return True


def dumps(program: list[Step]) -> str:
    """One JSON line per step."""
    return "\n".join(json.dumps(step, default=_default) for step in program) + "\n"


def loads(text: str) -> list[Step]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def _default(value: Any) -> Any:
    if isinstance(value, bytes):
        return "0x" + value.hex()
    raise TypeError(f"not JSON: {type(value).__name__}")
