from runtime.errors import ErrorSet
from runtime.events import EventSet
from runtime.primitives import U32


class Error(ErrorSet, pallet="Session"):
    InvalidProof = 0
    NoAssociatedValidatorId = 1
    DuplicatedKey = 2
    NoKeys = 3
    NoAccount = 4


class Event(EventSet, pallet="Session"):
    NewSession = (0, {"session_index": U32})
