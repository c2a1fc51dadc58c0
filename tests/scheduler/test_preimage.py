"""pallet_preimage: the behaviour upstream's preimage/src/tests.rs pins (stable2407); deposits are
zero on this runtime (``Consideration = ()``)."""

from __future__ import annotations

import pytest

from runtime import DispatchError, Runtime
from runtime.accounts import DEV_ACCOUNTS
from pallets.primitives.dispatch import blake2_256

DATA = b"\x01\x02\x03 some preimage"
H = blake2_256(DATA)
HX = "0x" + H.hex()


def fails(rt: Runtime, error: str, origin: str, fn: str, **args: object) -> None:
    root, n = rt.state_root(), len(rt.events)
    with pytest.raises(DispatchError) as exc:
        rt.dispatch(origin, "Preimage", fn, args)
    assert exc.value.qualified_name == error
    assert rt.state_root() == root and len(rt.events) == n


def status(rt: Runtime):  # type: ignore[no-untyped-def]
    return rt.query("Preimage", "RequestStatusFor", [HX]).raw


def stored(rt: Runtime) -> bytes | None:
    return rt.query("Preimage", "PreimageFor", [[HX, len(DATA)]]).raw


def test_user_note_preimage_works(rt: Runtime) -> None:
    free = rt.free_balance(DEV_ACCOUNTS["Alice"])
    r = rt.dispatch("Alice", "Preimage", "note_preimage", {"bytes": "0x" + DATA.hex()})
    assert r.triggered_events[-1].matches("Noted", hash=H)
    s = status(rt)
    assert s.name == "Unrequested" and s.value.ticket == (DEV_ACCOUNTS["Alice"], ()) and s.value.len == len(DATA)
    assert stored(rt) == DATA and rt.free_balance(DEV_ACCOUNTS["Alice"]) == free  # no deposit here
    fails(rt, "Preimage.AlreadyNoted", "Alice", "note_preimage", bytes="0x" + DATA.hex())
    fails(rt, "Preimage.AlreadyNoted", "Bob", "note_preimage", bytes="0x" + DATA.hex())


def test_too_big_and_bad_origin(rt: Runtime) -> None:
    fails(rt, "Preimage.TooBig", "Alice", "note_preimage", bytes=b"\0" * (4 * 1024 * 1024 + 1))
    fails(rt, "BadOrigin", "none", "note_preimage", bytes="0x00")


def test_manager_note_preimage_works(rt: Runtime) -> None:
    rt.dispatch("root", "Preimage", "note_preimage", {"bytes": "0x" + DATA.hex()})
    s = status(rt)
    assert s.name == "Requested" and s.value.count == 1 and s.value.maybe_ticket is None and s.value.maybe_len == len(DATA)
    rt.dispatch("root", "Preimage", "note_preimage", {"bytes": "0x" + DATA.hex()})  # allowed again
    rt.dispatch("root", "Preimage", "unnote_preimage", {"hash": HX})
    assert status(rt) is None and stored(rt) is None


def test_user_unnote_preimage_works(rt: Runtime) -> None:
    fails(rt, "Preimage.NotNoted", "Alice", "unnote_preimage", hash=HX)
    rt.dispatch("Alice", "Preimage", "note_preimage", {"bytes": "0x" + DATA.hex()})
    fails(rt, "Preimage.NotAuthorized", "Bob", "unnote_preimage", hash=HX)
    r = rt.dispatch("Alice", "Preimage", "unnote_preimage", {"hash": HX})
    assert r.triggered_events[-1].matches("Cleared", hash=H)
    assert status(rt) is None and stored(rt) is None


def test_manager_unnote_user_preimage_works(rt: Runtime) -> None:
    rt.dispatch("Alice", "Preimage", "note_preimage", {"bytes": "0x" + DATA.hex()})
    rt.dispatch("root", "Preimage", "unnote_preimage", {"hash": HX})
    assert status(rt) is None


def test_requested_then_noted_preimage_cannot_be_unnoted(rt: Runtime) -> None:
    r = rt.dispatch("root", "Preimage", "request_preimage", {"hash": HX})
    assert r.triggered_events[-1].matches("Requested", hash=H)
    rt.dispatch("Alice", "Preimage", "note_preimage", {"bytes": "0x" + DATA.hex()})  # free: it was requested
    s = status(rt)
    assert s.name == "Requested" and s.value.maybe_ticket is None and s.value.maybe_len == len(DATA)
    fails(rt, "Preimage.NotAuthorized", "Alice", "unnote_preimage", hash=HX)
    assert stored(rt) == DATA


def test_user_noted_then_requested_and_unrequested(rt: Runtime) -> None:
    rt.dispatch("Alice", "Preimage", "note_preimage", {"bytes": "0x" + DATA.hex()})
    rt.dispatch("root", "Preimage", "request_preimage", {"hash": HX})
    r = rt.dispatch("root", "Preimage", "request_preimage", {"hash": HX})
    assert not any(e.name == "Preimage.Requested" for e in r.triggered_events)  # only the first request
    assert status(rt).value.count == 2 and status(rt).value.maybe_ticket == (DEV_ACCOUNTS["Alice"], ())
    rt.dispatch("root", "Preimage", "unrequest_preimage", {"hash": HX})
    rt.dispatch("root", "Preimage", "unrequest_preimage", {"hash": HX})
    assert status(rt).name == "Unrequested" and stored(rt) == DATA  # back to the user's note
    fails(rt, "Preimage.NotRequested", "root", "unrequest_preimage", hash=HX)
    fails(rt, "BadOrigin", "Alice", "request_preimage", hash=HX)


def test_unrequest_preimage_works(rt: Runtime) -> None:
    fails(rt, "Preimage.NotRequested", "root", "unrequest_preimage", hash=HX)
    rt.dispatch("root", "Preimage", "request_preimage", {"hash": HX})
    rt.dispatch("root", "Preimage", "unrequest_preimage", {"hash": HX})
    assert status(rt) is None


def test_ensure_updated_bounds(rt: Runtime) -> None:
    fails(rt, "Preimage.TooFew", "Alice", "ensure_updated", hashes=[])
    fails(rt, "Preimage.TooMany", "Alice", "ensure_updated", hashes=[HX] * 1025)
    rt.dispatch("Alice", "Preimage", "ensure_updated", {"hashes": [HX]})
