"""``MultiAssetDelegationInfo``: what MAD tells the services and rewards pallets (read-only, plus
``slash_operator`` in slashing.py)."""

from __future__ import annotations

import operator
from typing import Any

from runtime.traits import DepositInfo

from pallets.multi_asset_delegation.types import OperatorStatus

_asset_of = operator.attrgetter("asset")
_amount_of = operator.attrgetter("amount")
_delegator_of = operator.attrgetter("delegator")


class InfoImpl:
    def get_current_round(self) -> int:
        return self.storage.CurrentRound.value()

    def is_operator(self, who: str) -> bool:
        return self.storage.Operators.contains(who)

    def is_operator_active(self, who: str) -> bool:
        op = self.storage.Operators.get(who)
        return op is not None and op.status == OperatorStatus.Active

    def get_operator_stake(self, who: str) -> int:
        op = self.storage.Operators.get(who)
        return 0 if op is None else op.stake

    def get_total_delegation_by_asset(self, operator: str, asset: Any) -> int:
        op = self.storage.Operators.get(operator)
        return 0 if op is None else sum(b.amount for b in op.delegations if b.asset == asset)

    def get_delegators_for_operator(self, operator: str) -> list[tuple[str, int, Any]]:
        op = self.storage.Operators.get(operator)
        return [] if op is None else [(b.delegator, b.amount, b.asset) for b in op.delegations]

    def get_user_deposit_with_locks(self, who: str, asset: Any) -> DepositInfo | None:
        """The TOTAL deposit as ``unlocked_amount`` (as on chain) and every lock, expired ones included."""
        meta = self.storage.Delegators.get(who)
        dep = meta.deposit(asset) if meta is not None else None
        if dep is None:
            return None
        locks = tuple((lk.amount, lk.lock_multiplier.multiplier, lk.expiry_block) for lk in dep.locks or ())
        return DepositInfo(dep.amount, locks)

    # ---- beyond the chain's trait: what the rewards pallet's intended behaviour needs
    def get_user_delegated_amount(self, who: str, asset: Any) -> int:
        """The part of ``who``'s deposit of ``asset`` that is delegated (0 without a deposit)."""
        meta = self.storage.Delegators.get(who)
        dep = meta.deposit(asset) if meta is not None else None
        return 0 if dep is None else dep.delegated_amount

    def active_operator_stakes(self, asset: Any) -> list[tuple[str, int, tuple[str, ...], tuple[int, ...], int]]:
        """For every Active operator: (operator, self-stake, delegators, their amounts of ``asset``
        (parallel tuples, in bond order), the amounts' sum).

        O(1) per operator whose bond list did not change since the last call: the per-asset view
        of a bond list is kept with the list it was made from (checked by identity, so a rollback
        or restore that brings back another list just recomputes it). Parallel tuples let the era
        split run its per-delegation arithmetic in one comprehension."""
        active = OperatorStatus.Active
        # one dict of views per asset: the asset (a ScaleEnum with a Python __hash__) is hashed once
        # per call, not once per operator
        by_asset: dict[Any, dict[str, tuple[tuple, tuple[str, ...], tuple[int, ...], int]]] = self.__dict__.setdefault("_stake_views", {})
        views = by_asset.get(asset)
        if views is None:
            views = by_asset[asset] = {}
        out = []
        for who, op in self.storage.Operators.items():
            status = op.status
            if status is not active and status != active:
                continue
            bonds = op.delegations
            view = views.get(who)
            if view is None or view[0] is not bonds:
                # C passes over the bond list (the first era after loading a million delegations
                # builds every view): identity first, as bonds mostly hold the asset singleton and
                # ScaleEnum.__eq__ is Python code (list.count compares by identity before __eq__)
                assets = list(map(_asset_of, bonds))
                mine = bonds if assets.count(asset) == len(assets) else [b for b, a in zip(bonds, assets) if a is asset or a == asset]
                amounts = tuple(map(_amount_of, mine))
                delegators = tuple(map(_delegator_of, mine))
                if view is not None and view[1] == delegators:
                    # the same delegators (a slash changed only amounts): the same tuple object, so
                    # the era split's and storage's identity memos of it (key hashes) keep hitting
                    delegators = view[1]
                view = views[who] = (bonds, delegators, amounts, sum(amounts))
            out.append((who, op.stake, view[1], view[2], view[3]))
        return out
