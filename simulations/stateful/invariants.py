"""Invariants of the whole runtime, as plain functions users can call from their own machines.

Each takes the runtime (and, where it needs what happened before, a :class:`Ledger`) and raises
``AssertionError`` with a message saying what broke. They only look at pallets that exist, so the
same functions work on a runtime with extra user pallets or without some of ours.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Callable

from runtime import Runtime

# Balances events that change total issuance, with their sign.
_ISSUANCE_EVENTS = {"Balances.Minted": 1, "Balances.Burned": -1, "Balances.DustLost": -1, "Balances.Slashed": -1}


@dataclass
class Ledger:
    """What the invariants remember between steps."""

    events_seen: int = 0
    native_issuance: int | None = None
    asset_supply: dict[int, int] = field(default_factory=dict)
    operator_status: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def _new_events(rt: Runtime, ledger: Ledger) -> list[Any]:
    events = rt.all_events()
    fresh = events[ledger.events_seen:]
    ledger.events_seen = len(events)
    return fresh


def token_conservation(rt: Runtime, ledger: Ledger) -> None:
    """No token is created or lost: native issuance equals the sum of all free and reserved
    (held) balances (pallet pots, pools and pending withdrawals are accounts too), each asset's
    supply equals the sum of its holders' balances, and between two checks issuance moved only by
    mint/burn/slash events."""
    system = rt.pallets["System"]
    balances = rt.pallets["Balances"]
    issuance = balances.total_issuance()  # type: ignore[attr-defined]
    held = sum(a.free + a.reserved for a in system.storage.Account.values())  # type: ignore[attr-defined]
    assert issuance == held, f"native issuance {issuance} != sum of balances {held} (difference {issuance - held})"
    fresh = _new_events(rt, ledger)
    if ledger.native_issuance is not None:
        expected = ledger.native_issuance
        forced = False
        for ev in fresh:
            sign = _ISSUANCE_EVENTS.get(ev.name)
            if sign is not None:
                expected += sign * (ev["amount"])
            elif ev.name in ("Balances.BalanceSet", "Balances.TotalIssuanceForced"):
                forced = True
        if not forced:
            assert issuance == expected, f"native issuance moved by {issuance - ledger.native_issuance} but mint/burn/slash events account for {expected - ledger.native_issuance}"
    ledger.native_issuance = issuance
    assets = rt.pallets.get("Assets")
    if assets is not None:
        holders: Counter[int] = Counter()
        for (asset_id, _who), acc in assets.storage.Account.items():  # type: ignore[attr-defined]
            holders[asset_id] += acc.balance
        for asset_id, details in assets.storage.Asset.items():  # type: ignore[attr-defined]
            assert details.supply == holders[asset_id], f"asset {asset_id}: supply {details.supply} != sum of balances {holders[asset_id]}"
            ledger.asset_supply[asset_id] = details.supply


LEGAL_OPERATOR_EDGES = {
    (None, "Active"),
    ("Active", "Inactive"),
    ("Inactive", "Active"),
    ("Active", "Leaving"),
    ("Inactive", "Leaving"),
    ("Leaving", "Active"),
    ("Leaving", None),
}


def operator_state_machine(rt: Runtime, ledger: Ledger) -> None:
    """MultiAssetDelegation operators move only along legal edges (join → Active ⇄ Inactive →
    Leaving → gone or back to Active)."""
    mad = rt.pallets.get("MultiAssetDelegation")
    if mad is None:
        return
    now: dict[str, str] = {}
    for who, meta in mad.storage.Operators.items():  # type: ignore[attr-defined]
        status = meta.status
        now[who] = status.name if hasattr(status, "name") else str(status)
    for who in set(now) | set(ledger.operator_status):
        before, after = ledger.operator_status.get(who), now.get(who)
        if before != after:
            assert (before, after) in LEGAL_OPERATOR_EDGES, f"operator {who} moved {before} -> {after}, not a legal edge"
    ledger.operator_status = now


def state_is_immutable(rt: Runtime, ledger: Ledger) -> None:
    """Every stored value is immutable and canonical (no lists, dicts, sets, floats or mutable
    dataclasses in state). The state root renders every value changed since the last root
    canonically and refuses anything else, so this costs only what changed."""
    try:
        rt.state_root()
    except TypeError as exc:
        raise AssertionError(f"mutable or non-canonical value in state: {exc}") from None


ALL_INVARIANTS: list[Callable[[Runtime, Ledger], None]] = [token_conservation, operator_state_machine, state_is_immutable]
