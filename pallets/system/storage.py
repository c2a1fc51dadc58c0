from __future__ import annotations

from runtime.primitives import U32, U64, AccountId, CompactU32, H256, Text
from runtime.storage import PalletStorage, StorageMap, StorageValue

from pallets.system.types import EMPTY_ACCOUNT, AccountInfoT
from runtime.codec import struct


@struct
class LastRuntimeUpgradeInfo:
    spec_version: CompactU32
    spec_name: Text


class SystemStorage(PalletStorage, prefix="System"):
    Account = StorageMap(AccountId, AccountInfoT, default=EMPTY_ACCOUNT)
    # Nonces are extrinsic-layer bookkeeping: a failed call bumps them (as on chain) but must leave
    # the state root unchanged, so they live outside the root (System.Account renders them back in).
    Nonces = StorageMap(AccountId, U32, default=0, in_root=False, extension=True)
    Number = StorageValue(U64, default=0)
    ParentHash = StorageValue(H256, default=b"\0" * 32)
    BlockHash = StorageMap(U64, H256, default=b"\0" * 32, in_root=False)
    LastRuntimeUpgrade = StorageValue(LastRuntimeUpgradeInfo)
