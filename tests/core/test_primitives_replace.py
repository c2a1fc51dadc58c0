"""``runtime.primitives.replace``: the fast ``dataclasses.replace`` the slash walk uses must build
exactly what ``dataclasses.replace`` builds, and refuse what it refuses."""

from __future__ import annotations

import dataclasses

import pytest

from pallets.multi_asset_delegation.types import BondInfoDelegator, Deposit, DelegatorMetadata, DelegatorStatus
from pallets.primitives.assets import NATIVE
from pallets.primitives.delegation import DelegatorBlueprintSelection
from runtime.primitives import replace


def test_replace_matches_dataclasses_replace_and_leaves_the_original() -> None:
    bond = BondInfoDelegator("op", 10, NATIVE, DelegatorBlueprintSelection.All, False)
    meta = DelegatorMetadata(((NATIVE, Deposit(10, 10, None)),), (), (bond,), (), DelegatorStatus.Active)
    for obj, changes in ((bond, {"amount": 7}), (bond, {"amount": 0, "operator": "other"}), (meta, {"delegations": ()}), (meta, {})):
        ours = replace(obj, **changes)
        assert ours == dataclasses.replace(obj, **changes) and type(ours) is type(obj)
        assert all(getattr(ours, k) == v for k, v in changes.items())
    assert bond.amount == 10 and meta.delegations == (bond,)


def test_replace_refuses_an_unknown_field_like_dataclasses() -> None:
    bond = BondInfoDelegator("op", 10, NATIVE, DelegatorBlueprintSelection.All, False)
    with pytest.raises(TypeError):
        replace(bond, amout=3)


def test_replace_falls_back_for_init_only_fields() -> None:
    @dataclasses.dataclass(frozen=True)
    class WithInitVar:
        a: int
        scale: dataclasses.InitVar[int] = 1
        b: int = dataclasses.field(init=False, default=0)

        def __post_init__(self, scale: int) -> None:
            object.__setattr__(self, "b", self.a * scale)

    v = WithInitVar(2, 3)
    assert replace(v, a=5, scale=2).b == 10


def test_replace_requires_an_init_var_as_dataclasses_does() -> None:
    @dataclasses.dataclass(frozen=True)
    class Scaled:
        a: int
        scale: dataclasses.InitVar[int]

    with pytest.raises(ValueError):
        replace(Scaled(2, 3), a=5)
