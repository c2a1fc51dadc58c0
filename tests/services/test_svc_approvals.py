"""approve and reject (asset_security.rs, payments.rs refunds) with every error; real vs intended rejection."""

from __future__ import annotations

from runtime.accounts import evm_to_account
from svc_helpers import (
    BOB, CHARLIE, DAVE, EVE, SVC, TNT, UNIT, USDC, USDC_ID, WETH, approve, commitment, create_blueprint, deploy, fails,
    join_and_register, join_operator, mad, make_rt, names, register, request, requirement, scripted, storage, svc,
)

from pallets.services import DEFAULT_MBSM_ADDRESS


def _ready(profile: str = "intended", ops=("Bob", "Charlie", "Dave"), **kw):  # type: ignore[no-untyped-def]
    rt = make_rt(profile, **kw)
    create_blueprint(rt)
    for op in ops:
        join_and_register(rt, op)
    return rt


def test_security_commitment_validation() -> None:
    rt = _ready()
    rid = request(rt, "Eve", ["Bob", "Charlie"], requirements=[requirement(TNT, 10, 20), requirement(WETH, 10, 20)])
    fails(rt, "CommitmentBelowMinimum", "Bob", "approve", request_id=rid, security_commitments=[commitment(TNT, 5), commitment(WETH, 10)])
    fails(rt, "CommitmentAboveMaximum", "Bob", "approve", request_id=rid, security_commitments=[commitment(TNT, 10), commitment(WETH, 30)])
    fails(rt, "MissingAssetCommitment", "Bob", "approve", request_id=rid, security_commitments=[commitment(TNT, 10)])
    fails(rt, "MissingAssetCommitment", "Dave", "approve", request_id=rid, security_commitments=[commitment(TNT, 10)])  # even unlisted
    fails(rt, "UnexpectedAssetCommitment", "Bob", "approve", request_id=rid,
          security_commitments=[commitment(TNT, 10), commitment(WETH, 10), commitment(USDC, 10)])
    fails(rt, "AssetNotFound", "Bob", "approve", request_id=rid, security_commitments=[commitment({"Custom": 42}, 10)])
    fails(rt, "InvalidErc20Address", "Bob", "approve", request_id=rid, security_commitments=[commitment({"Erc20": "0x" + "00" * 20}, 10)])
    fails(rt, "InvalidSecurityCommitments", "Bob", "approve", request_id=rid, security_commitments=[commitment(WETH, 10), commitment(TNT, 10)])
    fails(rt, "ApprovalNotRequested", "Dave", "approve", request_id=rid, security_commitments=[commitment(TNT, 10), commitment(WETH, 10)])
    fails(rt, "ServiceRequestNotFound", "Bob", "approve", request_id=99, security_commitments=[])
    fails(rt, "OperatorNotActive", "Eve", "approve", request_id=rid, security_commitments=[])
    approve(rt, "Bob", rid)


def test_no_operator_stake() -> None:
    rt = make_rt()
    create_blueprint(rt)
    mad(rt, "Bob", "join_operators", bond_amount=1_000 * UNIT)  # no WETH delegated to Bob
    register(rt, "Bob")
    rid = request(rt, "Eve", ["Bob"])
    fails(rt, "NoOperatorStake", "Bob", "approve", request_id=rid, security_commitments=[commitment(TNT, 10), commitment(WETH, 10)])


def test_approval_by_unregistered_operator() -> None:
    rt = _ready(ops=("Bob", "Charlie"))
    rid = request(rt, "Eve", ["Bob", "Charlie"])
    svc(rt, "Charlie", "unregister", blueprint_id=0)  # pending requests are not touched
    fails(rt, "NotRegistered", "Charlie", "approve", request_id=rid, security_commitments=[commitment(TNT, 10), commitment(WETH, 10)])


def test_exposure_calculations_three_assets() -> None:
    rt = _ready()
    reqs = [requirement(TNT, 10, 50), requirement(WETH, 10, 50), requirement(USDC, 10, 50)]
    rid = request(rt, "Eve", ["Bob", "Charlie", "Dave"], requirements=reqs)
    for op, pct in (("Bob", 10), ("Charlie", 30), ("Dave", 50)):
        approve(rt, op, rid, [commitment(TNT, pct), commitment(WETH, pct), commitment(USDC, pct)])
    svc_ = storage(rt).Instances.get(0)
    assert [c[1][2].exposure_percent for c in svc_.operator_security_commitments] == [10, 30, 50]


