"""The new JSON-RPC spec on the node: chainHead_v1, chainSpec_v1, transaction_v1, transactionWatch_v1.

Driven through :class:`RpcHandler` with a session that collects notifications, so the order of
responses and notifications is what a websocket client would see (paritytech/json-rpc-interface-spec).
"""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from substrateinterface import Keypair

from runtime import Runtime
from runtime.accounts import DEV_ACCOUNTS
from runtime.bridge.keys import storage_key
from runtime.bridge.metadata import RuntimeMetadata
from runtime.bridge.node.chain import SimChain
from runtime.bridge.node.rpc import RpcHandler, Session
from runtime.genesis import UNIT

ALICE, BOB = DEV_ACCOUNTS["Alice"], DEV_ACCOUNTS["Bob"]
KEYS = {n: Keypair.create_from_uri(f"//{n}") for n in ("Alice", "Bob", "Charlie", "Dave")}
SYSTEM_ACCOUNT_PREFIX = "0x26aa394eea5630e07c48ae0c9558cef7b99d880ec681799c0cf30e8886371da9"


class Client:
    """One connection: requests answered in order, notifications collected as they are pushed."""

    def __init__(self, handler: RpcHandler) -> None:
        self.handler = handler
        self.pushed: list[dict[str, Any]] = []
        self.session = Session(push=self.pushed.append)
        self.ids = 0

    def call(self, method: str, *params: Any) -> list[dict[str, Any]]:
        """The response, then the notifications sent right after it (the server's order)."""
        self.ids += 1
        return self.handler.respond(self.session, {"jsonrpc": "2.0", "id": self.ids, "method": method, "params": list(params)})

    def result(self, method: str, *params: Any) -> Any:
        reply = self.call(method, *params)[0]
        assert "result" in reply, reply
        return reply["result"]

    def error(self, method: str, *params: Any) -> dict[str, Any]:
        reply = self.call(method, *params)[0]
        assert "error" in reply, reply
        return reply["error"]

    def events(self, sub_id: str) -> list[dict[str, Any]]:
        """Pushed notifications of one subscription (and forget them)."""
        mine = [m["params"]["result"] for m in self.pushed if m["params"]["subscription"] == sub_id]
        self.pushed[:] = [m for m in self.pushed if m["params"]["subscription"] != sub_id]
        return mine


def follow(client: Client, with_runtime: bool = True) -> tuple[str, list[dict[str, Any]]]:
    msgs = client.call("chainHead_v1_follow", with_runtime)
    assert "result" in msgs[0] and all("method" in m for m in msgs[1:])  # the response comes first
    return msgs[0]["result"], [m["params"]["result"] for m in msgs[1:]]


def transfer(chain: SimChain, who: str, value: int, nonce: int | None = None, dest: str = BOB) -> str:
    from runtime.bridge.offline import OfflineSubstrate

    offline = OfflineSubstrate(chain.md, chain.genesis_hash, chain.rt.block_hash)
    call = offline.compose_call("Balances", "transfer_keep_alive", {"dest": dest, "value": value})
    signer = DEV_ACCOUNTS[who]
    return offline.sign(call, KEYS[who], nonce=chain.nonce(signer) if nonce is None else nonce).data.to_hex()


def op_events(client: Client, sub_id: str, op_id: str) -> list[dict[str, Any]]:
    return [e for e in client.events(sub_id) if e.get("operationId") == op_id]


@pytest.fixture()
def chain(metadata: RuntimeMetadata) -> SimChain:
    return SimChain(metadata, Runtime.dev())


# --- follow
def test_follow_reports_finalized_new_best_and_finalized_blocks(chain: SimChain) -> None:
    chain.seal()
    client = Client(RpcHandler(chain))
    sub, events = follow(client)
    assert [e["event"] for e in events] == ["initialized", "bestBlockChanged"]
    assert events[0]["finalizedBlockHashes"] == [chain.finalized.hash] and events[1]["bestBlockHash"] == chain.head.hash
    runtime = events[0]["finalizedBlockRuntime"]
    assert runtime["type"] == "valid" and runtime["spec"]["specName"] == "tangle-testnet"
    assert runtime["spec"]["apis"]["0xdf6acb689907609b"] == 5  # Core v5, as an object keyed by api id
    block = chain.seal()
    assert client.events(sub) == [
        {"event": "newBlock", "blockHash": block.hash, "parentBlockHash": block.parent_hash, "newRuntime": None},
        {"event": "bestBlockChanged", "bestBlockHash": block.hash},
        {"event": "finalized", "finalizedBlockHashes": [block.hash], "prunedBlockHashes": []},
    ]


