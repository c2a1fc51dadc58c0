"""What a new blueprint author hits first: every wrong input to the harness API gets a clear error
naming the field (no traceback from deep inside, no silent no-op, no state change), the request can
pay in a non-native asset, silent operators and not-yet-recorded rewards are said, not zeroed."""

from __future__ import annotations

import pytest

from blueprints import (U64, Blueprint, BlueprintTestHarness, Offline, Quorum, Revert, RewardsNotRecorded, ServiceManager, UnknownJob,
                        event_driven, pay_once, subscription)
from runtime import DispatchError


def feed(pricing=None, name: str = "feed") -> Blueprint:  # type: ignore[no-untyped-def]
    bp = Blueprint(name, manager=lambda: ServiceManager(Quorum(2)))

    @bp.job(0, pricing=pricing)
    def submit_price(price: U64) -> bool:
        return price > 0

    @bp.job(1, pricing=pricing)
    def aggregate() -> U64:
        return 7

    return bp


@pytest.fixture(scope="module")
def h() -> BlueprintTestHarness:
    return BlueprintTestHarness(feed(), operators=3)


def unchanged(h: BlueprintTestHarness):  # type: ignore[no-untyped-def]
    """A check that nothing (state, events, block) moved since it was taken."""
    before = (h.rt.state_root(), len(h.rt.all_events()), h.rt.block_number)
    return lambda: (h.rt.state_root(), len(h.rt.all_events()), h.rt.block_number) == before


# ---------------------------------------------------------------------------------- jobs by name
def test_call_job_by_name_is_the_same_call_as_by_index(h: BlueprintTestHarness) -> None:
    by_name = h.call_job("submit_price", 5)
    by_index = h.call_job(0, 5)
    assert by_name.job == by_index.job == 0 and by_name.result is by_index.result is True
    assert h.call_job("aggregate").result == 7


@pytest.mark.parametrize("job, words", [("sbumit_price", "no job named 'sbumit_price'; its jobs are 0 (submit_price), 1 (aggregate)"),
                                        (7, "no job 7; its jobs are 0 (submit_price), 1 (aggregate)"),
                                        (-1, "no job -1")])
def test_an_unknown_job_lists_the_jobs_and_changes_nothing(h: BlueprintTestHarness, job, words) -> None:  # type: ignore[no-untyped-def]
    same = unchanged(h)
    with pytest.raises(UnknownJob) as info:
        h.call_job(job, 5)
    assert words in str(info.value) and isinstance(info.value, KeyError)
    assert same()


@pytest.mark.parametrize("job", [0.0, None, True, b"submit_price", [0]])
def test_a_job_that_is_neither_index_nor_name_is_a_type_error_naming_job(h: BlueprintTestHarness, job) -> None:  # type: ignore[no-untyped-def]
    same = unchanged(h)
    with pytest.raises(TypeError, match=r"^job must be a job index \(int\) or a job name \(str\)"):
        h.call_job(job, 5)
    assert same()


@pytest.mark.parametrize("max_blocks", [-1, 10**12, "5", 2.5])
def test_max_blocks_is_checked_before_the_call(h: BlueprintTestHarness, max_blocks) -> None:  # type: ignore[no-untyped-def]
    same = unchanged(h)
    with pytest.raises(ValueError, match="^max_blocks must be an integer"):
        h.call_job(0, 5, max_blocks=max_blocks)
    assert same()


@pytest.mark.parametrize("method, bad, error", [("advance", "3", TypeError), ("advance", -1, ValueError), ("advance", 10**12, ValueError),
                                                ("advance_rounds", -1, ValueError), ("advance_rounds", 1.5, TypeError),
                                                ("advance_eras", -2, ValueError), ("advance_eras", None, TypeError)])
def test_advancing_by_a_bad_count_is_refused_not_ignored(h: BlueprintTestHarness, method, bad, error) -> None:  # type: ignore[no-untyped-def]
    same = unchanged(h)
    field = {"advance": "blocks", "advance_rounds": "rounds", "advance_eras": "eras"}[method]
    with pytest.raises(error, match=f"^{field} must be"):
        getattr(h, method)(bad)
    assert same()


