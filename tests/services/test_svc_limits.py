"""Instance limits (extension instance_limits): the 1,000-request exhaustion test, commitments
from approvals, releases on terminate/expiry/modification/leave, and the real profile without limits."""

from __future__ import annotations

from svc_helpers import (
    BOB, CHARLIE, DAVE, TNT, WETH, approve, commitment, create_blueprint, deploy, fails, join_and_register, make_rt, names,
    request, storage, svc,
)

OPS = ("Bob", "Charlie", "Dave")
LIMITS = {"Bob": 3, "Charlie": 5, "Dave": 1}
GOOD = [commitment(TNT, 10), commitment(WETH, 10)]


def _ready(profile: str = "intended", **kw):  # type: ignore[no-untyped-def]
    rt = make_rt(profile, **kw)
    create_blueprint(rt)
    for op in OPS:
        join_and_register(rt, op)
    return rt


def test_set_instance_limit() -> None:
    rt = _ready()
    r = svc(rt, "Bob", "set_instance_limit", blueprint_id=0, limit=3)
    assert r.triggered_events[0].attributes == {"operator": BOB, "blueprint_id": 0, "limit": 3}
    assert rt.pallets["Services"].instance_limit(0, BOB) == 3
    fails(rt, "BlueprintNotFound", "Bob", "set_instance_limit", blueprint_id=4, limit=3)
    svc(rt, "Bob", "set_instance_limit", blueprint_id=0, limit=None)
    assert rt.pallets["Services"].instance_limit(0, BOB) is None
    assert "set_instance_limit" in rt.supported_calls("extension")["Services"]


def test_one_thousand_requests_exhaust_every_operator() -> None:
    rt = _ready()
    for op, limit in LIMITS.items():
        svc(rt, op, "set_instance_limit", blueprint_id=0, limit=limit)
    requests = {op: [] for op in OPS}
    for i in range(1000):
        op = OPS[i % 3]
        requests[op].append(request(rt, "Eve", [op], model={"Fixed": {"min_operators": 1}}))
    assert len(storage(rt).ServiceRequests) == 1000
    for op, limit in LIMITS.items():
        for rid in requests[op][:limit]:
            assert "ServiceInitiated" in names(approve(rt, op, rid))
        for rid in requests[op][limit:limit + 3]:
            e = fails(rt, "MaxServicesPerOperatorExceeded", op, "approve", request_id=rid, security_commitments=GOOD)
            assert e.qualified_name == "Services.MaxServicesPerOperatorExceeded" and e.index == 29
        assert rt.pallets["Services"].committed_instances(0, rt.account(op)) == limit
    assert len(storage(rt).Instances) == sum(LIMITS.values())
    # a new request naming a full operator fails on the requester's side too
    fails(rt, "MaxServicesPerOperatorExceeded", "Eve", "request", evm_origin=None, blueprint_id=0, permitted_callers=[], operators=[DAVE],
          request_args=[], asset_security_requirements=[], ttl=1, payment_asset=TNT, value=0, membership_model={"Fixed": {"min_operators": 1}})
    # ending a service frees a slot
    dave_service = next(sid for sid, s in storage(rt).Instances.items() if s.operators() == (DAVE,))
    svc(rt, "Eve", "terminate", service_id=dave_service)
    approve(rt, "Dave", requests["Dave"][1])


def test_approvals_are_commitments() -> None:
    rt = _ready()
    svc(rt, "Bob", "set_instance_limit", blueprint_id=0, limit=1)
    r1 = request(rt, "Eve", ["Bob", "Charlie"])  # Fixed{2}: Bob's approval alone does not start it
    r2 = request(rt, "Eve", ["Bob"])
    approve(rt, "Bob", r1)
    approve(rt, "Bob", r1)  # re-approval does not count twice
    fails(rt, "MaxServicesPerOperatorExceeded", "Bob", "approve", request_id=r2, security_commitments=GOOD)
    svc(rt, "Charlie", "reject", request_id=r1)  # the request can no longer start: closed, Bob's commitment released
    approve(rt, "Bob", r2)


def test_expiry_and_modification_release_commitments() -> None:
    rt = _ready(extensions={"request_expiry_blocks": 4})
    svc(rt, "Bob", "set_instance_limit", blueprint_id=0, limit=1)
    r1 = request(rt, "Eve", ["Bob", "Charlie"])
    approve(rt, "Bob", r1)
    assert rt.pallets["Services"].committed_instances(0, BOB) == 1
    svc(rt, "Eve", "modify_request", request_id=r1, permitted_callers=[], request_args=[], asset_security_requirements=[commitment_req()], ttl=5)
    assert rt.pallets["Services"].committed_instances(0, BOB) == 0
    approve(rt, "Bob", r1, [commitment(TNT, 50)])
    rt.advance_blocks(4)
    assert not storage(rt).ServiceRequests.contains(r1) and rt.pallets["Services"].committed_instances(0, BOB) == 0


def commitment_req() -> dict:
    return {"asset": TNT, "min_exposure_percent": 50, "max_exposure_percent": 60}


def test_join_counts_and_leave_releases() -> None:
    rt = _ready()
    sid = deploy(rt, operators=("Bob",), model={"Dynamic": {"min_operators": 1, "max_operators": None}})
    svc(rt, "Charlie", "set_instance_limit", blueprint_id=0, limit=0)
    fails(rt, "MaxServicesPerOperatorExceeded", "Charlie", "join_service", instance_id=sid, security_commitments=GOOD)
    svc(rt, "Charlie", "set_instance_limit", blueprint_id=0, limit=1)
    svc(rt, "Charlie", "join_service", instance_id=sid, security_commitments=GOOD)
    assert rt.pallets["Services"].committed_instances(0, CHARLIE) == 1
    svc(rt, "Charlie", "leave_service", instance_id=sid)
    assert rt.pallets["Services"].committed_instances(0, CHARLIE) == 0


def test_unregister_clears_the_limit() -> None:
    rt = _ready()
    svc(rt, "Dave", "set_instance_limit", blueprint_id=0, limit=2)
    svc(rt, "Dave", "unregister", blueprint_id=0)
    assert rt.pallets["Services"].instance_limit(0, DAVE) is None


def test_real_profile_has_no_limits() -> None:
    rt = _ready("real")
    fails(rt, "System.CallFiltered", "Bob", "set_instance_limit", blueprint_id=0, limit=1)
    for _ in range(3):
        approve(rt, "Bob", request(rt, "Eve", ["Bob"]))
    assert len(storage(rt).Instances) == 3 and not len(storage(rt).OperatorInstanceCount)
