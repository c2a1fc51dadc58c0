from dataclasses import dataclass

from runtime.primitives import U32, U64


@dataclass(frozen=True)
class SchedulerConstants:
    """Testnet values (metadata: Scheduler constants; MaximumWeight is 80 % of a block's ref_time)."""

    MaximumWeight: U64 = 1_600_000_000_000
    MaxScheduledPerBlock: U32 = 512
