"""``Currency.transfer_batch``: N transfers from one account to another as one step (a slash moves a
hundred delegators' shares from the MAD pot to the treasury). It must leave exactly what the N single
transfers, each followed by ``after(i)``, leave: state root, balances, events in order, and the
error of the first failing transfer with nothing of the batch kept (atomic). The reference below is
that loop."""

from __future__ import annotations

import random
from typing import Any, Callable

import pytest

from pallets.balances.currency import MAX_BALANCE
from runtime import DispatchError, GenesisConfig, Runtime
from runtime.accounts import DEV_ACCOUNTS, derive_account

ED = 10**10
ALICE, BOB = DEV_ACCOUNTS["Alice"], DEV_ACCOUNTS["Bob"]
SRC, DST, OTHER = derive_account("batch-src"), derive_account("batch-dst"), derive_account("batch-other")


def make(src_free: int, dst_free: int | None, lock: int = 0, reserve: int = 0, special: str = "") -> Runtime:
    balances = dict(GenesisConfig.dev().balances) | {SRC: src_free}
    if dst_free is not None:
        balances[DST] = dst_free
    rt = Runtime(GenesisConfig.dev(balances=balances))
    bal = rt.pallets["Balances"]
    if lock:
        bal.set_lock(b"batchlck", SRC, lock)
    if reserve:
        bal.reserve(SRC, reserve)
    system = rt.pallets["System"]
    if special == "destination alive without funds":  # an asset holder's account: sufficients only
        system.inc_sufficients(DST)
    elif special == "source without a provider":  # not reachable through Balances: written raw
        system.storage.Account.insert(SRC, system.account(SRC)._replace(providers=0))
    elif special == "destination without a provider":
        system.storage.Account.insert(DST, system.account(DST)._replace(providers=0))
    return rt


def single_transfers(bal: Any, source: str, dest: str, amounts: list[int], keep_alive: bool, after: Callable[[int], None] | None) -> None:
    """The reference: one ``transfer`` per amount, each followed by ``after(i)``, in one transaction."""

    def run() -> None:
        for i, a in enumerate(amounts):
            bal.transfer(source, dest, a, keep_alive=keep_alive)
            if after is not None:
                after(i)

    bal.ctx.transactional(run)


def present(accounts: Any, who: str) -> Any:
    return accounts.get(who) if accounts.contains(who) else None


