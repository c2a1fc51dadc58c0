"""Real blocks: SCALE headers hashed with blake2-256, V0 extrinsics roots, history and forks.

Vectors from ``shared/spec/node.md`` §1 (sp-runtime header tests, sp-trie tests, and values
computed for the spec)."""

from __future__ import annotations

import hashlib

import pytest
from scalecodec.base import ScaleBytes

from runtime import Runtime
from runtime.accounts import DEV_ACCOUNTS
from runtime.bridge.keys import storage_key
from runtime.bridge.metadata import RuntimeMetadata
from runtime.bridge.node.chain import HistoryError, SimChain
from runtime.bridge.node.header import Header, babe_secondary_plain, ordered_trie_root, other, trie_root_node
from runtime.bridge.node.rpc import RpcHandler, Session
from runtime.genesis import UNIT

ALICE, BOB = DEV_ACCOUNTS["Alice"], DEV_ACCOUNTS["Bob"]


def b2(data: bytes) -> bytes:
    return hashlib.blake2b(data, digest_size=32).digest()


# --- header and trie vectors
def test_header_encoding_and_hash_match_sp_runtime() -> None:
    h = Header(b2(b"1"), 2, b2(b"3"), b2(b"4"), (other(b"6"),))
    enc = h.encode()
    assert len(enc) == 101 and enc[32] == 0x08 and enc[-4:] == bytes.fromhex("04000436")
    assert h.hash.hex() == "a8a0cb64226571950897d4450958e80393585495616fc6589af75d2f2edc90d1"
    assert h.to_json()["number"] == "0x2" and h.to_json()["digest"]["logs"] == ["0x000436"]


def test_digest_items_serialise_as_sp_runtime_does() -> None:
    assert "0x" + other(bytes([1, 2, 3])).hex() == "0x000c010203"
    # BABE SecondaryPlain: PreRuntime(6) ++ "BABE" ++ compact(13) ++ 02 ++ authority u32 ++ slot u64
    assert babe_secondary_plain(5).hex() == "06" + b"BABE".hex() + "34" + "02" + "00000000" + "0500000000000000"


def test_trie_root_vectors() -> None:
    assert trie_root_node([(bytes.fromhex("aa"), bytes.fromhex("bb"))]).hex() == "42aa04bb"
    assert trie_root_node([(bytes.fromhex("4819"), b"\xfe"), (bytes.fromhex("1314"), b"\xff")]).hex() == "8012001443031404ff1443081904fe"
    assert ordered_trie_root([]).hex() == "03170a2e7597b7b7e3d84c05391d139a62b157e78786d8c082f29dcf4c111314"
    assert trie_root_node([(b"\x00", b"\x0a"), (b"\x04", b"\x0b")]).hex() == "810011000c40040a0c40040b"
    assert ordered_trie_root([b"\x0a", b"\x0b"]).hex() == "531d1b32d52b36468930272c2ffd612f8b48a890628d051cdb23337645c9a060"
    assert ordered_trie_root([bytes.fromhex("010203")]).hex() == "f5462321e307b1e07c11d25b26604ea8afd1ca297cd4d8c0002ba7fd64b49e83"


def test_v0_keeps_long_values_inline_and_v1_hashes_them() -> None:
    short, long = b"\x07" * 32, b"\x07" * 33
    assert ordered_trie_root([short], 0) == ordered_trie_root([short], 1)
    assert ordered_trie_root([long], 0) != ordered_trie_root([long], 1)
    assert trie_root_node([(b"\x00", long)], 0) == bytes([0x42, 0x00]) + bytes([33 << 2]) + long
    assert trie_root_node([(b"\x00", long)], 1) == bytes([0x22, 0x00]) + b2(long)


def test_ordered_root_sorts_compact_keys_bytewise() -> None:
    values = [bytes([i]) * 40 for i in range(70)]  # compact(64) = 01 01 sorts before compact(1) = 04
    manual = trie_root_node([((i << 2).to_bytes(1, "little") if i < 64 else ((i << 2) | 1).to_bytes(2, "little"), v) for i, v in enumerate(values)])
    assert b2(manual) == ordered_trie_root(values)


# --- the node's chain
@pytest.fixture()
def chain(metadata: RuntimeMetadata) -> SimChain:
    return SimChain(metadata, Runtime.dev(), history=8)


def test_block_hashes_are_header_hashes_and_the_runtime_stores_them(chain: SimChain, metadata: RuntimeMetadata) -> None:
    for _ in range(3):
        chain.seal()
    system = metadata.pallet("System")
    for block in chain.blocks:
        assert block.hash == "0x" + b2(block.header.encode()).hex()
        if block.number:
            assert block.parent_hash == chain.blocks[block.number - 1].hash
    head = chain.head
    parent_key = storage_key(metadata, system.storage_prefix or "", system.storage["ParentHash"], [])
    # the state at a block is that block's own: its ParentHash is the header's parent, and
    # BlockHash holds the blocks before it (frame_system inserts n-1 when it initialises block n)
    for at in (None, head.hash, chain.blocks[1].hash):
        block = chain.block(at)
        assert chain.at(at, lambda: chain.state.get(parent_key)) == bytes.fromhex(block.parent_hash[2:])
    for n in (0, 1, head.number - 1):
        key = storage_key(metadata, system.storage_prefix or "", system.storage["BlockHash"], [n])
        assert chain.at(None, lambda: chain.state.get(key)) == bytes.fromhex(chain.blocks[n].hash[2:])
    assert chain.genesis_hash == chain.rt.genesis_hash == chain.blocks[0].hash


