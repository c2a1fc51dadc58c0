"""pallet_assets dispatchables (Instance1, as configured on the Tangle testnet)."""

from __future__ import annotations

from runtime.errors import BadOrigin
from runtime.origin import Origin, ensure_root, ensure_signed
from runtime.pallet import call
from runtime.primitives import U8, U128, Bool, Bytes, CompactU128, MultiAddress

from pallets.assets.errors import Error
from pallets.assets.events import Event
from pallets.assets.fungibles import _replace
from pallets.assets.types import EMPTY_METADATA, AccountStatus, Approval, AssetDetails, AssetMetadata, AssetStatus, ExistenceReason

LST_PALLET_ID = b"py/tnlst"


class Calls:
    # ------------------------------------------------------------------ helpers
    def _live(self, asset_id: int) -> AssetDetails:
        d = self.details(asset_id)
        if d is None:
            raise Error.Unknown()
        if d.status != AssetStatus.Live:
            raise Error.AssetNotLive()
        return d

    def _existing(self, asset_id: int) -> AssetDetails:
        d = self.details(asset_id)
        if d is None:
            raise Error.Unknown()
        return d

    # ------------------------------------------------------------------ creation
    @call(0)
    def create(self, origin: Origin, id: CompactU128, admin: MultiAddress, min_balance: U128) -> None:
        """Create an asset. On the testnet ``CreateOrigin`` is the Lst pallet account only
        (pool tokens share the asset id space), so ordinary accounts get ``BadOrigin``;
        use ``force_create`` (root) or genesis assets instead."""
        owner = ensure_signed(origin)
        if owner != self.ctx.pallet_account(LST_PALLET_ID):
            raise BadOrigin()
        if self.asset_exists(id):
            raise Error.InUse()
        if min_balance == 0:
            raise Error.MinBalanceZero()
        deposit = self.consts.AssetDeposit
        self.currency.reserve(owner, deposit)
        self.storage.Asset.insert(id, AssetDetails(owner, admin, admin, admin, 0, deposit, min_balance, False, 0, 0, 0, AssetStatus.Live))
        self.deposit_event(Event.Created(id, owner, admin))

    @call(1)
    def force_create(self, origin: Origin, id: CompactU128, owner: MultiAddress, is_sufficient: Bool, min_balance: CompactU128) -> None:
        ensure_root(origin)
        if self.asset_exists(id):
            raise Error.InUse()
        if min_balance == 0:
            raise Error.MinBalanceZero()
        self.storage.Asset.insert(id, AssetDetails(owner, owner, owner, owner, 0, 0, min_balance, is_sufficient, 0, 0, 0, AssetStatus.Live))
        self.deposit_event(Event.ForceCreated(id, owner))

    # ------------------------------------------------------------------ destruction
    @call(2)
    def start_destroy(self, origin: Origin, id: CompactU128) -> None:
        d = self._existing(id)
        if origin.kind != "root" and ensure_signed(origin) != d.owner:
            raise Error.NoPermission()
        if d.status != AssetStatus.Live:
            raise Error.AssetNotLive()
        self.storage.Asset.insert(id, _replace(d, status=AssetStatus.Destroying))
        self.deposit_event(Event.DestructionStarted(id))

    @call(3)
    def destroy_accounts(self, origin: Origin, id: CompactU128) -> None:
        ensure_signed(origin)
        d = self._existing(id)
        if d.status != AssetStatus.Destroying:
            raise Error.IncorrectStatus()
        removed = 0
        for (aid, who), acc in self.storage.Account.items():
            if aid != id or removed >= self.consts.RemoveItemsLimit:
                continue
            self.storage.Account.remove((aid, who))
            d = self.details(id)
            # as pallet_assets' do_destroy_accounts: the balance goes with the account, the supply is
            # left as it was (the asset is being destroyed; finish_destroy removes it whole)
            d = self._dead_account(who, d, acc.reason)
            self.storage.Asset.insert(id, d)
            removed += 1
        d = self.details(id)
        self.deposit_event(Event.AccountsDestroyed(id, removed, d.accounts))

    @call(4)
    def destroy_approvals(self, origin: Origin, id: CompactU128) -> None:
        ensure_signed(origin)
        d = self._existing(id)
        if d.status != AssetStatus.Destroying:
            raise Error.IncorrectStatus()
        removed = 0
        for key, approval in self.storage.Approvals.items():
            if key[0] != id:
                continue
            self.storage.Approvals.remove(key)
            self.currency.unreserve(key[1], approval.deposit)
            removed += 1
        d = self.details(id)
        self.storage.Asset.insert(id, _replace(d, approvals=d.approvals - removed))
        self.deposit_event(Event.ApprovalsDestroyed(id, removed, d.approvals - removed))

    @call(5)
    def finish_destroy(self, origin: Origin, id: CompactU128) -> None:
        ensure_signed(origin)
        d = self._existing(id)
        if d.status != AssetStatus.Destroying:
            raise Error.IncorrectStatus()
        if d.accounts or d.approvals:
            raise Error.InUse()
        self.currency.unreserve(d.owner, d.deposit)
        self.storage.Asset.remove(id)
        self.storage.DustDestroyed.remove(id)  # extension bookkeeping goes with the asset
        meta = self.storage.Metadata.take(id)
        if meta is not None and meta.deposit:
            self.currency.unreserve(d.owner, meta.deposit)
        self.deposit_event(Event.Destroyed(id))

    # ------------------------------------------------------------------ supply
    @call(6)
    def mint(self, origin: Origin, id: CompactU128, beneficiary: MultiAddress, amount: CompactU128) -> None:
        self._by_role(origin, id, "issuer")
        self.do_mint(id, beneficiary, amount)

    @call(7)
    def burn(self, origin: Origin, id: CompactU128, who: MultiAddress, amount: CompactU128) -> None:
        self._by_role(origin, id, "admin")
        if self.storage.Account.get((id, who)) is None:
            raise Error.NoAccount()
        self.do_burn(id, who, amount, keep_alive=False, best_effort=True)

    # ------------------------------------------------------------------ transfers
    @call(8)
    def transfer(self, origin: Origin, id: CompactU128, target: MultiAddress, amount: CompactU128) -> None:  # type: ignore[override]
        self.do_transfer(id, ensure_signed(origin), target, amount, keep_alive=False)

    @call(9)
    def transfer_keep_alive(self, origin: Origin, id: CompactU128, target: MultiAddress, amount: CompactU128) -> None:
        self.do_transfer(id, ensure_signed(origin), target, amount, keep_alive=True)

    @call(10)
    def force_transfer(self, origin: Origin, id: CompactU128, source: MultiAddress, dest: MultiAddress, amount: CompactU128) -> None:
        self._by_role(origin, id, "admin", live=False)
        self.do_transfer(id, source, dest, amount, keep_alive=False)

    # ------------------------------------------------------------------ freezing
    def _by_role(self, origin: Origin, id: int, role: str, live: bool = True) -> AssetDetails:
        """The asset, if the signer holds ``role`` (owner/issuer/admin/freezer) on it; NoPermission otherwise."""
        caller = ensure_signed(origin)
        d = self._live(id) if live else self._existing(id)
        if caller != getattr(d, role):
            raise Error.NoPermission()
        return d

    def _set_account_status(self, id: int, who: str, status: AccountStatus) -> None:
        acc = self.storage.Account.get((id, who))
        if acc is None:
            raise Error.NoAccount()
        self.storage.Account.insert((id, who), _replace(acc, status=status))

    @call(11)
    def freeze(self, origin: Origin, id: CompactU128, who: MultiAddress) -> None:
        self._by_role(origin, id, "freezer")
        self._set_account_status(id, who, AccountStatus.Frozen)
        self.deposit_event(Event.Frozen(id, who))

    @call(12)
    def thaw(self, origin: Origin, id: CompactU128, who: MultiAddress) -> None:
        self._by_role(origin, id, "admin")
        self._set_account_status(id, who, AccountStatus.Liquid)
        self.deposit_event(Event.Thawed(id, who))

    @call(13)
    def freeze_asset(self, origin: Origin, id: CompactU128) -> None:
        d = self._by_role(origin, id, "freezer")
        self.storage.Asset.insert(id, _replace(d, status=AssetStatus.Frozen))
        self.deposit_event(Event.AssetFrozen(id))

    @call(14)
    def thaw_asset(self, origin: Origin, id: CompactU128) -> None:
        d = self._by_role(origin, id, "admin", live=False)
        if d.status != AssetStatus.Frozen:
            raise Error.NotFrozen()
        self.storage.Asset.insert(id, _replace(d, status=AssetStatus.Live))
        self.deposit_event(Event.AssetThawed(id))

    @call(31)
    def block(self, origin: Origin, id: CompactU128, who: MultiAddress) -> None:
        self._by_role(origin, id, "freezer")
        self._set_account_status(id, who, AccountStatus.Blocked)
        self.deposit_event(Event.Blocked(id, who))

    # ------------------------------------------------------------------ team and metadata
    @call(15)
    def transfer_ownership(self, origin: Origin, id: CompactU128, owner: MultiAddress) -> None:
        d = self._by_role(origin, id, "owner")
        if owner == d.owner:
            return
        self.storage.Asset.insert(id, _replace(d, owner=owner))
        self.deposit_event(Event.OwnerChanged(id, owner))

    @call(16)
    def set_team(self, origin: Origin, id: CompactU128, issuer: MultiAddress, admin: MultiAddress, freezer: MultiAddress) -> None:
        d = self._by_role(origin, id, "owner")
        self.storage.Asset.insert(id, _replace(d, issuer=issuer, admin=admin, freezer=freezer))
        self.deposit_event(Event.TeamChanged(id, issuer, admin, freezer))

    @call(17)
    def set_metadata(self, origin: Origin, id: CompactU128, name: Bytes, symbol: Bytes, decimals: U8) -> None:  # type: ignore[override]
        caller = ensure_signed(origin)
        limit = self.consts.StringLimit
        if len(name) > limit or len(symbol) > limit:
            raise Error.BadMetadata()
        d = self._live(id)
        if caller != d.owner:
            raise Error.NoPermission()
        old = self.storage.Metadata.get(id)
        if old.is_frozen:
            raise Error.NoPermission()
        self.storage.Metadata.insert(id, AssetMetadata(old.deposit, name, symbol, decimals, False))
        self.deposit_event(Event.MetadataSet(id, name, symbol, decimals, False))

    @call(18)
    def clear_metadata(self, origin: Origin, id: CompactU128) -> None:
        self._by_role(origin, id, "owner")
        if id not in self.storage.Metadata:
            raise Error.Unknown()
        self.storage.Metadata.remove(id)
        self.deposit_event(Event.MetadataCleared(id))

    @call(19)
    def force_set_metadata(self, origin: Origin, id: CompactU128, name: Bytes, symbol: Bytes, decimals: U8, is_frozen: Bool) -> None:
        ensure_root(origin)
        limit = self.consts.StringLimit
        if len(name) > limit or len(symbol) > limit:
            raise Error.BadMetadata()
        self._existing(id)
        old = self.storage.Metadata.get(id)
        self.storage.Metadata.insert(id, AssetMetadata(old.deposit, name, symbol, decimals, is_frozen))
        self.deposit_event(Event.MetadataSet(id, name, symbol, decimals, is_frozen))

    @call(20)
    def force_clear_metadata(self, origin: Origin, id: CompactU128) -> None:
        ensure_root(origin)
        self._existing(id)
        if id not in self.storage.Metadata:
            raise Error.Unknown()
        self.storage.Metadata.remove(id)
        self.deposit_event(Event.MetadataCleared(id))

    @call(21)
    def force_asset_status(self, origin: Origin, id: CompactU128, owner: MultiAddress, issuer: MultiAddress, admin: MultiAddress, freezer: MultiAddress, min_balance: CompactU128, is_sufficient: Bool, is_frozen: Bool) -> None:
        ensure_root(origin)
        d = self._existing(id)
        if min_balance == 0:
            raise Error.MinBalanceZero()
        status = AssetStatus.Frozen if is_frozen else (AssetStatus.Live if d.status != AssetStatus.Destroying else d.status)
        self.storage.Asset.insert(id, _replace(d, owner=owner, issuer=issuer, admin=admin, freezer=freezer, min_balance=min_balance, is_sufficient=is_sufficient, status=status))
        self.deposit_event(Event.AssetStatusChanged(id))

    @call(28)
    def set_min_balance(self, origin: Origin, id: CompactU128, min_balance: U128) -> None:
        d = self._by_role(origin, id, "owner")
        if min_balance > d.min_balance and d.accounts > 0:
            raise Error.NoPermission("min_balance can only rise while the asset has no accounts")
        if min_balance == 0:
            raise Error.MinBalanceZero()
        self.storage.Asset.insert(id, _replace(d, min_balance=min_balance))
        self.deposit_event(Event.AssetMinBalanceChanged(id, min_balance))

    # ------------------------------------------------------------------ approvals
    @call(22)
    def approve_transfer(self, origin: Origin, id: CompactU128, delegate: MultiAddress, amount: CompactU128) -> None:
        owner = ensure_signed(origin)
        d = self._live(id)
        key = (id, owner, delegate)
        old = self.storage.Approvals.get(key)
        deposit = old.deposit if old else self.consts.ApprovalDeposit
        if old is None:
            self.currency.reserve(owner, deposit)
            self.storage.Asset.insert(id, _replace(d, approvals=d.approvals + 1))
        total = (old.amount if old else 0) + amount
        self.storage.Approvals.insert(key, Approval(total, deposit))
        self.deposit_event(Event.ApprovedTransfer(id, owner, delegate, total))

    @call(23)
    def cancel_approval(self, origin: Origin, id: CompactU128, delegate: MultiAddress) -> None:
        owner = ensure_signed(origin)
        d = self._live(id)
        approval = self.storage.Approvals.take((id, owner, delegate))
        if approval is None:
            raise Error.Unknown()
        self.currency.unreserve(owner, approval.deposit)
        self.storage.Asset.insert(id, _replace(d, approvals=d.approvals - 1))
        self.deposit_event(Event.ApprovalCancelled(id, owner, delegate))

    @call(24)
    def force_cancel_approval(self, origin: Origin, id: CompactU128, owner: MultiAddress, delegate: MultiAddress) -> None:
        d = self._live(id)
        if origin.kind != "root" and ensure_signed(origin) != d.admin:
            raise Error.NoPermission()
        approval = self.storage.Approvals.take((id, owner, delegate))
        if approval is None:
            raise Error.Unknown()
        self.currency.unreserve(owner, approval.deposit)
        self.storage.Asset.insert(id, _replace(d, approvals=d.approvals - 1))
        self.deposit_event(Event.ApprovalCancelled(id, owner, delegate))

    @call(25)
    def transfer_approved(self, origin: Origin, id: CompactU128, owner: MultiAddress, destination: MultiAddress, amount: CompactU128) -> None:
        delegate = ensure_signed(origin)
        self._live(id)
        key = (id, owner, delegate)
        approval = self.storage.Approvals.get(key)
        if approval is None:
            raise Error.Unapproved()
        if amount > approval.amount:
            raise Error.Unapproved()
        self.do_transfer(id, owner, destination, amount, keep_alive=False)
        left = approval.amount - amount
        if left == 0:
            self.storage.Approvals.remove(key)
            self.currency.unreserve(owner, approval.deposit)
            d = self.details(id)
            self.storage.Asset.insert(id, _replace(d, approvals=d.approvals - 1))
        else:
            self.storage.Approvals.insert(key, Approval(left, approval.deposit))
        self.deposit_event(Event.TransferredApproved(id, owner, delegate, destination, amount))

    # ------------------------------------------------------------------ touch / refund
    @call(26)
    def touch(self, origin: Origin, id: CompactU128) -> None:
        who = ensure_signed(origin)
        self._touch(id, who, who)

    @call(29)
    def touch_other(self, origin: Origin, id: CompactU128, who: MultiAddress) -> None:
        depositor = ensure_signed(origin)
        d = self._live(id)
        if depositor not in (d.admin, d.freezer):
            raise Error.NoPermission()
        self._touch(id, who, depositor)

    def _touch(self, id: int, who: str, depositor: str) -> None:
        d = self._live(id)
        if self.storage.Account.get((id, who)) is not None:
            raise Error.AlreadyExists()
        deposit = self.consts.AssetAccountDeposit
        self.currency.reserve(depositor, deposit)
        reason = ExistenceReason.DepositHeld(deposit) if depositor == who else ExistenceReason.DepositFrom((depositor, deposit))
        from pallets.assets.types import AssetAccount

        self.storage.Account.insert((id, who), AssetAccount(0, AccountStatus.Liquid, reason, ()))
        self.storage.Asset.insert(id, _replace(d, accounts=d.accounts + 1))
        self.deposit_event(Event.Touched(id, who, depositor))

    @call(27)
    def refund(self, origin: Origin, id: CompactU128, allow_burn: Bool) -> None:
        who = ensure_signed(origin)
        self._refund(id, who, allow_burn)

    @call(30)
    def refund_other(self, origin: Origin, id: CompactU128, who: MultiAddress) -> None:
        caller = ensure_signed(origin)
        acc = self.storage.Account.get((id, who))
        if acc is None:
            raise Error.NoDeposit()
        d = self._existing(id)
        if acc.reason.name != "DepositFrom" or caller not in (acc.reason.value[0], d.admin, d.freezer):
            raise Error.NoPermission()
        self._refund(id, who, False)

    def _refund(self, id: int, who: str, allow_burn: bool) -> None:
        acc = self.storage.Account.get((id, who))
        if acc is None:
            raise Error.NoDeposit()
        if acc.reason.name not in ("DepositHeld", "DepositFrom"):
            raise Error.NoDeposit()
        if acc.balance and not allow_burn:
            raise Error.WouldBurn()
        d = self._existing(id)
        if acc.reason.name == "DepositHeld":
            self.currency.unreserve(who, acc.reason.value)
        else:
            self.currency.unreserve(acc.reason.value[0], acc.reason.value[1])
        self.storage.Account.remove((id, who))
        self.storage.Asset.insert(id, _replace(d, accounts=d.accounts - 1, supply=d.supply - acc.balance))
        if acc.balance:
            self.deposit_event(Event.Burned(id, who, acc.balance))
