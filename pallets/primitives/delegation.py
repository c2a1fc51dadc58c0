"""Delegation types shared by MultiAssetDelegation and Rewards."""

from __future__ import annotations

from runtime.codec import ScaleEnum
from runtime.primitives import U64

MAX_DELEGATOR_BLUEPRINTS = 50


class LockMultiplier(ScaleEnum):
    """Deposit lock lengths (SCALE indices 1, 2, 3, 6 = the multiplier; 30/60/90/180 days)."""

    __indices__ = {"OneMonth": 1, "TwoMonths": 2, "ThreeMonths": 3, "SixMonths": 6}
    OneMonth: None
    TwoMonths: None
    ThreeMonths: None
    SixMonths: None

    @property
    def multiplier(self) -> int:
        return type(self).__indices__[self.name]

    @property
    def blocks(self) -> int:
        """Lock duration in 6-second blocks (30 days = 432,000 blocks per month)."""
        return 432_000 * self.multiplier


class DelegatorBlueprintSelection(ScaleEnum):
    """Which blueprints' slashes a delegation is exposed to. ``Fixed(())`` (the default) matches none."""

    Fixed: tuple[U64, ...]
    All: None

    def contains(self, blueprint_id: int) -> bool:
        return self.name == "All" or blueprint_id in self.value
