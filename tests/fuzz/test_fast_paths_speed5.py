"""Fast paths added for the fuzz engine's speed (issue 16) do what the plain forms they replace do.

* ``state_is_immutable``'s check of the writes since the last root (a container met twice in one
  call is checked once) accepts and refuses exactly what storage's ``check_written_canonical``
  does, with the same message, whether or not the bad container is shared.
"""

from __future__ import annotations

import dataclasses

import pytest

from runtime import GenesisConfig, Runtime
from simulations.stateful.invariants import Ledger, check_written_canonical, state_is_immutable


@dataclasses.dataclass(frozen=True)
class Pair:
    a: object
    b: object


@dataclasses.dataclass(frozen=True)
class One:
    a: object


@dataclasses.dataclass
class Loose:
    a: int


SHARED_BAD = (1, (2, [3]))
SHARED_GOOD = (1, (2, b"x"), One(("y", None)))
CASES = [
    # (key, value) pairs written in order; the shared objects appear more than once
    [("k1", Pair(1, SHARED_GOOD)), ("k2", Pair(2, SHARED_GOOD)), ("k3", SHARED_GOOD)],
    [("k1", Pair(1, SHARED_GOOD)), ("k2", Pair(2, SHARED_BAD)), ("k3", Pair(3, SHARED_BAD))],
    [("k1", One(SHARED_BAD)), ("k2", One(SHARED_BAD))],
    [(("k", 1.5), 1)],
    [("k1", frozenset({1, 2})), ("k2", Pair(frozenset({(1, 2)}), 3))],
    [("k1", Loose(1))],
    [("k1", One(One(One(0.5))))],
    [("k1", Pair({"a": 1}, 2))],
    [("k1", tuple(range(40)) + ((1, 2),)), ("k2", (SHARED_GOOD,) * 3)],
]


def _written(pairs: list[tuple[object, object]]) -> Runtime:
    rt = Runtime(GenesisConfig.dev())
    rt.state_root()
    item = rt.pallets["MultiAssetDelegation"].storage.Operators
    for key, value in pairs:
        item.insert(key, value)
    return rt


def _outcome(check: object, rt: Runtime) -> str:
    try:
        check()  # type: ignore[operator]
    except TypeError as exc:
        return f"TypeError: {exc}"
    return "ok"


@pytest.mark.parametrize("pairs", CASES, ids=lambda p: repr(p)[:60])
def test_the_memoised_check_refuses_what_storage_refuses_with_the_same_message(pairs: list[tuple[object, object]]) -> None:
    ours = _written(pairs)
    theirs = _written(pairs)
    expected = _outcome(theirs.db.check_written_canonical, theirs)
    assert _outcome(lambda: check_written_canonical(ours.db), ours) == expected
    if expected != "ok":
        with pytest.raises(AssertionError, match="mutable or non-canonical value in state"):
            state_is_immutable(_written(pairs), Ledger())


def test_a_good_shared_container_is_walked_once_and_a_bad_one_still_fails() -> None:
    import simulations.stateful.invariants as invariants

    walked: list[object] = []
    check = invariants._check

    def counting(value: object, seen: set[int]) -> None:
        if value is SHARED_GOOD and id(value) not in seen:
            walked.append(value)
        check(value, seen)

    mp = pytest.MonkeyPatch()
    mp.setattr(invariants, "_check", counting)
    try:
        check_written_canonical(_written(CASES[0]).db)
    finally:
        mp.undo()
    assert len(walked) == 1  # three writes hold it; checked once
    with pytest.raises(TypeError, match=r"\[1, 2\]|\[3\]"):
        check_written_canonical(_written(CASES[2]).db)


class _Spec:
    def __init__(self, pallet: str, name: str) -> None:
        self.pallet, self.name, self.qualified = pallet, name, f"{pallet}.{name}"


class _Event:
    def __init__(self, spec: _Spec) -> None:
        self.spec = spec


def _reference_event_features(specs: list[_Spec]) -> set[str]:
    out: set[str] = set()
    previous = None
    for s in specs:
        out.add("event:" + s.qualified)
        if previous is not None and previous != s.qualified:
            out.add(f"pair:{previous}>{s.qualified}")
        previous = s.qualified
    return out


