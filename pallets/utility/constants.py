from dataclasses import dataclass

from runtime.primitives import U32


@dataclass(frozen=True)
class UtilityConstants:
    """Testnet values (metadata: Utility constants)."""

    batched_calls_limit: U32 = 10_922
