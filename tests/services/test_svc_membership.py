"""join_service and leave_service (dynamic membership): every error, hooks, real silence vs intended events."""

from __future__ import annotations

from svc_helpers import (
    BOB, CHARLIE, TNT, WETH, commitment, deploy, fails, join_and_register, make_rt, mad, names, scripted, storage, svc,
)

GOOD = [commitment(TNT, 10), commitment(WETH, 10)]
DYN = {"Dynamic": {"min_operators": 1, "max_operators": 3}}


def _dyn(profile: str = "intended", **kw):  # type: ignore[no-untyped-def]
    rt = make_rt(profile, **kw)
    m = scripted(rt)
    sid = deploy(rt, operators=("Bob",), model=DYN)
    for op in ("Charlie", "Dave"):
        join_and_register(rt, op)
    return rt, m, sid


def test_join_and_leave_intended() -> None:
    rt, m, sid = _dyn()
    r = svc(rt, "Charlie", "join_service", instance_id=sid, security_commitments=GOOD)
    assert names(r) == ["OperatorJoinedService"]
    assert storage(rt).Instances.get(sid).operators() == (BOB, CHARLIE)
    assert sid in storage(rt).OperatorsProfile.get(CHARLIE).services
    assert [c[0] for c in m.calls[-2:]] == ["can_join", "on_operator_joined"]
    r = svc(rt, "Charlie", "leave_service", instance_id=sid)
    assert names(r) == ["OperatorLeftService"] and storage(rt).Instances.get(sid).operators() == (BOB,)
    assert sid not in storage(rt).OperatorsProfile.get(CHARLIE).services
    mad(rt, "Charlie", "go_offline")  # no longer serving


def test_join_errors() -> None:
    rt, m, sid = _dyn(constants={"Services": {"MaxOperatorsPerService": 2}})
    fails(rt, "ServiceNotFound", "Charlie", "join_service", instance_id=9, security_commitments=GOOD)
    fails(rt, "AlreadyJoined", "Bob", "join_service", instance_id=sid, security_commitments=GOOD)
    fails(rt, "InvalidSecurityCommitments", "Charlie", "join_service", instance_id=sid, security_commitments=GOOD[::-1])
    fails(rt, "NotRegistered", "Eve", "join_service", instance_id=sid, security_commitments=GOOD)
    m.refuse = {"can_join"}
    fails(rt, "JoinRejected", "Charlie", "join_service", instance_id=sid, security_commitments=GOOD)
    m.refuse, m.fail = set(), {"can_join"}
    fails(rt, "OnCanJoinFailure", "Charlie", "join_service", instance_id=sid, security_commitments=GOOD)
    m.fail = {"on_operator_joined"}
    fails(rt, "OnOperatorJoinFailure", "Charlie", "join_service", instance_id=sid, security_commitments=GOOD)
    m.fail, m.refuse = set(), {"on_operator_joined"}  # a revert after joining is ignored (EvmReverted)
    r = svc(rt, "Charlie", "join_service", instance_id=sid, security_commitments=GOOD)
    assert names(r) == ["EvmReverted", "OperatorJoinedService"]
    m.refuse = set()
    fails(rt, "MaxOperatorsReached", "Dave", "join_service", instance_id=sid, security_commitments=GOOD)  # MaxOperatorsPerService 2


def test_join_max_operators_of_the_model_and_fixed_services() -> None:
    rt = make_rt()
    fixed = deploy(rt, operators=("Bob",))
    dyn = deploy(rt, operators=("Bob",), model={"Dynamic": {"min_operators": 1, "max_operators": 2}})
    for op in ("Charlie", "Dave"):
        join_and_register(rt, op)
    fails(rt, "DynamicMembershipNotSupported", "Charlie", "join_service", instance_id=fixed, security_commitments=GOOD)
    svc(rt, "Charlie", "join_service", instance_id=dyn, security_commitments=GOOD)
    fails(rt, "MaxOperatorsReached", "Dave", "join_service", instance_id=dyn, security_commitments=GOOD)
    fails(rt, "DynamicMembershipNotSupported", "Bob", "leave_service", instance_id=fixed)


def test_leave_errors() -> None:
    rt, m, sid = _dyn()
    svc(rt, "Charlie", "join_service", instance_id=sid, security_commitments=GOOD)
    fails(rt, "ServiceNotFound", "Charlie", "leave_service", instance_id=9)
    fails(rt, "NotRegistered", "Eve", "leave_service", instance_id=sid)
    fails(rt, "NotAnOperator", "Dave", "leave_service", instance_id=sid)  # intended: members only
    m.refuse = {"can_leave"}
    fails(rt, "LeaveRejected", "Charlie", "leave_service", instance_id=sid)
    m.refuse, m.fail = set(), {"can_leave"}
    fails(rt, "OnCanLeaveFailure", "Charlie", "leave_service", instance_id=sid)
    m.fail = {"on_operator_left"}
    fails(rt, "OnOperatorLeaveFailure", "Charlie", "leave_service", instance_id=sid)
    m.fail, m.refuse = set(), {"on_operator_left"}
    assert names(svc(rt, "Charlie", "leave_service", instance_id=sid)) == ["EvmReverted", "OperatorLeftService"]
    fails(rt, "TooFewOperators", "Bob", "leave_service", instance_id=sid)  # min_operators 1


def test_real_join_and_leave_are_silent() -> None:
    rt, m, sid = _dyn("real")
    assert names(svc(rt, "Charlie", "join_service", instance_id=sid, security_commitments=GOOD)) == []
    assert sid not in storage(rt).OperatorsProfile.get(CHARLIE).services  # the profile does not follow
    assert names(svc(rt, "Dave", "leave_service", instance_id=sid)) == []  # not a member: a silent no-op
    assert storage(rt).Instances.get(sid).operators() == (BOB, CHARLIE)
    svc(rt, "Bob", "leave_service", instance_id=sid)
    assert sid in storage(rt).OperatorsProfile.get(BOB).services  # a leaving original member keeps the id forever
    svc(rt, "Eve", "terminate", service_id=sid)  # termination cleans only current members
    assert sid in storage(rt).OperatorsProfile.get(BOB).services
    fails(rt, "CannotGoOfflineWithActiveServices", "Bob", "go_offline", pallet="MultiAssetDelegation")


def test_real_can_join_false_still_joins() -> None:
    """On chain hook return data is ignored; only a revert vetoes (quirk services.hook_return_values_ignored)."""
    for profile in ("intended", "real"):
        rt, m, sid = _dyn(profile)
        m.false = {"can_join"}
        if profile == "real":
            svc(rt, "Charlie", "join_service", instance_id=sid, security_commitments=GOOD)
        else:
            fails(rt, "JoinRejected", "Charlie", "join_service", instance_id=sid, security_commitments=GOOD)
