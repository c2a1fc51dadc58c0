"""Staking and Lst benchmarks (prints numbers; no assertions).

    .venv/bin/python benchmarks/bench_staking.py [--validators 1000] [--nominators 20000] [--calls 5000]

* era change: the session that plans the next era (election over every validator and nominator,
  exposures stored) and the session that starts it (era points, payout, slashes, BondedEras);
* calls per second: Staking.bond, Staking.nominate, Lst.join, Lst.unbond (dispatched, as a client would).
"""

from __future__ import annotations

import argparse
import random
import time

from runtime import UNIT, GenesisConfig, Runtime
from runtime.accounts import derive_account


def build(validators: int, nominators: int, extra: int) -> tuple[Runtime, list[str], list[str], list[str]]:
    vals = [derive_account(f"bench/validator/{i}") for i in range(validators)]
    noms = [derive_account(f"bench/nominator/{i}") for i in range(nominators)]
    spare = [derive_account(f"bench/caller/{i}") for i in range(extra)]
    balances = {a: 10_000 * UNIT for a in vals + noms + spare}
    balances.update(GenesisConfig.dev().balances)
    rt = Runtime(GenesisConfig.dev(session_length=10, balances=balances))
    return rt, vals, noms, spare


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--validators", type=int, default=1000)
    ap.add_argument("--nominators", type=int, default=20000)
    ap.add_argument("--calls", type=int, default=5000)
    args = ap.parse_args()
    rng = random.Random(1)

    t0 = time.perf_counter()
    rt, vals, noms, spare = build(args.validators, args.nominators, 2 * args.calls)
    print(f"genesis with {len(vals) + len(noms) + len(spare):,} funded accounts: {time.perf_counter() - t0:.2f} s")

    t0 = time.perf_counter()
    for v in vals:
        rt.dispatch(v, "Staking", "bond", {"value": rng.randint(100, 5000) * UNIT, "payee": "Staked"})
        rt.dispatch(v, "Staking", "validate", {"prefs": {"commission": 50_000_000, "blocked": False}})
    for n in noms:
        rt.dispatch(n, "Staking", "bond", {"value": rng.randint(10, 1000) * UNIT, "payee": "Stash"})
        rt.dispatch(n, "Staking", "nominate", {"targets": rng.sample(vals, rng.randint(1, 16))})
    rt.dispatch("root", "Staking", "set_validator_count", {"new": min(len(vals), 1000)})
    n_calls = 2 * (len(vals) + len(noms))
    dt = time.perf_counter() - t0
    print(f"setup: {n_calls:,} bond/validate/nominate calls in {dt:.2f} s ({n_calls / dt:,.0f} calls/s)")

    session = rt.pallets["Session"]
    staking = rt.pallets["Staking"]
    # move to the last block before the session that plans the next era
    while True:
        start = staking.storage.ErasStartSessionIndex.get(staking.current_era())
        if session.current_index() + 1 - start >= staking.consts.SessionsPerEra - 1:
            break
        rt.advance_sessions(1)
    rt.advance_blocks(session.blocks_until_next_session() - 1)
    era_before = staking.current_era()
    t0 = time.perf_counter()
    rt.advance_blocks(1)
    plan = time.perf_counter() - t0
    assert staking.current_era() == era_before + 1
    elected = len(staking.storage.ErasElected.get(staking.current_era()))
    edges = sum(o.nominator_count for (e, _), o in staking.storage.ErasStakersOverview.items() if e == staking.current_era())
    print(f"era planning (election of {elected} from {len(vals)} validators, {len(noms):,} nominators, {edges:,} exposures): {plan * 1000:.0f} ms")
    rt.advance_blocks(session.blocks_until_next_session() - 1)
    t0 = time.perf_counter()
    rt.advance_blocks(1)
    start_era = time.perf_counter() - t0
    print(f"era start (end of era {staking.active_era() - 1}: points, EraPaid; start of era {staking.active_era()}): {start_era * 1000:.0f} ms")

    t0 = time.perf_counter()
    rt.advance_eras(1)
    print(f"a whole era of blocks (30 blocks, 3 sessions, both era transitions): {(time.perf_counter() - t0) * 1000:.0f} ms")

    era = staking.active_era() - 1
    paid_validator = staking.storage.ErasRewardPoints.get(era).individual[0][0]  # one that authored blocks
    t0 = time.perf_counter()
    receipt = rt.dispatch("Alice", "Staking", "payout_stakers", {"validator_stash": paid_validator, "era": era})
    print(f"payout_stakers (one page, {len(receipt.events_named('Staking.Rewarded'))} payees): {(time.perf_counter() - t0) * 1000:.1f} ms")

    callers = spare[: args.calls]
    t0 = time.perf_counter()
    for c in callers:
        rt.dispatch(c, "Staking", "bond", {"value": 100 * UNIT, "payee": "Staked"})
    dt = time.perf_counter() - t0
    print(f"Staking.bond: {len(callers) / dt:,.0f} calls/s")
    t0 = time.perf_counter()
    for c in callers:
        rt.dispatch(c, "Staking", "nominate", {"targets": rng.sample(vals, 16)})
    dt = time.perf_counter() - t0
    print(f"Staking.nominate (16 targets): {len(callers) / dt:,.0f} calls/s")

    rt.dispatch("Alice", "Lst", "create", {"amount": 1000 * UNIT, "root": "Alice", "nominator": "Alice", "bouncer": "Alice", "name": "tgTNT", "icon": None})
    rt.dispatch("Alice", "Lst", "nominate", {"pool_id": 1, "validators": vals[:16]})
    joiners = spare[args.calls : 2 * args.calls]
    t0 = time.perf_counter()
    for c in joiners:
        rt.dispatch(c, "Lst", "join", {"amount": 50 * UNIT, "pool_id": 1})
    dt = time.perf_counter() - t0
    print(f"Lst.join: {len(joiners) / dt:,.0f} calls/s")
    t0 = time.perf_counter()
    for c in joiners:
        rt.dispatch(c, "Lst", "unbond", {"member_account": c, "pool_id": 1, "unbonding_points": 10 * UNIT})
    dt = time.perf_counter() - t0
    print(f"Lst.unbond: {len(joiners) / dt:,.0f} calls/s")


if __name__ == "__main__":
    main()
