"""pallet_balances: transfers, existential deposit, reserves, locks, holds, root calls."""

from __future__ import annotations

import pytest

from runtime import UNIT, DispatchError, Runtime
from runtime.accounts import DEV_ACCOUNTS

ALICE, BOB, EVE, FERDIE = (DEV_ACCOUNTS[n] for n in ("Alice", "Bob", "Eve", "Ferdie"))
ED = 10**10
NEW = "//Fresh"


def issuance(rt: Runtime) -> int:
    return rt.pallets["Balances"].total_issuance()


def total_held(rt: Runtime) -> int:
    return sum(a.free + a.reserved for a in rt.pallets["System"].storage.Account.values())


def err(exc: pytest.ExceptionInfo) -> str:
    return exc.value.qualified_name


def test_transfer_creates_account_with_endowment(rt: Runtime) -> None:
    receipt = rt.dispatch("Alice", "Balances", "transfer_allow_death", {"dest": NEW, "value": 2 * ED})
    names = [e.name for e in receipt.triggered_events]
    assert names == ["System.NewAccount", "Balances.Endowed", "Balances.Transfer"]
    assert rt.query("System", "Account", [NEW]).value["providers"] == 1


def test_transfer_below_ed_to_new_account_fails(rt: Runtime) -> None:
    with pytest.raises(DispatchError) as exc:
        rt.dispatch("Alice", "Balances", "transfer_allow_death", {"dest": NEW, "value": ED - 1})
    assert err(exc) == "Token.BelowMinimum"


def test_keep_alive_refuses_to_reap_but_allow_death_reaps_and_burns_dust(rt: Runtime) -> None:
    free = rt.free_balance(FERDIE)
    with pytest.raises(DispatchError) as exc:
        rt.dispatch("Ferdie", "Balances", "transfer_keep_alive", {"dest": "Bob", "value": free - ED + 1})
    assert err(exc) == "Token.NotExpendable"
    before = issuance(rt)
    receipt = rt.dispatch("Ferdie", "Balances", "transfer_allow_death", {"dest": "Bob", "value": free - 5})
    assert rt.free_balance(FERDIE) == 0
    assert receipt.event("DustLost")["amount"] == 5
    assert receipt.events_named("System.KilledAccount")
    assert issuance(rt) == before - 5 == total_held(rt)


