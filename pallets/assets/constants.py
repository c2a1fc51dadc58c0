from dataclasses import dataclass

from runtime.primitives import U128, U32


@dataclass(frozen=True)
class AssetsConstants:
    """Testnet values (metadata: Assets constants)."""

    RemoveItemsLimit: U32 = 1000
    AssetDeposit: U128 = 10 * 10**18
    AssetAccountDeposit: U128 = 10 * 10**18
    MetadataDepositBase: U128 = 0
    MetadataDepositPerByte: U128 = 0
    ApprovalDeposit: U128 = 10**10
    StringLimit: U32 = 50
