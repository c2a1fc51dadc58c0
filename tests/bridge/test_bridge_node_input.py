"""Hostile and malformed requests: each gets a JSON-RPC error with the standard code, the node keeps
serving, and closed connections leave no subscription behind (issue 17, item 8)."""

from __future__ import annotations

import json
import socket

import pytest
import websocket  # websocket-client, a substrate-interface dependency

from runtime import Runtime
from runtime.bridge.metadata import RuntimeMetadata
from runtime.bridge.node.chain import SimChain
from runtime.bridge.node.rpc import RpcHandler
from runtime.bridge.node.server import MAX_HTTP_BODY, NodeThread


@pytest.fixture(scope="module")
def node(metadata: RuntimeMetadata):
    with NodeThread(RpcHandler(SimChain(metadata, Runtime.dev()))) as running:
        yield running


def http(node, body: bytes, headers: dict[str, str] | None = None) -> tuple[int, dict | list | None]:
    head = {"Content-Type": "application/json", "Content-Length": str(len(body)), "Connection": "close"}
    head.update(headers or {})
    request = f"POST / HTTP/1.1\r\nHost: x\r\n" + "".join(f"{k}: {v}\r\n" for k, v in head.items()) + "\r\n"
    with socket.create_connection((node.server.host, node.server.port), timeout=30) as sock:
        sock.sendall(request.encode() + body)
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    status_line, _, rest = data.partition(b"\r\n")
    payload = rest.split(b"\r\n\r\n", 1)[1]
    return int(status_line.split()[1]), json.loads(payload) if payload else None


def rpc(node, method: str, params) -> dict:  # type: ignore[no-untyped-def]
    status, reply = http(node, json.dumps({"jsonrpc": "2.0", "id": 7, "method": method, "params": params}).encode())
    assert status == 200
    return reply  # type: ignore[return-value]


def still_serving(node) -> None:  # type: ignore[no-untyped-def]
    assert rpc(node, "system_chain", [])["result"].startswith("Tangle")


@pytest.mark.parametrize(
    ("body", "code"),
    [
        (b"\xff\xfe{not utf8", -32700),
        (b"[" * 100_000 + b"]" * 100_000, -32700),
        (b"{" + b'"a":{' * 50_000 + b"}" * 50_001, -32700),
        (b"{\"jsonrpc\":\"2.0\",\"id\":1,", -32700),
        (b"[]", -32600),
        (b"42", -32600),
        (b'{"jsonrpc":"2.0","id":{"x":1},"method":"system_chain"}', -32600),
    ],
)
def test_unparseable_bodies_get_parse_or_request_errors(node, body: bytes, code: int) -> None:
    status, reply = http(node, body)
    assert status == 200 and reply["error"]["code"] == code and reply["id"] is None  # type: ignore[index]
    still_serving(node)


@pytest.mark.parametrize(
    ("method", "params", "fragment"),
    [
        ("system_chain", 5, "params must be an array"),
        ("state_getKeysPaged", ["0x", "abc"], "count must be an integer"),
        ("state_getKeysPaged", ["0x", -5], "count must be between 0"),
        ("state_getKeysPaged", ["0x", 10**6], "count must be between 0"),
        ("chain_getBlock", [{"a": 1}], "block hash"),
        ("chain_getHeader", ["0x1234"], "32-byte"),
        ("state_queryStorageAt", [[5]], "keys[0]"),
        ("state_queryStorageAt", ["0xab"], "keys must be a list"),
        ("state_getStorage", ["zz"], "storage key"),
        ("state_getStorage", [], "storage key missing"),
        ("chain_getBlockHash", ["not a number"], "block number"),
        ("chain_getBlockHash", [-1], "negative"),
        ("state_call", [5, "0x"], "method name"),
        ("state_subscribeStorage", [None], "without keys"),
        ("dev_newBlock", [{"count": -3}], "count"),
        ("dev_setBlockBuildMode", ["Sometimes"], "mode"),
        ("dev_setRuntimeLogLevel", [9], "level"),
        ("dev_timeTravel", ["next tuesday"], "cannot parse"),
    ],
)
def test_wrong_params_name_the_parameter(node, method: str, params, fragment: str) -> None:  # type: ignore[no-untyped-def]
    reply = rpc(node, method, params)
    assert reply["error"]["code"] == -32602 and fragment in reply["error"]["message"], reply
    still_serving(node)


def test_unknown_methods_answer_exactly_method_not_found(node) -> None:  # type: ignore[no-untyped-def]
    reply = rpc(node, "state_noSuchThing", [])
    assert reply["error"] == {"code": -32601, "message": "Method not found", "data": "state_noSuchThing"}


def test_garbage_extrinsics_and_runtime_calls_are_errors(node) -> None:  # type: ignore[no-untyped-def]
    # not an opaque extrinsic (its length prefix overruns): sc-rpc's Error::Client, code 1040
    assert rpc(node, "author_submitExtrinsic", ["0x1234abcd"])["error"] == {"code": 1040, "message": "Client error: Not enough data to fill buffer"}
    assert rpc(node, "author_submitExtrinsic", ["0x" + "ff" * 5000])["error"] == {"code": 1040, "message": "Client error: Out of range"}
    assert rpc(node, "author_submitExtrinsic", [12])["error"]["code"] == -32602  # not Bytes: jsonrpsee's invalid params
    missing = rpc(node, "state_call", ["Nope_nothing", "0x"])["error"]
    assert missing["code"] == 4003 and "Nope_nothing" in missing["message"]
    assert rpc(node, "state_call", ["TransactionPaymentApi_query_info", "0xff"])["error"]["code"] == 4003
    still_serving(node)


