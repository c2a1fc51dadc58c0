"""Reusable Hypothesis strategies: amounts, malformed input, Services blueprints and field values.

Blueprint and field strategies build the *internal* values (``FieldType``, ``Field``,
``ServiceBlueprint`` from ``pallets.services.types``) so users can reason about them, and
:func:`outside` turns any of them into the ``compose_call`` shape that ``rt.dispatch`` takes::

    @rule(data=st.data())
    def call_job(self, data):
        types = self.job_params(service_id, job)
        args = data.draw(fields_for(types))            # a Field per type, each matching it
        self.call(owner, "Services", "call", {"service_id": sid, "job": job, "args": outside(args)})

``fields_for(types)`` always matches (the pallet's type checker must accept it) and
``mismatching_fields_for(types)`` never does (it must be refused with ``TypeCheck``), which is
what makes them useful as properties of the type checker as well as inputs.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Sequence

from hypothesis import strategies as st

from pallets.services.types.blueprint import (
    EventDriven, JobDefinition, JobMetadata, MembershipModelType, PayOnce, PricingModel, ServiceBlueprint, ServiceMetadata,
    Subscription,
)
from pallets.services.types.field import INT_RANGES as _INT_RANGES
from pallets.services.types.field import Field, FieldType, matches
from runtime.accounts import DEV_ACCOUNTS
from runtime.codec import codec_of

UNIT = 10**18
ED = 10**10
MAX_U128 = (1 << 128) - 1


# ---------------------------------------------------------------------------------------------- amounts
def amounts() -> st.SearchStrategy[int]:
    """Balances around the interesting boundaries: zero, dust, the existential deposit, whole
    tokens, more than anyone has, and the u128 maximum."""
    return st.one_of(
        st.sampled_from([0, 1, ED - 1, ED, ED + 1, UNIT, 10**6 * UNIT, 2 * 10**6 * UNIT, MAX_U128]),
        st.integers(min_value=0, max_value=10**24),
    )


def stake_amounts() -> st.SearchStrategy[int]:
    """Amounts people actually stake or deposit (mostly affordable, sometimes zero or too much),
    so staking and delegation calls mostly succeed and deep states are reached."""
    return st.one_of(
        st.sampled_from([1, 100, ED, UNIT, 10 * UNIT, 100 * UNIT, 1_000 * UNIT]),
        st.integers(min_value=1, max_value=1_000 * UNIT),
        st.sampled_from([0, 10**7 * UNIT, MAX_U128]),
    )


def asset_amounts() -> st.SearchStrategy[int]:
    """Amounts of a pallet_assets asset (the machine's assets hold 10**12 units per account)."""
    return st.one_of(st.sampled_from([0, 1, 10, 1_000, 10**6, 10**9]), st.integers(min_value=1, max_value=10**12))


def percents(valid: bool = True) -> st.SearchStrategy[int]:
    """A ``Percent`` (0..=100); ``valid=False`` includes 0, which slash refuses."""
    return st.integers(min_value=1 if valid else 0, max_value=100)


def mostly_true() -> st.SearchStrategy[bool]:
    """True four times out of five: take the path that gets past permission checks, usually."""
    return st.sampled_from([True, True, True, True, False])


# ---------------------------------------------------------------------------------------------- malformed input
def malformed_amounts() -> st.SearchStrategy[Any]:
    """Values a u128 must refuse: negative, overflowing, floats, strings, bools, None."""
    return st.one_of(
        st.integers(max_value=-1),
        st.integers(min_value=1 << 128, max_value=1 << 140),
        st.floats(allow_nan=True),
        st.text(max_size=5),
        st.booleans(),
        st.none(),
    )


def malformed_accounts() -> st.SearchStrategy[Any]:
    """Values an AccountId must refuse."""
    return st.one_of(st.sampled_from(["Nobody", "0x12", "", "5Invalid", "0x" + "zz" * 32]), st.integers(), st.none())


def malformed_transfer_params() -> st.SearchStrategy[dict[str, Any]]:
    """Params for Balances.transfer_keep_alive that are wrong in exactly one way."""
    good_dest = st.just("Bob")
    return st.one_of(
        st.fixed_dictionaries({"dest": good_dest, "value": malformed_amounts()}),
        st.fixed_dictionaries({"dest": malformed_accounts(), "value": st.just(1)}),
        st.fixed_dictionaries({"dest": good_dest}),
        st.fixed_dictionaries({"value": st.just(1)}),
        st.fixed_dictionaries({"dest": good_dest, "value": st.just(1), "surplus": st.integers()}),
    )


def malformed_fields() -> st.SearchStrategy[Any]:
    """Job arguments that are not Fields at all (unknown variants, out-of-range ints, bad shapes)."""
    return st.one_of(
        st.just([{"Uint8": 256}]),
        st.just([{"Uint8": -1}]),
        st.just([{"NoSuchVariant": 1}]),
        st.just([{"List": "Uint8"}]),
        st.just([{"AccountId": "not-an-account"}]),
        st.just({"Uint8": 1}),
        st.just([{"String": "x" * 1025}]),
    )


# ---------------------------------------------------------------------------------------------- field types
_SCALARS = ("Bool", "Uint8", "Int8", "Uint16", "Int16", "Uint32", "Int32", "Uint64", "Int64", "String", "AccountId")
DEFAULT_FIELD_ACCOUNTS: tuple[str, ...] = tuple(DEV_ACCOUNTS.values())


def scalar_field_types() -> st.SearchStrategy[FieldType]:
    return st.sampled_from([FieldType.__units__[n] for n in _SCALARS])


@lru_cache(maxsize=None)
def field_types(max_depth: int = 2) -> st.SearchStrategy[FieldType]:
    """A ``FieldType`` a job parameter or result can have (never ``Void``, which nothing matches):
    scalars, and up to ``max_depth`` levels of Optional / List / Array (length 0-3) / Struct (1-3 fields)."""
    if max_depth <= 0:
        return scalar_field_types()
    inner = field_types(max_depth - 1)
    return st.one_of(
        scalar_field_types(),
        inner.map(FieldType.Optional),
        inner.map(FieldType.List),
        st.tuples(st.integers(0, 3), inner).map(FieldType.Array),
        st.lists(inner, min_size=1, max_size=3).map(lambda ts: FieldType.Struct(tuple(ts))),
    )


def field_for(ty: FieldType, accounts: Sequence[str] = DEFAULT_FIELD_ACCOUNTS) -> st.SearchStrategy[Field]:
    """A ``Field`` value that matches ``ty`` by the chain's rule (``pallets.services.types.field.matches``)."""
    return _field_for(ty, tuple(accounts))


@lru_cache(maxsize=4096)
def _field_for(ty: FieldType, accounts: tuple[str, ...]) -> st.SearchStrategy[Field]:
    # memoised (here and below): rules ask for these at every step, and building and validating a
    # strategy tree costs more than drawing from it
    name = ty.name
    if name == "Bool":
        return st.booleans().map(Field.Bool)
    if name in _INT_RANGES:
        lo, hi = _INT_RANGES[name]
        ctor = getattr(Field, name)
        return st.one_of(st.sampled_from([lo, hi, 0 if lo <= 0 else lo]), st.integers(lo, hi)).map(ctor)
    if name == "String":
        return st.text(max_size=12).map(Field.String)
    if name == "AccountId":
        return st.sampled_from(list(accounts)).map(Field.AccountId)
    if name == "Optional":
        inner = ty.value
        return st.one_of(st.none(), field_for(inner, accounts)).map(lambda v: Field.Optional((inner, v)))
    if name == "List":
        inner = ty.value
        return st.lists(field_for(inner, accounts), max_size=3).map(lambda vs: Field.List((inner, tuple(vs))))
    if name == "Array":
        length, inner = ty.value
        return st.lists(field_for(inner, accounts), min_size=length, max_size=length).map(lambda vs: Field.Array((inner, tuple(vs))))
    if name == "Struct":
        parts = [field_for(t, accounts) for t in ty.value]
        return st.tuples(*parts).map(lambda vs: Field.Struct(("S", tuple((f"f{i}", v) for i, v in enumerate(vs)))))
    raise ValueError(f"no value matches the field type {ty!r}")


def fields_for(types: Sequence[FieldType], accounts: Sequence[str] = DEFAULT_FIELD_ACCOUNTS) -> st.SearchStrategy[tuple[Field, ...]]:
    """One matching ``Field`` per type, in order: what the type checker must accept."""
    return _fields_for(tuple(types), tuple(accounts))


@lru_cache(maxsize=4096)
def _fields_for(types: tuple[FieldType, ...], accounts: tuple[str, ...]) -> st.SearchStrategy[tuple[Field, ...]]:
    return st.tuples(*(_field_for(t, accounts) for t in types))


def mismatching_fields_for(types: Sequence[FieldType], accounts: Sequence[str] = DEFAULT_FIELD_ACCOUNTS) -> st.SearchStrategy[tuple[Field, ...]]:
    """Fields that do **not** match ``types``: one too many, one too few, or one position holding a
    value of another type. The type checker must refuse every one of them."""
    return _mismatching_fields_for(tuple(types), tuple(accounts))


@lru_cache(maxsize=4096)
def _mismatching_fields_for(types: tuple[FieldType, ...], accounts: tuple[str, ...]) -> st.SearchStrategy[tuple[Field, ...]]:
    options: list[st.SearchStrategy[tuple[Field, ...]]] = [
        st.tuples(fields_for(types, accounts), field_for(FieldType.Uint8)).map(lambda p: p[0] + (p[1],)),
    ]
    if types:
        options.append(fields_for(types[:-1], accounts))

        @st.composite
        def one_wrong(draw: Any) -> tuple[Field, ...]:
            values = list(draw(fields_for(types, accounts)))
            i = draw(st.integers(0, len(types) - 1))
            values[i] = draw(field_types(1).flatmap(lambda t: field_for(t, accounts)).filter(lambda v: not matches(v, types[i])))
            return tuple(values)

        options.append(one_wrong())
    return st.one_of(options)


# ---------------------------------------------------------------------------------------------- blueprints
@lru_cache(maxsize=None)
def pricing_models() -> st.SearchStrategy[PricingModel]:
    """Job pricing: mostly free or small PayOnce; sometimes a cheap Subscription or EventDriven."""
    return st.one_of(
        st.just(PricingModel.PayOnce(PayOnce(0))),
        st.integers(0, 10 * UNIT).map(lambda a: PricingModel.PayOnce(PayOnce(a))),
        st.builds(lambda r, i, e: PricingModel.Subscription(Subscription(r, i, e)), st.integers(0, UNIT), st.integers(1, 20), st.none() | st.integers(1, 200)),
        st.integers(0, UNIT).map(lambda r: PricingModel.EventDriven(EventDriven(r))),
    )


@lru_cache(maxsize=None)
def job_definitions(max_params: int = 3) -> st.SearchStrategy[JobDefinition]:
    """A job with up to ``max_params`` typed params and results."""
    return st.builds(
        lambda name, params, result, pricing: JobDefinition(JobMetadata(name), tuple(params), tuple(result), pricing),
        st.sampled_from(["keygen", "sign", "refresh", "work", "prove"]),
        st.lists(field_types(), max_size=max_params),
        st.lists(field_types(), max_size=max_params),
        pricing_models(),
    )


@lru_cache(maxsize=None)
def membership_models() -> st.SearchStrategy[tuple[MembershipModelType, ...]]:
    return st.sampled_from([(MembershipModelType.Fixed,), (MembershipModelType.Dynamic,), (MembershipModelType.Fixed, MembershipModelType.Dynamic)])


@lru_cache(maxsize=None)
def service_blueprints(max_jobs: int = 3, max_registration_params: int = 1, max_request_params: int = 1) -> st.SearchStrategy[ServiceBlueprint]:
    """A valid ``ServiceBlueprint`` using the default service manager (no contract at the address,
    so every hook allows and the blueprint owner is the slashing and dispute origin)."""
    return st.builds(
        lambda name, jobs, reg, req, models: ServiceBlueprint(
            metadata=ServiceMetadata(name, None, "tangle-sim", "stress", None, None, None, "MIT"),
            jobs=tuple(jobs), registration_params=tuple(reg), request_params=tuple(req), supported_membership_models=models,
        ),
        st.sampled_from(["stress", "tss", "oracle", "bridge"]),
        st.lists(job_definitions(), min_size=1, max_size=max_jobs),
        st.lists(field_types(1), max_size=max_registration_params),
        st.lists(field_types(1), max_size=max_request_params),
        membership_models(),
    )


# ---------------------------------------------------------------------------------------------- outside shape
@lru_cache(maxsize=None)
def _codec(kind: Any) -> Any:
    return codec_of(kind, "value")


def outside(value: Any) -> Any:
    """An internal value (Field, tuple of Fields, FieldType, ServiceBlueprint...) in the
    ``compose_call`` shape ``rt.dispatch`` takes."""
    if isinstance(value, tuple):
        if not value:
            return []
        kind = type(value[0])
        return _codec(tuple[kind, ...]).encode(value)  # type: ignore[valid-type]
    return _codec(type(value)).encode(value)


def blueprint_params(blueprint: ServiceBlueprint) -> dict[str, Any]:
    """``create_blueprint``'s params for ``blueprint``."""
    return {"blueprint": outside(blueprint)}
