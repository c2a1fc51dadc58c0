"""Lst: what pool token holders see when the nominated validator leaves the active set or is
slashed. Nobody's tokens are touched; the points-to-balance price reflects the pool's stake."""

from __future__ import annotations

import pytest

from runtime import UNIT, Runtime
from tests.lst.lst_helpers import BOB, active, create_pool, join, lst, runtime, supply, tokens, unbond, until_era, withdraw

PAYOUT = 1000 * UNIT


def setup(profile: str = "intended") -> Runtime:
    """Bob validates (100 TNT) next to Alice; pool 1 (Dave 100, Charlie 100) nominates Bob."""
    rt = runtime(profile, staking={"validators": [{"stash": "Alice", "bond": 100 * UNIT}], "era_payout": PAYOUT})
    rt.dispatch("Bob", "Staking", "bond", {"value": 100 * UNIT, "payee": "Staked"})
    rt.dispatch("Bob", "Staking", "validate", {"prefs": {"commission": 0, "blocked": False}})
    rt.dispatch("root", "Staking", "set_validator_count", {"new": 2})
    create_pool(rt, amount=100 * UNIT)
    join(rt, "Charlie", 100 * UNIT)
    rt.dispatch("Ferdie", "Lst", "nominate", {"pool_id": 1, "validators": ["Bob"]})
    rt.advance_eras(1)
    assert BOB in rt.pallets["Staking"].elected_validators()
    return rt


def holdings(rt: Runtime) -> tuple[int, int]:
    return tokens(rt, 1, "Dave"), tokens(rt, 1, "Charlie")


def test_pool_earns_while_its_validator_is_active() -> None:
    rt = setup()
    reward = lst(rt).reward_account(1)
    before = rt.free_balance(reward)
    rt.advance_eras(1)
    era = rt.pallets["Staking"].active_era() - 1
    rt.dispatch("Eve", "Staking", "payout_stakers", {"validator_stash": "Bob", "era": era})
    # Bob has half the points; the pool is 2/3 of Bob's exposure
    assert rt.free_balance(reward) - before == pytest.approx(PAYOUT // 2 * 2 // 3, rel=1e-8)


def test_validator_leaving_the_active_set() -> None:
    rt = setup()
    held = holdings(rt)
    price = (active(rt, 1), supply(rt, 1))
    rt.dispatch("Bob", "Staking", "chill", {})
    rt.advance_eras(2)  # the next election no longer includes Bob
    assert BOB not in rt.pallets["Staking"].elected_validators()
    era = rt.pallets["Staking"].active_era() - 1
    reward = lst(rt).reward_account(1)
    before = rt.free_balance(reward)
    receipt = rt.dispatch("Eve", "Staking", "payout_stakers", {"validator_stash": "Bob", "era": era})
    assert not receipt.events_named("Staking.Rewarded")
    assert rt.free_balance(reward) == before  # the pool earns nothing
    assert holdings(rt) == held  # tokens untouched
    assert (active(rt, 1), supply(rt, 1)) == price  # and the price is unchanged
    assert rt.pallets["Staking"].nominations(lst(rt).bonded_account(1)) == (BOB,)  # nominations stay until re-nominated
    rt.dispatch("Ferdie", "Lst", "nominate", {"pool_id": 1, "validators": ["Alice"]})
    rt.advance_eras(1)
    era = rt.pallets["Staking"].active_era()
    assert rt.query("Staking", "ErasStakersOverview", [era, "Alice"]).value["total"] == 300 * UNIT


@pytest.mark.parametrize("profile", ["intended", "real"])
def test_validator_slashed_lowers_the_price_not_the_tokens(profile: str) -> None:
    rt = setup(profile)
    held = holdings(rt)
    tvl = rt.query("Lst", "TotalValueLocked").value
    rt.dispatch("root", "Staking", "report_offence", {"validator": "Bob", "slash_fraction": 100_000_000})  # 10%
    offence_era = rt.pallets["Staking"].active_era()
    # 10% of the pool's exposure in the offence era (200 TNT) will be slashed: 20 TNT
    assert rt.query("Staking", "UnappliedSlashes", [offence_era + 11]).value[0]["others"] == [(lst(rt).bonded_account(1), 20 * UNIT)]
    rt.advance_eras(1)
    unbond(rt, "Charlie", 10 * UNIT)  # unlocks after the offence: still slashable
    while rt.pallets["Staking"].active_era() < offence_era + 11:
        rt.advance_sessions(1)
    assert [e["amount"] for e in rt.events_named("Staking.Slashed") if e["staker"] == lst(rt).bonded_account(1)] == [20 * UNIT]
    assert holdings(rt) == (held[0], held[1] - 10 * UNIT)  # nobody's tokens touched (Charlie only burned his own)
    stake, points = active(rt, 1), supply(rt, 1)
    assert points == 190 * UNIT and stake < points  # a point is now worth less than a TNT
    sub = rt.query("Lst", "SubPoolsStorage", [1]).value["with_era"]
    if profile == "intended":
        assert stake == 171 * UNIT  # 190 active, slashed by 10% (the chunk too: 10 -> 9)
        assert lst(rt).pool_points_to_balance(1, 100 * UNIT) == 90 * UNIT  # Dave's 100 tokens: 90 TNT
        assert rt.query("Lst", "TotalValueLocked").value == tvl - 20 * UNIT
        assert rt.events_named("Lst.PoolSlashed")[0]["balance"] == 171 * UNIT
        assert [e["balance"] for e in rt.events_named("Lst.UnbondingPoolSlashed")] == [9 * UNIT]
        assert sub[0][1]["balance"] == 9 * UNIT
    else:
        # the over-paid unbond took 10.53 TNT for 10 points; the slash then hit 10% of each part
        assert abs(stake - (200 * UNIT - 200 * UNIT * 10 // 190) * 9 // 10) <= 2
        assert lst(rt).pool_points_to_balance(1, 100 * UNIT) < 90 * UNIT
        assert rt.query("Lst", "TotalValueLocked").value == tvl  # TVL ignores the slash
        assert not rt.events_named("Lst.PoolSlashed") and not rt.events_named("Lst.UnbondingPoolSlashed")
        assert sub[0][1]["balance"] == 200 * UNIT * 10 // 190  # overstated: the last withdrawer bears the shortfall
    # joining now mints more points per TNT
    join(rt, "Eve", 9 * UNIT)
    assert tokens(rt, 1, "Eve") > 9 * UNIT
    if profile == "intended":
        assert tokens(rt, 1, "Eve") == 10 * UNIT


def test_intended_slashed_subpool_pays_its_reduced_balance() -> None:
    rt = setup("intended")
    rt.dispatch("root", "Staking", "report_offence", {"validator": "Bob", "slash_fraction": 200_000_000})
    offence_era = rt.pallets["Staking"].active_era()
    rt.advance_eras(1)
    unbond(rt, "Charlie", 40 * UNIT)  # worth 40 TNT now, at stake until after the slash
    unlock = rt.pallets["Staking"].current_era() + 14
    while rt.pallets["Staking"].active_era() < offence_era + 11:
        rt.advance_sessions(1)
    until_era(rt, unlock)
    free = rt.free_balance(rt.account("Charlie"))
    receipt = withdraw(rt, "Charlie")
    assert receipt.event("Lst.Withdrawn")["balance"] == 32 * UNIT
    assert rt.free_balance(rt.account("Charlie")) == free + 32 * UNIT