def test_event_features_remembered_per_sequence_of_kinds_are_those_built_event_by_event() -> None:
    """Coverage.observe builds a step's event features once per sequence of event kinds: over
    random sequences (many repeated, as a campaign's rotations are; two specs of one kind
    included) each fresh Coverage gets exactly the reference features and new-feature counts."""
    import random

    from simulations.fuzz.coverage import Coverage

    specs = [_Spec("Balances", "Transfer"), _Spec("System", "ExtrinsicFailed"), _Spec("Balances", "Transfer"), _Spec("Session", "NewSession"),
             _Spec("Staking", "EraPaid")]
    rng = random.Random(5)
    sequences = [[specs[rng.randrange(len(specs))] for _ in range(rng.randrange(0, 7))] for _ in range(40)]
    for trial in range(3):
        cov, expected = Coverage(), set()
        for seq in [sequences[rng.randrange(len(sequences))] for _ in range(120)]:
            new = cov.observe(["wait", 1], "waited", [_Event(s) for s in seq])
            add = _reference_event_features(seq) - expected
            expected |= add
            assert new == len(add)
        assert cov.features == expected


def test_operator_deposits_summed_for_the_operators_alone_are_the_full_sums() -> None:
    """operator_stake_is_reserved sums deposits for the operators only: equal, per operator, to
    every holder's sums added as Counters (asset, metadata, approval, touch and proxy deposits
    of operators and of others), and the invariant holds with them."""
    from collections import Counter

    from simulations.stateful import world
    from simulations.stateful.invariants import operator_stake_is_reserved
    from simulations.stateful.invariants.delegation import _asset_deposits, _governance_deposits

    rt = world.build_world()
    op, other = world.SETUP_OPERATORS[0], world.SETUP_OPERATORS[1]
    for origin, pallet, call, params in [
        ("root", "Assets", "force_create", {"id": 77, "owner": op, "is_sufficient": False, "min_balance": 1}),
        (op, "Assets", "set_metadata", {"id": 77, "name": "0x6f70", "symbol": "0x4f50", "decimals": 3}),
        (op, "Assets", "approve_transfer", {"id": world.USDC_ID, "delegate": "Eve", "amount": 5}),
        ("Eve", "Assets", "approve_transfer", {"id": world.USDC_ID, "delegate": op, "amount": 5}),
        (other, "Assets", "touch", {"id": 77}),
        ("Ferdie", "Assets", "touch", {"id": 77}),
        (op, "Proxy", "add_proxy", {"delegate": "Eve", "proxy_type": "Any", "delay": 0}),
        ("Ferdie", "Proxy", "add_proxy", {"delegate": "Eve", "proxy_type": "Any", "delay": 0}),
    ]:
        rt.dispatch(origin, pallet, call, params)
    operators = set(rt.pallets["MultiAssetDelegation"].storage.Operators.keys())
    full = _asset_deposits(rt) + _governance_deposits(rt, {})
    alone = _governance_deposits(rt, {}, operators, _asset_deposits(rt, operators))
    assert set(alone) <= operators
    assert {who: full[who] for who in operators} == {who: alone[who] for who in operators}
    assert alone[op] > 0 and alone[other] > 0 and any(full[who] for who in full if who not in operators)
    operator_stake_is_reserved(rt, Ledger())
    # a force-created asset holds no deposits: give asset 77 and its metadata some, in storage
    # (owner: the operator), to compare those sums too
    import dataclasses as dc

    s = rt.pallets["Assets"].storage
    s.Asset.insert(77, dc.replace(s.Asset.get(77), deposit=11))
    s.Metadata.insert(77, dc.replace(s.Metadata.get(77), deposit=13))
    full = _asset_deposits(rt) + _governance_deposits(rt, {})
    alone = _governance_deposits(rt, {}, operators, _asset_deposits(rt, operators))
    assert {who: full[who] for who in operators} == {who: alone[who] for who in operators}
