"""The exhaustion stress: many service requests against operators with instance limits, every
outcome checked against a reference model of the limits.

The model is the extension's rule in a few lines (``pallets/services/limits.py``): an operator's
committed instances on a blueprint are the services it runs plus the pending requests it
approved; ``request`` naming an operator at its limit fails, and so does ``approve`` by an operator
at its limit; terminating a service frees one instance for each of its operators. Running a plan
dispatches real calls (so the call log replays) and compares each call's outcome with the model's
prediction: the first call that succeeds where it should fail, or fails where it should succeed
(or with another error), raises ``AssertionError`` naming the step.

A plan is a list of steps:

* ``Request(operators)``: a request naming these operators (indices into the plan's operators);
* ``Approve(request, operator)``: that operator approves that request (by its index in the plan);
* ``Terminate(request)``: the owner terminates the service started from that request.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Sequence, Union

from runtime import Runtime

SVC = "Services"
LIMIT_ERROR = "Services.MaxServicesPerOperatorExceeded"


@dataclass(frozen=True)
class Request:
    operators: tuple[int, ...]


@dataclass(frozen=True)
class Approve:
    request: int
    operator: int


@dataclass(frozen=True)
class Terminate:
    request: int


Step = Union[Request, Approve, Terminate]


@dataclass
class LimitModel:
    """The instance-limit rule, on plain counters."""

    limits: dict[str, int | None]
    committed: Counter[str] = field(default_factory=Counter)

    def at_limit(self, op: str) -> bool:
        limit = self.limits.get(op)
        return limit is not None and self.committed[op] >= limit


@dataclass
class Outcome:
    step: int
    call: str
    expected: str | None
    actual: str | None


@dataclass
class ExhaustionReport:
    """What happened: every call's outcome, and the counts the chain ended with."""

    outcomes: list[Outcome]
    services: int
    committed: dict[str, int]

    def failures(self, error: str = LIMIT_ERROR) -> list[Outcome]:
        return [o for o in self.outcomes if o.actual == error]


def _security() -> list[dict[str, Any]]:
    return [{"asset": {"Custom": 0}, "exposure_percent": 10}]


def run_exhaustion(rt: Runtime, blueprint_id: int, operators: Sequence[str], limits: dict[str, int | None], steps: Sequence[Step],
                   owner: str = "Eve") -> ExhaustionReport:
    """Set the limits, run ``steps`` and check every outcome against :class:`LimitModel`."""
    for op in operators:
        rt.dispatch(op, SVC, "set_instance_limit", {"blueprint_id": blueprint_id, "limit": limits.get(op)})
    model = LimitModel(dict(limits), Counter({op: rt.pallets[SVC].committed_instances(blueprint_id, op) for op in operators}))  # type: ignore[attr-defined]
    requests: list[int | None] = []            # plan request index -> chain request id (None: refused)
    pending: dict[int, set[str]] = {}          # plan request index -> operators yet to approve
    approved: dict[int, set[str]] = {}
    services: dict[int, tuple[int, tuple[str, ...]]] = {}  # plan request index -> (service id, operators)
    outcomes: list[Outcome] = []

    def check(i: int, name: str, receipt: Any, expected: str | None) -> bool:
        actual = None if receipt.is_success else receipt.error_name
        outcomes.append(Outcome(i, name, expected, actual))
        if actual != expected:
            raise AssertionError(f"step {i} ({name}): expected {expected or 'success'}, got {actual or 'success'}")
        return actual is None

    for i, step in enumerate(steps):
        if isinstance(step, Request):
            ops = [operators[k] for k in step.operators]
            expected = LIMIT_ERROR if any(model.at_limit(op) for op in ops) else None
            receipt = rt.dispatch(owner, SVC, "request", {
                "evm_origin": None, "blueprint_id": blueprint_id, "permitted_callers": [], "operators": ops, "request_args": [],
                "asset_security_requirements": [{"asset": {"Custom": 0}, "min_exposure_percent": 10, "max_exposure_percent": 50}],
                "ttl": 100, "payment_asset": {"Custom": 0}, "value": 0, "membership_model": {"Fixed": {"min_operators": len(ops)}}},
                raise_error=False)
            ok = check(i, f"request {ops}", receipt, expected)
            requests.append(receipt.event("Services.ServiceRequested")["request_id"] if ok else None)
            if ok:
                pending[len(requests) - 1] = set(ops)
                approved[len(requests) - 1] = set()
        elif isinstance(step, Approve):
            rid = requests[step.request] if step.request < len(requests) else None
            op = operators[step.operator]
            if rid is None or op not in pending.get(step.request, ()):
                continue  # nothing to approve: not a meaningful step for the limits
            expected = LIMIT_ERROR if model.at_limit(op) else None
            receipt = rt.dispatch(op, SVC, "approve", {"request_id": rid, "security_commitments": _security()}, raise_error=False)
            if check(i, f"approve request {rid} by {op}", receipt, expected):
                model.committed[op] += 1
                pending[step.request].discard(op)
                approved[step.request].add(op)
                if not pending[step.request]:
                    started = receipt.event("Services.ServiceInitiated")
                    services[step.request] = (started["service_id"], tuple(sorted(approved[step.request])))
                    del pending[step.request]
        else:
            started_service = services.pop(step.request, None)
            if started_service is None:
                continue
            sid, ops_of = started_service
            receipt = rt.dispatch(owner, SVC, "terminate", {"service_id": sid}, raise_error=False)
            if check(i, f"terminate service {sid}", receipt, None):
                for op in ops_of:
                    model.committed[op] -= 1
    chain = {op: rt.pallets[SVC].committed_instances(blueprint_id, op) for op in operators}  # type: ignore[attr-defined]
    expected_counts = {op: model.committed[op] for op in operators}
    assert chain == expected_counts, f"committed instances {chain} != model {expected_counts}"
    for op in operators:
        limit = limits.get(op)
        assert limit is None or chain[op] <= limit, f"{op} committed to {chain[op]} instances, above its limit {limit}"
    return ExhaustionReport(outcomes, len(services), chain)


def requests_then_approvals(n: int, operator_sets: Sequence[tuple[int, ...]]) -> list[Step]:
    """The classic plan: ``n`` requests, each naming ``operator_sets[i % len]`` and approved at
    once by each of its operators in order."""
    steps: list[Step] = []
    for i in range(n):
        ops = operator_sets[i % len(operator_sets)]
        steps.append(Request(ops))
        steps.extend(Approve(i, k) for k in ops)
    return steps
