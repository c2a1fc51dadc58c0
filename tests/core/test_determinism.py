"""Same seed + same calls -> identical state root and event log, on any machine."""

from __future__ import annotations

import io
import json
import os
import random
import subprocess
import sys
from pathlib import Path

from runtime import UNIT, GenesisConfig, Runtime
from runtime.accounts import DEV_NAMES
from runtime.calllog import replay

GENESIS = GenesisConfig.dev(seed=7, session_length=25, assets=[{"id": 1, "owner": "Alice", "name": "USD Coin", "symbol": "USDC", "decimals": 6, "balances": {"Bob": 10**12, "Charlie": 10**12}}])


def random_run(n_calls: int, seed: int) -> Runtime:
    """Random transfers (many failing), asset moves and block advances."""
    rng = random.Random(seed)
    rt = Runtime(GENESIS)
    names = list(DEV_NAMES)
    for _ in range(n_calls):
        who, to = rng.choice(names), rng.choice(names)
        kind = rng.random()
        if kind < 0.5:
            amount = rng.choice([1, UNIT, 10**6 * UNIT, 10**30, 10**9])
            rt.dispatch(who, "Balances", rng.choice(["transfer_keep_alive", "transfer_allow_death"]), {"dest": to, "value": amount}, raise_error=False)
        elif kind < 0.85:
            rt.dispatch(who, "Assets", "transfer", {"id": 1, "target": to, "amount": rng.choice([1, 10**6, 10**12, 10**13])}, raise_error=False)
        elif kind < 0.9:
            rt.dispatch(who, "System", "remark_with_event", {"remark": f"r{rng.random()}"}, raise_error=False)
        else:
            rt.advance_blocks(rng.randint(1, 4))
    return rt


def test_replaying_a_10000_call_log_gives_the_same_root_twice() -> None:
    rt = random_run(10_000, seed=3)
    assert len(rt.call_log) > 8_000
    buf = io.StringIO()
    rt.export_log(buf)
    lines = buf.getvalue().splitlines()
    first = replay(lines)
    second = replay(lines)
    assert first.ok and second.ok, first.divergences[:3]
    assert first.runtime.state_root() == second.runtime.state_root() == rt.state_root()
    assert [e.to_json() for e in first.runtime.all_events()] == [e.to_json() for e in rt.all_events()]
    outcomes = {json.loads(l).get("outcome") for l in lines if '"kind": "call"' in l}
    assert "ok" in outcomes and len(outcomes) > 2  # successes and several kinds of failure


def test_replay_detects_a_tampered_log() -> None:
    rt = random_run(300, seed=5)
    buf = io.StringIO()
    rt.export_log(buf)
    lines = buf.getvalue().splitlines()
    call_lines = [i for i, l in enumerate(lines) if '"kind": "call"' in l and '"outcome": "ok"' in l]
    entry = json.loads(lines[call_lines[0]])
    entry["outcome"] = "Balances.InsufficientBalance"
    lines[call_lines[0]] = json.dumps(entry)
    result = replay(lines)
    assert not result.ok and "outcome" in str(result.divergences[0])


def test_same_root_in_another_process_with_another_hash_seed(tmp_path: Path) -> None:
    rt = random_run(500, seed=11)
    log = tmp_path / "run.jsonl"
    rt.export_log(log)
    code = "import sys; from runtime.calllog import replay; r = replay(sys.argv[1]); print(r.runtime.state_root(), r.ok)"
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    out = subprocess.run([sys.executable, "-c", code, str(log)], capture_output=True, text=True, env=env, check=True).stdout.split()
    assert out == [rt.state_root(), "True"]


def test_seed_changes_block_hashes_not_balances() -> None:
    a, a2 = Runtime(GENESIS), Runtime(GENESIS)
    b = Runtime(GENESIS.model_copy(update={"seed": 8}))
    assert a.state_root() == a2.state_root()
    assert a.block_hash(1) != b.block_hash(1)
    assert a.state_root() != b.state_root()  # System.ParentHash is state
    assert a.query("System", "Account", ["Bob"]).value == b.query("System", "Account", ["Bob"]).value
