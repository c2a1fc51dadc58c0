from runtime.errors import ErrorSet


class Error(ErrorSet, pallet="Council"):
    NotMember = 0
    DuplicateProposal = 1
    ProposalMissing = 2
    WrongIndex = 3
    DuplicateVote = 4
    AlreadyInitialized = 5
    TooEarly = 6
    TooManyProposals = 7
    WrongProposalWeight = 8
    WrongProposalLength = 9
    PrimeAccountNotMember = 10
