"""Oracle watchtower (Rocket Pool oDAO): the rewards tree (two implementations, parity by property
test), rewards from simulator state, majority finalisation, an announced rule change, the demo."""

from __future__ import annotations

import io

import pytest
from eth_hash.auto import keccak
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.console import Console

from blueprints import Faulty, Offline
from blueprints.examples.merkle import ZERO, Claimer, RocketTree, rockettree_root, treegen_leaf, treegen_root, verify_proof
from blueprints.examples.oracle_watchtower import (INTERVAL_BLOCKS, POT, StaleRules, Watchtower, build_blueprint, compute_claimers,
                                                   implementation_for, interval_end, run_demo, split_pot)
from runtime import DispatchError
from runtime.genesis import UNIT

claimers_st = st.lists(st.builds(Claimer, st.binary(min_size=20, max_size=20), st.integers(0, 3), st.integers(0, 2**256 - 1), st.integers(0, 2**256 - 1)),
                       max_size=24, unique_by=lambda c: c.address)


@settings(max_examples=150, deadline=None)
@given(claimers_st, st.randoms(use_true_random=False))
def test_the_two_tree_implementations_agree_and_proofs_verify(claimers, rng) -> None:  # type: ignore[no-untyped-def]
    root = treegen_root(claimers)
    assert rockettree_root(claimers) == root
    shuffled = list(claimers)
    rng.shuffle(shuffled)
    assert treegen_root(shuffled) == root  # leaves are sorted: claimer order does not matter
    tree = RocketTree(claimers)
    for c in claimers:
        assert verify_proof(treegen_leaf(c), tree.proof(c), root)
    if claimers:
        other = Claimer(claimers[0].address, claimers[0].network, (claimers[0].amount_a + 1) % 2**256, claimers[0].amount_b)
        assert not verify_proof(treegen_leaf(other), tree.proof(claimers[0]), root)


def test_tree_spec_by_hand() -> None:
    cs = [Claimer(bytes([i]) * 20, 0, 10 * i, i) for i in (1, 2, 3)]
    leaves = [keccak(c.address + (0).to_bytes(32, "big") + c.amount_a.to_bytes(32, "big") + c.amount_b.to_bytes(32, "big")) for c in cs]
    assert [treegen_leaf(c) for c in cs] == leaves and len(cs[0].address + bytes(96)) == 116
    a, b, c = sorted(leaves)

    def pair(x: bytes, y: bytes) -> bytes:
        return keccak(min(x, y) + max(x, y))

    expected = pair(pair(a, b), pair(c, ZERO))  # sorted, zero-padded at the end to 4, sorted pairs
    assert treegen_root(cs) == rockettree_root(cs) == expected
    assert treegen_root(cs[:1]) == leaves[0] and treegen_root([]) == ZERO == rockettree_root([])


def test_pot_split_is_integer_and_keeps_the_dust() -> None:
    stakes = {"a": 1, "b": 2, "c": 4}
    share = split_pot(stakes, 100)
    assert share == {"a": 14, "b": 28, "c": 57} and sum(share.values()) == 99
    assert split_pot({"a": 0}, 100) == {"a": 0}


