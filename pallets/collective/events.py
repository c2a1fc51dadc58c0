from runtime.calls import DispatchResult
from runtime.events import EventSet
from runtime.primitives import H256, U32, AccountId, Bool


class Event(EventSet, pallet="Council"):
    Proposed = (0, {"account": AccountId, "proposal_index": U32, "proposal_hash": H256, "threshold": U32})
    Voted = (1, {"account": AccountId, "proposal_hash": H256, "voted": Bool, "yes": U32, "no": U32})
    Approved = (2, {"proposal_hash": H256})
    Disapproved = (3, {"proposal_hash": H256})
    Executed = (4, {"proposal_hash": H256, "result": DispatchResult})
    MemberExecuted = (5, {"proposal_hash": H256, "result": DispatchResult})
    Closed = (6, {"proposal_hash": H256, "yes": U32, "no": U32})
