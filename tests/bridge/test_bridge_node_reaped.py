"""A reaped account through the node: its ``System.Account`` entry is gone (raw ``null``), its nonce is 0
again (``system_accountNextIndex``), and a transaction signed with nonce 0 is accepted, as on chain."""

from __future__ import annotations

from substrateinterface import Keypair

from runtime import Runtime
from runtime.accounts import DEV_ACCOUNTS
from runtime.bridge.keys import storage_key
from runtime.bridge.metadata import RuntimeMetadata
from runtime.bridge.node.chain import SimChain
from runtime.bridge.node.rpc import RpcHandler, Session
from runtime.bridge.offline import OfflineSubstrate


def test_a_reaped_account_reads_as_absent_and_signs_again_from_nonce_zero(metadata: RuntimeMetadata) -> None:
    chain = SimChain(metadata, Runtime.dev())
    handler, session = RpcHandler(chain), Session()
    off = OfflineSubstrate(metadata, chain.genesis_hash, chain.rt.block_hash)
    temp = Keypair.create_from_uri("//TempReapNode")
    alice = Keypair.create_from_uri("//Alice")

    def send(pair: Keypair, module: str, function: str, params: dict, nonce: int) -> None:
        call = off.compose_call(module, function, params)
        chain.submit("0x" + bytes(off.create_signed_extrinsic(call=call, keypair=pair, nonce=nonce).data.data).hex())

    def rpc(method: str, params: list) -> object:
        return handler.handle(session, {"id": 1, "method": method, "params": params})["result"]

    key = "0x" + storage_key(metadata, metadata.pallets["System"].storage_prefix, metadata.pallets["System"].storage["Account"], [temp.ss58_address]).hex()
    send(alice, "Balances", "transfer_keep_alive", {"dest": temp.ss58_address, "value": 10**18}, chain.nonce(DEV_ACCOUNTS["Alice"]))
    send(temp, "System", "remark", {"remark": "0x"}, 0)
    assert rpc("system_accountNextIndex", [temp.ss58_address]) == 1
    send(temp, "Balances", "transfer_all", {"dest": DEV_ACCOUNTS["Bob"], "keep_alive": False}, 1)
    assert any(e.qualified == "System.KilledAccount" for e in chain.head.events)
    assert rpc("state_getStorage", [key]) is None
    assert rpc("system_accountNextIndex", [temp.ss58_address]) == 0
    # nonce 0 again: accepted (before, the pool answered "Transaction is outdated")
    send(alice, "Balances", "transfer_keep_alive", {"dest": temp.ss58_address, "value": 10**18}, chain.nonce(DEV_ACCOUNTS["Alice"]))
    send(temp, "System", "remark", {"remark": "0x"}, 0)
    assert rpc("system_accountNextIndex", [temp.ss58_address]) == 1
