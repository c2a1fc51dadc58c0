"""Who can pay, and what a heartbeat pays: the node's pool checks the fee as the testnet's
``ChargeTransactionPayment`` does, and ``Services.heartbeat`` carries the chain's dispatch info.

The fee (tip included) is withdrawn by ``CurrencyAdapter`` with ``KeepAlive`` in ``validate`` as well as
before dispatch, so ``TaggedTransactionQueue_validate_transaction`` answers ``Invalid(Payment)`` and
``author_submitExtrinsic`` 1010 for a signer who cannot pay it: one without the funds, one whose payment
would take its free balance below the existential deposit, one whose payment would dig into a frozen
amount (counted against the free balance alone). ``heartbeat`` is declared ``weight(10_000)`` (so it pays
before dispatch) and returns ``Pays::No`` only on success: a failed heartbeat pays its fee."""

from __future__ import annotations

from typing import Any

import pytest
from substrateinterface import Keypair

from runtime import Runtime
from runtime.accounts import DEV_ACCOUNTS
from runtime.bridge.metadata import RuntimeMetadata
from runtime.bridge.node.chain import PAYMENT_REFUSED, SimChain
from runtime.bridge.node.fees import payment_refusal
from runtime.bridge.node.rpc import RpcHandler, Session
from runtime.bridge.offline import OfflineSubstrate
from runtime.bridge.samples import operator_key, services_blueprint
from runtime.genesis import UNIT

ED = 10**10  # Balances.ExistentialDeposit on the testnet (and the simulator's)
PAYMENT = "0x010001"  # Err(TransactionValidityError::Invalid(InvalidTransaction::Payment))


