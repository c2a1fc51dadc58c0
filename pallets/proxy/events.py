from runtime.calls import DispatchResult
from runtime.events import EventSet
from runtime.primitives import U16, U64, AccountId, H256

from pallets.proxy.types import ProxyType


class Event(EventSet, pallet="Proxy"):
    ProxyExecuted = (0, {"result": DispatchResult})
    PureCreated = (1, {"pure": AccountId, "who": AccountId, "proxy_type": ProxyType, "disambiguation_index": U16})
    Announced = (2, {"real": AccountId, "proxy": AccountId, "call_hash": H256})
    ProxyAdded = (3, {"delegator": AccountId, "delegatee": AccountId, "proxy_type": ProxyType, "delay": U64})
    ProxyRemoved = (4, {"delegator": AccountId, "delegatee": AccountId, "proxy_type": ProxyType, "delay": U64})
