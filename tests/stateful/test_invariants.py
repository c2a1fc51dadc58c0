"""The invariants as plain functions: they accept what root may legitimately do and still catch a leak."""

from __future__ import annotations

import pytest

from simulations.stateful import Ledger, token_conservation, world
from simulations.stateful.invariants import operator_stake_is_reserved


def test_forced_issuance_is_allowed_but_a_leak_after_it_is_caught() -> None:
    rt = world.build_world()
    ledger = Ledger()
    token_conservation(rt, ledger)
    rt.dispatch("root", "Balances", "force_adjust_total_issuance", {"direction": "Increase", "delta": 5})
    token_conservation(rt, ledger)  # root moved issuance on purpose: not a violation
    alice = world.DEV_ACCOUNTS["Alice"]
    system = rt.pallets["System"]
    system.set_account(alice, system.account(alice)._replace(free=system.account(alice).free - 1))  # a token vanishes
    with pytest.raises(AssertionError, match=r"difference 6, of which 5 forced by root"):
        token_conservation(rt, ledger)


def test_unreserving_an_operators_bond_breaks_its_backing() -> None:
    rt = world.build_world()
    ledger = Ledger()
    operator_stake_is_reserved(rt, ledger)
    rt.dispatch("root", "Balances", "force_unreserve", {"who": world.SETUP_OPERATORS[0], "amount": 1})
    with pytest.raises(AssertionError, match=r"reserved; its stake \d+ and 0 asset and governance deposits: allow exactly"):
        operator_stake_is_reserved(rt, ledger)


def test_root_lowering_last_pool_id_is_not_a_broken_reference_and_cannot_reuse_a_pool() -> None:
    from simulations.stateful.invariants import lst_references_resolve

    rt = world.build_world()
    rt.dispatch("root", "Lst", "set_last_pool_id", {"pool_id": 0})  # below pool 1
    lst_references_resolve(rt, Ledger())
    receipt = rt.dispatch("Ferdie", "Lst", "create", {"amount": 10 * 10**18, "root": "Ferdie", "nominator": "Ferdie", "bouncer": "Ferdie",
                                                      "name": None, "icon": None}, raise_error=False)
    assert receipt.error_name == "Lst.PoolTokenCreationFailed"  # pool 1 keeps its depositor and token
    assert rt.pallets["Lst"].storage.BondedPools.get(1).roles.depositor == world.POOL_DEPOSITOR


def test_a_democracy_deposit_cannot_overlap_a_bond_so_cancel_proposal_leaves_the_ledger_backed() -> None:
    """newuser10 finding 4: Alice bonds all but 1,000 TNT, proposes with a 1,500 TNT deposit, root
    cancels the proposal (its deposit is slashed to the treasury). On the pinned pallet-balances (stable2407) the
    deposit's ``reserve`` needs the free balance left >= frozen, so ``propose`` fails with
    ``Balances.LiquidityRestrictions`` and the stash keeps its bond backed; a deposit that fits
    beside the lock (once Bob sent 1,000 TNT more) is slashed without touching the bond's backing."""
    from runtime import UNIT, DispatchError
    from pallets.primitives.bounded import inline
    from simulations.stateful.invariants import staking_locks_match_ledgers

    rt = world.build_world()
    ledger = Ledger()
    alice = world.DEV_ACCOUNTS["Alice"]
    rt.dispatch("Alice", "Staking", "bond_extra", {"max_additional": rt.free_balance(alice) - 1_000 * UNIT})
    proposal = inline({"call_module": "System", "call_function": "remark", "call_params": {"remark": "0x01"}})
    before = rt.pallets["System"].account(alice)
    with pytest.raises(DispatchError) as exc:
        rt.dispatch("Alice", "Democracy", "propose", {"proposal": proposal, "value": 1_500 * UNIT})
    assert exc.value.qualified_name == "Balances.LiquidityRestrictions"
    assert rt.pallets["System"].account(alice) == before  # nothing reserved
    rt.dispatch("Bob", "Balances", "transfer_keep_alive", {"dest": "Alice", "value": 1_000 * UNIT})
    rt.dispatch("Alice", "Democracy", "propose", {"proposal": proposal, "value": 1_500 * UNIT})  # now fits beside the lock
    index = rt.query("Democracy", "PublicPropCount").value - 1
    rt.dispatch("root", "Democracy", "cancel_proposal", {"prop_index": index})
    assert rt.pallets["Balances"].reserved_balance(alice) == before.reserved
    staking_locks_match_ledgers(rt, ledger)


