"""Session.set_keys / purge_keys, porting pallet_session's tests (duplicates_are_not_allowed,
purge_keys_works, the consumer reference, purge by a stash that is no longer bonded)."""

from __future__ import annotations

import pytest

from runtime import UNIT, Runtime
from runtime.accounts import DEV_ACCOUNTS
from tests.support.dispatch import fails_atomically

ALICE, BOB = DEV_ACCOUNTS["Alice"], DEV_ACCOUNTS["Bob"]


def keys(b: int, g: int, i: int) -> dict[str, str]:
    return {"babe": "0x" + f"{b:02x}" * 32, "grandpa": "0x" + f"{g:02x}" * 32, "im_online": "0x" + f"{i:02x}" * 32}


def owner(rt: Runtime, kid: bytes, byte: int) -> str | None:
    return rt.query("Session", "KeyOwner", [["0x" + kid.hex(), "0x" + f"{byte:02x}" * 32]]).value


def consumers(rt: Runtime, who: str) -> int:
    return rt.query("System", "Account", [who]).value["consumers"]


def fails(rt: Runtime, name: str, who: str, call: str, params: dict) -> None:
    fails_atomically(rt, "Session", name, who, call, params)


@pytest.fixture
def bonded(rt: Runtime) -> Runtime:
    rt.dispatch("Bob", "Staking", "bond", {"value": 1_000 * UNIT, "payee": "Staked"})
    return rt


def test_set_keys_records_owners_and_takes_one_consumer_reference(bonded: Runtime) -> None:
    rt = bonded
    before = consumers(rt, BOB)
    rt.dispatch("Bob", "Session", "set_keys", {"keys": keys(1, 2, 3), "proof": "0x"})
    assert rt.query("Session", "NextKeys", [BOB]).value == keys(1, 2, 3)
    assert owner(rt, b"babe", 1) == owner(rt, b"gran", 2) == owner(rt, b"imon", 3) == BOB
    assert owner(rt, b"gran", 1) is None  # keyed by key type too
    assert consumers(rt, BOB) == before + 1
    # changing one key moves only that owner entry; no second consumer reference
    rt.dispatch("Bob", "Session", "set_keys", {"keys": keys(1, 9, 3), "proof": "0xdeadbeef"})
    assert owner(rt, b"gran", 2) is None and owner(rt, b"gran", 9) == BOB and owner(rt, b"babe", 1) == BOB
    assert consumers(rt, BOB) == before + 1


def test_duplicates_are_not_allowed(bonded: Runtime) -> None:
    rt = bonded
    rt.dispatch("Alice", "Session", "set_keys", {"keys": keys(1, 2, 3), "proof": "0x"})
    fails(rt, "Session.DuplicatedKey", "Bob", "set_keys", {"keys": keys(4, 2, 5), "proof": "0x"})
    # the owner may re-set its own keys; once purged, another validator may take them
    rt.dispatch("Alice", "Session", "set_keys", {"keys": keys(1, 2, 3), "proof": "0x"})
    rt.dispatch("Alice", "Session", "purge_keys", {})
    rt.dispatch("Bob", "Session", "set_keys", {"keys": keys(4, 2, 5), "proof": "0x"})
    assert owner(rt, b"gran", 2) == BOB


def test_purge_keys_works_and_releases_the_consumer(bonded: Runtime) -> None:
    rt = bonded
    before = consumers(rt, BOB)
    fails(rt, "Session.NoKeys", "Bob", "purge_keys", {})
    rt.dispatch("Bob", "Session", "set_keys", {"keys": keys(1, 2, 3), "proof": "0x"})
    rt.dispatch("Bob", "Session", "purge_keys", {})
    assert rt.query("Session", "NextKeys", [BOB]).value is None
    assert owner(rt, b"babe", 1) is None and owner(rt, b"imon", 3) is None
    assert consumers(rt, BOB) == before
    fails(rt, "Session.NoKeys", "Bob", "purge_keys", {})


def test_set_keys_needs_a_bonded_controller(rt: Runtime) -> None:
    fails(rt, "Session.NoAssociatedValidatorId", "Bob", "set_keys", {"keys": keys(1, 2, 3), "proof": "0x"})
    with pytest.raises(ValueError, match="keys"):
        rt.dispatch("Alice", "Session", "set_keys", {"keys": {"babe": "0x11", "grandpa": "0x22"}, "proof": "0x"})


def test_purge_keys_by_a_stash_no_longer_bonded(fast_rt: Runtime) -> None:
    rt = fast_rt
    rt.dispatch("Bob", "Staking", "bond", {"value": 1_000 * UNIT, "payee": "Staked"})
    rt.dispatch("Bob", "Session", "set_keys", {"keys": keys(7, 8, 9), "proof": "0x"})
    rt.dispatch("Bob", "Staking", "unbond", {"value": 1_000 * UNIT})
    rt.advance_rounds(rt.pallets["Staking"].consts.BondingDuration * rt.genesis.sessions_per_era + 3)
    rt.dispatch("Bob", "Staking", "withdraw_unbonded", {"num_slashing_spans": 0})
    assert rt.query("Staking", "Ledger", [BOB]).value is None
    # ValidatorIdOf fails, so the account itself is the validator id
    rt.dispatch("Bob", "Session", "purge_keys", {})
    assert owner(rt, b"babe", 7) is None
