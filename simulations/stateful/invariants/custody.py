"""Custody: every account that holds other people's tokens holds exactly what it owes.

Token conservation alone cannot see a pallet that keeps tokens it should have paid out (a refund
that never happens still conserves tokens: they just stay in the pot). These invariants compare
each custodian's balance with the claims recorded against it.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from runtime import Runtime
from simulations.stateful.invariants.ledger import Ledger, new_events


#: Real-profile Lst quirks that pay unbonders more than the pool holds for them.
LST_OVERPAY_QUIRKS = ("lst.unbond_burn_before_pricing", "lst.on_slash_not_wired", "lst.unbonding_members_overwrite", "lst.unbond_sweeps_pool_dust")


def _asset_key(asset: Any) -> int | str:
    """``Custom(id)`` -> id; ``Erc20(addr)`` -> the address (held outside pallet_assets)."""
    return asset.value if asset.name == "Custom" else f"erc20:{asset.value}"


def _holdings(rt: Runtime, who: str, keys: set[int | str]) -> dict[int | str, int]:
    out: dict[int | str, int] = {}
    fungibles = rt.pallets["Assets"].fungibles if "Assets" in rt.pallets else None  # type: ignore[attr-defined]
    for key in keys:
        if key == 0:
            out[key] = rt.pallets["Balances"].free_balance(who)  # type: ignore[attr-defined]
        elif isinstance(key, int) and fungibles is not None:
            out[key] = fungibles.balance(key, who)
    return out


def _voided(rt: Runtime, key: int | str) -> bool:
    """Is asset ``key`` being destroyed or gone? Its owner (or root) may destroy it whoever holds
    it: ``destroy_accounts`` removes every holder's balance, a pallet's pot included, and no hook
    lets that pallet refuse (pallet-assets has none), so what the pot owed in it is void on chain too."""
    if not isinstance(key, int) or key == 0 or "Assets" not in rt.pallets:
        return False
    details = rt.pallets["Assets"].storage.Asset.get(key)  # type: ignore[attr-defined]
    return details is None or details.status.name == "Destroying"


def _forced(rt: Runtime, ledger: Ledger, consumer: str) -> set[int]:
    """Assets whose parameters root re-set by decree (``Assets.force_asset_status``, the force
    origin's): a min balance raised above what a pot holds makes the pot's next transfer out reap
    it, the rest burned as dust, and nothing lets the pot's pallet refuse. From then on their pots
    are not held to the exact check (found by a 10^7-step campaign: root raised USDC's minimum to one
    unit above MultiAssetDelegation's pot, and the next slash reaped the pot)."""
    forced: set[int] = ledger.extra.setdefault("forced_assets", set())
    for ev in new_events(rt, ledger, consumer):
        if ev.spec.pallet == "Assets" and ev.spec.name == "AssetStatusChanged":
            forced.add(ev["asset_id"])
    return forced


def _exact_keys(rt: Runtime, ledger: Ledger, consumer: str, owed: Counter[int | str]) -> set[int | str]:
    """The assets a pot is held to exactly (TNT always): those owed, less :func:`_voided` and :func:`_forced` ones."""
    forced = _forced(rt, ledger, consumer)
    return {k for k in owed if not _voided(rt, k) and k not in forced} | {0}


def delegation_pot_backs_deposits(rt: Runtime, ledger: Ledger) -> None:
    """MultiAssetDelegation's pot holds, per asset, exactly the delegators' deposits plus their
    pending withdrawals (the real profile's slash residue, ``mad.slash_leaves_residue``, keeps
    deposits that left the pot, so this is checked when that quirk is off). Assets being destroyed
    or gone, or whose parameters root forced, are not checked (:func:`_voided`, :func:`_forced`)."""
    mad = rt.pallets.get("MultiAssetDelegation")
    if mad is None or rt.ctx.quirk("mad.slash_leaves_residue"):
        return
    owed: Counter[int | str] = Counter()
    for meta in mad.storage.Delegators.values():  # type: ignore[attr-defined]
        for asset, dep in meta.deposits:
            owed[_asset_key(asset)] += dep.amount
        for req in meta.withdraw_requests:
            owed[_asset_key(req.asset)] += req.amount
    pot = mad.pallet_account()  # type: ignore[attr-defined]
    held = _holdings(rt, pot, _exact_keys(rt, ledger, "delegation_pot_backs_deposits", owed))
    for key, amount in held.items():
        assert amount == owed[key], f"MultiAssetDelegation pot holds {amount} of asset {key} but owes {owed[key]} in deposits and pending withdrawals"


def services_pot_holds_staged_payments(rt: Runtime, ledger: Ledger) -> None:
    """The Services pallet account holds exactly the staged request payments (per asset): a payment
    leaves it only to the manager when the service starts, or back to the requester on rejection or
    expiry. Assets being destroyed or gone, or whose parameters root forced, are not checked
    (:func:`_voided`, :func:`_forced`)."""
    services = rt.pallets.get("Services")
    if services is None:
        return
    owed: Counter[int | str] = Counter()
    # real profile (quirk services.sub_minimum_payment_lost_as_dust): a staged payment below its
    # asset's minimum can be reaped as dust when the account pays another out: the account may
    # fall short of what is staged by at most those payments
    dust: Counter[int | str] = Counter()
    lossy = rt.ctx.quirk("services.sub_minimum_payment_lost_as_dust")
    for payment in services.storage.StagingServicePayments.values():  # type: ignore[attr-defined]
        key = _asset_key(payment.asset)
        owed[key] += payment.amount
        if lossy and isinstance(key, int) and payment.amount < _minimum(rt, key):
            dust[key] += payment.amount
    pot = services.pallet_account()  # type: ignore[attr-defined]
    held = _holdings(rt, pot, _exact_keys(rt, ledger, "services_pot_holds_staged_payments", owed))
    for key, amount in held.items():
        if dust[key]:
            assert owed[key] - dust[key] <= amount <= owed[key], (
                f"Services pallet account holds {amount} of asset {key} but {owed[key]} is staged "
                f"(of which at most {dust[key]}, below the asset's minimum, may have been lost as dust)")
        else:
            assert amount == owed[key], f"Services pallet account holds {amount} of asset {key} but {owed[key]} is staged"


def _minimum(rt: Runtime, asset_id: int) -> int:
    if asset_id == 0:
        return rt.pallets["Balances"].consts.ExistentialDeposit  # type: ignore[attr-defined]
    assets = rt.pallets.get("Assets")
    return 0 if assets is None else assets.fungibles.minimum_balance(asset_id)  # type: ignore[attr-defined]


def staking_locks_match_ledgers(rt: Runtime, ledger: Ledger) -> None:
    """Every staking ledger is backed: its stash's ``staking`` lock equals ``ledger.total``, the
    total is covered by the stash's balance, ``active <= total`` and the unlocking chunks add up."""
    staking = rt.pallets.get("Staking")
    if staking is None:
        return
    balances = rt.pallets["Balances"]
    # The real Lst quirks over-pay unbonders out of a pool's bonded account, and dissolving a pool
    # zeroes that account while its staking ledger stays, so the ledger can outgrow what the
    # account holds; pools (even dissolved ones) are judged by lst_pools_back_their_claims instead.
    lst = rt.pallets.get("Lst")
    pools: set[str] = set()
    if lst is not None and any(rt.ctx.quirk(q) for q in (*LST_OVERPAY_QUIRKS, "lst.depositor_withdraw_dissolves_pool")):
        # every pool's bonded account ever seen (LastPoolId can be set by root to anything: not a range to walk)
        pools = ledger.extra.setdefault("lst_bonded_accounts", set())
        pools.update(lst.storage.ReversePoolIdLookup.keys())  # type: ignore[attr-defined]
        for ev in new_events(rt, ledger, "staking_locks_match_ledgers"):
            if ev.spec.pallet == "Lst" and ev.spec.name == "Created":
                pools.add(lst.bonded_account(ev["pool_id"]))  # type: ignore[attr-defined]
    for stash, led in staking.storage.Ledger.items():  # type: ignore[attr-defined]
        if stash in pools:
            continue
        unlocking = sum([c.value for c in led.unlocking])
        assert led.active + unlocking == led.total, f"staking ledger of {stash}: active {led.active} + unlocking {unlocking} != total {led.total}"
        lock = balances.locked(b"staking ", stash)  # type: ignore[attr-defined]
        assert lock == led.total, f"staking lock of {stash} is {lock}, its ledger total {led.total}"
        total_balance = balances.total_balance(stash)  # type: ignore[attr-defined]
        assert led.total <= total_balance, f"{stash} has {led.total} bonded but only {total_balance} in its account"


def lst_pools_back_their_claims(rt: Runtime, ledger: Ledger) -> None:
    """Each Lst pool's bonded account holds its active stake plus every unbonding sub-pool's balance
    (what unbonders will be paid), with at most rounding dust to spare: one base unit per unbond or
    withdrawal so far. Members' unbonding points add up to the sub-pools' points, and the
    ``TotalValueLocked`` is the pools' bonded stake (active + unlocking), as upstream nomination-pools'
    try_state asserts ("TVL deviates from the actual sum of funds of all Pools"; exact since its
    ``on_withdraw``, polkadot-sdk PR #3052: a staking auto-withdraw lowers both; tangle-lst v1.4.3 has
    no try_state of its own). With ``lst.auto_withdraw_not_in_tvl`` alone the TVL may exceed that
    stake by what staking released (and, with ``lst.on_slash_not_wired``, slashed) from pool
    accounts. (Checked with the over-paying real quirks off: they over-pay unbonders on purpose.)"""
    lst = rt.pallets.get("Lst")
    staking = rt.pallets.get("Staking")
    if lst is None or staking is None:
        return
    # lst.auto_withdraw_not_in_tvl (real): TotalValueLocked misses what staking releases from a pool
    # account on its own (unbond's auto-withdraw), and, with lst.on_slash_not_wired, what it slashes;
    # the TVL may then exceed the pools' bonded stake by at most those amounts (from the events, so a
    # replay sees them too), never fall below it.
    # Only an auto-withdraw counts: a Staking.Withdrawn in the same extrinsic as a Staking.Unbonded
    # of that stash (unbond withdraws the unlocked chunks itself when all of them are in use). Lst's
    # own withdrawals (withdraw_from_staking: pool_withdraw_unbonded, withdraw_unbonded) also emit
    # Staking.Withdrawn but lower the TVL themselves; counting them would let a TVL they failed to
    # lower pass.
    stale_tvl = rt.ctx.quirk("lst.auto_withdraw_not_in_tvl")
    unslashed = rt.ctx.quirk("lst.on_slash_not_wired")
    fresh = new_events(rt, ledger, "lst_pools_back_their_claims")
    unbonding = {(ev.block, ev.phase, ev.extrinsic_idx, ev["stash"]) for ev in fresh
                 if ev.spec.pallet == "Staking" and ev.spec.name == "Unbonded"} if stale_tvl else set()
    for ev in fresh:
        if ev.spec.pallet == "Lst" and ev.spec.name in ("Unbonded", "Withdrawn", "PoolSlashed", "UnbondingPoolSlashed"):
            pid = ev["pool_id"]
            ledger.pool_slack_allowance[pid] = ledger.pool_slack_allowance.get(pid, 1) + 1
        elif stale_tvl and ev.spec.pallet == "Staking" and (
                (ev.spec.name == "Withdrawn" and (ev.block, ev.phase, ev.extrinsic_idx, ev["stash"]) in unbonding)
                or (unslashed and ev.spec.name == "Slashed")):
            who = ev["stash"] if ev.spec.name == "Withdrawn" else ev["staker"]
            if lst.storage.ReversePoolIdLookup.get(who) is not None:  # type: ignore[attr-defined]
                ledger.extra["lst_tvl_excess_allowed"] = ledger.extra.get("lst_tvl_excess_allowed", 0) + ev["amount"]
    real = any(rt.ctx.quirk(q) for q in LST_OVERPAY_QUIRKS)
    if real:
        return
    balances = rt.pallets["Balances"]
    s = lst.storage  # type: ignore[attr-defined]
    member_points: Counter[int] = Counter()
    for record in s.UnbondingMembers.values():
        for _era, (pid, points) in record.unbonding_eras:
            member_points[pid] += points
    tvl = 0
    for pid in s.BondedPools.keys():
        bonded = lst.bonded_account(pid)  # type: ignore[attr-defined]
        led = staking.storage.Ledger.get(bonded)  # type: ignore[attr-defined]
        active = led.active if led is not None else 0
        tvl += led.total if led is not None else 0
        sub = s.SubPoolsStorage.get(pid)
        owed = 0 if sub is None else sub.no_era.balance + sum(p.balance for _, p in sub.with_era)
        points = 0 if sub is None else sub.no_era.points + sum(p.points for _, p in sub.with_era)
        held = balances.total_balance(bonded)  # type: ignore[attr-defined]
        slack = held - active - owed
        assert slack >= 0, f"Lst pool {pid} owes {active} active + {owed} unbonding but its bonded account holds {held}"
        allowance = ledger.pool_slack_allowance.get(pid, 1)
        assert slack <= allowance, f"Lst pool {pid} holds {slack} more than its active stake and unbonding claims (rounding allows {allowance}): tokens lost to members"
        assert points == member_points[pid], f"Lst pool {pid}: sub-pools hold {points} points, members are owed {member_points[pid]}"
    locked = s.TotalValueLocked.value()
    if stale_tvl:
        excess = ledger.extra.get("lst_tvl_excess_allowed", 0)
        assert tvl <= locked <= tvl + excess, (
            f"Lst TotalValueLocked {locked} outside pools' bonded stake {tvl} plus what staking released or "
            f"slashed without telling Lst ({excess}; lst.auto_withdraw_not_in_tvl)")
    else:
        assert locked == tvl, f"Lst TotalValueLocked {locked} != pools' bonded stake {tvl}"
