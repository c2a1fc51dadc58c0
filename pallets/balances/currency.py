"""pallet_balances' account logic: the ``Currency`` trait other pallets use.

Accounts follow the "new logic" of pallet_balances (polkadot-sdk stable2407): an account holds a
provider reference while its free balance is at least the existential deposit; a transfer that
leaves less than that (when allowed) reaps it and burns the dust (``DustLost``, issuance falls).
``frozen`` (the largest lock or freeze) restricts what can leave ``free``; reserved funds count
towards covering it for transfers and holds, not for ``reserve`` (see :meth:`CurrencyImpl.reserve`). Errors follow ``fungible::Mutate::transfer``: ``Token(FundsUnavailable)``
when there is not enough, ``Token(Frozen)`` when locks hold it, ``Token(NotExpendable)`` when a
keep-alive transfer would reap the sender, ``Token(OnlyProvider)`` when consumers keep it alive,
``Token(BelowMinimum)`` when the receiver would be created below the existential deposit.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable, Sequence

from runtime.errors import Arithmetic, DispatchError, Token
from runtime.events import EventRecord

from pallets.balances.errors import Error
from pallets.balances.events import Event
from pallets.balances.types import BalanceLock, FreezeAmount, HoldAmount, RuntimeFreezeReason, RuntimeHoldReason
from pallets.system.types import EMPTY_ACCOUNT, AccountInfo

#: ``ExtraFlags``' top bit: the account uses the holds/freezes logic (every new account does).
IS_NEW_LOGIC = 1 << 127

if TYPE_CHECKING:
    from pallets.system import System

MAX_BALANCE = (1 << 128) - 1


class _BatchAccountTouched(Exception):
    """A batch's ``after`` wrote the source or destination account: the batch is redone one by one."""


