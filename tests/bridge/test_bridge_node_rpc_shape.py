"""JSON-RPC shapes a real (jsonrpsee) node gives, and events the node cannot encode (user7 A2, B5, B7, B8)."""

from __future__ import annotations

import json
import logging

import pytest
import websocket

from runtime import Runtime
from runtime.bridge.metadata import RuntimeMetadata
from runtime.bridge.node.chain import SimChain
from runtime.bridge.node.events import EventEncodeError, NodeEvent
from runtime.bridge.node.rpc import RpcHandler, Session
from runtime.bridge.node.server import NodeThread


@pytest.fixture()
def handler(metadata: RuntimeMetadata) -> RpcHandler:
    return RpcHandler(SimChain(metadata, Runtime.dev()))


def test_a_websocket_batch_gets_one_array_reply(handler: RpcHandler) -> None:
    with NodeThread(handler) as running:
        ws = websocket.create_connection(running.url, timeout=30)
        try:
            ws.send(json.dumps([{"jsonrpc": "2.0", "id": 1, "method": "system_chain", "params": []}, {"jsonrpc": "2.0", "id": 2, "method": "nope", "params": []}]))
            reply = json.loads(ws.recv())
            assert isinstance(reply, list) and [r["id"] for r in reply] == [1, 2]
            assert isinstance(reply[0]["result"], str) and reply[1]["error"]["code"] == -32601
            # a subscription inside a batch: the array first, then its notification
            key = "0x26aa394eea5630e07c48ae0c9558cef702a5c1b19ab7a04f536c519aca4983ac"  # System.Number
            ws.send(json.dumps([{"jsonrpc": "2.0", "id": 3, "method": "state_subscribeStorage", "params": [[key]]}]))
            first = json.loads(ws.recv())
            assert isinstance(first, list) and first[0]["id"] == 3 and isinstance(first[0]["result"], str)
            note = json.loads(ws.recv())
            assert note["method"] == "state_storage" and note["params"]["subscription"] == first[0]["result"]
            # a single request still gets a single object
            ws.send(json.dumps({"jsonrpc": "2.0", "id": 4, "method": "system_name", "params": []}))
            assert json.loads(ws.recv())["result"] == "tangle-sim"
        finally:
            ws.close()


@pytest.mark.parametrize("params", [{"x": 5}, {"a": 1, "b": 2}, {"hash": 3}])
def test_named_params_are_refused_not_read_by_position(handler: RpcHandler, params: dict) -> None:
    handler.chain.create_blocks(5)
    reply = handler.handle(Session(push=None), {"jsonrpc": "2.0", "id": 1, "method": "chain_getBlockHash", "params": params})
    assert "result" not in reply
    assert reply["error"]["code"] == -32602 and "named (object) params are not supported" in reply["error"]["message"]
    assert sorted(params)[0] in reply["error"]["message"]


def test_empty_object_params_mean_no_params(handler: RpcHandler) -> None:
    reply = handler.handle(Session(push=None), {"jsonrpc": "2.0", "id": 1, "method": "chain_getBlockHash", "params": {}})
    assert reply["result"] == handler.chain.head.hash


def test_read_proofs_are_refused_clearly(handler: RpcHandler) -> None:
    reply = handler.handle(Session(push=None), {"jsonrpc": "2.0", "id": 1, "method": "state_getReadProof", "params": [["0x26aa394eea5630e07c48ae0c9558cef7"]]})
    assert "result" not in reply
    assert reply["error"]["code"] == -32000 and "not supported" in reply["error"]["message"]


def _unencodable(chain: SimChain) -> None:
    chain._pending_node_events.append(NodeEvent("Utility", "BatchInterrupted", {"index": 1, "error": "Nope.NoSuchError"}, "ApplyExtrinsic", 0, "node"))


def test_an_event_that_cannot_be_encoded_fails_loudly_under_strict_events(metadata: RuntimeMetadata) -> None:
    chain = SimChain(metadata, Runtime.dev())
    _unencodable(chain)
    with pytest.raises(EventEncodeError, match="Utility.BatchInterrupted"):
        chain.seal()


def test_an_event_that_cannot_be_encoded_is_logged_on_the_node_console(metadata: RuntimeMetadata, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    monkeypatch.setattr(SimChain, "strict_events", False)  # as the node runs
    chain = SimChain(metadata, Runtime.dev())
    _unencodable(chain)
    with caplog.at_level(logging.ERROR, logger="tangle_sim.node"):
        block = chain.seal()
    assert any("Utility.BatchInterrupted left out of System.Events" in r.getMessage() and r.levelno == logging.ERROR for r in caplog.records)
    assert chain.encode_problems and "block 1" in chain.encode_problems[0]
    assert block.number == 1
