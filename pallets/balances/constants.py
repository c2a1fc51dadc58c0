from dataclasses import dataclass


@dataclass(frozen=True)
class BalancesConstants:
    """Testnet values (metadata: Balances constants)."""

    ExistentialDeposit: int = 10**10
    MaxLocks: int = 50
    MaxReserves: int = 50
    MaxFreezes: int = 50
