"""pallet_multisig: the behaviour upstream's multisig/src/tests.rs pins (stable2407)."""

from __future__ import annotations

import pytest

from runtime import DispatchError, Runtime
from runtime.accounts import DEV_ACCOUNTS, account_bytes
from pallets.multisig import multi_account_id
from pallets.primitives.dispatch import hash_of_call
from tests.utility.gov_helpers import UNIT, c, free, names, remark, transfer

A, B, C = (DEV_ACCOUNTS[n] for n in ("Alice", "Bob", "Charlie"))
SIGS = tuple(sorted((A, B, C), key=account_bytes))
BASE, FACTOR = 10_088 * UNIT // 1000, 32 * UNIT // 1000
W = {"ref_time": 10**12, "proof_size": 10**6}


def others(who: str) -> list[str]:
    return [s for s in SIGS if s != who]


def reserved(rt: Runtime, who: str) -> int:
    return rt.pallets["Balances"].reserved_balance(who)


def fails(rt: Runtime, error: str, origin: str, fn: str, **args: object) -> None:
    root, n = rt.state_root(), len(rt.events)
    with pytest.raises(DispatchError) as exc:
        rt.dispatch(origin, "Multisig", fn, args)
    assert exc.value.qualified_name == error
    assert rt.state_root() == root and len(rt.events) == n


def as_multi(rt: Runtime, who: str, call: dict, tp: dict | None = None, threshold: int = 2, weight: dict = W):
    return rt.dispatch(who, "Multisig", "as_multi", {"threshold": threshold, "other_signatories": others(who), "maybe_timepoint": tp, "call": call, "max_weight": weight})


def approve(rt: Runtime, who: str, h: bytes, tp: dict | None = None, threshold: int = 2):
    return rt.dispatch(who, "Multisig", "approve_as_multi", {"threshold": threshold, "other_signatories": others(who), "maybe_timepoint": tp, "call_hash": "0x" + h.hex(), "max_weight": W})


@pytest.fixture
def ms(rt: Runtime) -> str:
    """The 2-of-3 multisig of Alice, Bob and Charlie, funded."""
    account = multi_account_id(SIGS, 2)
    rt.dispatch("Ferdie", "Balances", "transfer_keep_alive", {"dest": account, "value": 100 * UNIT})
    return account


def tp_of(receipt) -> dict:
    return {"height": receipt.block_number, "index": receipt.extrinsic_idx}


def test_multisig_deposit_is_taken_and_returned(rt: Runtime, ms: str) -> None:
    call = transfer("Dave", 15 * UNIT)
    r = as_multi(rt, A, call)
    assert r.triggered_events[-1].matches("NewMultisig", approving=A, multisig=ms, call_hash=hash_of_call(call))
    assert reserved(rt, A) == BASE + 2 * FACTOR
    before = free(rt, "Dave")
    r2 = as_multi(rt, B, call, tp_of(r))
    ev = r2.triggered_events[-1]
    assert ev.name == "Multisig.MultisigExecuted" and ev["result"] is None and ev["approving"] == B
    assert reserved(rt, A) == 0 and free(rt, "Dave") == before + 15 * UNIT and rt.free_balance(ms) == 85 * UNIT
    assert rt.query_map("Multisig", "Multisigs") == []


def test_cancel_multisig_returns_deposit_and_checks_owner(rt: Runtime, ms: str) -> None:
    call = transfer("Dave", UNIT)
    h = hash_of_call(call)
    r = approve(rt, A, h, threshold=3)
    approve(rt, B, h, tp_of(r), threshold=3)
    assert reserved(rt, A) == BASE + 3 * FACTOR
    args = {"threshold": 3, "other_signatories": others(B), "timepoint": tp_of(r), "call_hash": "0x" + h.hex()}
    fails(rt, "Multisig.NotOwner", B, "cancel_as_multi", **args)
    fails(rt, "Multisig.WrongTimepoint", A, "cancel_as_multi", **{**args, "other_signatories": others(A), "timepoint": {"height": 99, "index": 0}})
    fails(rt, "Multisig.NotFound", A, "cancel_as_multi", **{**args, "other_signatories": others(A), "call_hash": "0x" + "00" * 32})
    r3 = rt.dispatch(A, "Multisig", "cancel_as_multi", {**args, "other_signatories": others(A)})
    assert r3.triggered_events[-1].name == "Multisig.MultisigCancelled" and reserved(rt, A) == 0


