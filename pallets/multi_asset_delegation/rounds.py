"""Rounds: MAD's round is the session index, set by the runtime's ``RoundChangeSessionManager``
at each session start (there are no block hooks). Each round change snapshots every operator's
stake and delegations into ``AtStake[(round, operator)]`` (never pruned, as on chain)."""

from __future__ import annotations

from pallets.multi_asset_delegation.types import OperatorSnapshot


class Rounds:
    def current_round(self) -> int:
        return self.storage.CurrentRound.value()

    def handle_round_change(self, index: int) -> None:
        """``Pallet::handle_round_change(i)``: ``CurrentRound := i`` and an ``AtStake`` snapshot per operator."""
        s = self.storage
        s.CurrentRound.put(index)
        at_stake = s.AtStake
        previous = at_stake.get
        last = index - 1
        keys, snaps = [], []
        for operator, op in s.Operators.items():
            # an operator unchanged since the last round (its stake, and the very same delegation
            # tuple) stores the last round's snapshot object again: an equal value, built once
            # (a round change is every session; most operators do nothing in between)
            snap = previous((last, operator))
            if snap is None or snap.delegations is not op.delegations or snap.stake != op.stake:
                snap = OperatorSnapshot(op.stake, op.delegations)
            keys.append((index, operator))
            snaps.append(snap)
        # the same entries as an insert per operator, in the same order, written as one batch (one
        # journal entry; the per-insert overhead was most of a round change with 20 operators)
        at_stake.insert_each(keys, snaps)
