"""The incremental invariant checks lose no power: a violation written in one step is caught at that
step, with no full check (``full_every=0``), by the per-key reads and incremental forms of
:mod:`simulations.fuzz.checks`; and every storage item an invariant declares it reads re-runs it
when a step writes it. Incremental forms that skip work (relations whose items were not written,
events of kinds the step did not deposit) keep what they remember in step with the full forms.

Each violation is made by a patched ``System.remark`` that writes storage the way a buggy pallet
would (moving a unit of balance out of a pot, dropping a lock), inside an ordinary call step.
"""

from __future__ import annotations

from typing import Any, Callable

import pytest

from pallets.primitives.slashing import UnappliedSlash
from pallets.services.types.jobs import JobCallResult
from pallets.staking.types import StakingUnappliedSlash
from pallets.system import System
from runtime import Runtime
from simulations.fuzz import FuzzConfig, World
from simulations.fuzz.checks import END_ONLY, FULL_ONLY, INCREMENTAL, KEYED_READS, READS, InvariantSet
from simulations.fuzz.program import Executor, Failure
from simulations.stateful.invariants import ledger as ledger_module
from simulations.stateful.invariants.references import SERVICES_REFERENCE_PARTS

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


def _services(rt: Runtime) -> Any:
    return rt.pallets["Services"].storage  # type: ignore[attr-defined]


