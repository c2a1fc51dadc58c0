from dataclasses import dataclass

from runtime.genesis import UNIT


@dataclass(frozen=True)
class MultisigConstants:
    """Testnet values (metadata: Multisig constants; ``deposit(1, 88)``, ``deposit(0, 32)``)."""

    DepositBase: int = 10_088 * UNIT // 1000
    DepositFactor: int = 32 * UNIT // 1000
    MaxSignatories: int = 100
