"""QoS-weighted era rewards (extension qos_rewards, pallets/rewards/qos.py): points reported by a
blueprint's manager scale each tracked operator's stake share; zero points earn nothing; untracked
operators keep their stake share; the real profile ignores points."""

from __future__ import annotations

from rewards_helpers import BOB, CHARLIE, DAVE, UNIT, make_rt, mad, stake

from pallets.rewards.qos import qos_points

BUDGET = 100 * UNIT


def setup(profile: str = "intended"):  # type: ignore[no-untyped-def]
    """Bob and Charlie: 100 TNT self-stake each; Dave delegates 100 TNT to Bob (weights 200 / 100)."""
    rt = make_rt(profile)
    mad(rt, "Bob", "join_operators", bond_amount=100 * UNIT)
    mad(rt, "Charlie", "join_operators", bond_amount=100 * UNIT)
    stake(rt, "Dave", "Bob", 100 * UNIT)
    return rt


def totals(rt) -> dict[str, int]:  # type: ignore[no-untyped-def]
    return {e["operator"]: e["total"] for e in rt.events_named("Rewards.EraRewardsDistributed")}


def test_points_formula_floors_at_zero() -> None:
    assert qos_points(3, 1, 2) == 4 and qos_points(0, 5, 1) == 0 and qos_points(0, 0, 0) == 0


def test_without_reports_the_split_stays_by_stake() -> None:
    rt = setup()
    rt.advance_eras(1)
    assert totals(rt) == {BOB: BUDGET * 2 // 3, CHARLIE: BUDGET // 3}


def test_an_operator_without_points_earns_nothing_and_others_keep_their_stake_share() -> None:
    rt = setup()
    rewards = rt.pallets["Rewards"]
    rewards.record_qos(BOB, succeeded=3)
    rewards.record_qos(CHARLIE, succeeded=1, failed=1)  # 0 points
    rt.advance_eras(1)
    assert totals(rt) == {BOB: BUDGET * 2 // 3}  # Charlie's third is withheld, never minted
    pending = rewards.storage.PendingEraRewards
    assert pending.get(CHARLIE, 0) == 0 and pending.get(DAVE) > 0  # Bob's delegator still shares Bob's pot by stake
    assert len(rewards.storage.EraQosPoints) == 0  # cleared at the era start


def test_points_scale_the_stake_share_relative_to_the_best() -> None:
    rt = setup()
    rewards = rt.pallets["Rewards"]
    rewards.record_qos(BOB, succeeded=1)  # 1 of the best 4 points
    rewards.record_qos(CHARLIE, succeeded=2, heartbeats=2)  # the best: its whole stake share
    rt.advance_eras(1)
    assert totals(rt) == {BOB: BUDGET * (200 * 1 // 4) // 300, CHARLIE: BUDGET * 100 // 300}


def test_tracked_operators_earn_nothing_in_an_idle_era_untracked_ones_keep_stake() -> None:
    rt = setup()
    rt.pallets["Rewards"].record_qos(BOB, succeeded=1)  # Bob is tracked from now on; Charlie never is
    rt.advance_eras(1)
    rt.advance_eras(1)  # nothing reported in the second era
    last = [e for e in rt.events_named("Rewards.EraRewardsDistributed") if e["era"] == rt.current_era]
    assert {e["operator"]: e["total"] for e in last} == {CHARLIE: BUDGET // 3}


def test_real_profile_records_nothing() -> None:
    rt = setup("real")
    rt.pallets["Rewards"].record_qos(BOB, succeeded=1)
    assert len(rt.pallets["Rewards"].storage.EraQosPoints) == 0 and not rt.profile.extensions.qos_rewards
