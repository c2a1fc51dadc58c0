"""The fee multiplier: TargetedFeeAdjustment as the Tangle testnet runtime configures it.

Vectors: Tangle's parameters (target 25 %, v = 1/100 000, minimum 1/10^9) in the formula of
pallet-transaction-payment's ``TargetedFeeAdjustment::convert`` (FixedU128, rounding down):
an empty block moves the multiplier by -(v/4) + (v/4)^2/2, a full one by +(3v/4) + (3v/4)^2/2.
"""

from __future__ import annotations

from runtime import Runtime
from runtime.accounts import DEV_ACCOUNTS
from runtime.bridge.keys import storage_key
from runtime.bridge.metadata import RuntimeMetadata
from runtime.bridge.node.chain import SimChain
from runtime.bridge.node.fees import MINIMUM_MULTIPLIER, MULTIPLIER_ONE, next_multiplier
from runtime.bridge.node.rpc import RpcHandler, Session
from runtime.genesis import UNIT
from runtime.scale import compact

MAX_NORMAL = 1_500_000_000_000  # 75 % of Tangle's 2 s block


def test_targeted_fee_adjustment_vectors() -> None:
    assert next_multiplier(MULTIPLIER_ONE, 0, MAX_NORMAL) == 999_997_500_003_125_000
    assert next_multiplier(MULTIPLIER_ONE, MAX_NORMAL, MAX_NORMAL) == 1_000_007_500_028_125_000
    assert next_multiplier(MULTIPLIER_ONE, MAX_NORMAL // 4, MAX_NORMAL) == MULTIPLIER_ONE  # on target: unchanged
    assert next_multiplier(MULTIPLIER_ONE, 10 * MAX_NORMAL, MAX_NORMAL) == next_multiplier(MULTIPLIER_ONE, MAX_NORMAL, MAX_NORMAL)  # capped
    assert next_multiplier(MINIMUM_MULTIPLIER, 0, MAX_NORMAL) == MINIMUM_MULTIPLIER  # floor
    assert next_multiplier(0, 0, MAX_NORMAL) == MINIMUM_MULTIPLIER


def test_the_node_moves_the_multiplier_every_block_and_charges_with_it(metadata: RuntimeMetadata) -> None:
    from substrateinterface import Keypair

    from runtime.bridge.offline import OfflineSubstrate

    chain = SimChain(metadata, Runtime.dev(), sealing="manual")
    handler, session = RpcHandler(chain), Session()
    tp = metadata.pallets["TransactionPayment"]
    key = "0x" + storage_key(metadata, tp.storage_prefix, tp.storage["NextFeeMultiplier"], []).hex()

    def stored(at: str | None = None) -> int:
        raw = handler.handle(session, {"id": 1, "method": "state_getStorage", "params": [key, at]})["result"]
        return int.from_bytes(bytes.fromhex(raw[2:]), "little")

    start = chain.head
    empty = chain.seal()
    assert empty.fee_multiplier == next_multiplier(start.fee_multiplier, 0, chain.fee_model.max_normal) < start.fee_multiplier
    offline = OfflineSubstrate(metadata, chain.genesis_hash, chain.rt.block_hash)
    call = offline.compose_call("Balances", "transfer_keep_alive", {"dest": DEV_ACCOUNTS["Bob"], "value": UNIT})
    xt = offline.sign(call, Keypair.create_from_uri("//Alice"), nonce=0).data.to_hex()
    quoted = int(handler.handle(session, {"id": 2, "method": "payment_queryInfo", "params": [xt]})["result"]["partialFee"])
    chain.submit(xt)
    full = chain.seal()
    weight = chain.fee_model.block_weight(int(chain.rt.call_spec("Balances", "transfer_keep_alive").weight))
    assert full.fee_multiplier == next_multiplier(empty.fee_multiplier, weight, chain.fee_model.max_normal)
    paid = [e for e in full.events if e.qualified == "TransactionPayment.TransactionFeePaid"][0].attributes["actual_fee"]
    assert paid == quoted  # quoted and charged under the multiplier the empty block left
    # storage and fee quotes at an older block use that block's multiplier
    assert (stored(start.hash), stored(empty.hash), stored()) == (start.fee_multiplier, empty.fee_multiplier, full.fee_multiplier)
    raw = bytes.fromhex(xt[2:])

    def adjusted_weight_fee(at: str) -> int:
        params = ["TransactionPaymentApi_query_fee_details", "0x" + (raw + len(raw).to_bytes(4, "little")).hex(), at]
        out = bytes.fromhex(handler.handle(session, {"id": 3, "method": "state_call", "params": params})["result"][2:])
        assert out[0] == 1  # Some(InclusionFee)
        return int.from_bytes(out[33:49], "little")

    call_weight = int(chain.rt.call_spec("Balances", "transfer_keep_alive").weight)
    for block in (start, full):
        assert adjusted_weight_fee(block.hash) == block.fee_multiplier * call_weight // MULTIPLIER_ONE
    assert adjusted_weight_fee(start.hash) != adjusted_weight_fee(full.hash)
    weight_to_fee = handler.handle(session, {"id": 4, "method": "state_call", "params": ["TransactionPaymentApi_query_weight_to_fee", "0x" + (compact(10**12) + compact(0)).hex()]})["result"]
    assert int.from_bytes(bytes.fromhex(weight_to_fee[2:]), "little") == 10**12  # IdentityFee: no multiplier
    chain.set_head(empty.hash)
    assert chain.fee_model.multiplier == empty.fee_multiplier
