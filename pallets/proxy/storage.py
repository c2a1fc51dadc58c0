from runtime.primitives import AccountId, Balance
from runtime.storage import PalletStorage, StorageMap

from pallets.proxy.types import Announcement, ProxyDefinition


class ProxyStorage(PalletStorage, prefix="Proxy"):
    Proxies = StorageMap(AccountId, tuple[tuple[ProxyDefinition, ...], Balance], default=((), 0))
    Announcements = StorageMap(AccountId, tuple[tuple[Announcement, ...], Balance], default=((), 0))
