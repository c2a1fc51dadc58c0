"""Leaving a pool: ``unbond`` (burn tokens, unbond stake into an era sub-pool), ``withdraw_unbonded``
(pay the member out of the sub-pools once the era has come) and ``pool_withdraw_unbonded``.

Intended profile (upstream nomination-pools semantics) against the real runtime's quirks
(``runtime/quirks.py``, keys ``lst.*``):

* pricing: intended prices the points *before* burning them (``A * k / P``); real
  (``lst.unbond_burn_before_pricing``) prices them after the burn (``A * k / (P - k)``), over-paying;
* full unbonds: intended burns the whole balance if asked; real (``lst.no_full_unbond``) burns with
  ``Preservation::Preserve``, so burning a whole balance fails with ``Token.FundsUnavailable``;
* the depositor: intended lets it leave fully once the pool is Destroying and it is the only holder
  (upstream's check on its current points), and the pool is dissolved by whoever withdraws last
  (no tokens left and nothing unbonding, so nobody loses stake); real (``lst.depositor_cannot_fully_unbond``) compares the pool's points with the points
  *left after* the unbond (so the depositor never unbonds fully), and
  (``lst.depositor_withdraw_dissolves_pool``) dissolves the pool as soon as the depositor has
  withdrawn its last unbonding chunk, whatever other holders still have;
* the minimum-bond check: intended compares the balance the remaining points are worth; real
  (``lst.min_bond_compares_points``) compares the points themselves with a balance;
* withdraw: intended withdraws this pool's chunks whose era has come, any time after; real
  (``lst.withdraw_exact_era``) only finds the pool while ``current_era`` equals one of the member's
  unlock eras, and (``lst.unbonding_members_overwrite``) then settles *every* unlocked entry (of
  any pool) against this pool's sub-pools;
* member records: ``UnbondingMembers`` is keyed by unlock era only; real
  (``lst.unbonding_members_overwrite``) lets a second unbond in the same era overwrite the first;
  intended adds to the entry of the same (era, pool) and keeps one entry per pool (so one era can
  hold entries of several pools: a documented deviation from the BTreeMap's shape);
* ``pool_withdraw_unbonded``: real (``lst.pool_withdraw_inverted``) refuses while the pool is
  Destroying (``NotDestroying``); intended allows it in every state (withdrawing unlocked chunks
  into the bonded account harms nobody).
"""

from __future__ import annotations

from typing import Any

from pallets.lst.errors import Error
from pallets.lst.events import Event
from pallets.lst.points import maybe_merge_pools, set_era_pool, unbond_pool_dissolve, unbond_pool_issue
from pallets.lst.types import EMPTY_SUB_POOLS, EMPTY_UNBOND_POOL, BondedPoolInner, PoolMember, PoolState


