from runtime.events import EventSet
from runtime.primitives import AccountId, Bool, H256


class Event(EventSet, pallet="System"):
    CodeUpdated = (2, {})
    NewAccount = (3, {"account": AccountId})
    KilledAccount = (4, {"account": AccountId})
    Remarked = (5, {"sender": AccountId, "hash": H256})
    UpgradeAuthorized = (6, {"code_hash": H256, "check_version": Bool})
