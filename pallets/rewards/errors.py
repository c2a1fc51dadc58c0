"""Rewards errors with their metadata indices (all 31)."""

from runtime.errors import ErrorSet


class Error(ErrorSet, pallet="Rewards"):
    NoRewardsAvailable = 0
    InsufficientRewardsBalance = 1
    AssetNotWhitelisted = 2
    AssetAlreadyWhitelisted = 3
    InvalidAPY = 4
    AssetAlreadyInVault = 5
    AssetNotInVault = 6
    VaultNotFound = 7
    DuplicateBlueprintId = 8
    BlueprintIdNotFound = 9
    RewardConfigNotFound = 10
    CannotCalculatePropotionalApy = 11
    CannotCalculateRewardPerBlock = 12
    IncentiveCapGreaterThanDepositCap = 13
    BoostMultiplierMustBeOne = 14
    VaultAlreadyExists = 15
    TotalDepositLessThanIncentiveCap = 16
    PotAlreadyExists = 17
    PotAccountNotFound = 18
    InvalidDecayRate = 19
    IncentiveCapGreaterThanMaxIncentiveCap = 20
    DepositCapGreaterThanMaxDepositCap = 21
    IncentiveCapLessThanMinIncentiveCap = 22
    DepositCapLessThanMinDepositCap = 23
    NameTooLong = 24
    LogoTooLong = 25
    VaultMetadataNotFound = 26
    NoRewardsToClaim = 27
    ArithmeticOverflow = 28
    TransferFailed = 29
    TooManyPendingRewards = 30