def test_approve_hooks() -> None:
    rt = _ready(ops=("Bob",))
    m = scripted(rt)
    create_blueprint(rt)  # blueprint 1 uses the scripted manager (blueprint 0 the default one)
    register(rt, "Bob", blueprint_id=1)
    rid = request(rt, "Eve", ["Bob"], blueprint_id=1)
    for hook, err in (("on_approve", "ApprovalInterrupted"), ("on_service_initialized", "ServiceInitializationInterrupted")):
        m.refuse = {hook}
        fails(rt, err, "Bob", "approve", request_id=rid, security_commitments=[commitment(TNT, 10), commitment(WETH, 10)])
    for hook, err in (("on_approve", "OnApproveFailure"), ("on_service_initialized", "OnServiceInitHook")):
        m.refuse, m.fail = set(), {hook}
        fails(rt, err, "Bob", "approve", request_id=rid, security_commitments=[commitment(TNT, 10), commitment(WETH, 10)])
    m.fail = set()
    approve(rt, "Bob", rid)
    assert [c[0] for c in m.calls[-2:]] == ["on_approve", "on_service_initialized"]
    assert m.calls[-2][1][3:] == (rid, 0)  # request id, restaking percent 0


def test_dynamic_request_starts_at_min_and_drops_pending() -> None:
    rt = _ready()
    rid = request(rt, "Eve", ["Bob", "Charlie", "Dave"], model={"Dynamic": {"min_operators": 2, "max_operators": None}})
    approve(rt, "Bob", rid)
    r = approve(rt, "Dave", rid)
    assert "ServiceInitiated" in names(r)
    assert storage(rt).Instances.get(0).operators() == (BOB, DAVE)
    assert 0 not in storage(rt).OperatorsProfile.get(CHARLIE).services
    fails(rt, "ServiceRequestNotFound", "Charlie", "approve", request_id=rid, security_commitments=[commitment(TNT, 10), commitment(WETH, 10)])


def test_max_services_per_user() -> None:
    rt = _ready(ops=("Bob",), constants={"Services": {"MaxServicesPerUser": 1}})
    deploy(rt)
    rid = request(rt, "Eve", ["Bob"])
    fails(rt, "MaxServicesPerUserExceeded", "Bob", "approve", request_id=rid, security_commitments=[commitment(TNT, 10), commitment(WETH, 10)])


def test_full_operator_profile_real_vs_intended() -> None:
    for profile, error in (("intended", "MaxServicesPerOperatorExceeded"), ("real", "NotRegistered")):
        rt = _ready(profile, ops=("Bob",), constants={"Services": {"MaxServicesPerOperator": 1}})
        deploy(rt)
        rid = request(rt, "Eve", ["Bob"])
        fails(rt, error, "Bob", "approve", request_id=rid, security_commitments=[commitment(TNT, 10), commitment(WETH, 10)])


# ------------------------------------------------------------------ reject
def test_reject_and_its_errors() -> None:
    rt = _ready(ops=("Bob", "Charlie"))
    m = scripted(rt)
    create_blueprint(rt)
    for op in ("Bob", "Charlie"):
        register(rt, op, blueprint_id=1)
    rid = request(rt, "Eve", ["Bob", "Charlie"], blueprint_id=1, model={"Dynamic": {"min_operators": 1, "max_operators": None}})
    fails(rt, "ServiceRequestNotFound", "Bob", "reject", request_id=99)
    fails(rt, "ApprovalNotRequested", "Dave", "reject", request_id=rid)
    m.refuse = {"on_reject"}
    fails(rt, "RejectionInterrupted", "Bob", "reject", request_id=rid)
    m.refuse, m.fail = set(), {"on_reject"}
    fails(rt, "OnRejectFailure", "Bob", "reject", request_id=rid)
    m.fail = set()
    r = svc(rt, "Bob", "reject", request_id=rid)
    assert r.triggered_events[0].attributes == {"operator": BOB, "request_id": rid, "blueprint_id": 1}
    fails(rt, "ApprovalNotRequested", "Bob", "reject", request_id=rid)  # a second rejection
    svc(rt, "Charlie", "unregister", blueprint_id=1)
    fails(rt, "NotRegistered", "Charlie", "reject", request_id=rid)


def _refund_case(profile: str, asset: dict, value: int):  # type: ignore[no-untyped-def]
    rt = _ready(profile, ops=("Bob", "Charlie"))
    rid = request(rt, "Eve", ["Bob", "Charlie"], value=value, asset=asset)
    return rt, rid


