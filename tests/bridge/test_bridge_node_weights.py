"""Dispatch info weights and System.BlockWeight as frame_system records them (user7 B6)."""

from __future__ import annotations

from substrateinterface import Keypair, SubstrateInterface

from runtime import Runtime
from runtime.bridge.metadata import RuntimeMetadata
from runtime.bridge.node.chain import SimChain
from runtime.bridge.node.rpc import RpcHandler
from runtime.bridge.node.server import NodeThread
from runtime.bridge.registry import BOUNDED_TYPES
from runtime.genesis import UNIT


def test_dispatch_info_adds_the_base_extrinsic_weight_and_blocks_store_their_weight(metadata: RuntimeMetadata) -> None:
    chain = SimChain(metadata, Runtime.dev())
    weights = metadata.constant_value("System", "BlockWeights")
    base_extrinsic = int(weights["per_class"]["normal"]["base_extrinsic"]["ref_time"])
    base_block = int(weights["base_block"]["ref_time"])
    call_weight = int(chain.rt.call_spec("Balances", "transfer_keep_alive").weight)
    with NodeThread(RpcHandler(chain)) as running:
        s = SubstrateInterface(url=running.url, type_registry=BOUNDED_TYPES)
        try:
            call = s.compose_call("Balances", "transfer_keep_alive", {"dest": Keypair.create_from_uri("//Bob").ss58_address, "value": UNIT})
            receipt = s.submit_extrinsic(s.create_signed_extrinsic(call, Keypair.create_from_uri("//Alice")), wait_for_inclusion=True)
            assert receipt.is_success
            info = {}
            for e in s.get_events(receipt.block_hash):
                if e.value["event_id"] == "ExtrinsicSuccess":
                    info[e.value["extrinsic_idx"]] = e.value["attributes"]["dispatch_info"]
            assert info[0]["weight"]["ref_time"] == base_extrinsic and info[0]["class"] == "Mandatory"  # the inherent is not 0
            assert info[1]["weight"]["ref_time"] == call_weight + base_extrinsic and info[1]["class"] == "Normal"
            stored = s.query("System", "BlockWeight", block_hash=receipt.block_hash).value
            assert stored["normal"]["ref_time"] == call_weight + base_extrinsic
            assert stored["mandatory"]["ref_time"] == base_block + base_extrinsic
            assert stored["operational"]["ref_time"] == 0
            # an empty block weighs its base and its inherent only
            s.rpc_request("dev_newBlock", [{}])
            empty = s.query("System", "BlockWeight").value
            assert empty["normal"]["ref_time"] == 0 and empty["mandatory"]["ref_time"] == base_block + base_extrinsic
            assert s.query("System", "BlockWeight", block_hash=receipt.block_hash).value == stored
        finally:
            s.close()