# ---------------------------------------------------------------------------------- construction
@pytest.mark.parametrize("kwargs, error, words", [
    ({"operators": "3"}, TypeError, "operators must be a count or a list of operator names, got str '3'"),
    ({"operators": 10**9}, ValueError, "operators: a count in 0..1024"),
    ({"operators": 0}, ValueError, "operators: a service needs at least one operator"),
    ({"operators": ["Bob", 3]}, TypeError, "operators: operator names are non-empty strings"),
    ({"standby": "Operator4"}, TypeError, "standby must be a count or a list"),
    ({"payment": "5"}, TypeError, "payment must be an integer in base units"),
    ({"payment": -1}, ValueError, "payment must be in 0..2**128-1"),
    ({"payment_asset": "DOGE"}, ValueError, "payment_asset must be 'TNT', 'USDC' or an asset id"),
    ({"payment_asset": 7}, ValueError, "payment_asset: no asset 7 on this chain"),
])
def test_harness_arguments_are_checked_with_the_field_named(kwargs, error, words) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(error) as info:
        BlueprintTestHarness(feed(), **kwargs)
    assert words in str(info.value)


@pytest.mark.parametrize("make, words", [(lambda: pay_once(-5), "pay_once.amount must be in 0.."),
                                         (lambda: pay_once("5"), "pay_once.amount must be an integer in base units"),
                                         (lambda: pay_once(2**128), "pay_once.amount must be in 0.."),
                                         (lambda: subscription(1, 2**32), "subscription.interval must be in 0..4294967295"),
                                         (lambda: subscription(1, 5, maybe_end=-1), "subscription.maybe_end must be in"),
                                         (lambda: event_driven(1.5), "event_driven.reward_per_event must be an integer")])
def test_pricing_amounts_are_checked_when_declared(make, words) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError) as info:
        make()
    assert str(info.value).startswith(words)


# ---------------------------------------------------------------------------------- payments
def test_the_request_can_pay_in_usdc() -> None:
    h = BlueprintTestHarness(feed(pay_once(5 * 10**6), "usdc-feed"), operators=3, payment=5 * 10**6, payment_asset="USDC")
    assert [(p.payer, p.payee, p.asset, p.text) for p in h.payments()] == [("Eve", "Services pallet", 1, "5 USDC"),
                                                                            ("Services pallet", "master manager", 1, "5 USDC")]
    request = [e for e in h.rt.all_events() if e.matches("Services.ServiceRequested")]
    assert len(request) == 1


def test_a_failed_request_says_what_the_harness_paid_and_in_what() -> None:
    # 5 USDC worth of base units sent as TNT: below TNT's existential deposit
    with pytest.raises(DispatchError) as info:
        BlueprintTestHarness(feed(pay_once(5 * 10**6), "tnt-dust"), operators=3, payment=5 * 10**6)
    err = info.value
    assert err.qualified_name == "Token.BelowMinimum"
    assert "the request offered payment=5,000,000 base units of payment_asset 0 (0.000000000005 TNT)" in str(err) and "existential deposit" in str(err)


def test_revert_is_importable_from_blueprints_and_refuses_the_request() -> None:
    class AtLeastThree(ServiceManager):
        def on_request(self, blueprint_id, params):  # type: ignore[no-untyped-def]
            if len(params.operators) < 3:
                raise Revert("need 3")
            return super().on_request(blueprint_id, params)

    bp = feed(name="three")
    bp.manager = lambda: AtLeastThree(Quorum(2))
    with pytest.raises(DispatchError, match=r"Services.request by Eve to 2 operator\(s\) failed \(on_request reverted: need 3\)"):
        BlueprintTestHarness(bp, operators=2)
    assert BlueprintTestHarness(bp, operators=3).members() == ["Bob", "Charlie", "Dave"]


# ---------------------------------------------------------------------------------- silence is said
def test_an_offline_operator_is_named_as_missing_and_an_outage_ends() -> None:
    h = BlueprintTestHarness(feed(name="outage"), operators=4, behaviours={"Charlie": Offline(), "Operator4": Offline(start=0, end=20)})
    first = h.call_job(0, 5)
    first_block = h.rt.block_number
    assert first.missing == ["Charlie", "Operator4"] and "no answer from Charlie, Operator4" in repr(first)
    h.advance(20)
    later = h.call_job(0, 5)
    assert later.missing == ["Charlie"] and later.results["Operator4"] == [True]
    # silence leaves no event; the timeline says it, at the block the harness stopped waiting
    name = h.blueprint.job_spec(0).name
    said = [(b, t) for b, c, t in h.timeline(categories=["result"]) if t.startswith("no result")]
    assert said == [(first_block, f"no result from Charlie, Operator4 for call {first.call_id} (job 0 {name}) after {first.blocks} blocks"),
                    (h.rt.block_number, f"no result from Charlie for call {later.call_id} (job 0 {name}) after {later.blocks} blocks")]
    assert not [t for _, _, t in h.timeline(categories=["slash"]) if t.startswith("no result")]


