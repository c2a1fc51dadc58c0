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
