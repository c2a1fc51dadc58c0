"""Payments and rewards in view: where every payment goes, each operator's and delegator's era
rewards, and QoS-weighted era rewards so an offline (or only faulty) operator earns nothing."""

from __future__ import annotations

from blueprints import U64, Blueprint, BlueprintTestHarness, Deviating, Median, Offline, ServiceManager, pay_once, subscription
from runtime.genesis import UNIT

BUDGET = 100 * UNIT  # RewardsConstants.EraRewardBudget


def feed(pricing=None) -> Blueprint:  # type: ignore[no-untyped-def]
    bp = Blueprint("paid-feed", manager=lambda: ServiceManager(Median(relative=0.05)))

    @bp.job(0, pricing=pricing)
    def price(x: U64) -> U64:
        return x

    return bp


def test_a_pay_once_payment_is_traced_from_requester_to_master_manager() -> None:
    h = BlueprintTestHarness(feed(pay_once(10 * UNIT)), operators=3, payment=10 * UNIT)
    pays = [(p.payer, p.payee, p.amount, p.text) for p in h.payments()]
    assert pays == [("Eve", "Services pallet", 10 * UNIT, "10 TNT"), ("Services pallet", "master manager", 10 * UNIT, "10 TNT")]
    lines = [t for _, c, t in h.timeline() if c == "payment"]
    assert lines[0].startswith("Eve paid 10 TNT to Services pallet: request payment")
    assert lines[1].startswith("Services pallet paid 10 TNT to master manager: forwarded")


def test_a_subscription_shows_the_pot_and_each_operators_share() -> None:
    h = BlueprintTestHarness(feed(subscription(3 * UNIT, 5)), operators=3)
    h.advance(12)
    pays = h.payments()
    into_pot = [p for p in pays if p.payee == "Rewards pot"]
    shares = [p for p in pays if p.payer == "Rewards pot"]
    assert into_pot and all(p.payer == "Eve" and p.amount == 3 * UNIT for p in into_pot)
    assert {p.payee for p in shares} == {"Bob", "Charlie", "Dave"} and sum(p.amount for p in shares) == 3 * UNIT * len(into_pot)


def test_era_rewards_per_operator_and_delegator_and_offline_earns_nothing() -> None:
    h = BlueprintTestHarness(feed(), operators=5, behaviours={"Operator5": Offline(), "Operator4": Deviating(0.2)}, tnt_delegation=100 * UNIT)
    era = h.rt.current_era
    for r in range(3):
        h.call_job(0, 1_000 + r)
    h.advance_eras(1)
    rows = h.era_rewards(era=era + 1)
    by = {(r.who, r.role): r.amount for r in rows}
    assert set(by) == {("Bob", "operator"), ("Charlie", "operator"), ("Dave", "operator"), ("Ferdie", "delegator")}
    assert h.rewards_of("Operator5") == 0 and h.rewards_of("Operator4") == 0  # offline; only faults
    assert by[("Bob", "operator")] == by[("Charlie", "operator")] == by[("Dave", "operator")] > 0
    events = [e for e in h.rt.all_events() if e.matches("Rewards.EraRewardsDistributed")]
    assert by[("Ferdie", "delegator")] == sum(e["to_delegators"] for e in events)
    assert sum(by.values()) == sum(e["total"] for e in events)
    assert 0 <= BUDGET * 3 // 5 - sum(by.values()) < 10  # three equal stakes of five are paid; the other two shares are withheld
    lines = [t for _, c, t in h.timeline() if c == "reward"]
    assert any(t.startswith(f"era {era + 1}: Bob earned") for t in lines)
    assert any(t.startswith(f"era {era + 1}: Ferdie (delegator) earned") for t in lines)


def test_claims_do_not_hide_the_next_eras_credit() -> None:
    h = BlueprintTestHarness(feed(), operators=3)
    h.call_job(0, 5)
    h.advance_eras(1)
    first = h.rewards_of("Bob")
    h.dispatch("Bob", "Rewards", "claim_era_rewards", {})
    h.call_job(0, 6)
    h.advance_eras(1)
    assert first > 0 and h.rewards_of("Bob") == 2 * first
    assert any(p.payee == "Bob" and p.what == "era rewards claimed (minted)" and p.amount == first for p in h.payments())


def test_without_the_qos_extension_the_offline_operator_is_paid_by_stake() -> None:
    h = BlueprintTestHarness(feed(), operators=3, behaviours={"Dave": Offline()}, genesis={"extensions": {"qos_rewards": False}})
    h.call_job(0, 5)
    h.advance_eras(1)
    assert h.rewards_of("Dave") == h.rewards_of("Bob") > 0


def test_real_profile_has_no_era_rewards() -> None:
    h = BlueprintTestHarness(feed(), operators=3, profile="real")
    h.call_job(0, 5)
    h.advance_eras(1)
    assert h.era_rewards() == []


