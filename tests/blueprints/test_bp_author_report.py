"""What a new blueprint author found misleading (newuser5 report): each test pins the fixed behaviour.

* W2: a subscription charge is one payment row in the timeline, and Eve's payment rows add up to
  what she paid; an interval the pallet skipped (``SubscriptionBillingSkipped``) is shown, with why.
* W3: under ``profile="real"`` a result from an operator outside the service never completes a quorum.
* W4: ``JobOutcome``'s repr shows a tuple result as a tuple and an equivocator's answers as several.
"""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from blueprints import U32, Blueprint, BlueprintTestHarness, Equivocating, Offline, Quorum, ServiceManager, subscription
from runtime import DispatchError

TNT = 10**18
RATE, INTERVAL = 3 * TNT, 7


def _subscribed(rate: int, interval: int, name: str, **kw: object) -> BlueprintTestHarness:
    bp = Blueprint(name, manager=lambda: ServiceManager(Quorum(1)))

    @bp.job(0, pricing=subscription(rate, interval))
    def audit(n: U32) -> U32:
        return n

    return BlueprintTestHarness(bp, operators=3, **kw)


def _tnt(text: str) -> int:
    return int(Decimal(text.replace(",", "")) * TNT)


def test_a_subscription_charge_is_one_payment_row_and_the_rows_add_up_to_what_eve_paid() -> None:
    h = _subscribed(RATE, INTERVAL, "sub-rows", payment=RATE)
    before = h.rt.free_balance("Eve") + h.payment  # the request payment left her balance at deployment
    h.advance(16)
    rows = h.timeline(categories=["payment"])
    charges = [(b, t) for b, _, t in rows if "subscription" in t and t.startswith("Eve")]
    assert [b for b, _ in charges] == [8, 15]  # one row per charge (it was two: the transfer and the billing event)
    assert all("job 0 (audit) of service 0" in t for _, t in charges)
    paid = sum(_tnt(m.group(1)) for _, _, t in rows for m in [re.match(r"Eve (?:paid|billed) ([\d,.]+) TNT", t)] if m)
    assert paid == before - h.rt.free_balance("Eve") == 3 * RATE  # the request payment and two intervals (it summed to 5)
    subs = [p for p in h.payments() if p.payer == "Eve" and p.payee == "Rewards pot"]
    assert [(p.block, p.amount) for p in subs] == [(8, RATE), (15, RATE)]
    assert all(p.what.startswith("subscription interval of job 0 of service 0") for p in subs)
    assert h.skipped_bills() == []


def test_an_interval_the_pallet_skips_is_shown_with_its_reason() -> None:
    """A rate of 10 base units cannot open the empty Rewards pot (existential deposit 10^10): nothing
    is billed, and the timeline and skipped_bills() say so instead of showing nothing."""
    h = _subscribed(10, 5, "sub-skipped")
    before = h.rt.free_balance("Eve")
    h.advance(12)
    assert h.rt.free_balance("Eve") == before and not [p for p in h.payments() if p.payee == "Rewards pot"]
    skipped = h.skipped_bills()
    assert [(s.block, s.payer, s.service_id, s.job, s.amount, s.error) for s in skipped] == [
        (6, "Eve", 0, 0, 10, "Token.BelowMinimum"), (11, "Eve", 0, 0, 10, "Token.BelowMinimum")]
    assert "existential deposit" in skipped[0].reason and "NOT billed" in str(skipped[0])
    rows = [(b, t) for b, c, t in h.timeline(categories=["payment"]) if "NOT billed" in t]
    assert [b for b, _ in rows] == [6, 11]
    assert all("job 0 (audit) of service 0" in t and "Token.BelowMinimum" in t and "nothing paid" in t for _, t in rows)