def test_blocks_hold_the_timestamp_inherent_and_their_root_covers_the_body(chain: SimChain, metadata: RuntimeMetadata) -> None:
    a, b = chain.seal(), chain.seal()
    for block in (a, b):
        assert len(block.extrinsics) == 1
        xt = metadata.runtime_config.create_scale_object("Extrinsic", data=ScaleBytes(bytearray(block.extrinsics[0])), metadata=metadata.scale)
        xt.decode()
        assert xt.value["call"]["call_module"] == "Timestamp" and xt.value["call"]["call_function"] == "set"
        assert xt.value["call"]["call_args"][0]["value"] == block.timestamp
        assert block.header.extrinsics_root == ordered_trie_root(block.extrinsics, 0)
    # one BABE slot apart: 2 x Timestamp.MinimumPeriod, the runtime's Babe.ExpectedBlockTime (1 s here)
    assert b.timestamp - a.timestamp == chain.slot_ms == 1000 == metadata.constant_value("Babe", "ExpectedBlockTime")
    slot = b.header.digest[0]
    assert slot[:5] == b"\x06BABE" and int.from_bytes(slot[-8:], "little") == b.timestamp // 1000


def test_history_reads_old_state_and_older_blocks_answer_an_error(metadata: RuntimeMetadata) -> None:
    chain = SimChain(metadata, Runtime.dev(), history=3)
    system = metadata.pallet("System")
    number_key = storage_key(metadata, system.storage_prefix or "", system.storage["Number"], [])
    blocks = [chain.seal() for _ in range(5)]
    for block in blocks[-3:-1]:
        stored = chain.at(block.hash, lambda: chain.state.get(number_key, block.hash))
        assert int.from_bytes(stored, "little") == block.number
    live = chain.state.get(number_key)
    with pytest.raises(HistoryError, match="discarded"):
        chain.at(blocks[0].hash, lambda: chain.state.get(number_key))
    assert chain.state.get(number_key) == live  # reading history leaves the current state alone


def test_set_head_goes_back_and_building_continues_there(chain: SimChain) -> None:
    first = chain.seal()
    chain.rt.dispatch(ALICE, "Balances", "transfer_keep_alive", {"dest": BOB, "value": 7 * UNIT})
    second = chain.seal()
    after = chain.rt.free_balance(BOB)
    back = chain.set_head(first.hash)
    assert back is first and chain.head is first
    assert chain.rt.free_balance(BOB) == after - 7 * UNIT
    fork = chain.seal()
    assert fork.number == second.number and fork.hash != second.hash and fork.parent_hash == first.hash
    assert chain.block(second.hash) is second  # the abandoned block stays known by hash
    with pytest.raises(HistoryError):
        chain.set_head(second.hash)


def test_rpc_reads_at_a_block_hash_see_that_block(chain: SimChain, metadata: RuntimeMetadata) -> None:
    handler = RpcHandler(chain)
    session = Session()
    system = metadata.pallet("System")
    key = "0x" + storage_key(metadata, system.storage_prefix or "", system.storage["Account"], [BOB]).hex()
    before = chain.seal()
    chain.rt.dispatch(ALICE, "Balances", "transfer_keep_alive", {"dest": BOB, "value": 3 * UNIT})
    chain.seal()

    def get(params: list) -> dict:
        return handler.handle(session, {"jsonrpc": "2.0", "id": 1, "method": "state_getStorage", "params": params})  # type: ignore[return-value]

    old, new = get([key, before.hash])["result"], get([key])["result"]
    free = lambda h: int.from_bytes(bytes.fromhex(h[2:])[16:32], "little")  # noqa: E731 - AccountInfo: nonce, consumers, providers, sufficients (u32 each), free u128
    assert free(new) - free(old) == 3 * UNIT
    gone = get([key, "0x" + "11" * 32])
    assert gone["error"]["code"] == 4003 and "Unknown block" in gone["error"]["data"]


def test_dev_rpcs_build_mode_new_block_time_travel_and_set_head(chain: SimChain, metadata: RuntimeMetadata) -> None:
    handler = RpcHandler(chain)
    session = Session()

    def call(method: str, *params):  # type: ignore[no-untyped-def]
        reply = handler.handle(session, {"jsonrpc": "2.0", "id": 1, "method": method, "params": list(params)})
        assert "error" not in reply, reply  # type: ignore[operator]
        return reply["result"]  # type: ignore[index]

    assert call("dev_setBlockBuildMode", "Manual") is None and chain.sealing == "manual"
    start = chain.head.number
    last = call("dev_newBlock", {"count": 3})
    assert chain.head.number == start + 3 and chain.head.hash == last
    call("dev_newBlock", {"to": start + 5})
    assert chain.head.number == start + 5
    when = 1_800_000_000_000
    assert call("dev_timeTravel", when) == when
    timestamp = metadata.pallet("Timestamp")
    now_key = "0x" + storage_key(metadata, timestamp.storage_prefix or "", timestamp.storage["Now"], []).hex()
    assert int.from_bytes(bytes.fromhex(call("state_getStorage", now_key)[2:]), "little") == when
    stamped = chain.block(call("dev_newBlock", {}))
    assert stamped.timestamp == when + 1000  # type: ignore[union-attr]
    back = call("dev_setHead", -2)
    assert chain.head.hash == back and chain.head.number == start + 4
    assert call("dev_setHead", start + 2) == chain.blocks[start + 2].hash
    assert call("dev_setRuntimeLogLevel", 4) is None
    balances = metadata.pallet("Balances")
    key = "0x" + storage_key(metadata, balances.storage_prefix or "", balances.storage["TotalIssuance"], []).hex()
    wanted = "0x" + (123 * UNIT).to_bytes(16, "little").hex()
    assert call("dev_setStorage", [[key, wanted]]) == chain.head.hash
    assert call("state_getStorage", key) == wanted
