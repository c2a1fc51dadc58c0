"""Subscription billing per interval (intended) vs never (real: the code is unreachable on chain)."""

from __future__ import annotations

from svc_helpers import BOB, CHARLIE, EVE, SVC, UNIT, create_blueprint, deploy, job, make_rt, storage, svc

RATE = 3 * UNIT


def _ready(profile: str = "intended", end: int | None = None):  # type: ignore[no-untyped-def]
    rt = make_rt(profile)
    create_blueprint(rt, jobs=[job("serve", [], [], {"Subscription": {"rate_per_interval": RATE, "interval": 5, "maybe_end": end}}),
                               job("ping", [], [], {"PayOnce": {"amount": 0}})])
    sid = deploy(rt, operators=("Bob", "Charlie"), value=RATE)  # the request payment covers the first interval
    return rt, sid


def test_intended_bills_every_interval_and_rewards_the_operators() -> None:
    rt, sid = _ready()
    rewards_pot = rt.pallets["Rewards"].pallet_account()
    start = rt.block_number
    billing = storage(rt).JobSubscriptionBillings.get((sid, 0, EVE))
    assert billing.last_billed == start and storage(rt).UserSubscriptionCount.get(EVE) == 1
    balance = rt.free_balance(EVE)
    rt.advance_blocks(4)
    assert rt.free_balance(EVE) == balance
    rt.advance_blocks(1)
    assert rt.free_balance(EVE) == balance - RATE and rt.free_balance(rewards_pot) >= RATE
    ev = [e for e in rt.events if e.spec.pallet == SVC]
    assert [e.spec.name for e in ev] == ["SubscriptionBillingProcessed", "RewardDistributed", "RewardDistributed"]
    assert ev[0].attributes == {"subscriber": EVE, "service_id": sid, "job_index": 0, "amount": RATE, "block_number": start + 5}
    pending = rt.pallets["Rewards"].storage.PendingOperatorRewards
    assert pending.get(BOB) == ((sid, RATE // 2),) and pending.get(CHARLIE) == ((sid, RATE // 2),)
    rt.advance_blocks(10)
    assert rt.free_balance(EVE) == balance - 3 * RATE
    svc(rt, "Eve", "terminate", service_id=sid)
    assert not storage(rt).JobSubscriptionBillings.contains((sid, 0, EVE)) and storage(rt).UserSubscriptionCount.get(EVE) == 0
    rt.advance_blocks(10)
    assert rt.free_balance(EVE) == balance - 3 * RATE


def test_subscription_ends_at_maybe_end() -> None:
    rt, sid = _ready(end=12)
    start = rt.block_number
    balance = rt.free_balance(EVE)
    rt.run_to_block(30)
    charged = (balance - rt.free_balance(EVE)) // RATE
    assert charged == len(range(start + 5, 13, 5)) == 2  # blocks 6 and 11; at 16 the subscription is over
    assert not storage(rt).JobSubscriptionBillings.contains((sid, 0, EVE))
    after = rt.free_balance(EVE)
    rt.advance_blocks(20)
    assert rt.free_balance(EVE) == after


def test_unpaid_interval_is_skipped() -> None:
    rt, sid = _ready()
    everything = rt.free_balance(EVE) - 10**10
    rt.dispatch("Eve", "Balances", "transfer_allow_death", {"dest": rt.account("Ferdie"), "value": everything})
    rt.advance_blocks(5)
    assert not rt.events_named("Services.SubscriptionBillingProcessed")
    skipped = rt.events_named("Services.SubscriptionBillingSkipped")  # the skip is visible, with its cause
    assert [e.attributes for e in skipped] == [{"subscriber": EVE, "service_id": sid, "job_index": 0, "amount": RATE,
                                                "block_number": rt.block_number, "error": "Token.FundsUnavailable"}]
    assert storage(rt).JobSubscriptionBillings.get((sid, 0, EVE)).last_billed == rt.block_number  # next interval scheduled


def test_a_rate_below_the_existential_deposit_into_the_empty_pot_is_skipped_visibly() -> None:
    """The Rewards pot starts empty: a first charge below the existential deposit cannot open it
    (Token.BelowMinimum). Nothing is billed, and each skipped interval says so (it once passed unseen)."""
    rt = make_rt()
    create_blueprint(rt, jobs=[job("serve", [], [], {"Subscription": {"rate_per_interval": 10, "interval": 5, "maybe_end": None}})])
    sid = deploy(rt, operators=("Bob", "Charlie"), value=10**10)
    balance = rt.free_balance(EVE)
    rt.advance_blocks(10)
    assert rt.free_balance(EVE) == balance and not rt.events_named("Services.SubscriptionBillingProcessed")
    skipped = rt.events_named("Services.SubscriptionBillingSkipped")
    assert [(e.attributes["service_id"], e.attributes["amount"], e.attributes["error"]) for e in skipped] == [(sid, 10, "Token.BelowMinimum")] * 2


def test_real_never_bills() -> None:
    rt, sid = _ready("real")
    balance = rt.free_balance(EVE)
    rt.advance_blocks(30)
    assert rt.free_balance(EVE) == balance and not len(storage(rt).JobSubscriptionBillings)


def test_too_many_subscriptions() -> None:
    """At most 100 subscriptions per payer: a service with 101 subscription jobs cannot start (intended)."""
    rt = make_rt()
    sub = {"Subscription": {"rate_per_interval": UNIT, "interval": 5, "maybe_end": None}}
    create_blueprint(rt, jobs=[job(f"j{i}", [], [], sub) for i in range(101)])
    from svc_helpers import approve, fails, join_and_register, request

    join_and_register(rt, "Bob")
    rid = request(rt, "Eve", ["Bob"], value=UNIT)
    fails(rt, "TooManySubscriptions", "Bob", "approve", request_id=rid, security_commitments=[
        {"asset": {"Custom": 0}, "exposure_percent": 10}, {"asset": {"Custom": 2}, "exposure_percent": 10}])
    real = make_rt("real")
    create_blueprint(real, jobs=[job(f"j{i}", [], [], sub) for i in range(101)])
    join_and_register(real, "Bob")
    approve(real, "Bob", request(real, "Eve", ["Bob"], value=UNIT))  # never billed on chain: no limit reached
