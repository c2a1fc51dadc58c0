"""terminate, call and submit_result (service.rs, jobs.rs) with every error; results only for that call."""

from __future__ import annotations

from svc_helpers import (
    BOB, CHARLIE, EVE, create_blueprint, deploy, fails, join_and_register, mad, make_rt, names,
    request, scripted, storage, svc,
)

KEYGEN_RESULT = [{"List": ["Uint8", [{"Uint8": 1}, {"Uint8": 2}]]}]


def test_job_calls() -> None:
    rt = make_rt()
    sid = deploy(rt)
    r = svc(rt, "Eve", "call", service_id=sid, job=0, args=[{"Uint8": 2}])
    assert r.triggered_events[0].encoded_attributes() == {"caller": EVE, "service_id": sid, "call_id": 0, "job": 0, "args": [{"Uint8": 2}]}
    stored = storage(rt).JobCalls.get((sid, 0))
    assert stored.job == 0 and stored.args[0].value == 2
    svc(rt, "Alice", "call", service_id=sid, job=1, args=[{"Uint64": 9}, {"List": ["Uint8", []]}])  # a permitted caller
    assert storage(rt).NextJobCallId.value() == 2


def test_call_errors() -> None:
    rt = make_rt(constants={"Services": {"MaxFields": 1}})
    sid = deploy(rt)
    fails(rt, "ServiceNotFound", "Eve", "call", service_id=7, job=0, args=[])
    fails(rt, "BadOrigin", "Charlie", "call", service_id=sid, job=0, args=[{"Uint8": 2}])
    fails(rt, "JobDefinitionNotFound", "Eve", "call", service_id=sid, job=2, args=[])
    fails(rt, "MaxFieldsExceeded", "Eve", "call", service_id=sid, job=1, args=[{"Uint64": 9}, {"List": ["Uint8", []]}])
    e = fails(rt, "TypeCheck", "Eve", "call", service_id=sid, job=0, args=[{"Uint16": 2}])
    assert e.type_check_error.name == "ArgumentTypeMismatch"
    fails(rt, "TypeCheck", "Eve", "call", service_id=sid, job=0, args=[])


def test_call_hook() -> None:
    rt = make_rt()
    m = scripted(rt)
    sid = deploy(rt)
    m.refuse.add("on_job_call")
    fails(rt, "InvalidJobCallInput", "Eve", "call", service_id=sid, job=0, args=[{"Uint8": 2}])
    m.refuse.clear()
    m.fail.add("on_job_call")  # a runner error propagates raw
    fails(rt, "Other", "Eve", "call", service_id=sid, job=0, args=[{"Uint8": 2}])
    assert storage(rt).NextJobCallId.value() == 0


def test_job_result() -> None:
    rt = make_rt()
    sid = deploy(rt)
    svc(rt, "Eve", "call", service_id=sid, job=0, args=[{"Uint8": 2}])
    r = svc(rt, "Bob", "submit_result", service_id=sid, call_id=0, result=KEYGEN_RESULT)
    assert names(r) == ["JobResultSubmitted"] and r.triggered_events[0]["operator"] == BOB
    assert storage(rt).JobResults.get((sid, 0)).result[0].value[1][1].value == 2
    svc(rt, "Bob", "submit_result", service_id=sid, call_id=0, result=[{"List": ["Uint8", []]}])  # the last result wins
    assert storage(rt).JobResults.get((sid, 0)).result[0].value[1] == ()


def test_concurrent_job_execution() -> None:
    rt = make_rt()
    sid = deploy(rt)
    svc(rt, "Eve", "call", service_id=sid, job=0, args=[{"Uint8": 2}])
    svc(rt, "Eve", "call", service_id=sid, job=1, args=[{"Uint64": 1}, {"List": ["Uint8", [{"Uint8": 7}]]}])
    svc(rt, "Bob", "submit_result", service_id=sid, call_id=1, result=KEYGEN_RESULT)
    svc(rt, "Bob", "submit_result", service_id=sid, call_id=0, result=KEYGEN_RESULT)
    assert set(storage(rt).JobResults.keys()) == {(sid, 0), (sid, 1)}


def test_result_for_another_call_or_service_fails() -> None:
    rt = make_rt()
    s0 = deploy(rt, operators=("Bob",))
    s1 = deploy(rt, operators=("Charlie",))
    svc(rt, "Eve", "call", service_id=s0, job=0, args=[{"Uint8": 1}])  # call 0 of service 0
    svc(rt, "Eve", "call", service_id=s1, job=0, args=[{"Uint8": 1}])  # call 1 of service 1
    fails(rt, "ServiceOrJobCallNotFound", "Bob", "submit_result", service_id=s0, call_id=1, result=KEYGEN_RESULT)  # service 1's call
    fails(rt, "ServiceOrJobCallNotFound", "Bob", "submit_result", service_id=s0, call_id=5, result=KEYGEN_RESULT)  # no such call
    fails(rt, "ServiceOrJobCallNotFound", "Charlie", "submit_result", service_id=s1, call_id=0, result=KEYGEN_RESULT)  # service 0's call
    # intended: only the service's own operators; Charlie is registered but runs service 1, not 0
    fails(rt, "NotAnOperator", "Charlie", "submit_result", service_id=s0, call_id=0, result=KEYGEN_RESULT)
    svc(rt, "Bob", "submit_result", service_id=s0, call_id=0, result=KEYGEN_RESULT)
    svc(rt, "Charlie", "submit_result", service_id=s1, call_id=1, result=KEYGEN_RESULT)


