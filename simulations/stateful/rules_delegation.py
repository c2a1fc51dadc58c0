"""Rules for MultiAssetDelegation: operators (join, bond, unstake, offline/online, leave),
deposits and withdrawals, delegations with Fixed/All blueprint selections and their unstakes,
native-restaking nominations, and blueprint selection edits.

Amounts are mostly derived from the state (``percent`` of what is available) so calls succeed
and runs go deep; the drawn ``exact=False`` branch sends an arbitrary amount instead.
"""

from __future__ import annotations

from typing import Any, Callable

from hypothesis import strategies as st
from hypothesis.stateful import initialize, multiple, rule

from simulations.stateful import strategies as S
from simulations.stateful import world
from simulations.stateful.bundles import accounts, operators, stakers
from simulations.stateful.rulebase import INDEX, PERCENT, RuleMixin

MAD = "MultiAssetDelegation"
MAD_ASSETS = st.sampled_from([world.TNT, world.TNT, world.USDC, world.USDC, {"Custom": world.USDC_ID + 1}])
SELECTIONS = st.sampled_from(["All", "All", {"Fixed": []}, {"Fixed": [0]}, {"Fixed": [0, 1]}, {"Fixed": [1]}])
LOCKS = st.sampled_from([None, None, None, "OneMonth", "SixMonths"])


