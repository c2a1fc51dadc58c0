"""Rewards types with the real names."""

from __future__ import annotations

from runtime.codec import ScaleEnum, struct
from runtime.primitives import U32, Bytes, Perbill
from runtime.primitives import U128


@struct
class RewardConfigForAssetVault:
    apy: Perbill
    incentive_cap: U128
    deposit_cap: U128
    boost_multiplier: U32 | None


class AssetAction(ScaleEnum):
    Add: None
    Remove: None


@struct
class VaultMetadata:
    name: Bytes
    logo: Bytes