def test_real_any_registered_operator_may_submit() -> None:
    rt = make_rt("real")
    s0 = deploy(rt, operators=("Bob",))
    join_and_register(rt, "Charlie")
    svc(rt, "Eve", "call", service_id=s0, job=0, args=[{"Uint8": 1}])
    svc(rt, "Charlie", "submit_result", service_id=s0, call_id=0, result=KEYGEN_RESULT)
    assert storage(rt).JobResults.contains((s0, 0))


def test_result_submission_non_operators_and_formats() -> None:
    rt = make_rt(constants={"Services": {"MaxFields": 1}})
    m = scripted(rt)
    sid = deploy(rt)
    svc(rt, "Eve", "call", service_id=sid, job=0, args=[{"Uint8": 1}])
    fails(rt, "NotRegistered", "Dave", "submit_result", service_id=sid, call_id=0, result=KEYGEN_RESULT)
    e = fails(rt, "TypeCheck", "Bob", "submit_result", service_id=sid, call_id=0, result=[{"String": "not a list"}])
    assert e.type_check_error.name == "ArgumentTypeMismatch" and e.type_check_error.value.index == 0
    fails(rt, "MaxFieldsExceeded", "Bob", "submit_result", service_id=sid, call_id=0, result=KEYGEN_RESULT * 2)
    m.refuse.add("on_job_result")
    fails(rt, "InvalidJobResult", "Bob", "submit_result", service_id=sid, call_id=0, result=KEYGEN_RESULT)
    m.refuse.clear()
    svc(rt, "Bob", "submit_result", service_id=sid, call_id=0, result=KEYGEN_RESULT)
    name, args = m.calls[-1]
    assert name == "on_job_result" and args[4] == BOB and args[6][0].value == 1  # operator and the call's inputs


def test_result_submission_after_termination() -> None:
    rt = make_rt()
    sid = deploy(rt)
    svc(rt, "Eve", "call", service_id=sid, job=0, args=[{"Uint8": 1}])
    svc(rt, "Eve", "terminate", service_id=sid)
    fails(rt, "ServiceOrJobCallNotFound", "Bob", "submit_result", service_id=sid, call_id=3, result=KEYGEN_RESULT)
    fails(rt, "ServiceNotFound", "Bob", "submit_result", service_id=sid, call_id=0, result=KEYGEN_RESULT)  # the call survives
    assert storage(rt).JobCalls.contains((sid, 0))


# ------------------------------------------------------------------ terminate
def test_terminate() -> None:
    rt = make_rt()
    m = scripted(rt)
    sid = deploy(rt, operators=("Bob", "Charlie"))
    fails(rt, "ServiceNotFound", "Eve", "terminate", service_id=9)
    fails(rt, "BadOrigin", "Alice", "terminate", service_id=sid)  # a permitted caller is not the owner
    m.refuse.add("on_service_termination")
    fails(rt, "TerminationInterrupted", "Eve", "terminate", service_id=sid)
    m.refuse.clear()
    r = svc(rt, "Eve", "terminate", service_id=sid)
    assert r.triggered_events[-1].attributes == {"owner": EVE, "service_id": sid, "blueprint_id": 0}
    s = storage(rt)
    assert not s.Instances.contains(sid) and not s.ServiceStatus.contains((0, sid)) and s.UserServices.get(EVE) == frozenset()
    assert s.OperatorsProfile.get(BOB).services == frozenset() and s.OperatorsProfile.get(CHARLIE).services == frozenset()
    fails(rt, "ServiceNotFound", "Eve", "terminate", service_id=sid)


def test_termination_with_partial_approvals() -> None:
    rt = make_rt()
    create_blueprint(rt)
    for op in ("Bob", "Charlie"):
        join_and_register(rt, op)
    rid = request(rt, "Eve", ["Bob", "Charlie"])
    svc(rt, "Bob", "approve", request_id=rid, security_commitments=[{"asset": {"Custom": 0}, "exposure_percent": 10}, {"asset": {"Custom": 2}, "exposure_percent": 10}])
    fails(rt, "ServiceNotFound", "Eve", "terminate", service_id=0)
    svc(rt, "Charlie", "approve", request_id=rid, security_commitments=[{"asset": {"Custom": 0}, "exposure_percent": 10}, {"asset": {"Custom": 2}, "exposure_percent": 10}])
    svc(rt, "Eve", "terminate", service_id=0)


def test_operator_offline_during_active_service() -> None:
    rt = make_rt()
    sid = deploy(rt)
    fails(rt, "CannotGoOfflineWithActiveServices", "Bob", "go_offline", pallet="MultiAssetDelegation")
    svc(rt, "Eve", "terminate", service_id=sid)
    mad(rt, "Bob", "go_offline")
    fails(rt, "OperatorNotActive", "Eve", "request", evm_origin=None, blueprint_id=0, permitted_callers=[], operators=[BOB], request_args=[],
          asset_security_requirements=[{"asset": {"Custom": 0}, "min_exposure_percent": 10, "max_exposure_percent": 20}], ttl=1,
          payment_asset={"Custom": 0}, value=0, membership_model={"Fixed": {"min_operators": 1}})

