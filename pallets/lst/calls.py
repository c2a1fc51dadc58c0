"""tangle-lst dispatchables (call indices and argument names as in the testnet metadata; indices
2, 15 and 16 were removed upstream). Check order follows ``pallets/tangle-lst/src/lib.rs``."""

from __future__ import annotations

import dataclasses

from runtime.origin import Origin, ensure_root, ensure_signed
from runtime.pallet import call
from runtime.primitives import U32, AccountId, Bytes, CompactBalance, MultiAddress, Perbill

from pallets.lst.errors import Error
from pallets.lst.events import Event
from pallets.lst.types import (
    EMPTY_REWARD_POOL,
    BondedPoolInner,
    BondExtra,
    Commission,
    CommissionChangeRate,
    CommissionClaimPermission,
    ConfigOpAccountId,
    ConfigOpPerbill,
    ConfigOpU32,
    ConfigOpU128,
    Icon,
    Name,
    PoolMetadata,
    PoolRoles,
    PoolState,
)


def _apply_config(item, op) -> None:  # type: ignore[no-untyped-def]
    if op.name == "Set":
        item.put(op.value)
    elif op.name == "Remove":
        item.kill()


def _apply_role(current: str | None, op: ConfigOpAccountId) -> str | None:
    if op.name == "Set":
        return op.value
    if op.name == "Remove":
        return None
    return current


