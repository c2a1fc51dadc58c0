"""The slash's direct struct builders (``make_*``, ``one_native_delegation``) build exactly what the
structs' own constructors build: same class, equal, same hash and repr, still frozen."""

from __future__ import annotations

import dataclasses

import pytest

from pallets.multi_asset_delegation import types as t
from pallets.primitives.assets import NATIVE, Asset
from pallets.primitives.delegation import DelegatorBlueprintSelection


def _same(built: object, reference: object) -> None:
    assert type(built) is type(reference)
    assert built == reference and hash(built) == hash(reference) and repr(built) == repr(reference)
    with pytest.raises(dataclasses.FrozenInstanceError):
        built.amount = 1  # type: ignore[attr-defined]  # every struct here has an amount or is checked below


def test_each_builder_equals_the_constructor() -> None:
    sel = DelegatorBlueprintSelection.Fixed((1, 2))
    _same(t.make_bond_info("op", 7, NATIVE, sel, True), t.BondInfoDelegator("op", 7, NATIVE, sel, True))
    _same(t.make_deposit(5, 3, None), t.Deposit(5, 3, None))
    _same(t.make_bond("d", 9, Asset.Erc20("0x" + "11" * 20)), t.DelegatorBond("d", 9, Asset.Erc20("0x" + "11" * 20)))
    meta = t.make_delegator(((NATIVE, t.Deposit(1, 1, None)),), (), (t.BondInfoDelegator("op", 1, NATIVE, sel, False),), (), t.DelegatorStatus.Active)
    ref = t.DelegatorMetadata(((NATIVE, t.Deposit(1, 1, None)),), (), (t.BondInfoDelegator("op", 1, NATIVE, sel, False),), (), t.DelegatorStatus.Active)
    assert type(meta) is t.DelegatorMetadata and meta == ref and hash(meta) == hash(ref) and repr(meta) == repr(ref)
    with pytest.raises(dataclasses.FrozenInstanceError):
        meta.status = t.DelegatorStatus.Active  # type: ignore[misc]


@pytest.mark.parametrize("left", [0, 4])
def test_one_native_delegation_equals_the_constructed_record(left: int) -> None:
    sel = DelegatorBlueprintSelection.All
    built = t.one_native_delegation("op", left, sel, 8, 6, None, (), (), t.DelegatorStatus.Active)
    kept = (t.BondInfoDelegator("op", left, Asset.Custom(0), sel, False),) if left else ()
    ref = t.DelegatorMetadata(((Asset.Custom(0), t.Deposit(8, 6, None)),), (), kept, (), t.DelegatorStatus.Active)
    assert built == ref and repr(built) == repr(ref) and hash(built) == hash(ref)
    assert all(type(x) is type(y) for x, y in zip(built.delegations, ref.delegations)) and type(built.deposits[0][1]) is t.Deposit


def test_a_twin_that_does_not_mirror_the_struct_is_refused() -> None:
    class Swapped:
        __slots__ = ("delegated_amount", "amount", "locks")

    with pytest.raises(TypeError, match="does not mirror Deposit"):
        t._check_twin(t.Deposit, Swapped)
