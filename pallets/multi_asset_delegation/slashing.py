"""``SlashManager::slash_operator``: apply a due service slash (called by the services pallet).

A slash of ``p`` percent takes ``p`` of the operator's self-stake and ``p`` of every delegation to
that operator whose blueprint selection covers the slashed service's blueprint (``All`` always,
``Fixed(ids)`` if the id is listed; the default ``Fixed([])`` never). Delegators who did not select
the blueprint are untouched. Slashed funds go to the ``SlashRecipient`` (the Treasury account):
self-stake is unreserved and transferred, deposited assets leave the pallet account.

Real profile (quirks, spec §1.11):
* ``mad.slash_requires_active_operator``: an Inactive or Leaving operator cannot be slashed.
* ``mad.multi_asset_delegator_slashed_twice``: the walk is over the operator's (delegator, asset)
  entries and each visit slashes the delegator's *first* matching delegation.
* ``mad.native_slash_moves_nothing``: ``Custom(0)`` goes through Fungibles with asset id 0, which
  does not exist, so no TNT moves; only the accounting changes.
* ``mad.slash_leaves_residue``: deposits, operator bond entries, pending unstakes and vault totals
  keep the pre-slash amounts.
Intended: each exposed delegation is slashed once, TNT moves, and deposits / bonds / pending
unstakes / vault totals shrink with it (no residue). A nomination (natively restaked) delegation's
TNT is bonded in pallet_staking, so it is slashed there (``StakingInterface.slash_stake``: the
ledger's active stake, then its unlocking chunks, and the balance go to the Treasury, with
``Staking.Slashed``) and the ``delegate`` lock is lowered. Real: accounting only, the staking ledger
and the lock untouched (the chain's branch is a TODO stub; ``mad.native_slash_moves_nothing``).
"""

from __future__ import annotations

from runtime.accounts import pallet_account
from runtime.errors import DispatchError
from runtime.events import EventRecord, records_at
from runtime.primitives import PERCENT, percent_of, replace

from pallets.multi_asset_delegation.errors import Error
from pallets.multi_asset_delegation.events import Event
from pallets.multi_asset_delegation.types import (
    BondInfoDelegator, Deposit, DelegatorBond, DelegatorMetadata, OperatorStatus, _BondInfoTwin, _BondTwin, _DelegatorTwin, _DepositTwin,
    make_bond, make_bond_info, make_delegator, make_deposit, one_native_delegation,
)
from pallets.primitives.assets import NATIVE
from pallets.primitives.slashing import UnappliedSlash


TREASURY_PALLET_ID = b"py/trsry"


