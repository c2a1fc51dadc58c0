from dataclasses import dataclass


@dataclass(frozen=True)
class AssetsConstants:
    """Testnet values (metadata: Assets constants)."""

    RemoveItemsLimit: int = 1000
    AssetDeposit: int = 10 * 10**18
    AssetAccountDeposit: int = 10 * 10**18
    MetadataDepositBase: int = 0
    MetadataDepositPerByte: int = 0
    ApprovalDeposit: int = 10**10
    StringLimit: int = 50
