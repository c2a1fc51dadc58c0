from runtime.errors import DispatchError, ErrorSet


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


class Corruption(DispatchError):
    """``DispatchError::Corruption``: how the simulator refuses a raw write it cannot hold.

    The real ``set_storage`` writes any bytes; here a value written at a key of a modelled item must
    decode as that item (metadata type, then the simulator's codec), or the state would be corrupt.
    Such a write, and any raw write when no metadata file is available to decode it, fails with
    this error and changes nothing."""

    kind = "Corruption"
    error = "Corruption"
    docs = "The state is corrupt; this is generally not going to fix itself."

    @property
    def qualified_name(self) -> str:
        return "Corruption"