def test_heartbeats_count_as_qos_points() -> None:
    bp = Blueprint("beating-feed", manager=lambda: ServiceManager(Median(relative=0.05), heartbeat_interval=5))

    @bp.job(0)
    def price(x: U64) -> U64:
        return x

    h = BlueprintTestHarness(bp, operators=3)
    h.advance(12)  # three heartbeats each (blocks 1, 6, 11)
    h.call_job(0, 5)
    rewards = h.rt.pallets["Rewards"]
    assert rewards.qos_counters(h.operator("Bob").account) == (1, 0, 3)
    h.advance(5)
    h.call_job(0, 6)
    assert rewards.qos_counters(h.operator("Bob").account) == (2, 0, 4)  # only the new heartbeat is added


def test_a_reward_claim_is_one_timeline_row_and_one_payment() -> None:
    """The pot's transfer and Rewards.OperatorRewardsClaimed are one claim: one row in the timeline
    (it read as two rewards), one movement in h.payments()."""
    h = BlueprintTestHarness(feed(subscription(3 * UNIT, 5)), operators=3)
    h.advance(12)
    start = len(h.rt.all_events())
    h.dispatch("Bob", "Rewards", "claim_rewards", {})
    new = h.rt.all_events()[start:]
    claimed = next(e for e in new if e.matches("Rewards.OperatorRewardsClaimed"))["amount"]
    assert claimed > 0 and any(e.matches("Balances.Transfer") and e["amount"] == claimed for e in new)
    block = new[0].block
    rows = [(c, t) for b, c, t in h.timeline() if b == block and "Bob" in t and ("claimed" in t or "paid out" in t)]
    assert rows == [("reward", f"Bob claimed {claimed // UNIT} TNT of rewards (paid out of the Rewards pot)")]
    payouts = [p for p in h.payments() if p.block == block and p.payee == "Bob" and p.moved]
    assert [(p.payer, p.amount, p.what) for p in payouts] == [("Rewards pot", claimed, "service rewards claimed, paid out of the Rewards pot")]
    # what Bob received, summed over the rows that moved, is what his balance gained from the pot
    credited = sum(p.amount for p in h.payments() if p.payee == "Bob" and not p.moved)
    received = sum(p.amount for p in h.payments() if p.payee == "Bob" and p.moved)
    assert received == claimed == credited  # every share credited so far was claimed, once


def test_era_rewards_reach_a_balance_only_through_claim_era_rewards() -> None:
    """Era rewards are credits until claimed: the real ``claim_rewards`` refuses them, the extension
    ``claim_era_rewards`` (``h.claim_era_rewards``, harness labels accepted) mints exactly the credit."""
    import pytest

    from runtime import DispatchError

    h = BlueprintTestHarness(feed(), operators=4)
    for r in range(2):
        h.call_job(0, 1_000 + r)
    h.advance_eras(1)
    account = h.operator("Operator4").account
    credited = h.rewards_of("Operator4")
    assert credited > 0
    with pytest.raises(DispatchError, match="Rewards.NoRewardsToClaim"):
        h.rt.dispatch(account, "Rewards", "claim_rewards", {})
    free, issuance = h.free_balance("Operator4"), h.rt.query("Balances", "TotalIssuance").value
    assert h.claim_era_rewards("Operator4") == credited
    assert h.free_balance("Operator4") - free == credited == h.rt.query("Balances", "TotalIssuance").value - issuance
    assert h.rewards_of("Operator4") == credited  # credits, claimed or not
    with pytest.raises(DispatchError, match="Rewards.NoRewardsToClaim"):
        h.claim_era_rewards("Operator4")  # nothing left: refused, nothing minted
    assert h.free_balance("Operator4") - free == credited


def test_claim_era_rewards_is_filtered_under_the_real_profile() -> None:
    import pytest

    from runtime import DispatchError

    h = BlueprintTestHarness(feed(), operators=3, profile="real")
    h.advance_eras(1)
    with pytest.raises(DispatchError, match="CallFiltered"):
        h.claim_era_rewards("Bob")


def test_free_balance_takes_the_labels_the_harness_prints() -> None:
    """``h.free_balance`` reads by harness labels; ``h.rt`` stays strict but says what to use instead."""
    import pytest

    h = BlueprintTestHarness(feed(), operators=4)
    account = h.operator("Operator4").account
    assert h.free_balance("Operator4") == h.rt.free_balance(account) == 999_000 * UNIT  # 1,000 TNT self-stake reserved
    assert h.free_balance("Eve", 1) == h.rt.asset_balance(1, "Eve") > 0
    with pytest.raises(ValueError, match=r"h\.operator\('Operator4'\)\.account"):
        h.rt.free_balance("Operator4")
    with pytest.raises(ValueError, match="asset_id: no asset 7"):
        h.free_balance("Operator4", 7)
    with pytest.raises(ValueError, match="unknown account 'Operator9'"):
        h.free_balance("Operator9")
