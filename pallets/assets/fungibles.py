"""pallet_assets' balance logic and the ``Fungibles`` trait other pallets use.

Accounts of a non-sufficient asset need the holder to exist natively (a consumer reference on
System.Account, as pallet_assets takes); sufficient assets give the holder a sufficient reference
instead. A balance falling below ``min_balance`` in an expendable transfer takes its dust along and
removes the account. Internal callers (MultiAssetDelegation, Services, Lst) see ``Token(...)``
errors, as through ``fungibles::Mutate``; the extrinsics see the pallet's own errors.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

from runtime.errors import Arithmetic, Token

from pallets.assets.errors import Error
from pallets.assets.events import Event
from pallets.assets.types import AccountStatus, AssetAccount, AssetDetails, AssetMetadata, AssetStatus, ExistenceReason

if TYPE_CHECKING:
    from pallets.system import System

MAX = (1 << 128) - 1


class FungiblesImpl:
    """Mixin of the Assets pallet: balance bookkeeping shared by its calls and the Fungibles trait."""

    system: "System"
    storage: object
    consts: object

    # ------------------------------------------------------------------ inspection
    def details(self, asset_id: int) -> AssetDetails | None:
        return self.storage.Asset.get(asset_id)  # type: ignore[attr-defined]

    def asset_exists(self, asset_id: int) -> bool:
        return asset_id in self.storage.Asset  # type: ignore[attr-defined]

    def asset_ids(self) -> list[int]:
        return sorted(self.storage.Asset.keys())  # type: ignore[attr-defined]

    def total_issuance(self, asset_id: int) -> int:
        d = self.details(asset_id)
        return d.supply if d else 0

    def minimum_balance(self, asset_id: int) -> int:
        d = self.details(asset_id)
        return d.min_balance if d else 0

    def balance(self, asset_id: int, who: str) -> int:
        acc = self.storage.Account.get((asset_id, who))  # type: ignore[attr-defined]
        return acc.balance if acc else 0

    def reducible_balance(self, asset_id: int, who: str, keep_alive: bool) -> int:
        d = self.details(asset_id)
        acc = self.storage.Account.get((asset_id, who))  # type: ignore[attr-defined]
        if d is None or acc is None or d.status != AssetStatus.Live or acc.status != AccountStatus.Liquid:
            return 0
        amount = max(acc.balance - d.min_balance, 0) if keep_alive else acc.balance
        return min(amount, d.supply)  # as pallet_assets: never more than the whole supply

    # ------------------------------------------------------------------ consequences (functions.rs)
    def can_increase(self, asset_id: int, who: str, amount: int, increase_supply: bool) -> str:
        """pallet_assets ``can_increase``: a ``DepositConsequence`` variant name, checks in its order."""
        d = self.details(asset_id)
        if d is None or d.status == AssetStatus.Destroying:
            return "UnknownAsset"
        if increase_supply and d.supply + amount > MAX:
            return "Overflow"
        acc = self.storage.Account.get((asset_id, who))  # type: ignore[attr-defined]
        if acc is not None:
            if acc.status == AccountStatus.Blocked:
                return "Blocked"
            if acc.balance + amount > MAX:
                return "Overflow"
            return "Success"
        if amount < d.min_balance:
            return "BelowMinimum"
        # frame_system::can_accrue_consumers(who, 2): a provider reference is needed (sufficients do
        # not count); the MaxConsumers bound is not modelled.
        if not d.is_sufficient and self.system.account(who).providers == 0:
            return "CannotCreate"
        return "Success"

    def can_decrease(self, asset_id: int, who: str, amount: int, keep_alive: bool) -> tuple[str, int]:
        """pallet_assets ``can_decrease``: a ``WithdrawConsequence`` (variant name, ``ReducedToZero``'s
        dust). The supply is checked first, so more than the whole supply is an ``Underflow`` whatever
        the account holds. (Tangle configures no ``Freezer``, so frozen balances are not checked.)"""
        d = self.details(asset_id)
        if d is None:
            return "UnknownAsset", 0
        if d.supply < amount:
            return "Underflow", 0
        if d.status == AssetStatus.Frozen:
            return "Frozen", 0
        if d.status == AssetStatus.Destroying:
            return "UnknownAsset", 0
        if amount == 0:
            return "Success", 0
        acc = self.storage.Account.get((asset_id, who))  # type: ignore[attr-defined]
        if acc is None:
            return "BalanceLow", 0
        if acc.status != AccountStatus.Liquid:  # AccountStatus::is_frozen: Frozen or Blocked
            return "Frozen", 0
        if acc.balance < amount:
            return "BalanceLow", 0
        rest = acc.balance - amount
        if rest < d.min_balance:
            return ("WouldDie", 0) if keep_alive else ("ReducedToZero", rest)
        return "Success", 0

    # ------------------------------------------------------------------ account lifecycle
    def _new_account(self, asset_id: int, who: str, d: AssetDetails, balance: int) -> tuple[AssetAccount, AssetDetails]:
        if d.is_sufficient:
            self.system.inc_sufficients(who)
            reason = ExistenceReason.Sufficient
            d = _replace(d, accounts=d.accounts + 1, sufficients=d.sufficients + 1)
        else:
            info = self.system.account(who)
            if info.providers == 0 and info.sufficients == 0:
                raise Token.CannotCreate()
            self.system.inc_consumers(who)
            reason = ExistenceReason.Consumer
            d = _replace(d, accounts=d.accounts + 1)
        return AssetAccount(balance, AccountStatus.Liquid, reason, ()), d

    def _dead_account(self, who: str, d: AssetDetails, reason: ExistenceReason) -> AssetDetails:
        if reason == ExistenceReason.Sufficient:
            self.system.dec_sufficients(who)
            return _replace(d, accounts=d.accounts - 1, sufficients=d.sufficients - 1)
        if reason == ExistenceReason.Consumer:
            self.system.dec_consumers(who)
        return _replace(d, accounts=d.accounts - 1)

    # ------------------------------------------------------------------ moves (internal; extrinsic-style errors)
    def _debit(self, asset_id: int, who: str, amount: int, keep_alive: bool, best_effort: bool = False, force: bool = False) -> tuple[int, int]:
        """Check a debit; returns (actual amount, dust taken along). Raises Assets errors."""
        d = self.details(asset_id)
        if d is None:
            raise Error.Unknown()
        if d.status != AssetStatus.Live and not force:
            raise Error.AssetNotLive()
        acc = self.storage.Account.get((asset_id, who))  # type: ignore[attr-defined]
        if acc is None:
            raise Error.NoAccount()
        if acc.status != AccountStatus.Liquid and not force:
            raise Error.Frozen()
        available = acc.balance - d.min_balance if keep_alive else acc.balance
        available = max(available, 0)
        actual = min(amount, available) if best_effort else amount
        if actual > available:
            raise Error.BalanceLow()
        remaining = acc.balance - actual
        dust = remaining if 0 < remaining < d.min_balance else 0
        return actual, dust

    def _credit_check(self, asset_id: int, who: str, amount: int, d: AssetDetails) -> None:
        """``prep_credit``'s ``can_increase(.., increase_supply=false)``."""
        deposit_result(self.can_increase(asset_id, who, amount, increase_supply=False))

    def _apply_debit(self, asset_id: int, who: str, amount: int) -> None:
        accounts = self.storage.Account  # type: ignore[attr-defined]
        acc = accounts.get((asset_id, who))
        left = acc.balance - amount
        # pallet_assets' dead_account (force = false): an account whose existence is paid by a held
        # deposit (touch) is kept at zero, so its deposit stays refundable (``refund``)
        if left == 0 and acc.reason.name not in ("DepositHeld", "DepositFrom"):
            accounts.remove((asset_id, who))
            d = self._dead_account(who, self.details(asset_id), acc.reason)
            self.storage.Asset.insert(asset_id, d)  # type: ignore[attr-defined]
        else:
            accounts.insert((asset_id, who), _replace(acc, balance=left))

    def _apply_credit(self, asset_id: int, who: str, amount: int) -> None:
        accounts = self.storage.Account  # type: ignore[attr-defined]
        acc = accounts.get((asset_id, who))
        if acc is None:
            new, d = self._new_account(asset_id, who, self.details(asset_id), amount)
            accounts.insert((asset_id, who), new)
            self.storage.Asset.insert(asset_id, d)  # type: ignore[attr-defined]
        else:
            accounts.insert((asset_id, who), _replace(acc, balance=acc.balance + amount))

    def do_transfer(self, asset_id: int, source: str, dest: str, amount: int, *, keep_alive: bool, force: bool = False,
                    destroy_dust: bool = False) -> int:
        """Move ``amount`` (plus dust if the source dies); emits ``Transferred``. Returns the amount moved.
        ``destroy_dust``: the dust leaves the source but reaches no one (the real trait transfer's quirk)."""
        actual, dust = self._debit(asset_id, source, amount, keep_alive, force=force)
        d = self.details(asset_id)
        if source == dest or actual == 0:
            return actual
        credit = actual if destroy_dust else actual + dust
        self._credit_check(asset_id, dest, credit, d)  # type: ignore[arg-type]
        self._apply_debit(asset_id, source, actual + dust)
        self._apply_credit(asset_id, dest, credit)
        if destroy_dust and dust:
            lost = self.storage.DustDestroyed  # type: ignore[attr-defined]
            lost.insert(asset_id, (lost.get(asset_id) or 0) + dust)
        self.deposit_event(Event.Transferred(asset_id, source, dest, credit))  # type: ignore[attr-defined]
        return credit

    def do_mint(self, asset_id: int, who: str, amount: int) -> None:
        d = self.details(asset_id)
        if d is None:
            raise Error.Unknown()
        if d.status != AssetStatus.Live:
            raise Error.AssetNotLive()
        if amount == 0:
            return
        if d.supply + amount > MAX:
            raise Arithmetic.Overflow()
        self._credit_check(asset_id, who, amount, d)
        self._apply_credit(asset_id, who, amount)
        d = self.details(asset_id)
        self.storage.Asset.insert(asset_id, _replace(d, supply=d.supply + amount))  # type: ignore[attr-defined]
        self.deposit_event(Event.Issued(asset_id, who, amount))  # type: ignore[attr-defined]

    def do_burn(self, asset_id: int, who: str, amount: int, *, keep_alive: bool, best_effort: bool) -> int:
        actual, dust = self._debit(asset_id, who, amount, keep_alive, best_effort=best_effort, force=True)
        total = actual + dust
        if total == 0:
            return 0
        self._apply_debit(asset_id, who, total)
        d = self.details(asset_id)
        self.storage.Asset.insert(asset_id, _replace(d, supply=d.supply - total))  # type: ignore[attr-defined]
        self.deposit_event(Event.Burned(asset_id, who, total))  # type: ignore[attr-defined]
        return total

