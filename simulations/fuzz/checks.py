"""Invariants made incremental: after a step, check only those whose storage the step touched.

What a step touched comes from the storage journal: the engine opens one transaction around the
step, so every write the call (or the hooks of the blocks it waits through) made stays in the
journal until the step ends, and the set of pallets written is read off it. Each built-in invariant
declares the pallets it reads (:data:`READS`); one that is not declared (a user's) runs after every
step. Every ``full_every`` steps and at the end of a run every invariant runs regardless.
Which storage items and events each invariant reads is :data:`READS` (a test holds every item named
there to the runtime's storage).
"""

from __future__ import annotations

from operator import attrgetter, itemgetter
from typing import Any, Callable, Iterable, NamedTuple

from runtime import Runtime
from simulations.stateful.invariants import ALL_INVARIANTS, Ledger
from simulations.stateful.invariants.references import services_references_incremental
from simulations.stateful.invariants.services import (
    no_service_from_expired_request_incremental, slashes_respect_windows_incremental, staking_slashes_incremental,
)
from simulations.stateful.invariants.tokens import NATIVE_FORCING_EVENTS, NATIVE_ISSUANCE_EVENTS, token_conservation_incremental

Invariant = Callable[[Runtime, Ledger], None]

# What a step must touch for an invariant to be worth re-checking, read off the functions: a storage
# item ``"Pallet.Item"`` it reads (written in the step), ``"event:Pallet"`` for the events it
# consumes (deposited in the step), or a whole ``"Pallet"`` (any write or event of it). Item level
# matters: most steps write MultiAssetDelegation's round snapshot or Staking's era bookkeeping,
# which no delegation or ledger invariant reads. Time-dependent checks ("a pending request is not
# past its expiry", "no slash queued for an era already active") read the clock they compare with.
_ACCOUNT = "System.Account"  # free, reserved (Balances' currency functions)
_ASSET_HOLDINGS = {"Assets.Account", _ACCOUNT}  # what a pot holds (_holdings)
FULL_ONLY = "(full checks only)"
#: runs only on the final check of a run (and the first), not on the periodic full checks: see READS
END_ONLY = "(end of a run only)"
READS: dict[str, frozenset[str]] = {name: frozenset(deps) for name, deps in {
    "token_conservation": {_ACCOUNT, "Balances.TotalIssuance", *(f"event:{name}" for name in (*NATIVE_ISSUANCE_EVENTS, *NATIVE_FORCING_EVENTS))},
    "asset_conservation": {"Assets.Account", "Assets.Asset", "Assets.DustDestroyed", "event:Assets"},
    "delegation_pot_backs_deposits": {"MultiAssetDelegation.Delegators", *_ASSET_HOLDINGS},
    "services_pot_holds_staged_payments": {"Services.StagingServicePayments", *_ASSET_HOLDINGS},
    "staking_locks_match_ledgers": {"Staking.Ledger", "Balances.Locks", _ACCOUNT, "Lst.ReversePoolIdLookup", "event:Lst"},
    "lst_pools_back_their_claims": {"event:Lst", "Lst.UnbondingMembers", "Lst.BondedPools", "Lst.SubPoolsStorage", "Lst.TotalValueLocked",
                                    "Staking.Ledger", _ACCOUNT},
    "operator_state_machine": {"MultiAssetDelegation.Operators", "event:MultiAssetDelegation"},
    "operator_stake_is_reserved": {"MultiAssetDelegation.Operators", _ACCOUNT, "event:Balances.Slashed", "event:Proxy.PureCreated", "Assets.Asset",
                                   "Assets.Metadata", "Assets.Account", "Assets.Approvals", "Proxy.Proxies", "Proxy.Announcements",
                                   "Multisig.Multisigs", "Democracy.DepositOf"},
    "delegation_books_balance": {"MultiAssetDelegation.Delegators", "MultiAssetDelegation.Operators"},
    "instance_limits_respected": {"Services.Instances", "Services.ServiceRequests", "Services.OperatorInstanceCount",
                                  "Services.OperatorInstanceLimits"},
    "no_service_from_expired_request": {"event:Services", "Services.ServiceRequests", "Services.ServiceRequestExpiresAt", "System.Number"},
    "slashes_respect_windows_and_disputes": {"event:Services", "event:MultiAssetDelegation", "event:Session", "Services.UnappliedSlashes",
                                             "MultiAssetDelegation.CurrentRound", "Session.CurrentIndex"},
    "staking_slashes_wait_for_their_era": {"Staking.UnappliedSlashes", "event:Staking", "Staking.ActiveEra"},
    "services_references_resolve": {f"Services.{item}" for item in (
        "Blueprints", "Instances", "ServiceStatus", "UserServices", "Operators", "OperatorsProfile", "ServiceRequests", "UnappliedSlashes",
        "NextInstanceId", "JobCalls", "JobResults")},
    "delegation_references_resolve": {"event:MultiAssetDelegation", "MultiAssetDelegation.Operators", "MultiAssetDelegation.Delegators"},
    "staking_references_resolve": {f"Staking.{item}" for item in (
        "Bonded", "Ledger", "Validators", "Nominators", "Payee", "CounterForValidators", "CounterForNominators")},
    "lst_references_resolve": {"Assets.Asset", *(f"Lst.{item}" for item in (
        "BondedPools", "RewardPools", "SubPoolsStorage", "UnbondingMembers", "ReversePoolIdLookup", "CounterForBondedPools",
        "CounterForRewardPools", "CounterForSubPoolsStorage", "CounterForUnbondingMembers", "CounterForReversePoolIdLookup"))},
    "rewards_references_resolve": {"Rewards.AssetLookupRewardVaults", "Rewards.RewardVaults"},
    # Renders every value changed since the last root canonically (the state root). Its cost is the
    # number of distinct keys written between two roots, so fewer roots merge repeated writes (the
    # hooks rewrite the same era and session keys every rotation): it runs on the first and the
    # final check of a run only. It loses nothing a pallet keeps doing: every key written during a
    # run is still pending at the run's end and rendered then; a non-canonical value that is
    # overwritten by a canonical one within the same run is the only thing it can miss.
    "state_is_immutable": {END_ONLY},
}.items()}
_BUILT_IN = {fn.__name__: fn for fn in ALL_INVARIANTS}

