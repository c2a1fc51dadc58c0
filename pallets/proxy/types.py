"""The runtime's ``ProxyType`` and pallet_proxy's stored records."""

from __future__ import annotations

from runtime.accounts import account_bytes
from runtime.calls import RuntimeCall
from runtime.codec import ScaleEnum, struct
from runtime.primitives import U64, AccountId, H256


class ProxyType(ScaleEnum):
    """``tangle_testnet_runtime::ProxyType`` (T:lib.rs; ``Any`` is the default)."""

    Any: None
    NonTransfer: None
    Governance: None
    Staking: None


_GOVERNANCE_PALLETS = frozenset({"Democracy", "Council", "Elections", "Treasury"})


def filter_call(proxy_type: ProxyType, c: RuntimeCall) -> bool:
    """``impl InstanceFilter<RuntimeCall> for ProxyType``: which calls a proxy of this type may make."""
    name = proxy_type.name
    if name == "Any":
        return True
    if name == "NonTransfer":
        return not (c.call_module == "Balances" or (c.call_module == "Vesting" and c.call_function == "vested_transfer"))
    if name == "Governance":
        return c.call_module in _GOVERNANCE_PALLETS
    return c.call_module == "Staking"


def is_superset(x: ProxyType, y: ProxyType) -> bool:
    """``InstanceFilter::is_superset``: Any covers everything, NonTransfer everything but Any."""
    if x == y or x.name == "Any":
        return True
    if y.name == "Any":
        return False
    return x.name == "NonTransfer"


@struct
class ProxyDefinition:
    delegate: AccountId
    proxy_type: ProxyType
    delay: U64

    def sort_key(self) -> tuple[bytes, int, int]:
        """The derived ``Ord``: delegate (raw bytes), then proxy type index, then delay."""
        return account_bytes(self.delegate), type(self.proxy_type).__order__[self.proxy_type.name], self.delay


@struct
class Announcement:
    real: AccountId
    call_hash: H256
    height: U64
