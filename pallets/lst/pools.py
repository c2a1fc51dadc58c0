"""Bonded pools: accounts, roles, the points price, bonding funds and dissolving a pool.

Accounts: the bonded account (staking stash and controller) and the reward account (staking
payee) of pool ``id`` are ``PalletId(b"py/tnlst").into_sub_account_truncating((AccountType, id))``;
the pallet account itself owns every pool token. Points = the pool token's total issuance.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from runtime.accounts import pallet_account
from runtime.errors import DispatchError

from pallets.lst.errors import Error
from pallets.lst.events import Event
from pallets.lst.points import balance_to_point, point_to_balance
from pallets.lst.types import BondedPoolInner, PoolState

BONDED, REWARD = 0, 1  # AccountType::Bonded, AccountType::Reward (SCALE indices)


class PoolOps:
    """Mixin of the Lst pallet: what ``BondedPool<T>`` does on chain."""

    storage: Any
    consts: Any
    currency: Any
    fungibles: Any
    staking: Any
    ctx: Any
    _own_withdraw: bool  # set by withdraw_from_staking while staking withdraws (see Lst.on_withdraw)

    # ------------------------------------------------------------------ accounts
    def bonded_account(self, pool_id: int) -> str:
        return pallet_account(self.consts.PalletId, bytes([BONDED]) + pool_id.to_bytes(4, "little"))

    def reward_account(self, pool_id: int) -> str:
        return pallet_account(self.consts.PalletId, bytes([REWARD]) + pool_id.to_bytes(4, "little"))

    def pallet_admin_account(self) -> str:
        return pallet_account(self.consts.PalletId)

    # ------------------------------------------------------------------ storage helpers
    def pool(self, pool_id: int) -> BondedPoolInner | None:
        return self.storage.BondedPools.get(pool_id)

    def _get_pool(self, pool_id: int) -> BondedPoolInner:
        inner = self.storage.BondedPools.get(pool_id)
        if inner is None:
            raise Error.PoolNotFound()
        return inner

    def _counted_insert(self, name: str, key: Any, value: Any) -> None:
        item = getattr(self.storage, name)
        if key not in item:
            counter = getattr(self.storage, f"CounterFor{name}")
            counter.put(counter.value() + 1)
        item.insert(key, value)

    def _counted_remove(self, name: str, key: Any) -> None:
        item = getattr(self.storage, name)
        if key in item:
            counter = getattr(self.storage, f"CounterFor{name}")
            counter.put(counter.value() - 1)
            item.remove(key)

    def _put_pool(self, pool_id: int, inner: BondedPoolInner) -> None:
        self._counted_insert("BondedPools", pool_id, inner)

    # ------------------------------------------------------------------ price
    def points(self, pool_id: int) -> int:
        """The pool's points: its token's total issuance."""
        return self.fungibles.total_issuance(pool_id)

    def active_balance(self, pool_id: int) -> int:
        """The bonded account's active stake, read live from staking."""
        return self.staking.active_stake(self.bonded_account(pool_id)) or 0

    def pool_balance_to_point(self, pool_id: int, amount: int) -> int:
        return balance_to_point(self.active_balance(pool_id), self.points(pool_id), amount)

    def pool_points_to_balance(self, pool_id: int, points: int) -> int:
        return point_to_balance(self.active_balance(pool_id), self.points(pool_id), points)

    def depositor_min_bond(self) -> int:
        s = self.storage
        return max(self.staking.minimum_nominator_bond(), s.MinCreateBond.value(), s.MinJoinBond.value(), self.currency.existential_deposit())

    # ------------------------------------------------------------------ roles
    @staticmethod
    def is_root(inner: BondedPoolInner, who: str) -> bool:
        return inner.roles.root == who

    @staticmethod
    def is_bouncer(inner: BondedPoolInner, who: str) -> bool:
        return inner.roles.bouncer == who

    def can_nominate(self, inner: BondedPoolInner, who: str) -> bool:
        return self.is_root(inner, who) or inner.roles.nominator == who

    def can_kick(self, inner: BondedPoolInner, who: str) -> bool:
        return inner.state == PoolState.Blocked and (self.is_root(inner, who) or self.is_bouncer(inner, who))

    def can_toggle_state(self, inner: BondedPoolInner, who: str) -> bool:
        return (self.is_root(inner, who) or self.is_bouncer(inner, who)) and inner.state != PoolState.Destroying

    def can_set_metadata(self, inner: BondedPoolInner, who: str) -> bool:
        return self.is_root(inner, who) or self.is_bouncer(inner, who)

    def can_claim_commission(self, inner: BondedPoolInner, who: str) -> bool:
        permission = inner.commission.claim_permission
        if permission is None:
            return self.is_root(inner, who)
        if permission.name == "Permissionless":
            return True
        return permission.value == who or self.is_root(inner, who)

    # ------------------------------------------------------------------ checks
    def ok_to_be_open(self, pool_id: int, inner: BondedPoolInner) -> None:
        if inner.state == PoolState.Destroying:
            raise Error.CanNotChangeState()
        balance = self.active_balance(pool_id)
        if balance == 0:
            raise Error.OverflowRisk()
        if self.points(pool_id) // balance >= self.consts.MaxPointsToBalance:
            raise Error.OverflowRisk()

    def ok_to_join(self, pool_id: int, inner: BondedPoolInner) -> None:
        if inner.state != PoolState.Open:
            raise Error.NotOpen()
        self.ok_to_be_open(pool_id, inner)

    def ok_to_withdraw_unbonded_with(self, inner: BondedPoolInner, caller: str, member: str) -> None:
        if not (caller == member or self.can_kick(inner, caller) or inner.state == PoolState.Destroying):
            raise Error.NotKickerOrDestroying()

    # ------------------------------------------------------------------ funds
    def try_bond_funds(self, pool_id: int, who: str, amount: int, create: bool) -> int:
        """Move ``amount`` from ``who`` to the bonded account, bond it, mint the points (priced
        before the bond) to ``who`` and raise ``TotalValueLocked``. Returns the points issued."""
        bonded = self.bonded_account(pool_id)
        self.currency.transfer(who, bonded, amount, keep_alive=create)
        points = self.pool_balance_to_point(pool_id, amount)
        if create:
            self.staking.bond(bonded, amount, self.reward_account(pool_id))
        else:
            self.staking.bond_extra(bonded, amount)
        tvl = self.storage.TotalValueLocked
        tvl.put(tvl.value() + amount)
        self.fungibles.mint_into(pool_id, who, points)
        return points

    def withdraw_from_staking(self, pool_id: int, num_slashing_spans: int) -> bool:
        """Withdraw the bonded account's unlocked chunks; ``TotalValueLocked`` falls by what left
        the ledger, measured as tangle v1.4.3's ``types/bonded_pool.rs`` does: the drop of
        ``total_stake`` around the call (``on_withdraw`` stays out of it, so nothing counts twice,
        and a killed stash's dust below the existential deposit leaves the TVL too). Returns True
        if the stash was killed."""
        bonded = self.bonded_account(pool_id)
        before = self.staking.total_stake(bonded) or 0
        self._own_withdraw = True
        try:
            killed = self.staking.withdraw_unbonded(bonded, num_slashing_spans)
        finally:
            self._own_withdraw = False
        after = self.staking.total_stake(bonded) or 0
        tvl = self.storage.TotalValueLocked
        tvl.put(max(tvl.value() - max(before - after, 0), 0))
        return killed

    def set_pool_state(self, pool_id: int, inner: BondedPoolInner, state: PoolState) -> BondedPoolInner:
        if inner.state != state:
            inner = dataclasses.replace(inner, state=state)
            self.deposit_event(Event.StateChanged(pool_id, state))  # type: ignore[attr-defined]
        return inner

    def dissolve_pool(self, pool_id: int, inner: BondedPoolInner) -> None:
        """Remove the pool. The reward account's balance (unclaimed rewards and commission) goes to
        the depositor; whatever is left on the reward and bonded accounts is destroyed
        (``make_free_balance_be(0)``). The pool token is not destroyed."""
        reward = self.reward_account(pool_id)
        bonded = self.bonded_account(pool_id)
        self._counted_remove("ReversePoolIdLookup", bonded)
        self._counted_remove("RewardPools", pool_id)
        self._counted_remove("SubPoolsStorage", pool_id)
        self.currency.unreserve(reward, self.currency.existential_deposit())
        remaining = self.currency.free_balance(reward)
        try:
            self.ctx.transactional(lambda: self.currency.transfer(reward, inner.roles.depositor, remaining, keep_alive=False))
        except DispatchError:
            pass
        for account in (reward, bonded):
            left = self.currency.free_balance(account)
            if left:
                self.currency.slash(account, left)
        self.deposit_event(Event.Destroyed(pool_id))  # type: ignore[attr-defined]
        self._counted_remove("Metadata", pool_id)
        self._counted_remove("BondedPools", pool_id)
