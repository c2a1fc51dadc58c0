from runtime.primitives import H256, U32, U64, AccountId, Balance, Bool
from runtime.storage import PalletStorage, StorageMap, StorageValue

from pallets.democracy.types import DEFAULT_VOTING, MetadataOwner, ReferendumInfo, VoteThreshold, Voting
from pallets.primitives.bounded import Bounded


class DemocracyStorage(PalletStorage, prefix="Democracy"):
    PublicPropCount = StorageValue(U32, default=0)
    PublicProps = StorageValue(tuple[tuple[U32, Bounded, AccountId], ...], default=())
    DepositOf = StorageMap(U32, tuple[tuple[AccountId, ...], Balance])
    ReferendumCount = StorageValue(U32, default=0)
    LowestUnbaked = StorageValue(U32, default=0)
    ReferendumInfoOf = StorageMap(U32, ReferendumInfo)
    VotingOf = StorageMap(AccountId, Voting, default=DEFAULT_VOTING)
    LastTabledWasExternal = StorageValue(Bool, default=False)
    NextExternal = StorageValue(tuple[Bounded, VoteThreshold])
    Blacklist = StorageMap(H256, tuple[U64, tuple[AccountId, ...]])
    Cancellations = StorageMap(H256, Bool, default=False)
    MetadataOf = StorageMap(MetadataOwner, H256)
