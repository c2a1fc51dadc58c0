from dataclasses import dataclass


@dataclass(frozen=True)
class SchedulerConstants:
    """Testnet values (metadata: Scheduler constants; MaximumWeight is 80 % of a block's ref_time)."""

    MaximumWeight: int = 1_600_000_000_000
    MaxScheduledPerBlock: int = 512
