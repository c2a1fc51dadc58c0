from runtime.errors import ErrorSet


class Error(ErrorSet, pallet="Multisig"):
    MinimumThreshold = 0
    AlreadyApproved = 1
    NoApprovalsNeeded = 2
    TooFewSignatories = 3
    TooManySignatories = 4
    SignatoriesOutOfOrder = 5
    SenderInSignatories = 6
    NotFound = 7
    NotOwner = 8
    NoTimepoint = 9
    WrongTimepoint = 10
    UnexpectedTimepoint = 11
    MaxWeightTooLow = 12
    AlreadyStored = 13
