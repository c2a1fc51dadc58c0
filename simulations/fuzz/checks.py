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

from typing import Any, Callable, Iterable

from runtime import Runtime
from simulations.stateful.invariants import ALL_INVARIANTS, Ledger

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
    "token_conservation": {_ACCOUNT, "Balances.TotalIssuance", "event:Balances"},
    "asset_conservation": {"Assets.Account", "Assets.Asset", "event:Assets"},
    "delegation_pot_backs_deposits": {"MultiAssetDelegation.Delegators", *_ASSET_HOLDINGS},
    "services_pot_holds_staged_payments": {"Services.StagingServicePayments", *_ASSET_HOLDINGS},
    "staking_locks_match_ledgers": {"Staking.Ledger", "Balances.Locks", _ACCOUNT, "Lst.ReversePoolIdLookup", "event:Lst"},
    "lst_pools_back_their_claims": {"event:Lst", "Lst.UnbondingMembers", "Lst.BondedPools", "Lst.SubPoolsStorage", "Lst.TotalValueLocked",
                                    "Staking.Ledger", _ACCOUNT},
    "operator_state_machine": {"MultiAssetDelegation.Operators", "event:MultiAssetDelegation"},
    "operator_stake_is_reserved": {"MultiAssetDelegation.Operators", _ACCOUNT, "event:Balances", "event:Proxy", "Assets.Asset",
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


def touched(journal: list[tuple[Any, Any, Any]], events: Iterable[Any]) -> set[str]:
    """What a step touched, in the terms of :data:`READS`: ``"Pallet.Item"`` and ``"Pallet"`` for
    every item written (the journal), ``"event:Pallet"`` and ``"Pallet"`` for every pallet that
    deposited ``events``."""
    out: set[str] = set()
    items = {entry[0] for entry in journal}
    for item in items:
        out.add(f"{item.prefix}.{item.name}")
        out.add(item.prefix)
    for pallet in {ev.spec.pallet for ev in events}:
        out.add(pallet)
        out.add("event:" + pallet)
    return out


def touched_pallets(journal: list[tuple[Any, Any, Any]], events: Iterable[Any]) -> set[str]:
    """Pallets written by the journal's entries, and pallets that deposited ``events``."""
    return {label for label in touched(journal, events) if "." not in label and not label.startswith("event:")}


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
