"""Job arguments and results drawn at random to match a job's field types (no Hypothesis).

A ``Services.call`` or ``submit_result`` with arguments drawn field by field from the call's codec
almost never matches the job's declared types, so the engine would only ever reach ``TypeCheck``
and never run a user's job or manager hooks. These draw a value of each declared type (boundaries
half the time), in the shape ``rt.dispatch`` takes.
"""

from __future__ import annotations

import random
from typing import Any, Sequence

from pallets.services.types.field import INT_RANGES as _INT_RANGES
from pallets.services.types.field import Field, FieldType
from runtime.codec import codec_of
_FIELDS = codec_of(tuple[Field, ...], "value")


def random_field(rng: random.Random, ty: FieldType, accounts: Sequence[str], depth: int = 0) -> Field:
    """A value matching ``ty`` by the chain's rule (``pallets.services.types.field.matches``)."""
    name = ty.name
    if name == "Bool":
        return Field.Bool(rng.random() < 0.5)
    if name in _INT_RANGES:
        lo, hi = _INT_RANGES[name]
        value = rng.choice((lo, hi, max(lo, 0), 1)) if rng.random() < 0.5 else rng.randint(max(lo, -1000), min(hi, 1000))
        return getattr(Field, name)(value)
    if name == "String":
        return Field.String(rng.choice(("", "a", "job", "ünïcødé")))
    if name == "AccountId":
        return Field.AccountId(rng.choice(list(accounts)))
    if name == "Optional":
        inner = ty.value
        return Field.Optional((inner, None if rng.random() < 0.3 or depth > 3 else random_field(rng, inner, accounts, depth + 1)))
    if name == "List":
        inner = ty.value
        n = 0 if depth > 3 else rng.randint(0, 3)
        return Field.List((inner, tuple(random_field(rng, inner, accounts, depth + 1) for _ in range(n))))
    if name == "Array":
        length, inner = ty.value
        return Field.Array((inner, tuple(random_field(rng, inner, accounts, depth + 1) for _ in range(length))))
    if name == "Struct":
        parts = tuple((f"f{i}", random_field(rng, t, accounts, depth + 1)) for i, t in enumerate(ty.value))
        return Field.Struct(("S", parts))
    raise ValueError(f"no value matches the field type {ty!r}")


def random_fields(rng: random.Random, types: Sequence[FieldType], accounts: Sequence[str]) -> list[Any]:
    """One matching value per type, encoded for ``rt.dispatch`` (and a call log)."""
    values = tuple(random_field(rng, t, accounts) for t in types)
    return _FIELDS.encode(values) if values else []


#: the share of ``submit_result`` recipe steps answered with the job's own Python handler when the
#: blueprint has one (:func:`honest_result`); the rest are random values of the declared types
HONEST_SHARE = 0.5


def python_job(rt: Any, service_id: int, job: int) -> Any:
    """The :class:`blueprints.definition.Job` (with its Python handler) behind job ``job`` of a
    service, or None: the blueprint was not deployed from a :class:`blueprints.Blueprint`
    (``deploy_manager`` / ``BlueprintFactory.on`` attach it to the manager) or has no such job."""
    services = rt.pallets.get("Services")
    if services is None:
        return None
    storage = services.storage
    service = storage.Instances.get(service_id)
    entry = None if service is None else storage.Blueprints.get(service.blueprint)
    manager = None if entry is None else services.contracts.get(getattr(entry[1].manager, "value", None))
    definition = getattr(manager, "blueprint_definition", None)
    return None if definition is None else definition.jobs.get(job)


def honest_result(rt: Any, job: Any, service_id: int, call_id: int, job_call: Any, operator: str) -> list[Any] | None:
    """What ``job``'s handler (:func:`python_job`) answers to this call, encoded for ``rt.dispatch``,
    or None when the handler raised or returned what the job's types cannot hold (an overflow is
    a finding for the random answers, not an honest answer). Random results of the declared types
    only ever reached a manager's reject path: an accepted result's payments and follow-ups never ran."""
    from blueprints.types import JobContext

    service = rt.pallets["Services"].storage.Instances.get(service_id)
    ctx = JobContext(operator, operator, service.owner, service_id, service.blueprint, call_id, job_call.job, rt.block_number, rt, tuple(job_call.args))
    try:
        values = job.run(job_call.args, ctx)
    except Exception:  # noqa: BLE001 - a handler's own error: answer at random instead
        return None
    return _FIELDS.encode(tuple(values)) if values else []
