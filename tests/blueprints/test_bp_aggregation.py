"""Aggregations as documented values: exact counting policies, tolerant median/mean with outliers
reported as faults, and the settle/judge protocol for writing one's own."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import pytest

from blueprints import (U64, Blueprint, BlueprintTestHarness, Decision, FirstResult, JobContext, Mean, Median, Quorum, ServiceManager,
                        Slow, Tolerance)
from blueprints.aggregation import Aggregation, number_at
from pallets.services.types import Field

JITTER = {"Bob": 10_000, "Charlie": 10_030, "Dave": 9_980, "Operator4": 12_000, "Operator5": 10_010}


def oracle(policy: Aggregation) -> Blueprint:
    bp = Blueprint("jitter-oracle", manager=lambda: ServiceManager(policy))

    @bp.job(0)
    def price(asset: str, ctx: JobContext) -> U64:
        return JITTER[ctx.operator_name]

    return bp


@dataclass
class Quote:
    asset: str
    price: U64


def test_median_with_relative_tolerance_reports_only_the_outlier() -> None:
    h = BlueprintTestHarness(oracle(Median(relative=0.05)), operators=5)
    out = h.call_job(0, "ETH")
    assert out.final and out.result == 10_000  # settled by the first three (a majority of 5): median of 10,000 10,030 9,980
    faults = h.manager.faults()
    assert [(f.operator, f.kind) for f in faults] == [("Operator4", "outlier")]  # judged as it arrived, after the decision
    assert faults[0].detail == "12000 deviates 20.0% from 10000"


def test_exact_quorum_reports_every_jittered_honest_answer() -> None:
    h = BlueprintTestHarness(oracle(Quorum(1)), operators=3)
    h.call_job(0, "ETH")
    assert sorted(f.operator for f in h.manager.faults()) == ["Charlie", "Dave"]  # why exact equality is wrong for prices


def test_absolute_tolerance_and_late_answers_are_judged_against_the_accepted_value() -> None:
    bp = oracle(Median(3, absolute=25))
    h = BlueprintTestHarness(bp, operators=5, behaviours={"Operator4": Slow(2), "Charlie": Slow(2)})
    out = h.call_job(0, "ETH", max_blocks=5)
    assert out.result == 10_000  # Bob, Dave, Operator5 settle it: median 10,000
    h.advance(3)
    kinds = {f.operator: f.detail for f in h.manager.faults()}
    assert set(kinds) == {"Charlie", "Operator4"}  # 30 and 2,000 off: outside 25, both answered late
    assert kinds["Charlie"] == "10030 deviates 0.3% from 10000"


def test_mean_averages_the_inliers_only() -> None:
    h = BlueprintTestHarness(oracle(Mean(relative=Fraction(1, 20))), operators=5)
    out = h.call_job(0, "ETH")
    assert out.result == (10_000 + 10_030 + 9_980) // 3  # the three answers that settled it, all inliers
    assert [f.operator for f in h.manager.faults()] == ["Operator4"]
    h = BlueprintTestHarness(oracle(Mean(5, relative=0.05)), operators=5)  # all five answers, the outlier among them
    assert h.call_job(0, "ETH").result == (10_000 + 10_030 + 9_980 + 10_010) // 4  # 12,000 does not drag the mean
    assert [f.operator for f in h.manager.faults()] == ["Operator4"]


def test_tolerant_policies_compare_a_named_struct_member() -> None:
    bp = Blueprint("struct-oracle", manager=lambda: ServiceManager(Median(relative=0.05, field="price")))

    @bp.job(0)
    def quote(asset: str, ctx: JobContext) -> Quote:
        return Quote(asset, JITTER[ctx.operator_name])

    h = BlueprintTestHarness(bp, operators=4)
    out = h.call_job(0, "BTC")
    assert out.result == Quote("BTC", 10_000) and [f.operator for f in h.manager.faults()] == ["Operator4"]


def test_tolerances_and_fields_are_checked_up_front() -> None:
    with pytest.raises(ValueError, match="relative="):
        Median()
    with pytest.raises(ValueError, match="absolute tolerance"):
        Median(absolute=-1)
    with pytest.raises(ValueError, match="k must be"):
        Median(0, relative=0.1)
    with pytest.raises(ValueError, match="no member 'cost'"):
        number_at((Field.Struct(("Quote", (("price", Field.Uint64(1)),))),), "cost")
    with pytest.raises(ValueError, match="2 integer fields"):
        number_at((Field.Uint64(1), Field.Uint64(2)), None)
    assert Tolerance.of(0.05).outside(105, 100) is None and Tolerance.of(0.05).outside(106, 100) == "106 deviates 6.0% from 100"
    assert Tolerance.of(absolute=0).outside(0, 0) is None and Tolerance.of(absolute=0).outside(3, 0) == "3 deviates 3 from 0"
    assert repr(Median(relative=0.05)) == "Median(Tolerance(relative=0.05))"


def test_a_custom_policy_implements_settle_and_judge() -> None:
    class Highest(Aggregation):
        """Accept the highest answer once two are in; report nobody (a bid, not a measurement)."""

        fault_kind = "low-bid"

        def settle(self, first, operators):  # type: ignore[no-untyped-def]
            if len(first) < 2:
                return None
            best = max(first.values(), key=lambda r: number_at(r, None))
            return Decision(best, {op: "below the best bid" for op, r in first.items() if number_at(r, None) * 2 < number_at(best, None)})

        def judge(self, result, accepted):  # type: ignore[no-untyped-def]
            return None

    h = BlueprintTestHarness(oracle(Highest()), operators=4)
    out = h.call_job(0, "ETH")
    assert out.result == 10_030 and h.manager.faults() == []  # settled after Bob and Charlie answered
    assert FirstResult().required(5) == 1