Writes = dict[str, dict[Any, Any]]  # "Pallet.Item" -> {key: its value before the step (or _MISSING)}
KeyTest = Callable[[Runtime, Any], bool]


def _is_pot(pallet: str) -> KeyTest:
    return lambda rt, key: key == rt.pallets[pallet].pallet_account()  # type: ignore[attr-defined]


def _held_by_pot(pallet: str) -> KeyTest:
    return lambda rt, key: key[1] == rt.pallets[pallet].pallet_account()  # type: ignore[attr-defined]


def _has_staking_ledger(rt: Runtime, key: Any) -> bool:
    return rt.pallets["Staking"].storage.Ledger.contains(key)  # type: ignore[attr-defined]


def _is_pool_account(rt: Runtime, key: Any) -> bool:
    # every pool's bonded account maps back to it (lst_references_resolve, which a write that
    # breaks the lookup triggers in the same step): the lookup is the set of pool accounts
    return rt.pallets["Lst"].storage.ReversePoolIdLookup.contains(key)  # type: ignore[attr-defined]


def _is_operator(rt: Runtime, key: Any) -> bool:
    return rt.pallets["MultiAssetDelegation"].storage.Operators.contains(key)  # type: ignore[attr-defined]


# Per-key reads: for these (invariant, item) pairs a write triggers the invariant only if a written
# key is one the invariant judges (after the step: a key that stopped qualifying was removed from
# a map the invariant also reads, which triggers it anyway). Most calls move some account's
# balance; only the pots', the stashes', the pools' and the operators' matter to these.
KEYED_READS: dict[str, dict[str, KeyTest]] = {
    "delegation_pot_backs_deposits": {_ACCOUNT: _is_pot("MultiAssetDelegation"), "Assets.Account": _held_by_pot("MultiAssetDelegation")},
    "services_pot_holds_staged_payments": {_ACCOUNT: _is_pot("Services"), "Assets.Account": _held_by_pot("Services")},
    "staking_locks_match_ledgers": {_ACCOUNT: _has_staking_ledger, "Balances.Locks": _has_staking_ledger},
    "lst_pools_back_their_claims": {_ACCOUNT: _is_pool_account, "Staking.Ledger": _is_pool_account},
    "operator_stake_is_reserved": {_ACCOUNT: _is_operator},
}
def _token_conservation_step(rt: Runtime, ledger: Ledger, touched: frozenset[str] | set[str], writes: Writes) -> None:
    token_conservation_incremental(rt, ledger, writes.get(_ACCOUNT, {}))


