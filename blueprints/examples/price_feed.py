"""price-feed: a two-job price oracle, paid in USDC, with an outage and a liar.

* Job 0 ``submit_price(price: u64) -> bool``: a client submits a price (cents); each operator checks
  it against its own reference feed and answers whether it is within 5 %.
* Job 1 ``aggregate() -> u64``: each operator reads the service's ``submit_price`` calls from chain
  state (``Services.JobCalls``) and answers the median of the prices inside its band.
* The manager accepts a result once 2 operators agree exactly (``Quorum(2)``) and refuses, in its
  ``on_request`` hook, any request naming fewer than 3 operators (``Services.InvalidRequestInput``).
* Pricing: ``PayOnce`` 5 USDC per job. As on the real chain, a job call charges nothing: the request
  pays up front (at least the cheapest PayOnce amount) in the asset it names, here USDC; the payment
  is staged in the Services pallet and forwarded to the master manager when the service starts
  (whose EVM split between developer, protocol and operators is not simulated).
* Operators: Bob and Charlie honest, Dave answers wrong every time (``Faulty(1.0)``), Operator4 is
  down from block 1 to block ``OUTAGE_END`` (``Offline(start=, end=)``), then answers again.
  Dave's faults become one 10 % slash (``SlashPolicy(10, window=1_000)``), applied by
  MultiAssetDelegation after the dispute window to his self-stake *and* his delegator's USDC;
  QoS-weighted era rewards pay Dave nothing and Operator4 less than the honest pair.

Run the story: ``python -m blueprints.examples.price_feed``.
"""

from __future__ import annotations

from typing import Any

from blueprints import (U64, Blueprint, BlueprintTestHarness, Faulty, JobContext, Offline, Quorum, Revert, ServiceManager,
                        SlashPolicy, pay_once)
from blueprints.harness import tnt_and_usdc

REFERENCE = 350_000  # the operators' own reference feed: ETH at 3,500.00 USD, in cents
BAND = 5  # percent: a submitted price further than this from the reference is refused (False)
MIN_OPERATORS = 3
FEE = 5 * 10**6  # 5 USDC (6 decimals) per job
OUTAGE_END = 40  # Operator4 is down in blocks 1..39


class PriceFeedManager(ServiceManager):
    """Quorum(2) on every result; a service needs at least ``MIN_OPERATORS`` operators."""

    def __init__(self) -> None:
        super().__init__(Quorum(2))

    def on_request(self, blueprint_id: int, params: Any) -> bool | None:
        if len(params.operators) < MIN_OPERATORS:
            raise Revert(f"a price feed needs at least {MIN_OPERATORS} operators, the request names {len(params.operators)}")
        return super().on_request(blueprint_id, params)


def in_band(price: int) -> bool:
    return abs(price - REFERENCE) * 100 <= REFERENCE * BAND


def build_blueprint() -> Blueprint:
    bp = Blueprint("price-feed", description="a USDC-paid price oracle: submit prices, read their median", author="tangle-sim",
                   category="example", license="MIT", manager=PriceFeedManager, security=tnt_and_usdc())

    @bp.job(0, pricing=pay_once(FEE))
    def submit_price(price: U64) -> bool:
        """Is ``price`` (cents) within 5 % of this operator's reference feed?"""
        return in_band(price)

    @bp.job(1, pricing=pay_once(FEE))
    def aggregate(ctx: JobContext) -> U64:
        """The median of the in-band prices submitted to this service so far (0 if none)."""
        calls = ctx.rt.pallets["Services"].storage.JobCalls.iter_prefix(ctx.service_id)
        prices = sorted(c.args[0].value for _, c in calls if c.job == 0 and in_band(c.args[0].value))
        return prices[(len(prices) - 1) // 2] if prices else 0

    return bp


def build_harness(seed: int = 0) -> BlueprintTestHarness:
    """Four operators, the request paying 5 USDC up front."""
    return BlueprintTestHarness(build_blueprint(), operators=4, seed=seed, payment=FEE, payment_asset="USDC",
                                behaviours={"Dave": Faulty(1.0), "Operator4": Offline(start=1, end=OUTAGE_END)})


def run(h: BlueprintTestHarness, rounds: int = 6) -> list[Any]:
    """Each round: two prices submitted (one out of band), the median read, 10 blocks pass."""
    outcomes = []
    for r in range(rounds):
        outcomes.append(h.call_job("submit_price", REFERENCE + 100 * r))
        outcomes.append(h.call_job("submit_price", REFERENCE * 2))  # refused by every honest operator
        outcomes.append(h.call_job("aggregate"))
        h.advance(10)
    return outcomes


def main() -> None:  # pragma: no cover - exercised by tests/blueprints/test_bp_price_feed.py
    from blueprints.amounts import tnt

    h = build_harness()
    stake_before = {n: h.operator_stake(n) for n in h.names}
    for out in run(h):
        print(out)
    h.report_faults(policy=SlashPolicy(10, window=1_000))
    h.advance_eras(1)
    h.advance_rounds(h.slash_defer_rounds())
    print("\npayments:")
    for p in h.payments():
        print(" ", p)
    print("\noperator        self-stake before -> after        era rewards")
    for n in h.names:
        print(f"  {n:<10} {tnt(stake_before[n]):>14} -> {tnt(h.operator_stake(n)):<14} {tnt(h.rewards_of(n))}")
    print("\nslashes:")
    for block, _, text in h.timeline(categories=["slash"]):
        print(f"  block {block}: {text}")


if __name__ == "__main__":
    main()
