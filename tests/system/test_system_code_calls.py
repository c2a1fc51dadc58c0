"""System.set_code / set_code_without_checks / authorize_upgrade(_without_checks) /
apply_authorized_upgrade (frame_system tests: set_code_checks_works, authorize/apply upgrade with and
without version checks, NothingAuthorized, Unauthorized): the code names an upgrade
(runtime/upgrades.py), enacted from the next block as scheduled upgrades are."""

from __future__ import annotations

import hashlib


from runtime import Runtime
from runtime.upgrades import code_for
from tests.support.dispatch import fails_atomically


def hx(b: bytes) -> str:
    return "0x" + b.hex()


def fails(rt: Runtime, name: str, origin: str, call: str, params: dict) -> None:
    fails_atomically(rt, "System", name, origin, call, params)


def defer(rt: Runtime) -> int:
    return rt.pallets["Services"].consts.SlashDeferDuration


def test_set_code_checks(rt: Runtime) -> None:
    fails(rt, "BadOrigin", "Alice", "set_code", {"code": hx(code_for("slash-defer-14"))})
    fails(rt, "System.FailedToExtractRuntimeVersion", "root", "set_code", {"code": "0x0061736d01000000"})  # a bare wasm header
    fails(rt, "System.FailedToExtractRuntimeVersion", "root", "set_code", {"code": hx(code_for(spec_version=1404, constants={"Nope": {"X": 1}}))})
    fails(rt, "System.InvalidSpecName", "root", "set_code", {"code": hx(code_for(spec_version=1404, spec_name="tangle-mainnet"))})
    fails(rt, "System.SpecVersionNeedsToIncrease", "root", "set_code", {"code": hx(code_for(spec_version=1403))})


def test_set_code_switches_rules_at_the_next_block(rt: Runtime) -> None:
    assert defer(rt) == 7
    r = rt.dispatch("root", "System", "set_code", {"code": hx(code_for("slash-defer-14"))})
    assert [e.name for e in r.triggered_events] == ["System.CodeUpdated"]
    assert defer(rt) == 7 and rt.spec_version == 1403  # the running code is still the old one
    snap = rt.snapshot()
    n = len(rt.events)
    rt.advance_blocks(1)
    assert defer(rt) == 14 and rt.spec_version == 1404
    assert "System.CodeUpdated" not in [e.name for e in rt.events[n:]]  # emitted once, by set_code
    rt.restore(snap)
    assert defer(rt) == 7 and rt.spec_version == 1403
    rt.advance_blocks(3)
    assert defer(rt) == 14 and rt.spec_version == 1404
    later = rt.snapshot()
    rt.advance_blocks(2)
    rt.restore(later)
    assert defer(rt) == 14  # re-derived after a restore past the enactment


def test_set_code_without_checks_may_go_back(rt: Runtime) -> None:
    rt.dispatch("root", "System", "set_code_without_checks", {"code": hx(code_for(spec_version=1400, spec_name="other"))})
    rt.advance_blocks(1)
    assert rt.spec_version == 1400
    fails(rt, "System.FailedToExtractRuntimeVersion", "root", "set_code_without_checks", {"code": "0x00"})


def test_authorize_and_apply_upgrade(rt: Runtime) -> None:
    code = code_for("slash-defer-14")
    digest = hashlib.blake2b(code, digest_size=32).digest()
    fails(rt, "System.NothingAuthorized", "Bob", "apply_authorized_upgrade", {"code": hx(code)})
    fails(rt, "BadOrigin", "Bob", "authorize_upgrade", {"code_hash": hx(digest)})
    r = rt.dispatch("root", "System", "authorize_upgrade", {"code_hash": hx(digest)})
    assert r.triggered_events[0].name == "System.UpgradeAuthorized" and r.triggered_events[0].values == (digest, True)
    fails(rt, "System.Unauthorized", "Bob", "apply_authorized_upgrade", {"code": hx(code_for("slash-defer-14", description="x"))})
    r = rt.dispatch("Bob", "System", "apply_authorized_upgrade", {"code": hx(code)})  # any origin may
    assert [e.name for e in r.triggered_events] == ["System.CodeUpdated"]
    assert rt.query("System", "AuthorizedUpgrade").value is None
    rt.advance_blocks(1)
    assert rt.spec_version == 1404 and defer(rt) == 14


def test_authorized_upgrade_version_check(rt: Runtime) -> None:
    old = code_for(spec_version=1402)
    rt.dispatch("root", "System", "authorize_upgrade", {"code_hash": hx(hashlib.blake2b(old, digest_size=32).digest())})
    fails(rt, "System.SpecVersionNeedsToIncrease", "Bob", "apply_authorized_upgrade", {"code": hx(old)})
    rt.dispatch("root", "System", "authorize_upgrade_without_checks", {"code_hash": hx(hashlib.blake2b(old, digest_size=32).digest())})
    assert rt.query("System", "AuthorizedUpgrade").value["check_version"] is False
    rt.dispatch("Bob", "System", "apply_authorized_upgrade", {"code": hx(old)})
    rt.advance_blocks(1)
    assert rt.spec_version == 1402


def test_hostile_code_is_refused_quickly(rt: Runtime) -> None:
    from runtime.upgrades import CODE_PREFIX

    for code in (b"\x00" * (1 << 20), CODE_PREFIX + b"[" * 50_000 + b"]" * 50_000, CODE_PREFIX + b'{"spec_name": "tangle-testnet", "spec_version": 4294967296}',
                 CODE_PREFIX + b'{"spec_name": "tangle-testnet", "spec_version": 1404, "quirks": {"no.such": true}}', CODE_PREFIX + b"\xff\xfe"):
        fails(rt, "System.FailedToExtractRuntimeVersion", "root", "set_code", {"code": hx(code)})
