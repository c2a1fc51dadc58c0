from __future__ import annotations

from runtime.primitives import U32, U128, AccountId, Perbill, Percent
from runtime.storage import PalletStorage, StorageDoubleMap, StorageMap, StorageNMap, StorageValue

from pallets.staking.types import (
    DEFAULT_PREFS,
    ActiveEraInfo,
    EraRewardPoints,
    Exposure,
    ExposurePage,
    Forcing,
    Nominations,
    PagedExposureMetadata,
    RewardDestination,
    StakingLedger,
    StakingUnappliedSlash,
    ValidatorPrefs,
)


class StakingStorage(PalletStorage, prefix="Staking"):
    """The real items (names as in the metadata). Ledger is keyed by the stash (controller == stash)."""

    ValidatorCount = StorageValue(U32, default=0)
    MinimumValidatorCount = StorageValue(U32, default=0)
    Invulnerables = StorageValue(tuple[AccountId, ...], default=())
    Bonded = StorageMap(AccountId, AccountId)
    MinNominatorBond = StorageValue(U128, default=0)
    MinValidatorBond = StorageValue(U128, default=0)
    MinimumActiveStake = StorageValue(U128, default=0)
    MinCommission = StorageValue(Perbill, default=0)
    Ledger = StorageMap(AccountId, StakingLedger)
    Payee = StorageMap(AccountId, RewardDestination)
    Validators = StorageMap(AccountId, ValidatorPrefs, default=DEFAULT_PREFS)
    CounterForValidators = StorageValue(U32, default=0)
    MaxValidatorsCount = StorageValue(U32)
    Nominators = StorageMap(AccountId, Nominations)
    CounterForNominators = StorageValue(U32, default=0)
    MaxNominatorsCount = StorageValue(U32)
    CurrentEra = StorageValue(U32)
    ActiveEra = StorageValue(ActiveEraInfo)
    ErasStartSessionIndex = StorageMap(U32, U32)
    ErasStakers = StorageDoubleMap(U32, AccountId, Exposure, default=Exposure(0, 0, ()))  # deprecated, unused
    ErasStakersOverview = StorageDoubleMap(U32, AccountId, PagedExposureMetadata)
    ErasStakersPaged = StorageNMap((U32, AccountId, U32), ExposurePage)
    ClaimedRewards = StorageDoubleMap(U32, AccountId, tuple[U32, ...], default=())
    ErasValidatorPrefs = StorageDoubleMap(U32, AccountId, ValidatorPrefs, default=DEFAULT_PREFS)
    ErasValidatorReward = StorageMap(U32, U128)
    ErasRewardPoints = StorageMap(U32, EraRewardPoints, default=EraRewardPoints(0, ()))
    ErasTotalStake = StorageMap(U32, U128, default=0)
    ForceEra = StorageValue(Forcing, default=Forcing.NotForcing)
    MaxStakedRewards = StorageValue(Percent)
    SlashRewardFraction = StorageValue(Perbill, default=0)
    CanceledSlashPayout = StorageValue(U128, default=0)
    UnappliedSlashes = StorageMap(U32, tuple[StakingUnappliedSlash, ...], default=())
    BondedEras = StorageValue(tuple[tuple[U32, U32], ...], default=())
    ValidatorSlashInEra = StorageDoubleMap(U32, AccountId, tuple[Perbill, U128])
    NominatorSlashInEra = StorageDoubleMap(U32, AccountId, U128)
    CurrentPlannedSession = StorageValue(U32, default=0)
    DisabledValidators = StorageValue(tuple[U32, ...], default=())
    ChillThreshold = StorageValue(Percent)
    # simulator-only: the elected set of each era in AccountId order (ErasStakersOverview keys, kept
    # as one value so era-end bookkeeping does not scan the overview map)
    ErasElected = StorageMap(U32, tuple[AccountId, ...], default=(), extension=True)
    # simulator-only: the block at which each active era started (the era clock, in blocks)
    ErasStartBlock = StorageMap(U32, U32, extension=True)