def test_timepoint_checking_works(rt: Runtime, ms: str) -> None:
    h = hash_of_call(transfer("Dave", UNIT))
    fails(rt, "Multisig.UnexpectedTimepoint", A, "approve_as_multi", threshold=2, other_signatories=others(A), maybe_timepoint={"height": 1, "index": 0}, call_hash="0x" + h.hex(), max_weight=W)
    approve(rt, A, h)
    fails(rt, "Multisig.NoTimepoint", B, "as_multi", threshold=2, other_signatories=others(B), maybe_timepoint=None, call=transfer("Dave", UNIT), max_weight=W)
    fails(rt, "Multisig.WrongTimepoint", B, "as_multi", threshold=2, other_signatories=others(B), maybe_timepoint={"height": 1, "index": 5}, call=transfer("Dave", UNIT), max_weight=W)


def test_multisig_2_of_3_works_with_a_hash_first(rt: Runtime, ms: str) -> None:
    call = transfer("Dave", 15 * UNIT)
    r = approve(rt, A, hash_of_call(call))
    before = free(rt, "Dave")
    r2 = as_multi(rt, B, call, tp_of(r))
    assert r2.triggered_events[-1]["result"] is None and free(rt, "Dave") == before + 15 * UNIT


def test_multisig_3_of_3_works(rt: Runtime) -> None:
    ms3 = multi_account_id(SIGS, 3)
    rt.dispatch("Ferdie", "Balances", "transfer_keep_alive", {"dest": ms3, "value": 100 * UNIT})
    call = transfer("Dave", 15 * UNIT)
    h = hash_of_call(call)
    r = approve(rt, A, h, threshold=3)
    r2 = approve(rt, B, h, tp_of(r), threshold=3)
    assert r2.triggered_events[-1].name == "Multisig.MultisigApproval"
    assert rt.query("Multisig", "Multisigs", [ms3, "0x" + h.hex()]).raw.approvals == tuple(sorted((A, B), key=account_bytes))
    before = free(rt, "Dave")
    as_multi(rt, C, call, tp_of(r), threshold=3)
    assert free(rt, "Dave") == before + 15 * UNIT


def test_an_approver_may_execute_once_others_approved(rt: Runtime, ms: str) -> None:
    call = transfer("Dave", UNIT)
    r = approve(rt, A, hash_of_call(call))
    approve(rt, B, hash_of_call(call), tp_of(r))
    fails(rt, "Multisig.AlreadyApproved", A, "approve_as_multi", threshold=2, other_signatories=others(A), maybe_timepoint=tp_of(r), call_hash="0x" + hash_of_call(call).hex(), max_weight=W)
    r3 = as_multi(rt, A, call, tp_of(r))
    assert r3.triggered_events[-1].name == "Multisig.MultisigExecuted"


def test_multisig_2_of_3_cannot_reissue_same_call(rt: Runtime, ms: str) -> None:
    call = transfer("Dave", 10 * UNIT)
    r = as_multi(rt, A, call)
    as_multi(rt, B, call, tp_of(r))
    before = free(rt, "Dave")
    r2 = as_multi(rt, A, call)  # a new operation, not a re-execution
    assert r2.triggered_events[-1].name == "Multisig.NewMultisig" and free(rt, "Dave") == before