def test_follow_without_runtime_omits_runtimes_and_refuses_calls(chain: SimChain) -> None:
    client = Client(RpcHandler(chain))
    sub, events = follow(client, with_runtime=False)
    assert "finalizedBlockRuntime" not in events[0]
    block = chain.seal()
    assert "newRuntime" not in client.events(sub)[0]
    assert client.error("chainHead_v1_call", sub, block.hash, "Core_version", "0x")["code"] == -32802


def test_follow_lists_unfinalized_blocks_and_finality_prunes_abandoned_ones(metadata: RuntimeMetadata) -> None:
    chain = SimChain(metadata, Runtime.dev(), finality_lag=2)
    b1, b2, b3 = chain.seal(), chain.seal(), chain.seal()
    assert chain.finalized is b1
    client = Client(RpcHandler(chain))
    sub, events = follow(client)
    assert [e["event"] for e in events] == ["initialized", "newBlock", "newBlock", "bestBlockChanged"]
    assert [e.get("blockHash") for e in events[1:3]] == [b2.hash, b3.hash] and events[1]["parentBlockHash"] == b1.hash
    chain.set_head(b2.hash)  # b3 abandoned
    assert client.events(sub) == [{"event": "bestBlockChanged", "bestBlockHash": b2.hash}]
    chain.submit(transfer(chain, "Alice", UNIT))  # a different block 3 (an empty one would be b3 again)
    c3 = chain.head
    assert c3.hash != b3.hash
    assert client.events(sub)[0] == {"event": "newBlock", "blockHash": c3.hash, "parentBlockHash": b2.hash, "newRuntime": None}
    chain.seal()  # finalizes b2 (lag 2): b3 still descends from it
    fin = [e for e in client.events(sub) if e["event"] == "finalized"]
    assert fin == [{"event": "finalized", "finalizedBlockHashes": [b2.hash], "prunedBlockHashes": []}]
    chain.seal()  # finalizes c3: b3 does not descend from it
    fin = [e for e in client.events(sub) if e["event"] == "finalized"]
    assert fin == [{"event": "finalized", "finalizedBlockHashes": [c3.hash], "prunedBlockHashes": [b3.hash]}]
    # pruned blocks stay pinned until unpinned
    assert client.result("chainHead_v1_header", sub, b3.hash) == "0x" + b3.header.encode().hex()
    chain.set_head(b1.hash)  # below the finalized block: a follow cannot say that, it stops
    assert client.events(sub) == [{"event": "stop"}]
    assert client.result("chainHead_v1_header", sub, b1.hash) is None  # the subscription is gone


def test_a_rebuilt_identical_block_is_not_reported_twice(metadata: RuntimeMetadata) -> None:
    chain = SimChain(metadata, Runtime.dev(), finality_lag=3)
    b1, b2 = chain.seal(), chain.seal()
    client = Client(RpcHandler(chain))
    sub, _ = follow(client)
    chain.set_head(b1.hash)
    again = chain.seal()  # same parent, time and (empty) body: the same block, the same hash
    assert again.hash == b2.hash
    assert client.events(sub) == [{"event": "bestBlockChanged", "bestBlockHash": b1.hash}, {"event": "bestBlockChanged", "bestBlockHash": b2.hash}]


def test_follow_stops_past_the_pinned_limit_and_the_history_window(metadata: RuntimeMetadata) -> None:
    chain = SimChain(metadata, Runtime.dev())
    handler = RpcHandler(chain)
    handler.chainhead.max_pinned = 3
    client = Client(handler)
    sub, _ = follow(client)
    chain.seal()
    chain.seal()
    assert "stop" not in [e["event"] for e in client.events(sub)]  # 3 pinned
    chain.seal()
    assert client.events(sub)[-1] == {"event": "stop"}
    assert sub not in client.session.follows
    # unpinning keeps a follow alive; a pinned block leaving the history window stops it
    short = SimChain(metadata, Runtime.dev(), history=2)
    client = Client(RpcHandler(short))
    sub, events = follow(client)
    genesis = events[0]["finalizedBlockHashes"][0]
    block = short.seal()
    client.result("chainHead_v1_unpin", sub, block.hash)
    assert "stop" not in [e["event"] for e in client.events(sub)]
    short.seal()  # the window holds the last 2 blocks: the genesis state goes while the client still pins it
    assert client.events(sub)[-1] == {"event": "stop"}
    assert not short.has_state(genesis)


