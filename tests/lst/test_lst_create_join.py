"""Lst: create, create_with_pool_id, join, bond_extra(_other), set_last_pool_id."""

from __future__ import annotations

from runtime import UNIT, GenesisConfig, Runtime
from runtime.accounts import pallet_account
from tests.lst.lst_helpers import ALICE, BOB, DAVE, ED, EVE, active, create_pool, fails, join, lst, runtime, supply, tokens


def test_create_works() -> None:
    rt = runtime()
    before = rt.free_balance(DAVE)
    pool_id = create_pool(rt, amount=10 * UNIT)
    assert pool_id == 1
    p = lst(rt)
    bonded = pallet_account(b"py/tnlst", b"\x00" + (1).to_bytes(4, "little"))
    reward = pallet_account(b"py/tnlst", b"\x01" + (1).to_bytes(4, "little"))
    assert (p.bonded_account(1), p.reward_account(1)) == (bonded, reward)
    meta = rt.query("Assets", "Metadata", [1]).value
    assert (meta["name"], meta["symbol"], meta["decimals"]) == ("tgTNT", "tgTNT", 18)
    assert rt.query("Assets", "Asset", [1]).value["owner"] == pallet_account(b"py/tnlst")
    assert supply(rt, 1) == tokens(rt, 1, "Dave") == 10 * UNIT
    assert rt.query("Lst", "TotalValueLocked").value == 10 * UNIT
    assert rt.free_balance(DAVE) == before - 10 * UNIT - ED
    assert rt.free_balance(reward) == ED
    assert rt.pallets["Staking"].stake(bonded).active == 10 * UNIT
    assert rt.query("Staking", "Payee", [bonded]).value == {"Account": reward}
    pool = rt.query("Lst", "BondedPools", [1]).value
    assert pool["roles"] == {"depositor": DAVE, "root": EVE, "nominator": rt.account("Ferdie"), "bouncer": rt.account("Charlie")}
    assert pool["state"] == "Open" and pool["metadata"]["name"] == "tgTNT"
    assert rt.query("Lst", "ReversePoolIdLookup", [bonded]).value == 1
    assert rt.query("Lst", "CounterForBondedPools").value == 1
    names = [e.name for e in rt.events if e.module_id == "Lst"]
    assert names == ["Lst.Created", "Lst.Bonded"]
    assert rt.events_named("Lst.Bonded")[0]["joined"] is True


def test_create_errors() -> None:
    rt = runtime()
    params = {"amount": ED - 1, "root": "Eve", "nominator": "Eve", "bouncer": "Eve", "name": None, "icon": None}
    fails(rt, "Lst.MinimumBondNotMet", "Dave", "create", params)
    rt.dispatch("root", "Lst", "set_configs", {"min_join_bond": "Noop", "min_create_bond": {"Set": 5 * UNIT}, "max_pools": {"Set": 1}, "global_max_commission": "Noop"})
    fails(rt, "Lst.MinimumBondNotMet", "Dave", "create", {**params, "amount": 4 * UNIT})
    create_pool(rt, amount=5 * UNIT)
    fails(rt, "Lst.MaxPools", "Bob", "create", {**params, "amount": 5 * UNIT})
    fails(rt, "BadOrigin", "root", "create", {**params, "amount": 5 * UNIT})


def test_create_fails_when_the_asset_id_is_taken() -> None:
    genesis = GenesisConfig.dev(session_length=10, assets=[{"id": 1, "balances": {"Bob": 5}}, {"id": 2}])
    rt = Runtime(genesis)
    params = {"amount": 10 * UNIT, "root": "Eve", "nominator": "Eve", "bouncer": "Eve", "name": None, "icon": None}
    fails(rt, "Lst.PoolTokenCreationFailed", "Dave", "create", params)  # asset 1 has a supply
    rt.dispatch("root", "Lst", "set_last_pool_id", {"pool_id": 1})
    fails(rt, "Assets.InUse", "Dave", "create", params)  # asset 2 exists, empty
    receipt = rt.dispatch("root", "Lst", "set_last_pool_id", {"pool_id": 2})
    assert receipt.event("LastPoolIdUpdated")["pool_id"] == 2
    assert create_pool(rt) == 3
    fails(rt, "BadOrigin", "Dave", "set_last_pool_id", {"pool_id": 9})