def test_honest_oracles_finalise_the_root_computed_from_chain_state() -> None:
    wt = Watchtower(4)
    ops = [op.account for op in wt.h.operators]
    assert {implementation_for(op, ops) for op in ops} == {"treegen", "rockettree"}  # both implementations in use
    r0, r1 = wt.run_interval(), wt.run_interval()
    assert r0.ruleset == r1.ruleset == 1 and len(r0.agreeing) == 4 and not r0.faults and not r0.refused
    # recompute independently: the tree over the operators' stakes and fees, at the same state
    claimers = compute_claimers(wt.rt, wt.h.service_id, r1.interval, 1)
    assert rockettree_root(claimers) == r1.root == wt.manager.finalized_root(wt.h.service_id, 1)[1]
    assert sum(c.amount_a for c in claimers) <= POT and {c.amount_a for c in claimers} == {POT // 4}
    # interval 1 saw one subscription billing of 10 TNT shared by the 4 operators: the fee slot
    assert {c.amount_b for c in claimers} == {10 * UNIT // 4}
    assert wt.rt.block_number >= interval_end(1)


def test_majority_tolerates_a_minority_of_liars_but_not_a_majority() -> None:
    ok = Watchtower(5, behaviours={"Bob": Faulty(1.0, 1), "Charlie": Offline()})
    r = ok.run_interval()
    assert r.root is not None and len(r.agreeing) == 3
    bad = Watchtower(5, behaviours={"Bob": Offline(), "Charlie": Offline(), "Dave": Faulty(1.0, 4)})
    r = bad.run_interval()
    assert r.root is None and bad.manager.finalized_root(bad.h.service_id, r.interval) is None


def test_rule_change_takes_effect_at_the_announced_block() -> None:
    bonds = {"Bob": 1_000 * UNIT, "Charlie": 4_000 * UNIT, "Dave": 9_000 * UNIT, "Operator4": 100 * UNIT}
    wt = Watchtower(4, behaviours={"Operator4": StaleRules()}, bonds=bonds)
    first = wt.run_interval()  # interval 0 (ruleset 1)
    with pytest.raises(DispatchError) as exc:  # not enough notice
        wt.announce(2, wt.rt.block_number + INTERVAL_BLOCKS)
    assert exc.value.matches("InvalidJobCallInput")
    target = interval_end(3)
    wt.announce(2, target)
    reports = [wt.run_interval() for _ in range(3)]  # intervals 1, 2 (ruleset 1) and 3 (ends at target: ruleset 2)
    assert [first.ruleset] + [r.ruleset for r in reports] == [1, 1, 1, 2]
    assert "Operator4" in reports[1].agreeing and not reports[1].refused
    assert reports[2].refused == [("Operator4", "InvalidJobResult")] and "Operator4" not in reports[2].agreeing
    # the new rule really changed the amounts: sqrt weights flatten the split
    old = {c.address: c.amount_a for c in compute_claimers(wt.rt, wt.h.service_id, 3, 1)}
    new = {c.address: c.amount_a for c in compute_claimers(wt.rt, wt.h.service_id, 3, 2)}
    assert max(new.values()) < max(old.values()) and min(new.values()) > min(old.values())
    assert reports[2].root != reports[1].root
    with pytest.raises(DispatchError):  # ruleset 2 is in effect: announcing it again is refused
        wt.announce(2, wt.rt.block_number + 10 * INTERVAL_BLOCKS)


def test_intervals_are_reported_in_order_and_only_once_they_ended() -> None:
    wt = Watchtower(3)
    with pytest.raises(DispatchError):
        wt.h.call_job(0, 0)  # interval 0 ends at block 100
    wt.run_interval()
    wt.h.advance(interval_end(2) - wt.rt.block_number)
    with pytest.raises(DispatchError):
        wt.h.call_job(0, 2)  # interval 1 comes first


def test_compiled_blueprint_encodes(metadata) -> None:  # type: ignore[no-untyped-def]
    from runtime.bridge.encoding import encode_runtime

    wt = Watchtower(3)
    wt.run_interval()
    wt.announce(2, wt.rt.block_number + 500)
    report = encode_runtime(wt.rt, metadata)
    assert report.failures == [], [c.detail for c in report.failures[:3]]
    assert build_blueprint().compile()["jobs"][0]["result"] == [{"Struct": ["Uint64", "Uint8", {"Array": (32, "Uint8")}]}]


def test_demo_shows_roots_rule_change_rewards_and_slashes() -> None:
    out = io.StringIO()
    wt = run_demo(Console(file=out, width=220))
    text = out.getvalue()
    assert [r.ruleset for r in wt.reports] == [1, 1, 1, 2, 2, 2]
    assert all(r.root is not None for r in wt.reports)
    for needle in ("ruleset 2 announced", "InvalidJobResult", "billed 10 TNT", "earned 2 TNT", "claims 12 TNT",
                   "slash of 5% proposed against Operator5", "Operator5 lost"):
        assert needle in text, needle
    assert wt.h.operator_stake("Operator5") < 9_000 * UNIT and wt.h.operator_stake("Bob") == 1_000 * UNIT
