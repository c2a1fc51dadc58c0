"""Free balance below the existential deposit is dust even when another reference keeps the account.

pallet-balances 38.0.1 (stable2407, pinned by tangle v1.4.3), ``post_mutation``: ``free < ED`` with
nothing reserved is dropped (``DustLost``, issuance down), whatever keeps the account in System. The
simulator kept such dust while a sufficient asset held the account; when the asset's reference went
(its balance burned) the account was reaped and the dust vanished with no event and the issuance
unchanged (found by a 10^7-step fuzz campaign: ``token_conservation``, seed 3131)."""

from __future__ import annotations

from simulations.fuzz import FuzzConfig, World
from simulations.stateful.invariants import Ledger, token_conservation


def test_dust_is_dropped_while_a_sufficient_asset_keeps_the_account() -> None:
    rt = World(FuzzConfig()).reset()  # Ferdie holds USDC (sufficient, id 100): sufficients 1
    ferdie, eve = rt.account("Ferdie"), rt.account("Eve")
    ed = rt.pallets["Balances"].consts.ExistentialDeposit
    ledger = Ledger()
    token_conservation(rt, ledger)
    issuance = rt.pallets["Balances"].total_issuance()
    leave = ed - 1
    receipt = rt.dispatch(ferdie, "Balances", "transfer_allow_death", {"dest": eve, "value": rt.free_balance(ferdie) - leave})
    assert receipt.event("Balances.DustLost")["amount"] == leave
    info = rt.pallets["System"].storage.Account.get(ferdie)
    assert info.free == 0 and info.sufficients == 1 and info.providers == 0  # the account stays, for its USDC
    assert rt.pallets["Balances"].total_issuance() == issuance - leave
    token_conservation(rt, ledger)
    rt.dispatch("Alice", "Assets", "burn", {"id": 100, "who": ferdie, "amount": rt.pallets["Assets"].fungibles.balance(100, ferdie)})
    assert rt.pallets["System"].storage.Account.get(ferdie) is None or rt.pallets["System"].storage.Account.get(ferdie).free == 0
    token_conservation(rt, ledger)  # nothing vanished without an event
