"""``Asset<AssetId>``: a restaked asset. ``Custom(0)`` is native TNT, other ids are pallet_assets ids."""

from __future__ import annotations

from runtime.codec import ScaleEnum
from runtime.primitives import U128, H160


class Asset(ScaleEnum):
    Custom: U128
    Erc20: H160

    @property
    def is_native(self) -> bool:
        return self.name == "Custom" and self.value == 0

    @property
    def asset_id(self) -> int | None:
        """The pallet_assets id of a Custom asset (None for ERC-20)."""
        return self.value if self.name == "Custom" else None


NATIVE = Asset.Custom(0)