def test_at_most_two_follows_per_connection(chain: SimChain) -> None:
    client = Client(RpcHandler(chain))
    first, _ = follow(client)
    follow(client)
    assert client.error("chainHead_v1_follow", True)["code"] == -32800
    assert client.result("chainHead_v1_unfollow", first) is None
    follow(client)


# --- header, body, call
def test_header_body_and_call_of_a_pinned_block(chain: SimChain) -> None:
    client = Client(RpcHandler(chain))
    sub, _ = follow(client)
    block = chain.seal()
    client.events(sub)
    header = client.result("chainHead_v1_header", sub, block.hash)
    assert hashlib.blake2b(bytes.fromhex(header[2:]), digest_size=32).hexdigest() == block.hash[2:]
    started = client.call("chainHead_v1_body", sub, block.hash)
    op = started[0]["result"]["operationId"]
    assert started[0]["result"]["result"] == "started"
    assert started[1]["params"]["result"] == {"event": "operationBodyDone", "operationId": op, "value": ["0x" + x.hex() for x in block.extrinsics]}
    reply = client.call("chainHead_v1_call", sub, block.hash, "Metadata_metadata_versions", "0x")
    assert reply[1]["params"]["result"]["event"] == "operationCallDone"
    assert reply[1]["params"]["result"]["output"] == "0x080e0000000f000000"  # [14, 15]
    missing = client.call("chainHead_v1_call", sub, block.hash, "Nope_nothing", "0x")[1]["params"]["result"]
    assert missing["event"] == "operationError" and "Nope_nothing" in missing["error"]


def test_calls_read_the_state_of_their_block(chain: SimChain) -> None:
    client = Client(RpcHandler(chain))
    sub, events = follow(client)
    genesis = events[0]["finalizedBlockHashes"][0]
    chain.submit(transfer(chain, "Alice", UNIT))
    nonce_call = "0x" + bytes.fromhex(KEYS["Alice"].public_key.hex()).hex()

    def nonce_at(block_hash: str) -> str:
        return client.call("chainHead_v1_call", sub, block_hash, "AccountNonceApi_account_nonce", nonce_call)[1]["params"]["result"]["output"]

    assert (nonce_at(genesis), nonce_at(chain.head.hash)) == ("0x00000000", "0x01000000")


def test_unknown_unpinned_and_duplicate_blocks(chain: SimChain) -> None:
    client = Client(RpcHandler(chain))
    sub, events = follow(client)
    genesis = events[0]["finalizedBlockHashes"][0]
    b1 = chain.seal()
    unknown = "0x" + "11" * 32
    assert client.error("chainHead_v1_header", sub, unknown)["code"] == -32801
    assert client.error("chainHead_v1_unpin", sub, [genesis, genesis])["code"] == -32804
    assert client.error("chainHead_v1_unpin", sub, [b1.hash, unknown])["code"] == -32801
    assert client.result("chainHead_v1_header", sub, b1.hash)  # nothing was unpinned by the failed calls
    assert client.result("chainHead_v1_unpin", sub, [genesis, b1.hash]) is None
    assert client.error("chainHead_v1_body", sub, b1.hash)["code"] == -32801
    assert client.error("chainHead_v1_unpin", sub, b1.hash)["code"] == -32801
    # a subscription id that is not (or no longer) a follow
    assert client.result("chainHead_v1_header", "0xdead", b1.hash) is None
    assert client.result("chainHead_v1_body", "0xdead", b1.hash) == {"result": "limitReached"}
    assert client.result("chainHead_v1_storage", "0xdead", b1.hash, [], None) == {"result": "limitReached"}


@pytest.mark.parametrize(
    ("method", "params", "fragment"),
    [
        ("chainHead_v1_follow", ["yes"], "withRuntime"),
        ("chainHead_v1_storage", ["SUB", "HEAD", {"key": "0x00"}, None], "items must be a list"),
        ("chainHead_v1_storage", ["SUB", "HEAD", [{"key": "0x00", "type": "everything"}], None], "items[0].type"),
        ("chainHead_v1_storage", ["SUB", "HEAD", [{"key": "zz", "type": "value"}], None], "items[0].key"),
        ("chainHead_v1_call", ["SUB", "HEAD", 5, "0x"], "function"),
        ("chainHead_v1_call", ["SUB", "HEAD", "Core_version", "0xzz"], "callParameters"),
        ("chainHead_v1_header", ["SUB", 7], "hash"),
        ("chainHead_v1_unpin", ["SUB", [1]], "hashes[0]"),
        ("chainHead_v1_continue", ["SUB", 3], "operationId"),
        ("transaction_v1_broadcast", [12], "transaction"),
        ("transactionWatch_v1_submitAndWatch", ["0xzz"], "transaction"),
    ],
)
def test_wrong_params_name_the_parameter(chain: SimChain, method: str, params: list[Any], fragment: str) -> None:
    client = Client(RpcHandler(chain))
    sub, _ = follow(client)
    params = [sub if p == "SUB" else chain.head.hash if p == "HEAD" else p for p in params]
    err = client.error(method, *params)
    assert err["code"] == -32602 and fragment in err["message"]