def outcome(rt: Runtime, how: str, source: str, dest: str, amounts: list[int], keep_alive: bool, after_kind: str | None) -> tuple:  # type: ignore[type-arg]
    bal = rt.pallets["Balances"]
    n = len(rt.db.events)
    after = None
    if after_kind == "event":  # what a slash does between its transfers: its own event
        after = lambda i: bal.deposit_event(bal.Event.Upgraded(OTHER))  # noqa: E731
    elif after_kind == "touch":  # pays the destination in and out between transfers, reading its balance
        def after(i: int) -> None:
            bal.transfer(ALICE, dest, ED + i, keep_alive=True)
            bal.transfer(dest, OTHER, bal.reducible_balance(dest, keep_alive=True) // 3, keep_alive=True)
    elif after_kind == "fail":  # the third step fails: the whole batch goes
        def after(i: int) -> None:
            if i == 2:
                raise bal.Error.InsufficientBalance()
    between = None
    if after_kind == "between":  # the slash's way: its events built beforehand at the position events get now
        if how == "batch":
            from runtime.events import EventRecord

            between = [EventRecord(bal.Event.Upgraded, (OTHER,), *bal.ctx.event_position()) for _ in amounts]
        else:
            after = lambda i: bal.deposit_event(bal.Event.Upgraded(OTHER))  # noqa: E731
    rt.db.begin()
    try:
        if how == "batch":
            bal.transfer_batch(source, dest, amounts, keep_alive=keep_alive, after=after, between=between)
        else:
            single_transfers(bal, source, dest, amounts, keep_alive, after)
        error = None
    except DispatchError as exc:
        error = exc.qualified_name
    rt.db.commit()
    accounts = rt.pallets["System"].storage.Account
    return (error, rt.state_root(), [(e.block, e.phase, e.extrinsic_idx, repr(e)) for e in rt.db.events[n:]], present(accounts, source), present(accounts, dest), bal.total_issuance())


CASES = [
    # (name, src free, dst free (None: absent), lock, reserve, amounts, keep_alive, after)
    ("plain", 1_000 * ED, 50 * ED, 0, 0, [ED, 3, 0, 7 * ED, 1], False, "event"),
    ("source left exactly the ED", 11 * ED, ED, 0, 0, [4 * ED, 6 * ED], True, None),
    ("source reaped, dust burned", 10 * ED + 5, ED, 0, 0, [4 * ED, 6 * ED], False, "event"),
    ("keep-alive refuses to reap", 10 * ED + 5, ED, 0, 0, [4 * ED, 6 * ED], True, None),
    ("new destination endowed by the first", 100 * ED, None, 0, 0, [2 * ED, 5, 7], False, "event"),
    ("new destination, first below the ED", 100 * ED, None, 0, 0, [5, 2 * ED], False, None),
    ("locks hold the last one", 100 * ED, ED, 60 * ED, 0, [20 * ED, 20 * ED, 1], False, None),
    ("reserve covers the lock", 100 * ED, ED, 60 * ED, 30 * ED, [20 * ED, 19 * ED, ED], False, "event"),
    ("not enough in the middle", 10 * ED, ED, 0, 0, [3 * ED, 9 * ED, ED], False, "event"),
    ("destination overflows", 100 * ED, MAX_BALANCE - ED, 0, 0, [ED, ED], False, None),
    ("after fails at the third", 100 * ED, ED, 0, 0, [ED, ED, ED, ED], False, "fail"),
    ("after writes the destination", 100 * ED, ED, 0, 0, [ED, 2 * ED, 3], False, "touch"),
    ("to itself", 100 * ED, ED, 0, 0, [ED, 2 * ED], False, None),
    ("destination alive without funds", 100 * ED, None, 0, 0, [5, 2 * ED], False, None),
    ("destination alive without funds, endowed", 100 * ED, None, 0, 0, [2 * ED, 5], False, "event"),
    ("source without a provider", 100 * ED, ED, 0, 0, [ED, 2 * ED], False, None),
    ("destination without a provider", 100 * ED, ED, 0, 0, [ED, 2 * ED], False, None),
    ("empty", 100 * ED, ED, 0, 0, [], False, "event"),
    ("plain, events between", 1_000 * ED, 50 * ED, 0, 0, [ED, 3, 0, 7 * ED, 1], False, "between"),
    ("source reaped, events between", 10 * ED + 5, ED, 0, 0, [4 * ED, 6 * ED], False, "between"),
    ("new destination endowed by the first, events between", 100 * ED, None, 0, 0, [2 * ED, 5, 7], False, "between"),
    ("not enough in the middle, events between", 10 * ED, ED, 0, 0, [3 * ED, 9 * ED, ED], False, "between"),
]


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_a_batch_leaves_what_the_single_transfers_leave(case: tuple) -> None:  # type: ignore[type-arg]
    name, src_free, dst_free, lock, reserve, amounts, keep_alive, after = case
    dest = SRC if name == "to itself" else DST
    special = name.split(",")[0]
    before = make(src_free, dst_free, lock, reserve, special)
    root = before.state_root()
    got = outcome(make(src_free, dst_free, lock, reserve, special), "batch", SRC, dest, amounts, keep_alive, after)
    want = outcome(make(src_free, dst_free, lock, reserve, special), "single", SRC, dest, amounts, keep_alive, after)
    assert got == want
    if want[0] is not None:  # a failure anywhere keeps nothing of the batch
        assert got[1] == root and got[2] == []


def test_expected_outcomes_of_the_cases() -> None:
    """The reference itself behaves as pallet_balances does on the cases above (so the comparison
    covers the liveness rules, not only equal mistakes)."""
    def run(name: str) -> tuple:  # type: ignore[type-arg]
        case = next(c for c in CASES if c[0] == name)
        _, src_free, dst_free, lock, reserve, amounts, keep_alive, after = case
        return outcome(make(src_free, dst_free, lock, reserve, name.split(",")[0]), "batch", SRC, DST, amounts, keep_alive, after)

    error, _root, events, src, dst, _ = run("source reaped, dust burned")
    assert error is None and src is None and dst.free == 11 * ED
    assert any("DustLost" in e[3] for e in events) and any("KilledAccount" in e[3] for e in events)
    assert run("keep-alive refuses to reap")[0] == "Token.NotExpendable"
    error, _root, events, _src, dst, _ = run("new destination endowed by the first")
    assert error is None and dst.free == 2 * ED + 12 and sum("Endowed" in e[3] for e in events) == 1
    assert run("new destination, first below the ED")[0] == "Token.BelowMinimum"
    assert run("locks hold the last one")[0] == "Token.Frozen"
    assert run("reserve covers the lock")[0] is None
    assert run("not enough in the middle")[0] == "Token.FundsUnavailable"
    assert run("destination overflows")[0] == "Arithmetic.Overflow"
    assert run("after fails at the third")[0] == "Balances.InsufficientBalance"
    assert run("destination alive without funds")[0] == "Token.BelowMinimum"
    error, _root, events, _src, _dst, _ = run("plain, events between")
    assert error is None  # each event given follows its transfer's Transfer (none for the zero amount)
    assert [e[3].split("(")[0].split(".")[-1] for e in events if "Transfer" in e[3] or "Upgraded" in e[3]] == ["Transfer", "Upgraded"] * 2 + ["Upgraded"] + ["Transfer", "Upgraded"] * 2
    error, _root, events, src, dst, _ = run("plain")
    # a zero amount moves nothing and emits nothing; each other one its Transfer, each followed by after's event
    assert [e[3].split("(")[0].split(".")[-1] for e in events if "Transfer" in e[3] or "Upgraded" in e[3]] == ["Transfer", "Upgraded"] * 2 + ["Upgraded"] + ["Transfer", "Upgraded"] * 2
    assert src.free == 1_000 * ED - 8 * ED - 4 and dst.free == 58 * ED + 4


@pytest.mark.parametrize("seed", range(6))
def test_random_batches_match_the_single_transfers(seed: int) -> None:
    rng = random.Random(seed)
    for _ in range(25):
        src_free = rng.choice([ED, 2 * ED, 30 * ED, 10**6 * ED]) + rng.randrange(ED)
        dst_free = rng.choice([None, ED, 5 * ED + 3])
        lock, reserve = rng.choice([0, 0, 10 * ED]), rng.choice([0, 0, ED])
        if reserve and src_free < reserve + 2 * ED:
            reserve = 0
        amounts = [rng.choice([0, 1, ED - 1, ED, rng.randrange(5 * ED), rng.randrange(src_free + 1)]) for _ in range(rng.randrange(1, 12))]
        keep_alive = rng.random() < 0.5
        after = rng.choice([None, "event", "touch", "fail", "between"])
        got = outcome(make(src_free, dst_free, lock, reserve), "batch", SRC, DST, amounts, keep_alive, after)
        want = outcome(make(src_free, dst_free, lock, reserve), "single", SRC, DST, amounts, keep_alive, after)
        assert got == want, (src_free, dst_free, lock, reserve, amounts, keep_alive, after)
