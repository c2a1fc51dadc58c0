"""The incremental invariant checks lose no power: a violation written in one step is caught at that
step, with no full check (``full_every=0``), by the per-key reads and incremental forms of
:mod:`simulations.fuzz.checks`; and every storage item an invariant declares it reads re-runs it
when a step writes it.

Each violation is made by a patched ``System.remark`` that writes storage the way a buggy pallet
would (moving a unit of balance out of a pot, dropping a lock), inside an ordinary call step.
"""

from __future__ import annotations

from typing import Any, Callable

import pytest

from pallets.system import System
from runtime import Runtime
from simulations.fuzz import FuzzConfig, World
from simulations.fuzz.checks import END_ONLY, FULL_ONLY, INCREMENTAL, KEYED_READS, READS, InvariantSet
from simulations.fuzz.program import Executor, Failure

REMARK = ["call", "Alice", "System", "remark", {"remark": "0x00"}]


@pytest.fixture(scope="module")
def world() -> World:
    return World(FuzzConfig())


def _run_patched(world: World, monkeypatch: pytest.MonkeyPatch, write: Callable[[Runtime], None]) -> tuple[Executor, Failure | None]:
    """Run one remark whose body is ``write(rt)`` after a primed start, with no full check."""
    rt = world.reset()
    ex = Executor(rt, InvariantSet(world.invariant_fns), full_every=0)
    ex.check(None, -1)
    monkeypatch.setattr(System.call_specs()["remark"], "fn", lambda pallet, origin, remark: write(rt))
    try:
        ex.run(REMARK)
    except Failure as failure:
        return ex, failure
    return ex, None


def _move(rt: Runtime, source: str, dest: str, amount: int, reserved: bool = False) -> None:
    """Move ``amount`` of ``source``'s free (or reserved) balance to ``dest``'s free balance: no issuance changes."""
    accounts = rt.pallets["System"].storage.Account  # type: ignore[attr-defined]
    a = accounts.get(source)
    accounts.insert(source, a._replace(reserved=a.reserved - amount) if reserved else a._replace(free=a.free - amount))
    b = accounts.get(dest)
    accounts.insert(dest, b._replace(free=b.free + amount))


def _mint_out_of_thin_air(rt: Runtime) -> None:
    accounts = rt.pallets["System"].storage.Account  # type: ignore[attr-defined]
    alice = rt.account("Alice")
    accounts.insert(alice, accounts.get(alice)._replace(free=accounts.get(alice).free + 1))


def _drop_alice_staking_lock(rt: Runtime) -> None:
    rt.pallets["Balances"].storage.Locks.remove(rt.account("Alice"))  # type: ignore[attr-defined]


def _first_operator(rt: Runtime) -> str:
    return sorted(rt.pallets["MultiAssetDelegation"].storage.Operators.keys())[0]  # type: ignore[attr-defined]


VIOLATIONS: dict[str, Callable[[Runtime], None]] = {
    # incremental form: the running sum of balances moves by the one account written
    "token_conservation": _mint_out_of_thin_air,
    # per-key reads: the account written is the pot / a stash / a pool / an operator
    "delegation_pot_backs_deposits": lambda rt: _move(rt, rt.pallets["MultiAssetDelegation"].pallet_account(), rt.account("Bob"), 1),  # type: ignore[attr-defined]
    "services_pot_holds_staged_payments": lambda rt: _move(rt, rt.pallets["Services"].pallet_account(), rt.account("Bob"), 1),  # type: ignore[attr-defined]
    "staking_locks_match_ledgers": _drop_alice_staking_lock,
    "lst_pools_back_their_claims": lambda rt: _move(rt, rt.account("Alice"), rt.pallets["Lst"].bonded_account(1), 5),  # type: ignore[attr-defined]
    "operator_stake_is_reserved": lambda rt: _move(rt, _first_operator(rt), rt.account("Bob"), 1, reserved=True),
}


def test_every_incremental_or_per_key_invariant_has_a_one_step_violation() -> None:
    assert set(VIOLATIONS) == set(KEYED_READS) | set(INCREMENTAL)


@pytest.mark.parametrize("name", sorted(VIOLATIONS))
def test_a_violation_written_in_one_step_fails_at_that_step(world: World, monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    _ex, failure = _run_patched(world, monkeypatch, VIOLATIONS[name])
    assert failure is not None and failure.kind == "invariant" and failure.step == 0
    assert failure.what == name, failure


def test_a_balance_move_between_plain_accounts_runs_no_per_key_invariant(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    """The other side of per-key reads: moving balance between two accounts none of them judges
    leaves them alone (token conservation, which reads every account, still runs)."""
    rt = world.rt
    judged = set(rt.pallets["MultiAssetDelegation"].storage.Operators.keys()) | set(rt.pallets["Staking"].storage.Ledger.keys())  # type: ignore[attr-defined]
    plain = [who for who in (rt.account(n) for n in ("Alice", "Bob", "Charlie", "Dave", "Eve", "Ferdie")) if who not in judged]
    assert len(plain) >= 2
    ex, failure = _run_patched(world, monkeypatch, lambda rt: _move(rt, plain[0], plain[1], 1))
    assert failure is None
    inv = ex.invariants
    assert inv.runs["token_conservation"] == 2  # the start check and this step
    assert all(inv.runs[name] == 1 for name in KEYED_READS), {name: inv.runs[name] for name in KEYED_READS}


def test_the_running_sum_follows_a_mint_that_its_events_account_for(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    """Incremental token conservation over many steps agrees with the full form (no drift)."""
    rt = world.reset()
    ex = Executor(rt, InvariantSet(world.invariant_fns), full_every=0)
    ex.check(None, -1)
    for i in range(20):
        ex.run(["call", "Alice", "Balances", "transfer_allow_death", {"dest": "Bob" if i % 2 else "Charlie", "value": 10**18 + i}])
        ex.run(["wait", 3])
    held = ex.ledger.extra["native_held"]
    assert held == sum(a.free + a.reserved for a in rt.pallets["System"].storage.Account.values())  # type: ignore[attr-defined]


def _rewrite(item: Any) -> Callable[[Runtime], None]:
    key = item.keys()[0]
    return lambda rt: item.insert(key, item.get(key))


def test_a_write_to_any_item_an_invariant_reads_reruns_it(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    """Item-level reads: for each declared item read (other than per-key ones) that holds an
    entry in the world, a step rewriting one entry re-runs the invariant."""
    rt = world.rt
    tried = 0
    for name, reads in READS.items():
        for label in sorted(reads - {END_ONLY, FULL_ONLY} - set(KEYED_READS.get(name, {}))):
            if label.startswith("event:") or "." not in label:
                continue
            prefix, item_name = label.split(".")
            item = rt.db.items.get((prefix, item_name))
            if item is None or not len(item):
                continue
            ex, failure = _run_patched(world, monkeypatch, _rewrite(world.rt.db.items[(prefix, item_name)]))
            assert failure is None, failure
            assert ex.invariants.runs[name] == 2, (name, label)
            tried += 1
    assert tried >= 40