# --- storage
def test_storage_values_hashes_and_descendants_paged_with_continue(chain: SimChain) -> None:
    handler = RpcHandler(chain)
    handler.chainhead.storage_page = 2
    client = Client(handler)
    sub, events = follow(client)
    head = events[0]["finalizedBlockHashes"][0]
    system = chain.md.pallets["System"]
    alice_key = "0x" + storage_key(chain.md, system.storage_prefix, system.storage["Account"], [ALICE]).hex()
    alice_value = "0x" + chain.state.get(bytes.fromhex(alice_key[2:])).hex()
    items = [{"key": alice_key, "type": "value"}, {"key": alice_key, "type": "hash"}, {"key": "0x" + "00" * 8, "type": "value"}]
    reply = client.call("chainHead_v1_storage", sub, head, items, None)
    op = reply[0]["result"]["operationId"]
    assert reply[0]["result"] == {"result": "started", "operationId": op, "discardedItems": 0}
    got = [m["params"]["result"] for m in reply[1:]]
    assert got[0]["items"] == [{"key": alice_key, "value": alice_value}, {"key": alice_key, "hash": "0x" + hashlib.blake2b(bytes.fromhex(alice_value[2:]), digest_size=32).hexdigest()}]
    assert got[1] == {"event": "operationStorageDone", "operationId": op}  # the absent key gives no item
    # every account under System.Account, two per notification, each page waiting for continue
    reply = client.call("chainHead_v1_storage", sub, head, [{"key": SYSTEM_ACCOUNT_PREFIX, "type": "descendantsValues"}], None)
    op = reply[0]["result"]["operationId"]
    pages, events_seen = [], [m["params"]["result"] for m in reply[1:]]
    while True:
        pages += [e["items"] for e in events_seen if e["event"] == "operationStorageItems"]
        if events_seen[-1]["event"] == "operationStorageDone":
            break
        assert events_seen[-1] == {"event": "operationWaitingForContinue", "operationId": op}
        events_seen = [m["params"]["result"] for m in client.call("chainHead_v1_continue", sub, op)[1:]]
    keys = [i["key"] for page in pages for i in page]
    expected = ["0x" + k.hex() for k in chain.state.keys_paged(bytes.fromhex(SYSTEM_ACCOUNT_PREFIX[2:]), 10_000)]
    assert keys == expected and len(expected) > 4 and all(len(p) <= 2 for p in pages)
    assert alice_key in keys
    assert client.error("chainHead_v1_continue", sub, op)["code"] == -32803  # done: not waiting any more


def test_storage_operation_limit_discards_items(chain: SimChain) -> None:
    handler = RpcHandler(chain)
    handler.chainhead.storage_page = 1
    handler.chainhead.max_operations = 3
    client = Client(handler)
    sub, events = follow(client)
    head = events[0]["finalizedBlockHashes"][0]
    waiting = [{"key": SYSTEM_ACCOUNT_PREFIX, "type": "descendantsHashes"}] * 2
    first = client.result("chainHead_v1_storage", sub, head, waiting, None)
    assert first["discardedItems"] == 0  # both still in progress: 2 of 3 slots taken
    second = client.result("chainHead_v1_storage", sub, head, waiting, None)
    assert second["discardedItems"] == 1
    assert client.result("chainHead_v1_storage", sub, head, waiting, None) == {"result": "limitReached"}
    assert client.result("chainHead_v1_body", sub, head) == {"result": "limitReached"}
    assert client.result("chainHead_v1_stopOperation", sub, first["operationId"]) is None
    assert client.result("chainHead_v1_body", sub, head)["result"] == "started"


def test_closest_descendant_merkle_value_changes_exactly_with_the_subtree(chain: SimChain) -> None:
    client = Client(RpcHandler(chain))
    sub, events = follow(client)
    query = [{"key": SYSTEM_ACCOUNT_PREFIX, "type": "closestDescendantMerkleValue"}]

    def merkle(block_hash: str) -> str:
        reply = client.call("chainHead_v1_storage", sub, block_hash, query, None)
        return reply[1]["params"]["result"]["items"][0]["closestDescendantMerkleValue"]

    genesis = events[0]["finalizedBlockHashes"][0]
    empty = chain.seal()  # a block without transfers: accounts unchanged
    paid = chain.submit(transfer(chain, "Alice", UNIT)) and chain.head
    assert merkle(genesis) == merkle(empty.hash) != merkle(paid.hash)
    nothing = client.call("chainHead_v1_storage", sub, genesis, [{"key": "0x" + "ee" * 16, "type": "closestDescendantMerkleValue"}], None)
    assert [m["params"]["result"]["event"] for m in nothing[1:]] == ["operationStorageDone"]