def test_staking_locks_match_ledgers_still_catches_an_unbacked_bond_and_a_wrong_lock() -> None:
    from simulations.stateful.invariants import staking_locks_match_ledgers

    rt = world.build_world()
    ledger = Ledger()
    staking_locks_match_ledgers(rt, ledger)
    alice = world.DEV_ACCOUNTS["Alice"]
    total = rt.pallets["Staking"].storage.Ledger.get(alice).total
    system, balances = rt.pallets["System"], rt.pallets["Balances"]
    acc = system.account(alice)
    system.set_account(alice, acc._replace(free=total - acc.reserved - 1))  # a token of the bond vanishes
    with pytest.raises(AssertionError, match=rf"{alice} has {total} bonded but only {total - 1} in its account"):
        staking_locks_match_ledgers(rt, ledger)
    system.set_account(alice, acc)
    rt.db.transactional(lambda: balances.set_lock(b"staking ", alice, total - 1))
    with pytest.raises(AssertionError, match=rf"staking lock of {alice} is {total - 1}, its ledger total {total}"):
        staking_locks_match_ledgers(rt, ledger)


def _pool_with_full_unlocking(genesis: dict | None = None):  # type: ignore[no-untyped-def]
    """World pool 1 after Bob and Charlie joined and Bob unbonded 1 TNT in each of 32 eras: its
    bonded account's ledger holds MaxUnlockingChunks (32) chunks, the oldest ones unlocked
    (BondingDuration 2); Bob is at MaxUnbonding (32), so Charlie makes the 33rd unbond."""
    from runtime import UNIT

    rt = world.build_world(genesis)
    rt.dispatch("Bob", "Lst", "join", {"amount": 100 * UNIT, "pool_id": 1})
    rt.dispatch("Charlie", "Lst", "join", {"amount": 100 * UNIT, "pool_id": 1})
    for _ in range(rt.pallets["Staking"].consts.MaxUnlockingChunks):
        rt.dispatch("Bob", "Lst", "unbond", {"member_account": "Bob", "pool_id": 1, "unbonding_points": UNIT})
        rt.advance_eras(1)
    return rt


def test_a_pools_33rd_unbond_auto_withdraws_and_the_tvl_follows_the_ledger() -> None:
    """newuser10 finding 5: with all 32 unlocking chunks used, pallet_staking's ``unbond`` withdraws
    the unlocked ones itself (``Staking.Withdrawn``); the tokens stay free in the pool's bonded
    account. Upstream nomination-pools lowers ``TotalValueLocked`` by them in ``on_withdraw``
    (polkadot-sdk PR #3052), so the TVL stays the pools' bonded stake, which is what
    ``lst_pools_back_their_claims`` asserts. Then the members withdraw: nothing is counted twice."""
    from runtime import UNIT
    from simulations.stateful.invariants import lst_pools_back_their_claims

    rt = _pool_with_full_unlocking()
    ledger = Ledger()
    lst_pools_back_their_claims(rt, ledger)
    lst, staking = rt.pallets["Lst"], rt.pallets["Staking"]
    bonded = lst.bonded_account(1)
    held = rt.pallets["Balances"].total_balance(bonded)
    receipt = rt.dispatch("Charlie", "Lst", "unbond", {"member_account": "Charlie", "pool_id": 1, "unbonding_points": UNIT})
    withdrawn = receipt.event("Staking.Withdrawn")["amount"]
    assert withdrawn > 0 and receipt.event("Staking.Withdrawn")["stash"] == bonded
    assert rt.pallets["Balances"].total_balance(bonded) == held  # the tokens stay in the bonded account
    total = staking.storage.Ledger.get(bonded).total
    assert rt.query("Lst", "TotalValueLocked").value == total
    lst_pools_back_their_claims(rt, ledger)
    rt.advance_eras(3)
    rt.dispatch("Bob", "Lst", "pool_withdraw_unbonded", {"pool_id": 1, "num_slashing_spans": 0})
    rt.dispatch("Bob", "Lst", "withdraw_unbonded", {"member_account": "Bob", "pool_id": 1, "num_slashing_spans": 0})
    assert rt.query("Lst", "TotalValueLocked").value == staking.storage.Ledger.get(bonded).total
    lst_pools_back_their_claims(rt, ledger)


def test_real_lst_tvl_keeps_auto_withdrawn_stake_and_the_invariant_bounds_it() -> None:
    """Quirk ``lst.auto_withdraw_not_in_tvl`` (tangle-lst v1.4.3 has no ``on_withdraw`` and Staking's
    listener is NominationPools): the auto-withdrawn chunks stay in ``TotalValueLocked``. The
    invariant then allows TVL above the pools' stake by at most what staking released from pool
    accounts (from the events), and still catches a TVL below the stake or beyond that bound."""
    from runtime import UNIT
    from simulations.stateful.invariants import lst_pools_back_their_claims

    rt = _pool_with_full_unlocking({**world.GENESIS, "quirks": {"lst.auto_withdraw_not_in_tvl": True}})
    ledger = Ledger()
    lst_pools_back_their_claims(rt, ledger)
    tvl = rt.query("Lst", "TotalValueLocked").value
    receipt = rt.dispatch("Charlie", "Lst", "unbond", {"member_account": "Charlie", "pool_id": 1, "unbonding_points": UNIT})
    withdrawn = receipt.event("Staking.Withdrawn")["amount"]
    assert rt.query("Lst", "TotalValueLocked").value == tvl  # unchanged: the real pallet never hears of it
    total = rt.pallets["Staking"].storage.Ledger.get(rt.pallets["Lst"].bonded_account(1)).total
    assert tvl == total + withdrawn
    lst_pools_back_their_claims(rt, ledger)
    stored = rt.pallets["Lst"].storage.TotalValueLocked
    stored.put(tvl + 1)
    with pytest.raises(AssertionError, match=rf"Lst TotalValueLocked {tvl + 1} outside pools' bonded stake {total} plus .* \({withdrawn};"):
        lst_pools_back_their_claims(rt, ledger)
    stored.put(total - 1)
    with pytest.raises(AssertionError, match=rf"Lst TotalValueLocked {total - 1} outside pools' bonded stake {total}"):
        lst_pools_back_their_claims(rt, ledger)


