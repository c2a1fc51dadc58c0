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