def _two_of_three_offline(profile: str, **kw: object) -> tuple[BlueprintTestHarness, int]:
    bp = Blueprint(f"ping-{profile}-{sorted(kw)}", manager=lambda: ServiceManager(Quorum(2)), **kw)  # type: ignore[arg-type]

    @bp.job(0)
    def ping(n: U32) -> tuple[U32, bool]:
        return n, True

    h = BlueprintTestHarness(bp, operators=3, standby=["Operator4"], profile=profile,
                             behaviours={"Charlie": Offline(), "Dave": Offline()})
    out = h.call_job(0, 9)
    assert not out.final and out.results == {"Bob": [(9, True)]}
    return h, out.call_id


def test_under_real_a_result_from_outside_the_service_does_not_complete_a_quorum() -> None:
    h, call_id = _two_of_three_offline("real")
    result = [{"Uint32": 9}, {"Bool": True}]
    h.rt.dispatch(h.operator("Operator4").account, "Services", "submit_result",  # the real pallet accepts it (services.md §5.10)
                  {"service_id": h.service_id, "call_id": call_id, "result": result})
    assert h.manager.final_result(h.service_id, call_id) is None  # Quorum(2) of the service's operators: only Bob answered
    assert [name for name, _ in h.manager.submissions(h.service_id, call_id)] == [h.operator("Bob").account, h.operator("Operator4").account]
    assert h.manager.faults() == []

    def submit(who: str, n: int, ok: bool) -> None:
        h.rt.dispatch(h.operator(who).account, "Services", "submit_result",
                      {"service_id": h.service_id, "call_id": call_id, "result": [{"Uint32": n}, {"Bool": ok}]})

    submit("Charlie", 9, False)  # Bob and Operator4 agree, Charlie differs: still no two members agree
    assert h.manager.final_result(h.service_id, call_id) is None
    submit("Dave", 9, True)  # a second member agrees with Bob: final, Charlie's answer is the mismatch
    assert h.manager.final_result(h.service_id, call_id) is not None
    submit("Operator4", 10, True)  # an outsider's later (different) answers are never judged: no fault, no slash for it
    assert [(f.operator, f.kind) for f in h.manager.faults()] == [("Charlie", "mismatch")]


def test_under_intended_the_pallet_refuses_the_outsider_first() -> None:
    h, call_id = _two_of_three_offline("intended")
    with pytest.raises(DispatchError, match="NotAnOperator"):
        h.rt.dispatch(h.operator("Operator4").account, "Services", "submit_result",
                      {"service_id": h.service_id, "call_id": call_id, "result": [{"Uint32": 9}, {"Bool": True}]})


def test_a_dynamic_service_counts_the_operators_it_had_when_the_job_was_called() -> None:
    """Operator4 joins after the call: the pallet accepts its result for the earlier call (it is a
    member now), but the call's quorum is among the operators called."""
    h, call_id = _two_of_three_offline("intended", membership=("Dynamic",))
    h.join_service("Operator4")
    h.rt.dispatch(h.operator("Operator4").account, "Services", "submit_result",
                  {"service_id": h.service_id, "call_id": call_id, "result": [{"Uint32": 9}, {"Bool": True}]})
    assert h.manager.final_result(h.service_id, call_id) is None
    assert h.call_job(0, 10).results["Operator4"] == [(10, True)]  # the next call is its own: it counts there


def test_job_outcome_shows_tuples_as_tuples_and_an_equivocators_answers_as_several() -> None:
    bp = Blueprint("repr-shapes", manager=lambda: ServiceManager(Quorum(2)))

    @bp.job(0)
    def ping(n: U32) -> tuple[U32, bool]:
        return n, True

    @bp.job(1)
    def pair(n: U32) -> list[U32]:
        return [n, n]

    h = BlueprintTestHarness(bp, operators=4, behaviours={"Operator4": Equivocating()})
    text = repr(h.call_job(0, 7))
    assert "result=(7, True) (final)" in text and "Bob: (7, True)," in text
    assert re.search(r"Operator4: 2 answers \(7, True\) then \(\d+, (True|False)\)", text), text
    text = repr(h.call_job(1, 7))
    assert "result=[7, 7] (final)" in text and re.search(r"Operator4: 2 answers \[7, 7\] then \[\d+, \d+\]", text), text
