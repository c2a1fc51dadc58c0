from dataclasses import dataclass

from runtime.primitives import U128, U32


@dataclass(frozen=True)
class BalancesConstants:
    """Testnet values (metadata: Balances constants)."""

    ExistentialDeposit: U128 = 10**10
    MaxLocks: U32 = 50
    MaxReserves: U32 = 50
    MaxFreezes: U32 = 50
