from dataclasses import dataclass

from runtime.genesis import UNIT
from runtime.primitives import U32, U128


@dataclass(frozen=True)
class ProxyConstants:
    """Testnet values (metadata: Proxy constants; ``deposit(1, 8)``, ``deposit(0, 33)``, ``deposit(0, 66)``)."""

    ProxyDepositBase: U128 = 10_008 * UNIT // 1000
    ProxyDepositFactor: U128 = 33 * UNIT // 1000
    MaxProxies: U32 = 32
    MaxPending: U32 = 32
    AnnouncementDepositBase: U128 = 10_008 * UNIT // 1000
    AnnouncementDepositFactor: U128 = 66 * UNIT // 1000