class DelegationRules(RuleMixin):
    """MultiAssetDelegation calls, from the right account with affordable amounts most of the time."""

    @initialize(target=operators)
    def seed_operators(self) -> Any:
        return multiple(*world.SETUP_OPERATORS)

    # ------------------------------------------------------------------ helpers
    def _delegator(self, index: int, fallback: str, existing: bool, having: Callable[[Any], Any] | None = None) -> tuple[str, Any]:
        """When ``existing``: a delegator whose record satisfies ``having`` (e.g. has delegations), else
        any delegator, else ``fallback``. Otherwise ``fallback`` (which may be no delegator at all)."""
        s = self.storage(MAD)
        if existing:
            records = sorted(s.Delegators.items())
            fitting = [r for r in records if having is None or having(r[1])] or records
            chosen = self.pick(fitting, index)
            if chosen is not None:
                return chosen
        return fallback, s.Delegators.get(fallback)

    # ------------------------------------------------------------------ operators
    @rule(target=operators, who=accounts, exact=S.mostly_true(), percent=st.integers(1, 50), bond=S.stake_amounts())
    def join_operators(self, who: str, exact: bool, percent: int, bond: int) -> Any:
        """Mostly a bond the account can afford above the minimum (so joining, and joining twice,
        gets past the amount checks); otherwise an arbitrary amount."""
        if exact:
            minimum = self.rt.pallets[MAD].consts.MinOperatorBondAmount  # type: ignore[attr-defined]
            bond = max(minimum, self.share(self.rt.free_balance(who), percent))
        return who if self.ok(self.call(who, MAD, "join_operators", {"bond_amount": bond})) else multiple()

    @rule(op=operators, amount=S.stake_amounts())
    def operator_bond_more(self, op: str, amount: int) -> None:
        self.call(op, MAD, "operator_bond_more", {"additional_bond": amount})

    @rule(op=operators, percent=PERCENT, exact=S.mostly_true(), amount=S.stake_amounts())
    def schedule_operator_unstake(self, op: str, percent: int, exact: bool, amount: int) -> None:
        meta = self.storage(MAD).Operators.get(op)
        if exact and meta is not None:
            amount = self.share(meta.stake - self.rt.pallets[MAD].consts.MinOperatorBondAmount, percent)  # type: ignore[attr-defined]
        self.call(op, MAD, "schedule_operator_unstake", {"unstake_amount": amount})

    @rule(op=operators, action=st.sampled_from(["execute_operator_unstake", "cancel_operator_unstake"]))
    def operator_unstake(self, op: str, action: str) -> None:
        self.call(op, MAD, action, {})

    @rule(op=operators, action=st.sampled_from(["go_offline", "go_online", "go_online"]))
    def operator_online(self, op: str, action: str) -> None:
        self.call(op, MAD, action, {})

    @rule(op=operators, action=st.sampled_from(["schedule_leave_operators", "cancel_leave_operators", "execute_leave_operators", "execute_leave_operators"]))
    def operator_leave(self, op: str, action: str) -> None:
        self.call(op, MAD, action, {})

    @rule(op=operators)
    def retire_operator(self, op: str) -> None:
        """An operator's way out in one step: unregister from every blueprint (refused while it runs a
        service there), then schedule leaving (refused while it is still registered anywhere)."""
        for blueprint_id, who in sorted(self.storage("Services").Operators.keys()):
            if who == op:
                self.call(op, "Services", "unregister", {"blueprint_id": blueprint_id})
        self.call(op, MAD, "schedule_leave_operators", {})

    # ------------------------------------------------------------------ deposits
    @rule(who=accounts, asset=MAD_ASSETS, tnt=S.stake_amounts(), units=S.asset_amounts(), lock=LOCKS)
    def deposit(self, who: str, asset: dict[str, int], tnt: int, units: int, lock: str | None) -> None:
        amount = tnt if asset == world.TNT else units
        self.call(who, MAD, "deposit", {"asset": asset, "amount": amount, "evm_address": None, "lock_multiplier": lock})

    @rule(who=accounts, index=INDEX, existing=S.mostly_true(), percent=PERCENT, exact=S.mostly_true(), asset=MAD_ASSETS, amount=S.stake_amounts())
    def schedule_withdraw(self, who: str, index: int, existing: bool, percent: int, exact: bool, asset: dict[str, int], amount: int) -> None:
        who, meta = self._delegator(index, who, existing, lambda m: m.deposits)
        if exact and meta is not None and meta.deposits:
            a, dep = self.pick(meta.deposits, percent)  # type: ignore[misc]
            free = dep.amount - max(dep.delegated_amount, dep.locked_at(self.rt.block_number))
            asset, amount = S.outside(a), self.share(free, percent)
        self.call(who, MAD, "schedule_withdraw", {"asset": asset, "amount": amount})

    @rule(who=accounts, index=INDEX, existing=S.mostly_true())
    def execute_withdraw(self, who: str, index: int, existing: bool) -> None:
        who, _ = self._delegator(index, who, existing, lambda m: m.withdraw_requests)
        self.call(who, MAD, "execute_withdraw", {"evm_address": None})

    @rule(who=accounts, index=INDEX, existing=S.mostly_true(), pick=INDEX, asset=MAD_ASSETS, amount=S.stake_amounts())
    def cancel_withdraw(self, who: str, index: int, existing: bool, pick: int, asset: dict[str, int], amount: int) -> None:
        who, meta = self._delegator(index, who, existing, lambda m: m.withdraw_requests)
        req = self.pick(meta.withdraw_requests, pick) if meta is not None and existing else None
        if req is not None:
            asset, amount = S.outside(req.asset), req.amount
        self.call(who, MAD, "cancel_withdraw", {"asset": asset, "amount": amount})

    # ------------------------------------------------------------------ delegations
    @rule(who=accounts, index=INDEX, existing=S.mostly_true(), op=operators, percent=PERCENT, exact=S.mostly_true(), selection=SELECTIONS,
          asset=MAD_ASSETS, amount=S.stake_amounts())
    def delegate(self, who: str, index: int, existing: bool, op: str, percent: int, exact: bool, selection: Any, asset: dict[str, int], amount: int) -> None:
        who, meta = self._delegator(index, who, existing, lambda m: m.deposits)
        if exact and meta is not None and meta.deposits:
            a, dep = self.pick(meta.deposits, percent)  # type: ignore[misc]
            asset, amount = S.outside(a), self.share(dep.amount - dep.delegated_amount, percent)
        self.call(who, MAD, "delegate", {"operator": op, "asset": asset, "amount": amount, "blueprint_selection": selection})

    @rule(who=accounts, op=operators, asset=st.sampled_from([world.TNT, world.USDC]), percent=st.integers(1, 30), selection=SELECTIONS,
          lock=LOCKS, delegate_percent=PERCENT)
    def deposit_and_delegate(self, who: str, op: str, asset: dict[str, int], percent: int, selection: Any, lock: str | None, delegate_percent: int) -> None:
        """A delegator's usual first steps in one rule (reaches delegated stake quickly): deposit a
        share of its balance, then delegate a share of the deposit to an operator."""
        if asset == world.TNT:
            amount = self.share(self.rt.free_balance(who), percent)
        else:
            amount = self.share(self.rt.pallets["Assets"].fungibles.balance(world.USDC_ID, who), percent)  # type: ignore[attr-defined]
        if self.ok(self.call(who, MAD, "deposit", {"asset": asset, "amount": amount, "evm_address": None, "lock_multiplier": lock})):
            self.call(who, MAD, "delegate", {"operator": op, "asset": asset, "amount": self.share(amount, delegate_percent), "blueprint_selection": selection})

    @rule(who=accounts, index=INDEX, existing=S.mostly_true(), pick=INDEX, percent=PERCENT, exact=S.mostly_true(), op=operators, asset=MAD_ASSETS,
          amount=S.stake_amounts())
    def schedule_delegator_unstake(self, who: str, index: int, existing: bool, pick: int, percent: int, exact: bool, op: str, asset: dict[str, int],
                                   amount: int) -> None:
        who, meta = self._delegator(index, who, existing, lambda m: any(not d.is_nomination for d in m.delegations))
        regular = [d for d in meta.delegations if not d.is_nomination] if meta is not None else []
        d = self.pick(regular, pick)
        if d is None:
            self.call(who, MAD, "schedule_delegator_unstake", {"operator": op, "asset": asset, "amount": amount})
            return
        pending = sum(r.amount for r in meta.delegator_unstake_requests if r.operator == d.operator and r.asset == d.asset and not r.is_nomination)
        available = max(d.amount - pending, 0)
        # exact: a share of what is still delegated; otherwise more than that, which must be refused
        amount = self.share(available, percent) if exact else available + 1 + amount % world.UNIT
        receipt = self.call(who, MAD, "schedule_delegator_unstake", {"operator": d.operator, "asset": S.outside(d.asset), "amount": amount})
        if not exact:
            self.expect_error(receipt, "InsufficientBalance", "MaxUnstakeRequestsExceeded")

    @rule(who=accounts, index=INDEX, existing=S.mostly_true())
    def execute_delegator_unstake(self, who: str, index: int, existing: bool) -> None:
        who, _ = self._delegator(index, who, existing, lambda m: m.delegator_unstake_requests)
        self.call(who, MAD, "execute_delegator_unstake", {})

    @rule(who=accounts, index=INDEX, existing=S.mostly_true(), pick=INDEX, op=operators, asset=MAD_ASSETS, amount=S.stake_amounts())
    def cancel_delegator_unstake(self, who: str, index: int, existing: bool, pick: int, op: str, asset: dict[str, int], amount: int) -> None:
        who, meta = self._delegator(index, who, existing, lambda m: m.delegator_unstake_requests)
        reqs = [r for r in meta.delegator_unstake_requests if not r.is_nomination] if meta is not None else []
        req = self.pick(reqs, pick) if existing else None
        if req is not None:
            op, asset, amount = req.operator, S.outside(req.asset), req.amount
        self.call(who, MAD, "cancel_delegator_unstake", {"operator": op, "asset": asset, "amount": amount})

    # ------------------------------------------------------------------ deferred steps: wait, then execute
    @rule(index=st.integers(0, 15))
    def wait_and_execute(self, index: int) -> None:
        """Take one scheduled thing (a delegator's unstake or withdrawal, a nomination unstake, an
        operator's unstake or exit), let rounds pass until it is due, and execute it: deferred flows
        complete within a run."""
        consts = self.rt.pallets[MAD].consts  # type: ignore[attr-defined]
        s = self.storage(MAD)
        due: list[tuple[int, str, str, dict[str, Any]]] = []  # (round due, who, call, params)
        for op, m in sorted(s.Operators.items()):
            if m.status.name == "Leaving":
                due.append((m.status.value, op, "execute_leave_operators", {}))
            if m.request is not None:
                due.append((m.request.request_time + consts.OperatorBondLessDelay, op, "execute_operator_unstake", {}))
        for who, m in sorted(s.Delegators.items()):
            if m.withdraw_requests:
                due.append((min(r.requested_round for r in m.withdraw_requests) + consts.LeaveDelegatorsDelay, who, "execute_withdraw", {"evm_address": None}))
            for r in m.delegator_unstake_requests:
                if r.is_nomination:
                    due.append((r.requested_round + consts.DelegationBondLessDelay, who, "execute_nomination_unstake", {"operator": r.operator}))
                else:
                    due.append((r.requested_round + consts.DelegationBondLessDelay, who, "execute_delegator_unstake", {}))
        chosen = self.pick(due, index)
        if chosen is None:
            return
        when, who, function, params = chosen
        wait = when - self.rt.current_round
        if wait > 0:
            self.advance(lambda: self.rt.advance_rounds(min(wait, 12)))
        self.call(who, MAD, function, params)

    # ------------------------------------------------------------------ more than allowed, on purpose
    @rule(kind=st.sampled_from(["unstake", "unstake", "withdraw", "delegate", "operator"]), index=INDEX, pick=INDEX, op=operators,
          extra=st.sampled_from([1, 2, world.UNIT]))
    def overdraw(self, kind: str, index: int, pick: int, op: str, extra: int) -> None:
        """Ask for just more than is available (``extra`` over the limit): the call must be refused
        with the pallet's own error, whatever the state."""
        mad = self.storage(MAD)
        if kind == "operator":
            meta = mad.Operators.get(op)
            if meta is not None:
                receipt = self.call(op, MAD, "schedule_operator_unstake", {"unstake_amount": meta.stake + extra - 1})
                self.expect_error(receipt, "UnstakeAmountTooLarge", "InsufficientStakeRemaining", "CannotExit", "PendingUnstakeRequestExists")
            return
        having = {"unstake": lambda m: any(not d.is_nomination for d in m.delegations), "withdraw": lambda m: m.deposits, "delegate": lambda m: m.deposits}[kind]
        fitting = [(w, m) for w, m in sorted(mad.Delegators.items()) if having(m)]
        chosen = self.pick(fitting, index)
        if chosen is None:
            return
        who, meta = chosen
        if kind == "unstake":
            d = self.pick([d for d in meta.delegations if not d.is_nomination], pick)
            pending = sum(r.amount for r in meta.delegator_unstake_requests if r.operator == d.operator and r.asset == d.asset and not r.is_nomination)
            receipt = self.call(who, MAD, "schedule_delegator_unstake", {"operator": d.operator, "asset": S.outside(d.asset), "amount": max(d.amount - pending, 0) + extra})
            self.expect_error(receipt, "InsufficientBalance")
            return
        asset, dep = self.pick(meta.deposits, pick)  # type: ignore[misc]
        if kind == "withdraw":
            free = dep.amount - max(dep.delegated_amount, dep.locked_at(self.rt.block_number))
            receipt = self.call(who, MAD, "schedule_withdraw", {"asset": S.outside(asset), "amount": max(free, 0) + extra})
            self.expect_error(receipt, "InsufficientBalance")
        else:
            receipt = self.call(who, MAD, "delegate", {"operator": op, "asset": S.outside(asset), "amount": dep.amount - dep.delegated_amount + extra,
                                                      "blueprint_selection": "All"})
            self.expect_error(receipt, "InsufficientBalance", "NotActiveOperator", "NotAnOperator")

    # ------------------------------------------------------------------ native restaking (nominations)
    @rule(who=stakers, op=operators, percent=PERCENT, exact=S.mostly_true(), selection=SELECTIONS, amount=S.stake_amounts())
    def delegate_nomination(self, who: str, op: str, percent: int, exact: bool, selection: Any, amount: int) -> None:
        ledger = self.storage("Staking").Ledger.get(who)
        if exact and ledger is not None:
            meta = self.storage(MAD).Delegators.get(who)
            used = meta.total_nominations() if meta is not None else 0
            amount = self.share(ledger.active - used, percent)
        self.call(who, MAD, "delegate_nomination", {"operator": op, "amount": amount, "blueprint_selection": selection})

    @rule(who=stakers, pick=INDEX, percent=PERCENT, exact=S.mostly_true(), op=operators, amount=S.stake_amounts(), selection=SELECTIONS)
    def schedule_nomination_unstake(self, who: str, pick: int, percent: int, exact: bool, op: str, amount: int, selection: Any) -> None:
        meta = self.storage(MAD).Delegators.get(who)
        d = self.pick([d for d in meta.delegations if d.is_nomination], pick) if meta is not None else None
        if exact and d is not None:
            pending = sum(r.amount for r in meta.delegator_unstake_requests if r.operator == d.operator and r.is_nomination)
            op, amount = d.operator, self.share(d.amount - pending, percent)
        self.call(who, MAD, "schedule_nomination_unstake", {"operator": op, "amount": amount, "blueprint_selection": selection})

    @rule(who=stakers, pick=INDEX, op=operators, action=st.sampled_from(["execute_nomination_unstake", "execute_nomination_unstake", "cancel_nomination_unstake"]))
    def nomination_unstake(self, who: str, pick: int, op: str, action: str) -> None:
        meta = self.storage(MAD).Delegators.get(who)
        req = self.pick([r for r in meta.delegator_unstake_requests if r.is_nomination], pick) if meta is not None else None
        if req is not None:
            op = req.operator
        self.call(who, MAD, action, {"operator": op})

    # ------------------------------------------------------------------ blueprint selection
    @rule(who=accounts, index=INDEX, existing=S.mostly_true(), blueprint_id=st.integers(0, 2), add=st.booleans())
    def edit_blueprint_selection(self, who: str, index: int, existing: bool, blueprint_id: int, add: bool) -> None:
        who, _ = self._delegator(index, who, existing, lambda m: m.delegations)
        self.call(who, MAD, "add_blueprint_id" if add else "remove_blueprint_id", {"blueprint_id": blueprint_id})
