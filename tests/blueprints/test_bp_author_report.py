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


# ---------------------------------------------------------------- what docs/blueprints.md now says, checked
def test_subscription_intervals_fall_after_the_start_and_maybe_end_is_charged() -> None:
    """C1 (docs "When subscription intervals fall"): the request payment covers the first interval;
    a service started at block 1 with interval 7 is charged at 8, 15, 22; maybe_end=16 with
    interval 5 is charged at 6, 11 and 16, then the subscription ends."""
    h = _subscribed(RATE, INTERVAL, "sub-timing")
    billing = h.rt.pallets["Services"].storage.JobSubscriptionBillings.get((h.service_id, 0, h._account("Eve")))
    assert billing.last_billed == 1  # the service started at block 1
    h.advance(22)
    assert [p.block for p in h.payments() if p.payee == "Rewards pot"] == [8, 15, 22]

    bp = Blueprint("sub-end", manager=lambda: ServiceManager(Quorum(1)))

    @bp.job(0, pricing=subscription(RATE, 5, maybe_end=16))
    def tick(n: U32) -> U32:
        return n

    h = BlueprintTestHarness(bp, operators=3)
    h.advance(30)
    assert [p.block for p in h.payments() if p.payee == "Rewards pot"] == [6, 11, 16]
    assert h.rt.pallets["Services"].storage.UserSubscriptionCount.get(h._account("Eve")) == 0


def test_event_driven_pricing_charges_nothing() -> None:
    """C2: the real code is unreachable and the simulator does not bill it either."""
    from blueprints import event_driven

    bp = Blueprint("events-priced", manager=lambda: ServiceManager(Quorum(1)))

    @bp.job(0, pricing=event_driven(2 * TNT))
    def ping(n: U32) -> U32:
        return n

    h = BlueprintTestHarness(bp, operators=3)
    before = h.rt.free_balance("Eve")
    for n in range(5):
        assert h.call_job(0, n).final
    h.advance(20)
    assert h.rt.free_balance("Eve") == before and h.payments() == [] and h.skipped_bills() == []


def _usdc_subscription(name: str, with_pay_once: bool) -> Blueprint:
    from blueprints import pay_once

    bp = Blueprint(name, manager=lambda: ServiceManager(Quorum(1)))

    @bp.job(0, pricing=subscription(RATE, INTERVAL))
    def audit(n: U32) -> U32:
        return n

    if with_pay_once:
        @bp.job(1, pricing=pay_once(5 * 10**6))
        def report(n: U32) -> U32:
            return n

    return bp


def test_a_tnt_subscription_with_a_usdc_payment_works_as_the_docs_say() -> None:
    """D4: only payment=0 works for subscription-only jobs paid in USDC; a pay_once job priced in
    USDC takes a USDC payment, and the subscription is still billed in TNT."""
    with pytest.raises(DispatchError, match="InvalidRequestInput"):
        BlueprintTestHarness(_usdc_subscription("usdc-sub-5", False), payment=5 * 10**6, payment_asset="USDC")
    with pytest.raises(DispatchError):  # 3 * 10**18 USDC base units: more USDC than exists
        BlueprintTestHarness(_usdc_subscription("usdc-sub-rate", False), payment=RATE, payment_asset="USDC")
    BlueprintTestHarness(_usdc_subscription("usdc-sub-0", False), payment=0, payment_asset="USDC")
    h = BlueprintTestHarness(_usdc_subscription("usdc-both", True), payment=5 * 10**6, payment_asset="USDC")
    before = h.rt.free_balance("Eve")
    h.advance(INTERVAL)
    assert before - h.rt.free_balance("Eve") == RATE
    assert [(p.asset, p.amount) for p in h.payments() if p.payer == "Eve"] == [(1, 5 * 10**6), (0, RATE)]


def test_ttl_is_not_a_request_expiry_and_the_genesis_extension_is() -> None:
    """D3: the harness's ttl= is stored only; request_expiry_blocks (genesis extensions) expires a
    pending request at b + blocks, refunding it."""
    def pending_request(h: BlueprintTestHarness, ttl: int) -> tuple[int, int]:
        s = h.rt.pallets["Services"].storage
        rid = s.NextServiceRequestId.value()
        h.rt.dispatch("Eve", "Services", "request", {
            "evm_origin": None, "blueprint_id": h.blueprint_id, "permitted_callers": [], "operators": [h.operator("Bob").account],
            "request_args": [], "asset_security_requirements": h.security_requirements(), "ttl": ttl,
            "payment_asset": {"Custom": 0}, "value": TNT, "membership_model": {"Fixed": {"min_operators": 1}}})
        return rid, h.rt.block_number

    bp = Blueprint("expiry", manager=lambda: ServiceManager(Quorum(1)))

    @bp.job(0)
    def echo(n: U32) -> U32:
        return n

    h = BlueprintTestHarness(bp, operators=1, ttl=2)
    rid, _ = pending_request(h, ttl=2)
    h.advance(20)
    assert h.rt.pallets["Services"].storage.ServiceRequests.contains(rid)  # ttl=2 expired nothing

    h = BlueprintTestHarness(bp, operators=1, genesis={"extensions": {"request_expiry_blocks": 5}})
    before = h.rt.free_balance("Eve")
    rid, made = pending_request(h, ttl=10_000)
    h.advance(4)
    assert h.rt.pallets["Services"].storage.ServiceRequests.contains(rid)
    h.advance(1)
    assert not h.rt.pallets["Services"].storage.ServiceRequests.contains(rid)
    expired = [e for e in h.rt.all_events() if e.matches("Services.ServiceRequestExpired")]
    assert [e.block for e in expired] == [made + 5] and h.rt.free_balance("Eve") == before


def test_manager_state_is_get_set_remove_not_a_dict() -> None:
    """D2: the API the docs name, and item assignment (what an author tries first) is not it."""
    from pallets.services.manager import ContractState

    assert all(callable(getattr(ContractState, m, None)) for m in ("get", "set", "remove", "__contains__"))
    assert not hasattr(ContractState, "__setitem__") and not hasattr(ContractState, "__getitem__")


def test_decoding_request_and_registration_args_checks_their_count() -> None:
    """B2: the decode helpers the docs point hooks to refuse a wrong number of fields (zip truncated them)."""
    from blueprints import ValueMismatch

    bp = Blueprint("decode-count", registration_params=[str, U32], request_params=[list[U32]])
    assert bp.decode_request_args(bp.request_args([[1, 2]])) == [[1, 2]]
    with pytest.raises(ValueMismatch, match="registration_args: expected 2 fields, got 1"):
        bp.decode_registration_args(bp.registration_args(["eu", 5])[:1])
    with pytest.raises(ValueMismatch, match="request_args: expected 1 fields, got 2"):
        bp.decode_request_args(bp.request_args([[1]]) * 2)
