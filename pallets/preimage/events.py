from runtime.events import EventSet
from runtime.primitives import H256


class Event(EventSet, pallet="Preimage"):
    Noted = (0, {"hash": H256})
    Requested = (1, {"hash": H256})
    Cleared = (2, {"hash": H256})
