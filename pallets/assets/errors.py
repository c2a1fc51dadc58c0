from runtime.errors import ErrorSet


class Error(ErrorSet, pallet="Assets"):
    BalanceLow = 0
    NoAccount = 1
    NoPermission = 2
    Unknown = 3
    Frozen = 4
    InUse = 5
    BadWitness = 6
    MinBalanceZero = 7
    UnavailableConsumer = 8
    BadMetadata = 9
    Unapproved = 10
    WouldDie = 11
    AlreadyExists = 12
    NoDeposit = 13
    WouldBurn = 14
    LiveAsset = 15
    AssetNotLive = 16
    IncorrectStatus = 17
    NotFrozen = 18
    CallbackFailed = 19
    BadAssetId = 20
