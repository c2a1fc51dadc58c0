"""price-feed example: the on_request hook refuses small services, the request pays in USDC, the
outage and the liar show in answers, slashes and QoS era rewards, and every number adds up."""

from __future__ import annotations

import io
import re
from contextlib import redirect_stdout

import pytest

from blueprints import BlueprintTestHarness, SlashPolicy
from blueprints.examples import price_feed
from runtime import DispatchError
from runtime.genesis import UNIT

USDC = 1
BUDGET = 100 * UNIT  # Rewards' EraRewardBudget


@pytest.fixture(scope="module")
def story():  # type: ignore[no-untyped-def]
    h = price_feed.build_harness()
    usdc_before = h.rt.asset_balance(USDC, "Eve") + h.payment  # Eve paid the request at deployment
    outcomes = price_feed.run(h)
    orders = h.report_faults(policy=SlashPolicy(10, window=1_000))
    h.advance_eras(1)
    h.advance_rounds(h.slash_defer_rounds())
    return h, outcomes, orders, usdc_before


def test_the_manager_refuses_a_request_with_fewer_than_three_operators() -> None:
    with pytest.raises(DispatchError, match="at least 3 operators, the request names 2") as info:
        BlueprintTestHarness(price_feed.build_blueprint(), operators=2, payment=price_feed.FEE, payment_asset="USDC")
    assert info.value.qualified_name == "Services.InvalidRequestInput"


def test_the_request_pays_five_usdc_from_eve_to_the_master_manager(story) -> None:  # type: ignore[no-untyped-def]
    h, _, _, usdc_before = story
    pays = [(p.payer, p.payee, p.asset, p.amount, p.text) for p in h.payments()]
    assert pays == [("Eve", "Services pallet", USDC, 5 * 10**6, "5 USDC"), ("Services pallet", "master manager", USDC, 5 * 10**6, "5 USDC")]
    assert h.rt.asset_balance(USDC, "Eve") == usdc_before - 5 * 10**6  # no per-call charge: a call processes no payment


def test_answers_outage_and_liar(story) -> None:  # type: ignore[no-untyped-def]
    h, outcomes, _, _ = story
    assert [o.result for o in outcomes[:3]] == [True, False, price_feed.REFERENCE]
    assert all(o.final for o in outcomes)
    down = [o for o in outcomes if "Operator4" in o.missing]
    assert down == outcomes[:len(down)] and all(o.events[0].block < price_feed.OUTAGE_END for o in down)  # down in blocks 1..39
    back = outcomes[len(down):]
    assert back and all(o.events[0].block >= price_feed.OUTAGE_END and o.missing == [] and "Operator4" in o.results for o in back)
    assert {f.operator for f in h.manager.faults()} == {"Dave"} and len(h.manager.faults()) == len(outcomes)
    assert outcomes[-1].result == price_feed.REFERENCE + 200  # median of 350,000 .. 350,500 (lower median)


def test_one_ten_percent_slash_of_self_stake_and_delegation(story) -> None:  # type: ignore[no-untyped-def]
    h, _, orders, _ = story
    assert {e for _, e in orders} == {None} and len(h.slash_orders) == 1 and h.slash_orders[0].percent == 10
    assert h.operator_stake("Dave") == 900 * UNIT  # slash_percent of the self-stake, once
    assert h.delegated("Dave") == 9_000 * 10**6  # and of Ferdie's USDC delegation (blueprint selection All)
    assert h.operator_stake("Bob") == h.operator_stake("Operator4") == 1_000 * UNIT


def test_qos_era_rewards_add_up(story) -> None:  # type: ignore[no-untyped-def]
    h, _, _, _ = story
    assert h.rewards_of("Dave") == 0 < h.rewards_of("Operator4") < h.rewards_of("Bob") == h.rewards_of("Charlie")
    for era in {r.era for r in h.era_rewards()}:
        rows = h.era_rewards(era=era)
        assert sum(r.amount for r in rows) <= BUDGET  # the withheld part is never minted
        assert all(r.amount <= BUDGET // 4 + 1 for r in rows)  # four equal stakes: no one above its stake share


def test_demo_prints_payments_stakes_rewards_and_slashes() -> None:
    out = io.StringIO()
    with redirect_stdout(out):
        price_feed.main()
    text = out.getvalue()
    assert "Eve → Services pallet: 5 USDC" in text
    assert "Dave lost 100 TNT of self-stake" in text and "delegator Ferdie lost 1,000 USDC" in text
    assert "no answer from Operator4" in text


def test_the_timeline_writes_every_amount_by_one_exact_rule(story) -> None:  # type: ignore[no-untyped-def]
    """The newcomer saw ``earned 8.333333333333333333 TNT`` next to ``earned 25.00 TNT``: two
    precisions for one kind of number. Every amount is exact with trailing zeros trimmed."""
    h = story[0]
    rewards = [str(r) for r in h.era_rewards()]
    assert "era 2: Operator4 (operator) earned 16.666666666666666666 TNT" in rewards and "era 2: Bob (operator) earned 25 TNT" in rewards
    out = io.StringIO()
    with redirect_stdout(out):
        price_feed.main()
    text = "\n".join(rewards) + out.getvalue()
    amounts = re.findall(r"(-?[\d,]+(?:\.\d+)?) (?:TNT|USDC)\b", text)
    assert len(amounts) >= 10 and not [a for a in amounts if "." in a and a.endswith("0")], amounts  # no padded zeros anywhere
    assert "16.666666666666666666 TNT" in text and "50 TNT" in text
