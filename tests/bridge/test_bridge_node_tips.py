"""Tips and post-dispatch fee corrections, as pallet-transaction-payment's ChargeTransactionPayment does.

A signed extrinsic's tip is withdrawn with the inclusion fee, reported in ``TransactionFeePaid``
(``actual_fee`` includes it), raises the validity priority (``get_priority``: (tip + 1) x how many such
extrinsics fit a block) and so the place in the block; a call that returns ``Pays::No`` after dispatch
(the sudo key's Sudo calls) gets its inclusion fee back and reports ``pays_fee: No``."""

from __future__ import annotations

from typing import Any

import pytest
from substrateinterface import Keypair

from runtime import Runtime
from runtime.accounts import DEV_ACCOUNTS
from runtime.bridge.metadata import RuntimeMetadata
from runtime.bridge.node.chain import SimChain, Submission, pool_order
from runtime.bridge.node.fees import U64_MAX
from runtime.bridge.node.rpc import RpcHandler, Session
from runtime.bridge.offline import OfflineSubstrate

KEYS = {n: Keypair.create_from_uri(f"//{n}") for n in ("Alice", "Bob", "Charlie")}
TIP = 10**18


class Signer:
    def __init__(self, metadata: RuntimeMetadata, chain: SimChain) -> None:
        self.chain = chain
        self.off = OfflineSubstrate(metadata, chain.genesis_hash, chain.rt.block_hash)

    def xt(self, who: str, module: str, function: str, params: dict[str, Any], *, tip: int = 0, nonce: int | None = None) -> str:
        call = self.off.compose_call(module, function, params)
        n = self.chain.nonce(DEV_ACCOUNTS[who]) if nonce is None else nonce
        return "0x" + bytes(self.off.create_signed_extrinsic(call=call, keypair=KEYS[who], nonce=n, tip=tip).data.data).hex()

    def remark(self, who: str, *, tip: int = 0, nonce: int | None = None) -> str:
        return self.xt(who, "System", "remark", {"remark": "0x01"}, tip=tip, nonce=nonce)


def free(chain: SimChain, who: str) -> int:
    return int(chain.rt.query("System", "Account", [DEV_ACCOUNTS[who]]).value["data"]["free"])


def events_of(block: Any, idx: int, name: str) -> list[dict[str, Any]]:
    return [e.attributes for e in block.events if e.extrinsic_idx == idx and e.qualified == name]


@pytest.fixture()
def manual(metadata: RuntimeMetadata) -> tuple[SimChain, Signer]:
    chain = SimChain(metadata, Runtime.dev(), sealing="manual")
    return chain, Signer(metadata, chain)


