"""Service managers as Python contracts: journaled state (rolled back with a failed call, restored
with snapshots), refusals change nothing, return values under both profiles; the RPC queries;
queries of every stored type; immutability and determinism of a whole scenario."""

from __future__ import annotations

import pytest

from svc_helpers import (
    BOB, CHARLIE, EVE, MANAGER, SVC, UNIT, USDC, create_blueprint, deploy, fails, join_and_register, make_rt, register,
    request, scripted, storage, svc,
)

from pallets.services import BlueprintServiceManager, Revert


REQS = [{"asset": {"Custom": 0}, "min_exposure_percent": 10, "max_exposure_percent": 20}]


class CountingManager(BlueprintServiceManager):
    """Counts requests in its own (journaled) storage and refuses payments in USDC."""

    def on_request(self, blueprint_id, params):  # type: ignore[no-untyped-def]
        self.state.set("requests", self.state.get("requests", 0) + 1)
        if params.amount and params.payment_asset.value == 1:
            raise Revert("USDC not accepted")

    def on_job_call(self, blueprint_id, service_id, job, call_id, args):  # type: ignore[no-untyped-def]
        self.state.set(("last_call", service_id), call_id)


def _ready():  # type: ignore[no-untyped-def]
    rt = make_rt(constants={"Services": {"MaxPermittedCallers": 1}})
    manager = rt.pallets[SVC].register_manager(MANAGER, CountingManager())
    create_blueprint(rt)
    join_and_register(rt, "Bob")
    return rt, manager


def test_manager_state_is_journaled() -> None:
    rt, m = _ready()
    request(rt, "Eve", ["Bob"])
    assert m.state.get("requests") == 1
    # the hook runs and writes, then the call fails later (too many permitted callers): its write is undone
    fails(rt, "MaxPermittedCallersExceeded", "Eve", "request", evm_origin=None, blueprint_id=0, permitted_callers=[BOB, CHARLIE], operators=[BOB],
          request_args=[], asset_security_requirements=REQS, ttl=1, payment_asset={"Custom": 0}, value=0, membership_model={"Fixed": {"min_operators": 1}})
    assert m.state.get("requests") == 1
    fails(rt, "InvalidRequestInput", "Eve", "request", evm_origin=None, blueprint_id=0, permitted_callers=[], operators=[BOB], request_args=[],
          asset_security_requirements=REQS, ttl=1, payment_asset=USDC, value=500, membership_model={"Fixed": {"min_operators": 1}})
    assert m.state.get("requests") == 1


def test_manager_state_follows_snapshots() -> None:
    rt, m = _ready()
    snap = rt.snapshot()
    request(rt, "Eve", ["Bob"])
    request(rt, "Eve", ["Bob"])
    assert m.state.get("requests") == 2
    rt.restore(snap)
    assert m.state.get("requests") is None and "requests" not in m.state
    rt.db.check_immutable()


def test_unregistered_contract_has_no_state() -> None:
    with pytest.raises(RuntimeError, match="not registered"):
        CountingManager().state  # noqa: B018


def test_return_false_refuses_only_in_the_intended_profile() -> None:
    for profile in ("intended", "real"):
        rt = make_rt(profile)
        m = scripted(rt)
        create_blueprint(rt)
        from svc_helpers import join_operator

        join_operator(rt, "Bob")
        m.false = {"on_register"}
        if profile == "intended":
            fails(rt, "InvalidRegistrationInput", "Bob", "register", blueprint_id=0, preferences={"key": "0x04" + "11" * 64, "rpc_address": ""},
                  registration_args=[], value=0)
        else:
            register(rt, "Bob")


