"""Idle blocks are crossed at once (issue 18): a run that skips them must end in exactly the state,
root and event log of the same run stepped block by block, whatever is scheduled (session and era
changes, request expiries, subscription billing, queued slashes, runtime upgrades) and however far
each advance goes (past System's 256-block hash window too)."""

from __future__ import annotations

import random

import pytest

from svc_helpers import BOB, create_blueprint, deploy, job, join_and_register, make_rt, request, svc  # noqa: F401
from runtime import UNIT, DispatchError, Runtime


def _scenario(seed: int, skip: bool) -> tuple[Runtime, list[int]]:
    rng = random.Random(seed)
    rt = make_rt("intended", session_length=rng.choice([10, 600]))
    rt.skip_idle_blocks = skip
    create_blueprint(rt, jobs=[job("serve", [], [], {"Subscription": {"rate_per_interval": UNIT, "interval": rng.choice([7, 400, 1_000])}}),
                               job("ping", [], [], {"PayOnce": {"amount": 0}})])
    sid = deploy(rt, operators=("Bob", "Charlie"), value=UNIT)
    rt.schedule_upgrade("slash-defer-14", at_block=rt.block_number + rng.randrange(100, 3_000))
    blocks = []
    for _ in range(25):
        r = rng.random()
        try:
            if r < 0.3:
                request(rt, "Eve", ["Bob", "Charlie"], ttl=rng.randrange(1, 600))  # expires unless approved
            elif r < 0.4:
                svc(rt, "Alice", "slash", offender=BOB, service_id=sid, slash_percent=rng.randrange(1, 10))
            elif r < 0.6:
                rt.dispatch("Alice", "Balances", "transfer_keep_alive", {"dest": "Dave", "value": UNIT})
        except DispatchError:
            pass
        rt.advance_blocks(rng.choice([1, 2, 3, 9, 40, 255, 256, 257, 700, 2_500]))
        blocks.append(rt.block_number)
    return rt, blocks


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_skipping_idle_blocks_gives_the_stepped_chain(seed: int) -> None:
    stepped, blocks_a = _scenario(seed, skip=False)
    skipped, blocks_b = _scenario(seed, skip=True)
    assert blocks_a == blocks_b
    assert skipped.state_root() == stepped.state_root()
    assert [repr(e) for e in skipped.all_events()] == [repr(e) for e in stepped.all_events()]
    assert skipped.spec_version == stepped.spec_version
    assert skipped.current_era == stepped.current_era and skipped.current_round == stepped.current_round
    # the scenario did exercise what skipping must respect
    names = {e.spec.name for e in stepped.all_events()}
    assert {"NewSession", "SubscriptionBillingProcessed", "CodeUpdated"} <= names
    assert dict(skipped.pallets["System"].storage.BlockHash.items()) == dict(stepped.pallets["System"].storage.BlockHash.items())


def test_long_idle_stretches_match_stepping_including_the_block_hash_window() -> None:
    runs = []
    for skip in (False, True):
        rt = Runtime.dev()
        rt.skip_idle_blocks = skip
        rng = random.Random(9)
        seen = []
        for _ in range(12):
            rt.dispatch("Alice", "Balances", "transfer_keep_alive", {"dest": "Bob", "value": UNIT})
            rt.advance_blocks(rng.choice([255, 256, 257, 258, 1_199, 1_200, 1_201, 3_000]))
            seen.append((rt.block_number, rt.state_root(), dict(rt.pallets["System"].storage.BlockHash.items())))
        runs.append((rt, seen))
    (stepped, seen_stepped), (skipped, seen_skipped) = runs
    assert seen_skipped == seen_stepped
    assert all(len(window) == 257 for _, _, window in seen_stepped)
    assert [repr(e) for e in skipped.all_events()] == [repr(e) for e in stepped.all_events()]


def test_a_pallet_that_cannot_say_when_it_acts_makes_every_block_busy() -> None:
    from runtime.pallet import Pallet

    calls: list[int] = []

    class Ticker(Pallet):
        def on_finalize(self, n: int) -> None:
            calls.append(n)

    Ticker.name = "Ticker"
    Ticker.index = 210
    rt = Runtime(extra_pallets=[Ticker])
    start = rt.block_number
    rt.advance_blocks(500)
    assert calls == list(range(start, start + 500))
