from runtime.errors import ErrorSet


class Error(ErrorSet, pallet="Lst"):
    PoolNotFound = 0
    PoolMemberNotFound = 1
    RewardPoolNotFound = 2
    SubPoolsNotFound = 3
    FullyUnbonding = 4
    MaxUnbondingLimit = 5
    CannotWithdrawAny = 6
    MinimumBondNotMet = 7
    OverflowRisk = 8
    NotDestroying = 9
    NotNominator = 10
    NotKickerOrDestroying = 11
    NotOpen = 12
    MaxPools = 13
    MaxPoolMembers = 14
    CanNotChangeState = 15
    DoesNotHavePermission = 16
    MetadataExceedsMaxLen = 17
    Defensive = 18
    PartialUnbondNotAllowedPermissionlessly = 19
    MaxCommissionRestricted = 20
    CommissionExceedsMaximum = 21
    CommissionExceedsGlobalMaximum = 22
    CommissionChangeThrottled = 23
    CommissionChangeRateNotAllowed = 24
    NoPendingCommission = 25
    NoCommissionCurrentSet = 26
    PoolIdInUse = 27
    InvalidPoolId = 28
    BondExtraRestricted = 29
    NothingToAdjust = 30
    PoolTokenCreationFailed = 31
    NoBalanceToUnbond = 32
