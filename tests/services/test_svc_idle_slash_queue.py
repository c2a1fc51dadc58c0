"""A queued slash that is not due yet does not make every block busy (issue 16): slashes fall due
when the round changes, which happens only in a session rotation, so the blocks in between are
crossed at once, and the chain still ends exactly as stepping block by block leaves it."""

from __future__ import annotations

import pytest

from svc_helpers import BOB, create_blueprint, deploy, make_rt, slasher, svc  # noqa: F401
from runtime import Runtime


def _slashed_chain(skip: bool, profile: str, slashes: int = 1, per_block: int = 10) -> tuple[Runtime, list[int]]:
    rt = make_rt(profile, session_length=50, constants={"Services": {"SlashDeferDuration": 3, "MaxSlashesPerBlock": per_block}})
    rt.skip_idle_blocks = skip
    create_blueprint(rt)
    sid = deploy(rt, operators=("Bob",))
    rt.advance_sessions(4)  # past round 0 (which the real profile's exact-round rule applies at once)
    for k in range(slashes):
        svc(rt, slasher(rt), "slash", offender=BOB, service_id=sid, slash_percent=5 + k)
    assert len(rt.pallets["Services"].storage.SlashQueue)
    built: list[int] = []
    init = rt._initialize_block

    def counting(n: int) -> None:
        built.append(n)
        init(n)

    rt._initialize_block = counting  # type: ignore[method-assign]
    for _ in range(8):
        rt.advance_blocks(37)  # never on a session boundary twice in a row
    return rt, built


@pytest.mark.parametrize("profile", ["intended", "real"])
def test_a_slash_not_yet_due_lets_idle_blocks_be_crossed(profile: str) -> None:
    stepped, built_stepped = _slashed_chain(False, profile)
    skipped, built_skipped = _slashed_chain(True, profile)
    assert skipped.state_root() == stepped.state_root()
    assert [repr(e) for e in skipped.all_events()] == [repr(e) for e in stepped.all_events()]
    names = [e.spec.name for e in stepped.all_events()]
    assert "NewSession" in names
    assert len(built_stepped) == 8 * 37
    # each advance builds its target and the session rotations (and the blocks right after a rotation
    # while the slash is due and being applied); before, a queued slash made all 296 blocks busy
    assert len(built_skipped) <= 8 + 3 * 8, built_skipped


@pytest.mark.parametrize("profile", ["intended", "real"])
def test_the_slash_still_falls_due_and_is_applied_when_skipping(profile: str) -> None:
    skipped, _ = _slashed_chain(True, profile)
    assert not len(skipped.pallets["Services"].storage.SlashQueue)
    if profile == "intended":  # the real testnet's SlashManager is a no-op (services.slash_manager_noop)
        assert any(e.spec.pallet == "MultiAssetDelegation" and e.spec.name == "OperatorSlashed" for e in skipped.all_events())


def test_due_slashes_over_the_per_block_budget_keep_the_next_blocks_busy() -> None:
    # three slashes fall due together and one is applied per block: the two blocks after the
    # round change must be built (and not crossed), or they would be applied blocks later
    stepped, _ = _slashed_chain(False, "intended", slashes=3, per_block=1)
    skipped, built = _slashed_chain(True, "intended", slashes=3, per_block=1)
    applied = [e.block for e in stepped.all_events() if e.spec.name == "OperatorSlashed"]
    assert len(applied) == 3 and applied[1] == applied[0] + 1 and applied[2] == applied[0] + 2
    assert [(e.block, repr(e)) for e in skipped.all_events()] == [(e.block, repr(e)) for e in stepped.all_events()]
    assert skipped.state_root() == stepped.state_root()
    assert {applied[0] + 1, applied[0] + 2} <= set(built)