def _by_labels(form: Callable[[Runtime, Ledger, Any], None]) -> Callable[[Runtime, Ledger, Any, Writes], None]:
    def step(rt: Runtime, ledger: Ledger, touched: frozenset[str] | set[str], writes: Writes) -> None:
        form(rt, ledger, touched)
    step.__name__ = step.__qualname__ = form.__name__
    return step


# Incremental forms: ``fn(rt, ledger, touched, writes)`` judging a step from the labels it touched
# (READS' terms) and the keys it wrote of :data:`INCREMENTAL_ITEMS`, with what the full form left
# in the ledger (the full form runs every full check). Each is counted as a run of its invariant.
INCREMENTAL: dict[str, Callable[[Runtime, Ledger, Any, Writes], None]] = {
    # the running sum of balances moves by the accounts written
    "token_conservation": _token_conservation_step,
    # only the relations whose items were written
    "services_references_resolve": _by_labels(services_references_incremental),
    # without a Services event, time passing re-judges the pending requests only
    "no_service_from_expired_request": _by_labels(no_service_from_expired_request_incremental),
    # a session rotation without a slash event or a queue write follows the round only
    "slashes_respect_windows_and_disputes": _by_labels(slashes_respect_windows_incremental),
    # an era or a Staking event with no slash queued, before or now, passes over the events
    "staking_slashes_wait_for_their_era": _by_labels(staking_slashes_incremental),
}
#: the items whose written keys an incremental form reads (without them, :meth:`InvariantSet.check`
#: runs the full form)
INCREMENTAL_ITEMS: dict[str, str] = {"token_conservation": _ACCOUNT}


#: the items whose written keys (:func:`step_writes`) per-key reads and incremental forms look at
KEYED_ITEMS: frozenset[str] = frozenset({label for reads in KEYED_READS.values() for label in reads} | set(INCREMENTAL_ITEMS.values()))


def step_writes(journal: list[tuple[Any, Any, Any]], labels: frozenset[str] | None = None) -> Writes:
    """The keys a step wrote, by item (only the items named in ``labels``, if given), each with its
    value before the step (the journal's first entry for the key holds it)."""
    return touched_and_written(journal, (), labels)[1] if labels is not None else _all_writes(journal)


def _all_writes(journal: list[tuple[Any, Any, Any]]) -> Writes:
    by_item: dict[Any, dict[Any, Any]] = {}
    for item, key, old in journal:
        keys = by_item.get(item)
        if keys is None:
            keys = by_item[item] = {}
        if key not in keys:
            keys[key] = old
    return {f"{item.prefix}.{item.name}": keys for item, keys in by_item.items()}


_FIRST = itemgetter(0)
_SPEC = attrgetter("spec")


def touched_and_written(journal: list[tuple[Any, Any, Any]], events: Iterable[Any], labels: frozenset[str]) -> tuple[set[str], Writes]:
    """:func:`touched` and the written keys of the items named in ``labels`` (:func:`step_writes`),
    from one pass that collects the items written (a wait step's journal holds every block's writes)."""
    out: set[str] = set()
    cache = _LABELS
    wanted: dict[Any, dict[Any, Any]] | None = None
    things = set(map(_FIRST, journal))
    if events:
        things.update(map(_SPEC, events))
    for thing in things:
        got = cache.get(thing)
        if got is None:
            if len(cache) > 100_000:  # items and event specs of every runtime built so far
                cache.clear()
            got = cache[thing] = _labels_of(thing)
        out.update(got)
        if got[0] in labels:
            if wanted is None:
                wanted = {}
            wanted[thing] = {}
    if wanted is None:
        return out, {}
    for item, key, old in journal:
        keys = wanted.get(item)
        if keys is not None and key not in keys:
            keys[key] = old
    return out, {cache[item][0]: keys for item, keys in wanted.items()}


def touched(journal: list[tuple[Any, Any, Any]], events: Iterable[Any]) -> set[str]:
    """What a step touched, in the terms of :data:`READS`: ``"Pallet.Item"`` and ``"Pallet"`` for
    every item written (the journal); ``"event:Pallet.Event"``, ``"event:Pallet"`` and ``"Pallet"``
    for every event deposited."""
    return touched_and_written(journal, events, frozenset())[0]


