from runtime.errors import ErrorSet


class Error(ErrorSet, pallet="Democracy"):
    ValueLow = 0
    ProposalMissing = 1
    AlreadyCanceled = 2
    DuplicateProposal = 3
    ProposalBlacklisted = 4
    NotSimpleMajority = 5
    InvalidHash = 6
    NoProposal = 7
    AlreadyVetoed = 8
    ReferendumInvalid = 9
    NoneWaiting = 10
    NotVoter = 11
    NoPermission = 12
    AlreadyDelegating = 13
    InsufficientFunds = 14
    NotDelegating = 15
    VotesExist = 16
    InstantNotAllowed = 17
    Nonsense = 18
    WrongUpperBound = 19
    MaxVotesReached = 20
    TooMany = 21
    VotingPeriodLow = 22
    PreimageNotExist = 23
