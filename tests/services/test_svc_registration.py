"""pre_register, register, unregister, update_rpc_address (registration.rs + every error)."""

from __future__ import annotations

from runtime.accounts import evm_to_account
from svc_helpers import (
    BOB, CHARLIE, DAVE, EVE, SVC, TNT, UNIT, WETH, approve, commitment, create_blueprint, deploy, fails, join_and_register,
    join_operator, key_of, mad, make_rt, names, prefs, register, request, requirement, scripted, storage, svc,
)

from pallets.services import DEFAULT_MBSM_ADDRESS
from pallets.services.types import EMPTY_PROFILE


def test_register_on_blueprint() -> None:
    rt = make_rt()
    create_blueprint(rt)
    join_operator(rt, "Bob")
    r = svc(rt, "Bob", "register", blueprint_id=0, preferences=prefs("Bob"), registration_args=[], value=0)
    assert names(r) == ["Registered"]
    ev = r.triggered_events[-1]
    assert ev["provider"] == BOB and ev["blueprint_id"] == 0 and ev["preferences"].key == key_of("Bob")
    assert storage(rt).OperatorsProfile.get(BOB).blueprints == frozenset({0})
    assert rt.query(SVC, "Operators", [0, BOB]).value["rpc_address"] == "https://bob.example:9944"
    fails(rt, "AlreadyRegistered", "Bob", "register", blueprint_id=0, preferences=prefs("Bob"), registration_args=[], value=0)
    fails(rt, "OperatorNotActive", "Dave", "register", blueprint_id=0, preferences=prefs("Dave"), registration_args=[], value=0)


def test_register_offline_operator_is_not_active() -> None:
    rt = make_rt()
    create_blueprint(rt)
    join_operator(rt, "Dave")
    mad(rt, "Dave", "go_offline")
    fails(rt, "OperatorNotActive", "Dave", "register", blueprint_id=0, preferences=prefs("Dave"), registration_args=[], value=0)


def test_registration_invalid_and_duplicate_keys() -> None:
    rt = make_rt()
    create_blueprint(rt)
    create_blueprint(rt)
    join_operator(rt, "Bob")
    join_operator(rt, "Charlie")
    fails(rt, "InvalidKey", "Bob", "register", blueprint_id=0, preferences={"key": "0x" + "00" * 65, "rpc_address": ""}, registration_args=[], value=0)
    register(rt, "Bob")
    fails(rt, "DuplicateKey", "Charlie", "register", blueprint_id=0, preferences=prefs("Bob"), registration_args=[], value=0)
    svc(rt, "Charlie", "register", blueprint_id=1, preferences=prefs("Bob"), registration_args=[], value=0)  # keys may repeat across blueprints


def test_register_unknown_blueprint_and_type_check() -> None:
    rt = make_rt()
    create_blueprint(rt, registration_params=["String", "Uint32"])
    join_operator(rt, "Bob")
    fails(rt, "BlueprintNotFound", "Bob", "register", blueprint_id=9, preferences=prefs("Bob"), registration_args=[], value=0)
    e = fails(rt, "TypeCheck", "Bob", "register", blueprint_id=0, preferences=prefs("Bob"), registration_args=[{"String": "x"}], value=0)
    assert e.type_check_error.name == "NotEnoughArguments"
    e = fails(rt, "TypeCheck", "Bob", "register", blueprint_id=0, preferences=prefs("Bob"), registration_args=[{"String": "x"}, {"Uint64": 1}], value=0)
    assert e.type_check_error.value.index == 1
    register(rt, "Bob", args=[{"String": "region-eu"}, {"Uint32": 4}])


def test_registration_value_goes_to_the_master_manager() -> None:
    rt = make_rt()
    create_blueprint(rt)
    join_operator(rt, "Bob")
    mbsm = evm_to_account(DEFAULT_MBSM_ADDRESS)
    before = rt.free_balance(BOB)
    register(rt, "Bob", value=5 * UNIT)
    assert rt.free_balance(BOB) == before - 5 * UNIT and rt.free_balance(mbsm) == 5 * UNIT
    assert rt.free_balance(rt.pallets[SVC].pallet_account()) == 0
    join_operator(rt, "Charlie")
    fails(rt, "Token.FundsUnavailable", "Charlie", "register", blueprint_id=0, preferences=prefs("Charlie"), registration_args=[], value=10**30)


def test_register_hook_refusal_and_failure() -> None:
    rt = make_rt()
    m = scripted(rt)
    create_blueprint(rt)
    join_operator(rt, "Bob")
    m.refuse.add("on_register")
    fails(rt, "InvalidRegistrationInput", "Bob", "register", blueprint_id=0, preferences=prefs("Bob"), registration_args=[], value=UNIT)
    m.refuse.clear()
    m.fail.add("on_register")
    fails(rt, "OnRegisterHookFailed", "Bob", "register", blueprint_id=0, preferences=prefs("Bob"), registration_args=[], value=0)
    m.fail.clear()
    register(rt, "Bob", value=UNIT)
    assert m.calls[-1][0] == "on_register" and m.calls[-1][1][-1] == UNIT  # msg.value


def test_registration_max_blueprints() -> None:
    rt = make_rt(constants={"Services": {"MaxBlueprintsPerOperator": 3}})
    for _ in range(4):
        create_blueprint(rt)
    join_operator(rt, "Bob")
    for bid in range(3):
        register(rt, "Bob", blueprint_id=bid)
    fails(rt, "MaxBlueprintsPerOperatorExceeded", "Bob", "register", blueprint_id=3, preferences=prefs("Bob"), registration_args=[], value=0)