def test_failed_inner_call_is_reported_and_rolled_back(rt: Runtime, ms: str) -> None:
    call = transfer("Dave", 10**25)
    r = as_multi(rt, A, call)
    r2 = as_multi(rt, B, call, tp_of(r))
    assert r2.is_success and r2.triggered_events[-1]["result"] == "Token.FundsUnavailable"
    assert reserved(rt, A) == 0  # the operation is over, deposit back


def test_multisig_1_of_3_works(rt: Runtime) -> None:
    fails(rt, "Multisig.MinimumThreshold", A, "approve_as_multi", threshold=1, other_signatories=others(A), maybe_timepoint=None, call_hash="0x" + "00" * 32, max_weight=W)
    fails(rt, "Multisig.MinimumThreshold", A, "as_multi", threshold=1, other_signatories=others(A), maybe_timepoint=None, call=remark(), max_weight=W)
    ms1 = multi_account_id(SIGS, 1)
    rt.dispatch("Ferdie", "Balances", "transfer_keep_alive", {"dest": ms1, "value": 100 * UNIT})
    before = free(rt, "Dave")
    rt.dispatch(B, "Multisig", "as_multi_threshold_1", {"other_signatories": others(B), "call": transfer("Dave", 15 * UNIT)})
    assert free(rt, "Dave") == before + 15 * UNIT
    # the inner error is the extrinsic's error
    fails(rt, "Token.FundsUnavailable", C, "as_multi_threshold_1", other_signatories=others(C), call=transfer("Dave", 10**25))


def test_signatory_checks(rt: Runtime) -> None:
    fails(rt, "Multisig.TooFewSignatories", A, "as_multi_threshold_1", other_signatories=[], call=remark())
    fails(rt, "Multisig.SignatoriesOutOfOrder", A, "as_multi_threshold_1", other_signatories=list(reversed(others(A))), call=remark())
    fails(rt, "Multisig.SenderInSignatories", A, "as_multi_threshold_1", other_signatories=sorted([A, B], key=account_bytes), call=remark())
    many = sorted((rt.account(f"//S{i}") for i in range(100)), key=account_bytes)
    fails(rt, "Multisig.TooManySignatories", A, "as_multi", threshold=2, other_signatories=many, maybe_timepoint=None, call=remark(), max_weight=W)


def test_weight_check_works(rt: Runtime, ms: str) -> None:
    call = transfer("Dave", UNIT)
    r = as_multi(rt, A, call)
    fails(rt, "Multisig.MaxWeightTooLow", B, "as_multi", threshold=2, other_signatories=others(B), maybe_timepoint=tp_of(r), call=call, max_weight={"ref_time": 0, "proof_size": 0})


def test_proxy_in_multisig_keeps_batch_all_atomic(rt: Runtime, ms: str) -> None:
    """A multisig drives Eve's account through Proxy.proxy; the batch_all it carries fails as one."""
    rt.dispatch("Eve", "Proxy", "add_proxy", {"delegate": ms, "proxy_type": "Any", "delay": 0})
    before = free(rt, "Dave"), free(rt, "Eve")
    inner = c("Proxy", "proxy", real="Eve", force_proxy_type=None, call=c("Utility", "batch_all", calls=[transfer("Dave", UNIT), transfer("Dave", 10**30)]))
    r = as_multi(rt, A, inner)
    r2 = as_multi(rt, B, inner, tp_of(r))
    evs = r2.triggered_events
    assert any(e.matches("ProxyExecuted", result="Token.FundsUnavailable") for e in evs)
    assert evs[-1].matches("MultisigExecuted", result=None)
    assert "Balances.Transfer" not in names(evs) and (free(rt, "Dave"), free(rt, "Eve")) == before
    # and the batch's own items go through when all succeed
    ok = c("Proxy", "proxy", real="Eve", force_proxy_type=None, call=c("Utility", "batch_all", calls=[transfer("Dave", UNIT), transfer("Dave", UNIT)]))
    r = as_multi(rt, A, ok)
    as_multi(rt, B, ok, tp_of(r))
    assert free(rt, "Dave") == before[0] + 2 * UNIT
