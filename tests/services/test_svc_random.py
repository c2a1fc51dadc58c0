"""Random call sequences (fixed seeds) in both profiles: no call ever panics, stored values stay
immutable, and the intended profile's bookkeeping holds after every call: operator profiles list
exactly the services the operator runs, instance-limit commitments equal active services plus
approved pending requests, the expiry index covers every pending request, and the pallet account holds exactly the staged payments."""

from __future__ import annotations

import random

import pytest

from runtime import DispatchError
from svc_helpers import (
    ALICE, BOB, CHARLIE, DAVE, EVE, FERDIE, SVC, TNT, UNIT, WETH, commitment, create_blueprint, join_and_register, make_rt,
    register, requirement, storage,
)

OPS = (BOB, CHARLIE, DAVE)
USERS = (EVE, FERDIE, ALICE)


def _random_call(rng: random.Random, rt) -> tuple[str, str, dict]:  # type: ignore[no-untyped-def]
    s = storage(rt)
    rids = list(s.ServiceRequests.keys()) or [0]
    sids = list(s.Instances.keys()) or [0]
    op = rng.choice(OPS)
    good = [commitment(TNT, rng.choice((5, 10, 15))), commitment(WETH, 10)]
    choice = rng.randrange(12)
    if choice < 3:
        ops = rng.sample(OPS, rng.randint(1, 3))
        model = rng.choice(({"Fixed": {"min_operators": len(ops)}}, {"Dynamic": {"min_operators": 1, "max_operators": 3}}))
        return rng.choice(USERS), "request", dict(evm_origin=None, blueprint_id=rng.choice((0, 1)), permitted_callers=[], operators=ops, request_args=[],
                                                  asset_security_requirements=[requirement(TNT, 10, 20), requirement(WETH, 10, 20)], ttl=10,
                                                  payment_asset=TNT, value=rng.choice((0, UNIT)), membership_model=model)
    if choice < 6:
        return op, "approve", dict(request_id=rng.choice(rids), security_commitments=good)
    if choice == 6:
        return op, "reject", dict(request_id=rng.choice(rids))
    if choice == 7:
        return rng.choice(USERS), "terminate", dict(service_id=rng.choice(sids))
    if choice == 8:
        return op, "join_service", dict(instance_id=rng.choice(sids), security_commitments=good)
    if choice == 9:
        return op, "leave_service", dict(instance_id=rng.choice(sids))
    if choice == 10:
        return op, "set_instance_limit", dict(blueprint_id=0, limit=rng.choice((None, 1, 2, 4)))
    return rng.choice(USERS), "call", dict(service_id=rng.choice(sids), job=0, args=[{"Uint8": 1}])


def _check_intended(rt) -> None:  # type: ignore[no-untyped-def]
    s = storage(rt)
    for op in OPS:
        runs = {sid for sid, svc in s.Instances.items() if svc.has_operator(op)}
        profile = s.OperatorsProfile.get(op)
        assert (profile.services if profile else frozenset()) == runs, op
        for bid in (0, 1):
            committed = sum(1 for svc in s.Instances.values() if svc.blueprint == bid and svc.has_operator(op))
            committed += sum(1 for r in s.ServiceRequests.values() if r.blueprint == bid and (st := r.state_of(op)) is not None and st.name == "Approved")
            assert s.OperatorInstanceCount.get((bid, op)) == committed, (op, bid)
    for rid in s.ServiceRequests.keys():
        at = s.ServiceRequestExpiresAt.get(rid)
        assert at is not None and at > rt.block_number - 1
        assert any(s.RequestExpiryQueue.get((at, i)) == rid for i in range(s.RequestExpiryCount.get(at)))


@pytest.mark.parametrize("profile,seed", [("intended", 1), ("intended", 2), ("real", 3)])
def test_random_calls_keep_the_books(profile: str, seed: int) -> None:
    rt = make_rt(profile, extensions={"request_expiry_blocks": 15} if profile == "intended" else {})
    create_blueprint(rt, models=("Fixed", "Dynamic"))
    create_blueprint(rt, models=("Fixed", "Dynamic"))
    for op in ("Bob", "Charlie", "Dave"):
        join_and_register(rt, op)
        register(rt, op, blueprint_id=1)
    pot = rt.pallets[SVC].pallet_account()
    rng = random.Random(seed)
    outcomes: dict[str, int] = {}
    for step in range(400):
        who, call, params = _random_call(rng, rt)
        try:
            rt.dispatch(who, SVC, call, params)
            outcomes["ok"] = outcomes.get("ok", 0) + 1
        except DispatchError as e:
            outcomes[e.error] = outcomes.get(e.error, 0) + 1
        if step % 7 == 0:
            rt.advance_blocks(1)
        if profile == "intended":
            _check_intended(rt)
        staged = sum(p.amount for p in storage(rt).StagingServicePayments.values() if p.asset.name == "Custom" and p.asset.value == 0)
        assert rt.free_balance(pot) == staged  # the pallet holds exactly the staged TNT
    rt.db.check_immutable()
    assert outcomes.get("ok", 0) > 40, outcomes
