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
#: runs only on the final check of a run (and the first), not on the periodic full checks: see READS
END_ONLY = "(end of a run only)"
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
    # Renders every value changed since the last root canonically (the state root). Its cost is the
    # number of distinct keys written between two roots, so fewer roots merge repeated writes (the
    # hooks rewrite the same era and session keys every rotation): it runs on the first and the
    # final check of a run only. It loses nothing a pallet keeps doing: every key written during a
    # run is still pending at the run's end and rendered then; a non-canonical value that is
    # overwritten by a canonical one within the same run is the only thing it can miss.
    "state_is_immutable": {END_ONLY},
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

    def check(self, rt: Runtime, ledger: Ledger, touched: set[str] | None, final: bool = True) -> None:
        """Run every invariant whose reads meet ``touched`` (all of them when ``touched`` is None,
        except the end-of-run-only ones unless ``final``).
        Raises :class:`InvariantFailure` at the first that fails."""
        runs = self.runs
        for name, fn, reads in self.invariants:
            if reads is not None:
                if touched is not None:
                    if reads.isdisjoint(touched):
                        continue
                elif not final and END_ONLY in reads:
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
