"""pallet_assets (Instance1): custom assets used for restaking (USDC, WETH...) and LST pool tokens."""

from __future__ import annotations

from runtime.genesis import GenesisConfig
from runtime.pallet import Pallet

from pallets.assets.calls import Calls
from pallets.assets.constants import AssetsConstants
from pallets.assets.errors import Error
from pallets.assets.events import Event
from pallets.assets.fungibles import Fungibles, FungiblesImpl
from pallets.assets.storage import AssetsStorage
from pallets.assets.types import AssetDetails, AssetMetadata, AssetStatus


class Assets(Calls, FungiblesImpl, Pallet):
    name = "Assets"
    index = 5
    Storage = AssetsStorage
    Error = Error
    Event = Event
    Constants = AssetsConstants

    def __init__(self, ctx, constants=None, *, system=None, currency=None) -> None:  # type: ignore[no-untyped-def]
        super().__init__(ctx, constants)
        self.system = system
        self.currency = currency
        self.fungibles = Fungibles(self)

    def build_genesis(self, config: GenesisConfig) -> None:
        for asset in config.assets:
            self.storage.Asset.insert(asset.id, AssetDetails(asset.owner, asset.owner, asset.owner, asset.owner, 0, 0, asset.min_balance, asset.is_sufficient, 0, 0, 0, AssetStatus.Live))
            if asset.name or asset.symbol:
                self.storage.Metadata.insert(asset.id, AssetMetadata(0, asset.name.encode(), asset.symbol.encode(), asset.decimals, False))
            for who, amount in asset.balances.items():
                self.do_mint(asset.id, who, amount)
