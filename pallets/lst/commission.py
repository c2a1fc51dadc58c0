"""Reward pools and commission.

Staking rewards reach each pool's reward account through ``payout_stakers`` (the pool's payee).
``update_records`` (run by join, set_commission and claim_commission) books what arrived since
the last update: the pool's current commission (capped by ``GlobalMaxCommission``) of it becomes
pending commission, the rest raises the reward counter. LST members cannot claim rewards (the
claim calls were removed); non-commission rewards stay on the reward account and go to the
depositor when the pool is dissolved.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from runtime.primitives import PERBILL

from pallets.lst.errors import Error
from pallets.lst.events import Event
from pallets.lst.types import FIXED_U128_ONE, BondedPoolInner, Commission, CommissionChangeRate, RewardPool

MAX_U128 = (1 << 128) - 1


def current_commission(commission: Commission, global_max: int | None) -> int:
    """``Commission::current``: the rate (Perbill parts) capped by the global maximum."""
    rate = commission.current[0] if commission.current is not None else 0
    return min(rate, global_max if global_max is not None else PERBILL)


def throttling(commission: Commission, to: int, now: int) -> bool:
    """Would raising the commission to ``to`` break the change-rate limits?"""
    rate = commission.change_rate
    if rate is None:
        return False
    current = commission.current[0] if commission.current is not None else 0
    if to <= current:
        return False
    if to - current > rate.max_increase:
        return True
    if commission.throttle_from is None:
        return True
    if rate.min_delay == 0:
        return False
    return now - commission.throttle_from < rate.min_delay


class CommissionOps:
    """Mixin of the Lst pallet: reward pool records and the commission settings."""

    storage: Any
    currency: Any

    # ------------------------------------------------------------------ reward pool
    def update_records(self, pool_id: int, reward_pool: RewardPool, bonded_points: int, commission: int) -> RewardPool:
        balance = self.currency.free_balance(self.reward_account(pool_id))  # type: ignore[attr-defined]
        claimed = reward_pool.total_rewards_claimed + reward_pool.total_commission_claimed
        payout = max(balance + claimed - reward_pool.last_recorded_total_payouts, 0)
        new_commission = payout * commission // PERBILL
        new_rewards = payout - new_commission
        if bonded_points == 0:
            raise Error.OverflowRisk()
        counter = reward_pool.last_recorded_reward_counter + new_rewards * FIXED_U128_ONE // bonded_points
        total_payouts = balance + claimed
        if counter > MAX_U128 or total_payouts > MAX_U128:
            raise Error.OverflowRisk()
        return RewardPool(
            counter,
            max(reward_pool.last_recorded_total_payouts, total_payouts),
            reward_pool.total_rewards_claimed,
            reward_pool.total_commission_pending + new_commission,
            reward_pool.total_commission_claimed,
        )

    def _reward_pool(self, pool_id: int) -> RewardPool:
        rp = self.storage.RewardPools.get(pool_id)
        if rp is None:
            raise Error.Defensive("RewardPoolNotFound")
        return rp

    def _current(self, inner: BondedPoolInner) -> int:
        return current_commission(inner.commission, self.storage.GlobalMaxCommission.value())

    def _register_update(self, commission: Commission) -> Commission:
        return dataclasses.replace(commission, throttle_from=self.block_number)  # type: ignore[attr-defined]

    # ------------------------------------------------------------------ settings
    def do_set_commission(self, pool_id: int, inner: BondedPoolInner, new: tuple[int, str] | None) -> BondedPoolInner:
        rp = self.update_records(pool_id, self._reward_pool(pool_id), self.points(pool_id), self._current(inner))  # type: ignore[attr-defined]
        self.storage.RewardPools.insert(pool_id, rp)
        c = inner.commission
        if new is None:
            current = None
        else:
            rate, payee = new
            if throttling(c, rate, self.block_number):  # type: ignore[attr-defined]
                raise Error.CommissionChangeThrottled()
            global_max = self.storage.GlobalMaxCommission.value()
            if global_max is not None and rate > global_max:
                raise Error.CommissionExceedsGlobalMaximum()
            if c.max is not None and rate > c.max:
                raise Error.CommissionExceedsMaximum()
            current = None if rate == 0 else (rate, payee)
        c = self._register_update(dataclasses.replace(c, current=current))
        return dataclasses.replace(inner, commission=c)

    def do_set_commission_max(self, pool_id: int, inner: BondedPoolInner, new_max: int) -> BondedPoolInner:
        global_max = self.storage.GlobalMaxCommission.value()
        if global_max is not None and new_max > global_max:
            raise Error.CommissionExceedsGlobalMaximum()
        c = inner.commission
        if c.max is not None and new_max > c.max:
            raise Error.MaxCommissionRestricted()
        c = dataclasses.replace(c, max=new_max)
        if c.current is not None and c.current[0] > new_max:
            c = self._register_update(dataclasses.replace(c, current=(new_max, c.current[1])))
            self.deposit_event(Event.PoolCommissionUpdated(pool_id, (new_max, c.current[1])))  # type: ignore[attr-defined]
        return dataclasses.replace(inner, commission=c)

    def do_set_commission_change_rate(self, inner: BondedPoolInner, change_rate: CommissionChangeRate) -> BondedPoolInner:
        c = inner.commission
        old = c.change_rate
        if old is not None and (change_rate.max_increase > old.max_increase or change_rate.min_delay < old.min_delay):
            raise Error.CommissionChangeRateNotAllowed()
        if old is None:
            c = self._register_update(c)
        return dataclasses.replace(inner, commission=dataclasses.replace(c, change_rate=change_rate))

    def do_claim_commission(self, who: str, pool_id: int) -> None:
        inner = self._get_pool(pool_id)  # type: ignore[attr-defined]
        if not self.can_claim_commission(inner, who):  # type: ignore[attr-defined]
            raise Error.DoesNotHavePermission()
        rp = self.update_records(pool_id, self._reward_pool(pool_id), self.points(pool_id), self._current(inner))  # type: ignore[attr-defined]
        commission = rp.total_commission_pending
        if commission == 0:
            raise Error.NoPendingCommission()
        if inner.commission.current is None:
            raise Error.NoCommissionCurrentSet()
        payee = inner.commission.current[1]
        self.currency.transfer(self.reward_account(pool_id), payee, commission, keep_alive=True)  # type: ignore[attr-defined]
        rp = dataclasses.replace(rp, total_commission_claimed=rp.total_commission_claimed + commission, total_commission_pending=0)
        self.storage.RewardPools.insert(pool_id, rp)
        self.deposit_event(Event.PoolCommissionClaimed(pool_id, commission))  # type: ignore[attr-defined]

    def do_adjust_pool_deposit(self, who: str, pool_id: int) -> None:
        self._get_pool(pool_id)  # type: ignore[attr-defined]
        reward = self.reward_account(pool_id)  # type: ignore[attr-defined]
        reserved = self.currency.reserved_balance(reward)
        ed = self.currency.existential_deposit()
        if reserved == ed:
            raise Error.NothingToAdjust()
        if reserved > ed:
            self.currency.reserve(reward, ed)
            excess = reserved - ed
            self.currency.transfer(reward, who, excess, keep_alive=True)
            self.deposit_event(Event.MinBalanceExcessAdjusted(pool_id, excess))  # type: ignore[attr-defined]
        else:
            # the chain reserves first, then takes the deficit from the caller; the simulator's
            # Balances refuses a reserve that leaves less than ED free on a one-provider account,
            # so the deficit arrives first (same final state, same errors for the caller)
            deficit = ed - reserved
            self.currency.transfer(who, reward, deficit, keep_alive=True)
            self.currency.reserve(reward, ed)
            self.deposit_event(Event.MinBalanceDeficitAdjusted(pool_id, deficit))  # type: ignore[attr-defined]
