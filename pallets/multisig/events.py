from runtime.calls import DispatchResult
from runtime.events import EventSet
from runtime.primitives import AccountId, FixedBytes

from pallets.multisig.types import Timepoint

CallHash = FixedBytes(32)


class Event(EventSet, pallet="Multisig"):
    NewMultisig = (0, {"approving": AccountId, "multisig": AccountId, "call_hash": CallHash})
    MultisigApproval = (1, {"approving": AccountId, "timepoint": Timepoint, "multisig": AccountId, "call_hash": CallHash})
    MultisigExecuted = (2, {"approving": AccountId, "timepoint": Timepoint, "multisig": AccountId, "call_hash": CallHash, "result": DispatchResult})
    MultisigCancelled = (3, {"cancelling": AccountId, "timepoint": Timepoint, "multisig": AccountId, "call_hash": CallHash})