def test_insufficient_and_frozen(rt: Runtime) -> None:
    with pytest.raises(DispatchError) as exc:
        rt.dispatch("Bob", "Balances", "transfer_allow_death", {"dest": "Eve", "value": 10**30})
    assert err(exc) == "Token.FundsUnavailable"
    balances = rt.pallets["Balances"]
    rt.db.transactional(lambda: balances.set_lock(b"staking ", BOB, rt.free_balance(BOB) - UNIT))
    with pytest.raises(DispatchError) as exc:
        rt.dispatch("Bob", "Balances", "transfer_keep_alive", {"dest": "Eve", "value": 2 * UNIT})
    assert err(exc) == "Token.Frozen"
    rt.dispatch("Bob", "Balances", "transfer_keep_alive", {"dest": "Eve", "value": UNIT // 2})
    assert balances.locked(b"staking ", BOB) == rt.query("System", "Account", ["Bob"]).value["data"]["frozen"]
    rt.db.transactional(lambda: balances.remove_lock(b"staking ", BOB))
    assert rt.query("System", "Account", ["Bob"]).value["data"]["frozen"] == 0


def test_reserve_unreserve_and_repatriate(rt: Runtime) -> None:
    b = rt.pallets["Balances"]
    start = issuance(rt)
    rt.db.transactional(lambda: b.reserve(BOB, 10 * UNIT))
    assert b.reserved_balance(BOB) == 10 * UNIT
    with pytest.raises(DispatchError) as exc:
        rt.db.transactional(lambda: b.reserve(BOB, 10**30))
    assert err(exc) == "Balances.InsufficientBalance"
    assert rt.db.transactional(lambda: b.repatriate_reserved(BOB, EVE, 4 * UNIT, to_free=True)) == 4 * UNIT
    assert rt.db.transactional(lambda: b.unreserve(BOB, 100 * UNIT)) == 6 * UNIT
    assert b.reserved_balance(BOB) == 0
    assert issuance(rt) == start == total_held(rt)
    rt.dispatch("root", "Balances", "force_unreserve", {"who": "Bob", "amount": 1})


def test_reserve_keeps_the_free_balance_above_frozen(rt: Runtime) -> None:
    """pallet-balances 38.0.1 (stable2407): ``reserve`` runs ``ensure_can_withdraw`` against the new
    *free* balance, so a reserve cannot overlap a lock even when free + reserved would cover it
    (a hold can: it counts reserved funds towards the freeze). A zero reserve is a no-op even
    below the freeze; a refused one changes nothing."""
    b = rt.pallets["Balances"]
    rt.db.transactional(lambda: b.reserve(BOB, 10 * UNIT))
    free = rt.free_balance(BOB)
    rt.db.transactional(lambda: b.set_lock(b"staking ", BOB, free - 5 * UNIT))
    before = rt.pallets["System"].account(BOB)
    with pytest.raises(DispatchError) as exc:
        rt.db.transactional(lambda: b.reserve(BOB, 5 * UNIT + 1))
    assert err(exc) == "Balances.LiquidityRestrictions"
    assert rt.pallets["System"].account(BOB) == before
    rt.db.transactional(lambda: b.reserve(BOB, 5 * UNIT))  # exactly down to the freeze
    assert rt.free_balance(BOB) == b.frozen_balance(BOB) and b.reserved_balance(BOB) == 15 * UNIT
    rt.db.transactional(lambda: b.set_lock(b"staking ", BOB, free))  # free now below frozen
    rt.db.transactional(lambda: b.reserve(BOB, 0))
    assert b.reserved_balance(BOB) == 15 * UNIT


def test_holds_count_as_reserved_and_release(rt: Runtime) -> None:
    from pallets.balances.types import PREIMAGE_HOLD

    b = rt.pallets["Balances"]
    rt.db.transactional(lambda: b.hold(PREIMAGE_HOLD, EVE, 3 * UNIT))
    assert b.balance_on_hold(PREIMAGE_HOLD, EVE) == 3 * UNIT and b.reserved_balance(EVE) == 3 * UNIT
    assert rt.query("Balances", "Holds", ["Eve"]).value == [{"id": {"Preimage": "Preimage"}, "amount": 3 * UNIT}]
    assert rt.db.transactional(lambda: b.release(PREIMAGE_HOLD, EVE, 5 * UNIT)) == 3 * UNIT
    assert rt.query("Balances", "Holds", ["Eve"]).value == []


def test_slash_burns_and_mint_creates(rt: Runtime) -> None:
    b = rt.pallets["Balances"]
    start = issuance(rt)
    rt.db.transactional(lambda: b.reserve(EVE, UNIT))
    free_before = rt.free_balance(EVE)
    burned = rt.db.transactional(lambda: b.slash(EVE, free_before + UNIT // 2))
    assert burned == free_before + UNIT // 2
    assert rt.free_balance(EVE) == 0 and b.reserved_balance(EVE) == UNIT // 2  # alive on its reserve
    rt.db.transactional(lambda: b.mint_into(NEW_ACCOUNT, 5 * UNIT))
    assert issuance(rt) == start - burned + 5 * UNIT == total_held(rt)


NEW_ACCOUNT = DEV_ACCOUNTS["Charlie"]


def test_root_calls(rt: Runtime) -> None:
    start = issuance(rt)
    rt.dispatch("root", "Balances", "force_set_balance", {"who": "Eve", "new_free": 5 * UNIT})
    assert rt.free_balance(EVE) == 5 * UNIT and issuance(rt) == total_held(rt)
    rt.dispatch("root", "Balances", "force_set_balance", {"who": "Eve", "new_free": ED - 1})
    assert rt.free_balance(EVE) == 0
    rt.dispatch("root", "Balances", "force_transfer", {"source": "Bob", "dest": "Eve", "value": UNIT})
    assert rt.free_balance(EVE) == UNIT
    with pytest.raises(DispatchError) as exc:
        rt.dispatch("root", "Balances", "force_adjust_total_issuance", {"direction": "Increase", "delta": 0})
    assert err(exc) == "Balances.DeltaZero"
    r = rt.dispatch("root", "Balances", "force_adjust_total_issuance", {"direction": "Increase", "delta": 7})
    assert r.event("TotalIssuanceForced")["new"] == r.event("TotalIssuanceForced")["old"] + 7
    assert issuance(rt) != start


def test_transfer_all_and_burn(rt: Runtime) -> None:
    rt.dispatch("Dave", "Balances", "transfer_all", {"dest": "Bob", "keep_alive": True})
    assert rt.free_balance(DEV_ACCOUNTS["Dave"]) == ED
    before = issuance(rt)
    rt.dispatch("Bob", "Balances", "burn", {"value": UNIT, "keep_alive": True})
    assert issuance(rt) == before - UNIT
    with pytest.raises(DispatchError) as exc:
        rt.dispatch("Dave", "Balances", "burn", {"value": ED, "keep_alive": True})
    assert err(exc) == "Token.NotExpendable"


def _old_logic(rt: Runtime, who: str, **fields: int) -> None:
    """Write an account as a pre-holds runtime left it (flags without IS_NEW_LOGIC), as a storage
    migration or a chain spec could: nothing the simulator creates looks like this."""
    system = rt.pallets["System"]
    rt.db.begin()
    system.storage.Account.insert(who, system.account(who)._replace(flags=0, **fields))
    rt.db.commit()


def test_upgrade_accounts_upgrades_only_old_logic_accounts(rt: Runtime) -> None:
    """pallet_balances' upgrade_accounts: an account on the new logic (every account created here)
    is skipped with no event and no change; an old one gets the flag, and with reserved funds the
    consumer reference the new logic expects."""
    rt.dispatch("Bob", "Balances", "transfer_keep_alive", {"dest": "Eve", "value": 5 * UNIT})
    _old_logic(rt, BOB)
    bob = rt.pallets["System"].account(BOB)
    rt.db.begin()  # Eve stays on the new logic; Ferdie is on the old one with a reserve
    rt.pallets["Balances"].reserve(FERDIE, 3 * UNIT)
    rt.db.commit()
    _old_logic(rt, FERDIE)
    ferdie = rt.pallets["System"].account(FERDIE)
    root, eve = rt.state_root(), rt.pallets["System"].account(EVE)
    receipt = rt.dispatch("Eve", "Balances", "upgrade_accounts", {"who": [BOB, EVE, FERDIE, DEV_ACCOUNTS["Dave"]]})
    assert [e.value["attributes"] for e in receipt.triggered_events] == [{"who": BOB}, {"who": FERDIE}]
    system = rt.pallets["System"]
    assert system.account(BOB) == bob._replace(flags=1 << 127)  # nothing reserved: only the flag
    assert system.account(FERDIE) == ferdie._replace(flags=1 << 127, consumers=ferdie.consumers + 1)
    assert system.account(EVE) == eve and rt.state_root() != root
    again = rt.dispatch("Eve", "Balances", "upgrade_accounts", {"who": [BOB, FERDIE]})
    assert again.triggered_events == []  # idempotent: already upgraded
    with pytest.raises(DispatchError, match="BadOrigin"):
        rt.dispatch("root", "Balances", "upgrade_accounts", {"who": [BOB]})


def test_a_reaped_account_loses_its_nonce_with_its_account_entry(rt: Runtime) -> None:
    """frame_system removes the whole ``AccountInfo`` (nonce included) when the last reference goes,
    so a reaped account reads as absent and signs again from nonce 0."""
    rt.dispatch("Alice", "Balances", "transfer_allow_death", {"dest": NEW, "value": 10 * ED})
    rt.dispatch(NEW, "System", "remark", {"remark": "0x"})
    assert rt.query("System", "Account", [NEW]).value["nonce"] == 1
    receipt = rt.dispatch(NEW, "Balances", "transfer_allow_death", {"dest": "Bob", "value": 10 * ED - 1})
    assert receipt.events_named("System.KilledAccount")
    from runtime.accounts import normalize_account

    assert rt.pallets["System"].nonce(normalize_account(NEW)) == 0  # type: ignore[attr-defined]
    assert normalize_account(NEW) not in rt.pallets["System"].storage.Account._d  # type: ignore[attr-defined]
