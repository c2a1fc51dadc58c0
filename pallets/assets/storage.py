from __future__ import annotations

from runtime.primitives import U128, AccountId
from runtime.storage import PalletStorage, StorageDoubleMap, StorageMap, StorageNMap, StorageValue

from pallets.assets.types import EMPTY_METADATA, Approval, AssetAccount, AssetDetails, AssetMetadata


class AssetsStorage(PalletStorage, prefix="Assets"):
    Asset = StorageMap(U128, AssetDetails)
    Account = StorageDoubleMap(U128, AccountId, AssetAccount)
    Approvals = StorageNMap((U128, AccountId, AccountId), Approval)
    Metadata = StorageMap(U128, AssetMetadata, default=EMPTY_METADATA)
    NextAssetId = StorageValue(U128)
    # not on chain (extension): the dust the real trait transfer took out of accounts while the
    # asset's supply kept counting it (quirk assets.trait_transfer_destroys_dust), per asset, so
    # custody checks can account for it exactly
    DustDestroyed = StorageMap(U128, U128, extension=True)