_LABELS: dict[Any, tuple[str, ...]] = {}  # storage item or event spec -> its labels (both are hashed by identity)


def _labels_of(thing: Any) -> tuple[str, ...]:
    if hasattr(thing, "prefix"):  # a storage item
        return (f"{thing.prefix}.{thing.name}", thing.prefix)
    return (thing.pallet, f"event:{thing.pallet}", f"event:{thing.pallet}.{thing.name}")


class StepPlan(NamedTuple):
    """What a step touched and what that asks of the invariants (:meth:`InvariantSet.plan`)."""

    touched: frozenset[str]  # in the terms of READS (see touched())
    keyed_items: tuple[Any, ...]  # written items whose keys per-key reads and incremental forms look at (KEYED_ITEMS)
    plain: list[int]  # invariants selected by the labels alone, in order
    keyed_only: list[int]  # invariants selected only if a per-key test judges a written key


def writes_of(journal: list[tuple[Any, Any, Any]], items: tuple[Any, ...]) -> Writes:
    """:func:`step_writes` for the storage items ``items`` (a plan's ``keyed_items``)."""
    wanted: dict[Any, dict[Any, Any]] = {item: {} for item in items}
    for item, key, old in journal:
        keys = wanted.get(item)
        if keys is not None and key not in keys:
            keys[key] = old
    cache = _LABELS
    return {cache[item][0]: keys for item, keys in wanted.items()}