class Node:
    """A manual-sealing node with an RPC handler, and signing for any keypair."""

    def __init__(self, metadata: RuntimeMetadata, sealing: str = "manual") -> None:
        self.chain = SimChain(metadata, Runtime.dev(), sealing=sealing)
        self.handler = RpcHandler(self.chain)
        self.session = Session()
        self.off = OfflineSubstrate(metadata, self.chain.genesis_hash, self.chain.rt.block_hash)

    def rpc(self, method: str, params: list[Any]) -> dict[str, Any]:
        return self.handler.handle(self.session, {"id": 1, "method": method, "params": params})

    def xt(self, key: Keypair, module: str, function: str, params: dict[str, Any], *, tip: int = 0) -> str:
        call = self.off.compose_call(module, function, params)
        xt = self.off.create_signed_extrinsic(call=call, keypair=key, nonce=self.chain.nonce(key.ss58_address), tip=tip)
        return "0x" + bytes(xt.data.data).hex()

    def remark(self, key: Keypair, *, tip: int = 0) -> str:
        return self.xt(key, "System", "remark", {"remark": "0x01"}, tip=tip)

    def fee(self, xt: str, module: str, function: str, tip: int = 0) -> int:
        return self.chain.fee_due(module, function, len(xt) // 2 - 1, tip)

    def validate(self, xt: str) -> str:
        return self.rpc("state_call", ["TaggedTransactionQueue_validate_transaction", "0x02" + xt[2:] + self.chain.head.hash[2:]])["result"]

    def set_account(self, who: str, free: int, reserved: int = 0, frozen: int = 0) -> None:
        """``dev_setStorage`` of ``System.Account`` at the head, as a client would set it (the nonce kept)."""
        data = {"free": str(free), "reserved": str(reserved), "frozen": str(frozen)}
        value = {"nonce": self.chain.nonce(who), "providers": 1, "consumers": 1 if reserved or frozen else 0, "data": data}
        out = self.rpc("dev_setStorage", [{"System": {"Account": [[[who], value]]}}])
        assert "error" not in out, out

    def free(self, who: str) -> int:
        return int(self.chain.rt.query("System", "Account", [who]).value["data"]["free"])


def events_of(block: Any, idx: int, name: str) -> list[dict[str, Any]]:
    return [e.attributes for e in block.events if e.extrinsic_idx == idx and e.qualified == name]


@pytest.fixture()
def node(metadata: RuntimeMetadata) -> Node:
    return Node(metadata)


def test_payment_refusal_follows_currency_withdraw_with_keep_alive() -> None:
    assert payment_refusal(free=100, frozen=0, existential_deposit=10, fee=0) is None  # a zero fee withdraws nothing
    assert payment_refusal(free=100, frozen=0, existential_deposit=10, fee=101) == "InsufficientBalance"
    assert payment_refusal(free=100, frozen=0, existential_deposit=10, fee=91) == "Expendability"  # would leave 9 < ED
    assert payment_refusal(free=100, frozen=0, existential_deposit=10, fee=90) is None  # leaves exactly the ED
    assert payment_refusal(free=100, frozen=0, existential_deposit=10, fee=100) == "Expendability"
    # an account already below the ED (kept alive by its reserve) may pay: KeepAlive only forbids killing it
    assert payment_refusal(free=8, frozen=0, existential_deposit=10, fee=5) is None
    # the frozen amount is held against the free balance alone, whatever is reserved
    assert payment_refusal(free=100, frozen=50, existential_deposit=10, fee=51) == "LiquidityRestrictions"
    assert payment_refusal(free=100, frozen=50, existential_deposit=10, fee=50) is None


def test_a_signer_without_funds_is_refused_by_validate_transaction_and_by_the_pool(node: Node) -> None:
    broke = Keypair.create_from_uri("//NoFunds")
    xt = node.remark(broke)
    assert node.validate(xt) == PAYMENT
    out = node.rpc("author_submitExtrinsic", [xt])
    assert out["error"] == {"code": 1010, "message": "Invalid Transaction", "data": PAYMENT_REFUSED}
    assert node.chain.pending() == []
    # a funded signer's transaction stays valid (priority > 0)
    ok = node.validate(node.remark(Keypair.create_from_uri("//Bob")))
    assert ok.startswith("0x00") and int.from_bytes(bytes.fromhex(ok[4:20]), "little") > 0


def test_a_fee_that_would_take_the_payer_below_the_existential_deposit_is_refused(node: Node) -> None:
    payer = Keypair.create_from_uri("//KeepAlive")
    who = payer.ss58_address
    tip = 3
    xt = node.remark(payer, tip=tip)
    fee = node.fee(xt, "System", "remark", tip)
    assert fee > tip  # the inclusion fee plus the tip
    node.set_account(who, fee + ED - 1)  # enough for the fee, not for the fee and the ED
    assert node.validate(xt) == PAYMENT
    assert node.rpc("author_submitExtrinsic", [xt])["error"]["data"] == PAYMENT_REFUSED
    node.set_account(who, fee + ED)
    assert node.validate(xt).startswith("0x00")
    assert node.rpc("author_submitExtrinsic", [xt])["result"].startswith("0x")
    block = node.chain.seal()
    (paid,) = events_of(block, 1, "TransactionPayment.TransactionFeePaid")
    assert paid == {"who": who, "actual_fee": fee, "tip": tip}
    assert node.free(who) == ED


def test_a_fee_may_not_dig_into_a_frozen_amount_however_much_is_reserved(node: Node) -> None:
    payer = Keypair.create_from_uri("//FrozenPayer")
    who = payer.ss58_address
    xt = node.remark(payer)
    fee = node.fee(xt, "System", "remark")
    frozen, reserved = 100 * UNIT, 60 * UNIT
    # after the fee, free would be 50 UNIT: above frozen - reserved (what the fungible traits keep back)
    # but below frozen, which the chain's Currency::withdraw keeps back from the free balance
    node.set_account(who, free=50 * UNIT + fee, reserved=reserved, frozen=frozen)
    assert node.validate(xt) == PAYMENT
    assert node.rpc("author_submitExtrinsic", [xt])["error"]["data"] == PAYMENT_REFUSED
    node.set_account(who, free=frozen + fee, reserved=reserved, frozen=frozen)
    assert node.validate(xt).startswith("0x00")
    node.rpc("author_submitExtrinsic", [xt])
    node.chain.seal()
    assert node.free(who) == frozen


# --- Services.heartbeat: declared weight(10_000), Pays::Yes; Pays::No on success only
@pytest.fixture()
def service(metadata: RuntimeMetadata) -> Node:
    """Instant sealing: Alice's blueprint, Bob a registered operator of Eve's service 0 (blueprint 0)."""
    node = Node(metadata, sealing="instant")
    keys = {n: Keypair.create_from_uri(f"//{n}") for n in ("Alice", "Bob", "Eve")}
    tnt = {"Custom": 0}
    steps = [
        ("Alice", "Services", "create_blueprint", {"blueprint": services_blueprint()}),
        ("Bob", "MultiAssetDelegation", "join_operators", {"bond_amount": 1_000 * UNIT}),
        ("Bob", "Services", "register", {"blueprint_id": 0, "preferences": {"key": operator_key("Bob"), "rpc_address": "https://bob.example:9944"},
                                         "registration_args": [], "value": 0}),
        ("Eve", "Services", "request", {"evm_origin": None, "blueprint_id": 0, "permitted_callers": [], "operators": [DEV_ACCOUNTS["Bob"]],
                                        "request_args": [], "asset_security_requirements": [{"asset": tnt, "min_exposure_percent": 10, "max_exposure_percent": 20}],
                                        "ttl": 100, "payment_asset": tnt, "value": 0, "membership_model": {"Fixed": {"min_operators": 1}}}),
        ("Bob", "Services", "approve", {"request_id": 0, "security_commitments": [{"asset": tnt, "exposure_percent": 10}]}),
    ]
    for who, module, function, params in steps:
        sub = node.chain.submit(node.xt(keys[who], module, function, params))
        assert sub.outcome == "ok", (function, sub.outcome)
    assert node.chain.rt.pallets["Services"].storage.Instances.contains(0)
    return node


def heartbeat(node: Node, *, service_id: int = 0, tip: int = 0) -> str:
    from pallets.services.crypto import dev_private_key, heartbeat_message, sign

    metrics = b"cpu=3"
    signature = sign(dev_private_key("Bob"), heartbeat_message(service_id, 0, node.chain.next_number, metrics))
    params = {"service_id": service_id, "blueprint_id": 0, "metrics_data": "0x" + metrics.hex(), "signature": "0x" + signature.hex()}
    return node.xt(Keypair.create_from_uri("//Bob"), "Services", "heartbeat", params, tip=tip)


def test_a_successful_heartbeat_is_refunded_its_fee_but_not_its_tip(service: Node) -> None:
    bob = DEV_ACCOUNTS["Bob"]
    xt = heartbeat(service, tip=5)
    fee = service.fee(xt, "Services", "heartbeat", 5)
    inclusion = service.chain.fee_model.inclusion_fee(10_000, len(xt) // 2 - 1).total
    assert fee == inclusion + 5
    quoted = service.rpc("payment_queryInfo", [xt])["result"]
    assert int(quoted["partialFee"]) == inclusion and quoted["weight"]["ref_time"] == 10_000  # quoted as declared: it pays
    before = service.free(bob)
    sub = service.chain.submit(xt)
    assert sub.outcome == "ok" and "Services.HeartbeatReceived" in sub.events
    block = service.chain.head
    (withdraw,) = events_of(block, 1, "Balances.Withdraw")
    assert withdraw == {"who": bob, "amount": fee}
    assert events_of(block, 1, "Balances.Deposit")[0] == {"who": bob, "amount": inclusion}  # the refund, after the call
    assert events_of(block, 1, "TransactionPayment.TransactionFeePaid") == [{"who": bob, "actual_fee": 5, "tip": 5}]
    (success,) = events_of(block, 1, "System.ExtrinsicSuccess")
    assert success["dispatch_info"]["pays_fee"] == "No"
    assert success["dispatch_info"]["weight"]["ref_time"] == 10_000 + service.chain.fee_model.base_extrinsic
    assert before - service.free(bob) == 5


def test_a_failed_heartbeat_pays_its_fee(service: Node) -> None:
    bob = DEV_ACCOUNTS["Bob"]
    xt = heartbeat(service, service_id=9)  # no such service: ServiceNotFound
    fee = service.fee(xt, "Services", "heartbeat")
    assert fee == service.chain.fee_model.inclusion_fee(10_000, len(xt) // 2 - 1).total > 0
    before = service.free(bob)
    sub = service.chain.submit(xt)
    assert sub.outcome.endswith("ServiceNotFound")
    block = service.chain.head
    assert events_of(block, 1, "TransactionPayment.TransactionFeePaid") == [{"who": bob, "actual_fee": fee, "tip": 0}]
    (failed,) = events_of(block, 1, "System.ExtrinsicFailed")
    assert failed["dispatch_info"]["pays_fee"] == "Yes"
    assert before - service.free(bob) == fee


def test_an_operator_who_cannot_pay_cannot_send_a_heartbeat(service: Node) -> None:
    bob = DEV_ACCOUNTS["Bob"]
    xt = heartbeat(service)
    account = service.chain.rt.query("System", "Account", [bob]).value["data"]
    # Bob's free balance just short of the fee above his frozen amount (it was fee-free in the simulator)
    service.set_account(bob, int(account["frozen"]) + service.fee(xt, "Services", "heartbeat") - 1, int(account["reserved"]), int(account["frozen"]))
    assert service.validate(xt) == PAYMENT
    assert service.rpc("author_submitExtrinsic", [xt])["error"]["data"] == PAYMENT_REFUSED
