"""tangle-lst (index 52): liquid staking pools. A fork of pallet-nomination-pools in which a
member's share is a balance of the pool's own token (a pallet_assets asset whose id is the pool
id), minted on join and burned on unbond.

Modules: :mod:`.pools` (accounts, roles, price, bonding, dissolving), :mod:`.points` (point
arithmetic), :mod:`.unbonding` (unbond/withdraw, with the real runtime's quirks),
:mod:`.commission` (reward pool records and commission), :mod:`.calls` (dispatchables).

Staking slashes reach the pool through ``on_slash`` (``OnStakingUpdate``) under the intended
profile; on the real testnet the listener is the standard NominationPools pallet, so
(``lst.on_slash_not_wired``) sub-pools and ``TotalValueLocked`` ignore slashes. In both profiles
a slash of the active stake lowers the points-to-balance price at once, as the price reads the
active stake live, and nobody's tokens are touched. Lst's own withdrawals lower ``TotalValueLocked``
in ``withdraw_from_staking``; staking's auto-withdraw (an ``unbond`` with every unlocking chunk
used) reaches it through ``on_withdraw`` (intended) or not at all (``lst.auto_withdraw_not_in_tvl``).
"""

from __future__ import annotations

from typing import Any

from runtime.genesis import GenesisConfig
from runtime.pallet import Pallet

from pallets.lst.calls import Calls
from pallets.lst.commission import CommissionOps
from pallets.lst.constants import LstConstants
from pallets.lst.errors import Error
from pallets.lst.events import Event
from pallets.lst.points import set_era_pool
from pallets.lst.pools import PoolOps
from pallets.lst.storage import LstStorage
from pallets.lst.unbonding import UnbondingOps

__all__ = ["Lst", "LstConstants"]

DEFAULT_MAX_POOLS = 16


class Lst(Calls, UnbondingOps, CommissionOps, PoolOps, Pallet):
    name = "Lst"
    index = 52
    Storage = LstStorage
    Error = Error
    Event = Event
    Constants = LstConstants

    def __init__(self, ctx, constants=None, *, currency: Any = None, fungibles: Any = None, staking: Any = None) -> None:  # type: ignore[no-untyped-def]
        super().__init__(ctx, constants)
        self.currency = currency
        self.fungibles = fungibles
        self.staking = staking  # runtime.traits.StakingInterface (the Staking pallet's adapter)
        self._own_withdraw = False  # inside withdraw_from_staking: on_withdraw leaves the TVL to it

    def build_genesis(self, config: GenesisConfig) -> None:
        """Chain-spec defaults: no minimum bonds, at most 16 pools, no global commission cap.
        ``GenesisConfig.pallets["Lst"]`` may set ``min_join_bond``, ``min_create_bond``,
        ``max_pools`` (None for no limit) and ``global_max_commission`` (Perbill parts)."""
        extra = dict(config.pallets.get("Lst", {}))
        unknown = set(extra) - {"min_join_bond", "min_create_bond", "max_pools", "global_max_commission"}
        if unknown:
            raise ValueError(f"pallets.Lst: unknown genesis field(s) {sorted(unknown)}")
        s = self.storage
        s.MinJoinBond.put(int(extra.get("min_join_bond", 0)))
        s.MinCreateBond.put(int(extra.get("min_create_bond", 0)))
        max_pools = extra.get("max_pools", DEFAULT_MAX_POOLS)
        if max_pools is not None:
            s.MaxPools.put(int(max_pools))
        if extra.get("global_max_commission") is not None:
            s.GlobalMaxCommission.put(int(extra["global_max_commission"]))

    # ------------------------------------------------------------------ OnStakingUpdate
    def on_slash(self, stash: str, slashed_bonded: int, slashed_unlocking: dict[int, int], total_slashed: int) -> None:
        """Staking slashed a pool's bonded account: lower ``TotalValueLocked`` and set the slashed
        unbonding sub-pools' balances (intended profile only; see the module docstring)."""
        if self.ctx.quirk("lst.on_slash_not_wired"):
            return
        s = self.storage
        pool_id = s.ReversePoolIdLookup.get(stash)
        if pool_id is None:
            return
        tvl = s.TotalValueLocked
        tvl.put(max(tvl.value() - total_slashed, 0))
        sub_pools = s.SubPoolsStorage.get(pool_id)
        if sub_pools is not None:
            for era, balance in sorted(slashed_unlocking.items()):
                pool = sub_pools.get(era)
                if pool is None:
                    continue
                sub_pools = set_era_pool(sub_pools, era, type(pool)(pool.points, balance))
                self.deposit_event(Event.UnbondingPoolSlashed(pool_id, era, balance))
            s.SubPoolsStorage.insert(pool_id, sub_pools)
        self.deposit_event(Event.PoolSlashed(pool_id, slashed_bonded))

    def on_withdraw(self, stash: str, amount: int) -> None:
        """Staking released ``amount`` of a pool's unlocked chunks, explicitly (``pool_withdraw_unbonded``,
        ``withdraw_unbonded``) or implicitly (its ``unbond`` auto-withdraws once all
        ``MaxUnlockingChunks`` are used): lower ``TotalValueLocked`` by it, so the TVL stays the pools'
        bonded stake. This is upstream nomination-pools' ``on_withdraw`` (polkadot-sdk PR #3052, the
        fix of issue #3055; its try_state asserts TVL == the sum of the pools' ``total_stake``).
        Real: ``lst.auto_withdraw_not_in_tvl`` (the fork has no ``on_withdraw`` and is not the
        staking listener; its ``withdraw_from_staking`` lowers TVL by the ledger drop it sees).
        A withdrawal Lst makes itself is left to that measure in both profiles (see
        :meth:`~pallets.lst.pools.PoolOps.withdraw_from_staking`), so only staking's own
        auto-withdraw arrives here."""
        if self._own_withdraw or self.ctx.quirk("lst.auto_withdraw_not_in_tvl"):
            return
        if self.storage.ReversePoolIdLookup.get(stash) is not None:
            tvl = self.storage.TotalValueLocked
            tvl.put(max(tvl.value() - amount, 0))

    # ------------------------------------------------------------------ reads for tests and tools
    def pool_ids(self) -> list[int]:
        return sorted(self.storage.BondedPools.keys())

    def points_to_balance_ratio(self, pool_id: int) -> tuple[int, int]:
        """(active stake, points) of a pool: what one point is worth is their quotient."""
        return self.active_balance(pool_id), self.points(pool_id)
