"""State-aware calls: the few arguments random drawing almost never gets right, read off the state.

A request names operators registered on its blueprint; an approval commits within the request's
exposure bounds; a slash or dispute comes from the origin the service's manager names (the default
manager: the blueprint owner; under real the stock manager's own account); an Lst unbond names a holder of the pool's token and what it holds; a transfer
leaves the sender just below or at the existential deposit. Each recipe is a user call of the engine
(``fn(rng, rt, live) -> step or None``), the same hook a user's own calls use
(``FuzzConfig.generators``); a recipe that finds nothing to act on returns None and the engine draws
an ordinary call. Recipes only read storage; everything they build goes through ``rt.dispatch``.
"""

from __future__ import annotations

import random
from typing import Any, Callable

from runtime import Runtime
from simulations.fuzz.values import LiveState

Recipe = Callable[[random.Random, Runtime, LiveState], "list | None"]
TNT = {"Custom": 0}


def _storage(rt: Runtime, pallet: str) -> Any:
    p = rt.pallets.get(pallet)
    return None if p is None else p.storage  # type: ignore[attr-defined]


def transfer_to_the_edge(rng: random.Random, rt: Runtime, live: LiveState) -> list | None:
    """Send all but 0..ED of the sender's free balance (dust handling, reaping)."""
    who = rng.choice(live.accounts)
    free = rt.free_balance(who)
    ed = rt.constants("Balances").ExistentialDeposit
    value = max(0, free - rng.choice((0, 1, ed - 1, ed // 2, ed)))
    return ["call", who, "Balances", rng.choice(("transfer_allow_death", "transfer_keep_alive")), {"dest": rng.choice(live.accounts), "value": value}]


def _pick(rng: random.Random, rt: Runtime, item: str) -> tuple[Any, Any, Any] | None:
    """(Services storage, key, value) of a random entry of the Services map ``item``, or None."""
    s = _storage(rt, "Services")
    if s is None:
        return None
    entries = sorted(getattr(s, item).items())
    return (s, *rng.choice(entries)) if entries else None


def _registered(s: Any, blueprint_id: int) -> list[str]:
    return sorted(op for bp, op in s.Operators.keys() if bp == blueprint_id)


def request_registered(rng: random.Random, rt: Runtime, live: LiveState) -> list | None:
    """A request naming operators registered on an existing blueprint."""
    s = _storage(rt, "Services")
    if s is None:
        return None
    blueprints = sorted(s.Blueprints.keys())
    if not blueprints:
        return None
    bp = rng.choice(blueprints)
    ops = _registered(s, bp)
    if not ops:
        return None
    chosen = rng.sample(ops, rng.randint(1, min(3, len(ops))))
    return ["call", rng.choice(live.accounts), "Services", "request", {
        "evm_origin": None, "blueprint_id": bp, "permitted_callers": [], "operators": chosen, "request_args": [],
        "asset_security_requirements": [{"asset": TNT, "min_exposure_percent": 10, "max_exposure_percent": 50}],
        "ttl": rng.choice((10, 100)), "payment_asset": TNT, "value": rng.choice((0, 0, 10**18)),
        "membership_model": {"Fixed": {"min_operators": len(chosen)}}}]


def approve_pending(rng: random.Random, rt: Runtime, live: LiveState) -> list | None:
    """A pending operator approves a pending request within its exposure bounds."""
    s = _storage(rt, "Services")
    if s is None:
        return None
    pending = [(rid, op, req) for rid, req in s.ServiceRequests.items() for op, state in req.operators_with_approval_state if state.name == "Pending"]
    if not pending:
        return None
    rid, op, req = rng.choice(pending)
    commitments = [{"asset": r.asset.encode(), "exposure_percent": rng.randint(r.min_exposure_percent, r.max_exposure_percent)}
                   for r in req.security_requirements]
    return ["call", op, "Services", "approve", {"request_id": rid, "security_commitments": commitments}]


def limit_instances(rng: random.Random, rt: Runtime, live: LiveState) -> list | None:
    """A registered operator caps itself at 0-2 instances of a blueprint."""
    s = _storage(rt, "Services")
    if s is None:
        return None
    keys = sorted(s.Operators.keys())
    if not keys:
        return None
    bp, op = rng.choice(keys)
    return ["call", op, "Services", "set_instance_limit", {"blueprint_id": bp, "limit": rng.choice((0, 1, 2, None))}]


def slash_by_owner(rng: random.Random, rt: Runtime, live: LiveState) -> list | None:
    """The slashing origin (the blueprint owner; under real the stock manager's own account) slashes
    one of a running service's operators."""
    picked = _pick(rng, rt, "Instances")
    if picked is None:
        return None
    s, sid, service = picked
    origin = rt.pallets["Services"].slashing_origin_of(sid)  # the owner; under real the stock manager itself
    ops = service.operators()
    if origin is None or not ops:
        return None
    return ["call", origin, "Services", "slash", {"offender": rng.choice(ops), "service_id": sid, "slash_percent": rng.randint(1, 100)}]


def dispute_by_owner(rng: random.Random, rt: Runtime, live: LiveState) -> list | None:
    """The dispute origin (as :func:`slash_by_owner`'s) disputes a queued slash."""
    picked = _pick(rng, rt, "UnappliedSlashes")
    if picked is None:
        return None
    s, (era, index), slash = picked
    origin = rt.pallets["Services"].dispute_origin_of(slash.blueprint_id, slash.service_id)
    if origin is None:
        return None
    return ["call", origin, "Services", "dispute", {"era": era, "index": index}]


def lst_unbond_holder(rng: random.Random, rt: Runtime, live: LiveState) -> list | None:
    """A holder of a pool's token unbonds all or part of what it holds."""
    lst, assets = rt.pallets.get("Lst"), rt.pallets.get("Assets")
    if lst is None or assets is None:
        return None
    pools = sorted(lst.storage.BondedPools.keys())  # type: ignore[attr-defined]
    if not pools:
        return None
    pool = rng.choice(pools)
    holders = [a for a in live.accounts if assets.fungibles.balance(pool, a)]  # type: ignore[attr-defined]
    if not holders:
        return None
    who = rng.choice(holders)
    held = assets.fungibles.balance(pool, who)  # type: ignore[attr-defined]
    points = held if rng.random() < 0.5 else max(1, held * rng.randint(1, 99) // 100)
    return ["call", who, "Lst", "unbond", {"member_account": who, "pool_id": pool, "unbonding_points": points}]


def lst_join(rng: random.Random, rt: Runtime, live: LiveState) -> list | None:
    """Join an existing pool with a round amount."""
    lst = rt.pallets.get("Lst")
    if lst is None:
        return None
    pools = sorted(lst.storage.BondedPools.keys())  # type: ignore[attr-defined]
    if not pools:
        return None
    amount = rng.choice((1, 10, 100, 1_000)) * 10**18 + rng.choice((0, 0, 1, 7))
    return ["call", rng.choice(live.accounts), "Lst", "join", {"amount": amount, "pool_id": rng.choice(pools)}]


def call_job(rng: random.Random, rt: Runtime, live: LiveState) -> list | None:
    """The owner (or a permitted caller) of a running service calls one of its jobs with arguments
    of the job's declared types, so the job, its manager's hooks and the results that follow run."""
    from simulations.fuzz.fields import random_fields

    picked = _pick(rng, rt, "Instances")
    if picked is None:
        return None
    s, sid, service = picked
    entry = s.Blueprints.get(service.blueprint)
    if entry is None or not entry[1].jobs:
        return None
    job = rng.randrange(len(entry[1].jobs))
    caller = rng.choice([service.owner, *service.permitted_callers])
    try:
        args = random_fields(rng, entry[1].jobs[job].params, live.accounts)
    except ValueError:  # a type no value matches (Void): the engine's own drawing covers it
        return None
    return ["call", caller, "Services", "call", {"service_id": sid, "job": job, "args": args}]


def submit_job_result(rng: random.Random, rt: Runtime, live: LiveState) -> list | None:
    """One of the service's operators submits a result for a pending call: for a blueprint with
    Python jobs (:func:`~simulations.fuzz.fields.honest_result`), the handler's own answer
    ``HONEST_SHARE`` of the time; otherwise values of the job's declared types."""
    from simulations.fuzz.fields import HONEST_SHARE, honest_result, python_job, random_fields

    picked = _pick(rng, rt, "JobCalls")
    if picked is None:
        return None
    s, (sid, call_id), job_call = picked
    service = s.Instances.get(sid)
    entry = None if service is None else s.Blueprints.get(service.blueprint)
    if entry is None or job_call.job >= len(entry[1].jobs) or not service.operators():
        return None
    job = python_job(rt, sid, job_call.job)
    if job is not None and rng.random() < HONEST_SHARE:  # (no draw at all for a blueprint without Python jobs)
        operator = rng.choice(service.operators())
        honest = honest_result(rt, job, sid, call_id, job_call, operator)
        if honest is not None:
            return ["call", operator, "Services", "submit_result", {"service_id": sid, "call_id": call_id, "result": honest}]
    try:
        result = random_fields(rng, entry[1].jobs[job_call.job].result, live.accounts)
    except ValueError:
        return None
    return ["call", rng.choice(service.operators()), "Services", "submit_result", {"service_id": sid, "call_id": call_id, "result": result}]


RECIPES: list[Recipe] = [transfer_to_the_edge, request_registered, approve_pending, limit_instances, slash_by_owner, dispute_by_owner,
                         lst_unbond_holder, lst_join, call_job, submit_job_result]
"""The built-in recipes (``FuzzConfig.generators`` default)."""