def test_every_vetoing_hook_refusal_changes_nothing() -> None:
    """One scenario per refusing hook: the call fails with the real error and the state root is unchanged."""
    rt = make_rt()
    m = scripted(rt)
    sid = deploy(rt, operators=("Bob",), model={"Dynamic": {"min_operators": 1, "max_operators": None}})
    join_and_register(rt, "Charlie")
    rid = request(rt, "Eve", ["Bob", "Charlie"])
    svc(rt, "Eve", "call", service_id=sid, job=0, args=[{"Uint8": 1}])
    good = [{"asset": {"Custom": 0}, "exposure_percent": 10}, {"asset": {"Custom": 2}, "exposure_percent": 10}]
    cases = [
        ("on_update_rpc_address", "NotAllowedToUpdateRpcAddress", "Bob", "update_rpc_address", {"blueprint_id": 0, "rpc_address": "x"}),
        ("on_approve", "ApprovalInterrupted", "Bob", "approve", {"request_id": rid, "security_commitments": good}),
        ("on_reject", "RejectionInterrupted", "Bob", "reject", {"request_id": rid}),
        ("on_job_call", "InvalidJobCallInput", "Eve", "call", {"service_id": sid, "job": 0, "args": [{"Uint8": 1}]}),
        ("on_job_result", "InvalidJobResult", "Bob", "submit_result", {"service_id": sid, "call_id": 0, "result": [{"List": ["Uint8", []]}]}),
        ("on_service_termination", "TerminationInterrupted", "Eve", "terminate", {"service_id": sid}),
        ("can_join", "JoinRejected", "Charlie", "join_service", {"instance_id": sid, "security_commitments": good}),
    ]
    for hook, error, who, call, params in cases:
        m.refuse = {hook}
        fails(rt, error, who, call, **params)
    m.refuse = set()
    rt.db.check_immutable()


def test_rpc_queries_and_storage_queries() -> None:
    rt = make_rt()
    sid = deploy(rt, operators=("Bob",), value=2 * UNIT)
    rid = request(rt, "Eve", ["Bob"], value=2 * UNIT)
    services = rt.pallets[SVC]
    [entry] = services.query_services_with_blueprints_by_operator(BOB)
    assert entry["blueprint_id"] == 0 and [s.id for s in entry["services"]] == [sid]
    assert [r for r, _ in services.query_service_requests_with_blueprints_by_operator(BOB)] == [rid]
    from runtime import DispatchError

    with pytest.raises(DispatchError, match="OperatorProfileNotFound"):
        services.query_services_with_blueprints_by_operator(EVE)
    inst = rt.query(SVC, "Instances", [sid]).value
    assert inst["owner"] == EVE and inst["membership_model"] == {"Fixed": {"min_operators": 1}}
    req = rt.query(SVC, "ServiceRequests", [rid]).value
    assert req["operators_with_approval_state"] == [(BOB, "Pending")]
    assert rt.query(SVC, "StagingServicePayments", [rid]).value["refund_to"] == {"Id": EVE}
    assert rt.query(SVC, "OperatorsProfile", [BOB]).value == {"services": [sid], "blueprints": [0]}
    assert rt.query(SVC, "UserServices", [EVE]).value == [sid]
    assert rt.query(SVC, "ServiceStatus", [0, sid]).value == ()
    assert len(rt.query_map(SVC, "Operators", [0])) == 1


def _scenario(seed: int) -> str:
    rt = make_rt(seed=seed)
    sid = deploy(rt, operators=("Bob", "Charlie"), value=UNIT)
    for i in range(5):
        svc(rt, "Eve", "call", service_id=sid, job=0, args=[{"Uint8": i}])
        svc(rt, "Bob", "submit_result", service_id=sid, call_id=i, result=[{"List": ["Uint8", [{"Uint8": i}]]}])
    svc(rt, "Alice", "slash", offender=BOB, service_id=sid, slash_percent=5)
    rt.advance_rounds(8)
    rt.db.check_immutable()
    return rt.state_root()


def test_whole_scenario_is_deterministic_and_immutable() -> None:
    assert _scenario(1) == _scenario(1)


def test_a_request_that_fails_after_the_hook_wrote_is_rolled_back(rolls_back) -> None:  # type: ignore[no-untyped-def]
    """Services: the manager's on_request hook writes, then the request fails on MaxPermittedCallers."""
    rt, m = _ready()
    params = dict(evm_origin=None, blueprint_id=0, permitted_callers=[BOB, CHARLIE], operators=[BOB], request_args=[],
                  asset_security_requirements=REQS, ttl=1, payment_asset={"Custom": 0}, value=0, membership_model={"Fixed": {"min_operators": 1}})
    rolls_back(rt, "Eve", SVC, "request", params, "Services.MaxPermittedCallersExceeded")
    assert m.state.get("requests") is None
