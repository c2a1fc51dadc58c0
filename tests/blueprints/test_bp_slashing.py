"""Slashing policy helpers: faults grouped per window, escalation on repeat, a cap per period
(today's default, one slash per fault, compounds: four 10 % faults leave 656.1 of 1,000 TNT)."""

from __future__ import annotations

import pytest

from blueprints import U64, Blueprint, BlueprintTestHarness, Faulty, Quorum, ServiceManager, SlashPolicy
from blueprints.manager import Fault
from blueprints.slashing import Issued
from runtime.accounts import DEV_ACCOUNTS
from runtime.genesis import UNIT

DAVE = DEV_ACCOUNTS["Dave"]


def squaring() -> Blueprint:
    bp = Blueprint("slash-policy", manager=lambda: ServiceManager(Quorum(2)))

    @bp.job(0)
    def square(x: U64) -> U64:
        return x * x

    return bp


def four_faults(policy: SlashPolicy | None) -> BlueprintTestHarness:
    h = BlueprintTestHarness(squaring(), operators=3, behaviours={"Dave": Faulty(1.0)})
    for x in range(4):
        h.call_job(0, x + 2)
    h.report_faults(policy=policy) if policy is not None else h.report_faults(percent=10)
    h.advance_rounds(h.slash_defer_rounds() + 1)
    return h


def test_default_compounds_one_slash_per_fault() -> None:
    assert four_faults(None).operator_stake("Dave") == 656_100_000_000_000_000_000  # 1,000 x 0.9^4


def test_faults_in_one_window_are_one_slash() -> None:
    h = four_faults(SlashPolicy(10, window=100))
    assert h.operator_stake("Dave") == 900 * UNIT
    (order,) = h.slash_orders
    assert order.operator == "Dave" and order.percent == 10 and len(order.faults) == 4 and "4 faults grouped" in order.note
    assert h.manager.unreported_faults() == []
    assert h.report_faults(policy=SlashPolicy(10, window=100)) == []  # nothing is slashed twice


def fault(block: int, kind: str = "mismatch", call: int | None = None) -> Fault:
    return Fault(0, block if call is None else call, 0, "Dave", kind, block, "", DAVE)


def test_escalation_and_cap_per_period() -> None:
    policy = SlashPolicy(window=10, escalation=(5, 10, 20), cap=25, period=100)
    orders = policy.plan([fault(1), fault(3), fault(15), fault(42), fault(55), fault(120)])
    assert [(o.percent, len(o.faults)) for o in orders] == [(5, 2), (10, 1), (10, 1), (0, 1), (20, 1)]
    assert "clipped from 20% by the 25% cap per 100 blocks" in orders[2].note
    later = policy.plan([fault(130)], issued=[Issued(DAVE, 0, 120, 20)] + [Issued(DAVE, 0, b, p) for b, p in ((1, 5), (15, 10), (42, 10))])
    assert [o.percent for o in later] == [5]  # the 5th offence escalates to 20 %, but only 5 are left in period 1


def test_kind_percents_and_validation() -> None:
    policy = SlashPolicy(5, window=50, kinds={"equivocation": 50})
    assert [o.percent for o in policy.plan([fault(1), fault(2, "equivocation", call=99)])] == [50]
    with pytest.raises(ValueError, match="cap needs period"):
        SlashPolicy(cap=10)
    with pytest.raises(ValueError, match=r"escalation\[1\] must be an integer percent"):
        SlashPolicy(escalation=(5, 500))
    with pytest.raises(ValueError, match="window must be a number of blocks"):
        SlashPolicy(window=0)


def test_escalated_and_capped_slashes_reach_the_chain() -> None:
    h = BlueprintTestHarness(squaring(), operators=3, behaviours={"Dave": Faulty(1.0)})
    policy = SlashPolicy(window=5, escalation=(10, 20), cap=25, period=1_000)
    h.call_job(0, 2)
    h.report_faults(policy=policy)
    h.advance(10)
    h.call_job(0, 3)
    h.report_faults(policy=policy)
    slashes = [e["slash_percent"] for e in h.rt.all_events() if e.matches("Services.UnappliedSlash")]
    assert slashes == [10, 15]  # 20 clipped to the 15 left under the cap
    h.advance_rounds(h.slash_defer_rounds() + 1)
    assert h.operator_stake("Dave") == 1_000 * UNIT * 90 // 100 * 85 // 100


def test_delegator_slash_rows_name_the_operator_whose_slash_it_was() -> None:
    """Two operators slashed in one block: each DelegatorSlashed row (an event with no operator
    field) names the operator of the OperatorSlashed before it, so the rows differ."""
    h = BlueprintTestHarness(squaring(), operators=5, behaviours={"Dave": Faulty(1.0), "Operator5": Faulty(1.0)})
    for x in range(2):
        h.call_job(0, x + 2)
    h.report_faults(policy=SlashPolicy(10, window=1_000))
    h.advance_rounds(h.slash_defer_rounds() + 1)
    rows = [text for _, _, text in h.timeline(categories=["slash"]) if "lost" in text]
    assert rows == ["Dave lost 100 TNT of self-stake", "delegator Ferdie lost 1,000 USDC delegated to Dave (service 0)",
                    "Operator5 lost 100 TNT of self-stake", "delegator Ferdie lost 1,000 USDC delegated to Operator5 (service 0)"]


def test_events_frame_names_the_operator_of_each_delegator_slash() -> None:
    """events_frame shows the same words as the timeline: a DelegatorSlashed row's text and its
    operator column name the operator of the OperatorSlashed before it (the event has no such field)."""
    h = BlueprintTestHarness(squaring(), operators=5, behaviours={"Dave": Faulty(1.0), "Operator5": Faulty(1.0)})
    for x in range(2):
        h.call_job(0, x + 2)
    h.report_faults(policy=SlashPolicy(10, window=1_000))
    h.advance_rounds(h.slash_defer_rounds() + 1)
    frame = h.events_frame("MultiAssetDelegation")
    delegator_rows = frame[frame["event"] == "DelegatorSlashed"]
    assert list(delegator_rows["operator"]) == ["Dave", "Operator5"]
    assert list(delegator_rows["text"]) == ["delegator Ferdie lost 1,000 USDC delegated to Dave (service 0)",
                                            "delegator Ferdie lost 1,000 USDC delegated to Operator5 (service 0)"]