class SlashingImpl:
    def slash_recipient(self) -> str:
        return pallet_account(TREASURY_PALLET_ID)

    def slash_operator(self, slash: UnappliedSlash) -> None:
        """Apply ``slash``; raises NotAnOperator / NotActiveOperator (nothing changed) if it cannot."""
        op = self.storage.Operators.get(slash.operator)
        if op is None:
            raise Error.NotAnOperator()
        if op.status != OperatorStatus.Active and self.ctx.quirk("mad.slash_requires_active_operator"):
            raise Error.NotActiveOperator()
        recipient = self.slash_recipient()
        op_slash = percent_of(slash.slash_percent, op.stake)
        self.storage.Operators.insert(slash.operator, replace(op, stake=op.stake - op_slash))
        if op_slash:
            self.currency.unreserve(slash.operator, op_slash)
            # the transfer result is ignored on chain: if it fails the funds stay free with the operator
            self._tolerate(lambda: self.currency.transfer(slash.operator, recipient, op_slash, keep_alive=False))
        self.deposit_event(Event.OperatorSlashed(slash.operator, op_slash, slash.service_id, slash.blueprint_id, slash.era))
        # The operator's bond entries shrink by what each delegator lost. Nothing in the walk reads
        # them, so the reductions of the delegators whose slash went through are collected and
        # applied in one pass at the end: O(delegations), where shrinking the list once per
        # delegation (a scan and a copy each) was quadratic.
        shrunk: list[tuple[str, object, int]] = []
        if self.ctx.quirk("mad.multi_asset_delegator_slashed_twice"):
            for bond in op.delegations:
                self._tolerate_collecting(shrunk, lambda out, d=bond.delegator: self._slash_first_delegation(slash, d, recipient, out))
        else:
            self._slash_each_delegator(slash, op, recipient, shrunk)
        if shrunk:
            self._shrink_operator_bonds(slash.operator, shrunk)

    def _tolerate(self, fn) -> bool:  # type: ignore[no-untyped-def]
        try:
            self.ctx.transactional(fn)
        except DispatchError:
            return False
        return True

    def _tolerate_collecting(self, shrunk: list, fn) -> None:  # type: ignore[no-untyped-def]
        """``_tolerate(fn)``; the bond reductions ``fn`` notes count only if it went through."""
        mine: list = []
        if self._tolerate(lambda: fn(mine)):
            shrunk.extend(mine)

    # ------------------------------------------------------------------ real walk
    def _slash_first_delegation(self, slash: UnappliedSlash, delegator: str, recipient: str, shrunk: list) -> None:
        """``do_slash_delegator``: the first delegation to the operator covering the blueprint."""
        meta = self._delegator(delegator)
        idx = next((i for i, d in enumerate(meta.delegations) if d.operator == slash.operator and d.blueprint_selection.contains(slash.blueprint_id)), None)
        if idx is None:
            raise Error.NoActiveDelegation()
        self._slash_one(slash, delegator, meta, idx, recipient, shrunk)

    # ------------------------------------------------------------------ intended walk
    def _slash_each_delegator(self, slash: UnappliedSlash, op, recipient: str, shrunk: list) -> None:  # type: ignore[no-untyped-def]
        """Each delegator of the operator once, in bond order (see :meth:`_slash_each_delegator_walk`).

        The common slash — every exposed delegator with one TNT delegation to the operator — is
        planned in one pure pass and applied with one :meth:`Currency.transfer_batch` from the pot
        to the recipient, each delegator's record, rewards hook and ``DelegatorSlashed`` written
        after its transfer (as the walk does): the pot and the recipient are written once instead
        of once per delegator. If the batch fails (a transfer the walk would have skipped over:
        an empty pot, a recipient below the ED) it leaves nothing, and the plan is applied share by
        share with each failing transfer tolerated, as the walk applies it."""
        if self._slash_native_operator(slash, op, recipient):
            return None
        plan = self._plan_native_slash(slash, op)
        if plan is None:
            return self._slash_each_delegator_walk(slash, op, recipient, shrunk)
        residue = self.ctx.quirk("mad.slash_leaves_residue")
        rewards, emit, slashed_event = self.rewards, self.ctx.deposit_event, Event.DelegatorSlashed
        operator, blueprint, service_id, era = slash.operator, slash.blueprint_id, slash.service_id, slash.era
        # what each delegator's TNT bond entry loses (each delegator once in the plan)
        cuts: dict[str, int] = {} if residue else {p[0]: p[3] for p in plan if p[3]}
        # the rewards hook per slashed delegator, unless it is known to do nothing (no reward vault)
        hook = rewards is not None and bool(cuts) and rewards.tracks_undelegations()

        append = self.ctx.db.events.append  # the block's event buffer, which deposit_event appends to
        at: list = []  # the position of the first DelegatorSlashed, deposited through the context: the others are built there

        def after(i: int) -> None:
            who, _meta, asset, amount = plan[i]
            if hook and amount:
                rewards.record_undelegate(who, operator, asset, amount)
            if at:
                append(EventRecord(slashed_event, (who, amount, asset, service_id, blueprint, era), *at))
            else:
                first = EventRecord(slashed_event, (who, amount, asset, service_id, blueprint, era))  # the spec's fields, in order
                emit(first)
                at.extend((first.block, first.extrinsic_idx, first.phase))

        if self.ctx.quirk("mad.native_slash_moves_nothing") or not any(p[3] for p in plan):
            for i in range(len(plan)):
                after(i)
        else:
            pot = self._pot
            try:
                self.currency.transfer_batch(pot, recipient, [p[3] for p in plan], keep_alive=False, after=after)
            except DispatchError:
                # nothing of the batch stayed: as the walk does, each share's transfer on its own, a
                # failure tolerated (the result is ignored on chain; Currency.transfer checks before
                # it writes), then the delegator's hook and event
                transfer = self.currency.transfer
                for i, entry in enumerate(plan):
                    if entry[3]:
                        try:
                            transfer(pot, recipient, entry[3], keep_alive=False)
                        except DispatchError:
                            pass
                    after(i)
        # the delegators' records, written together (nothing above reads them; each delegator once)
        self.storage.Delegators.insert_each([p[0] for p in plan], [p[1] for p in plan])
        if cuts:
            self._shrink_native_bonds(operator, cuts, NATIVE)  # every planned asset is TNT

    def _slash_native_operator(self, slash: UnappliedSlash, op, recipient: str) -> bool:  # type: ignore[no-untyped-def]
        """The commonest slash in one pass over the operator's bond list: every bond entry a TNT
        one of a distinct delegator whose record holds exactly that one delegation (TNT, not a
        nomination, to this operator) and one TNT deposit, no pending unstake, and loses a
        non-zero amount; delegators the slash's blueprint does not reach are left alone. One
        loop then builds each exposed delegator's new record, its shrunk bond entry and its
        ``DelegatorSlashed`` (at the position the context gives every event of this slash), and
        the writes follow as :meth:`_slash_each_delegator` makes them — one batched transfer
        from the pot with each delegator's event after its ``Transfer``, the records in one
        ``insert_each``, the operator's bond list once — so state, events and their order are
        the same. The plan, the cut map and the bond pass it replaces walked the list three
        times and kept a tuple per delegator between them.

        Returns False, having written nothing, for any other operator (including one whose
        slashes the rewards hook tracks, or under a quirk): the planned slash or the walk takes it."""
        ctx = self.ctx
        if ctx.quirk("mad.slash_leaves_residue") or ctx.quirk("mad.native_slash_moves_nothing"):
            return False
        rewards = self.rewards
        if rewards is not None and rewards.tracks_undelegations():
            return False
        bonds = op.delegations
        if not bonds:
            return False
        get = self.storage.Delegators._d.get  # the item's dict (Item.get's default handling per delegator was measurable)
        operator, blueprint, percent = slash.operator, slash.blueprint_id, slash.slash_percent
        service_id, era = slash.service_id, slash.era
        native, custom = NATIVE, type(NATIVE)
        # the records are built inline (see types.py's direct builders: a twin's slots stored by the
        # interpreter, then the struct's class given) and the events by ``records_at``: a Python
        # ``__init__`` called per object was the larger part of a delegator's cost
        new = object.__new__
        deposit_twin, bond_info_twin, delegator_twin, bond_twin = _DepositTwin, _BondInfoTwin, _DelegatorTwin, _BondTwin
        keys: list[str] = []
        records: list[DelegatorMetadata] = []
        amounts: list[int] = []
        events: list[tuple] = []  # the DelegatorSlashed values
        kept: list[DelegatorBond] = []
        count = op.delegation_count
        seen: set[str] = set()
        see = seen.add
        for b in bonds:
            who = b.delegator
            a = b.asset
            if who in seen or (a is not native and (type(a) is not custom or a.name != "Custom" or a.value != 0)):
                return False
            see(who)
            meta = get(who)
            if meta is None:
                return False
            dels = meta.delegations
            if len(dels) != 1:
                return False
            d = dels[0]
            if d.operator != operator:
                return False
            selection = d.blueprint_selection  # DelegatorBlueprintSelection.contains, inline
            if selection.name != "All" and blueprint not in selection.value:
                kept.append(b)  # not exposed: untouched
                continue
            asset = d.asset
            deposits = meta.deposits
            if d.is_nomination or (asset is not native and (type(asset) is not custom or asset.name != "Custom" or asset.value != 0)) or len(deposits) != 1 or meta.delegator_unstake_requests:
                return False
            held, dep = deposits[0]
            if held is not native and (type(held) is not custom or held.name != "Custom" or held.value != 0):
                return False
            amount = d.amount * percent // PERCENT  # percent_of
            if not amount:
                return False
            # one_native_delegation, inline: the records rebuilt hold the NATIVE singleton (equal
            # to the asset they held); Deposit.slashed's amounts, never below zero
            cut = dep.amount - amount
            new_dep = new(deposit_twin)
            new_dep.amount = cut if cut > 0 else 0
            cut = dep.delegated_amount - amount
            new_dep.delegated_amount = cut if cut > 0 else 0
            new_dep.locks = dep.locks
            new_dep.__class__ = Deposit
            left = d.amount - amount
            if left:
                bond = new(bond_info_twin)
                bond.operator, bond.amount, bond.asset, bond.blueprint_selection, bond.is_nomination = d.operator, left, native, selection, False
                bond.__class__ = BondInfoDelegator
                delegations: tuple = (bond,)
            else:
                delegations = ()
            rec = new(delegator_twin)
            rec.deposits, rec.withdraw_requests, rec.delegations, rec.delegator_unstake_requests, rec.status = ((native, new_dep),), meta.withdraw_requests, delegations, (), meta.status
            rec.__class__ = DelegatorMetadata
            keys.append(who)
            records.append(rec)
            amounts.append(amount)
            events.append((who, amount, asset, service_id, blueprint, era))  # DelegatorSlashed's fields, in order
            left = b.amount - amount
            if left > 0:
                entry = new(bond_twin)
                entry.delegator, entry.amount, entry.asset = who, left, native
                entry.__class__ = DelegatorBond
                kept.append(entry)
            else:
                count -= 1
        if not keys:
            return True  # nobody exposed: nothing to write (as the plan and the walk leave it)
        slashed = records_at(Event.DelegatorSlashed, events, *ctx.event_position())
        pot = self._pot
        try:  # each delegator's event right after its Transfer
            self.currency.transfer_batch(pot, recipient, amounts, keep_alive=False, between=slashed)
        except DispatchError:
            # nothing of the batch stayed: each share's transfer on its own, a failure tolerated
            # (the result is ignored on chain), then the delegator's event, as the walk does
            transfer = self.currency.transfer
            for i, amount in enumerate(amounts):
                try:
                    transfer(pot, recipient, amount, keep_alive=False)
                except DispatchError:
                    pass
                ctx.db.events.append(slashed[i])  # the block's event buffer, which deposit_event appends to
        self.storage.Delegators.insert_each(keys, records)
        now = self.storage.Operators.get(operator)  # its stake was written by the caller
        self.storage.Operators.insert(operator, replace(now, delegations=tuple(kept), delegation_count=count))
        return True

    def _plan_native_slash(self, slash: UnappliedSlash, op) -> list[tuple[str, DelegatorMetadata, object, int]] | None:  # type: ignore[no-untyped-def]
        """[(delegator, its record after the slash, asset, amount slashed)] in bond order, written
        nowhere; None unless every delegator the walk would slash has exactly one exposed
        delegation, a TNT one that is not a nomination (those with none are skipped, as the walk
        skips them). The delegators of :func:`_delegators_of` and the delegation of
        :func:`_exposed`, found inline for a delegator with one delegation (the common record):
        per-delegator calls were a third of the plan."""
        get = self.storage.Delegators._d.get  # the item's dict: Item.get's default handling per delegator was measurable
        operator, blueprint, percent = slash.operator, slash.blueprint_id, slash.slash_percent
        residue = self.ctx.quirk("mad.slash_leaves_residue")
        plan: list[tuple[str, DelegatorMetadata, object, int]] = []
        push = plan.append
        one_native = one_native_delegation
        seen: set[str] = set()
        see = seen.add
        for bond in op.delegations:
            who = bond.delegator
            if who in seen:
                continue
            see(who)
            meta = get(who)
            if meta is None:
                continue
            dels = meta.delegations
            if len(dels) == 1:
                d = dels[0]
                selection = d.blueprint_selection  # DelegatorBlueprintSelection.contains, inline
                if d.operator != operator or (selection.name != "All" and blueprint not in selection.value):
                    continue
                if d.is_nomination:
                    return None
                idx = 0
            else:
                idx = _exposed(dels, operator, blueprint)
                if idx == -2:
                    return None
                if idx == -1:
                    continue
                d = dels[idx]
            asset = d.asset
            if asset.name != "Custom" or asset.value != 0:
                return None
            amount = d.amount * percent // PERCENT  # percent_of
            deposits = meta.deposits
            if idx == 0 and len(dels) == 1 and len(deposits) == 1 and amount and not residue and not meta.delegator_unstake_requests:
                # _slashed_record's common case inline: the one delegation and its one deposit cut
                a, dep = deposits[0]
                if a is asset or (type(a) is type(asset) and a.name == "Custom" and a.value == 0):
                    # the records rebuilt hold the NATIVE singleton (equal to the asset they held):
                    # later views and slashes then match it by identity, not by ScaleEnum.__eq__
                    cut_amount, cut_delegated = dep.amount - amount, dep.delegated_amount - amount
                    push((who, one_native(d.operator, d.amount - amount, selection, cut_amount if cut_amount > 0 else 0, cut_delegated if cut_delegated > 0 else 0,
                                          dep.locks, meta.withdraw_requests, (), meta.status), asset, amount))
                    continue
            push((who, _slashed_record(meta, idx, amount, residue), asset, amount))
        return plan

    def _slash_each_delegator_walk(self, slash: UnappliedSlash, op, recipient: str, shrunk: list) -> None:  # type: ignore[no-untyped-def]
        """Each delegator of the operator once, in bond order: :meth:`_slash_delegations` under
        :meth:`_tolerate_collecting`, with the common case done inline in one pass (an operator
        with a thousand delegators is slashed in one loop over them, no nested transaction or
        rebuilt record beyond the ones written). The common case is a delegator with exactly one
        exposed delegation, not a nomination: nothing can fail after its first write there (the
        asset transfer's failure is tolerated, the rewards hook never raises), so the nested
        transaction the general path opens could never roll anything back. A delegator with no
        record or no exposed delegation is skipped, as the tolerated NotDelegator /
        NoActiveDelegation left it; any other goes through the general path."""
        delegators = self.storage.Delegators
        get, insert = delegators.get, delegators.insert
        operator, blueprint, percent = slash.operator, slash.blueprint_id, slash.slash_percent
        residue = self.ctx.quirk("mad.slash_leaves_residue")
        native_moves_nothing = self.ctx.quirk("mad.native_slash_moves_nothing")
        ignore_failed = self.ctx.quirk("mad.failed_slash_transfer_ignored")
        currency_transfer, pot, rewards, emit = self.currency.transfer, self._pot, self.rewards, self.deposit_event
        slashed_event = Event.DelegatorSlashed
        service_id, era = slash.service_id, slash.era
        for who, meta in _delegators_of(op, get):
            dels = meta.delegations
            idx = _exposed(dels, operator, blueprint)
            if idx == -1:
                continue
            if idx == -2:  # more than one, or a nomination: the general path
                self._tolerate_collecting(shrunk, lambda out, d=who: self._slash_delegations(slash, d, recipient, out))
                continue
            d = dels[idx]
            amount = percent_of(percent, d.amount)
            asset = d.asset
            if amount:
                if asset.name != "Custom" or asset.value != 0:
                    if not self.try_transfer_asset(asset, pot, recipient, amount) and not ignore_failed:
                        continue  # intended: a share that cannot move is not taken (see _slash_one)
                elif not native_moves_nothing:
                    try:  # the result is ignored on chain; Currency.transfer checks before it writes
                        currency_transfer(pot, recipient, amount, keep_alive=False)
                    except DispatchError:
                        pass
            insert(who, _slashed_record(meta, idx, amount, residue))
            if not residue and amount:
                shrunk.append((who, asset, amount))
                if rewards is not None:
                    rewards.record_undelegate(who, operator, asset, amount)
            emit(slashed_event(who, amount, asset, service_id, blueprint, era))

    def _slash_delegations(self, slash: UnappliedSlash, delegator: str, recipient: str, shrunk: list) -> None:
        meta = self._delegator(delegator)
        indices = [i for i, d in enumerate(meta.delegations) if d.operator == slash.operator and d.blueprint_selection.contains(slash.blueprint_id)]
        if not indices:
            raise Error.NoActiveDelegation()
        removed = 0
        for i in indices:
            if self._slash_one(slash, delegator, self.storage.Delegators.get(delegator), i - removed, recipient, shrunk):
                removed += 1

    # ------------------------------------------------------------------ one delegation
    def _slash_one(self, slash: UnappliedSlash, delegator: str, meta, idx: int, recipient: str, shrunk: list) -> bool:  # type: ignore[no-untyped-def]
        """Slash delegation ``idx`` of ``delegator``; returns True if it was emptied and removed
        (intended). The operator's bond reduction is appended to ``shrunk``, for the caller to apply."""
        d: BondInfoDelegator = meta.delegations[idx]
        amount = percent_of(slash.slash_percent, d.amount)
        new_d = replace(d, amount=d.amount - amount)
        residue = self.ctx.quirk("mad.slash_leaves_residue")
        emptied = not residue and new_d.amount == 0
        replacement = () if emptied else (new_d,)
        meta = replace(meta, delegations=meta.delegations[:idx] + replacement + meta.delegations[idx + 1 :])
        if not d.is_nomination and amount:
            native = d.asset.name == "Custom" and d.asset.value == 0
            if native and self.ctx.quirk("mad.native_slash_moves_nothing"):
                pass  # Fungibles::transfer(0, ...) fails on chain: accounting only
            elif native or self.ctx.quirk("mad.failed_slash_transfer_ignored"):
                # result ignored, as on chain (e.g. a transfer below the recipient's minimum balance)
                self.try_transfer_asset(d.asset, self._pot, recipient, amount)
            else:
                # intended: a share that cannot move (the asset frozen or being destroyed, the pot's
                # account frozen or blocked) is not taken: the error rolls this delegator back, as an
                # ERC20 transfer's failure skips the delegator on chain (ERC20TransferFailed)
                self.transfer_asset(d.asset, self._pot, recipient, amount)
        elif amount and self.staking is not None and not self.ctx.quirk("mad.native_slash_moves_nothing"):
            # intended: the restaked TNT is bonded in Staking, so it is slashed there (ledger and
            # balance, to the Treasury, Staking.Slashed); on chain this branch is a TODO stub
            self.staking.slash_stake(delegator, amount)
        if not residue and amount:
            meta = self._shrink_after_slash(meta, d, amount)
        self.storage.Delegators.insert(delegator, meta)
        if not residue and amount:
            shrunk.append((delegator, d.asset, amount))
            if d.is_nomination:
                self._set_delegate_lock(delegator, meta, new_d.amount)
            if self.rewards is not None:
                self.rewards.record_undelegate(delegator, slash.operator, d.asset, amount)
        self.deposit_event(Event.DelegatorSlashed(delegator, amount, d.asset, slash.service_id, slash.blueprint_id, slash.era))
        return emptied

    def _shrink_after_slash(self, meta, d: BondInfoDelegator, amount: int):  # type: ignore[no-untyped-def]
        """No residue: the deposit loses what left it, and pending unstakes never exceed the delegation."""
        if not d.is_nomination:
            dep = meta.deposit(d.asset)
            if dep is not None:
                meta = meta.with_deposit(d.asset, dep.slashed(amount))
        if not meta.delegator_unstake_requests:
            return meta
        return replace(meta, delegator_unstake_requests=self._shrink_unstake_requests(meta.delegator_unstake_requests, d, amount))

    @staticmethod
    def _shrink_unstake_requests(requests: tuple, d: BondInfoDelegator, amount: int) -> tuple:
        """The pending unstakes of ``d``'s (operator, asset, kind), cut so that together they never
        exceed what is left of the delegation after losing ``amount`` (emptied ones dropped)."""
        allowed = d.amount - amount
        kept = []
        for r in requests:
            if r.operator == d.operator and r.asset == d.asset and r.is_nomination == d.is_nomination:
                take = min(r.amount, allowed)
                allowed -= take
                if take:
                    kept.append(replace(r, amount=take))
            else:
                kept.append(r)
        return tuple(kept)

    def _shrink_native_bonds(self, operator: str, cuts: dict[str, int], asset: object) -> None:
        """:meth:`_shrink_operator_bonds` for a planned slash: one cut per delegator, all of
        ``asset``, applied to the delegator's first entry of that asset."""
        op = self.storage.Operators.get(operator)
        bonds: list[DelegatorBond] = []
        keep = bonds.append
        count = op.delegation_count
        pop = cuts.pop
        wanted = len(cuts)
        kind, name, value = type(asset), asset.name, asset.value  # type: ignore[attr-defined]
        for b in op.delegations:
            if cuts:
                a = b.asset
                if a is asset or (type(a) is kind and a.name == name and a.value == value):  # ScaleEnum.__eq__, inline
                    cut = pop(b.delegator, None)
                    if cut is not None:
                        left = b.amount - cut
                        if left > 0:
                            keep(make_bond(b.delegator, left, asset))  # (equal to ``a``; the caller's object)
                        else:
                            count -= 1
                        continue
            keep(b)
        if len(cuts) < wanted:  # some entry changed
            self.storage.Operators.insert(operator, replace(op, delegations=tuple(bonds), delegation_count=count))

    def _shrink_operator_bonds(self, operator: str, shrunk: list) -> None:
        """Lower the operator's bond entries by ``shrunk`` [(delegator, asset, amount)], dropping the
        ones that reach zero: the same result as lowering them one reduction at a time (each
        reduction applies to the first entry of its (delegator, asset), saturating at zero)."""
        op = self.storage.Operators.get(operator)
        total: dict[tuple, int] = {}
        for delegator, asset, amount in shrunk:
            key = (delegator, asset)
            total[key] = total.get(key, 0) + amount
        bonds: list[DelegatorBond] = []
        count = op.delegation_count
        changed = False
        for b in op.delegations:
            key = (b.delegator, b.asset)
            cut = total.pop(key, None) if total else None
            if cut is None:
                bonds.append(b)
                continue
            changed = True
            left = b.amount - cut
            if left > 0:
                bonds.append(DelegatorBond(b.delegator, left, b.asset))
            else:
                count -= 1
        if changed:
            self.storage.Operators.insert(operator, replace(op, delegations=tuple(bonds), delegation_count=count))


