"""create_blueprint and update_master_blueprint_service_manager (blueprint.rs), genesis revisions."""

from __future__ import annotations

import pytest

from runtime import DispatchError, GenesisConfig, Runtime
from runtime.codec import ParamError
from svc_helpers import ALICE, SVC, blueprint, create_blueprint, fails, make_rt, names, scripted, storage, svc

from pallets.services import DEFAULT_MBSM_ADDRESS


def test_dev_chain_has_a_master_manager_revision() -> None:
    rt = make_rt()
    assert storage(rt).MasterBlueprintServiceManagerRevisions.value() == (DEFAULT_MBSM_ADDRESS,)


def test_update_mbsm_keeps_revisions() -> None:
    rt = make_rt(pallets={"Services": {"mbsm_revisions": []}})
    r = svc(rt, "root", "update_master_blueprint_service_manager", address="0x" + "12" * 20)
    assert r.triggered_events[0].attributes == {"revision": 0, "address": "0x" + "12" * 20}
    svc(rt, "council", "update_master_blueprint_service_manager", address="0x" + "13" * 20)  # root or > 1/2 council
    assert storage(rt).MasterBlueprintServiceManagerRevisions.value() == ("0x" + "12" * 20, "0x" + "13" * 20)
    assert rt.query(SVC, "MasterBlueprintServiceManagerRevisions").value == ["0x" + "12" * 20, "0x" + "13" * 20]
    # revisions 0 and 1 exist, 2 does not
    create_blueprint(rt, revision={"Specific": 1})
    fails(rt, "MasterBlueprintServiceManagerRevisionNotFound", "Alice", "create_blueprint", blueprint=blueprint(revision={"Specific": 2}))


def test_update_mbsm_not_root() -> None:
    rt = make_rt()
    fails(rt, "BadOrigin", "Alice", "update_master_blueprint_service_manager", address="0x" + "12" * 20)


def test_update_mbsm_bounded() -> None:
    rt = make_rt(constants={"Services": {"MaxMasterBlueprintServiceManagerVersions": 1}})
    fails(rt, "MaxMasterBlueprintServiceManagerVersionsExceeded", "root", "update_master_blueprint_service_manager", address="0x" + "12" * 20)


def test_create_service_blueprint() -> None:
    rt = make_rt()
    svc(rt, "root", "update_master_blueprint_service_manager", address="0x" + "34" * 20)  # revision 1 is the latest
    r = svc(rt, "Alice", "create_blueprint", blueprint=blueprint())
    assert names(r) == ["BlueprintCreated"] and r.triggered_events[0].attributes == {"owner": ALICE, "blueprint_id": 0}
    owner, bp = storage(rt).Blueprints.get(0)
    assert owner == ALICE and bp.master_manager_revision.name == "Specific" and bp.master_manager_revision.value == 1  # pinned
    assert rt.query(SVC, "Blueprints", [0]).value[1]["master_manager_revision"] == {"Specific": 1}
    assert create_blueprint(rt, owner="Bob") == 1 and storage(rt).NextBlueprintId.value() == 2


def test_create_blueprint_without_any_revision() -> None:
    rt = make_rt(pallets={"Services": {"mbsm_revisions": []}})
    fails(rt, "MasterBlueprintServiceManagerRevisionNotFound", "Alice", "create_blueprint", blueprint=blueprint())


def test_create_blueprint_unsigned() -> None:
    rt = make_rt()
    fails(rt, "BadOrigin", "root", "create_blueprint", blueprint=blueprint())


def test_refused_creation_changes_nothing() -> None:
    rt = make_rt()
    m = scripted(rt)
    m.refuse.add("on_blueprint_created")
    fails(rt, "BlueprintCreationInterrupted", "Alice", "create_blueprint", blueprint=blueprint())
    assert storage(rt).NextBlueprintId.value() == 0
    m.refuse.clear()
    m.fail.add("on_blueprint_created")  # a runner error propagates raw (a generic dispatch error)
    fails(rt, "Other", "Alice", "create_blueprint", blueprint=blueprint())
    m.fail.clear()
    create_blueprint(rt)
    name, args = m.calls[-1]
    assert name == "on_blueprint_created" and args[:3] == (0, ALICE, DEFAULT_MBSM_ADDRESS)


def test_malformed_blueprint_is_bad_input() -> None:
    rt = make_rt()
    root = rt.state_root()
    bad = blueprint()
    bad["jobs"][0]["params"] = ["Uint7"]
    with pytest.raises(ParamError, match="Uint7"):
        svc(rt, "Alice", "create_blueprint", blueprint=bad)
    assert rt.state_root() == root


def test_genesis_section_checked() -> None:
    with pytest.raises(ValueError, match="unknown genesis key"):
        Runtime(GenesisConfig.dev(pallets={"Services": {"mbsm": []}}))
    rt = Runtime(GenesisConfig.dev(pallets={"Services": {"default_heartbeat_interval": 5, "default_heartbeat_threshold": 80}}))
    assert storage(rt).DefaultHeartbeatInterval.value() == 5 and storage(rt).DefaultHeartbeatThreshold.value() == 80


def test_same_blueprint_on_both_profiles() -> None:
    for profile in ("intended", "real"):
        rt = make_rt(profile)
        assert create_blueprint(rt) == 0
        with pytest.raises(DispatchError):
            svc(rt, "Alice", "create_blueprint", blueprint=blueprint(revision={"Specific": 5}))
