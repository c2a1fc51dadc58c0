"""System.set_storage / kill_storage / kill_prefix / set_heap_pages: raw keys mapped to the simulator's
items through the node's key layout (frame_system tests: set_storage/kill_storage change state, no
events; Root only)."""

from __future__ import annotations


from runtime import UNIT, Runtime
from runtime.accounts import DEV_ACCOUNTS
from runtime.bridge.keys import encode_value, item_prefix, storage_key
from tests.support.dispatch import fails_atomically

BOB, CHARLIE = DEV_ACCOUNTS["Bob"], DEV_ACCOUNTS["Charlie"]


def key(md, pallet: str, item: str, *params) -> bytes:  # type: ignore[no-untyped-def]
    p = md.pallets[pallet]
    return storage_key(md, p.storage_prefix, p.storage[item], list(params))


def value(md, pallet: str, item: str, v) -> bytes:  # type: ignore[no-untyped-def]
    return encode_value(md, md.pallets[pallet].storage[item].value_type_id, v)


def hx(b: bytes) -> str:
    return "0x" + b.hex()


def fails(rt: Runtime, name: str, origin: str, call: str, params: dict) -> None:
    fails_atomically(rt, "System", name, origin, call, params)


def test_set_storage_writes_a_modelled_item_through_its_real_key(rt: Runtime, metadata) -> None:  # type: ignore[no-untyped-def]
    k = key(metadata, "System", "Account", BOB)
    info = rt.query("System", "Account", ["Bob"]).value
    info["data"]["free"] = 42 * UNIT
    r = rt.dispatch("root", "System", "set_storage", {"items": [[hx(k), hx(value(metadata, "System", "Account", info))]]})
    assert r.triggered_events == []  # set_storage emits nothing
    assert rt.query("System", "Account", ["Bob"]).value["data"]["free"] == 42 * UNIT
    # a plain value: Staking.ValidatorCount
    rt.dispatch("root", "System", "set_storage", {"items": [[hx(key(metadata, "Staking", "ValidatorCount")), hx((77).to_bytes(4, "little"))]]})
    assert rt.query("Staking", "ValidatorCount").value == 77
    fails(rt, "BadOrigin", "Bob", "set_storage", {"items": []})


def test_undecodable_values_are_refused_atomically(rt: Runtime, metadata) -> None:  # type: ignore[no-untyped-def]
    good = [hx(key(metadata, "Staking", "ValidatorCount")), hx((5).to_bytes(4, "little"))]
    for bad in ("0x01", "0x0500000000"):  # too short; trailing bytes
        fails(rt, "Corruption", "root", "set_storage", {"items": [good, [hx(key(metadata, "Staking", "ValidatorCount")), bad]]})
    assert rt.query("Staking", "ValidatorCount").value != 5


def test_unmodelled_keys_are_kept_raw_and_killed(rt: Runtime, metadata) -> None:  # type: ignore[no-untyped-def]
    spans = item_prefix("Staking", "SlashingSpans")  # on chain, not modelled
    k1, k2, k3 = spans + b"\x01", spans + b"\x02", b":unprefixed"
    rt.dispatch("root", "System", "set_storage", {"items": [[hx(k1), "0xaa"], [hx(k2), "0xbb"], [hx(k3), "0xcc"]]})
    raw = rt.pallets["System"].storage.UnmodelledStorage
    assert raw.get(k1) == b"\xaa" and raw.get(k3) == b"\xcc"
    rt.dispatch("root", "System", "kill_prefix", {"prefix": hx(spans), "subkeys": 1})  # at most 1 key, in key order
    assert raw.get(k1) is None and raw.get(k2) == b"\xbb"
    rt.dispatch("root", "System", "kill_storage", {"keys": [hx(k2), hx(k3), hx(b":absent")]})
    assert list(raw.keys()) == []


def test_kill_storage_and_prefix_on_modelled_items(rt: Runtime, metadata) -> None:  # type: ignore[no-untyped-def]
    rt.dispatch("Bob", "Staking", "bond", {"value": 100 * UNIT, "payee": "Staked"})
    rt.dispatch("Charlie", "Staking", "bond", {"value": 100 * UNIT, "payee": "Staked"})
    payee = rt.pallets["Staking"].storage.Payee
    before = len(list(payee.keys()))
    rt.dispatch("root", "System", "kill_storage", {"keys": [hx(key(metadata, "Staking", "Payee", BOB))]})
    assert payee.get(BOB) is None and payee.get(CHARLIE) is not None
    # the corrupted bond is now what restore_ledger repairs
    rt.dispatch("root", "System", "kill_storage", {"keys": [hx(key(metadata, "Staking", "Ledger", CHARLIE))]})
    assert rt.pallets["Staking"].inspect_bond_state(CHARLIE) == "CorruptedKilled"
    rt.dispatch("root", "Staking", "restore_ledger", {"stash": "Charlie", "maybe_controller": None, "maybe_total": None, "maybe_unlocking": None})
    assert rt.pallets["Staking"].inspect_bond_state(CHARLIE) == "Ok"
    # kill_prefix over a whole item, bounded by subkeys
    left = len(list(payee.keys()))
    assert left == before - 1 and left >= 2
    rt.dispatch("root", "System", "kill_prefix", {"prefix": hx(item_prefix("Staking", "Payee")), "subkeys": left - 1})
    assert len(list(payee.keys())) == 1


def test_set_heap_pages(rt: Runtime) -> None:
    rt.dispatch("root", "System", "set_heap_pages", {"pages": 64})
    assert rt.pallets["System"].storage.HeapPages.value() == 64
    fails(rt, "BadOrigin", "Alice", "set_heap_pages", {"pages": 1})
