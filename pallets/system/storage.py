from __future__ import annotations

from runtime.primitives import U32, U64, AccountId, Bool, Bytes, CompactU32, H256, Text
from runtime.storage import PalletStorage, StorageMap, StorageValue

from pallets.system.types import EMPTY_ACCOUNT, AccountInfoT
from runtime.codec import struct


@struct
class LastRuntimeUpgradeInfo:
    spec_version: CompactU32
    spec_name: Text


@struct
class CodeUpgradeAuthorization:
    code_hash: H256
    check_version: Bool


class SystemStorage(PalletStorage, prefix="System"):
    Account = StorageMap(AccountId, AccountInfoT, default=EMPTY_ACCOUNT)
    # Nonces are extrinsic-layer bookkeeping: a failed call bumps them (as on chain) but must leave
    # the state root unchanged, so they live outside the root (System.Account renders them back in).
    Nonces = StorageMap(AccountId, U32, default=0, in_root=False, extension=True)
    Number = StorageValue(U64, default=0)
    ParentHash = StorageValue(H256, default=b"\0" * 32)
    BlockHash = StorageMap(U64, H256, default=b"\0" * 32, in_root=False)
    LastRuntimeUpgrade = StorageValue(LastRuntimeUpgradeInfo)
    AuthorizedUpgrade = StorageValue(CodeUpgradeAuthorization)
    # Well-known keys outside any pallet's prefix, kept here: ``:heappages`` (set_heap_pages) and the
    # ``:code`` set in the current block, enacted by the runtime at the next block's start.
    HeapPages = StorageValue(U64, extension=True)
    PendingCode = StorageValue(Bytes, extension=True)
    # Raw keys written by set_storage that name no modelled item: kept as bytes (the real pallet
    # writes them; no rule reads them), so kill_storage / kill_prefix see them too.
    UnmodelledStorage = StorageMap(Bytes, Bytes, extension=True)
