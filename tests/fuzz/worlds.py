"""A custom runtime for the fuzz engine's ``--runtime MODULE:FUNCTION`` tests."""

from __future__ import annotations

from typing import Any

from blueprints import U64, Blueprint, ServiceManager


class AcceptsAnything(ServiceManager):
    def validate_result(self, blueprint_id, service_id, job, call_id, operator, args, result):  # type: ignore[no-untyped-def]
        pass  # the planted bug: squares are never checked


squaring = Blueprint("squaring", manager=AcceptsAnything)


@squaring.job(0)
def square(x: U64) -> U64:
    return x * x


def custom_world() -> Any:
    """The kit's world on the real profile, plus a setup call (so the log has one more setup record)."""
    from simulations.stateful import world

    rt = world.build_world({**world.GENESIS, "profile": "real"})
    rt.dispatch("Alice", "System", "remark_with_event", {"remark": "custom world"})
    return rt


class SquaresOnly(ServiceManager):
    def validate_result(self, blueprint_id, service_id, job, call_id, operator, args, result):  # type: ignore[no-untyped-def]
        from pallets.services.manager import Revert

        if result[0].value != args[0].value ** 2:
            raise Revert(f"{result[0].value} is not {args[0].value}^2")


checked_squaring = Blueprint("squaring", manager=SquaresOnly, manager_address="0x" + "5a" * 20)


@checked_squaring.job(0)
def checked_square(x: U64) -> U64:
    return x * x


def squaring_world() -> Any:
    """docs/stateful.md's squaring blueprint with its manager's check removed (the planted bug: any
    result is accepted), registered by two operators, and a running service of it."""
    return _service_world(squaring)


def checked_squaring_world() -> Any:
    """The squaring world with the manager's check in place (the fix): only squares are accepted."""
    return _service_world(checked_squaring)


def _service_world(blueprint: Blueprint) -> Any:
    from simulations.stateful import world
    from simulations.stateful.plugin import BlueprintFactory

    rt = world.build_world()
    bp = BlueprintFactory().on(rt, blueprint, owner="Alice")
    ops = list(world.SETUP_OPERATORS[:2])
    for op in ops:
        rt.dispatch(op, "Services", "register", {"blueprint_id": bp, "preferences": world.operator_preferences(op), "registration_args": [], "value": 0})
    request_id = rt.pallets["Services"].storage.NextServiceRequestId.value()
    rt.dispatch("Eve", "Services", "request", {
        "evm_origin": None, "blueprint_id": bp, "permitted_callers": [], "operators": ops, "request_args": [],
        "asset_security_requirements": [{"asset": world.TNT, "min_exposure_percent": 10, "max_exposure_percent": 50}],
        "ttl": 100, "payment_asset": world.TNT, "value": 0, "membership_model": {"Fixed": {"min_operators": 2}}})
    for op in ops:
        rt.dispatch(op, "Services", "approve", {"request_id": request_id, "security_commitments": [{"asset": world.TNT, "exposure_percent": 10}]})
    return rt


def results_are_squares(rt: Any, ledger: Any) -> None:
    """Every result accepted for a squaring job call is the square of its argument."""
    from simulations.stateful.invariants import new_events

    services = rt.pallets["Services"].storage
    calls = ledger.extra.setdefault("square_args", {})
    for ev in new_events(rt, ledger, "results_are_squares"):
        service = services.Instances.get(ev["service_id"]) if ev.name.startswith("Services.Job") else None
        squaring = service is not None and services.Blueprints.get(service.blueprint)[1].metadata.name == "squaring"
        if ev.name == "Services.JobCalled" and squaring:
            calls[(ev["service_id"], ev["call_id"])] = ev["args"][0].value
        elif ev.name == "Services.JobResultSubmitted" and (ev["service_id"], ev["call_id"]) in calls:
            x = calls[(ev["service_id"], ev["call_id"])]
            assert ev["result"][0].value == x * x, f"{ev['result'][0].value} accepted as {x}^2"


#: the fix of :func:`panicking_world`'s planted panic (a test sets it to replay "after the fix")
PANIC_FIXED = False


def panicking_world() -> Any:
    """The kit's world whose ``Balances.burn`` panics (a Python error, not a dispatch error) for a
    nonzero multiple of 7, unless :data:`PANIC_FIXED`. Only this runtime's call table is patched
    (a copy of the call's spec), so no other runtime in the process sees the bug."""
    import copy

    from simulations.stateful import world

    rt = world.build_world()
    spec, pallet = rt._calls[("Balances", "burn")]
    original = spec.fn

    def burn(self: Any, origin: Any, value: int, keep_alive: bool) -> None:
        if not PANIC_FIXED and value and value % 7 == 0:
            raise ZeroDivisionError("planted panic")
        return original(self, origin, value, keep_alive)

    patched = copy.copy(spec)
    patched.fn = burn
    rt._calls[("Balances", "burn")] = (patched, pallet)
    return rt
