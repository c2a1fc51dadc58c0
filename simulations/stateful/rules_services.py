"""Rules for Services: blueprints (drawn by ``field_draws.service_blueprint``), registration,
instance limits, requests (payment, membership, expiry), approvals and rejections, job calls and
results with arguments generated from the job's own types, slashes and disputes, termination,
dynamic membership and heartbeats.

Most calls are built to pass: the operators named in a request are registered on its blueprint,
approvals commit within the stored requirements, job arguments match the job's ``FieldType``s.
The ``valid=False`` branches send mismatching arguments, out-of-range commitments or the wrong caller.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from hypothesis import strategies as st
from hypothesis.stateful import initialize, multiple, rule

from pallets.services.crypto import dev_private_key, heartbeat_message, sign
from simulations.stateful import field_draws as F
from simulations.stateful import strategies as S
from simulations.stateful import world
from simulations.stateful.bundles import accounts, blueprints, job_calls, operators, requests, services, unapplied_slashes
from simulations.stateful.rulebase import INDEX, RuleMixin

SVC = "Services"
#: commitments an approval must refuse (none, below the minimum, above the maximum, an asset not required)
BAD_COMMITMENTS: tuple[list[dict[str, Any]], ...] = (
    [], [{"asset": world.TNT, "exposure_percent": 1}], [{"asset": world.TNT, "exposure_percent": 100}], [{"asset": world.USDC, "exposure_percent": 50}])
#: a request's asset security requirements
REQUIREMENTS: tuple[list[dict[str, Any]], ...] = (
    [{"asset": world.TNT, "min_exposure_percent": 10, "max_exposure_percent": 50}],
    [{"asset": world.TNT, "min_exposure_percent": 10, "max_exposure_percent": 100}, {"asset": world.USDC, "min_exposure_percent": 5, "max_exposure_percent": 20}],
    [],
)


@lru_cache(maxsize=4096)
def _signature(operator: str, message: bytes) -> bytes:
    """The operator's heartbeat signature (ECDSA in pure Python costs ~20 ms; Hypothesis re-runs
    examples with the same choices while it explores and shrinks, so the same messages recur)."""
    return sign(dev_private_key(f"stateful/{operator}"), message)


class ServicesRules(RuleMixin):
    """Services calls over the ``blueprints``/``requests``/``services``/``job_calls``/``unapplied_slashes`` bundles."""

    @initialize(target=blueprints)
    def seed_blueprints(self) -> Any:
        return multiple((0, world.BLUEPRINT_OWNER))

    @initialize(target=services)
    def seed_services(self) -> Any:
        return multiple((0, world.SERVICE_OWNER, tuple(sorted(world.SETUP_OPERATORS[:2])), 0))

    @initialize(target=requests)
    def seed_requests(self) -> Any:
        return multiple((1, world.SERVICE_OWNER, (world.SETUP_OPERATORS[2],), 0))

    # ------------------------------------------------------------------ state helpers
    def blueprint(self, blueprint_id: int) -> Any:
        """The stored ``ServiceBlueprint`` (None if it does not exist)."""
        entry = self.storage(SVC).Blueprints.get(blueprint_id)
        return None if entry is None else entry[1]

    def registered(self, blueprint_id: int) -> list[str]:
        """Operators registered on a blueprint, in a stable order."""
        return sorted(op for op, _ in self.storage(SVC).Operators.iter_prefix(blueprint_id))

    def commitments(self, data: st.DataObject, requirements: Any, valid: bool) -> list[dict[str, Any]]:
        """Security commitments for ``requirements``: within each [min, max] when ``valid``."""
        if valid:
            return [{"asset": S.outside(r.asset), "exposure_percent": self.draw_int(data, r.min_exposure_percent, r.max_exposure_percent)}
                    for r in requirements]
        return self.draw_from(data, BAD_COMMITMENTS)

    # ------------------------------------------------------------------ blueprints and registration
    @rule(target=blueprints, owner=accounts, data=st.data())
    def create_blueprint(self, owner: str, data: st.DataObject) -> Any:
        bp = F.service_blueprint(data.conjecture_data)
        receipt = self.call(owner, SVC, "create_blueprint", S.blueprint_params(bp))
        if not self.ok(receipt):
            return multiple()
        return (receipt.event("Services.BlueprintCreated")["blueprint_id"], owner)  # type: ignore[union-attr]

    @rule(op=operators, bp=blueprints, data=st.data(), valid=S.mostly_true(), value=st.sampled_from([0, 0, 0, world.UNIT]))
    def register(self, op: str, bp: tuple[int, str], data: st.DataObject, valid: bool, value: int) -> None:
        blueprint = self.blueprint(bp[0])
        types = blueprint.registration_params if blueprint is not None else ()
        args = (F.fields if valid else F.mismatching_fields)(data.conjecture_data, types)
        receipt = self.call(op, SVC, "register", {"blueprint_id": bp[0], "preferences": world.operator_preferences(op),
                                                 "registration_args": S.outside(tuple(args)), "value": value})
        if not valid and receipt is not None and blueprint is not None and receipt.error_name not in (
                "Services.OperatorNotActive", "Services.AlreadyRegistered"):
            self.expect_error(receipt, "TypeCheck")

    @rule(op=operators, bp=blueprints)
    def unregister(self, op: str, bp: tuple[int, str]) -> None:
        self.call(op, SVC, "unregister", {"blueprint_id": bp[0]})

    @rule(op=operators, bp=blueprints, pick=INDEX, registered=S.mostly_true(), limit=st.one_of(st.integers(0, 2), st.integers(0, 2), st.none()))
    def set_instance_limit(self, op: str, bp: tuple[int, str], pick: int, registered: bool, limit: int | None) -> None:
        """Mostly an operator registered on the blueprint caps itself at 0-2 instances (small, so
        later requests and approvals run into the limit)."""
        if registered:
            op = self.pick(self.registered(bp[0]), pick) or op
        self.call(op, SVC, "set_instance_limit", {"blueprint_id": bp[0], "limit": limit})

    # ------------------------------------------------------------------ requests
    @rule(target=requests, owner=accounts, bp=blueprints, data=st.data(), valid=S.mostly_true(), op=operators)
    def request(self, owner: str, bp: tuple[int, str], data: st.DataObject, valid: bool, op: str) -> Any:
        blueprint = self.blueprint(bp[0])
        registered = self.registered(bp[0])
        if registered and valid:
            ops = self.draw_some(data, registered, 1, 3)
        else:
            ops = [op]
        models = [m.name for m in blueprint.supported_membership_models] if blueprint is not None else ["Fixed"]
        model_name = self.draw_from(data, models)
        if model_name == "Fixed":
            model: Any = {"Fixed": {"min_operators": self.draw_int(data, 1, len(ops)) if valid else len(ops) + 1}}
        else:
            most = self.draw_int(data, len(ops) - 1, 4)  # one below the operators named: no maximum
            model = {"Dynamic": {"min_operators": self.draw_int(data, 0, len(ops)), "max_operators": None if most < len(ops) else most}}
        requirements = self.draw_from(data, REQUIREMENTS)
        request_types = blueprint.request_params if blueprint is not None else ()
        args = (F.fields if valid else F.mismatching_fields)(data.conjecture_data, request_types)
        pay_once = [j.pricing_model.value.amount for j in (blueprint.jobs if blueprint is not None else ()) if j.pricing_model.name == "PayOnce"]
        price = max(pay_once or [0])
        value = self.draw_from(data, (0, price, price, price + world.UNIT))
        asset = self.draw_from(data, (world.TNT, world.TNT, world.USDC))
        if asset == world.USDC and value:
            value = self.draw_int(data, price, price + 10**6)
        callers = self.draw_from(data, ([], [], [world.DEV_ACCOUNTS["Ferdie"]]))
        receipt = self.call(owner, SVC, "request", {
            "evm_origin": None, "blueprint_id": bp[0], "permitted_callers": callers, "operators": ops, "request_args": S.outside(tuple(args)),
            "asset_security_requirements": requirements, "ttl": 100, "payment_asset": asset, "value": value, "membership_model": model})
        if not self.ok(receipt):
            return multiple()
        rid = receipt.event("Services.ServiceRequested")["request_id"]  # type: ignore[union-attr]
        return (rid, owner, tuple(ops), bp[0])

    def _started(self, receipt: Any) -> Any:
        """The service a receipt started, as a ``services`` bundle value (or nothing)."""
        if not self.ok(receipt):
            return multiple()
        started = receipt.events_named("Services.ServiceInitiated")
        if not started:
            return multiple()
        ev = started[0]
        sid = ev["service_id"]
        return (sid, ev["owner"], self.storage(SVC).Instances.get(sid).operators(), ev["blueprint_id"])

    @rule(target=services, req=requests, pick=INDEX, data=st.data(), valid=S.mostly_true(), other=operators)
    def approve(self, req: tuple[int, str, tuple[str, ...], int], pick: int, data: st.DataObject, valid: bool, other: str) -> Any:
        stored = self.storage(SVC).ServiceRequests.get(req[0])
        pending = [op for op, state in stored.operators_with_approval_state if state.name == "Pending"] if stored is not None else []
        op = (self.pick(pending, pick) or self.pick(req[2], pick)) if valid else other
        requirements = stored.security_requirements if stored is not None else ()
        receipt = self.call(op, SVC, "approve", {"request_id": req[0], "security_commitments": self.commitments(data, requirements, valid)})
        return self._started(receipt)

    @rule(target=services, owner=accounts, bp=blueprints, data=st.data())
    def deploy_service(self, owner: str, bp: tuple[int, str], data: st.DataObject) -> Any:
        """A whole deployment in one step (reaches running services quickly): a valid request naming
        up to three operators registered on the blueprint, then each of them approves it. Operators
        that capped their instances here are mostly included: limits are the boundary to stress."""
        blueprint = self.blueprint(bp[0])
        active = self.storage("MultiAssetDelegation").Operators
        ready = [op for op in self.registered(bp[0]) if (m := active.get(op)) is not None and m.status.name == "Active"]
        if blueprint is None or not ready:
            return multiple()
        ops = self.draw_some(data, ready, 1, 3)
        limits = self.storage(SVC).OperatorInstanceLimits
        capped = [op for op in ready if limits.contains((bp[0], op))]
        if capped and self.draw_int(data, 0, 4) > 0:  # mostly
            extra = self.draw_from(data, capped)
            ops = ops if extra in ops else [extra, *ops[:2]]
        fixed = any(m.name == "Fixed" for m in blueprint.supported_membership_models)
        model = {"Fixed": {"min_operators": len(ops)}} if fixed else {"Dynamic": {"min_operators": 1, "max_operators": None}}
        args = F.fields(data.conjecture_data, blueprint.request_params)
        receipt = self.call(owner, SVC, "request", {
            "evm_origin": None, "blueprint_id": bp[0], "permitted_callers": [], "operators": ops, "request_args": S.outside(tuple(args)),
            "asset_security_requirements": [{"asset": world.TNT, "min_exposure_percent": 10, "max_exposure_percent": 50}], "ttl": 100,
            "payment_asset": world.TNT, "value": 0, "membership_model": model})
        if not self.ok(receipt):
            return multiple()
        rid = receipt.event("Services.ServiceRequested")["request_id"]  # type: ignore[union-attr]
        started: Any = multiple()
        for op in ops:
            stored = self.storage(SVC).ServiceRequests.get(rid)
            if stored is None:
                break
            started = self._started(self.call(op, SVC, "approve", {"request_id": rid, "security_commitments": self.commitments(data, stored.security_requirements, True)}))
        return started

    @rule(req=requests, pick=INDEX)
    def reject(self, req: tuple[int, str, tuple[str, ...], int], pick: int) -> None:
        self.call(self.pick(req[2], pick), SVC, "reject", {"request_id": req[0]})

    @rule(req=requests, other=accounts, by_owner=S.mostly_true(), share=st.integers(10, 100))
    def modify_request(self, req: tuple[int, str, tuple[str, ...], int], other: str, by_owner: bool, share: int) -> None:
        stored = self.storage(SVC).ServiceRequests.get(req[0])
        args = S.outside(tuple(stored.args)) if stored is not None else []
        requirements = [{"asset": world.TNT, "min_exposure_percent": 10, "max_exposure_percent": max(10, share)}]
        self.call(req[1] if by_owner else other, SVC, "modify_request", {"request_id": req[0], "permitted_callers": [], "request_args": args,
                                                                          "asset_security_requirements": requirements, "ttl": 50})

    # ------------------------------------------------------------------ services
    @rule(svc=services, other=accounts, by_owner=S.mostly_true())
    def terminate(self, svc: tuple[int, str, tuple[str, ...], int], other: str, by_owner: bool) -> None:
        self.call(svc[1] if by_owner else other, SVC, "terminate", {"service_id": svc[0]})

    @rule(target=job_calls, svc=services, data=st.data(), valid=S.mostly_true(), other=accounts, by_owner=S.mostly_true())
    def call_job(self, svc: tuple[int, str, tuple[str, ...], int], data: st.DataObject, valid: bool, other: str, by_owner: bool) -> Any:
        blueprint = self.blueprint(svc[3])
        jobs = blueprint.jobs if blueprint is not None else ()
        job = self.draw_int(data, 0, len(jobs) - 1) if jobs else 0
        types = jobs[job].params if jobs else ()
        args = (F.fields if valid else F.mismatching_fields)(data.conjecture_data, types)
        receipt = self.call(svc[1] if by_owner else other, SVC, "call", {"service_id": svc[0], "job": job, "args": S.outside(tuple(args))})
        if not valid and by_owner and jobs and receipt is not None and self.storage(SVC).Instances.contains(svc[0]):
            self.expect_error(receipt, "TypeCheck")
        if not self.ok(receipt):
            return multiple()
        return (svc[0], receipt.event("Services.JobCalled")["call_id"], job, svc[3])  # type: ignore[union-attr]

    @rule(jc=job_calls, pick=INDEX, data=st.data(), valid=S.mostly_true(), other=operators)
    def submit_result(self, jc: tuple[int, int, int, int], pick: int, data: st.DataObject, valid: bool, other: str) -> None:
        service = self.storage(SVC).Instances.get(jc[0])
        op = (self.pick(service.operators(), pick) if service is not None else None) or other
        blueprint = self.blueprint(jc[3])
        types = blueprint.jobs[jc[2]].result if blueprint is not None and jc[2] < len(blueprint.jobs) else ()
        result = (F.fields if valid else F.mismatching_fields)(data.conjecture_data, types)
        self.call(op, SVC, "submit_result", {"service_id": jc[0], "call_id": jc[1], "result": S.outside(tuple(result))})

    # ------------------------------------------------------------------ slashing
    @rule(target=unapplied_slashes, svc=services, pick=INDEX, percent=S.percents(valid=False), by_owner=S.mostly_true(), other=accounts)
    def slash(self, svc: tuple[int, str, tuple[str, ...], int], pick: int, percent: int, by_owner: bool, other: str) -> Any:
        named = self.rt.pallets[SVC].slashing_origin_of(svc[0])  # the owner; under real the manager itself
        origin = named if named is not None and by_owner else other
        service = self.storage(SVC).Instances.get(svc[0])
        offender = self.pick(service.operators() if service is not None else svc[2], pick)
        receipt = self.call(origin, SVC, "slash", {"offender": offender, "service_id": svc[0], "slash_percent": percent})
        if not self.ok(receipt):
            return multiple()
        ev = receipt.event("Services.UnappliedSlash")  # type: ignore[union-attr]
        return (ev["era"], ev["index"], svc[3])

    @rule(slash=unapplied_slashes, by_owner=S.mostly_true(), other=accounts)
    def dispute(self, slash: tuple[int, int, int], by_owner: bool, other: str) -> None:
        """Dispute a slash the bundle remembers (maybe applied or disputed already: UnappliedSlashNotFound)."""
        queued = self.storage(SVC).UnappliedSlashes.get((slash[0], slash[1]))
        named = self.rt.pallets[SVC].dispute_origin_of(slash[2], queued.service_id) if queued is not None else None
        origin = named if named is not None and by_owner else other
        self.call(origin, SVC, "dispute", {"era": slash[0], "index": slash[1]})

    @rule(pick=INDEX, by_owner=S.mostly_true(), other=accounts)
    def dispute_queued(self, pick: int, by_owner: bool, other: str) -> None:
        """Governance disputes a slash still in its window (the veto the slashing window exists for)."""
        stored = self.storage(SVC).UnappliedSlashes
        key = self.pick(sorted(stored.keys()), pick)
        if key is None:
            return
        queued = stored.get(key)
        named = self.rt.pallets[SVC].dispute_origin_of(queued.blueprint_id, queued.service_id)
        origin = named if named is not None and by_owner else other
        self.call(origin, SVC, "dispute", {"era": key[0], "index": key[1]})

    @rule(pick=INDEX)
    def wait_for_unapplied_slash(self, pick: int) -> None:
        """Let a recorded slash's window run out: advance rounds until ``era + SlashDeferDuration``
        (and one more, so the round's first block has run), when the pallet applies it (unless
        disputed). Rounds pass slowly in a 50-step run; without this step few windows would end."""
        queued = sorted(self.storage(SVC).UnappliedSlashes.keys())
        key = self.pick(queued, pick)
        if key is None:
            return
        due = key[0] + self.rt.pallets[SVC].consts.SlashDeferDuration  # type: ignore[attr-defined]

        def until_due() -> None:
            for _ in range(due - self.rt.current_round + 1):
                self.rt.advance_rounds(1)

        self.advance(until_due)

    @rule(pick=INDEX, extra=st.integers(0, 3))
    def let_request_expire(self, pick: int, extra: int) -> None:
        """Leave a pending request alone until it expires (extension ``request_expiry``): advance to
        its expiry block (plus ``extra``), when it is removed and its payment refunded."""
        expiring = self.storage(SVC).ServiceRequestExpiresAt
        rid = self.pick(sorted(expiring.keys()), pick)
        if rid is None:
            return
        at = expiring.get(rid)
        self.advance(lambda: self.rt.advance_blocks(max(at - self.rt.block_number, 0) + extra))

    # ------------------------------------------------------------------ dynamic membership and heartbeats
    @rule(svc=services, op=operators, data=st.data(), valid=S.mostly_true())
    def join_service(self, svc: tuple[int, str, tuple[str, ...], int], op: str, data: st.DataObject, valid: bool) -> None:
        service = self.storage(SVC).Instances.get(svc[0])
        requirements = service.security_requirements if service is not None else ()
        self.call(op, SVC, "join_service", {"instance_id": svc[0], "security_commitments": self.commitments(data, requirements, valid)})

    @rule(svc=services, pick=INDEX, other=operators)
    def leave_service(self, svc: tuple[int, str, tuple[str, ...], int], pick: int, other: str) -> None:
        service = self.storage(SVC).Instances.get(svc[0])
        op = (self.pick(service.operators(), pick) if service is not None else None) or other
        self.call(op, SVC, "leave_service", {"instance_id": svc[0]})

    @rule(svc=services, pick=INDEX, metrics=st.binary(max_size=8), valid=S.mostly_true())
    def heartbeat(self, svc: tuple[int, str, tuple[str, ...], int], pick: int, metrics: bytes, valid: bool) -> None:
        service = self.storage(SVC).Instances.get(svc[0])
        op = self.pick(service.operators() if service is not None else svc[2], pick)
        message = heartbeat_message(svc[0], svc[3], self.rt.block_number if valid else self.rt.block_number + 1, metrics)
        signature = _signature(op, message)
        self.call(op, SVC, "heartbeat", {"service_id": svc[0], "blueprint_id": svc[3], "metrics_data": "0x" + metrics.hex(), "signature": "0x" + signature.hex()})
