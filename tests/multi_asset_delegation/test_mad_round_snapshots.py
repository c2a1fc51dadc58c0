"""Round snapshots (issue 16, speed): an operator unchanged since the last round gets the last
round's ``AtStake`` snapshot object again; every round's snapshot still equals the operator's
stake and delegations at that round change, a changed operator gets a fresh one, and the state
root is the one fresh snapshot objects give."""

from __future__ import annotations

from pallets.multi_asset_delegation.types import OperatorSnapshot
from runtime import UNIT
from simulations.stateful import world


def _snapshots_match(rt) -> None:  # type: ignore[no-untyped-def]
    s = rt.pallets["MultiAssetDelegation"].storage
    r = s.CurrentRound.value()
    for operator, op in s.Operators.items():
        assert s.AtStake.get((r, operator)) == OperatorSnapshot(op.stake, op.delegations)


def test_each_round_snapshots_every_operator_as_it_is_and_reuses_an_unchanged_one() -> None:
    rt = world.build_world()
    mad = rt.pallets["MultiAssetDelegation"]
    s = mad.storage
    operator = world.SETUP_OPERATORS[0]
    rt.advance_sessions(1)
    _snapshots_match(rt)
    r = s.CurrentRound.value()
    rt.advance_sessions(1)
    _snapshots_match(rt)
    assert s.AtStake.get((r + 1, operator)) is s.AtStake.get((r, operator))  # unchanged: the same object
    rt.dispatch(world.DELEGATOR, "MultiAssetDelegation", "delegate",
                {"operator": operator, "asset": world.TNT, "amount": 7 * UNIT, "blueprint_selection": "All"})
    rt.advance_sessions(1)
    _snapshots_match(rt)
    before, after = s.AtStake.get((r + 1, operator)), s.AtStake.get((r + 2, operator))
    assert after is not before and after != before  # its delegations changed: a fresh snapshot
    rt.dispatch(operator, "MultiAssetDelegation", "operator_bond_more", {"additional_bond": 3 * UNIT})
    rt.advance_sessions(1)
    _snapshots_match(rt)
    assert s.AtStake.get((r + 3, operator)).stake == s.AtStake.get((r + 2, operator)).stake + 3 * UNIT


def test_the_state_root_is_the_one_fresh_snapshots_give() -> None:
    rt = world.build_world()
    rt.advance_sessions(3)
    root = rt.state_root()
    s = rt.pallets["MultiAssetDelegation"].storage
    for key, snap in list(s.AtStake.items()):
        s.AtStake.insert(key, OperatorSnapshot(snap.stake, tuple(snap.delegations)))  # fresh, equal objects
    assert rt.state_root() == root
    assert rt.db.state_root_from_scratch() == root


def test_a_round_change_writes_its_snapshots_as_one_batch_that_a_rollback_undoes() -> None:
    """The round's AtStake entries are written together (one journal entry, not one per operator:
    issue 18, a round change every era of the radCAD model) and a rollback takes them all back."""
    rt = world.build_world()
    mad = rt.pallets["MultiAssetDelegation"]
    s = mad.storage
    rt.advance_sessions(1)
    operators = [who for who, _ in s.Operators.items()]
    assert len(operators) >= 2
    r = s.CurrentRound.value()
    root = rt.state_root()
    rt.db.begin()
    mark = len(rt.db.journal)
    mad.handle_round_change(r + 1)
    at_stake_entries = [e for e in rt.db.journal[mark:] if e[0] is s.AtStake]
    assert len(at_stake_entries) == 1
    assert [s.AtStake.get((r + 1, who)) for who in operators] == [s.AtStake.get((r, who)) for who in operators]
    rt.db.rollback()
    assert all(s.AtStake.get((r + 1, who)) is None for who in operators)
    assert s.CurrentRound.value() == r and rt.state_root() == root
