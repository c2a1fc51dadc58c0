"""pallet-multi-asset-delegation (index 45): operators, deposits, delegations, native restaking and
the slashing that services apply through it.

Wiring (constructor keywords, see runtime/construct.py): ``currency`` (Balances), ``fungibles``
(the Assets adapter), ``staking`` (StakingInterface, None until Staking exists: then
``delegate_nomination`` fails ``NotNominator``), ``service_manager`` (ServiceManager, None means "no
services, the operator can exit"), ``rewards`` (RewardsManager, None means no vaults and no caps).

Modules: operators.py, deposits.py, delegations.py, nomination.py, blueprints.py (calls);
rounds.py (round change), info.py (MultiAssetDelegationInfo), slashing.py (SlashManager),
extension.py (CheckNominatedRestaked), funds.py (moving assets to and from the pallet account).
"""

from __future__ import annotations

from typing import Any

from runtime.pallet import Pallet

from pallets.multi_asset_delegation.calls import Calls
from pallets.multi_asset_delegation.constants import MultiAssetDelegationConstants
from pallets.multi_asset_delegation.errors import Error
from pallets.multi_asset_delegation.events import Event
from pallets.multi_asset_delegation.extension import CheckNominatedRestaked
from pallets.multi_asset_delegation.funds import Funds
from pallets.multi_asset_delegation.info import InfoImpl
from pallets.multi_asset_delegation.rounds import Rounds
from pallets.multi_asset_delegation.slashing import SlashingImpl
from pallets.multi_asset_delegation.storage import MultiAssetDelegationStorage

__all__ = ["MultiAssetDelegation", "CheckNominatedRestaked"]


class MultiAssetDelegation(Calls, Rounds, InfoImpl, SlashingImpl, Funds, Pallet):
    name = "MultiAssetDelegation"
    index = 45
    Storage = MultiAssetDelegationStorage
    Error = Error
    Event = Event
    Constants = MultiAssetDelegationConstants

    def __init__(self, ctx, constants=None, *, currency: Any = None, fungibles: Any = None, staking: Any = None, service_manager: Any = None, rewards: Any = None) -> None:  # type: ignore[no-untyped-def]
        super().__init__(ctx, constants)
        self.currency = currency
        self.fungibles = fungibles
        self.staking = staking
        self.service_manager = service_manager
        self.rewards = rewards
        # CurrentRound is set by the session manager's start_session(0) at genesis; no genesis state
