"""The election's memo (issue 16, speed): ``run_election`` remembers ``elect``'s result per set of
inputs; a change of any input (a new validator, a nomination, a bond, the validator count) elects
afresh, and every result equals what ``elect`` computes from the storage of the moment."""

from __future__ import annotations

from pallets.staking.election import elect
from runtime import UNIT
from tests.staking.staking_helpers import BOB, CHARLIE, DAVE, bond, fast, make_validator, staking


def _fresh(rt) -> list:  # type: ignore[no-untyped-def]
    s = staking(rt).storage
    candidates = {v: (s.Ledger.get(v).active if s.Ledger.get(v) else 0) for v in s.Validators.keys()}
    minimum = s.MinimumActiveStake.value()
    voters = [(w, s.Ledger.get(w).active, n.targets) for w, n in s.Nominators.items()
              if s.Ledger.get(w) is not None and s.Ledger.get(w).active >= minimum]
    return elect(candidates, voters, s.ValidatorCount.value())


def test_each_era_elects_what_elect_computes_from_current_storage() -> None:
    rt = fast()
    st = staking(rt)
    seen = []
    for step in range(7):
        if step == 1:
            make_validator(rt, "Bob", 500 * UNIT)
        if step == 2:
            bond(rt, "Dave", 300 * UNIT)
            rt.dispatch("Dave", "Staking", "nominate", {"targets": [BOB]})
        if step == 3:
            rt.dispatch("root", "Staking", "set_validator_count", {"new": 2})
        if step == 4:
            make_validator(rt, "Charlie", 900 * UNIT)
        if step == 5:
            rt.dispatch("Bob", "Staking", "bond_extra", {"max_additional": 100 * UNIT})  # only a candidate's own stake moves
        result = st.run_election()
        assert result == _fresh(rt)
        assert st.run_election() == result  # remembered: equal, and a list the caller may keep
        seen.append([(x.stash, x.total) for x in result])
        rt.advance_eras(1)
    assert seen[1] != seen[0] and seen[2] != seen[1] and seen[3] != seen[2] and seen[4] != seen[3] and seen[5] != seen[4]
    assert sorted(stash for stash, _ in seen[4]) == sorted([CHARLIE, BOB])
    assert any(DAVE in [w for w, _ in x.others] for x in _fresh_after_count(rt))


def _fresh_after_count(rt) -> list:  # type: ignore[no-untyped-def]
    rt.dispatch("root", "Staking", "set_validator_count", {"new": 5})
    result = staking(rt).run_election()
    assert result == _fresh(rt)
    return result
