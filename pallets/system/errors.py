from runtime.errors import ErrorSet


class Error(ErrorSet, pallet="System"):
    InvalidSpecName = 0
    SpecVersionNeedsToIncrease = 1
    FailedToExtractRuntimeVersion = 2
    NonDefaultComposite = 3
    NonZeroRefCount = 4
    CallFiltered = 5
    MultiBlockMigrationsOngoing = 6
    NothingAuthorized = 7
    Unauthorized = 8
