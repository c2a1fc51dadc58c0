"""pallet-rewards (index 53): reward vaults per asset with APY and caps, lazy per-block vault
rewards paid from each vault's pot at claim time, operators' recorded service rewards, and, as a
simulator extension, per-era rewards to operators and their delegators.

How it fits together:
* **Vaults** (vaults.py): root creates a vault with ``RewardConfigForAssetVault{apy, incentive_cap,
  deposit_cap, boost_multiplier}`` and adds assets to it; each vault has a pot account that must be
  funded from outside (nothing mints into it). Root sets ``ApyBlocks`` (0 at genesis: every claim
  fails with ``CannotCalculateRewardPerBlock`` until it is set) and the decay config.
* **Accounting** (manager.py, ``RewardsManager``): MAD reports delegations and executed unstakes;
  vault deposit and score totals follow them. ``get_asset_deposit_cap_remaining`` bounds deposits.
* **Claims** (claims.py, formula.py): ``claim_rewards_other(who, asset)`` pays the exact §3.5
  formula for the blocks since the last claim; ``claim_rewards`` pays ``PendingOperatorRewards``
  recorded by the services pallet (``record_reward``) from the pallet account.
* **Per-era rewards** (era_rewards.py, extension ``service_rewards``, intended profile only): an era
  budget minted and split by TNT stake between active operators, then between each operator's
  commission and its delegators; credited lazily, claimed with ``claim_era_rewards``.

Real-vs-intended differences are the quirks ``rewards.score_uses_total_deposit`` and
``rewards.undelegate_score_unboosted`` (see runtime/quirks.py) and the era rewards extension.
Wiring: ``currency`` (Balances) and ``delegation_manager`` (MultiAssetDelegation, assigned after
construction because MAD also needs this pallet).
"""

from __future__ import annotations

from typing import Any

from runtime.pallet import Pallet

from pallets.rewards.calls import Calls
from pallets.rewards.constants import RewardsConstants
from pallets.rewards.errors import Error
from pallets.rewards.events import Event
from pallets.rewards.manager import RewardsManagerImpl
from pallets.rewards.storage import RewardsStorage

__all__ = ["Rewards"]


class Rewards(Calls, RewardsManagerImpl, Pallet):
    name = "Rewards"
    index = 53
    Storage = RewardsStorage
    Error = Error
    Event = Event
    Constants = RewardsConstants

    def __init__(self, ctx, constants=None, *, currency: Any = None, delegation_manager: Any = None) -> None:  # type: ignore[no-untyped-def]
        super().__init__(ctx, constants)
        self.currency = currency
        self.delegation_manager = delegation_manager
