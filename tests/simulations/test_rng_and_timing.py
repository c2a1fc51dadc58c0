"""Per-actor random streams, the clock, and the four slash-veto timing rules (reference-algorithms §4)."""

from __future__ import annotations

import copy

import pytest

from runtime import GenesisConfig, Runtime
from simulations.clock import Clock
from simulations.rng import Streams, actor_rng, run_seed
from simulations.veto_rules import EigenLayerTiming, SubstrateStakingTiming, SymbioticTiming, TangleServicesTiming


def test_actor_streams_are_independent_of_other_actors() -> None:
    a = Streams(42)
    seq_a = [a.random("op1") for _ in range(5)]
    b = Streams(42)
    for _ in range(50):
        b.random("op-new")  # another actor drawing, before and between
    seq_b = []
    for _ in range(5):
        seq_b.append(b.random("op1"))
        b.random("delegator-9")
    assert seq_a == seq_b
    assert [Streams(43).random("op1") for _ in range(1)] != seq_a[:1]
    assert actor_rng(42, "op1").random() == seq_a[0]


def test_streams_deepcopy_forks_the_future() -> None:
    s = Streams(1)
    s.random("x")
    t = copy.deepcopy(s)
    assert [s.random("x") for _ in range(3)] == [t.random("x") for _ in range(3)]


def test_run_seeds_differ_and_are_stable() -> None:
    seeds = [run_seed(7, i) for i in range(100)]
    assert len(set(seeds)) == 100 and all(0 <= x < 2**63 for x in seeds)
    assert run_seed(7, 3) == seeds[3]


def test_clock_matches_the_runtime() -> None:
    rt = Runtime(GenesisConfig.dev(session_length=5, sessions_per_era=2))
    clock = Clock(5, 2)
    for _ in range(60):
        assert (rt.current_round, rt.current_era) == (clock.round_of(rt.block_number), clock.era_of(rt.block_number))
        rt.advance_blocks(1)
    assert clock.first_block_of_round(3) == 16 and clock.first_block_of_era(2) == 21


CLOCK = Clock(10, 3)


def test_tangle_services_timing() -> None:
    rule = TangleServicesTiming(CLOCK, 7)
    t = rule.schedule(45, 45)  # round 4 -> applied when round 11 starts (block 111)
    assert (t.execute_block, t.last_veto_block, t.veto_window_blocks) == (111, 110, 66)
    assert t.veto_allowed(45) and t.veto_allowed(110) and not t.veto_allowed(111)
    # round 0 slashes are applied in the next block while round <= D (no deferral at chain start)
    assert rule.schedule(3, 3).execute_block == 4
    # real profile, D = 0: the next block of the same round; at the last block of a round the slash is lost
    zero = TangleServicesTiming(CLOCK, 0)
    assert zero.schedule(44, 44).execute_block == 45
    lost = zero.schedule(50, 50)
    assert lost.execute_block is None and lost.veto_window_blocks == 0
    # intended profile: due from round era + D on, never lost, never early in round 0
    intended = TangleServicesTiming(CLOCK, 7, exact_round=False)
    assert intended.schedule(45, 45).execute_block == 111
    assert intended.schedule(3, 3).execute_block == 71
    assert TangleServicesTiming(CLOCK, 0, exact_round=False).schedule(50, 50).execute_block == 51


def test_substrate_staking_timing() -> None:
    rule = SubstrateStakingTiming(CLOCK, 2)
    t = rule.schedule(35, 35)  # era 1 -> applied when era 4 starts (block 121)
    assert (t.execute_block, t.last_veto_block) == (121, 120)
    assert SubstrateStakingTiming(CLOCK, 0).schedule(35, 35).last_veto_block is None


def test_symbiotic_timing() -> None:
    rule = SymbioticTiming(CLOCK, epoch_blocks=60, veto_blocks=20)
    t = rule.schedule(100, 105)
    assert (t.last_veto_block, t.execute_block, t.rejected) == (124, 125, None)
    assert rule.execute_window(100, 105) == (125, 160)
    # capture older than now + veto - epoch is refused
    assert rule.schedule(60, 105).rejected == "InvalidCaptureTimestamp"
    assert rule.schedule(65, 105).rejected is None
    # detection in the same block: capture is p - 1
    assert rule.schedule(105, 105).rejected is None
    no_resolver = SymbioticTiming(CLOCK, 60, 20, resolver=False).schedule(100, 105)
    assert (no_resolver.last_veto_block, no_resolver.execute_block) == (None, 105)
    with pytest.raises(ValueError, match="InvalidVetoDuration"):
        SymbioticTiming(CLOCK, 20, 20)


def test_eigenlayer_timing() -> None:
    t = EigenLayerTiming(CLOCK, 30, 50).schedule(10, 12)
    assert (t.last_veto_block, t.execute_block, t.resolved_block, t.veto_window_blocks) == (41, 42, 92, 30)
    assert EigenLayerTiming(CLOCK, 0, 5).schedule(1, 1).last_veto_block is None
