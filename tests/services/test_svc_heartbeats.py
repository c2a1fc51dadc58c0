"""heartbeat and the default-parameter setters: signatures, intervals, missed heartbeats, heartbeat
slashes (intended percentage threshold vs the real count), the real getter and zero-interval quirks."""

from __future__ import annotations

import pytest

from runtime import RuntimePanic
from svc_helpers import (
    BOB, CHARLIE, SVC, create_blueprint, deploy, fails, join_and_register, make_rt, names, scripted, sign_as, storage, svc,
)

from pallets.services.crypto import heartbeat_message


def beat(rt, who: str, sid: int = 0, bid: int = 0, metrics: bytes = b"cpu=3", signer: str | None = None, block: int | None = None):  # type: ignore[no-untyped-def]
    msg = heartbeat_message(sid, bid, rt.block_number if block is None else block, metrics)
    return rt.dispatch(who, SVC, "heartbeat", {"service_id": sid, "blueprint_id": bid, "metrics_data": "0x" + metrics.hex(),
                                               "signature": sign_as(signer or who, msg)})


def beat_fails(rt, error: str, who: str, **kw) -> None:  # type: ignore[no-untyped-def]
    root = rt.state_root()
    from runtime import DispatchError

    with pytest.raises(DispatchError) as e:
        beat(rt, who, **kw)
    assert e.value.matches(error), e.value
    assert rt.state_root() == root


def stats(rt, who: str = BOB, sid: int = 0):  # type: ignore[no-untyped-def]
    return storage(rt).ServiceOperatorHeartbeats.get((0, sid, who))


def test_default_parameter_setters() -> None:
    rt = make_rt()
    for call, arg, event in (("update_default_heartbeat_threshold", "threshold", "DefaultHeartbeatThresholdUpdated"),
                             ("update_default_heartbeat_interval", "interval", "DefaultHeartbeatIntervalUpdated"),
                             ("update_default_heartbeat_slashing_window", "window", "DefaultHeartbeatSlashingWindowUpdated")):
        fails(rt, "BadOrigin", "Alice", call, **{arg: 5})
        r = svc(rt, "root", call, **{arg: 7})
        assert names(r) == [event] and r.triggered_events[0][arg] == 7
        svc(rt, "council", call, **{arg: 8})
    s = storage(rt)
    assert (s.DefaultHeartbeatThreshold.value(), s.DefaultHeartbeatInterval.value(), s.DefaultSlashingWindow.value()) == (8, 8, 8)


def test_first_heartbeat_and_interval() -> None:
    rt = make_rt()
    deploy(rt)
    svc(rt, "root", "update_default_heartbeat_interval", interval=10)
    b0 = rt.block_number
    r = beat(rt, "Bob", metrics=b"load=1")
    assert r.triggered_events[0].attributes == {"service_id": 0, "blueprint_id": 0, "operator": BOB, "block_number": b0}
    assert tuple(stats(rt).__getattribute__(f) for f in ("expected_heartbeats", "received_heartbeats", "last_heartbeat_block")) == (1, 1, b0)
    assert storage(rt).ServiceHeartbeats.get((0, 0)) == (b0, b"load=1")
    rt.advance_blocks(5)
    beat_fails(rt, "HeartbeatTooEarly", "Bob")
    rt.advance_blocks(5)
    beat(rt, "Bob")
    assert (stats(rt).expected_heartbeats, stats(rt).received_heartbeats) == (2, 2)
    rt.advance_blocks(30)  # three intervals: two heartbeats missed
    beat(rt, "Bob")
    assert (stats(rt).expected_heartbeats, stats(rt).received_heartbeats, stats(rt).missed) == (5, 3, 2)


def test_heartbeat_errors() -> None:
    rt = make_rt(constants={"Services": {"MaxFieldsSize": 4}})
    deploy(rt)
    join_and_register(rt, "Charlie")
    beat_fails(rt, "MetricsDataTooLarge", "Bob", metrics=b"x" * 1025)
    beat_fails(rt, "ServiceNotFound", "Bob", sid=5)
    create_blueprint(rt)
    beat_fails(rt, "ServiceNotFound", "Bob", bid=1)  # the service belongs to blueprint 0
    beat_fails(rt, "NotRegistered", "Dave")
    beat_fails(rt, "NotAnOperator", "Charlie")  # intended: registered but not one of the service's operators
    beat_fails(rt, "InvalidHeartbeatData", "Bob", metrics=b"12345")  # over MaxFieldsSize (4) but within MaxMetricsDataSize
    beat_fails(rt, "HeartbeatSignatureVerificationFailed", "Bob", metrics=b"1", signer="Charlie")
    beat_fails(rt, "HeartbeatSignatureVerificationFailed", "Bob", metrics=b"1", block=rt.block_number - 1)
    beat(rt, "Bob", metrics=b"1234")


def test_invalid_registered_key() -> None:
    rt = make_rt()
    create_blueprint(rt)
    from svc_helpers import join_operator

    join_operator(rt, "Bob")
    svc(rt, "Bob", "register", blueprint_id=0, preferences={"key": "0x04" + "01" * 64, "rpc_address": ""}, registration_args=[], value=0)
    deploy(rt)
    beat_fails(rt, "InvalidSignatureBytes", "Bob")


