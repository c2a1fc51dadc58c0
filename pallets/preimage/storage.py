from runtime.primitives import H256, U32, Bytes
from runtime.storage import PalletStorage, StorageMap

from pallets.preimage.types import RequestStatus


class PreimageStorage(PalletStorage, prefix="Preimage"):
    RequestStatusFor = StorageMap(H256, RequestStatus)
    PreimageFor = StorageMap(tuple[H256, U32], Bytes)