@pytest.mark.parametrize("start, end", [(-1, None), (5, 5), (None, "9"), (True, None)])
def test_an_outage_window_is_checked(start, end) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError, match="^Offline"):
        Offline(start=start, end=end)


def test_rewards_of_refuses_to_answer_before_an_era_is_paid() -> None:
    h = BlueprintTestHarness(feed(name="early"), operators=3)
    h.call_job(0, 5)
    with pytest.raises(RewardsNotRecorded, match=r"advance_eras\(1\) first"):
        h.rewards_of("Bob")
    h.advance_eras(1)
    assert h.rewards_of("Bob") > 0
    with pytest.raises(TypeError, match="^who must be"):
        h.rewards_of(None)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="^era must be"):
        h.era_rewards(era="1")  # type: ignore[arg-type]


def test_rewards_of_under_the_real_profile_says_none_are_paid() -> None:
    h = BlueprintTestHarness(feed(name="real"), operators=3, profile="real")
    h.advance_eras(1)
    with pytest.raises(RewardsNotRecorded, match="no era rewards are recorded under the 'real' profile"):
        h.rewards_of("Bob")
    assert h.era_rewards() == []


# ---------------------------------------------------------------------------------- declaring
@pytest.mark.parametrize("declare, words", [
    (lambda: Blueprint(5), "Blueprint.name must be a non-empty str, got int 5"),
    (lambda: Blueprint(""), "Blueprint.name must be a non-empty str"),
    (lambda: Blueprint("x" * 2_000_000), "Blueprint.name is 2,000,000 bytes; the chain stores at most 1024"),
    (lambda: Blueprint("ok", description=b"bytes"), "Blueprint.description must be a str, got bytes"),
    (lambda: Blueprint("ok").job("0"), "job indices are u8 on chain (0..255), got str '0'"),
    (lambda: Blueprint("ok").job(256), "job indices are u8 on chain (0..255), got int 256"),
    (lambda: Blueprint("ok").job(0, name=7), "job name must be a str, got int 7"),
])
def test_declarations_are_checked_where_they_are_written(declare, words) -> None:  # type: ignore[no-untyped-def]
    from blueprints import SchemaError

    with pytest.raises(SchemaError) as info:
        declare()
    assert str(info.value).startswith(words)


def test_job_names_are_unique_because_call_job_finds_jobs_by_name() -> None:
    from blueprints import SchemaError

    bp = Blueprint("twice")

    @bp.job(0)
    def price(x: U64) -> U64:
        return x

    with pytest.raises(SchemaError, match="job 1 is named 'price' like job 0"):
        bp.job(1)(price)
    bp.job(1, name="price_again")(price)
    assert bp.job_spec("price_again").index == 1 and bp.job_spec("price").index == 0


# ---------------------------------------------------------------------------------- no silent zeros in reads and reports
def test_reading_the_stake_of_a_non_operator_is_refused_not_zero(h: BlueprintTestHarness) -> None:
    with pytest.raises(ValueError, match="^Alice is not a MultiAssetDelegation operator"):
        h.operator_stake("Alice")
    with pytest.raises(ValueError, match="^Eve is not a MultiAssetDelegation operator"):
        h.delegated("Eve")
    with pytest.raises(ValueError, match="^asset_id: no asset 99 on this chain"):
        h.delegated("Bob", 99)
    assert h.delegated("Bob") == 10_000 * 10**6 and h.delegated("Bob", 0) == 0  # USDC delegated, no TNT: a real 0


@pytest.mark.parametrize("percent", [0, 101, "10", 2.5])
def test_report_faults_with_a_percent_services_slash_would_refuse_changes_nothing(percent) -> None:  # type: ignore[no-untyped-def]
    from blueprints import Faulty

    h = BlueprintTestHarness(feed(name="zero-slash"), operators=3, behaviours={"Dave": Faulty(1.0)})
    h.call_job(0, 5)
    same = unchanged(h)
    with pytest.raises(ValueError, match=r"^percent must be an integer percent in 1\.\.100"):
        h.report_faults(percent=percent)
    assert same() and len(h.manager.unreported_faults()) == 1 and h.slash_orders == []  # the fault is still to report