def test_create_with_pool_id() -> None:
    rt = runtime()
    params = {"amount": 10 * UNIT, "root": "Eve", "nominator": "Eve", "bouncer": "Eve", "pool_id": 1, "name": None, "icon": None}
    fails(rt, "Lst.InvalidPoolId", "Dave", "create_with_pool_id", params)
    create_pool(rt)
    fails(rt, "Lst.PoolIdInUse", "Bob", "create_with_pool_id", params)
    rt.dispatch("root", "Lst", "set_last_pool_id", {"pool_id": 5})
    rt.dispatch("Bob", "Lst", "create_with_pool_id", {**params, "pool_id": 3})
    assert lst(rt).pool_ids() == [1, 3]
    assert rt.query("Lst", "LastPoolId").value == 5
    fails(rt, "Lst.InvalidPoolId", "Bob", "create_with_pool_id", {**params, "pool_id": 5})


def test_join_mints_at_the_current_price() -> None:
    rt = runtime()
    create_pool(rt)
    receipt = rt.dispatch("Bob", "Lst", "join", {"amount": 20 * UNIT, "pool_id": 1})
    assert receipt.event("Lst.Bonded")["joined"] is True
    assert tokens(rt, 1, "Bob") == 20 * UNIT and supply(rt, 1) == 30 * UNIT
    assert active(rt, 1) == 30 * UNIT
    assert rt.query("Lst", "TotalValueLocked").value == 30 * UNIT
    join(rt, "Bob", 5 * UNIT)  # an existing holder joins again: also "joined: true"
    assert tokens(rt, 1, "Bob") == 25 * UNIT


def test_join_errors() -> None:
    rt = runtime()
    fails(rt, "Lst.PoolNotFound", "Bob", "join", {"amount": UNIT, "pool_id": 1})
    create_pool(rt)
    rt.dispatch("root", "Lst", "set_configs", {"min_join_bond": {"Set": 2 * UNIT}, "min_create_bond": "Noop", "max_pools": "Noop", "global_max_commission": "Noop"})
    fails(rt, "Lst.MinimumBondNotMet", "Bob", "join", {"amount": UNIT, "pool_id": 1})
    rt.dispatch("Bob", "Balances", "transfer_allow_death", {"dest": "//Poor", "value": UNIT})
    fails(rt, "Token.FundsUnavailable", "//Poor", "join", {"amount": 2 * UNIT, "pool_id": 1})
    rt.dispatch("Charlie", "Lst", "set_state", {"pool_id": 1, "state": "Blocked"})
    fails(rt, "Lst.NotOpen", "Bob", "join", {"amount": 2 * UNIT, "pool_id": 1})
    rt.dispatch("Charlie", "Lst", "set_state", {"pool_id": 1, "state": "Destroying"})
    fails(rt, "Lst.NotOpen", "Bob", "join", {"amount": 2 * UNIT, "pool_id": 1})


def test_join_fails_when_the_pool_is_heavily_slashed() -> None:
    rt = runtime(constants={"Staking": {"SlashDeferDuration": 0}})
    rt.dispatch("Bob", "Staking", "bond", {"value": 100 * UNIT, "payee": "Staked"})
    rt.dispatch("Bob", "Staking", "validate", {"prefs": {"commission": 0, "blocked": False}})
    rt.dispatch("root", "Staking", "set_validator_count", {"new": 2})
    create_pool(rt)
    rt.dispatch("Ferdie", "Lst", "nominate", {"pool_id": 1, "validators": ["Bob"]})
    rt.advance_eras(2)
    rt.dispatch("root", "Staking", "report_offence", {"validator": "Bob", "slash_fraction": 950_000_000})
    assert active(rt, 1) == UNIT // 2  # 10 TNT slashed by 95%
    fails(rt, "Lst.OverflowRisk", "Bob", "join", {"amount": UNIT, "pool_id": 1})  # 10 points / 0.5 TNT >= 10
    fails(rt, "Lst.OverflowRisk", "Dave", "bond_extra", {"pool_id": 1, "extra": {"FreeBalance": UNIT}})
    # anyone may now put the pool into Destroying
    receipt = rt.dispatch("Alice", "Lst", "set_state", {"pool_id": 1, "state": "Destroying"})
    assert receipt.event("StateChanged")["new_state"].name == "Destroying"
    _ = (ALICE, BOB)


