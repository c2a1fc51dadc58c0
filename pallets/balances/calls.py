from __future__ import annotations

from runtime.origin import Origin, ensure_root, ensure_signed
from runtime.pallet import call
from runtime.primitives import AccountId, Balance, Bool, CompactBalance, MultiAddress

from pallets.balances.errors import Error
from pallets.balances.events import Event
from pallets.balances.types import AdjustmentDirection


class Calls:
    """pallet_balances dispatchables (call indices as in the testnet metadata)."""

    @call(0, weight=60_000_000)
    def transfer_allow_death(self, origin: Origin, dest: MultiAddress, value: CompactBalance) -> None:
        """Transfer, reaping the sender if it drops below the existential deposit."""
        self.transfer(ensure_signed(origin), dest, value, keep_alive=False)

    @call(2, weight=60_000_000)
    def force_transfer(self, origin: Origin, source: MultiAddress, dest: MultiAddress, value: CompactBalance) -> None:
        ensure_root(origin)
        self.transfer(source, dest, value, keep_alive=False)

    @call(3, weight=45_000_000)
    def transfer_keep_alive(self, origin: Origin, dest: MultiAddress, value: CompactBalance) -> None:
        """Transfer, failing rather than reaping the sender."""
        self.transfer(ensure_signed(origin), dest, value, keep_alive=True)

    @call(4, weight=50_000_000)
    def transfer_all(self, origin: Origin, dest: MultiAddress, keep_alive: Bool) -> None:
        source = ensure_signed(origin)
        amount = self.reducible_balance(source, keep_alive)
        self.transfer(source, dest, amount, keep_alive=keep_alive)

    @call(5)
    def force_unreserve(self, origin: Origin, who: MultiAddress, amount: Balance) -> None:
        ensure_root(origin)
        self.unreserve(who, amount)

    @call(6)
    def upgrade_accounts(self, origin: Origin, who: tuple[AccountId, ...]) -> None:
        """Move accounts still on the pre-holds balance logic to the new one (``ensure_upgraded``).

        Every account this simulator creates is born on the new logic, so only accounts written
        with old flags (a genesis or a storage migration) change; the rest are skipped without an
        event, as on chain. Not modelled: the fee refund (``Pays::No``) when >= 90 % were upgraded."""
        ensure_signed(origin)
        for account in who:
            self.ensure_upgraded(account)

    @call(8)
    def force_set_balance(self, origin: Origin, who: MultiAddress, new_free: CompactBalance) -> None:
        """Set an account's free balance (root); below the existential deposit it becomes zero."""
        ensure_root(origin)
        ed = self.consts.ExistentialDeposit
        new_free = 0 if new_free < ed else new_free
        old = self._acc(who)
        existing = self.system.storage.Account._d.get(who)
        issuance = self.storage.TotalIssuance
        issuance.put(issuance.value() - old.free + new_free)
        self._write(who, existing, old._replace(free=new_free))
        self.deposit_event(Event.BalanceSet(who, new_free))

    @call(9)
    def force_adjust_total_issuance(self, origin: Origin, direction: AdjustmentDirection, delta: CompactBalance) -> None:
        ensure_root(origin)
        if delta == 0:
            raise Error.DeltaZero()
        issuance = self.storage.TotalIssuance
        old = issuance.value()
        new = old + delta if direction == AdjustmentDirection.Increase else old - delta
        if new < 0 or new >= 1 << 128:
            raise Error.IssuanceDeactivated()
        issuance.put(new)
        self.deposit_event(Event.TotalIssuanceForced(old, new))

    @call(10)
    def burn(self, origin: Origin, value: CompactBalance, keep_alive: Bool) -> None:
        who = ensure_signed(origin)
        old = self._acc(who)
        self._check_withdraw(old, value, keep_alive)
        self.burn_from(who, value)
