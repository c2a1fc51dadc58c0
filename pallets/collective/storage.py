from runtime.calls import Call
from runtime.primitives import H256, U32, AccountId
from runtime.storage import PalletStorage, StorageMap, StorageValue

from pallets.collective.types import Votes


class CouncilStorage(PalletStorage, prefix="Council"):
    Proposals = StorageValue(tuple[H256, ...], default=())
    ProposalOf = StorageMap(H256, Call)
    Voting = StorageMap(H256, Votes)
    ProposalCount = StorageValue(U32, default=0)
    Members = StorageValue(tuple[AccountId, ...], default=())
    Prime = StorageValue(AccountId)
