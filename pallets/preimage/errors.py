from runtime.errors import ErrorSet


class Error(ErrorSet, pallet="Preimage"):
    TooBig = 0
    AlreadyNoted = 1
    NotAuthorized = 2
    NotNoted = 3
    Requested = 4
    NotRequested = 5
    TooMany = 6
    TooFew = 7
    NoCost = 8
