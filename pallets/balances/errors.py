from runtime.errors import ErrorSet


class Error(ErrorSet, pallet="Balances"):
    VestingBalance = 0
    LiquidityRestrictions = 1
    InsufficientBalance = 2
    ExistentialDeposit = 3
    Expendability = 4
    ExistingVestingSchedule = 5
    DeadAccount = 6
    TooManyReserves = 7
    TooManyHolds = 8
    TooManyFreezes = 9
    IssuanceDeactivated = 10
    DeltaZero = 11
