"""``MembershipModel``: the operator set of a service is fixed at start (``Fixed{min_operators}``)
or may change through join/leave (``Dynamic{min_operators, max_operators}``)."""

from __future__ import annotations

from runtime.codec import ScaleEnum, struct
from runtime.primitives import U32


@struct(name="MembershipModel::Fixed")
class FixedMembership:
    min_operators: U32


@struct(name="MembershipModel::Dynamic")
class DynamicMembership:
    min_operators: U32
    max_operators: U32 | None = None


class MembershipModel(ScaleEnum):
    Fixed: FixedMembership
    Dynamic: DynamicMembership

    @property
    def min_operators(self) -> int:
        return self.value.min_operators

    @property
    def max_operators(self) -> int | None:
        return self.value.max_operators if self.name == "Dynamic" else None


def fixed(min_operators: int = 1) -> MembershipModel:
    return MembershipModel.Fixed(FixedMembership(min_operators))


def dynamic(min_operators: int, max_operators: int | None = None) -> MembershipModel:
    return MembershipModel.Dynamic(DynamicMembership(min_operators, max_operators))