class InvariantSet:
    """The invariants of a campaign with their read sets; :meth:`check` runs the affected ones."""

    def __init__(self, invariants: Iterable[Invariant] = ALL_INVARIANTS) -> None:
        #: (name, function, plain reads or None: always, per-key reads, incremental form)
        self.invariants: list[tuple[str, Invariant, frozenset[str] | None, dict[str, KeyTest], Any]] = []
        for fn in invariants:
            name = getattr(fn, "__name__", repr(fn))
            built_in = _BUILT_IN.get(name) is fn
            reads = READS.get(name) if built_in else None
            keyed = KEYED_READS.get(name, {}) if built_in else {}
            if reads is not None:
                reads = reads - set(keyed)
            self.invariants.append((name, fn, reads, keyed, INCREMENTAL.get(name) if built_in else None))
        self.runs: dict[str, int] = {name: 0 for name, *_ in self.invariants}
        # label -> the invariants (by position) that read it, plainly or per key: an incremental
        # check looks up the step's few touched labels instead of testing every invariant's reads
        self._always = frozenset(i for i, inv in enumerate(self.invariants) if inv[2] is None)
        readers: dict[str, tuple[frozenset[int], frozenset[int]]] = {}  # label -> (plain readers, per-key readers)
        for i, (_name, _fn, reads, keyed, _inc) in enumerate(self.invariants):
            for label in reads or ():
                plain, by_key = readers.get(label, (frozenset(), frozenset()))
                readers[label] = (plain | {i}, by_key)
            for label in keyed:
                plain, by_key = readers.get(label, (frozenset(), frozenset()))
                readers[label] = (plain, by_key | {i})
        self._readers = readers
        #: frozenset of touched labels -> (invariants they select plainly, per-key readers left to test), sorted
        self._by_touched: dict[frozenset[str], tuple[list[int], list[int]]] = {}
        self._plans: dict[frozenset[Any], StepPlan] = {}  # see plan()

    def affected(self, rt: Runtime, touched: set[str], writes: Writes | None) -> list[int]:
        """Positions, in order, of the invariants a step that touched ``touched`` (and wrote
        ``writes``) must re-run: those with no declared reads, those reading a touched label, and
        those whose per-key reads judge a written key. Which invariants a set of labels selects is
        remembered (steps touch the same few combinations again and again); only the per-key
        tests, which depend on the keys written, run every time."""
        key = frozenset(touched)
        got = self._by_touched.get(key)
        if got is None:
            hit = set(self._always)
            readers = self._readers
            keyed: set[int] = set()
            for label in key:
                found = readers.get(label)
                if found is not None:
                    hit |= found[0]
                    keyed |= found[1]
            if len(self._by_touched) >= 50_000:  # bounded: a long campaign meets few combinations, a hostile one many
                self._by_touched.clear()
            got = self._by_touched[key] = (sorted(hit), sorted(keyed - hit))
        plain, keyed_only = got
        if not keyed_only:
            return plain
        invariants = self.invariants
        extra = [i for i in keyed_only if _keyed_hit(rt, invariants[i][3], touched, writes)]
        return sorted(plain + extra) if extra else plain

    def plan(self, things: frozenset[Any]) -> "StepPlan":
        """What a step that wrote the storage items and deposited the event kinds in ``things``
        (the journal's items, the events' specs) touched, which items' written keys the checks
        need, and which invariants it selects: computed once per combination (a campaign meets the
        same few combinations again and again) and remembered."""
        key = things if type(things) is frozenset else frozenset(things)
        got = self._plans.get(key)
        if got is not None:
            return got
        cache = _LABELS
        touched: set[str] = set()
        keyed_items = []
        for thing in key:
            labels = cache.get(thing)
            if labels is None:
                if len(cache) > 100_000:
                    cache.clear()
                labels = cache[thing] = _labels_of(thing)
            touched.update(labels)
            if labels[0] in KEYED_ITEMS:
                keyed_items.append(thing)
        hit = set(self._always)
        keyed: set[int] = set()
        for label in touched:
            found = self._readers.get(label)
            if found is not None:
                hit |= found[0]
                keyed |= found[1]
        if len(self._plans) >= 50_000:  # bounded: a long campaign meets few combinations, a hostile one many
            self._plans.clear()
        got = self._plans[key] = StepPlan(frozenset(touched), tuple(keyed_items), sorted(hit), sorted(keyed - hit))
        return got

    def check_step(self, rt: Runtime, ledger: Ledger, plan: "StepPlan", writes: Writes) -> None:
        """:meth:`check` for one step's :meth:`plan` and its ``writes`` (:func:`writes_of`): the
        same invariants, in the same order, with the same per-key tests and incremental forms."""
        chosen = plan.plain
        if plan.keyed_only:
            invariants = self.invariants
            extra = [i for i in plan.keyed_only if _keyed_hit(rt, invariants[i][3], plan.touched, writes)]
            if extra:
                chosen = sorted(chosen + extra)
        runs = self.runs
        invariants = self.invariants
        for i in chosen:
            name, fn, reads, _keyed, incremental = invariants[i]
            runs[name] += 1
            try:
                if reads is not None and incremental is not None:
                    incremental(rt, ledger, plan.touched, writes)
                else:
                    fn(rt, ledger)
            except AssertionError as exc:
                raise InvariantFailure(name, fn, str(exc)) from None

    def check(self, rt: Runtime, ledger: Ledger, touched: set[str] | None, final: bool = True, writes: Writes | None = None) -> None:
        """Run every invariant whose reads meet ``touched`` (all of them when ``touched`` is None,
        except the end-of-run-only ones unless ``final``); with ``writes`` (:func:`step_writes`),
        per-key reads and incremental forms narrow the work to the keys the step wrote.
        Raises :class:`InvariantFailure` at the first that fails."""
        runs = self.runs
        invariants = self.invariants
        chosen = range(len(invariants)) if touched is None else self.affected(rt, touched, writes)
        for i in chosen:
            name, fn, reads, _keyed, incremental = invariants[i]
            run = fn
            if reads is not None:
                if touched is not None:
                    if incremental is not None and (writes is not None or name not in INCREMENTAL_ITEMS):
                        run = lambda rt_, ledger_, form=incremental: form(rt_, ledger_, touched, writes or {})  # noqa: E731
                elif not final and END_ONLY in reads:
                    continue
            runs[name] += 1
            try:
                run(rt, ledger)
            except AssertionError as exc:
                raise InvariantFailure(name, fn, str(exc)) from None

    def functions(self) -> list[Invariant]:
        return [fn for _, fn, *_ in self.invariants]


def _keyed_hit(rt: Runtime, keyed: dict[str, KeyTest], touched: set[str], writes: Writes | None) -> bool:
    """Did the step write a key one of the per-key reads judges? (Without ``writes``: any key of those items.)"""
    if not keyed:
        return False
    if writes is None:
        return any(label in touched for label in keyed)
    for label, test in keyed.items():
        keys = writes.get(label)
        if keys:
            for key in keys:
                if test(rt, key):
                    return True
    return False


class InvariantFailure(AssertionError):
    """An invariant failed: its name, function and message."""

    def __init__(self, name: str, fn: Invariant, message: str) -> None:
        self.name = name
        self.fn = fn
        self.message = message
        super().__init__(f"invariant {name} fails: {message}")
