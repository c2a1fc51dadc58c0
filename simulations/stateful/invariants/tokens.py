"""Token conservation: no token is created or destroyed except by an event that says so.

Every holding is an account balance (free or reserved/held), including pallet pots, Lst pools'
bonded and reward accounts, MultiAssetDelegation's pot, staged service payments and pending
withdrawals, and staking locks only freeze balances in place. So "issuance = sum of free +
reserved + pooled + pending" is "issuance = sum of every account's free + reserved".
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from runtime import Runtime
from runtime.storage import _MISSING
from simulations.stateful.invariants.ledger import Ledger, new_events

#: Balances events that change total issuance, with their sign (field ``amount``). ``Deposit`` is
#: ``Currency::deposit_creating`` (staking payouts, and the Treasury taking a slash or an era's
#: remainder: its positive imbalance raises the issuance); a fee's ``Withdraw`` and the ``Deposit``s
#: that pay it out (refund, Treasury) cancel, so counting both keeps a fee at zero.
NATIVE_ISSUANCE_EVENTS: dict[str, int] = {"Balances.Minted": 1, "Balances.Burned": -1, "Balances.DustLost": -1, "Balances.Slashed": -1,
                                          "Balances.Deposit": 1, "Balances.Withdraw": -1}
#: Events after which issuance may be anything (root forcing balances).
NATIVE_FORCING_EVENTS = frozenset({"Balances.BalanceSet", "Balances.TotalIssuanceForced"})


def token_conservation(rt: Runtime, ledger: Ledger) -> None:
    """Native TNT: total issuance equals the sum of every account's free and reserved balance, and
    between two checks it moved exactly by the events of ``NATIVE_ISSUANCE_EVENTS`` (staking rewards
    and the Treasury's credits deposit, era rewards mint, slashes and dust burn; nothing else may)."""
    held = 0
    for a in rt.pallets["System"].storage.Account.values():  # type: ignore[attr-defined]
        held += a.free + a.reserved
    _native_issuance_is_held(rt, ledger, held)


def token_conservation_incremental(rt: Runtime, ledger: Ledger, written: dict[Any, Any]) -> None:
    """:func:`token_conservation` after a step that wrote the accounts ``written`` (account -> its
    value before the step, ``runtime.storage._MISSING`` if it did not exist): the sum of balances
    is the last check's sum moved by those accounts' changes, so the check costs the accounts the
    step wrote, not every account. (The full form, run periodically, recomputes the sum.)"""
    held = ledger.extra.get("native_held")
    if held is None:
        token_conservation(rt, ledger)
        return
    accounts = rt.pallets["System"].storage.Account  # type: ignore[attr-defined]
    for who, old in written.items():
        if old is not _MISSING:
            held -= old.free + old.reserved
        if accounts.contains(who):
            now = accounts.get(who)
            held += now.free + now.reserved
    _native_issuance_is_held(rt, ledger, held)


def _native_issuance_is_held(rt: Runtime, ledger: Ledger, held: int) -> None:
    balances = rt.pallets["Balances"]
    issuance = balances.total_issuance()  # type: ignore[attr-defined]
    fresh = new_events(rt, ledger, "token_conservation")
    # root may move issuance away from the sum of balances on purpose (force_adjust_total_issuance)
    offset = ledger.extra.get("forced_issuance_offset", 0)
    for ev in fresh:
        if ev.spec.pallet == "Balances" and ev.spec.name == "TotalIssuanceForced":
            offset += ev["new"] - ev["old"]
    ledger.extra["forced_issuance_offset"] = offset
    ledger.extra["native_held"] = held
    assert issuance - offset == held, (
        f"native issuance {issuance} != sum of balances {held} (difference {issuance - held}"
        + (f", of which {offset} forced by root)" if offset else ")"))
    if ledger.native_issuance is not None:
        expected = ledger.native_issuance
        forced = False
        for ev in fresh:
            if ev.spec.pallet != "Balances":
                continue
            name = ev.name
            sign = NATIVE_ISSUANCE_EVENTS.get(name)
            if sign is not None:
                expected += sign * ev["amount"]
            elif name in NATIVE_FORCING_EVENTS:
                forced = True
        if not forced:
            assert issuance == expected, (
                f"native issuance moved by {issuance - ledger.native_issuance} but mint/burn/slash events account for {expected - ledger.native_issuance}")
    ledger.native_issuance = issuance


def asset_conservation(rt: Runtime, ledger: Ledger) -> None:
    """pallet_assets (including Lst pool tokens): each asset's supply equals the sum of its holders'
    balances, and between two checks it moved exactly by its ``Issued`` and ``Burned`` events."""
    assets = rt.pallets.get("Assets")
    if assets is None:
        return
    holders: Counter[int] = Counter()
    for (asset_id, _who), acc in assets.storage.Account.items():  # type: ignore[attr-defined]
        holders[asset_id] += acc.balance
    moved: Counter[int] = Counter()
    for ev in new_events(rt, ledger, "asset_conservation"):
        if ev.spec.pallet != "Assets":
            continue
        if ev.spec.name == "Issued":
            moved[ev["asset_id"]] += ev["amount"]
        elif ev.spec.name == "Burned":
            moved[ev["asset_id"]] -= ev["balance"]
    # the real trait transfer destroys a dying source's dust without an event (quirk): the supply then
    # exceeds the balances by exactly what the pallet's (extension) DustDestroyed records
    destroyed = assets.storage.DustDestroyed  # type: ignore[attr-defined]
    supply: dict[int, int] = {}
    for asset_id, details in assets.storage.Asset.items():  # type: ignore[attr-defined]
        lost = destroyed.get(asset_id) or 0
        if details.status.name == "Destroying":
            # destroy_accounts drops accounts with their balances and leaves the supply (pallet_assets):
            # no balance can move or appear while destroying, so the holders can only be fewer
            assert holders[asset_id] + lost <= details.supply, (f"asset {asset_id} (destroying): its holders have {holders[asset_id]}, "
                                                                f"more than its supply {details.supply}")
        else:
            assert details.supply == holders[asset_id] + lost, (f"asset {asset_id}: supply {details.supply} != sum of balances {holders[asset_id]}"
                                                                + (f" + {lost} destroyed as dust" if lost else ""))
        supply[asset_id] = details.supply
    orphans = set(holders) - set(supply)
    assert not orphans, f"balances of assets that do not exist: {sorted(orphans)}"
    if ledger.extra.get("asset_supply_seen"):
        for asset_id, now in supply.items():
            before = ledger.asset_supply.get(asset_id, 0)
            assert now - before == moved[asset_id], f"asset {asset_id}: supply moved by {now - before} but Issued/Burned events account for {moved[asset_id]}"
    ledger.extra["asset_supply_seen"] = True
    ledger.asset_supply = supply
