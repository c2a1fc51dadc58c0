from dataclasses import dataclass

from runtime.genesis import UNIT
from runtime.primitives import U32, U128


@dataclass(frozen=True)
class MultisigConstants:
    """Testnet values (metadata: Multisig constants; ``deposit(1, 88)``, ``deposit(0, 32)``)."""

    DepositBase: U128 = 10_088 * UNIT // 1000
    DepositFactor: U128 = 32 * UNIT // 1000
    MaxSignatories: U32 = 100
