"""All Rewards dispatchables: vaults.py (3-9), claims.py (2, 10), era_rewards.py (extension)."""

from __future__ import annotations

from pallets.rewards.claims import ClaimCalls
from pallets.rewards.era_rewards import EraRewards
from pallets.rewards.vaults import VaultCalls


class Calls(VaultCalls, ClaimCalls, EraRewards):
    """The 9 real calls plus ``claim_era_rewards`` (extension)."""
