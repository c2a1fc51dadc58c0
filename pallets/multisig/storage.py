from runtime.primitives import AccountId, FixedBytes
from runtime.storage import PalletStorage, StorageDoubleMap

from pallets.multisig.types import Multisig


class MultisigStorage(PalletStorage, prefix="Multisig"):
    Multisigs = StorageDoubleMap(AccountId, FixedBytes(32), Multisig)
