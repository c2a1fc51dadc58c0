from runtime.events import EventSet
from runtime.primitives import AccountId, H256


class Event(EventSet, pallet="System"):
    CodeUpdated = (2, {})
    NewAccount = (3, {"account": AccountId})
    KilledAccount = (4, {"account": AccountId})
    Remarked = (5, {"sender": AccountId, "hash": H256})
