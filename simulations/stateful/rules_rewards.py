"""Rules for Rewards: vaults (root creates them, adds or removes assets, changes configs) and
claims (vault rewards for a delegator, operator rewards, per-era rewards)."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st
from hypothesis.stateful import initialize, multiple, rule

from simulations.stateful import strategies as S
from simulations.stateful import world
from simulations.stateful.bundles import accounts, vaults
from simulations.stateful.rulebase import INDEX, RuleMixin

REWARDS = "Rewards"
CONFIGS = st.sampled_from([
    world.VAULT_CONFIG,
    {"apy": 50_000_000, "incentive_cap": 0, "deposit_cap": 10**15, "boost_multiplier": 1},
    {"apy": 200_000_000, "incentive_cap": 10**6, "deposit_cap": 10**30, "boost_multiplier": None},
])
VAULT_ASSETS = st.sampled_from([world.TNT, world.USDC, {"Custom": world.USDC_ID + 1}])


class RewardsRules(RuleMixin):
    """Rewards calls; root is the force origin of every vault call."""

    @initialize(target=vaults)
    def seed_vaults(self) -> Any:
        return multiple(world.VAULT_ID)

    @rule(target=vaults, vault_id=st.integers(1, 3), config=CONFIGS, root=S.mostly_true(), other=accounts)
    def create_reward_vault(self, vault_id: int, config: dict[str, Any], root: bool, other: str) -> Any:
        receipt = self.call("root" if root else other, REWARDS, "create_reward_vault", {"vault_id": vault_id, "new_config": config})
        if not root:
            self.expect_error(receipt, "BadOrigin")
        return vault_id if self.ok(receipt) else multiple()

    @rule(vault=vaults, asset=VAULT_ASSETS, add=S.mostly_true())
    def manage_vault_asset(self, vault: int, asset: dict[str, int], add: bool) -> None:
        self.call("root", REWARDS, "manage_asset_reward_vault", {"vault_id": vault, "asset": asset, "action": "Add" if add else "Remove"})

    @rule(vault=vaults, config=CONFIGS)
    def update_vault_config(self, vault: int, config: dict[str, Any]) -> None:
        self.call("root", REWARDS, "update_vault_reward_config", {"vault_id": vault, "new_config": config})

    @rule(who=accounts, pick=INDEX, asset=VAULT_ASSETS, delegator=S.mostly_true())
    def claim_vault_rewards(self, who: str, pick: int, asset: dict[str, int], delegator: bool) -> None:
        """Mostly for a delegator whose delegated asset is in a vault (anyone may claim for anyone)."""
        beneficiary = who
        if delegator:
            vaults = self.storage(REWARDS).AssetLookupRewardVaults
            entries = [(w, d.asset) for w, m in sorted(self.storage("MultiAssetDelegation").Delegators.items()) for d in m.delegations
                       if vaults.contains(d.asset)]
            chosen = self.pick(entries, pick)
            if chosen is not None:
                beneficiary, a = chosen
                asset = {a.name: a.value}
        self.call(who, REWARDS, "claim_rewards_other", {"who": beneficiary, "asset": asset})

    @rule(who=accounts, era=st.booleans())
    def claim_rewards(self, who: str, era: bool) -> None:
        self.call(who, REWARDS, "claim_era_rewards" if era else "claim_rewards", {})
