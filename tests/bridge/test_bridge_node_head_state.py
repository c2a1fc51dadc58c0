"""The state served at a block hash is that block's sealed state, the best block's too (user7 A1).

A real node answers at hash H with the state after block H (what H's stateRoot commits to), and the
same (key, H) never changes: neither the next block's initialisation (System.Number + 1, a session
rotation in on_initialize) nor a transaction waiting in the pool may show through. These tests ask
through substrate-interface over websocket, as the user's scripts did.
"""

from __future__ import annotations

from typing import Any

import pytest
from substrateinterface import Keypair, SubstrateInterface

from runtime import Runtime
from runtime.bridge.metadata import RuntimeMetadata
from runtime.bridge.node.chain import SimChain
from runtime.bridge.node.rpc import RpcHandler
from runtime.bridge.node.server import NodeThread
from runtime.bridge.registry import BOUNDED_TYPES
from runtime.genesis import UNIT

ALICE, BOB = Keypair.create_from_uri("//Alice"), Keypair.create_from_uri("//Bob")


def _rotation_view(s: SubstrateInterface, block_hash: str | None) -> tuple[Any, ...]:
    return (
        s.query("Session", "CurrentIndex", block_hash=block_hash).value,
        s.query("MultiAssetDelegation", "CurrentRound", block_hash=block_hash).value,
        s.query("System", "Number", block_hash=block_hash).value,
        s.query("System", "ParentHash", block_hash=block_hash).value,
    )


def test_the_best_block_serves_its_own_state_across_a_session_boundary(metadata: RuntimeMetadata) -> None:
    chain = SimChain(metadata, Runtime.dev(session_length=5))
    chain.seal()  # genesis itself is served from the state the runtime was built in (inside block 1)
    with NodeThread(RpcHandler(chain)) as running:
        s = SubstrateInterface(url=running.url, type_registry=BOUNDED_TYPES)
        try:
            rotated = None
            for _ in range(12):
                best = s.get_block_header()["header"]
                h = s.get_block_hash(best["number"])
                while_best = _rotation_view(s, h)
                latest = _rotation_view(s, None)
                # the head's own number and parent, with or without a hash, as its header says
                assert while_best == latest
                assert while_best[2] == best["number"] and while_best[3] == best["parentHash"]
                s.rpc_request("dev_newBlock", [{}])
                assert _rotation_view(s, h) == while_best  # the same (key, hash) answers the same later
                nxt = s.get_block_hash(best["number"] + 1)
                if "Session.NewSession" in {f"{e.value['module_id']}.{e.value['event_id']}" for e in s.get_events(nxt)}:
                    rotated = (while_best, _rotation_view(s, nxt))
                    break
            assert rotated is not None, "no session rotation within 12 blocks of session_length=5"
            before, after = rotated
            assert after[0] == before[0] + 1 and after[1] == before[1] + 1  # the rotation shows in its own block only
            # the head's state is what its header's stateRoot commits to
            assert chain.at(None, lambda: chain.rt.state_root()) == chain.head.state_root
        finally:
            s.close()


def test_a_pending_transaction_changes_no_block_state_with_manual_sealing(metadata: RuntimeMetadata) -> None:
    chain = SimChain(metadata, Runtime.dev(), sealing="manual")
    with NodeThread(RpcHandler(chain)) as running:
        s = SubstrateInterface(url=running.url, type_registry=BOUNDED_TYPES)
        try:
            genesis = s.get_block_hash(0)

            def free(block_hash: str | None = None) -> int:
                return s.query("System", "Account", [BOB.ss58_address], block_hash=block_hash).value["data"]["free"]

            before = free(genesis)
            number_at_genesis = s.query("System", "Number", block_hash=genesis).value
            call = s.compose_call("Balances", "transfer_keep_alive", {"dest": BOB.ss58_address, "value": 7 * UNIT})
            s.submit_extrinsic(s.create_signed_extrinsic(call, ALICE), wait_for_inclusion=False)
            assert len(s.rpc_request("author_pendingExtrinsics", [])["result"]) == 1
            assert s.get_block_header()["header"]["number"] == 0
            # neither the best hash nor "latest" sees a transfer that is in no block
            assert free(genesis) == free() == before
            assert s.query("System", "Number", block_hash=genesis).value == number_at_genesis
            nonce_api = s.rpc_request("state_call", ["AccountNonceApi_account_nonce", "0x" + ALICE.public_key.hex()])["result"]
            assert int.from_bytes(bytes.fromhex(nonce_api[2:]), "little") == 0  # the best block's state
            assert s.rpc_request("system_accountNextIndex", [ALICE.ss58_address])["result"] == 1  # the pool counts
            s.rpc_request("dev_newBlock", [{}])
            assert free(genesis) == before
            assert free(s.get_block_hash(1)) == free() == before + 7 * UNIT
        finally:
            s.close()


@pytest.mark.parametrize("sealing", ["instant", "manual"])
def test_dev_set_storage_writes_the_head_state(metadata: RuntimeMetadata, sealing: str) -> None:
    """Chopsticks' dev_setStorage changes the head: reads at the head and the next block both see it."""
    chain = SimChain(metadata, Runtime.dev(), sealing=sealing)
    handler = RpcHandler(chain)
    from runtime.bridge.node.rpc import Session

    session = Session(push=None)
    if sealing == "manual":  # something pending in the open block
        from runtime.bridge.offline import OfflineSubstrate

        offline = OfflineSubstrate(metadata, chain.genesis_hash, chain.rt.block_hash)
        xt = offline.sign(offline.compose_call("Balances", "transfer_keep_alive", {"dest": BOB.ss58_address, "value": UNIT}), ALICE, nonce=0)
        assert "result" in handler.handle(session, {"id": 1, "method": "author_submitExtrinsic", "params": [xt.data.to_hex()]})
    reply = handler.handle(session, {"id": 2, "method": "dev_setStorage", "params": [{"Sudo": {"Key": BOB.ss58_address}}]})
    assert reply.get("result") == chain.head.hash, reply
    key = handler.handle(session, {"id": 3, "method": "state_getStorage", "params": ["0x" + _sudo_key(metadata).hex()]})["result"]
    assert key == "0x" + BOB.public_key.hex()
    chain.seal()
    assert chain.at(None, lambda: chain.state.get(_sudo_key(metadata))) == BOB.public_key


def _sudo_key(metadata: RuntimeMetadata) -> bytes:
    from runtime.bridge.keys import storage_key

    sudo = metadata.pallet("Sudo")
    return storage_key(metadata, sudo.storage_prefix or "", sudo.storage["Key"], [])