VIOLATIONS: dict[str, Callable[[Runtime], None]] = {
    # incremental forms that skip work: each write touches one relation / no Services event
    # a job result answering no job call (only the job-results relation reads the item written)
    "services_references_resolve": lambda rt: _services(rt).JobResults.insert((0, 999), JobCallResult(0, 999, ())),
    # the world's pending request 1 made past its expiry, with no Services event (the time-only path)
    "no_service_from_expired_request": lambda rt: _services(rt).ServiceRequestExpiresAt.insert(1, rt.block_number),
    # a staking slash queued for the era already active (never to be applied)
    "staking_slashes_wait_for_their_era": lambda rt: rt.pallets["Staking"].storage.UnappliedSlashes.insert(  # type: ignore[attr-defined]
        rt.current_era, (StakingUnappliedSlash(rt.account("Alice"), 1, (), (), 0),)),
    # a slash queued with no UnappliedSlash event
    "slashes_respect_windows_and_disputes": lambda rt: _services(rt).UnappliedSlashes.insert(
        (0, 0), UnappliedSlash(0, 0, 0, _first_operator(rt), 10)),
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


def test_the_services_reference_parts_cover_what_the_invariant_reads() -> None:
    """Every item services_references_resolve declares re-runs it; the incremental form then
    re-checks the relations reading that item: their items together must be the declared reads."""
    items = frozenset().union(*(items for _what, items in SERVICES_REFERENCE_PARTS))
    assert items == READS["services_references_resolve"]


@pytest.mark.parametrize("label", sorted(READS["services_references_resolve"]))
def test_each_services_item_written_rechecks_a_relation_that_sees_it(world: World, monkeypatch: pytest.MonkeyPatch, label: str) -> None:
    """The incremental form of services_references_resolve after a step that wrote one Services
    item: at least one relation reads it, the relations get the label as touched, and on the
    world's valid state none of them raises a false alarm. (That a broken relation is caught
    through its item alone: the JobResults and JobCalls violations.)"""
    from simulations.stateful.invariants.references import _services_references

    rt = world.reset()
    hit = [what for what, items in SERVICES_REFERENCE_PARTS if label in items]
    assert hit
    calls: list[frozenset[str] | None] = []
    monkeypatch.setattr("simulations.stateful.invariants.references._services_references",
                        lambda rt_, touched: calls.append(None if touched is None else frozenset(touched)) or _services_references(rt_, touched))
    INCREMENTAL["services_references_resolve"](rt, ledger_module.Ledger(), frozenset({label}), {})
    assert calls == [frozenset({label})]


def test_a_job_call_naming_no_service_is_caught_when_only_job_calls_are_written(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    _ex, failure = _run_patched(world, monkeypatch, lambda rt: _services(rt).JobCalls.insert((999, 0), _any_job_call(rt)))
    assert failure is not None and failure.what == "services_references_resolve" and "never existed" in failure.message, failure


def _any_job_call(rt: Runtime) -> Any:
    from pallets.services.types.jobs import JobCall

    return JobCall(999, 0, ())  # service 999: NextInstanceId is far below


def test_an_era_with_no_staking_slash_queued_passes_over_its_events(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    """Eras start and Staking deposits events with no slash queued: the staking-slash check
    passes over them unread; with a slash queued (remembered from its last check) it reads them."""
    rt = world.reset()
    ex = Executor(rt, InvariantSet(world.invariant_fns), full_every=0)
    ex.check(None, -1)
    read = _request_events_read(monkeypatch)
    era = rt.current_era
    ex.run(["wait", rt.genesis.session_length * rt.genesis.sessions_per_era])
    assert rt.current_era > era and "event:Staking" in ex.last_touched
    assert ex.invariants.runs["staking_slashes_wait_for_their_era"] == 2
    assert "staking_slashes_wait_for_their_era" not in read
    ex.ledger.extra["staking_unapplied"] = {rt.current_era + 5: (rt.account("Alice"),)}  # as if a slash were queued at the last check
    ex.run(["wait", rt.genesis.session_length * rt.genesis.sessions_per_era])
    assert "staking_slashes_wait_for_their_era" in read


def _request_events_read(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Record which consumers read their new events (``new_events``) in the invariants' modules."""
    import simulations.stateful.invariants.services as services_module

    read: list[str] = []
    real = ledger_module.new_events

    def spy(rt: Runtime, ledger: Any, consumer: str) -> list[Any]:
        read.append(consumer)
        return real(rt, ledger, consumer)
    monkeypatch.setattr(services_module, "new_events", spy)
    return read


def test_time_passing_rejudges_pending_requests_without_reading_events(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    """A wait step deposits events (blocks, a session rotation) but no Services one: the request
    check passes over them unread, and still judges the pending request against the clock."""
    rt = world.reset()
    ex = Executor(rt, InvariantSet(world.invariant_fns), full_every=0)
    ex.check(None, -1)
    read = _request_events_read(monkeypatch)
    ex.run(["wait", 5])
    assert "event:Services" not in ex.last_touched and ex.last_events
    assert ex.invariants.runs["no_service_from_expired_request"] == 2
    assert "no_service_from_expired_request" not in read
    # the world's request 1 expires at block 21: the pallet expires it (a Services event, read)
    ex.run(["wait", 25])
    assert "no_service_from_expired_request" in read
    assert 1 in ex.ledger.expired_requests


def test_the_skipping_forms_remember_what_the_full_forms_remember(world: World) -> None:
    """Steps checked incrementally only (``full_every=0``) and the same steps with a full check
    after every step leave the same ledger: the rounds followed through session rotations, the
    slashes, requests and cursors (the skipped events held nothing the full forms keep)."""
    program = []
    for i in range(12):
        program.append(["wait", [1, 5, 7, 10][i % 4]])
        program.append(["call", "Alice", "Balances", "transfer_allow_death", {"dest": "Bob", "value": 10**18 + i}])
        program.append(["call", "Alice", "Services", "request", {"blueprint_id": 0}])
    ledgers = []
    for full_every in (0, 1):
        rt = world.reset()
        ex = Executor(rt, InvariantSet(world.invariant_fns), full_every=full_every)
        ex.check(None, -1)
        for step in program:
            ex.run(step)
        rounds = dict(ex.ledger.rounds)  # what the last step's check left
        ex.check(None, len(program) - 1)  # the end-of-run check: every cursor at the end
        ledgers.append((rounds, ex.ledger))
    (incremental_rounds, incremental), (full_rounds, full) = ledgers
    assert incremental_rounds["slashes_respect_windows_and_disputes"] == full_rounds["slashes_respect_windows_and_disputes"] > 0
    for consumer in ("slashes_respect_windows_and_disputes", "no_service_from_expired_request"):
        assert incremental.cursors[consumer] == full.cursors[consumer]
    assert incremental.rounds["slashes_respect_windows_and_disputes"] == full.rounds["slashes_respect_windows_and_disputes"] > 0
    assert incremental.slashes == full.slashes
    assert (incremental.request_created, incremental.expired_requests) == (full.request_created, full.expired_requests)