class Fungibles:
    """:class:`runtime.traits.Fungibles` for the Assets pallet (its calls use the same names, so the
    trait lives on this adapter, as Rust keeps trait methods apart from dispatchables)."""

    def __init__(self, pallet: "FungiblesImpl") -> None:
        self.p = pallet

    def asset_exists(self, asset_id: int) -> bool:
        return self.p.asset_exists(asset_id)

    def asset_ids(self) -> list[int]:
        return self.p.asset_ids()

    def total_issuance(self, asset_id: int) -> int:
        return self.p.total_issuance(asset_id)

    def minimum_balance(self, asset_id: int) -> int:
        return self.p.minimum_balance(asset_id)

    def balance(self, asset_id: int, who: str) -> int:
        return self.p.balance(asset_id, who)

    def reducible_balance(self, asset_id: int, who: str, keep_alive: bool) -> int:
        return self.p.reducible_balance(asset_id, who, keep_alive)

    def transfer(self, asset_id: int, source: str, dest: str, amount: int, *, keep_alive: bool) -> None:
        """``fungibles::Mutate::transfer`` (the trait's default, over pallet_assets' ``Unbalanced``):
        ``can_withdraw`` (= ``can_decrease(.., keep_alive=false)``, its consequence turned into an
        error with ``keep_nonzero = keep_alive``), then ``can_deposit`` (``can_increase`` without a
        supply increase), then the debit and the credit. So a transfer of more than the asset's whole
        supply answers ``Arithmetic.Underflow`` before the source's funds are looked at."""
        p = self.p
        withdraw_result(p.can_decrease(asset_id, source, amount, keep_alive=False), keep_nonzero=keep_alive)
        deposit_result(p.can_increase(asset_id, dest, amount, increase_supply=False))
        if source == dest:
            return
        d = p.details(asset_id)
        if amount and d.status != AssetStatus.Live:  # type: ignore[union-attr]
            raise Error.AssetNotLive()  # pallet decrease_balance (unreachable after can_decrease; kept in order)
        if amount == 0:  # done_transfer still runs
            p.deposit_event(Event.Transferred(asset_id, source, dest, 0))  # type: ignore[attr-defined]
            return
        p.do_transfer(asset_id, source, dest, amount, keep_alive=keep_alive,
                      destroy_dust=not keep_alive and p.ctx.quirk("assets.trait_transfer_destroys_dust"))

    def mint_into(self, asset_id: int, who: str, amount: int) -> None:
        """``fungibles::Mutate::mint_into``: issuance overflow, then pallet ``increase_balance``
        (``can_increase`` with a supply increase, then the asset must be Live)."""
        p = self.p
        if p.total_issuance(asset_id) + amount > MAX:
            raise Arithmetic.Overflow()
        if amount:
            deposit_result(p.can_increase(asset_id, who, amount, increase_supply=True))
            if p.details(asset_id).status != AssetStatus.Live:  # type: ignore[union-attr]
                raise Error.AssetNotLive()
        if amount == 0:  # done_mint_into still runs
            p.deposit_event(Event.Issued(asset_id, who, 0))  # type: ignore[attr-defined]
            return
        p.do_mint(asset_id, who, amount)

    def burn_from(self, asset_id: int, who: str, amount: int, *, keep_alive: bool = False) -> int:
        """``fungibles::Mutate::burn_from`` with ``Precision::Exact``: the trait's ``reducible_balance``
        (0 for an unknown or non-Live asset, a missing or frozen account; never above the supply) must
        cover ``amount`` (``Token.FundsUnavailable``), then the pallet's best-effort debit."""
        p = self.p
        if min(p.reducible_balance(asset_id, who, keep_alive), amount) != amount:
            raise Token.FundsUnavailable()
        if amount == 0:  # done_burn_from still runs
            p.deposit_event(Event.Burned(asset_id, who, 0))  # type: ignore[attr-defined]
            return 0
        return p.do_burn(asset_id, who, amount, keep_alive=keep_alive, best_effort=True)

    def create(self, asset_id: int, admin: str, is_sufficient: bool, min_balance: int) -> None:
        """fungibles::Create: no deposit, no origin check (how Lst creates pool tokens)."""
        p = self.p
        if p.asset_exists(asset_id):
            raise Error.InUse()
        if min_balance == 0:
            raise Error.MinBalanceZero()
        p.storage.Asset.insert(asset_id, AssetDetails(admin, admin, admin, admin, 0, 0, min_balance, is_sufficient, 0, 0, 0, AssetStatus.Live))  # type: ignore[attr-defined]
        p.deposit_event(Event.Created(asset_id, admin, admin))  # type: ignore[attr-defined]

    def set_metadata(self, asset_id: int, owner: str, name: bytes, symbol: bytes, decimals: int) -> None:
        p = self.p
        limit = p.consts.StringLimit  # type: ignore[attr-defined]
        if len(name) > limit or len(symbol) > limit:
            raise Error.BadMetadata()
        if not p.asset_exists(asset_id):
            raise Error.Unknown()
        p.storage.Metadata.insert(asset_id, AssetMetadata(0, name, symbol, decimals, False))  # type: ignore[attr-defined]
        p.deposit_event(Event.MetadataSet(asset_id, name, symbol, decimals, False))  # type: ignore[attr-defined]


_replace = dataclasses.replace  # (an import per call was paid on every mint, transfer and burn)


_WITHDRAW_ERRORS = {
    "BalanceLow": Token.FundsUnavailable, "WouldDie": Token.OnlyProvider, "UnknownAsset": Token.UnknownAsset,
    "Underflow": Arithmetic.Underflow, "Overflow": Arithmetic.Overflow, "Frozen": Token.Frozen,
}
_DEPOSIT_ERRORS = {
    "BelowMinimum": Token.BelowMinimum, "CannotCreate": Token.CannotCreate, "UnknownAsset": Token.UnknownAsset,
    "Overflow": Arithmetic.Overflow, "Blocked": Token.Blocked,
}


def withdraw_result(consequence: tuple[str, int], keep_nonzero: bool) -> int:
    """``WithdrawConsequence::into_result``: the dust to take along, or the consequence's error."""
    name, dust = consequence
    if name == "Success":
        return 0
    if name == "ReducedToZero":
        if keep_nonzero:
            raise Token.NotExpendable()
        return dust
    raise _WITHDRAW_ERRORS[name]()


def deposit_result(consequence: str) -> None:
    """``DepositConsequence::into_result``."""
    if consequence != "Success":
        raise _DEPOSIT_ERRORS[consequence]()
