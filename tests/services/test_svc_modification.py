"""modify_request (extension request_modification): approvals reset, checks in order, filtered under real."""

from __future__ import annotations

from svc_helpers import (
    BOB, CHARLIE, EVE, TNT, USDC, WETH, approve, commitment, create_blueprint, fails, join_and_register, make_rt, names,
    request, requirement, scripted, storage, svc,
)


def _ready(profile: str = "intended", **kw):  # type: ignore[no-untyped-def]
    rt = make_rt(profile, **kw)
    m = scripted(rt)
    create_blueprint(rt, request_params=["Uint32"])
    for op in ("Bob", "Charlie"):
        join_and_register(rt, op)
    return rt, m


def _mod(**over):  # type: ignore[no-untyped-def]
    base = dict(request_id=0, permitted_callers=[], request_args=[{"Uint32": 2}], asset_security_requirements=[requirement(USDC, 20, 30)], ttl=50)
    base.update(over)
    return base


def test_modify_request_resets_approvals() -> None:
    rt, m = _ready()
    rid = request(rt, "Eve", ["Bob", "Charlie"], args=[{"Uint32": 1}])
    approve(rt, "Bob", rid)
    r = svc(rt, "Eve", "modify_request", **_mod(request_id=rid, permitted_callers=[rt.account("Alice")]))
    assert names(r) == ["ServiceRequestModified"]
    ev = r.triggered_events[0]
    assert ev["pending_approvals"] == (BOB, CHARLIE) and [x.asset.value for x in ev["security_requirements"]] == [1, 0]
    req = storage(rt).ServiceRequests.get(rid)
    assert all(st.name == "Pending" for _, st in req.operators_with_approval_state)
    assert req.ttl == 50 and req.args[0].value == 2 and req.owner == EVE
    assert m.calls[-1][0] == "on_request" and m.calls[-1][1][1].request_id == rid  # the manager sees the new terms
    fails(rt, "MissingAssetCommitment", "Bob", "approve", request_id=rid, security_commitments=[commitment(TNT, 10), commitment(WETH, 10)])
    for op in ("Bob", "Charlie"):
        approve(rt, op, rid, [commitment(USDC, 20), commitment(TNT, 10)])
    assert storage(rt).Instances.get(0).permitted_callers == (rt.account("Alice"),)


def test_modify_request_errors() -> None:
    rt, m = _ready(constants={"Services": {"MaxPermittedCallers": 1}})
    rid = request(rt, "Eve", ["Bob"], args=[{"Uint32": 1}])
    fails(rt, "ServiceRequestNotFound", "Eve", "modify_request", **_mod(request_id=9))
    fails(rt, "BadOrigin", "Bob", "modify_request", **_mod(request_id=rid))
    fails(rt, "InvalidSecurityRequirements", "Eve", "modify_request", **_mod(asset_security_requirements=[requirement(USDC, 0, 30)]))
    fails(rt, "TypeCheck", "Eve", "modify_request", **_mod(request_args=[{"Uint64": 2}]))
    fails(rt, "NoAssetsProvided", "Eve", "modify_request", **_mod(asset_security_requirements=[]))
    fails(rt, "NativeAssetExposureTooLow", "Eve", "modify_request", **_mod(asset_security_requirements=[requirement(TNT, 1, 30)]))
    fails(rt, "MaxPermittedCallersExceeded", "Eve", "modify_request", **_mod(permitted_callers=[BOB, CHARLIE]))
    m.refuse = {"on_request"}
    fails(rt, "InvalidRequestInput", "Eve", "modify_request", **_mod())
    m.refuse, m.fail = set(), {"on_request"}
    fails(rt, "OnRequestFailure", "Eve", "modify_request", **_mod())


def test_modify_request_filtered_in_real() -> None:
    rt, _ = _ready("real")
    rid = request(rt, "Eve", ["Bob"], args=[{"Uint32": 1}])
    fails(rt, "System.CallFiltered", "Eve", "modify_request", **_mod(request_id=rid))
