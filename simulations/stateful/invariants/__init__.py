"""Invariants of the whole runtime, as plain functions users can call from their own machines.

Each takes the runtime and a :class:`Ledger` (what it remembers between checks) and raises
``AssertionError`` with a message saying what broke. They only look at pallets that exist, and
skip what a profile legitimately does differently (a real-profile quirk), so the same functions
work on the intended and the real profile, and on runtimes with extra user pallets.

=====================================  ==========================================================
invariant                              what it guards
=====================================  ==========================================================
token_conservation                     native issuance = Σ balances; moves only by mint/burn events
asset_conservation                     asset supply = Σ holders; moves only by Issued/Burned
delegation_pot_backs_deposits          MAD pot = deposits + pending withdrawals, per asset
services_pot_holds_staged_payments     Services pot = staged request payments, per asset
staking_locks_match_ledgers            staking lock = ledger total, covered by the balance
lst_pools_back_their_claims            pool holds active stake + unbonding claims (± dust)
operator_state_machine                 operators move along legal edges; nobody joins twice
operator_stake_is_reserved             operator stake = its reserved TNT
delegation_books_balance               delegator and operator sides of delegations agree
instance_limits_respected              no operator takes an instance beyond its limit
no_service_from_expired_request        expiry on time; no service from an expired request
slashes_respect_windows_and_disputes   no slash before its window, none after a dispute
staking_slashes_wait_for_their_era     staking slashes applied in their era, not before
*_references_resolve                   stored ids/accounts point at things that exist
state_is_immutable                     stored values are immutable and canonical
=====================================  ==========================================================

The machine also checks after every call that a failed call left the state root unchanged
(:meth:`simulations.stateful.core.MachineCore.call`).
"""

from __future__ import annotations

import dataclasses
import operator
from typing import Any, Callable

from runtime import Runtime
from runtime import storage as _storage
from simulations.stateful.invariants.custody import (
    delegation_pot_backs_deposits, lst_pools_back_their_claims, services_pot_holds_staged_payments, staking_locks_match_ledgers,
)
from simulations.stateful.invariants.delegation import (
    LEGAL_OPERATOR_EDGES, delegation_books_balance, operator_stake_is_reserved, operator_state_machine,
)
from simulations.stateful.invariants.ledger import Ledger, SlashRecord, events_with_round, new_events
from simulations.stateful.invariants.references import (
    REFERENCE_INVARIANTS, delegation_references_resolve, lst_references_resolve, rewards_references_resolve, services_references_resolve,
    staking_references_resolve,
)
from simulations.stateful.invariants.services import (
    instance_limits_respected, no_service_from_expired_request, slashes_respect_windows_and_disputes, staking_slashes_wait_for_their_era,
)
from simulations.stateful.invariants.tokens import asset_conservation, token_conservation

Invariant = Callable[[Runtime, Ledger], None]


def state_is_immutable(rt: Runtime, ledger: Ledger) -> None:
    """Every stored value is immutable and canonical (no lists, dicts, sets, floats or mutable
    dataclasses in state): what the state root would refuse. Checks the keys and values written
    since the last root without hashing them, so this costs only what changed."""
    try:
        check_written_canonical(rt.db)
    except TypeError as exc:
        raise AssertionError(f"mutable or non-canonical value in state: {exc}") from None


