"""The commonest slash — every delegator of the operator holds one TNT delegation to it and one TNT
deposit — is applied in one pass over the operator's bond list (issue 18: a slash of 100
delegators cost ~5 us per delegator). It must leave exactly what the straightforward walk leaves
(each delegator through the general path in its own tolerated transaction): the same records,
bond list, balances, events with their positions, and state root; and it must hand every other
operator, untouched, to the planned slash or the walk."""

from __future__ import annotations

import pytest

from pallets.multi_asset_delegation.slashing import SlashingImpl
from runtime.accounts import derive_account
from mad_helpers import MAD, TNT, UNIT, USDC, delegate, deposit, make_rt, mad
from test_mad_slash_batch import TREASURY, apply, short_pot, straightforward

PEOPLE = [derive_account(f"slash-one-pass-{i}") for i in range(40)]


def single_tnt_delegators(extra: str = ""):  # type: ignore[no-untyped-def]
    """Bob operates; 40 delegators, each with one TNT deposit and one TNT delegation to Bob: for
    All blueprints, for blueprint 1, for blueprint 2 only (not exposed), and for All with a lock
    on the deposit and only part of it delegated. ``extra`` adds one delegator the one pass must
    leave to the others (an unstake request pending, a second delegation in USDC, a slash that
    rounds to zero)."""
    rt = make_rt("intended", constants={MAD: {"MaxDelegations": 200}})
    mad(rt, "Bob", "join_operators", bond_amount=100 * UNIT)
    selections = ("All", {"Fixed": [1]}, {"Fixed": [2]}, "All")
    for i, who in enumerate(PEOPLE):
        amount, locked = (i + 1) * UNIT + i * 7_654_321, i % 4 == 3
        rt.dispatch("Alice", "Balances", "transfer_keep_alive", {"dest": who, "value": 1_000 * UNIT})
        deposit(rt, who, TNT, amount, lock="OneMonth" if locked else None)
        delegate(rt, who, "Bob", TNT, amount // 2 if locked else amount, selections[i % 4])
    if extra == "an unstake request":
        mad(rt, PEOPLE[0], "schedule_delegator_unstake", operator=rt.account("Bob"), asset=TNT, amount=UNIT // 2)
    elif extra == "a USDC delegation too":
        deposit(rt, "Dave", TNT, 10 * UNIT)
        delegate(rt, "Dave", "Bob", TNT, 10 * UNIT, "All")
        deposit(rt, "Dave", USDC, 10_000)
        delegate(rt, "Dave", "Bob", USDC, 10_000, "All")
    elif extra == "a slash rounding to zero":
        deposit(rt, "Dave", TNT, 10 * UNIT)
        delegate(rt, "Dave", "Bob", TNT, 3, "All")
    return rt


def outcome(rt, percent: int):  # type: ignore[no-untyped-def]
    """What a user can read after the slash: root, events with positions, records, Bob's entry, balances."""
    events = apply(rt, percent)
    storage = rt.pallets[MAD].storage
    pot = rt.pallets[MAD].pallet_account()
    return (rt.state_root(), [(e.block, e.phase, e.extrinsic_idx, repr(e)) for e in events], dict(storage.Delegators.items()),
            storage.Operators.get(rt.account("Bob")), rt.free_balance(pot), rt.free_balance(TREASURY), rt.state_root() == rt.db.state_root_from_scratch())


@pytest.mark.parametrize("case", ["funded treasury", "absent treasury", "short pot", "full slash", "nobody exposed",
                                  "an unstake request", "a USDC delegation too", "a slash rounding to zero"])
def test_one_pass_slash_leaves_what_the_straightforward_walk_leaves(case: str, monkeypatch: pytest.MonkeyPatch) -> None:
    taken: list[bool] = []
    real = SlashingImpl._slash_native_operator
    monkeypatch.setattr(SlashingImpl, "_slash_native_operator", lambda self, *a: (taken.append(real(self, *a)), taken[-1])[1])
    percent = 100 if case == "full slash" else 30
    blueprint = 3 if case == "nobody exposed" else 1  # blueprint 3: only the All delegations are exposed
    results = []
    for walk in ("one pass", "straightforward"):
        if walk == "straightforward":
            monkeypatch.setattr(SlashingImpl, "_slash_each_delegator", straightforward)
        rt = single_tnt_delegators(case)
        if case == "nobody exposed":
            for who in PEOPLE[::4] + PEOPLE[3::4]:  # the All delegators leave: nobody left exposed to blueprint 3
                mad(rt, who, "schedule_delegator_unstake", operator=rt.account("Bob"), asset=TNT, amount=rt.pallets[MAD].storage.Delegators.get(who).delegations[0].amount)
                rt.advance_blocks(100)
                mad(rt, who, "execute_delegator_unstake")
        if case != "absent treasury":
            rt.dispatch("Alice", "Balances", "transfer_allow_death", {"dest": TREASURY, "value": UNIT})
        if case == "short pot":
            short_pot(rt)
        before = {who: rt.pallets[MAD].storage.Delegators.get(who) for who in PEOPLE}
        results.append(outcome(rt, percent) if case != "nobody exposed" else outcome_at(rt, percent, blueprint))
        if walk == "one pass":
            assert taken == [case in ("funded treasury", "absent treasury", "short pot", "full slash", "nobody exposed")]
            after = rt.pallets[MAD].storage.Delegators
            exposed = [who for i, who in enumerate(PEOPLE) if i % 4 != 2 and before[who].delegations]
            if case in ("funded treasury", "full slash"):
                # each exposed delegation lost its share; blueprint 2's delegators kept theirs
                for who in exposed:
                    old, new = before[who].delegations[0].amount, after.get(who).delegations
                    assert (new[0].amount if new else 0) == old - old * percent // 100
                for who in PEOPLE[2::4]:
                    assert after.get(who) is before[who]
    assert results[0] == results[1]
    assert results[0][-1]  # the maintained root is the recomputed one


def outcome_at(rt, percent: int, blueprint: int):  # type: ignore[no-untyped-def]
    """``outcome`` for a slash of ``blueprint``."""
    n = len(rt.db.events)
    from pallets.primitives.slashing import UnappliedSlash

    root = rt.state_root()
    rt.db.begin()
    rt.pallets[MAD].slash_operator(UnappliedSlash(era=4, blueprint_id=blueprint, service_id=2, operator=rt.account("Bob"), slash_percent=percent))
    rt.db.commit()
    events = rt.db.events[n:]
    assert [e.name for e in events] == ["Balances.Unreserved", "Balances.Transfer", "MultiAssetDelegation.OperatorSlashed"]  # the operator's own stake only
    assert rt.state_root() != root
    storage = rt.pallets[MAD].storage
    return (rt.state_root(), [(e.block, e.phase, e.extrinsic_idx, repr(e)) for e in events], dict(storage.Delegators.items()),
            storage.Operators.get(rt.account("Bob")), rt.state_root() == rt.db.state_root_from_scratch())


def test_one_pass_slash_interleaves_each_transfer_with_its_delegators_event() -> None:
    """The pot's transfer of a delegator's share is followed by that delegator's DelegatorSlashed,
    all at the slash's position, and the pot and the treasury move by exactly the shares."""
    rt = single_tnt_delegators()
    rt.dispatch("Alice", "Balances", "transfer_allow_death", {"dest": TREASURY, "value": UNIT})
    pot = rt.pallets[MAD].pallet_account()
    pot_before, treasury_before = rt.free_balance(pot), rt.free_balance(TREASURY)
    events = apply(rt, 30)
    names = [e.name.split(".")[1] for e in events]
    assert names[:3] == ["Unreserved", "Transfer", "OperatorSlashed"]  # the operator's own stake first
    pairs = events[3:]
    assert len(pairs) == 2 * 30  # 30 of 40 exposed to blueprint 1
    shares = 0
    for transfer, slashed in zip(pairs[::2], pairs[1::2]):
        assert transfer.name == "Balances.Transfer" and slashed.name == "MultiAssetDelegation.DelegatorSlashed"
        assert transfer["from"] == pot and transfer["to"] == TREASURY and transfer["amount"] == slashed["amount"] > 0
        assert (slashed.block, slashed.phase, slashed.extrinsic_idx) == (events[0].block, events[0].phase, events[0].extrinsic_idx)
        shares += slashed["amount"]
    assert rt.free_balance(pot) == pot_before - shares
    assert rt.free_balance(TREASURY) == treasury_before + 30 * UNIT + shares