def test_the_tip_is_charged_and_reported_on_top_of_the_inclusion_fee(manual: tuple[SimChain, Signer]) -> None:
    chain, sign = manual
    xt = sign.remark("Charlie", tip=TIP)
    inclusion = chain.fee_model.inclusion_fee(int(chain.rt.call_spec("System", "remark").weight), len(xt) // 2 - 1).total
    before = free(chain, "Charlie")
    chain.submit(xt)
    block = chain.seal()
    (paid,) = events_of(block, 1, "TransactionPayment.TransactionFeePaid")
    assert paid["tip"] == TIP and paid["actual_fee"] == inclusion + TIP
    assert before - free(chain, "Charlie") == inclusion + TIP
    (withdraw,) = [a for a in events_of(block, 1, "Balances.Withdraw")]
    assert withdraw["amount"] == inclusion + TIP


def test_priority_follows_get_priority_and_validate_transaction_reports_it(metadata: RuntimeMetadata, manual: tuple[SimChain, Signer]) -> None:
    chain, sign = manual
    fees = chain.fee_model
    weight = int(chain.rt.call_spec("System", "remark").weight)
    plain, tipped = sign.remark("Bob"), sign.remark("Bob", tip=10**6)
    per_block = min(fees.max_block // weight, fees.max_length_normal // (len(plain) // 2 - 1))
    assert fees.priority(weight, len(plain) // 2 - 1, 0) == per_block  # tip 0 still ranks: (0 + 1) x per block
    assert fees.priority(weight, len(tipped) // 2 - 1, 10**6) == (10**6 + 1) * min(fees.max_block // weight, fees.max_length_normal // (len(tipped) // 2 - 1))
    assert fees.priority(weight, 100, TIP) == U64_MAX  # saturates as TransactionPriority (u64)
    handler, session = RpcHandler(chain), Session()

    def priority(xt: str) -> int:
        raw = bytes.fromhex(xt[2:])
        out = handler.handle(session, {"id": 1, "method": "state_call", "params": ["TaggedTransactionQueue_validate_transaction", "0x02" + raw.hex() + chain.head.hash[2:]]})["result"]
        data = bytes.fromhex(out[2:])
        assert data[0] == 0  # Ok(ValidTransaction)
        return int.from_bytes(data[1:9], "little")

    assert priority(plain) == fees.priority(weight, len(plain) // 2 - 1, 0) > 0
    assert priority(tipped) > priority(plain)


def test_the_block_takes_the_higher_tip_first_then_fifo_and_keeps_nonce_order(manual: tuple[SimChain, Signer]) -> None:
    chain, sign = manual
    bob = chain.submit(sign.remark("Bob"))
    alice0 = chain.submit(sign.remark("Alice"))
    alice1 = chain.submit(sign.remark("Alice", tip=TIP))  # needs alice0 first (nonce order), however high its tip
    charlie = chain.submit(sign.remark("Charlie", tip=TIP // 2))
    block = chain.seal()
    order = [bytes.fromhex(x.hex()) for x in block.extrinsics[1:]]
    assert order == [charlie.raw, bob.raw, alice0.raw, alice1.raw]
    # the events follow the new positions: Charlie's fee at index 1, Alice's tipped remark last
    assert events_of(block, 1, "TransactionPayment.TransactionFeePaid")[0]["who"] == DEV_ACCOUNTS["Charlie"]
    assert events_of(block, 4, "TransactionPayment.TransactionFeePaid")[0]["tip"] == TIP
    assert [e.extrinsic_idx for e in block.events if e.qualified == "System.ExtrinsicSuccess"] == [0, 1, 2, 3, 4]
    assert chain.nonce(DEV_ACCOUNTS["Alice"]) == 2


def test_pool_order_is_priority_then_submission_order_within_nonce_dependencies() -> None:
    def sub(name: str, signer: str | None, nonce: int, priority: int) -> Submission:
        return Submission(name, 0, "ok", signer=signer, nonce=nonce, priority=priority)

    a0, a1, b0, c0, u = sub("a0", "A", 0, 1), sub("a1", "A", 1, 9), sub("b0", "B", 0, 5), sub("c0", "C", 0, 5), sub("u", None, 0, 0)
    assert [s.hash for s in pool_order([a0, a1, b0, c0, u])] == ["b0", "c0", "a0", "a1", "u"]


def test_a_transaction_the_new_order_makes_unpayable_is_left_out_and_reported_invalid(manual: tuple[SimChain, Signer]) -> None:
    chain, sign = manual
    handler = RpcHandler(chain)
    pushed: list[dict[str, Any]] = []
    session = Session(pushed.append)
    handler.sessions.append(session)
    temp = Keypair.create_from_uri("//TipTemp")
    # applied on arrival, TipTemp's tipped remark is paid from Bob's transfer just before it; in the
    # pool's order (higher tip first) it comes before the transfer and cannot pay: the block leaves it out
    chain.submit(sign.xt("Bob", "Balances", "transfer_keep_alive", {"dest": temp.ss58_address, "value": 10**18}))
    call = sign.off.compose_call("System", "remark", {"remark": "0x01"})
    tipped = "0x" + bytes(sign.off.create_signed_extrinsic(call=call, keypair=temp, nonce=0, tip=10**17).data.data).hex()
    sub_id = handler.handle(session, {"id": 1, "method": "author_submitAndWatchExtrinsic", "params": [tipped]})["result"]
    block = chain.seal()
    assert len(block.extrinsics) == 2  # the timestamp and Bob's transfer
    assert [m["params"]["result"] for m in pushed if m["params"]["subscription"] == sub_id] == ["ready", "invalid"]
    assert chain.nonce(temp.ss58_address) == 0
    assert int(chain.rt.query("System", "Account", [temp.ss58_address]).value["data"]["free"]) == 10**18


def test_sudo_by_the_key_is_refunded_its_fee_but_not_its_tip(manual: tuple[SimChain, Signer]) -> None:
    chain, sign = manual
    inner = sign.off.compose_call("Balances", "force_set_balance", {"who": DEV_ACCOUNTS["Eve"], "new_free": 10**20})
    before = free(chain, "Alice")
    chain.submit(sign.xt("Alice", "Sudo", "sudo", {"call": inner}, tip=7))
    block = chain.seal()
    (paid,) = events_of(block, 1, "TransactionPayment.TransactionFeePaid")
    assert paid == {"who": DEV_ACCOUNTS["Alice"], "actual_fee": 7, "tip": 7}
    (success,) = events_of(block, 1, "System.ExtrinsicSuccess")
    assert success["dispatch_info"]["pays_fee"] == "No"
    assert before - free(chain, "Alice") == 7
    withdraw, = events_of(block, 1, "Balances.Withdraw")
    deposits = events_of(block, 1, "Balances.Deposit")
    assert deposits[0] == {"who": DEV_ACCOUNTS["Alice"], "amount": withdraw["amount"] - 7}  # the refund, then the tip to the treasury
    assert deposits[1]["amount"] == 7


def test_sudo_by_another_account_fails_and_pays(manual: tuple[SimChain, Signer]) -> None:
    chain, sign = manual
    inner = sign.off.compose_call("System", "remark", {"remark": "0x"})
    before = free(chain, "Bob")
    chain.submit(sign.xt("Bob", "Sudo", "sudo", {"call": inner}))
    block = chain.seal()
    (paid,) = events_of(block, 1, "TransactionPayment.TransactionFeePaid")
    (failed,) = events_of(block, 1, "System.ExtrinsicFailed")
    assert failed["dispatch_info"]["pays_fee"] == "Yes" and paid["actual_fee"] > 0
    assert before - free(chain, "Bob") == paid["actual_fee"]


# --- the Finalized status of a watched extrinsic
def _watching(metadata: RuntimeMetadata) -> tuple[SimChain, RpcHandler, Session, list[dict[str, Any]], list[tuple[float, Any]], Signer]:
    chain = SimChain(metadata, Runtime.dev(), sealing="manual")
    scheduled: list[tuple[float, Any]] = []
    chain.scheduler = lambda delay, fn: scheduled.append((delay, fn))
    handler = RpcHandler(chain)
    pushed: list[dict[str, Any]] = []
    session = Session(pushed.append)
    handler.sessions.append(session)
    return chain, handler, session, pushed, scheduled, Signer(metadata, chain)


def _statuses(pushed: list[dict[str, Any]], sub_id: str) -> list[Any]:
    return [m["params"]["result"] for m in pushed if m["params"]["subscription"] == sub_id]


def test_finalized_status_comes_with_the_finalized_head_for_a_client_that_reads_no_events(metadata: RuntimeMetadata) -> None:
    chain, handler, session, pushed, scheduled, sign = _watching(metadata)
    sub_id = handler.handle(session, {"id": 1, "method": "author_submitAndWatchExtrinsic", "params": [sign.remark("Bob")]})["result"]
    block = chain.seal()
    chain.finalize(block.hash)
    assert _statuses(pushed, sub_id) == ["ready", {"inBlock": block.hash}, {"finalized": block.hash}]


def test_finalized_status_after_an_events_read_is_not_held_for_the_ten_second_fallback(metadata: RuntimeMetadata) -> None:
    from runtime.bridge.node import rpc

    chain, handler, session, pushed, scheduled, sign = _watching(metadata)
    events_key = "0x" + chain.state.events_key.hex()
    sub_id = handler.handle(session, {"id": 1, "method": "author_submitAndWatchExtrinsic", "params": [sign.remark("Bob")]})["result"]
    block = chain.seal()
    handler.handle(session, {"id": 2, "method": "state_getStorage", "params": [events_key, block.hash]})  # polkadot.js on InBlock
    scheduled.clear()
    chain.finalize(block.hash)
    # released AFTER_EVENTS_READ after the read at the latest, not FINALITY_HOLD after finality
    assert len(scheduled) == 1 and 0 < scheduled[0][0] <= rpc.AFTER_EVENTS_READ
    scheduled[0][1]()
    assert _statuses(pushed, sub_id)[-1] == {"finalized": block.hash}
    # a later transaction whose events this client has not read yet waits for the read, then goes
    sub2 = handler.handle(session, {"id": 3, "method": "author_submitAndWatchExtrinsic", "params": [sign.remark("Bob")]})["result"]
    block2 = chain.seal()
    scheduled.clear()
    chain.finalize(block2.hash)
    assert _statuses(pushed, sub2) == ["ready", {"inBlock": block2.hash}]
    handler.handle(session, {"id": 4, "method": "state_getStorage", "params": [events_key, block2.hash]})
    assert [d for d, _ in scheduled] == [rpc.FINALITY_HOLD, rpc.AFTER_EVENTS_READ]
    scheduled[1][1]()
    assert _statuses(pushed, sub2)[-1] == {"finalized": block2.hash}


def test_engine_create_block_without_finalize_leaves_finality_to_engine_finalize_block(metadata: RuntimeMetadata) -> None:
    chain, handler, session, pushed, scheduled, sign = _watching(metadata)
    created = handler.handle(session, {"id": 1, "method": "engine_createBlock", "params": [True, False, None]})["result"]["hash"]
    for _, fn in scheduled:  # the finality delay passes
        fn()
    assert chain.finalized.number == 0 and chain.head.hash == created
    assert handler.handle(session, {"id": 2, "method": "engine_finalizeBlock", "params": [created]})["result"] is True
    assert chain.finalized.hash == created
    finalized = handler.handle(session, {"id": 3, "method": "engine_createBlock", "params": [True, True, None]})["result"]["hash"]
    assert chain.finalized.hash == finalized
    bad = handler.handle(session, {"id": 4, "method": "engine_createBlock", "params": [True, "yes", None]})
    assert bad["error"]["code"] == -32602 and "finalize" in bad["error"]["message"]


def test_council_first_vote_and_disapproved_close_are_free_a_changed_vote_pays(manual: tuple[SimChain, Signer]) -> None:
    """pallet_collective: a member's first vote on a motion returns Pays::No, changing it pays; a close
    that disapproves returns Pays::No."""
    chain, sign = manual
    members = [DEV_ACCOUNTS[n] for n in ("Alice", "Bob", "Charlie")]
    chain.submit(sign.xt("Alice", "Sudo", "sudo", {"call": sign.off.compose_call("Council", "set_members", {"new_members": members, "prime": None, "old_count": 0})}))
    remark = sign.off.compose_call("System", "remark", {"remark": "0x01"})
    chain.submit(sign.xt("Alice", "Council", "propose", {"threshold": 3, "proposal": remark, "length_bound": 100}))
    block = chain.seal()
    (proposed,) = [e.attributes for e in block.events if e.qualified == "Council.Proposed"]
    motion = proposed["proposal_hash"]

    def outcome(xt: str) -> tuple[str, int]:
        chain.submit(xt)
        b = chain.seal()
        (paid,) = events_of(b, 1, "TransactionPayment.TransactionFeePaid")
        (done,) = [e.attributes for e in b.events if e.extrinsic_idx == 1 and e.qualified in ("System.ExtrinsicSuccess", "System.ExtrinsicFailed")]
        return done["dispatch_info"]["pays_fee"], paid["actual_fee"]

    assert outcome(sign.xt("Bob", "Council", "vote", {"proposal": motion, "index": 0, "approve": False})) == ("No", 0)
    pays, fee = outcome(sign.xt("Bob", "Council", "vote", {"proposal": motion, "index": 0, "approve": True}))  # a change
    assert pays == "Yes" and fee > 0
    assert outcome(sign.xt("Charlie", "Council", "vote", {"proposal": motion, "index": 0, "approve": False})) == ("No", 0)
    assert outcome(sign.xt("Alice", "Council", "vote", {"proposal": motion, "index": 0, "approve": False})) == ("No", 0)
    # 2 nays of 3 seats: threshold 3 unreachable, an early disapproval: free
    close = sign.xt("Bob", "Council", "close", {"proposal_hash": motion, "index": 0, "proposal_weight_bound": {"ref_time": 10**9, "proof_size": 0}, "length_bound": 100})
    assert outcome(close) == ("No", 0)


def _pool_order_by_rescan(subs: list[Submission]) -> list[Submission]:
    """The order's definition, one full rescan per pick (what pool_order computed before its heap)."""
    waiting, out = list(subs), []
    while waiting:
        blocked = {(s.signer, s.nonce + 1) for s in waiting if s.signer is not None}
        best = max((s for s in waiting if s.signer is None or (s.signer, s.nonce) not in blocked), key=lambda s: s.priority)
        out.append(best)
        waiting = [s for s in waiting if s is not best]
    return out


def test_pool_order_matches_its_definition_on_random_pools() -> None:
    """Random pools with nonce chains, gaps, duplicate nonces, unsigned transactions and equal
    priorities: the heap gives exactly the rescan's order."""
    import random

    rng = random.Random(7)
    for trial in range(300):
        subs = [Submission(f"t{trial}-{i}", 0, "ok", signer=rng.choice(["A", "B", "C", None]), nonce=rng.randint(0, 5), priority=rng.randint(0, 3))
                for i in range(rng.randint(0, 25))]
        assert [s.hash for s in pool_order(subs)] == [s.hash for s in _pool_order_by_rescan(subs)]
