"""A slashed share of a Custom asset whose transfer cannot go through (the asset frozen or being
destroyed by its owner). Found by the fuzzer once asset ids were drawn from the ``asset_id`` pool
(shrunk: ``Assets.start_destroy`` of USDC, then a due slash of an operator a USDC delegator backs):
the real pallet ignores ``Fungibles::transfer``'s result, cuts the delegation and leaves the tokens
in its account, owed to nobody (quirk ``mad.failed_slash_transfer_ignored``). Intended: the share
is not taken; the delegator is skipped, as a failed ERC20 share skips it on chain."""

from __future__ import annotations

from pallets.primitives.slashing import UnappliedSlash
from simulations.stateful import Ledger, world
from simulations.stateful.invariants import delegation_pot_backs_deposits

USDC = {"Custom": 100}


def _usdc_delegation(rt, who: str, operator: str) -> int:  # type: ignore[no-untyped-def]
    meta = rt.pallets["MultiAssetDelegation"].storage.Delegators.get(rt.account(who))
    return sum(d.amount for d in meta.delegations if d.operator == rt.account(operator) and d.asset.name == "Custom" and d.asset.value == 100)


def _slash_charlie(rt) -> list:  # type: ignore[no-untyped-def]
    """Charlie's due slash of 10 % on service 0, applied as Services applies it (its own transaction)."""
    mad = rt.pallets["MultiAssetDelegation"]
    start = len(rt.all_events())
    rt.db.transactional(lambda: mad.slash_operator(UnappliedSlash(era=0, blueprint_id=0, service_id=0, operator=rt.account("Charlie"), slash_percent=10)))
    return rt.all_events()[start:]


def _frozen_usdc_world(profile: str):  # type: ignore[no-untyped-def]
    rt = world.build_world({**world.GENESIS, "profile": profile})
    assert _usdc_delegation(rt, "Ferdie", "Charlie") > 0  # the world's USDC delegator of Charlie (all of service 0's blueprint)
    rt.dispatch("Alice", "Assets", "freeze_asset", {"id": 100})  # Alice is USDC's freezer
    return rt


def test_intended_a_share_that_cannot_move_is_not_taken() -> None:
    rt = _frozen_usdc_world("intended")
    ledger = Ledger()
    delegation_pot_backs_deposits(rt, ledger)
    before = _usdc_delegation(rt, "Ferdie", "Charlie")
    events = _slash_charlie(rt)
    assert [e.name for e in events if e.name == "MultiAssetDelegation.OperatorSlashed"]  # the operator's own stake is slashed
    assert not [e for e in events if e.name == "MultiAssetDelegation.DelegatorSlashed" and e["delegator"] == rt.account("Ferdie")]
    assert _usdc_delegation(rt, "Ferdie", "Charlie") == before
    rt.dispatch("Alice", "Assets", "thaw_asset", {"id": 100})
    delegation_pot_backs_deposits(rt, ledger)  # nothing stranded in the pot


def test_real_the_share_is_cut_and_its_tokens_stay_in_the_pot() -> None:
    rt = _frozen_usdc_world("real")
    before = _usdc_delegation(rt, "Ferdie", "Charlie")
    pot = rt.pallets["MultiAssetDelegation"].pallet_account()
    held = rt.pallets["Assets"].fungibles.balance(100, pot)
    events = _slash_charlie(rt)
    slashed = [e for e in events if e.name == "MultiAssetDelegation.DelegatorSlashed" and e["delegator"] == rt.account("Ferdie")]
    assert slashed and slashed[0]["amount"] == before // 10
    assert _usdc_delegation(rt, "Ferdie", "Charlie") == before - before // 10
    assert rt.pallets["Assets"].fungibles.balance(100, pot) == held  # the transfer failed: the tokens did not leave