def test_bond_extra_and_bond_extra_other() -> None:
    rt = runtime()
    create_pool(rt)
    receipt = rt.dispatch("Dave", "Lst", "bond_extra", {"pool_id": 1, "extra": {"FreeBalance": 5 * UNIT}})
    assert receipt.event("Lst.Bonded")["joined"] is False
    assert tokens(rt, 1, "Dave") == 15 * UNIT
    rt.dispatch("Bob", "Lst", "bond_extra", {"pool_id": 1, "extra": {"FreeBalance": 3 * UNIT}})  # a second way to join
    assert tokens(rt, 1, "Bob") == 3 * UNIT
    fails(rt, "Lst.DoesNotHavePermission", "Bob", "bond_extra_other", {"member": "Dave", "pool_id": 1, "extra": {"FreeBalance": UNIT}})
    rt.dispatch("Bob", "Lst", "bond_extra_other", {"member": "Bob", "pool_id": 1, "extra": {"FreeBalance": UNIT}})
    assert tokens(rt, 1, "Bob") == 4 * UNIT
    fails(rt, "Lst.PoolNotFound", "Bob", "bond_extra", {"pool_id": 9, "extra": {"FreeBalance": UNIT}})
    rt.dispatch("Charlie", "Lst", "set_state", {"pool_id": 1, "state": "Blocked"})
    fails(rt, "Lst.NotOpen", "Bob", "bond_extra", {"pool_id": 1, "extra": {"FreeBalance": UNIT}})
    rt.db.check_immutable()


def test_points_arithmetic_table() -> None:
    from pallets.lst.points import balance_to_point, point_to_balance

    assert balance_to_point(100, 100, 10) == 10
    assert balance_to_point(50, 100, 10) == 20
    assert balance_to_point(100, 50, 10) == 5
    assert balance_to_point(0, 100, 10) == 1000  # fully slashed
    assert balance_to_point(100, 0, 10) == 10
    assert point_to_balance(100, 100, 10) == 10
    assert point_to_balance(10, 3, 1) == 3
    assert point_to_balance(2, 3, 9) == 6
    assert point_to_balance(4, 9, 90) == 40
    assert point_to_balance(0, 100, 10) == 0 and point_to_balance(100, 0, 10) == 0


def test_ok_to_join_boundaries() -> None:
    """A fully slashed pool (A = 0) and the MaxPointsToBalance boundary both refuse joins."""
    rt = runtime(constants={"Staking": {"SlashDeferDuration": 0}})
    rt.dispatch("Bob", "Staking", "bond", {"value": 100 * UNIT, "payee": "Staked"})
    rt.dispatch("Bob", "Staking", "validate", {"prefs": {"commission": 0, "blocked": False}})
    rt.dispatch("root", "Staking", "set_validator_count", {"new": 2})
    create_pool(rt)  # pool 1: 10 TNT
    create_pool(rt, depositor="Eve")  # pool 2: 10 TNT
    for pid in (1, 2):
        rt.dispatch("Ferdie", "Lst", "nominate", {"pool_id": pid, "validators": ["Bob"]})
    rt.advance_eras(2)
    # 89.999...%: 10 points / 1.0000001 TNT < 10 still joinable
    rt.dispatch("root", "Staking", "report_offence", {"validator": "Bob", "slash_fraction": 899_999_990})
    assert active(rt, 1) > UNIT
    join(rt, "Bob", UNIT, pool_id=1)
    rt.dispatch("root", "Staking", "report_offence", {"validator": "Bob", "slash_fraction": 1_000_000_000})  # the rest
    assert active(rt, 2) == 0
    fails(rt, "Lst.OverflowRisk", "Bob", "join", {"amount": UNIT, "pool_id": 2})
    rt.dispatch("Alice", "Lst", "set_state", {"pool_id": 2, "state": "Destroying"})


def test_create_that_fails_on_the_pool_token_is_rolled_back(rolls_back) -> None:  # type: ignore[no-untyped-def]
    """Lst: create bonds and writes the pool before the pool token's asset creation fails."""
    rt = Runtime(GenesisConfig.dev(session_length=10, assets=[{"id": 2}]))
    rt.dispatch("root", "Lst", "set_last_pool_id", {"pool_id": 1})
    params = {"amount": 10 * UNIT, "root": "Eve", "nominator": "Eve", "bouncer": "Eve", "name": None, "icon": None}
    rolls_back(rt, "Dave", "Lst", "create", params, "Assets.InUse")
    assert lst(rt).storage.LastPoolId.value() == 1
