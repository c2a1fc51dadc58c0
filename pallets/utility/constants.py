from dataclasses import dataclass


@dataclass(frozen=True)
class UtilityConstants:
    """Testnet values (metadata: Utility constants)."""

    batched_calls_limit: int = 10_922