def check_written_canonical(db: Any, limit: int = 4096) -> None:
    """:meth:`runtime.storage.Storage.check_written_canonical` (the same entries, accepted and
    refused alike, the same message), with a container met twice in one call checked once: a
    fuzz run's end writes an ``AtStake`` snapshot per operator per round, each holding the
    operator's delegation tuple (the same object while the operator is unchanged), and every
    era's ``ErasValidatorPrefs`` the validator's prefs object. Identity is a safe memo within
    one call: every object checked is held by storage for its length, so no id is reused."""
    dirty_items = db.dirty_items
    if sum(len(item._dirty) for item in dirty_items) > limit:
        db.state_root()  # folded into the root instead (which refuses the same values), as storage does
        return
    seen: set[int] = set()
    plain = _storage._PLAIN
    unset, missing = _storage._UNSET, _storage._MISSING
    for item in dirty_items:
        latest, d = item._latest, item._d
        for key in item._dirty:
            value = latest.get(key, unset)
            if value is unset:
                value = d.get(key, missing)
            try:
                # most keys are plain or tuples of plain values ((era, stash), (round, operator))
                tk = type(key)
                if tk not in plain and not (tk is tuple and plain.issuperset(map(type, key))):
                    _check(key, seen)
                if value is not missing and type(value) not in plain and id(value) not in seen:
                    _check(value, seen)
            except TypeError as exc:
                raise TypeError(f"{item.prefix}.{item.name}[{key!r}]: {exc}"[:600]) from None


_SEQ, _ENUM, _LEAF = object(), object(), object()
#: type -> _SEQ (tuples, frozensets), _ENUM, _LEAF (int subclasses: nothing inside), or a
#: dataclass's (fields getter, one field?); storage's checker accepted the type first
_KINDS: dict[type, Any] = {}


def _kind_of(t: type, v: Any) -> Any:
    try:
        _storage._checker_for(t)  # refuses (and words) exactly what check_canonical refuses
    except TypeError as exc:
        raise TypeError(f"{exc}: {v!r}"[:500]) from None
    if issubclass(t, (tuple, frozenset)):
        kind: Any = _SEQ
    elif issubclass(t, _storage.ScaleEnum):
        kind = _ENUM
    elif dataclasses.is_dataclass(t):
        names = [f.name for f in dataclasses.fields(t)]
        kind = (operator.attrgetter(*names), len(names) == 1)
    else:
        kind = _LEAF
    _KINDS[t] = kind
    return kind


def _check(v: Any, seen: set[int]) -> None:
    """``check_canonical(v)`` in the same order, skipping containers already checked in this call."""
    t = type(v)
    if t in _storage._PLAIN:
        return
    kind = _KINDS.get(t)
    if kind is None:
        kind = _kind_of(t, v)
    if kind is _LEAF:
        return
    if kind is _ENUM:
        if type(v.value) not in _storage._PLAIN:
            _check(v.value, seen)
        return
    i = id(v)
    if i in seen:
        return
    plain = _storage._PLAIN
    if kind is _SEQ:
        parts = v
    else:
        getter, single = kind
        parts = (getter(v),) if single else getter(v)
    if not plain.issuperset(map(type, parts)):
        for x in parts:
            if type(x) not in plain and id(x) not in seen:
                _check(x, seen)
    seen.add(i)


ALL_INVARIANTS: list[Invariant] = [
    token_conservation,
    asset_conservation,
    delegation_pot_backs_deposits,
    services_pot_holds_staged_payments,
    staking_locks_match_ledgers,
    lst_pools_back_their_claims,
    operator_state_machine,
    operator_stake_is_reserved,
    delegation_books_balance,
    instance_limits_respected,
    no_service_from_expired_request,
    slashes_respect_windows_and_disputes,
    staking_slashes_wait_for_their_era,
    *REFERENCE_INVARIANTS,
    state_is_immutable,
]
"""Every invariant, in the order the machine checks them."""

__all__ = [
    "ALL_INVARIANTS", "Invariant", "Ledger", "SlashRecord", "new_events", "events_with_round", "LEGAL_OPERATOR_EDGES",
    "token_conservation", "asset_conservation", "delegation_pot_backs_deposits", "services_pot_holds_staged_payments",
    "staking_locks_match_ledgers", "lst_pools_back_their_claims", "operator_state_machine", "operator_stake_is_reserved",
    "delegation_books_balance", "instance_limits_respected", "no_service_from_expired_request", "slashes_respect_windows_and_disputes",
    "staking_slashes_wait_for_their_era",
    "services_references_resolve", "delegation_references_resolve", "staking_references_resolve", "lst_references_resolve",
    "rewards_references_resolve", "state_is_immutable",
]
