from dataclasses import dataclass

from runtime.genesis import UNIT


@dataclass(frozen=True)
class ProxyConstants:
    """Testnet values (metadata: Proxy constants; ``deposit(1, 8)``, ``deposit(0, 33)``, ``deposit(0, 66)``)."""

    ProxyDepositBase: int = 10_008 * UNIT // 1000
    ProxyDepositFactor: int = 33 * UNIT // 1000
    MaxProxies: int = 32
    MaxPending: int = 32
    AnnouncementDepositBase: int = 10_008 * UNIT // 1000
    AnnouncementDepositFactor: int = 66 * UNIT // 1000