def test_registration_max_blueprints_testnet_bound() -> None:
    """The testnet bound: 1024 registrations succeed, the 1025th fails."""
    rt = make_rt()
    s = storage(rt)
    join_operator(rt, "Bob")
    for _ in range(1025):
        create_blueprint(rt)
    for bid in range(1024):
        register(rt, "Bob", blueprint_id=bid)
    assert len(s.OperatorsProfile.get(BOB).blueprints) == 1024
    fails(rt, "MaxBlueprintsPerOperatorExceeded", "Bob", "register", blueprint_id=1024, preferences=prefs("Bob"), registration_args=[], value=0)


def test_pre_register_on_blueprint() -> None:
    rt = make_rt()
    create_blueprint(rt)
    r = svc(rt, "Dave", "pre_register", blueprint_id=0)  # no MAD membership needed
    assert r.triggered_events[0].attributes == {"operator": DAVE, "blueprint_id": 0}
    fails(rt, "BlueprintNotFound", "Dave", "pre_register", blueprint_id=7)  # intended
    real = make_rt("real")
    assert names(svc(real, "Dave", "pre_register", blueprint_id=7)) == ["PreRegistration"]  # real: unchecked


def test_unregister_from_blueprint() -> None:
    rt = make_rt()
    create_blueprint(rt)
    join_and_register(rt, "Bob")
    r = svc(rt, "Bob", "unregister", blueprint_id=0)
    assert r.triggered_events[0].attributes == {"operator": BOB, "blueprint_id": 0}
    assert not storage(rt).Operators.contains((0, BOB)) and storage(rt).OperatorsProfile.get(BOB) == EMPTY_PROFILE
    fails(rt, "NotRegistered", "Bob", "unregister", blueprint_id=0)
    fails(rt, "BlueprintNotFound", "Bob", "unregister", blueprint_id=5)


def test_unregister_hook_refusal() -> None:
    rt = make_rt()
    m = scripted(rt)
    create_blueprint(rt)
    join_and_register(rt, "Bob")
    m.refuse.add("on_unregister")
    fails(rt, "NotAllowedToUnregister", "Bob", "unregister", blueprint_id=0)


def test_registration_during_active_services() -> None:
    """A request with only a WETH requirement shows the appended native requirement; unregistering
    while running a service fails; another operator can still register."""
    rt = make_rt()
    create_blueprint(rt)
    join_and_register(rt, "Bob")
    rid = request(rt, "Eve", ["Bob"], requirements=[requirement(WETH, 10, 20)])
    reqs = storage(rt).ServiceRequests.get(rid).security_requirements
    assert [(r.asset.value, r.min_exposure_percent, r.max_exposure_percent) for r in reqs] == [(2, 10, 20), (0, 10, 100)]
    approve(rt, "Bob", rid, [commitment(WETH, 15), commitment(TNT, 15)])
    fails(rt, "NotAllowedToUnregister", "Bob", "unregister", blueprint_id=0)
    join_and_register(rt, "Charlie")


def test_unregister_blocked_by_someone_elses_service_only_in_real() -> None:
    for profile in ("intended", "real"):
        rt = make_rt(profile)
        deploy(rt, operators=("Bob",))
        join_and_register(rt, "Charlie")
        if profile == "real":
            fails(rt, "NotAllowedToUnregister", "Charlie", "unregister", blueprint_id=0)
        else:
            svc(rt, "Charlie", "unregister", blueprint_id=0)
            assert not storage(rt).Operators.contains((0, CHARLIE))


def test_update_rpc_address() -> None:
    rt = make_rt()
    m = scripted(rt)
    create_blueprint(rt)
    join_and_register(rt, "Bob")
    r = svc(rt, "Bob", "update_rpc_address", blueprint_id=0, rpc_address="https://new.example")
    assert r.triggered_events[0].attributes == {"operator": BOB, "blueprint_id": 0, "rpc_address": "https://new.example"}
    assert storage(rt).Operators.get((0, BOB)).rpc_address == "https://new.example"
    assert m.calls[-1][1][2].rpc_address == "https://new.example"  # the hook sees the updated preferences
    fails(rt, "NotRegistered", "Eve", "update_rpc_address", blueprint_id=0, rpc_address="x")
    fails(rt, "BlueprintNotFound", "Bob", "update_rpc_address", blueprint_id=3, rpc_address="x")
    m.refuse.add("on_update_rpc_address")
    fails(rt, "NotAllowedToUpdateRpcAddress", "Bob", "update_rpc_address", blueprint_id=0, rpc_address="https://other.example")
    assert storage(rt).Operators.get((0, BOB)).rpc_address == "https://new.example"
    assert EVE not in [op for (_, op) in storage(rt).Operators.keys()]


def test_key_is_free_again_after_unregister() -> None:
    rt = make_rt()
    create_blueprint(rt)
    join_and_register(rt, "Bob")
    join_operator(rt, "Charlie")
    fails(rt, "DuplicateKey", "Charlie", "register", blueprint_id=0, preferences=prefs("Bob"), registration_args=[], value=0)
    svc(rt, "Bob", "unregister", blueprint_id=0)
    svc(rt, "Charlie", "register", blueprint_id=0, preferences=prefs("Bob"), registration_args=[], value=0)
    assert storage(rt).RegisteredKeys.get((0, key_of("Bob"))) == CHARLIE