def test_real_lst_tvl_allowance_counts_only_auto_withdraws() -> None:
    """Second read of the quirk's bound: a pool's own withdrawal (``pool_withdraw_unbonded``, through
    Lst's ``withdraw_from_staking``) also emits ``Staking.Withdrawn`` but lowers the TVL itself, so it
    must not widen the allowance; a TVL that withdrawal failed to lower is caught."""
    from runtime import UNIT
    from simulations.stateful.invariants import lst_pools_back_their_claims

    rt = _pool_with_full_unlocking({**world.GENESIS, "quirks": {"lst.auto_withdraw_not_in_tvl": True}})
    ledger = Ledger()
    lst_pools_back_their_claims(rt, ledger)
    auto = rt.dispatch("Charlie", "Lst", "unbond", {"member_account": "Charlie", "pool_id": 1, "unbonding_points": UNIT}).event("Staking.Withdrawn")["amount"]
    lst_pools_back_their_claims(rt, ledger)
    assert ledger.extra["lst_tvl_excess_allowed"] == auto
    rt.advance_eras(3)
    receipt = rt.dispatch("Bob", "Lst", "pool_withdraw_unbonded", {"pool_id": 1, "num_slashing_spans": 0})
    own = receipt.event("Staking.Withdrawn")["amount"]
    assert own > 0
    lst_pools_back_their_claims(rt, ledger)
    assert ledger.extra["lst_tvl_excess_allowed"] == auto  # the pool's own withdrawal widens nothing
    stored = rt.pallets["Lst"].storage.TotalValueLocked
    stored.put(stored.value() + own)  # as if withdraw_from_staking had not lowered the TVL
    with pytest.raises(AssertionError, match="outside pools' bonded stake"):
        lst_pools_back_their_claims(rt, ledger)


def test_lst_pools_back_their_claims_still_catches_a_tvl_off_the_bonded_stake() -> None:
    from simulations.stateful.invariants import lst_pools_back_their_claims

    rt = _pool_with_full_unlocking()
    ledger = Ledger()
    lst_pools_back_their_claims(rt, ledger)
    stored = rt.pallets["Lst"].storage.TotalValueLocked
    tvl = stored.value()
    stored.put(tvl + 1)
    with pytest.raises(AssertionError, match=rf"Lst TotalValueLocked {tvl + 1} != pools' bonded stake {tvl}"):
        lst_pools_back_their_claims(rt, ledger)


def test_a_destroyed_asset_voids_what_the_pots_owed_in_it_and_only_that() -> None:
    """The asset's owner destroys USDC (id 100) while MultiAssetDelegation's pot holds deposits of
    it: ``destroy_accounts`` removes the pot's balance as every holder's (pallet-assets has no hook
    to refuse), so those deposits are void on chain too and the pot check skips the asset; TNT and
    live assets are still checked exactly."""
    from simulations.stateful.invariants import delegation_pot_backs_deposits

    rt = world.build_world()
    ferdie = rt.account("Ferdie")
    rt.dispatch(ferdie, "MultiAssetDelegation", "deposit", {"asset": {"Custom": 100}, "amount": 10**9, "evm_address": None, "lock_multiplier": None})
    ledger = Ledger()
    delegation_pot_backs_deposits(rt, ledger)
    rt.dispatch("Alice", "Assets", "start_destroy", {"id": 100})
    rt.dispatch("Bob", "Assets", "destroy_accounts", {"id": 100})
    pot = rt.pallets["MultiAssetDelegation"].pallet_account()
    assert rt.pallets["Assets"].fungibles.balance(100, pot) == 0  # the pot's USDC went with the asset
    delegation_pot_backs_deposits(rt, ledger)  # void, not a leak
    # TNT is still checked exactly: a unit taken out of the pot behind MAD's back is caught
    rt.db.transactional(lambda: rt.pallets["Balances"].transfer(pot, ferdie, 1, keep_alive=False))
    with pytest.raises(AssertionError, match="MultiAssetDelegation pot holds .* of asset 0 but owes"):
        delegation_pot_backs_deposits(rt, ledger)