def test_reject_refunds_native_and_custom_payments() -> None:
    for asset, value, balance in ((TNT, 2 * UNIT, lambda rt: rt.free_balance(EVE)),
                                  (USDC, 7 * 10**6, lambda rt: rt.pallets["Assets"].fungibles.balance(USDC_ID, EVE))):
        rt = _ready(ops=("Bob", "Charlie"))
        before = balance(rt)
        rid = request(rt, "Eve", ["Bob", "Charlie"], value=value, asset=asset)  # Fixed{2}: one rejection makes it impossible
        assert balance(rt) == before - value
        r = svc(rt, "Bob", "reject", request_id=rid)
        assert names(r) == ["ServiceRequestRejected", "ServiceRequestClosed"] and r.triggered_events[-1]["refunded"] == value
        assert balance(rt) == before and not storage(rt).ServiceRequests.contains(rid)
        fails(rt, "ServiceRequestNotFound", "Charlie", "reject", request_id=rid)


def test_reject_refunds_erc20_payment() -> None:
    rt = _ready(ops=("Bob",))
    token_addr, payer_evm = "0x" + "a0" * 20, "0x" + "77" * 20
    token = rt.pallets[SVC].register_erc20(token_addr)
    token.mint(payer_evm, 1_000)
    rid = request(rt, evm_to_account(payer_evm), ["Bob"], value=300, asset={"Erc20": token_addr}, evm_origin=payer_evm)
    svc(rt, "Bob", "reject", request_id=rid)
    assert token.balance_of(payer_evm) == 1_000


def test_intended_rejection_is_final_but_payment_kept_while_startable() -> None:
    rt = _ready()
    rid = request(rt, "Eve", ["Bob", "Charlie", "Dave"], value=2 * UNIT, model={"Dynamic": {"min_operators": 2, "max_operators": None}})
    approve(rt, "Bob", rid)
    fails(rt, "ApprovalNotRequested", "Bob", "reject", request_id=rid)  # approved operators cannot withdraw (intended)
    r = svc(rt, "Charlie", "reject", request_id=rid)
    assert names(r) == ["ServiceRequestRejected"] and storage(rt).StagingServicePayments.contains(rid)  # Bob + Dave can still start it
    fails(rt, "ApprovalNotRequested", "Charlie", "approve", request_id=rid, security_commitments=[commitment(TNT, 10), commitment(WETH, 10)])
    approve(rt, "Dave", rid)
    assert rt.free_balance(evm_to_account(DEFAULT_MBSM_ADDRESS)) == 2 * UNIT  # the started service was paid


def test_real_rejection_quirks() -> None:
    rt = _ready("real")
    before = rt.free_balance(EVE)
    rid = request(rt, "Eve", ["Bob", "Charlie"], value=2 * UNIT)
    approve(rt, "Bob", rid)
    r = svc(rt, "Bob", "reject", request_id=rid)  # an approved operator may reject
    assert names(r) == ["ServiceRequestRejected"] and rt.free_balance(EVE) == before  # first rejection refunds
    assert storage(rt).ServiceRequests.contains(rid)  # the request stays
    approve(rt, "Bob", rid)  # and the rejecter may approve again
    r = approve(rt, "Charlie", rid)
    assert "ServiceInitiated" in names(r)
    assert rt.free_balance(evm_to_account(DEFAULT_MBSM_ADDRESS)) == 0  # started without the refunded payment
    assert storage(rt).Instances.get(0).operators() == (BOB, CHARLIE)
    assert DAVE not in storage(rt).Instances.get(0).operators()


def test_reapproval_overwrites_commitments() -> None:
    rt = _ready(ops=("Bob", "Charlie"))
    rid = request(rt, "Eve", ["Bob", "Charlie"], requirements=[requirement(TNT, 10, 20), requirement(WETH, 10, 20)])
    approve(rt, "Bob", rid, [commitment(TNT, 10), commitment(WETH, 10)])
    approve(rt, "Bob", rid, [commitment(TNT, 20), commitment(WETH, 20)])
    state = storage(rt).ServiceRequests.get(rid).state_of(BOB)
    assert [c.exposure_percent for c in state.value.security_commitments] == [20, 20]
    join_operator(rt, "Dave")


def test_refund_target_must_match_the_asset() -> None:
    """ExpectedAccountId / ExpectedEVMAddress: a staged payment whose refund target does not fit its asset
    (not producible through the calls; written to storage directly, as a corrupted record)."""
    from pallets.primitives.assets import Asset
    from pallets.services.types import Account, StagingServicePayment

    for asset, target, error in ((Asset.Custom(0), Account.Address("0x" + "77" * 20), "ExpectedAccountId"),
                                 (Asset.Erc20("0x" + "a0" * 20), Account.Id(EVE), "ExpectedEVMAddress")):
        rt = _ready(ops=("Bob", "Charlie"))
        rid = request(rt, "Eve", ["Bob", "Charlie"])
        storage(rt).StagingServicePayments.insert(rid, StagingServicePayment(rid, target, asset, 5))
        fails(rt, error, "Bob", "reject", request_id=rid)