@pytest.mark.parametrize("length", ["abc", "-5", "1e3", str(MAX_HTTP_BODY + 1), str(70 * 1024 * 1024)])
def test_bad_or_huge_content_length_is_refused_without_reading(node, length: str) -> None:
    status, reply = http(node, b"{}", {"Content-Length": length})
    assert status in (400, 413)
    assert reply["error"]["code"] == (-32007 if status == 413 else -32600)  # type: ignore[index]
    still_serving(node)


def test_disconnecting_mid_subscription_leaks_nothing(node) -> None:  # type: ignore[no-untyped-def]
    handler = node.server.handler
    before = len(handler.sessions)
    ws = websocket.create_connection(node.url, timeout=30)
    for i, method in enumerate(["chain_subscribeNewHead", "chain_subscribeFinalizedHeads", "state_subscribeRuntimeVersion"]):
        ws.send(json.dumps({"jsonrpc": "2.0", "id": i, "method": method, "params": []}))
    ws.send(json.dumps({"jsonrpc": "2.0", "id": 9, "method": "state_subscribeStorage", "params": [["0x26aa394eea5630e07c48ae0c9558cef702a5c1b19ab7a04f536c519aca4983ac"]]}))
    replies = [json.loads(ws.recv()) for _ in range(8)]  # 4 responses + 4 first notifications
    assert sum(1 for r in replies if "result" in r and "id" in r) == 4
    assert len(handler.sessions) == before + 1
    ws.close()
    import time

    for _ in range(500):  # the server notices the close asynchronously
        if len(handler.sessions) == before:
            break
        time.sleep(0.02)
    assert len(handler.sessions) == before
    handler.chain.seal()  # a block after the disconnect notifies nobody and raises nothing
    still_serving(node)


def test_a_websocket_request_over_the_request_size_limit_is_refused_as_over_http(node) -> None:  # type: ignore[no-untyped-def]
    """jsonrpsee applies --rpc-max-request-size (15 MiB) to websocket messages too: -32007, id null,
    and the connection stays open (before, up to 64 MiB was parsed and answered)."""
    ws = websocket.create_connection(node.url, timeout=60)
    try:
        big = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "system_chain", "params": ["x" * (MAX_HTTP_BODY + 10)]})
        ws.send(big)
        reply = json.loads(ws.recv())
        assert reply["id"] is None and reply["error"]["code"] == -32007 and reply["error"]["message"] == "Request is too big"
        ws.send(json.dumps({"jsonrpc": "2.0", "id": 2, "method": "system_chain", "params": []}))
        assert json.loads(ws.recv())["result"].startswith("Tangle")
    finally:
        ws.close()


def test_undecodable_extrinsics_get_the_real_rpcs_codes_and_no_python_internals(node) -> None:  # type: ignore[no-untyped-def]
    """user8 #11: payment_* answer pallet-transaction-payment-rpc's codes (2 DecodeError for bytes that
    are not an opaque extrinsic, 1 RuntimeError when the runtime cannot decode them); an opaque
    extrinsic the runtime cannot decode is a Verification Error (1002) at the pool; no Python error
    text reaches the client."""
    bad_opaque = rpc(node, "payment_queryInfo", ["0x0102"])["error"]
    assert bad_opaque["code"] == 2 and bad_opaque["message"] == "Unable to query dispatch info." and "Not enough data" in bad_opaque["data"]
    empty = rpc(node, "payment_queryInfo", ["0x00"])["error"]  # a valid empty Vec<u8>: the runtime fails
    assert empty["code"] == 1 and empty["message"] == "Unable to query dispatch info."
    assert rpc(node, "payment_queryFeeDetails", ["0x00"])["error"]["message"] == "Unable to query fee details."
    for xt in ("0x1001020304", "0x08ff00"):  # opaque fine, not an extrinsic of this runtime (bad version, unknown pallet)
        err = rpc(node, "author_submitExtrinsic", [xt])["error"]
        assert err["code"] == 1002 and err["message"].startswith("Verification Error:"), err
        for text in (err["message"], err["data"]):
            assert "NoneType" not in text and "attribute" not in text
    still_serving(node)


def test_storage_queries_take_more_than_a_thousand_keys_as_sc_rpc_does(node) -> None:  # type: ignore[no-untyped-def]
    """user8 #9: sc-rpc's state API bounds only getKeysPaged (1000); queryStorageAt and subscribeStorage
    take any number of keys (polkadot.js queryMulti sends them in one call)."""
    keys = ["0x26aa394eea5630e07c48ae0c9558cef7" + f"{i:064x}" for i in range(1500)]
    reply = rpc(node, "state_queryStorageAt", [keys])
    assert len(reply["result"][0]["changes"]) == 1500
    ws = websocket.create_connection(node.url, timeout=60)
    try:
        ws.send(json.dumps({"jsonrpc": "2.0", "id": 1, "method": "state_subscribeStorage", "params": [keys]}))
        first, second = json.loads(ws.recv()), json.loads(ws.recv())
        assert "result" in first and len(second["params"]["result"]["changes"]) == 1500
    finally:
        ws.close()