def _slashed_record(meta: DelegatorMetadata, idx: int, amount: int, residue: bool) -> DelegatorMetadata:
    """The delegator's record after its delegation ``idx`` lost ``amount`` to a slash, built once
    (the planned and the walked slash both write it): the delegation cut (dropped at zero unless
    ``residue``, the quirk that keeps it), and, unless ``residue``, the deposit of its asset and
    the pending unstakes cut too, as :meth:`SlashingImpl._shrink_after_slash` does. Records are
    built with the structs' direct builders (``make_*``) and a one-entry tuple is rebuilt without
    slicing: this runs once per delegator of a slashed operator."""
    dels = meta.delegations
    d = dels[idx]
    left = d.amount - amount
    asset = d.asset
    kept = () if left == 0 and not residue else (make_bond_info(d.operator, left, asset, d.blueprint_selection, d.is_nomination),)
    if len(dels) != 1:
        kept = dels[:idx] + kept + dels[idx + 1 :]
    deposits, requests = meta.deposits, meta.delegator_unstake_requests
    if not residue and amount:
        kind = type(asset)
        for j, (a, dep) in enumerate(deposits):
            if a is asset or (type(a) is kind and a.name == asset.name and a.value == asset.value):  # ScaleEnum.__eq__, inline
                # Deposit.slashed: both amounts shrink, never below zero
                cut_amount, cut_delegated = dep.amount - amount, dep.delegated_amount - amount
                entry = ((asset, make_deposit(cut_amount if cut_amount > 0 else 0, cut_delegated if cut_delegated > 0 else 0, dep.locks)),)
                deposits = entry if len(deposits) == 1 else deposits[:j] + entry + deposits[j + 1 :]
                break
        if requests:
            requests = SlashingImpl._shrink_unstake_requests(requests, d, amount)
    return make_delegator(deposits, meta.withdraw_requests, kept, requests, meta.status)


def _exposed(dels: tuple, operator: str, blueprint: int) -> int:
    """The index of a delegator's one delegation a slash of ``operator`` for ``blueprint`` reaches;
    -1 if none does; -2 if more than one does or it is a nomination (the slash's general path)."""
    idx = -1
    for i, d in enumerate(dels):
        if d.operator == operator and d.blueprint_selection.contains(blueprint):
            if idx >= 0 or d.is_nomination:
                return -2
            idx = i
    return idx


def _delegators_of(op, get):  # type: ignore[no-untyped-def]
    """(delegator, its record) for each delegator of ``op`` once, in bond order; those without a
    record are skipped (the walk's tolerated NotDelegator)."""
    seen: set[str] = set()
    for bond in op.delegations:
        who = bond.delegator
        if who in seen:
            continue
        seen.add(who)
        meta = get(who)
        if meta is not None:
            yield who, meta
