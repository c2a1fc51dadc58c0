"""Services at setup, through the real pallet: blueprints, operator registration, service instances
(requests during a run are the loop's, :mod:`simulations.lab.loop`).

Blueprints use the default service manager (no contract registered at their manager address),
which accepts every step and names the blueprint owner as both slashing origin and dispute origin.
So in these simulations the blueprint owner proposes slashes (``Services.slash``) for the service
manager and lands governance's vetoes (``Services.dispute``); both are plain signed calls that a
call log replays without any Python contract.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from runtime import Runtime

from pallets.services.crypto import dev_private_key, public_key

from simulations.lab.actors import Actors, SetupError
from simulations.scenario import Scenario

SVC = "Services"
TNT = {"Custom": 0}
REQUIREMENTS = [{"asset": TNT, "min_exposure_percent": 10, "max_exposure_percent": 100}]
COMMITMENTS = [{"asset": TNT, "exposure_percent": 10}]


def blueprint_params(name: str) -> dict[str, Any]:
    """A one-job blueprint with no registration or request parameters, default manager."""
    return {
        "metadata": {"name": name, "description": None, "author": "tangle-sim", "category": "simulation", "code_repository": None,
                     "logo": None, "website": None, "license": None},
        "jobs": [{"metadata": {"name": "work", "description": None}, "params": [], "result": [], "pricing_model": {"PayOnce": {"amount": 0}}}],
        "registration_params": [], "request_params": [], "manager": {"Evm": "0x" + "00" * 20}, "master_manager_revision": "Latest",
        "sources": [], "supported_membership_models": ["Fixed"],
    }


@lru_cache(maxsize=4096)
def _operator_key(actor_id: str, blueprint: str) -> str:
    """The operator's ECDSA public key: a pure function of its ids, derived once per process (a
    secp256k1 multiplication cost about a tenth of a short run)."""
    return "0x" + public_key(dev_private_key(f"sim/{actor_id}/{blueprint}")).hex()


def operator_preferences(actor_id: str, blueprint: str) -> dict[str, Any]:
    return {"key": _operator_key(actor_id, blueprint), "rpc_address": f"https://{actor_id}.sim:9944"}


def _ok(rt: Runtime, who: str, function: str, params: dict[str, Any]) -> Any:
    receipt = rt.dispatch(who, SVC, function, params, raise_error=False)
    if not receipt.is_success:
        raise SetupError(f"setup: Services.{function} failed with {receipt.error_name}")
    return receipt


def request_params(rt: Runtime, actors: Actors, blueprint_id: int, operators: list[str]) -> dict[str, Any]:
    return {"evm_origin": None, "blueprint_id": blueprint_id, "permitted_callers": [], "operators": [actors.account(o) for o in operators],
            "request_args": [], "asset_security_requirements": REQUIREMENTS, "ttl": 1_000, "payment_asset": TNT, "value": 0,
            "membership_model": {"Fixed": {"min_operators": len(operators)}}}


def setup_services(rt: Runtime, sc: Scenario, actors: Actors) -> None:
    if SVC not in rt.pallets:
        raise SetupError("this scenario needs the Services pallet, which this runtime does not have")
    storage = rt.pallets[SVC].storage
    for bp in sc.genesis.blueprints:
        bid = storage.NextBlueprintId.value()
        _ok(rt, actors.account(bp.owner), "create_blueprint", {"blueprint": blueprint_params(bp.id)})
        actors.blueprint_ids[bp.id] = bid
    owners = {bp.id: bp.owner for bp in sc.genesis.blueprints}
    limits_on = rt.profile.extensions.instance_limits
    for op in sc.genesis.operators:
        for bp in op.blueprints:
            bid = actors.blueprint_ids[bp]
            _ok(rt, actors.account(op.id), "register", {"blueprint_id": bid, "preferences": operator_preferences(op.id, bp), "registration_args": [], "value": 0})
            if op.instance_limit is not None and limits_on:
                _ok(rt, actors.account(op.id), "set_instance_limit", {"blueprint_id": bid, "limit": op.instance_limit})
    for spec in sc.genesis.services:
        bid = actors.blueprint_ids[spec.blueprint]
        sid = storage.NextInstanceId.value()
        rid = storage.NextServiceRequestId.value()
        _ok(rt, actors.account(spec.owner), "request", request_params(rt, actors, bid, spec.operators))
        for op in spec.operators:
            _ok(rt, actors.account(op), "approve", {"request_id": rid, "security_commitments": COMMITMENTS})
        if not storage.Instances.contains(sid):
            raise SetupError(f"setup: the service of {spec.owner} on {spec.blueprint} did not start")
        actors.services.append({"id": sid, "blueprint": spec.blueprint, "blueprint_id": bid, "blueprint_owner": owners[spec.blueprint],
                                "owner": spec.owner, "operators": list(spec.operators), "terminate_on_slash": spec.terminate_on_slash, "active": True})