def test_subscriptions_bill_tnt_whatever_the_request_paid_in() -> None:
    """What docs/blueprints.md's first section says: the request pays in its asset, billing is in TNT."""
    with pytest.raises(DispatchError, match="does not cover one subscription interval"):  # amounts compare as plain integers
        BlueprintTestHarness(feed(subscription(3 * 10**18, 5), "sub-usdc"), operators=3, payment=3 * 10**6, payment_asset="USDC")
    h = BlueprintTestHarness(feed(subscription(3 * 10**18, 5), "sub-usdc"), operators=3, payment_asset="USDC")  # nothing up front
    h.advance(6)
    billed = [p for p in h.payments() if p.payee == "Rewards pot"]
    assert billed and all(p.payer == "Eve" and p.asset == 0 and p.amount == 3 * 10**18 and p.text == "3 TNT" for p in billed)


def test_an_outage_covers_start_and_stops_at_end() -> None:
    h = BlueprintTestHarness(feed(name="edges"), operators=3, behaviours={"Dave": Offline(start=5, end=9)})
    seen = {}
    while h.rt.block_number < 10:
        seen[h.rt.block_number] = h.call_job(0, 5).missing
        h.advance(1)
    assert {b: m for b, m in seen.items() if m} == {5: ["Dave"], 6: ["Dave"], 7: ["Dave"], 8: ["Dave"]}
    assert seen[4] == seen[9] == []


def test_a_slow_operator_still_due_to_answer_is_not_missing() -> None:
    from blueprints import Slow

    h = BlueprintTestHarness(feed(name="slow"), operators=4, behaviours={"Dave": Slow(5), "Operator4": Offline()})
    out = h.call_job(0, 5)  # Quorum(2) is final at once; Dave's answer is scheduled 5 blocks later
    assert out.final and "Dave" not in out.results and out.missing == ["Operator4"]
    h.advance(6)
    assert h.results_frame().query("operator == 'Dave'")["result"].tolist() == [True]


def test_a_quorum_larger_than_the_service_is_refused_before_anything_is_sent() -> None:
    """Quorum(5) with 3 operators: every call would end 'not final' without a word."""
    bp = Blueprint("too-big-quorum", manager=lambda: ServiceManager(Quorum(5)))

    @bp.job(0)
    def echo(x: U64) -> U64:
        return x

    h = BlueprintTestHarness(bp, operators=3)
    root, events = h.rt.state_root(), len(h.rt.all_events())
    with pytest.raises(ValueError, match=r"Quorum\(5\) needs 5 matching results but service \d+ has 3 operators"):
        h.call_job(0, 7)
    assert h.rt.state_root() == root and len(h.rt.all_events()) == events


def test_rewards_of_an_unknown_name_says_so_before_anything_about_eras() -> None:
    h = BlueprintTestHarness(feed(name="feed-typo"), operators=2)
    with pytest.raises(ValueError, match="unknown account 'Zed'"):
        h.rewards_of("Zed")  # a typo, not "no era has started yet"
    with pytest.raises(RewardsNotRecorded):
        h.rewards_of("Bob")  # a known operator: the era message stands


def test_membership_and_request_errors_say_who_and_what() -> None:
    h = BlueprintTestHarness(feed(name="feed-errors"), operators=2)
    with pytest.raises(DispatchError, match="service .* has fixed membership: operators cannot join or leave it"):
        h.rt.dispatch("Bob", "Services", "leave_service", {"instance_id": h.service_id})
    with pytest.raises(DispatchError, match="Ferdie is not an active MultiAssetDelegation operator"):
        h.rt.dispatch("Eve", "Services", "request", {
            "evm_origin": None, "blueprint_id": 0, "permitted_callers": [], "operators": ["Ferdie"], "request_args": [],
            "asset_security_requirements": [{"asset": {"Custom": 0}, "min_exposure_percent": 10, "max_exposure_percent": 50}],
            "ttl": 100, "payment_asset": {"Custom": 0}, "value": 0, "membership_model": {"Fixed": {"min_operators": 1}}})
