from dataclasses import dataclass


@dataclass(frozen=True)
class StakingConstants:
    """Testnet values (metadata: Staking constants; runtime/testnet/src/lib.rs).

    ``SessionsPerEra`` comes from ``GenesisConfig.sessions_per_era`` (3 on testnet). The last four
    are configuration the metadata does not list: ``NominationsQuota`` (16 targets), the slash
    reporters' share ``REWARD_F1`` (50%), the block time used as the era clock, and the reward
    curve's parameters (Perbill parts).
    """

    HistoryDepth: int = 80
    SessionsPerEra: int = 3
    BondingDuration: int = 14
    SlashDeferDuration: int = 10
    MaxExposurePageSize: int = 64
    MaxUnlockingChunks: int = 32
    MaxNominations: int = 16
    MillisecsPerBlock: int = 6000
    MinInflation: int = 15_000_000  # 1.5%
    MaxInflation: int = 25_000_000  # 2.5%
    IdealStake: int = 800_000_000  # 80%
    Falloff: int = 50_000_000  # 5%
