from runtime.errors import DispatchError, ErrorSet


class Error(ErrorSet, pallet="Staking"):
    NotController = 0
    NotStash = 1
    AlreadyBonded = 2
    AlreadyPaired = 3
    EmptyTargets = 4
    DuplicateIndex = 5
    InvalidSlashIndex = 6
    InsufficientBond = 7
    NoMoreChunks = 8
    NoUnlockChunk = 9
    FundedTarget = 10
    InvalidEraToReward = 11
    InvalidNumberOfNominations = 12
    NotSortedAndUnique = 13
    AlreadyClaimed = 14
    InvalidPage = 15
    IncorrectHistoryDepth = 16
    IncorrectSlashingSpans = 17
    BadState = 18
    TooManyTargets = 19
    BadTarget = 20
    CannotChillOther = 21
    TooManyNominators = 22
    TooManyValidators = 23
    CommissionTooLow = 24
    BoundNotMet = 25
    ControllerDeprecated = 26
    CannotRestoreLedger = 27
    RewardDestinationRestricted = 28
    NotEnoughFunds = 29
    VirtualStakerNotAllowed = 30


class NoProviders(DispatchError):
    """``DispatchError::NoProviders``: ``frame_system::inc_consumers`` on an account that does not exist
    (bonding from an account with no free balance)."""

    kind = "NoProviders"
    error = "NoProviders"
    docs = "The account has no providers."

    @property
    def qualified_name(self) -> str:
        return "NoProviders"