# --- chainSpec, rpc_methods
def test_chain_spec_and_rpc_methods_list_whole_groups(chain: SimChain) -> None:
    client = Client(RpcHandler(chain))
    assert client.result("chainSpec_v1_genesisHash") == chain.genesis_hash
    assert client.result("chainSpec_v1_chainName") == client.result("system_chain")
    assert client.result("chainSpec_v1_properties") == client.result("system_properties")
    methods = set(client.result("rpc_methods")["methods"])
    groups = {
        "chainHead_v1": {"follow", "unfollow", "header", "body", "call", "storage", "continue", "stopOperation", "unpin"},
        "chainSpec_v1": {"chainName", "genesisHash", "properties"},
        "transaction_v1": {"broadcast", "stop"},
        "transactionWatch_v1": {"submitAndWatch", "unwatch"},
    }
    for group, names in groups.items():
        assert {m for m in methods if m.startswith(group + "_")} == {f"{group}_{n}" for n in names}
    assert not any(m.startswith("archive_") for m in methods)  # PAPI emulates archive_v1 on legacy calls


# --- transactions
def test_submit_and_watch_reports_validated_included_and_finalized(metadata: RuntimeMetadata) -> None:
    chain = SimChain(metadata, Runtime.dev(), finality_lag=1)
    client = Client(RpcHandler(chain))
    reply = client.call("transactionWatch_v1_submitAndWatch", transfer(chain, "Alice", UNIT))
    sub = reply[0]["result"]
    block = chain.head
    events = [m["params"]["result"] for m in reply[1:]] + client.events(sub)
    assert events == [{"event": "validated"}, {"event": "bestChainBlockIncluded", "block": {"hash": block.hash, "index": 1}}]
    chain.seal()
    assert client.events(sub) == [{"event": "finalized", "block": {"hash": block.hash, "index": 1}}]
    assert client.error("transactionWatch_v1_unwatch", sub)["code"] == -32602  # finished: no longer a subscription


def test_submit_and_watch_reports_invalid_and_error_events(chain: SimChain) -> None:
    client = Client(RpcHandler(chain))
    stale = transfer(chain, "Alice", UNIT, nonce=0)
    chain.submit(stale)
    head = chain.head.number
    for xt, kind, fragment in ((stale, "invalid", "outdated"), ("0x0102", "invalid", "decode"), (transfer(chain, "Bob", 10**30), None, None)):
        reply = client.call("transactionWatch_v1_submitAndWatch", xt)
        events = [m["params"]["result"] for m in reply[1:]]
        if kind is None:  # a dispatch that fails is still included
            assert events[0] == {"event": "validated"}
            continue
        assert events == [{"event": kind, "error": events[0]["error"]}] and fragment in events[0]["error"].lower()
    assert chain.head.number == head + 1


def test_watch_of_a_retracted_block_is_dropped(metadata: RuntimeMetadata) -> None:
    chain = SimChain(metadata, Runtime.dev(), finality_lag=5)
    client = Client(RpcHandler(chain))
    base = chain.seal()
    sub = client.result("transactionWatch_v1_submitAndWatch", transfer(chain, "Alice", UNIT))
    client.events(sub)
    chain.set_head(base.hash)
    events = client.events(sub)
    assert events[0] == {"event": "bestChainBlockIncluded", "block": None} and events[1]["event"] == "dropped"
    assert sub not in client.session.tx_watches


def test_broadcast_includes_silently_drops_invalid_and_stops(chain: SimChain) -> None:
    client = Client(RpcHandler(chain))
    op = client.result("transaction_v1_broadcast", transfer(chain, "Alice", 3 * UNIT))
    included = chain.head
    assert included.number == 1 and len(included.extrinsics) == 2
    bad = client.result("transaction_v1_broadcast", "0x0102")  # undecodable: an id all the same, nothing included
    assert isinstance(bad, str) and bad != op and chain.head is included
    assert client.result("transaction_v1_stop", op) is None
    assert client.error("transaction_v1_stop", op)["code"] == -32602
    client.handler.forget(client.session)
    assert not client.session.broadcasts
