"""``state_is_immutable`` finds a value the state root could not render (lists, dicts, sets, floats,
mutable dataclasses, at any depth, in keys as in values) among the writes since the last root,
without hashing them: it must refuse exactly what ``canon`` (the root's rendering) refuses."""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path

import pytest

from runtime import GenesisConfig, Runtime
from runtime.storage import canon, check_canonical
from simulations.stateful.invariants import Ledger, state_is_immutable

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "support"))


@dataclasses.dataclass
class Mutable:
    x: int


@dataclasses.dataclass(frozen=True)
class Frozen:
    a: int
    b: object


BAD = [[1, 2], {"a": 1}, {1, 2}, 1.5, Mutable(1), (1, [2]), Frozen(1, [2]), Frozen(1, (2, 0.5)), ((1, 2), (3, {4: 5})), tuple(range(20)) + ([],)]
GOOD = [1, "x", b"y", None, True, (1, "a"), Frozen(1, (2, b"z")), frozenset({1, 2}), tuple(range(40)), ((1, 2), (3, (4, None)))]


@pytest.mark.parametrize("value", BAD, ids=repr)
def test_check_canonical_refuses_what_canon_refuses(value: object) -> None:
    with pytest.raises(TypeError):
        canon(value)
    with pytest.raises(TypeError):
        check_canonical(value)


@pytest.mark.parametrize("value", GOOD, ids=repr)
def test_check_canonical_accepts_what_canon_renders(value: object) -> None:
    canon(value)
    check_canonical(value)


def runtime() -> tuple[Runtime, object]:
    rt = Runtime(GenesisConfig.dev())
    rt.state_root()  # nothing pending: the check sees only what the test writes
    return rt, rt.pallets["MultiAssetDelegation"].storage.Operators


@pytest.mark.parametrize("value", BAD, ids=repr)
def test_a_bad_value_written_after_the_last_root_fails_the_invariant_naming_the_entry(value: object) -> None:
    rt, item = runtime()
    state_is_immutable(rt, Ledger())  # clean
    item.insert("5BadKey", value)
    with pytest.raises(AssertionError, match=r"MultiAssetDelegation\.Operators\['5BadKey'\]"):
        state_is_immutable(rt, Ledger())


def test_a_bad_key_fails_too_and_a_removed_entry_is_not_checked() -> None:
    rt, item = runtime()
    item.insert(("k", 1.5), 1)
    with pytest.raises(AssertionError, match="mutable or non-canonical"):
        state_is_immutable(rt, Ledger())
    rt2, item2 = runtime()
    item2.insert("k", [1])
    item2.remove("k")  # gone by the time of the check: nothing in state to refuse
    state_is_immutable(rt2, Ledger())
    rt2.state_root()


def test_past_the_limit_the_writes_are_folded_into_the_root_which_refuses_them_too() -> None:
    rt, item = runtime()
    for i in range(10):
        item.insert(f"k{i}", i)
    item.insert("bad", [1])
    with pytest.raises(TypeError):
        rt.db.check_written_canonical(limit=5)
    rt, item = runtime()
    for i in range(10):
        item.insert(f"k{i}", i)
    rt.db.check_written_canonical(limit=5)  # folded: nothing pending afterwards
    assert not rt.db.dirty_items and rt.db.root_cache is not None


def test_every_value_a_fuzz_campaign_writes_is_accepted_by_both(monkeypatch: pytest.MonkeyPatch) -> None:
    """The campaign's end-of-run checks see thousands of real stored values: each passes the check
    and renders (and the campaign finds no failure)."""
    import simulations.stateful.invariants as invariants
    from simulations.fuzz import FuzzConfig
    from simulations.fuzz.engine import run_worker

    seen: list[int] = []
    check = invariants._check  # what state_is_immutable runs on every non-plain key and value (and their parts)

    def both(value: object, memo: set[int]) -> None:
        canon(value)
        check_canonical(value)
        seen.append(1)
        check(value, memo)

    monkeypatch.setattr(invariants, "_check", both)
    result = run_worker(FuzzConfig(seed=3, steps=2_000, out=Path("/nonexistent"), stop_on_failure=True, shrink_time=1))
    assert not result.failures, [f.summary() for f in result.failures]
    assert len(seen) > 1_000
