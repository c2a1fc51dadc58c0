"""pallet_session's rotate_session: the session's validators are the keys queued at the last
rotation; a validator elected without session keys is left out of the queue; genesis gives the
initial validators keys (the chain spec's ``session.keys``) and a consumer reference."""

from __future__ import annotations

from runtime import UNIT, GenesisConfig, Runtime
from runtime.accounts import DEV_ACCOUNTS, account_bytes

ALICE, BOB, CHARLIE = DEV_ACCOUNTS["Alice"], DEV_ACCOUNTS["Bob"], DEV_ACCOUNTS["Charlie"]


def session(rt: Runtime):  # type: ignore[no-untyped-def]
    return rt.pallets["Session"].storage


def validate(rt: Runtime, who: str, keys: bool) -> None:
    rt.dispatch(who, "Staking", "bond", {"value": 100 * UNIT, "payee": "Staked"})
    if keys:
        byte = {"Bob": "b1", "Charlie": "c1"}[who]
        rt.dispatch(who, "Session", "set_keys", {"keys": {"babe": "0x" + byte * 32, "grandpa": "0x" + byte[::-1] * 32, "im_online": "0x" + byte * 32},
                                                  "proof": "0x"})
    rt.dispatch(who, "Staking", "validate", {"prefs": {"commission": 0, "blocked": False}})


def test_genesis_validators_have_session_keys_and_a_consumer_reference() -> None:
    rt = Runtime.dev()
    s = session(rt)
    keys = s.NextKeys.get(ALICE)
    assert keys is not None and keys.babe == keys.im_online == account_bytes(ALICE) and keys.grandpa != keys.babe
    assert s.KeyOwner.get((b"babe", keys.babe)) == ALICE and s.KeyOwner.get((b"gran", keys.grandpa)) == ALICE
    assert s.Validators.value() == (ALICE,) and [v for v, _ in s.QueuedKeys.value()] == [ALICE]
    assert rt.query("System", "Account", [ALICE]).value["consumers"] >= 1


def test_an_elected_validator_without_keys_is_left_out_of_the_session() -> None:
    rt = Runtime(GenesisConfig.dev(session_length=10))
    rt.dispatch("root", "Staking", "set_validator_count", {"new": 3})
    validate(rt, "Bob", keys=True)
    validate(rt, "Charlie", keys=False)
    rt.advance_eras(2)
    elected = set(rt.pallets["Staking"].elected_validators())
    assert elected == {ALICE, BOB, CHARLIE}  # staking elects Charlie ...
    s = session(rt)
    assert set(s.Validators.value()) == {ALICE, BOB}  # ... the session runs without him (no keys)
    assert {v for v, _ in s.QueuedKeys.value()} == {ALICE, BOB}
    assert dict(s.QueuedKeys.value())[BOB].babe == bytes.fromhex("b1" * 32)


def test_queued_changed_says_whether_the_next_set_or_its_keys_changed() -> None:
    rt = Runtime(GenesisConfig.dev(session_length=10, sessions_per_era=3))
    s = session(rt)
    seen = []
    for _ in range(7):
        rt.advance_sessions(1)
        seen.append(s.QueuedChanged.value())
    # a new set comes from staking once an era (planned one session ahead): changed exactly then
    assert seen.count(True) == 2 and seen.count(False) == 5
    assert s.DisabledValidators.value() == ()
