"""pallet-services (index 51): blueprints, operator registration, service requests and approvals,
jobs and results, heartbeats, slashing windows and payments; the heart of the simulator.

Wiring (constructor keywords, see runtime/construct.py): ``currency`` (Balances), ``fungibles``
(the Assets adapter), ``delegation`` (MultiAssetDelegation as ``MultiAssetDelegationInfo``: operator
activity, stakes, rounds, and ``slash_operator`` as the SlashManager), ``rewards`` (the Rewards
pallet as RewardRecorder). The pallet is MAD's ``ServiceManager`` (``service_manager.py``).

Service managers (the BSM contracts) are Python objects: ``register_manager(address, manager)``;
see ``manager.py``. At genesis the dev chain registers master manager revision 0 at
``DEFAULT_MBSM_ADDRESS`` so ``create_blueprint`` works out of the box (both profiles); a genesis
section ``pallets={"Services": {"mbsm_revisions": []}}`` starts without any revision, as a fresh
chain does (``create_blueprint`` then fails ``MasterBlueprintServiceManagerRevisionNotFound``).
Other genesis keys: ``default_heartbeat_interval``, ``default_heartbeat_threshold``,
``default_slashing_window``.

Modules: types/ (the real types and the type checker), calls.py (composition), blueprints.py,
registration.py, requests.py, approvals.py, lifecycle.py, jobs.py, slashing.py, membership.py,
heartbeats.py, payments.py, expiry.py, limits.py, modification.py, hooks.py (on_initialize),
contracts.py (hook dispatch, registry), manager.py (BlueprintServiceManager), service_manager.py
(the ServiceManager trait), crypto.py (keccak, ECDSA).
"""

from __future__ import annotations

from typing import Any

from runtime.codec import H160Codec
from runtime.pallet import Pallet

from pallets.services.calls import Calls
from pallets.services.constants import DEFAULT_MBSM_ADDRESS, PALLET_EVM_ADDRESS, ServicesConstants
from pallets.services.contracts import Contracts
from pallets.services.errors import Error
from pallets.services.events import Event
from pallets.services.expiry import RequestExpiry
from pallets.services.hooks import Hooks
from pallets.services.manager import BlueprintServiceManager, Erc20Token, HookFailure, Revert
from pallets.services.payments import Payments
from pallets.services.service_manager import ServiceManagerImpl
from pallets.services.storage import ServicesStorage

__all__ = ["Services", "ServicesConstants", "BlueprintServiceManager", "Erc20Token", "Revert", "HookFailure", "DEFAULT_MBSM_ADDRESS", "PALLET_EVM_ADDRESS"]

_GENESIS_KEYS = {"mbsm_revisions", "default_heartbeat_interval", "default_heartbeat_threshold", "default_slashing_window"}


class Services(Calls, Hooks, RequestExpiry, Payments, Contracts, ServiceManagerImpl, Pallet):
    name = "Services"
    index = 51
    Storage = ServicesStorage
    Error = Error
    Event = Event
    Constants = ServicesConstants

    def __init__(self, ctx, constants=None, *, currency: Any = None, fungibles: Any = None, delegation: Any = None, rewards: Any = None) -> None:  # type: ignore[no-untyped-def]
        super().__init__(ctx, constants)
        self.currency = currency
        self.fungibles = fungibles
        self.delegation = delegation
        self.rewards = rewards
        self._init_contracts()

    def build_genesis(self, config: Any) -> None:
        section = dict(config.pallets.get("Services", {}))
        unknown = set(section) - _GENESIS_KEYS
        if unknown:
            raise ValueError(f"pallets.Services: unknown genesis key(s) {sorted(unknown)} (known: {sorted(_GENESIS_KEYS)})")
        h160 = H160Codec()
        revisions = section.get("mbsm_revisions", [DEFAULT_MBSM_ADDRESS])
        s = self.storage
        if revisions:
            s.MasterBlueprintServiceManagerRevisions.put(tuple(h160.decode(a, f"pallets.Services.mbsm_revisions[{i}]") for i, a in enumerate(revisions)))
        for key, item in (("default_heartbeat_interval", s.DefaultHeartbeatInterval), ("default_heartbeat_threshold", s.DefaultHeartbeatThreshold),
                          ("default_slashing_window", s.DefaultSlashingWindow)):
            if key in section:
                value = section[key]
                if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                    raise ValueError(f"pallets.Services.{key}: expected a non-negative integer, got {value!r}")
                item.put(value)