def test_real_any_registered_operator_may_beat() -> None:
    rt = make_rt("real")
    deploy(rt)
    join_and_register(rt, "Charlie")
    beat(rt, "Charlie")
    assert stats(rt, CHARLIE).received_heartbeats == 1


def test_intended_threshold_is_a_percentage_and_resets() -> None:
    rt = make_rt()
    deploy(rt)
    svc(rt, "root", "update_default_heartbeat_interval", interval=10)
    svc(rt, "root", "update_default_heartbeat_threshold", threshold=80)
    beat(rt, "Bob")
    rt.advance_blocks(20)  # 2 expected, 1 missed: received 2 of 3 = 66 % < 80 %
    r = beat(rt, "Bob")
    assert names(r) == ["UnappliedSlash", "HeartbeatReceived"]
    slash = r.triggered_events[0]
    assert slash["operator"] == BOB and slash["slash_percent"] == 50
    assert (stats(rt).expected_heartbeats, stats(rt).received_heartbeats) == (0, 0)  # a new slash needs new misses
    rt.advance_blocks(10)
    assert names(beat(rt, "Bob")) == ["HeartbeatReceived"]


def test_real_threshold_is_a_count_and_slashes_again() -> None:
    rt = make_rt("real")
    m = scripted(rt)
    m.refuse = {"get_heartbeat_interval", "get_heartbeat_threshold", "get_slashing_window"}  # fall back to the defaults
    deploy(rt)
    svc(rt, "root", "update_default_heartbeat_interval", interval=10)
    svc(rt, "root", "update_default_heartbeat_threshold", threshold=1)
    beat(rt, "Bob")
    rt.advance_blocks(20)  # expected 3, missed 1: not more than 1
    assert "UnappliedSlash" not in names(beat(rt, "Bob"))
    rt.advance_blocks(30)  # expected 6, received 3: missed 3 > 1
    r = beat(rt, "Bob")
    assert names(r).count("UnappliedSlash") == 1 and names(r).count("EvmReverted") == 3
    rt.advance_blocks(10)
    assert "UnappliedSlash" in names(beat(rt, "Bob"))  # counters never reset: slashed again


def test_real_getters_fail_when_the_manager_answers() -> None:
    rt = make_rt("real")
    deploy(rt)
    beat(rt, "Bob")  # the first heartbeat asks nothing
    rt.advance_blocks(1)
    beat_fails(rt, "GetHeartbeatIntervalFailure", "Bob")


def test_getter_failures() -> None:
    rt = make_rt()
    m = scripted(rt)
    deploy(rt)
    svc(rt, "root", "update_default_heartbeat_interval", interval=1)
    svc(rt, "root", "update_default_heartbeat_threshold", threshold=100)
    beat(rt, "Bob")
    for hook, error in (("get_heartbeat_interval", "GetHeartbeatIntervalFailure"), ("get_heartbeat_threshold", "GetHeartbeatThresholdFailure"),
                        ("get_slashing_window", "GetSlashingWindowFailure")):
        rt.advance_blocks(3)
        m.fail = {hook}
        beat_fails(rt, error, "Bob")
    m.fail = set()
    m.answers["get_heartbeat_interval"] = (False, 50)  # the manager's own interval
    rt.advance_blocks(1)
    beat_fails(rt, "HeartbeatTooEarly", "Bob")


def test_zero_interval_real_panics_intended_accepts() -> None:
    real = make_rt("real")
    m = scripted(real)
    m.refuse = {"get_heartbeat_interval"}
    deploy(real)
    beat(real, "Bob")
    real.advance_blocks(1)
    root = real.state_root()
    with pytest.raises(RuntimePanic, match="divide by zero"):
        beat(real, "Bob")
    assert real.state_root() == root
    rt = make_rt()
    deploy(rt)
    beat(rt, "Bob")
    rt.advance_blocks(1)
    beat(rt, "Bob")
    assert (stats(rt).expected_heartbeats, stats(rt).received_heartbeats) == (1, 2)


def test_signatures_and_verification_are_the_same_with_or_without_libsecp256k1() -> None:
    """coincurve (libsecp256k1) makes verification ~90x faster; eth_keys' pure-Python backend must
    give the same signatures and the same verdicts, so a machine without it replays identically."""
    import hashlib

    from eth_keys import KeyAPI
    from eth_keys.backends import CoinCurveECCBackend, NativeECCBackend

    from pallets.services.crypto import blake2_256, ecdsa_verify, public_key

    native, fast = KeyAPI(NativeECCBackend), KeyAPI(CoinCurveECCBackend)
    for i in range(8):
        secret = hashlib.sha256(b"operator" + bytes([i])).digest()
        message = hashlib.sha256(b"heartbeat" + bytes([i])).digest()
        a = native.PrivateKey(secret).sign_msg_hash(blake2_256(message)).to_bytes()
        b = fast.PrivateKey(secret).sign_msg_hash(blake2_256(message)).to_bytes()
        assert a == b
        assert ecdsa_verify(a, message, public_key(secret))
        assert not ecdsa_verify(a, message[::-1], public_key(secret))
