"""Invariants made incremental: after a step, check only those whose storage the step touched.

What a step touched comes from the storage journal: the engine opens one transaction around the
step, so every write the call (or the hooks of the blocks it waits through) made stays in the
journal until the step ends, and the set of pallets written is read off it. Each built-in invariant
declares the pallets it reads (:data:`READS`); one that is not declared (a user's) runs after every
step. Every ``full_every`` steps and at the end of a run every invariant runs regardless.
"""

from __future__ import annotations

from typing import Any, Callable, Iterable

from runtime import Runtime
from simulations.stateful.invariants import ALL_INVARIANTS, Ledger

Invariant = Callable[[Runtime, Ledger], None]

# the storage (or event) a step must touch for the invariant to be worth re-checking; "System.Account"
# is balances (System's other items change every block)
_MONEY = {"Balances", "System.Account", "Assets"}
FULL_ONLY = "(full checks only)"
READS: dict[str, frozenset[str]] = {name: frozenset(deps) for name, deps in {
    "token_conservation": {"Balances", "System.Account"},
    "asset_conservation": {"Assets"},
    "delegation_pot_backs_deposits": {"MultiAssetDelegation", *_MONEY},
    "services_pot_holds_staged_payments": {"Services", *_MONEY},
    "staking_locks_match_ledgers": {"Staking", "Lst", *_MONEY},
    "lst_pools_back_their_claims": {"Lst", "Staking", *_MONEY},
    "operator_state_machine": {"MultiAssetDelegation"},
    "operator_stake_is_reserved": {"MultiAssetDelegation", *_MONEY},
    "delegation_books_balance": {"MultiAssetDelegation"},
    "instance_limits_respected": {"Services"},
    "no_service_from_expired_request": {"Services"},
    "slashes_respect_windows_and_disputes": {"Services", "MultiAssetDelegation"},
    "staking_slashes_wait_for_their_era": {"Staking"},
    "services_references_resolve": {"Services", "MultiAssetDelegation"},
    "delegation_references_resolve": {"MultiAssetDelegation", "Services"},
    "staking_references_resolve": {"Staking"},
    "lst_references_resolve": {"Lst", "Assets", "Staking"},
    "rewards_references_resolve": {"Rewards"},
    # renders every changed value canonically (the state root): on full checks only
    "state_is_immutable": {FULL_ONLY},
}.items()}
_BUILT_IN = {fn.__name__: fn for fn in ALL_INVARIANTS}


def touched_pallets(journal: list[tuple[Any, Any, Any]], events: Iterable[Any]) -> set[str]:
    """Pallets written by the journal's entries, and pallets that deposited ``events``."""
    out: set[str] = set()
    for item, _key, _old in journal:
        prefix = item.prefix
        if prefix == "System":
            if item.name == "Account":
                out.add("System.Account")
        else:
            out.add(prefix)
    for ev in events:
        out.add(ev.spec.pallet)
    return out


class InvariantSet:
    """The invariants of a campaign with their read sets; :meth:`check` runs the affected ones."""

    def __init__(self, invariants: Iterable[Invariant] = ALL_INVARIANTS) -> None:
        self.invariants: list[tuple[str, Invariant, frozenset[str] | None]] = []
        for fn in invariants:
            name = getattr(fn, "__name__", repr(fn))
            reads = READS.get(name) if _BUILT_IN.get(name) is fn else None
            self.invariants.append((name, fn, reads))
        self.runs: dict[str, int] = {name: 0 for name, _, _ in self.invariants}

    def check(self, rt: Runtime, ledger: Ledger, touched: set[str] | None) -> None:
        """Run every invariant whose reads meet ``touched`` (all of them when ``touched`` is None).
        Raises :class:`InvariantFailure` at the first that fails."""
        runs = self.runs
        for name, fn, reads in self.invariants:
            if touched is not None and reads is not None and reads.isdisjoint(touched):
                continue
            runs[name] += 1
            try:
                fn(rt, ledger)
            except AssertionError as exc:
                raise InvariantFailure(name, fn, str(exc)) from None

    def functions(self) -> list[Invariant]:
        return [fn for _, fn, _ in self.invariants]


class InvariantFailure(AssertionError):
    """An invariant failed: its name, function and message."""

    def __init__(self, name: str, fn: Invariant, message: str) -> None:
        self.name = name
        self.fn = fn
        self.message = message
        super().__init__(f"invariant {name} fails: {message}")
