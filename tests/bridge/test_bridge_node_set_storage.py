"""``dev_setStorage`` in Chopsticks' pallet/storage JSON form: by name, missing fields zero, all or nothing."""

from __future__ import annotations

from typing import Any

import pytest

from runtime import Runtime
from runtime.accounts import DEV_ACCOUNTS
from runtime.bridge.keys import storage_key
from runtime.bridge.metadata import RuntimeMetadata
from runtime.bridge.node.chain import SimChain
from runtime.bridge.node.rpc import RpcHandler, Session

ALICE, BOB = DEV_ACCOUNTS["Alice"], DEV_ACCOUNTS["Bob"]
FRESH = "5GNJqTPyNqANBkUVMN1LPPrxXnFouWXoe2wNSmmEoLctxiZY"  # //Ferdie//stash-like: not endowed at genesis


@pytest.fixture()
def node(metadata: RuntimeMetadata):  # type: ignore[no-untyped-def]
    chain = SimChain(metadata, Runtime.dev())
    handler = RpcHandler(chain)
    session = Session()

    def call(method: str, *params: Any) -> dict[str, Any]:
        return handler.handle(session, {"jsonrpc": "2.0", "id": 1, "method": method, "params": list(params)})

    return chain, call


def account_key(md: RuntimeMetadata, who: str) -> str:
    system = md.pallets["System"]
    return "0x" + storage_key(md, system.storage_prefix, system.storage["Account"], [who]).hex()


def test_accounts_by_name_with_missing_fields_zero(node, metadata: RuntimeMetadata) -> None:  # type: ignore[no-untyped-def]
    chain, call = node
    spec = {"System": {"Account": [[[FRESH], {"nonce": 7, "providers": 1, "data": {"free": "5000000000000000000000"}}], [[BOB], None]]}}
    assert call("dev_setStorage", spec)["result"] == chain.head.hash
    assert call("system_accountNextIndex", FRESH)["result"] == 7
    raw = bytes.fromhex(call("state_getStorage", account_key(metadata, FRESH))["result"][2:])
    assert int.from_bytes(raw[0:4], "little") == 7 and int.from_bytes(raw[8:12], "little") == 1
    assert int.from_bytes(raw[16:32], "little") == 5000 * 10**18
    assert raw[32:] == bytes(48)  # reserved, frozen and flags left out: zero, as createType gives them
    assert chain.rt.query("System", "Account", [BOB]).value["data"]["free"] == 0  # null removed the entry


def test_plain_values_and_remove_prefix(node, metadata: RuntimeMetadata) -> None:  # type: ignore[no-untyped-def]
    chain, call = node
    assert "result" in call("dev_setStorage", {"Balances": {"TotalIssuance": "123"}})
    balances = metadata.pallets["Balances"]
    key = "0x" + storage_key(metadata, balances.storage_prefix, balances.storage["TotalIssuance"], []).hex()
    assert call("state_getStorage", key)["result"] == "0x" + (123).to_bytes(16, "little").hex()
    assert "result" in call("dev_setStorage", {"System": {"$removePrefix": ["Account"]}})
    assert call("state_getKeysPaged", account_key(metadata, ALICE)[:66], 10)["result"] == []


@pytest.mark.parametrize(
    ("spec", "fragment"),
    [
        ({"Nope": {"X": 1}}, "Nope: the runtime has no pallet"),
        ({"System": {"Acount": []}}, "System.Acount: the runtime has no such storage item"),
        ({"System": {"Account": {"a": 1}}}, "System.Account is a map"),
        ({"System": {"Account": [[["zzz"], {}]]}}, "System.Account[0] key"),
        ({"System": {"Account": [[[FRESH], {"data": {"fre": 1}}]]}}, "System.Account[0].data: unknown field"),
        ({"System": {"Account": [[[FRESH], {"data": {"free": "lots"}}]]}}, "System.Account[0].data.free: expected a number"),
        ({"System": {"Account": [[[FRESH], {"data": {"free": -1}}]]}}, "System.Account[0]: data.free: -1 does not fit u128"),
        ({"System": {"$removePrefix": "Account"}}, "$removePrefix"),
        ({"System": 5}, "System: expected an object"),
    ],
)
def test_bad_overrides_name_the_item_and_change_nothing(node, spec: dict, fragment: str) -> None:  # type: ignore[no-untyped-def]
    chain, call = node
    root = chain.rt.state_root()
    # a good entry first: it must not be written when a later one is refused
    spec = {"Balances": {"TotalIssuance": "1"}, **spec}
    err = call("dev_setStorage", spec)["error"]
    assert err["code"] == -32602 and fragment in err["message"]
    assert chain.rt.state_root() == root


def test_code_is_what_set_code_wrote_and_raw_keys_read_back(node) -> None:  # type: ignore[no-untyped-def]
    """``:code`` holds the bytes ``System.set_code`` wrote (from that call on, as on chain), and a raw
    key the simulator does not model, written by ``System.set_storage``, reads back as written."""
    from runtime.bridge.node.storage import code_placeholder
    from runtime.upgrades import code_for

    chain, call = node
    code_key = "0x" + b":code".hex()
    before = call("state_getStorage", code_key)["result"]
    assert before == "0x" + code_placeholder(chain.md.spec_name, 1403).hex()
    code = code_for("slash-defer-14")
    chain.rt.dispatch("root", "System", "set_code", {"code": "0x" + code.hex()})
    assert call("state_getStorage", code_key)["result"] == "0x" + code.hex()
    raw_key, raw_value = "0x" + b":tangle-sim:test".hex(), "0x0102030405"
    assert call("state_getStorage", raw_key)["result"] is None
    chain.rt.dispatch("root", "System", "set_storage", {"items": [[raw_key, raw_value]]})
    assert call("state_getStorage", raw_key)["result"] == raw_value
    chain.rt.dispatch("root", "System", "kill_storage", {"keys": [raw_key]})
    assert call("state_getStorage", raw_key)["result"] is None
