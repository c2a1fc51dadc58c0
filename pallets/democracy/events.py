from runtime.events import EventSet
from runtime.primitives import H256, U32, U64, AccountId, Balance

from pallets.democracy.types import AccountVote, MetadataOwner, VoteThreshold


class Event(EventSet, pallet="Democracy"):
    Proposed = (0, {"proposal_index": U32, "deposit": Balance})
    Tabled = (1, {"proposal_index": U32, "deposit": Balance})
    ExternalTabled = (2, {})
    Started = (3, {"ref_index": U32, "threshold": VoteThreshold})
    Passed = (4, {"ref_index": U32})
    NotPassed = (5, {"ref_index": U32})
    Cancelled = (6, {"ref_index": U32})
    Delegated = (7, {"who": AccountId, "target": AccountId})
    Undelegated = (8, {"account": AccountId})
    Vetoed = (9, {"who": AccountId, "proposal_hash": H256, "until": U64})
    Blacklisted = (10, {"proposal_hash": H256})
    Voted = (11, {"voter": AccountId, "ref_index": U32, "vote": AccountVote})
    Seconded = (12, {"seconder": AccountId, "prop_index": U32})
    ProposalCanceled = (13, {"prop_index": U32})
    MetadataSet = (14, {"owner": MetadataOwner, "hash": H256})
    MetadataCleared = (15, {"owner": MetadataOwner, "hash": H256})
    MetadataTransferred = (16, {"prev_owner": MetadataOwner, "owner": MetadataOwner, "hash": H256})
