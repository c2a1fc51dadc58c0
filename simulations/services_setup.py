"""Services through the real pallet: blueprints, operator registration, service instances,
requesters' requests, and service owners reacting to slashes.

Blueprints use the default service manager (no contract registered at their manager address),
which accepts every step and names the blueprint owner as both slashing origin and dispute origin.
So in these simulations the blueprint owner proposes slashes (``Services.slash``) for the service
manager and lands governance's vetoes (``Services.dispute``); both are plain signed calls that a
call log replays without any Python contract.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from runtime import Runtime

from pallets.services.crypto import dev_private_key, public_key

from simulations.scenario import Scenario
from simulations.world import Actors, SetupError

if TYPE_CHECKING:
    from simulations.queue import SlashRecord
    from simulations.sim import Simulation

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


def operator_preferences(actor_id: str, blueprint: str) -> dict[str, Any]:
    key = public_key(dev_private_key(f"sim/{actor_id}/{blueprint}"))
    return {"key": "0x" + key.hex(), "rpc_address": f"https://{actor_id}.sim:9944"}


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


def request_service(sim: "Simulation", requester: str, spec: Any) -> None:
    """One request by ``requester``; with probability ``approve_p`` (the requester's approvals stream)
    the named operators approve it, else it stays pending (and expires if request expiry is on)."""
    rt = sim.rt
    storage = rt.pallets[SVC].storage
    bid = sim.actors.blueprint_ids[spec.blueprint]
    rid = storage.NextServiceRequestId.value()
    sid = storage.NextInstanceId.value()
    c = sim.state.counters
    c["requests_sent"] += 1
    receipt = sim.dispatch(sim.actors.account(requester), SVC, "request", request_params(rt, sim.actors, bid, spec.operators))
    if not receipt.is_success:
        c["requests_refused"] += 1
        return
    if not sim.streams.chance(f"{requester}/approvals", spec.approve_p):
        c["requests_left_pending"] += 1
        return
    for op in spec.operators:
        if not sim.act(op, SVC, "approve", {"request_id": rid, "security_commitments": COMMITMENTS}):
            c["approvals_refused"] += 1
            return
    if storage.Instances.contains(sid):
        c["services_started"] += 1
        owners = {bp.id: bp.owner for bp in sim.sc.genesis.blueprints}
        sim.actors.services.append({"id": sid, "blueprint": spec.blueprint, "blueprint_id": bid, "blueprint_owner": owners[spec.blueprint],
                                    "owner": requester, "operators": list(spec.operators), "terminate_on_slash": False, "active": True})
        if spec.terminate_after_rounds is not None:
            sim.schedule(sim.clock.first_block_of_round(rt.current_round + spec.terminate_after_rounds), "terminate", sid)


def terminate_service(sim: "Simulation", service_id: int) -> None:
    svc = next((s for s in sim.actors.services if s["id"] == service_id), None)
    if svc is None or not svc["active"]:
        return
    if sim.act(svc["owner"], SVC, "terminate", {"service_id": service_id}):
        svc["active"] = False
        sim.state.counters["services_terminated"] += 1


def on_operator_slashed(sim: "Simulation", rec: "SlashRecord") -> None:
    """Owners with ``terminate_on_slash`` end the slashed operator's services."""
    for svc in sim.actors.services:
        if svc["active"] and svc["terminate_on_slash"] and rec.offender in svc["operators"]:
            terminate_service(sim, svc["id"])


def unregister_all(sim: "Simulation", operator: str) -> None:
    """Unregister ``operator`` from its blueprints (refused while it runs a service there)."""
    storage = sim.rt.pallets[SVC].storage
    account = sim.actors.account(operator)
    for bp, bid in sim.actors.blueprint_ids.items():
        if storage.Operators.contains((bid, account)):
            sim.act(operator, SVC, "unregister", {"blueprint_id": bid})


def services_metrics(sim: "Simulation") -> dict[str, int]:
    """Counts from the pallet's storage: pending requests, active services."""
    storage = sim.rt.pallets[SVC].storage
    return {"pending_requests": len(storage.ServiceRequests), "active_services": len(storage.Instances)}