class Calls:
    # ------------------------------------------------------------------ joining
    @call(0)
    def join(self, origin: Origin, amount: CompactBalance, pool_id: U32) -> None:
        """Bond ``amount`` into an Open pool; the caller receives pool tokens at the current price."""
        who = ensure_signed(origin)
        s = self.storage
        if amount < s.MinJoinBond.value():
            raise Error.MinimumBondNotMet()
        inner = self._get_pool(pool_id)
        self.ok_to_join(pool_id, inner)
        rp = self._reward_pool(pool_id)
        rp = self.update_records(pool_id, rp, self.points(pool_id), self._current(inner))
        self.try_bond_funds(pool_id, who, amount, create=False)
        self.deposit_event(Event.Bonded(who, pool_id, amount, True))
        s.RewardPools.insert(pool_id, rp)

    @call(1)
    def bond_extra(self, origin: Origin, pool_id: U32, extra: BondExtra) -> None:
        """Bond more free balance into the pool (anyone may: it is a second way to join)."""
        who = ensure_signed(origin)
        self.do_bond_extra(who, who, pool_id, extra)

    @call(14)
    def bond_extra_other(self, origin: Origin, member: MultiAddress, pool_id: U32, extra: BondExtra) -> None:
        """Bond extra for ``member``: only allowed by the member's ClaimPermission, which nothing can set."""
        who = ensure_signed(origin)
        self.do_bond_extra(who, member, pool_id, extra)

    def do_bond_extra(self, signer: str, member: str, pool_id: int, extra: BondExtra) -> None:
        if signer != member and not self.storage.ClaimPermissions.get(member).can_bond_extra():
            raise Error.DoesNotHavePermission()
        inner = self._get_pool(pool_id)
        self.ok_to_join(pool_id, inner)
        amount = extra.value
        self.try_bond_funds(pool_id, member, amount, create=False)
        self.ok_to_be_open(pool_id, inner)
        self.deposit_event(Event.Bonded(member, pool_id, amount, False))

    # ------------------------------------------------------------------ leaving
    @call(3)
    def unbond(self, origin: Origin, member_account: MultiAddress, pool_id: U32, unbonding_points: CompactBalance) -> None:
        """Burn ``unbonding_points`` of ``member_account``'s tokens and unbond what they are worth
        into the sub-pool of the unlock era (current era + BondingDuration)."""
        caller = ensure_signed(origin)
        self.do_unbond(caller, member_account, pool_id, unbonding_points)

    @call(4)
    def pool_withdraw_unbonded(self, origin: Origin, pool_id: U32, num_slashing_spans: U32) -> None:
        """Withdraw the pool's unlocked staking chunks into its bonded account (anyone may call)."""
        ensure_signed(origin)
        self.do_pool_withdraw_unbonded(pool_id, num_slashing_spans)

    @call(5)
    def withdraw_unbonded(self, origin: Origin, member_account: MultiAddress, pool_id: U32, num_slashing_spans: U32) -> None:
        """Pay ``member_account`` what its unlocked unbonding points are worth."""
        caller = ensure_signed(origin)
        self.do_withdraw_unbonded(caller, member_account, pool_id, num_slashing_spans)

    # ------------------------------------------------------------------ creating
    @call(6)
    def create(self, origin: Origin, amount: CompactBalance, root: MultiAddress, nominator: MultiAddress, bouncer: MultiAddress, name: Name | None, icon: Icon | None) -> None:  # type: ignore[valid-type]
        """Create pool ``LastPoolId + 1`` with its token (asset id = pool id), bonding ``amount``."""
        depositor = ensure_signed(origin)
        s = self.storage
        pool_id = s.LastPoolId.value() + 1
        if pool_id >= 1 << 32:
            raise Error.OverflowRisk()
        s.LastPoolId.put(pool_id)
        self.do_create(depositor, amount, root, nominator, bouncer, pool_id, name, icon)

    @call(7)
    def create_with_pool_id(self, origin: Origin, amount: CompactBalance, root: MultiAddress, nominator: MultiAddress, bouncer: MultiAddress, pool_id: U32, name: Name | None, icon: Icon | None) -> None:  # type: ignore[valid-type]
        """Create a pool with a free id below ``LastPoolId`` (e.g. one skipped or dissolved)."""
        depositor = ensure_signed(origin)
        s = self.storage
        if pool_id in s.BondedPools:
            raise Error.PoolIdInUse()
        if not pool_id < s.LastPoolId.value():
            raise Error.InvalidPoolId()
        self.do_create(depositor, amount, root, nominator, bouncer, pool_id, name, icon)

    def do_create(self, who: str, amount: int, root: str, nominator: str, bouncer: str, pool_id: int, name: bytes | None, icon: bytes | None) -> None:
        s = self.storage
        if self.fungibles.total_issuance(pool_id) != 0:
            raise Error.PoolTokenCreationFailed()
        admin = self.pallet_admin_account()
        self.fungibles.create(pool_id, admin, False, 1)
        token_name = name or b""
        self.fungibles.set_metadata(pool_id, admin, token_name, token_name, 18)
        if amount < self.depositor_min_bond():
            raise Error.MinimumBondNotMet()
        max_pools = s.MaxPools.value()
        if max_pools is not None and s.CounterForBondedPools.value() >= max_pools:
            raise Error.MaxPools()
        inner = BondedPoolInner(Commission(), PoolRoles(who, root, nominator, bouncer), PoolState.Open, PoolMetadata(name, icon))
        self.try_bond_funds(pool_id, who, amount, create=True)
        self.currency.transfer(who, self.reward_account(pool_id), self.currency.existential_deposit(), keep_alive=True)
        self._counted_insert("RewardPools", pool_id, EMPTY_REWARD_POOL)
        self._counted_insert("ReversePoolIdLookup", self.bonded_account(pool_id), pool_id)
        self.deposit_event(Event.Created(who, pool_id))
        self.deposit_event(Event.Bonded(who, pool_id, amount, True))
        self._put_pool(pool_id, inner)

    # ------------------------------------------------------------------ staking
    @call(8)
    def nominate(self, origin: Origin, pool_id: U32, validators: tuple[AccountId, ...]) -> None:
        """The pool's root or nominator chooses the validators its stake backs."""
        who = ensure_signed(origin)
        inner = self._get_pool(pool_id)
        if not self.can_nominate(inner, who):
            raise Error.NotNominator()
        self.staking.nominate(self.bonded_account(pool_id), list(validators))

    @call(13)
    def chill(self, origin: Origin, pool_id: U32) -> None:
        who = ensure_signed(origin)
        inner = self._get_pool(pool_id)
        if not self.can_nominate(inner, who):
            raise Error.NotNominator()
        self.staking.chill(self.bonded_account(pool_id))

    # ------------------------------------------------------------------ administration
    @call(9)
    def set_state(self, origin: Origin, pool_id: U32, state: PoolState) -> None:
        """Root/bouncer set any state (not out of Destroying); anyone may set Destroying on a pool
        that is no longer fit to be open (fully or heavily slashed)."""
        who = ensure_signed(origin)
        inner = self._get_pool(pool_id)
        if inner.state == PoolState.Destroying:
            raise Error.CanNotChangeState()
        if self.can_toggle_state(inner, who):
            inner = self.set_pool_state(pool_id, inner, state)
        else:
            try:
                self.ok_to_be_open(pool_id, inner)
                fit = True
            except Error.OverflowRisk:  # type: ignore[misc]
                fit = False
            if not fit and state == PoolState.Destroying:
                inner = self.set_pool_state(pool_id, inner, PoolState.Destroying)
            else:
                raise Error.CanNotChangeState()
        self._put_pool(pool_id, inner)

    @call(10)
    def set_metadata(self, origin: Origin, pool_id: U32, metadata: Bytes) -> None:
        who = ensure_signed(origin)
        if len(metadata) > self.consts.MaxMetadataLen:
            raise Error.MetadataExceedsMaxLen()
        if not self.can_set_metadata(self._get_pool(pool_id), who):
            raise Error.DoesNotHavePermission()
        self._counted_insert("Metadata", pool_id, metadata)

    @call(11)
    def set_configs(self, origin: Origin, min_join_bond: ConfigOpU128, min_create_bond: ConfigOpU128, max_pools: ConfigOpU32, global_max_commission: ConfigOpPerbill) -> None:
        ensure_root(origin)
        s = self.storage
        _apply_config(s.MinJoinBond, min_join_bond)
        _apply_config(s.MinCreateBond, min_create_bond)
        _apply_config(s.MaxPools, max_pools)
        _apply_config(s.GlobalMaxCommission, global_max_commission)

    @call(12)
    def update_roles(self, origin: Origin, pool_id: U32, new_root: ConfigOpAccountId, new_nominator: ConfigOpAccountId, new_bouncer: ConfigOpAccountId) -> None:
        """Root origin, or the pool's root role, changes the roles (the depositor never changes)."""
        if origin.is_root:
            inner = self._get_pool(pool_id)
        else:
            who = ensure_signed(origin)
            inner = self._get_pool(pool_id)
            if not self.is_root(inner, who):
                raise Error.DoesNotHavePermission()
        r = inner.roles
        roles = PoolRoles(r.depositor, _apply_role(r.root, new_root), _apply_role(r.nominator, new_nominator), _apply_role(r.bouncer, new_bouncer))
        self.deposit_event(Event.RolesUpdated(roles.root, roles.bouncer, roles.nominator))
        self._put_pool(pool_id, dataclasses.replace(inner, roles=roles))

    @call(23)
    def set_last_pool_id(self, origin: Origin, pool_id: U32) -> None:
        """Root: skip pool ids whose asset id is already taken by another asset."""
        ensure_root(origin)
        self.storage.LastPoolId.put(pool_id)
        self.deposit_event(Event.LastPoolIdUpdated(pool_id))

    # ------------------------------------------------------------------ commission
    def _commission_manager(self, origin: Origin, pool_id: int) -> BondedPoolInner:
        who = ensure_signed(origin)
        inner = self._get_pool(pool_id)
        if not self.is_root(inner, who):
            raise Error.DoesNotHavePermission()
        return inner

    @call(17)
    def set_commission(self, origin: Origin, pool_id: U32, new_commission: tuple[Perbill, AccountId] | None) -> None:
        inner = self._commission_manager(origin, pool_id)
        inner = self.do_set_commission(pool_id, inner, new_commission)
        self._put_pool(pool_id, inner)
        self.deposit_event(Event.PoolCommissionUpdated(pool_id, new_commission))

    @call(18)
    def set_commission_max(self, origin: Origin, pool_id: U32, max_commission: Perbill) -> None:
        inner = self._commission_manager(origin, pool_id)
        inner = self.do_set_commission_max(pool_id, inner, max_commission)
        self._put_pool(pool_id, inner)
        self.deposit_event(Event.PoolMaxCommissionUpdated(pool_id, max_commission))

    @call(19)
    def set_commission_change_rate(self, origin: Origin, pool_id: U32, change_rate: CommissionChangeRate) -> None:
        inner = self._commission_manager(origin, pool_id)
        inner = self.do_set_commission_change_rate(inner, change_rate)
        self._put_pool(pool_id, inner)
        self.deposit_event(Event.PoolCommissionChangeRateUpdated(pool_id, change_rate))

    @call(20)
    def claim_commission(self, origin: Origin, pool_id: U32) -> None:
        who = ensure_signed(origin)
        self.do_claim_commission(who, pool_id)

    @call(21)
    def adjust_pool_deposit(self, origin: Origin, pool_id: U32) -> None:
        """Top the reward account's reserved deposit up to (or down to) the existential deposit."""
        who = ensure_signed(origin)
        self.do_adjust_pool_deposit(who, pool_id)

    @call(22)
    def set_commission_claim_permission(self, origin: Origin, pool_id: U32, permission: CommissionClaimPermission | None) -> None:
        inner = self._commission_manager(origin, pool_id)
        inner = dataclasses.replace(inner, commission=dataclasses.replace(inner.commission, claim_permission=permission))
        self._put_pool(pool_id, inner)
        self.deposit_event(Event.PoolCommissionClaimPermissionUpdated(pool_id, permission))

