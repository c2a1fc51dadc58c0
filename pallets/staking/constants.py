from dataclasses import dataclass

from runtime.primitives import Perbill, U32, U64


@dataclass(frozen=True)
class StakingConstants:
    """Testnet values (metadata: Staking constants; runtime/testnet/src/lib.rs).

    ``SessionsPerEra`` comes from ``GenesisConfig.sessions_per_era`` (3 on testnet). The last four
    are configuration the metadata does not list: ``NominationsQuota`` (16 targets), the slash
    reporters' share ``REWARD_F1`` (50%), the block time used as the era clock, and the reward
    curve's parameters (Perbill parts).
    """

    HistoryDepth: U32 = 80
    SessionsPerEra: U32 = 3
    BondingDuration: U32 = 14
    SlashDeferDuration: U32 = 10
    MaxExposurePageSize: U32 = 64
    MaxUnlockingChunks: U32 = 32
    MaxNominations: U32 = 16
    MillisecsPerBlock: U64 = 6000
    MinInflation: Perbill = 15_000_000  # 1.5%
    MaxInflation: Perbill = 25_000_000  # 2.5%
    IdealStake: Perbill = 800_000_000  # 80%
    Falloff: Perbill = 50_000_000  # 5%