class CurrencyImpl:
    """Mixin of the Balances pallet implementing :class:`runtime.traits.Currency`."""

    system: "System"
    storage: object
    consts: object

    # ------------------------------------------------------------------ inspection
    def total_issuance(self) -> int:
        return self.storage.TotalIssuance.value()  # type: ignore[attr-defined]

    def existential_deposit(self) -> int:
        return self.consts.ExistentialDeposit  # type: ignore[attr-defined]

    def _acc(self, who: str) -> AccountInfo:
        return self.system.storage.Account._d.get(who, EMPTY_ACCOUNT)

    def free_balance(self, who: str) -> int:
        return self._acc(who).free

    def reserved_balance(self, who: str) -> int:
        return self._acc(who).reserved

    def total_balance(self, who: str) -> int:
        a = self._acc(who)
        return a.free + a.reserved

    def frozen_balance(self, who: str) -> int:
        return self._acc(who).frozen

    def reducible_balance(self, who: str, keep_alive: bool) -> int:
        a = self._acc(who)
        untouchable = a.frozen - a.reserved if a.frozen > a.reserved else 0
        if keep_alive or (a.consumers > 0 and a.providers <= 1):
            untouchable = max(untouchable, self.consts.ExistentialDeposit)  # type: ignore[attr-defined]
        return a.free - untouchable if a.free > untouchable else 0

    # ------------------------------------------------------------------ account writes
    def _write(self, who: str, old: AccountInfo | None, new: AccountInfo) -> None:
        """Store ``new`` for ``who``: provider bookkeeping, endowment, dust and reaping.

        Balances gives an account its provider reference while free >= ED or funds are reserved
        (reserved funds hold a consumer reference on chain, so such an account cannot be reaped)."""
        ed = self.consts.ExistentialDeposit  # type: ignore[attr-defined]
        had = old is not None and (old.free >= ed or old.reserved > 0)
        has = new.free >= ed or new.reserved > 0
        endowed = False
        if has and not had:
            new = new._replace(providers=new.providers + 1)
            endowed = old is None or (old.providers == 0 and old.sufficients == 0 and old.consumers == 0)
        elif had and not has:
            new = new._replace(providers=new.providers - 1 if new.providers else 0)
        # pallet-balances' post_mutation (38.0.1, stable2407): free below the ED with nothing reserved is
        # dust, whatever other references keep the account in System (a sufficient asset's, a
        # consumer's): it is dropped (DustLost) and the issuance falls. Keeping it while another
        # reference held the account let a later reap (the asset's reference gone) delete it with
        # no event and the issuance unchanged (found by the 10^7-step campaign, seed 3131).
        if new.free < ed and new.reserved == 0:
            if new.free:
                self.storage.TotalIssuance.put(self.storage.TotalIssuance.value() - new.free)  # type: ignore[attr-defined]
                self.deposit_event(Event.DustLost(who, new.free))  # type: ignore[attr-defined]
            new = new._replace(free=0)
        self.system.set_account(who, new)
        if endowed:
            self.deposit_event(Event.Endowed(who, new.free))  # type: ignore[attr-defined]

    def _check_withdraw(self, a: AccountInfo, amount: int, keep_alive: bool) -> None:
        if amount > a.free:
            raise Token.FundsUnavailable()
        new_free = a.free - amount
        if a.frozen > a.reserved and new_free < a.frozen - a.reserved:
            raise Token.Frozen()
        ed = self.consts.ExistentialDeposit  # type: ignore[attr-defined]
        if new_free < ed and a.free >= ed:
            if (a.consumers > 0 or a.reserved > 0) and a.providers <= 1:
                raise Token.OnlyProvider()
            if keep_alive:
                raise Token.NotExpendable()

    def _check_deposit(self, d: AccountInfo | None, amount: int) -> None:
        if amount and (d is None or d.free + d.reserved == 0) and amount < self.consts.ExistentialDeposit:  # type: ignore[attr-defined]
            raise Token.BelowMinimum()
        if d is not None and d.free + amount > MAX_BALANCE:
            raise Arithmetic.Overflow()

    # ------------------------------------------------------------------ account logic
    def ensure_upgraded(self, who: str) -> bool:
        """pallet_balances' ``ensure_upgraded``: set the IS_NEW_LOGIC flag; an account holding
        reserved or frozen funds takes the consumer reference the new logic counts on (and, in
        the "should never happen" case of no provider, a provider with free capped at the ED, as
        the real failsafe does: that cap does not adjust the issuance on chain either)."""
        old = self.system.storage.Account._d.get(who)
        a = old if old is not None else EMPTY_ACCOUNT
        if a.flags & IS_NEW_LOGIC:
            return False
        a = a._replace(flags=a.flags | IS_NEW_LOGIC)
        if a.reserved or a.frozen:
            if a.providers == 0:  # cannot take a consumer reference without a provider
                a = a._replace(free=min(a.free, self.consts.ExistentialDeposit), providers=1)  # type: ignore[attr-defined]
            a = a._replace(consumers=a.consumers + 1)
        self.system.set_account(who, a)
        self.deposit_event(Event.Upgraded(who))  # type: ignore[attr-defined]
        return True

    # ------------------------------------------------------------------ transfers
    def transfer(self, source: str, dest: str, amount: int, *, keep_alive: bool) -> None:
        acc = self.system.storage.Account._d
        src = acc.get(source, EMPTY_ACCOUNT)
        self._check_withdraw(src, amount, keep_alive)
        dst = acc.get(dest)
        self._check_deposit(dst, amount)
        # The same account? Equal keys read the same entry, so dst is src (or both are absent: dst is
        # None); only then are the addresses compared. Comparing two random addresses' text always
        # read it, and it lies on another cache line than the str's header for 3 strings in 4: a
        # main-memory read per transfer at 10^6 accounts (counted: benchmarks/bench_misses.py).
        if amount == 0 or ((dst is src or dst is None) and source == dest):
            return
        self._write(source, src, src._replace(free=src.free - amount))
        dst = acc.get(dest)
        base = dst if dst is not None else EMPTY_ACCOUNT
        self._write(dest, dst, base._replace(free=base.free + amount))
        self.deposit_event(Event.Transfer(source, dest, amount))  # type: ignore[attr-defined]

    def transfer_batch(self, source: str, dest: str, amounts: Sequence[int], *, keep_alive: bool, after: Callable[[int], None] | None = None,
                       between: Sequence[EventRecord] | None = None) -> None:
        """``transfer(source, dest, amounts[i], keep_alive=keep_alive)`` then ``after(i)`` for each
        ``i`` in order, atomically: if any transfer or ``after`` raises, nothing of the batch stays
        (state and events) and the error propagates. Same state, events (in the same order) and
        rollback as the single transfers; a slash moving a hundred delegators' shares from the
        MAD pot to the treasury wrote both accounts a hundred times (a third of applying it).

        When the whole batch cannot change either account's liveness — distinct accounts, the
        source alive and left with at least the ED and what its locks hold, the destination alive
        with at least the ED and no overflow — each single transfer would pass its checks and emit
        exactly one ``Transfer`` (none for a zero amount), so the two accounts are written once with
        their final balances and the events deposited in order. Then ``after`` sees the two
        accounts at their final balances: it must not read them (it may write them: the batch then
        redoes itself transfer by transfer). Any other batch (a reaped or newly endowed account, a
        failure) runs transfer by transfer.

        ``between``, if given, holds one event per amount, built by the caller at the position
        events get now: ``between[i]`` is deposited right after transfer ``i`` (and its
        ``Transfer``), before ``after(i)``: a caller whose per-transfer work is only an event of
        its own (a slash's ``DelegatorSlashed``) then needs no call back per transfer."""
        count = len(amounts)
        if count == 0:
            return
        acc = self.system.storage.Account._d
        src, dst = acc.get(source), acc.get(dest)
        ed = self.consts.ExistentialDeposit  # type: ignore[attr-defined]
        total = 0
        simple = source != dest and src is not None and dst is not None
        if simple:
            for a in amounts:
                if type(a) is not int or a < 0:
                    simple = False
                    break
                total += a
        if simple:
            left = src.free - total  # type: ignore[union-attr]
            held = src.frozen - src.reserved if src.frozen > src.reserved else 0  # type: ignore[union-attr]
            simple = (
                left >= ed and left >= held and (src.providers > 0 or src.sufficients > 0)  # type: ignore[union-attr]
                and dst.free >= ed and dst.free + total <= MAX_BALANCE and (dst.providers > 0 or dst.sufficients > 0)  # type: ignore[union-attr]
            )
        if simple:
            try:
                self.ctx.transactional(lambda: self._transfer_batch_at_once(source, dest, src, dst, amounts, total, after, between))  # type: ignore[attr-defined]
                return
            except _BatchAccountTouched:
                pass  # rolled back: redo it transfer by transfer

        def one_by_one() -> None:
            transfer = self.transfer
            for i, a in enumerate(amounts):
                transfer(source, dest, a, keep_alive=keep_alive)
                if between is not None:
                    self.ctx.db.events.append(between[i])  # type: ignore[attr-defined]
                if after is not None:
                    after(i)

        self.ctx.transactional(one_by_one)  # type: ignore[attr-defined]

    def _transfer_batch_at_once(self, source: str, dest: str, src: AccountInfo, dst: AccountInfo, amounts: Sequence[int], total: int,
                                after: Callable[[int], None] | None, between: Sequence[EventRecord] | None = None) -> None:
        """The two account writes of a batch no transfer of which changes liveness, then its events."""
        new_src, new_dst = src._replace(free=src.free - total), dst._replace(free=dst.free + total)
        self._write(source, src, new_src)
        self._write(dest, dst, new_dst)
        emit, transfer_event = self.ctx.deposit_event, Event.Transfer  # type: ignore[attr-defined]
        append = self.ctx.db.events.append  # type: ignore[attr-defined]  # the block's event buffer, which deposit_event appends to
        new = object.__new__
        like = None  # the first Transfer, deposited through the context: the others are built at its position
        for i, a in enumerate(amounts):
            if a:
                if like is None:
                    like = EventRecord(transfer_event, (source, dest, a))  # the spec's fields, in order
                    emit(like)
                    block, idx, phase = like.block, like.extrinsic_idx, like.phase
                else:
                    # EventRecord(transfer_event, (source, dest, a), block, idx, phase) without the
                    # call of its __init__ (which only stores the slots): one per share of a slash
                    record = new(EventRecord)
                    record.spec, record.values, record.block, record.extrinsic_idx, record.phase = transfer_event, (source, dest, a), block, idx, phase
                    append(record)
            if between is not None:
                append(between[i])
            if after is not None:
                after(i)
        if after is not None:
            acc = self.system.storage.Account._d
            if acc.get(source) is not new_src or acc.get(dest) is not new_dst:
                raise _BatchAccountTouched()

    def mint_into(self, who: str, amount: int) -> None:
        """Create ``amount`` new TNT in ``who``'s free balance (``Minted``)."""
        if amount:
            self._credit_new(who, amount, Event.Minted(who, amount), event_first=False)  # type: ignore[attr-defined]

    def deposit_creating(self, who: str, amount: int) -> int:
        """``Currency::deposit_creating``: credit ``amount`` to ``who``'s free balance, creating the
        account (``Deposit``, not ``Minted``: that is ``fungible::Mutate::mint_into``'s event).
        Best effort, as on chain: a new account below the existential deposit, or an overflow,
        credits nothing. Returns what was credited. The issuance rises by it here, which on chain
        is the positive imbalance it returns being offset against a slash's negative one or
        dropped (a caller that slashed first moved the issuance down by the same amount)."""
        if amount == 0:
            return 0
        try:
            # ``Deposit`` is deposited inside the account mutation, ``Endowed`` (by the write) after it
            self._credit_new(who, amount, Event.Deposit(who, amount), event_first=True)  # type: ignore[attr-defined]
        except DispatchError:
            return 0
        return amount

    def _credit_new(self, who: str, amount: int, event: EventRecord, *, event_first: bool) -> None:
        """Credit ``amount`` of new TNT to ``who`` (the issuance rises by it): a deposit's checks
        (Token.BelowMinimum, Arithmetic.Overflow) before anything is written, then one write, with
        ``event`` before the write's ``Endowed`` or after it."""
        old = self.system.storage.Account._d.get(who)
        self._check_deposit(old, amount)
        issuance = self.storage.TotalIssuance  # type: ignore[attr-defined]
        if issuance.value() + amount > MAX_BALANCE:
            raise Arithmetic.Overflow()
        if event_first:
            self.deposit_event(event)  # type: ignore[attr-defined]
        base = old if old is not None else EMPTY_ACCOUNT
        self._write(who, old, base._replace(free=base.free + amount))
        issuance.put(issuance.value() + amount)
        if not event_first:
            self.deposit_event(event)  # type: ignore[attr-defined]

    def burn_from(self, who: str, amount: int) -> int:
        """Destroy exactly ``amount`` of ``who``'s free balance (``Burned``)."""
        if amount == 0:
            return 0
        old = self._acc(who)
        self._check_withdraw(old, amount, keep_alive=False)
        self._write(who, old, old._replace(free=old.free - amount))
        issuance = self.storage.TotalIssuance  # type: ignore[attr-defined]
        issuance.put(issuance.value() - amount)
        self.deposit_event(Event.Burned(who, amount))  # type: ignore[attr-defined]
        return amount

    def withdraw_fee(self, who: str, fee: int) -> None:
        """Charge a transaction fee (to the treasury), keeping the payer alive."""
        old = self._acc(who)
        self._check_withdraw(old, fee, keep_alive=True)
        self._write(who, old, old._replace(free=old.free - fee))
        self.deposit_event(Event.Withdraw(who, fee))  # type: ignore[attr-defined]
        treasury = self.treasury_account()  # type: ignore[attr-defined]
        t_old = self.system.storage.Account._d.get(treasury)
        t_base = t_old if t_old is not None else EMPTY_ACCOUNT
        self._write(treasury, t_old, t_base._replace(free=t_base.free + fee))
        self.deposit_event(Event.Deposit(treasury, fee))  # type: ignore[attr-defined]

    def withdraw_fee_deferred(self, who: str, fee: int) -> Callable[[int], None]:
        """Charge a transaction fee in two steps, as ``ChargeTransactionPayment`` does on chain: the
        payer's ``Withdraw`` now (``pre_dispatch``), and the returned function, after the call ran
        (``post_dispatch``'s ``correct_and_deposit_fee``), pays ``refund`` back to the payer (its own
        ``Deposit``, e.g. the inclusion fee of a call that returned ``Pays::No``) and credits the rest to
        the treasury (``Deposit``, ``OnUnbalanced``), so the call's own events come between the two."""
        old = self._acc(who)
        self._check_withdraw(old, fee, keep_alive=True)
        self._write(who, old, old._replace(free=old.free - fee))
        self.deposit_event(Event.Withdraw(who, fee))  # type: ignore[attr-defined]

        def resolve(refund: int = 0) -> None:
            refund = min(max(refund, 0), fee)
            if refund and self.system.storage.Account._d.get(who) is None:
                refund = 0  # the call reaped the payer: deposit_into_existing fails, the treasury keeps it all
            if refund:
                back = self._acc(who)
                self._write(who, back, back._replace(free=back.free + refund))
                self.deposit_event(Event.Deposit(who, refund))  # type: ignore[attr-defined]
            if fee - refund == 0:
                return
            treasury = self.treasury_account()  # type: ignore[attr-defined]
            t_old = self.system.storage.Account._d.get(treasury)
            t_base = t_old if t_old is not None else EMPTY_ACCOUNT
            self._write(treasury, t_old, t_base._replace(free=t_base.free + fee - refund))
            self.deposit_event(Event.Deposit(treasury, fee - refund))  # type: ignore[attr-defined]

        return resolve

    # ------------------------------------------------------------------ reserves
    def reserve(self, who: str, amount: int) -> None:
        """``ReservableCurrency::reserve``: free -> reserved, with the *free* balance left at least
        ``frozen`` (``Balances.LiquidityRestrictions`` otherwise): a reserve may not overlap a lock.

        Source: pallet-balances 38.0.1, the version tangle v1.4.3 pins (polkadot-sdk stable2407
        ee3531f0, Cargo.lock), substrate/frame/balances/src/impl_currency.rs: ``reserve`` is a
        no-op for zero, else ``free.checked_sub(value)`` (InsufficientBalance) then
        ``ensure_can_withdraw(who, value, RESERVE, account.free)``, which is
        ``ensure!(new_balance >= account.frozen, LiquidityRestrictions)``. Unlike a fungible hold
        (``reducible_balance``: ``frozen - reserved`` untouchable), a reserve cannot count reserved
        funds towards the freeze. Upstream later called this a bug (polkadot-sdk issue #8099, PR
        #8108, merged after the v1.4.3 release) and now checks ``free + reserved`` instead; the
        deployed runtime still has the check above, and so does every profile here (with the later
        rule a slashed reserve can leave a stash holding less than its staking lock, e.g.
        ``Democracy.cancel_proposal`` slashing a deposit that overlapped a bond: a state the
        pinned chain cannot reach that way)."""
        if amount == 0:
            return
        a = self._acc(who)
        if amount > a.free:
            raise Error.InsufficientBalance()
        new_free = a.free - amount
        if new_free < a.frozen:
            raise Error.LiquidityRestrictions()
        if new_free < self.consts.ExistentialDeposit and a.providers <= 1:  # type: ignore[attr-defined]
            raise Error.InsufficientBalance("reserving would leave the free balance below the existential deposit")
        self._write(who, a, a._replace(free=new_free, reserved=a.reserved + amount))
        self.deposit_event(Event.Reserved(who, amount))  # type: ignore[attr-defined]

    def unreserve(self, who: str, amount: int) -> int:
        """Move up to ``amount`` from reserved back to free; returns what was moved."""
        a = self._acc(who)
        actual = min(amount, a.reserved)
        if actual == 0:
            return 0
        self._write(who, a, a._replace(free=a.free + actual, reserved=a.reserved - actual))
        self.deposit_event(Event.Unreserved(who, actual))  # type: ignore[attr-defined]
        return actual

    def repatriate_reserved(self, slashed: str, beneficiary: str, amount: int, *, to_free: bool = True) -> int:
        a = self._acc(slashed)
        actual = min(amount, a.reserved)
        if actual == 0:
            return 0
        if slashed == beneficiary:
            return self.unreserve(slashed, actual) if to_free else actual
        b_old = self.system.storage.Account._d.get(beneficiary)
        self._check_deposit(b_old, actual)
        self._write(slashed, a, a._replace(reserved=a.reserved - actual))
        b_old = self.system.storage.Account._d.get(beneficiary)
        b = b_old if b_old is not None else EMPTY_ACCOUNT
        nb = b._replace(free=b.free + actual) if to_free else b._replace(reserved=b.reserved + actual)
        self._write(beneficiary, b_old, nb)
        self.deposit_event(Event.ReserveRepatriated(slashed, beneficiary, actual, "Free" if to_free else "Reserved"))  # type: ignore[attr-defined]
        return actual

    def slash(self, who: str, amount: int) -> int:
        """Burn up to ``amount``: free first (down to zero), then reserved. Returns what was burned."""
        a = self._acc(who)
        from_free = min(amount, a.free)
        from_reserved = min(amount - from_free, a.reserved)
        total = from_free + from_reserved
        if total == 0:
            return 0
        self._write(who, a, a._replace(free=a.free - from_free, reserved=a.reserved - from_reserved))
        issuance = self.storage.TotalIssuance  # type: ignore[attr-defined]
        issuance.put(issuance.value() - total)
        self.deposit_event(Event.Slashed(who, total))  # type: ignore[attr-defined]
        return total

    def slash_reserved(self, who: str, amount: int) -> int:
        a = self._acc(who)
        actual = min(amount, a.reserved)
        if actual == 0:
            return 0
        self._write(who, a, a._replace(reserved=a.reserved - actual))
        issuance = self.storage.TotalIssuance  # type: ignore[attr-defined]
        issuance.put(issuance.value() - actual)
        self.deposit_event(Event.Slashed(who, actual))  # type: ignore[attr-defined]
        return actual

    # ------------------------------------------------------------------ locks and freezes
    def _refresh_frozen(self, who: str) -> None:
        locks = self.storage.Locks.get(who)  # type: ignore[attr-defined]
        freezes = self.storage.Freezes.get(who)  # type: ignore[attr-defined]
        frozen = max([lk.amount for lk in locks] + [f.amount for f in freezes] + [0])
        a = self._acc(who)
        if frozen != a.frozen:
            self._write(who, a, a._replace(frozen=frozen))
            if frozen > a.frozen:
                self.deposit_event(Event.Locked(who, frozen - a.frozen))  # type: ignore[attr-defined]
            else:
                self.deposit_event(Event.Unlocked(who, a.frozen - frozen))  # type: ignore[attr-defined]

    def set_lock(self, lock_id: bytes, who: str, amount: int) -> None:
        lock_id = lock_id.ljust(8, b" ")[:8]
        locks = [lk for lk in self.storage.Locks.get(who) if lk.id != lock_id]  # type: ignore[attr-defined]
        if amount:
            if len(locks) >= self.consts.MaxLocks:  # type: ignore[attr-defined]
                raise Error.TooManyReserves("too many locks")
            locks.append(BalanceLock(lock_id, amount, "All"))
        if locks:
            self.storage.Locks.insert(who, tuple(locks))  # type: ignore[attr-defined]
        else:
            self.storage.Locks.remove(who)  # type: ignore[attr-defined]
        self._refresh_frozen(who)

    def remove_lock(self, lock_id: bytes, who: str) -> None:
        self.set_lock(lock_id, who, 0)

    def locked(self, lock_id: bytes, who: str) -> int:
        lock_id = lock_id.ljust(8, b" ")[:8]
        return sum(lk.amount for lk in self.storage.Locks.get(who) if lk.id == lock_id)  # type: ignore[attr-defined]

    def set_freeze(self, reason: RuntimeFreezeReason, who: str, amount: int) -> None:
        freezes = [f for f in self.storage.Freezes.get(who) if f.id != reason]  # type: ignore[attr-defined]
        if amount:
            if len(freezes) >= self.consts.MaxFreezes:  # type: ignore[attr-defined]
                raise Error.TooManyFreezes()
            freezes.append(FreezeAmount(reason, amount))
        if freezes:
            self.storage.Freezes.insert(who, tuple(freezes))  # type: ignore[attr-defined]
        else:
            self.storage.Freezes.remove(who)  # type: ignore[attr-defined]
        self._refresh_frozen(who)

    # ------------------------------------------------------------------ holds
    def balance_on_hold(self, reason: RuntimeHoldReason, who: str) -> int:
        return sum(h.amount for h in self.storage.Holds.get(who) if h.id == reason)  # type: ignore[attr-defined]

    def hold(self, reason: RuntimeHoldReason, who: str, amount: int) -> None:
        """fungible::MutateHold::hold: free → held (counted in reserved)."""
        if amount == 0:
            return
        holds = list(self.storage.Holds.get(who))  # type: ignore[attr-defined]
        existing = next((i for i, h in enumerate(holds) if h.id == reason), None)
        if existing is None and len(holds) >= 50:
            raise Error.TooManyHolds()
        a = self._acc(who)
        if amount > self.reducible_balance(who, keep_alive=True):
            raise Token.FundsUnavailable()
        if existing is None:
            holds.append(HoldAmount(reason, amount))
        else:
            holds[existing] = HoldAmount(reason, holds[existing].amount + amount)
        self.storage.Holds.insert(who, tuple(holds))  # type: ignore[attr-defined]
        self._write(who, a, a._replace(free=a.free - amount, reserved=a.reserved + amount))

    def release(self, reason: RuntimeHoldReason, who: str, amount: int) -> int:
        """Release up to ``amount`` held for ``reason`` back to free; returns what was released."""
        holds = list(self.storage.Holds.get(who))  # type: ignore[attr-defined]
        idx = next((i for i, h in enumerate(holds) if h.id == reason), None)
        if idx is None:
            return 0
        actual = min(amount, holds[idx].amount)
        left = holds[idx].amount - actual
        if left:
            holds[idx] = HoldAmount(reason, left)
        else:
            holds.pop(idx)
        if holds:
            self.storage.Holds.insert(who, tuple(holds))  # type: ignore[attr-defined]
        else:
            self.storage.Holds.remove(who)  # type: ignore[attr-defined]
        a = self._acc(who)
        self._write(who, a, a._replace(free=a.free + actual, reserved=a.reserved - actual))
        return actual
