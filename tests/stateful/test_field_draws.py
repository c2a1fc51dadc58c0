"""The kit's raw-choice draws of field types, job arguments and blueprints
(:mod:`simulations.stateful.field_draws`): what they draw is what the chain must accept (or, for
mismatching arguments, refuse), the same choices give the same values, and every shape is reached."""

from __future__ import annotations

from collections import Counter
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from pallets.services.types.field import INT_RANGES, Field, FieldType, matches
from simulations.stateful import field_draws as F
from simulations.stateful import strategies as S
from simulations.stateful import world
from simulations.stateful.selection import SeededChoices


def _all_match(values: tuple[Field, ...], types: tuple[FieldType, ...]) -> bool:
    return len(values) == len(types) and all(matches(v, t) for v, t in zip(values, types))


def _names(ty: FieldType) -> set[str]:
    name = ty.name
    if name in ("Optional", "List"):
        return {name} | _names(ty.value)
    if name == "Array":
        return {name} | _names(ty.value[1])
    if name == "Struct":
        return {name}.union(*(_names(t) for t in ty.value))
    return {name}


def test_drawn_fields_match_their_types_and_mismatching_ones_never_do() -> None:
    kinds: set[str] = set()
    bounds: Counter[str] = Counter()
    shapes: Counter[str] = Counter()
    for seed in range(400):
        cd = SeededChoices(seed)
        types = tuple(F.field_type(cd) for _ in range(cd.draw_integer(0, 3)))
        for t in types:
            kinds |= _names(t)
        good = F.fields(cd, types)
        assert _all_match(good, types), (types, good)
        for v in good:
            if v.name in INT_RANGES and v.value in INT_RANGES[v.name]:
                bounds[v.name] += 1
        bad = F.mismatching_fields(cd, types)
        assert not _all_match(bad, types), (types, bad)
        shapes["longer" if len(bad) > len(types) else "shorter" if len(bad) < len(types) else "wrong type"] += 1
    for seed in range(1000):  # a value of "another" type drawn at random is sometimes of the same type: it must be redrawn
        assert not _all_match(F.mismatching_fields(SeededChoices(seed), (FieldType.Bool,)), (FieldType.Bool,))
    assert kinds == set(FieldType.__indices__) - {"Void"}
    assert set(bounds) == set(INT_RANGES)  # every integer type reaches a bound
    assert min(shapes.values()) > 20 and len(shapes) == 3


def test_the_same_choices_give_the_same_values() -> None:
    def draw(seed: int) -> Any:
        cd = SeededChoices(seed)
        bp = F.service_blueprint(cd)
        return bp, F.fields(cd, bp.jobs[0].params), F.mismatching_fields(cd, bp.jobs[0].result)

    first = [draw(seed) for seed in range(50)]
    assert first == [draw(seed) for seed in range(50)]
    assert len({repr(v[0]) for v in first}) == 50


def _payment(bp: Any) -> int:
    """What a request pays: the dearest PayOnce job's price, at least the existential deposit."""
    price = max([j.pricing_model.value.amount for j in bp.jobs if j.pricing_model.name == "PayOnce"] or [0])
    return max(price, S.ED) if price else 0


def test_drawn_blueprints_are_created_and_their_jobs_take_drawn_arguments() -> None:
    """A drawn blueprint is accepted by Services.create_blueprint; a service of it takes a job call
    with drawn arguments and refuses mismatching ones with TypeCheck."""
    rt = world.build_world()
    ops = list(world.SETUP_OPERATORS[:2])
    owner = world.BLUEPRINT_OWNER
    called = refused = 0
    for seed in range(12):
        cd = SeededChoices(seed)
        bp = F.service_blueprint(cd)
        receipt = rt.dispatch(owner, "Services", "create_blueprint", S.blueprint_params(bp))
        bp_id = receipt.event("Services.BlueprintCreated")["blueprint_id"]
        for op in ops:
            rt.dispatch(op, "Services", "register", {"blueprint_id": bp_id, "preferences": world.operator_preferences(op),
                                                    "registration_args": S.outside(F.fields(cd, bp.registration_params)), "value": 0})
        model = "Fixed" if any(m.name == "Fixed" for m in bp.supported_membership_models) else "Dynamic"
        rid = rt.dispatch(owner, "Services", "request", {
            "evm_origin": None, "blueprint_id": bp_id, "permitted_callers": [], "operators": ops,
            "request_args": S.outside(F.fields(cd, bp.request_params)), "asset_security_requirements": [
                {"asset": world.TNT, "min_exposure_percent": 10, "max_exposure_percent": 50}], "ttl": 100, "payment_asset": world.TNT,
            "value": _payment(bp),
            "membership_model": {model: {"min_operators": 2} if model == "Fixed" else {"min_operators": 1, "max_operators": None}}},
        ).event("Services.ServiceRequested")["request_id"]
        for op in ops:
            receipt = rt.dispatch(op, "Services", "approve", {"request_id": rid, "security_commitments": [{"asset": world.TNT, "exposure_percent": 10}]})
            if receipt.events_named("Services.ServiceInitiated"):  # a dynamic service starts at its first approval
                break
        sid = receipt.event("Services.ServiceInitiated")["service_id"]
        for job, definition in enumerate(bp.jobs):
            ok = rt.dispatch(owner, "Services", "call", {"service_id": sid, "job": job, "args": S.outside(F.fields(cd, definition.params))},
                             raise_error=False)
            called += ok.is_success
            bad = rt.dispatch(owner, "Services", "call", {"service_id": sid, "job": job,
                                                         "args": S.outside(F.mismatching_fields(cd, definition.params))}, raise_error=False)
            assert not bad.is_success and bad.error_name == "Services.TypeCheck", bad.error_name
            refused += 1
    assert called == refused > 12


def test_the_draws_run_on_hypothesis_data_too() -> None:
    """Users can call them with ``data.conjecture_data`` inside their own rules (Hypothesis shrinks them)."""
    seen: list[FieldType] = []

    @settings(max_examples=30, database=None, derandomize=True)
    @given(st.data())
    def check(data: Any) -> None:
        cd = data.conjecture_data
        ty = F.field_type(cd)
        assert matches(F.field(cd, ty), ty)
        seen.append(ty)

    check()
    assert len(set(map(repr, seen))) > 5
