"""MultiAssetDelegation / Rewards throughput. Prints numbers (no assertions).

Run: python benchmarks/bench_delegation.py [operators] [delegations]
Targets (issue 3): an era change with 1,000 operators and 100,000 delegations in under 1 s;
delegate / unstake calls at 20,000/s or more through ``rt.dispatch``.

The chain bounds an operator's delegation list by ``MaxDelegations`` (50); 100 delegations per
operator needs the bound raised, which the benchmark does through the genesis constants.
"""

from __future__ import annotations

import gc
import sys
import time

from runtime import GenesisConfig, Runtime
from runtime.accounts import derive_account
from runtime.genesis import UNIT

TNT = {"Custom": 0}
PER_DELEGATOR = 2


def build(operators: int, delegations: int) -> tuple[Runtime, list[str], list[str]]:
    per_operator = -(-delegations // operators)
    ops = [derive_account(f"bench-op-{i}") for i in range(operators)]
    dels = [derive_account(f"bench-del-{i}") for i in range(delegations // PER_DELEGATOR)]
    balances = {a: 1_000 * UNIT for a in ops + dels}
    balances.update({n: 1_000_000 * UNIT for n in ("Alice", "Bob")})
    genesis = GenesisConfig.dev(balances=balances, session_length=10, constants={"MultiAssetDelegation": {"MaxDelegations": max(50, per_operator)}})
    rt = Runtime(genesis)
    dispatch = rt.dispatch
    for op in ops:
        dispatch(op, "MultiAssetDelegation", "join_operators", {"bond_amount": 100 * UNIT})
    started = time.perf_counter()
    for d in dels:
        dispatch(d, "MultiAssetDelegation", "deposit", {"asset": TNT, "amount": 100 * UNIT, "evm_address": None, "lock_multiplier": None})
    deposit_rate = len(dels) / (time.perf_counter() - started)
    started = time.perf_counter()
    n = 0
    for i, d in enumerate(dels):
        for k in range(PER_DELEGATOR):
            op = ops[(i * PER_DELEGATOR + k) % operators]
            dispatch(d, "MultiAssetDelegation", "delegate", {"operator": op, "asset": TNT, "amount": 10 * UNIT, "blueprint_selection": {"Fixed": [1]}})
            n += 1
    delegate_rate = n / (time.perf_counter() - started)
    print(f"setup: {operators:,} operators, {n:,} delegations from {len(dels):,} delegators")
    print(f"  deposit (first, creates the delegator):   {deposit_rate:10,.0f} calls/s")
    print(f"  delegate (new entries on both sides):      {delegate_rate:10,.0f} calls/s")
    return rt, ops, dels


def era_change(rt: Runtime) -> None:
    staking = rt.pallets["Staking"]
    era = rt.current_era
    # step to the last block before the next era starts, then time that one block
    while True:
        snap = rt.snapshot()
        rt.advance_blocks(1)
        if rt.current_era != era:
            rt.restore(snap)
            break
    mad, rewards = rt.pallets["MultiAssetDelegation"], rt.pallets["Rewards"]
    started = time.perf_counter()
    rt.advance_blocks(1)
    block = time.perf_counter() - started
    assert rt.current_era == era + 1 and staking is not None
    credited = len(rewards.storage.PendingEraRewards)
    print(f"era change block (session rotation, MAD round snapshot, staking era, era rewards): {block * 1e3:8.1f} ms")
    print(f"  accounts credited with era rewards: {credited:,}")
    # the two MAD/Rewards parts on their own
    rt.db.begin()
    started = time.perf_counter()
    mad.handle_round_change(mad.get_current_round() + 1)
    round_ms = (time.perf_counter() - started) * 1e3
    started = time.perf_counter()
    rewards.on_new_era(era + 2)
    rewards_ms = (time.perf_counter() - started) * 1e3
    rt.db.rollback()
    print(f"  MAD handle_round_change alone: {round_ms:8.1f} ms;  Rewards.on_new_era alone: {rewards_ms:8.1f} ms")


def call_rates(rt: Runtime, ops: list[str], dels: list[str], offset: int, n: int) -> dict[str, float]:
    """Rates of the four delegator calls for ``n`` delegators starting at ``offset`` (all succeed)."""
    dispatch = rt.dispatch
    sample = dels[offset : offset + n]
    params = [{"operator": ops[((offset + i) * PER_DELEGATOR) % len(ops)], "asset": TNT, "amount": UNIT} for i in range(len(sample))]
    rates: dict[str, float] = {}
    started = time.perf_counter()
    for d, p in zip(sample, params):
        dispatch(d, "MultiAssetDelegation", "delegate", {**p, "blueprint_selection": {"Fixed": [1]}})
    rates["delegate (top-up)"] = len(sample) / (time.perf_counter() - started)
    started = time.perf_counter()
    for d, p in zip(sample, params):
        dispatch(d, "MultiAssetDelegation", "schedule_delegator_unstake", p)
    rates["schedule_delegator_unstake"] = len(sample) / (time.perf_counter() - started)
    started = time.perf_counter()
    for d, p in zip(sample, params):
        dispatch(d, "MultiAssetDelegation", "cancel_delegator_unstake", p)
    rates["cancel_delegator_unstake"] = len(sample) / (time.perf_counter() - started)
    for d, p in zip(sample, params):
        dispatch(d, "MultiAssetDelegation", "schedule_delegator_unstake", p)
    rt.advance_sessions(rt.pallets["MultiAssetDelegation"].consts.DelegationBondLessDelay)
    started = time.perf_counter()
    for d in sample:
        dispatch(d, "MultiAssetDelegation", "execute_delegator_unstake", {})
    rates["execute_delegator_unstake"] = len(sample) / (time.perf_counter() - started)
    return rates


def calls(rt: Runtime, ops: list[str], dels: list[str], n: int) -> None:
    """Python's cyclic GC walks every live object (here ~1.6 million: stored structs, the event and
    call logs) about once per 30,000 calls, for ~0.8 s: the same calls are timed with the GC as is and
    with the state built so far frozen out of it (``gc.freeze()``), which is what a long simulation
    of this size should do."""
    plain = call_rates(rt, ops, dels, 0, n)
    gc.collect()
    gc.freeze()
    try:
        frozen = call_rates(rt, ops, dels, n, n)
    finally:
        gc.unfreeze()
    print(f"calls through rt.dispatch ({n:,} of each, operators holding ~{len(dels) * PER_DELEGATOR // len(ops)} delegations):")
    print(f"  {'':30s} {'GC as is':>12s} {'gc.freeze()':>12s}")
    for name in plain:
        print(f"  {name:30s} {plain[name]:10,.0f}/s {frozen[name]:10,.0f}/s")


def main() -> None:
    operators = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000
    delegations = int(sys.argv[2]) if len(sys.argv) > 2 else 100_000
    started = time.perf_counter()
    rt, ops, dels = build(operators, delegations)
    print(f"  (setup took {time.perf_counter() - started:.1f} s)")
    era_change(rt)
    calls(rt, ops, dels, min(20_000, len(dels) // 2))


if __name__ == "__main__":
    main()