class UnbondingOps:
    """Mixin of the Lst pallet."""

    storage: Any
    consts: Any
    currency: Any
    fungibles: Any
    staking: Any
    ctx: Any

    def ok_to_unbond_with(self, pool_id: int, inner: BondedPoolInner, caller: str, member: str, total_points: int, unbonding_points: int) -> None:
        permissioned = caller == member
        depositor = member == inner.roles.depositor
        full = unbonding_points == total_points
        remaining = total_points - unbonding_points
        if not permissioned and not full:
            raise Error.PartialUnbondNotAllowedPermissionlessly()
        minimum = self.depositor_min_bond() if depositor else self.storage.MinJoinBond.value()  # type: ignore[attr-defined]
        left = remaining if self.ctx.quirk("lst.min_bond_compares_points") else self.pool_points_to_balance(pool_id, remaining)  # type: ignore[attr-defined]
        if not full and left < minimum:
            raise Error.MinimumBondNotMet()
        if permissioned and depositor:
            alleged = remaining if self.ctx.quirk("lst.depositor_cannot_fully_unbond") else total_points
            only_depositor = inner.state == PoolState.Destroying and self.points(pool_id) == alleged  # type: ignore[attr-defined]
            if not only_depositor and full:
                raise Error.MinimumBondNotMet()
        elif not permissioned and not depositor:
            if not (self.can_kick(inner, caller) or inner.state == PoolState.Destroying):  # type: ignore[attr-defined]
                raise Error.NotKickerOrDestroying()
        elif not permissioned and depositor:
            raise Error.DoesNotHavePermission()

    def ensure_unbond_leaves_pool_bonded(self, pool_id: int, balance: int) -> None:
        """Refuse a partial unbond that would leave the pool's active bond above zero but below the
        existential deposit.

        pallet_staking's ``unbond`` sweeps such a remainder into the unlocking chunk too, while the
        sub-pool records only ``balance``: the swept stake then belongs to no one, and the points the
        other holders keep are backed by nothing. Nomination pools avoid it by pinning the depositor's
        bond at ``MinCreateBond``; Lst pool tokens are transferable, so that guard does not hold here
        (found by the intended-profile fuzz campaign: a 1-point unbond unbonded a whole 10^10 pool).
        The last unbond of a pool leaves exactly zero and is allowed."""
        active = self.active_balance(pool_id)  # type: ignore[attr-defined]
        left = active - min(balance, active)
        if 0 < left < self.currency.existential_deposit():  # type: ignore[attr-defined]
            raise Error.MinimumBondNotMet()

    def do_unbond(self, caller: str, member: str, pool_id: int, unbonding_points: int) -> None:
        s = self.storage
        inner = self._get_pool(pool_id)  # type: ignore[attr-defined]
        total_points = self.fungibles.balance(pool_id, member)
        if total_points < unbonding_points:
            raise Error.NoBalanceToUnbond()
        if unbonding_points == 0 and not self.ctx.quirk("lst.zero_point_unbond"):
            # intended: nothing to unbond. The real pallet accepts it for any account, holder or not,
            # and records a 0-point unbonding chunk that dangles once the pool is dissolved (found by
            # a new user's fuzz run: invariant lst_references_resolve)
            raise Error.NoBalanceToUnbond()
        self.ok_to_unbond_with(pool_id, inner, caller, member, total_points, unbonding_points)
        price_after_burn = self.ctx.quirk("lst.unbond_burn_before_pricing")
        if not price_after_burn:
            balance = self.pool_points_to_balance(pool_id, unbonding_points)  # type: ignore[attr-defined]
        self.fungibles.burn_from(pool_id, member, unbonding_points, keep_alive=self.ctx.quirk("lst.no_full_unbond"))
        current_era = self.staking.current_era()
        unbond_era = current_era + self.staking.bonding_duration()
        if price_after_burn:
            balance = self.pool_points_to_balance(pool_id, unbonding_points)  # type: ignore[attr-defined]
        if not self.ctx.quirk("lst.unbond_sweeps_pool_dust"):
            self.ensure_unbond_leaves_pool_bonded(pool_id, balance)
        self.staking.unbond(self.bonded_account(pool_id), balance)  # type: ignore[attr-defined]
        sub_pools = maybe_merge_pools(s.SubPoolsStorage.get(pool_id) or EMPTY_SUB_POOLS, current_era, self.consts.PostUnbondingPoolsWindow)
        era_pool = sub_pools.get(unbond_era)
        if era_pool is None:
            if len(sub_pools.with_era) >= self.staking.bonding_duration() + self.consts.PostUnbondingPoolsWindow:
                raise Error.Defensive("NotEnoughSpaceInUnbondPool")
            era_pool = EMPTY_UNBOND_POOL
        era_pool, points_unbonded = unbond_pool_issue(era_pool, balance)
        sub_pools = set_era_pool(sub_pools, unbond_era, era_pool)
        self._record_unbonding(member, pool_id, unbond_era, points_unbonded)
        self.deposit_event(Event.Unbonded(member, pool_id, balance, points_unbonded, unbond_era))  # type: ignore[attr-defined]
        self._counted_insert("SubPoolsStorage", pool_id, sub_pools)  # type: ignore[attr-defined]

    def _record_unbonding(self, member: str, pool_id: int, era: int, points: int) -> None:
        record = self.storage.UnbondingMembers.get(member)
        entries = list(record.unbonding_eras) if record is not None else []
        if self.ctx.quirk("lst.unbonding_members_overwrite"):
            same = [i for i, (e, _) in enumerate(entries) if e == era]
            if same:
                entries[same[0]] = (era, (pool_id, points))  # overwrites (the chain only logs this)
            else:
                if len(entries) >= self.consts.MaxUnbonding:
                    raise Error.MaxUnbondingLimit()
                entries.append((era, (pool_id, points)))
        else:
            same = [i for i, (e, (p, _)) in enumerate(entries) if e == era and p == pool_id]
            if same:
                old = entries[same[0]][1][1]
                entries[same[0]] = (era, (pool_id, old + points))
            else:
                if len(entries) >= self.consts.MaxUnbonding:
                    raise Error.MaxUnbondingLimit()
                entries.append((era, (pool_id, points)))
        entries.sort(key=lambda x: (x[0], x[1][0]))
        self._counted_insert("UnbondingMembers", member, PoolMember(tuple(entries)))  # type: ignore[attr-defined]

    def do_withdraw_unbonded(self, caller: str, member: str, pool_id: int, num_slashing_spans: int) -> None:
        s = self.storage
        record = s.UnbondingMembers.get(member)
        if record is None:
            raise Error.PoolMemberNotFound()
        current_era = self.staking.current_era()
        exact = self.ctx.quirk("lst.withdraw_exact_era")
        if exact:
            found = any(e == current_era and p == pool_id for e, (p, _) in record.unbonding_eras)
        else:
            found = any(p == pool_id for _, (p, _) in record.unbonding_eras)
        if not found:
            raise Error.PoolNotFound()
        inner = s.BondedPools.get(pool_id)
        if inner is None:
            raise Error.Defensive("PoolNotFound")
        sub_pools = s.SubPoolsStorage.get(pool_id)
        if sub_pools is None:
            raise Error.SubPoolsNotFound()
        self.ok_to_withdraw_unbonded_with(inner, caller, member)  # type: ignore[attr-defined]
        any_pool = self.ctx.quirk("lst.unbonding_members_overwrite")
        withdrawn = [(e, pts) for e, (p, pts) in record.unbonding_eras if e <= current_era and (any_pool or p == pool_id)]
        if not withdrawn:
            raise Error.CannotWithdrawAny()
        kept = tuple(x for x in record.unbonding_eras if not (x[0] <= current_era and (any_pool or x[1][0] == pool_id)))
        record = PoolMember(kept)
        real_dissolve = self.ctx.quirk("lst.depositor_withdraw_dissolves_pool")
        if not real_dissolve and self.staking.stake(self.bonded_account(pool_id)) is None:  # type: ignore[attr-defined]
            stash_killed = True  # intended: an earlier leaver's withdraw already emptied the ledger
        else:
            stash_killed = self.withdraw_from_staking(pool_id, num_slashing_spans)  # type: ignore[attr-defined]
        if real_dissolve and stash_killed and caller != inner.roles.depositor:
            raise Error.Defensive("BondedStashKilledPrematurely")
        owed = 0
        points_sum = 0
        for era, points in withdrawn:
            points_sum += points
            era_pool = sub_pools.get(era)
            if era_pool is not None:
                era_pool, value = unbond_pool_dissolve(era_pool, points)
                sub_pools = set_era_pool(sub_pools, era, era_pool if era_pool.points else None)
            else:
                no_era, value = unbond_pool_dissolve(sub_pools.no_era, points)
                sub_pools = type(sub_pools)(no_era, sub_pools.with_era)
            owed += value
        # intended: the last one out (no tokens, nothing left unbonding) dissolves the pool
        pool_empty = self.points(pool_id) == 0 and sub_pools.no_era.points == 0 and all(p.points == 0 for _, p in sub_pools.with_era)  # type: ignore[attr-defined]
        # (intended: a killed stash harms nobody, its free balance still pays the remaining members)
        bonded = self.bonded_account(pool_id)  # type: ignore[attr-defined]
        transferable = max(self.currency.free_balance(bonded) - (self.staking.active_stake(bonded) or 0), 0)
        owed = min(owed, transferable)
        self.currency.transfer(bonded, member, owed, keep_alive=False)
        self.deposit_event(Event.Withdrawn(member, pool_id, owed, points_sum))  # type: ignore[attr-defined]
        if record.unbonding_points() == 0:
            self._counted_remove("UnbondingMembers", member)  # type: ignore[attr-defined]
            self.deposit_event(Event.MemberRemoved(pool_id, member))  # type: ignore[attr-defined]
        else:
            self._counted_insert("UnbondingMembers", member, record)  # type: ignore[attr-defined]
        if real_dissolve:
            dissolve = record.unbonding_points() == 0 and member == inner.roles.depositor
        else:
            dissolve = pool_empty
        if dissolve:
            self.dissolve_pool(pool_id, inner)  # type: ignore[attr-defined]
        else:
            self._counted_insert("SubPoolsStorage", pool_id, sub_pools)  # type: ignore[attr-defined]

    def do_pool_withdraw_unbonded(self, pool_id: int, num_slashing_spans: int) -> None:
        inner = self._get_pool(pool_id)  # type: ignore[attr-defined]
        if inner.state == PoolState.Destroying and self.ctx.quirk("lst.pool_withdraw_inverted"):
            raise Error.NotDestroying()
        self.withdraw_from_staking(pool_id, num_slashing_spans)  # type: ignore[attr-defined]
