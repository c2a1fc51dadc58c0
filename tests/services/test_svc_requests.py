"""request (service.rs, asset_security.rs, payments.rs scenarios) and every error it can raise."""

from __future__ import annotations

from runtime.accounts import evm_to_account
from svc_helpers import (
    ALICE, BOB, CHARLIE, DAVE, EVE, SVC, TNT, UNIT, USDC, USDC_ID, WETH, approve, commitment, create_blueprint, fails, job,
    join_and_register, join_operator, make_rt, mad, names, register, request, requirement, scripted, storage, svc,
)

from pallets.services import DEFAULT_MBSM_ADDRESS


def _ready(profile: str = "intended", ops=("Bob", "Charlie", "Dave"), **kw):  # type: ignore[no-untyped-def]
    rt = make_rt(profile, **kw)
    create_blueprint(rt)
    for op in ops:
        join_and_register(rt, op)
    return rt


def _req(**over):  # type: ignore[no-untyped-def]
    base = dict(evm_origin=None, blueprint_id=0, permitted_callers=[], operators=[BOB], request_args=[],
                asset_security_requirements=[requirement(TNT, 10, 20), requirement(WETH, 10, 20)], ttl=100, payment_asset=TNT, value=0,
                membership_model={"Fixed": {"min_operators": 1}})
    base.update(over)
    return base


def test_request_service() -> None:
    rt = _ready()
    fails(rt, "NativeAssetExposureTooLow", "Eve", "request", **_req(asset_security_requirements=[requirement(TNT, 5, 20)]))
    rid = request(rt, "Eve", ["Bob", "Charlie", "Dave"], callers=["Alice"], model={"Fixed": {"min_operators": 3}})
    ev = rt.events_named("Services.ServiceRequested")[-1]
    assert ev["pending_approvals"] == (BOB, CHARLIE, DAVE) and ev["approved"] == () and ev["request_id"] == rid
    r = approve(rt, "Bob", rid)
    e = r.triggered_events[-1]
    assert e.spec.name == "ServiceRequestApproved" and e["approved"] == (BOB,) and e["pending_approvals"] == (CHARLIE, DAVE)
    fails(rt, "InvalidSecurityCommitments", "Charlie", "approve", request_id=rid, security_commitments=[commitment(WETH, 10), commitment(TNT, 10)])
    approve(rt, "Charlie", rid)
    r = approve(rt, "Dave", rid)
    assert names(r) == ["ServiceRequestApproved", "ServiceInitiated"]
    init = r.triggered_events[-1]
    assert init["service_id"] == 0 and [op for op, _ in init["operator_security_commitments"]] == [BOB, CHARLIE, DAVE]
    s = storage(rt)
    assert not s.ServiceRequests.contains(rid) and s.Instances.get(0).permitted_callers == (ALICE,)
    assert all(0 in s.OperatorsProfile.get(op).services for op in (BOB, CHARLIE, DAVE))
    assert s.UserServices.get(EVE) == frozenset({0}) and s.ServiceStatus.contains((0, 0))


def test_request_service_with_no_assets() -> None:
    rt = _ready()
    fails(rt, "NoAssetsProvided", "Eve", "request", **_req(asset_security_requirements=[]))


def test_security_requirements_validation() -> None:
    rt = _ready()
    fails(rt, "InvalidSecurityRequirements", "Eve", "request", **_req(asset_security_requirements=[requirement(WETH, 0, 20)]))
    fails(rt, "InvalidSecurityRequirements", "Eve", "request", **_req(asset_security_requirements=[requirement(WETH, 10, 0)]))
    fails(rt, "InvalidSecurityRequirements", "Eve", "request", **_req(asset_security_requirements=[requirement(WETH, 30, 20)]))
    fails(rt, "DuplicateAsset", "Eve", "request", **_req(asset_security_requirements=[requirement(WETH, 10, 20), requirement(WETH, 10, 30)]))
    fails(rt, "InvalidErc20Address", "Eve", "request", **_req(asset_security_requirements=[requirement({"Erc20": "0x" + "00" * 20}, 10, 20)]))
    svc(rt, "Eve", "request", **_req(asset_security_requirements=[requirement(WETH, 10, 100)]))


def test_max_assets_per_service() -> None:
    rt = _ready()
    many = [requirement({"Erc20": "0x" + f"{i:040x}"}, 10, 20) for i in range(1, 65)]  # 64 + the appended native
    fails(rt, "MaxAssetsPerServiceExceeded", "Eve", "request", **_req(asset_security_requirements=many))
    svc(rt, "Eve", "request", **_req(asset_security_requirements=many[:63]))


def test_service_creation_dynamic_max_operators() -> None:
    rt = _ready()
    request(rt, "Eve", ["Bob", "Charlie"], model={"Dynamic": {"min_operators": 1, "max_operators": 2}})
    fails(rt, "TooManyOperators", "Eve", "request", **_req(operators=[BOB, CHARLIE, DAVE], membership_model={"Dynamic": {"min_operators": 1, "max_operators": 2}}))
    fails(rt, "TooFewOperators", "Eve", "request", **_req(operators=[BOB], membership_model={"Dynamic": {"min_operators": 2, "max_operators": None}}))
    request(rt, "Eve", [], model={"Dynamic": {"min_operators": 0, "max_operators": None}})  # accepted on chain


def test_service_creation_fixed_min_operators() -> None:
    rt = _ready()
    fails(rt, "TooFewOperators", "Eve", "request", **_req(membership_model={"Fixed": {"min_operators": 0}}))
    fails(rt, "TooFewOperators", "Eve", "request", **_req(operators=[BOB, CHARLIE], membership_model={"Fixed": {"min_operators": 3}}))
    request(rt, "Eve", ["Bob", "Charlie", "Dave"], model={"Fixed": {"min_operators": 3}})


def test_unsupported_membership_model() -> None:
    rt = make_rt()
    create_blueprint(rt, models=("Fixed",))
    join_and_register(rt, "Bob")
    fails(rt, "UnsupportedMembershipModel", "Eve", "request", **_req(membership_model={"Dynamic": {"min_operators": 1, "max_operators": None}}))


def test_service_creation_invalid_and_inactive_operators() -> None:
    rt = _ready(ops=("Bob",))
    fails(rt, "OperatorNotActive", "Eve", "request", **_req(operators=[BOB, ALICE]))  # never joined MAD: not NotRegistered
    join_operator(rt, "Charlie")
    fails(rt, "NotRegistered", "Eve", "request", **_req(operators=[BOB, CHARLIE]))
    register(rt, "Charlie")
    mad(rt, "Charlie", "go_offline")
    fails(rt, "OperatorNotActive", "Eve", "request", **_req(operators=[CHARLIE]))
    fails(rt, "DuplicateOperator", "Eve", "request", **_req(operators=[BOB, BOB]))
    fails(rt, "BlueprintNotFound", "Eve", "request", **_req(blueprint_id=4))


def test_request_args_type_checked() -> None:
    rt = make_rt()
    create_blueprint(rt, request_params=["Uint64"])
    join_and_register(rt, "Bob")
    fails(rt, "TypeCheck", "Eve", "request", **_req(request_args=[]))
    fails(rt, "TypeCheck", "Eve", "request", **_req(request_args=[{"Uint32": 1}]))
    svc(rt, "Eve", "request", **_req(request_args=[{"Uint64": 1}]))


def test_bounds_on_callers_fields_and_operators() -> None:
    rt = _ready(constants={"Services": {"MaxPermittedCallers": 1, "MaxFields": 0, "MaxOperatorsPerService": 1}})
    fails(rt, "MaxPermittedCallersExceeded", "Eve", "request", **_req(permitted_callers=[ALICE, BOB]))
    fails(rt, "MaxServiceProvidersExceeded", "Eve", "request", **_req(operators=[BOB, CHARLIE]))
    rt2 = make_rt(constants={"Services": {"MaxFields": 0}})
    create_blueprint(rt2, request_params=["Uint8"])
    join_and_register(rt2, "Bob")
    fails(rt2, "MaxFieldsExceeded", "Eve", "request", **_req(request_args=[{"Uint8": 1}]))


def test_request_hook_refusal_and_failure() -> None:
    rt = make_rt()
    m = scripted(rt)
    create_blueprint(rt)
    join_and_register(rt, "Bob")
    m.refuse.add("on_request")
    fails(rt, "InvalidRequestInput", "Eve", "request", **_req(value=200, payment_asset=USDC))
    m.refuse.clear()
    m.fail.add("on_request")
    fails(rt, "OnRequestFailure", "Eve", "request", **_req())
    m.fail.clear()
    rid = request(rt, "Eve", ["Bob"], value=200, asset=USDC, callers=["Alice"])
    params = m.calls[-1][1][1]
    assert params.request_id == rid and params.requester == EVE and params.amount == 200 and params.permitted_callers == (ALICE,)


def test_validate_payment_amount() -> None:
    rt = make_rt()
    create_blueprint(rt, jobs=[job("a", [], [], {"PayOnce": {"amount": 1000}}), job("b", [], [], {"PayOnce": {"amount": 5000}})])
    create_blueprint(rt, jobs=[job("s", [], [], {"Subscription": {"rate_per_interval": 100, "interval": 10, "maybe_end": None}})])
    create_blueprint(rt, jobs=[job("e", [], [], {"EventDriven": {"reward_per_event": 10**6}})])
    join_operator(rt, "Bob")
    for bid in range(3):
        register(rt, "Bob", blueprint_id=bid)
    for value in (0, 1000, 1500):
        request(rt, "Eve", ["Bob"], value=value, asset=USDC)
    fails(rt, "InvalidRequestInput", "Eve", "request", **_req(value=500, payment_asset=USDC))
    for value in (100, 200):
        request(rt, "Eve", ["Bob"], blueprint_id=1, value=value, asset=USDC)
    fails(rt, "InvalidRequestInput", "Eve", "request", **_req(blueprint_id=1, value=50, payment_asset=USDC))
    request(rt, "Eve", ["Bob"], blueprint_id=2, value=1, asset=USDC)  # event-driven: any value
    fails(rt, "Token.BelowMinimum", "Eve", "request", **_req(blueprint_id=2, value=1))  # native below the existential deposit


def test_request_with_payment_asset_moves_to_master_manager() -> None:
    rt = _ready(ops=("Bob",))
    pallet = rt.pallets[SVC].pallet_account()
    mbsm = evm_to_account(DEFAULT_MBSM_ADDRESS)
    assets = rt.pallets["Assets"].fungibles
    before = assets.balance(USDC_ID, EVE)
    rid = request(rt, "Eve", ["Bob"], value=5 * 10**6, asset=USDC)
    assert assets.balance(USDC_ID, EVE) == before - 5 * 10**6 and assets.balance(USDC_ID, pallet) == 5 * 10**6
    assert storage(rt).StagingServicePayments.get(rid).refund_to.value == EVE
    approve(rt, "Bob", rid)
    assert assets.balance(USDC_ID, pallet) == 0 and assets.balance(USDC_ID, mbsm) == 5 * 10**6
    assert not storage(rt).StagingServicePayments.contains(rid)


def test_native_payment_and_errors() -> None:
    rt = _ready(ops=("Bob",))
    mbsm = evm_to_account(DEFAULT_MBSM_ADDRESS)
    rid = request(rt, "Eve", ["Bob"], value=3 * UNIT)
    assert rt.free_balance(rt.pallets[SVC].pallet_account()) == 3 * UNIT
    approve(rt, "Bob", rid)
    assert rt.free_balance(mbsm) == 3 * UNIT
    fails(rt, "Token.FundsUnavailable", "Eve", "request", **_req(value=10**30))
    fails(rt, "Arithmetic.Underflow", "Eve", "request", **_req(value=10**30, payment_asset=USDC))  # more than USDC's supply: can_decrease
    fails(rt, "Token.UnknownAsset", "Eve", "request", **_req(value=1000, payment_asset={"Custom": 99}))
    request(rt, "Eve", ["Bob"], value=0, asset={"Custom": 99})  # nothing staged: any asset accepted


def test_erc20_payments() -> None:
    rt = _ready(ops=("Bob",))
    services = rt.pallets[SVC]
    token_addr = "0x" + "a0" * 20
    payer_evm = "0x" + "77" * 20
    payer = evm_to_account(payer_evm)
    token = services.register_erc20(token_addr)
    token.mint(payer_evm, 1_000)
    usdc_erc20 = {"Erc20": token_addr}
    fails(rt, "MissingEVMOrigin", payer, "request", **_req(payment_asset=usdc_erc20, value=100))
    fails(rt, "BadOrigin", "Eve", "request", **_req(payment_asset=usdc_erc20, value=100, evm_origin=payer_evm))
    fails(rt, "ERC20TransferFailed", payer, "request", **_req(payment_asset=usdc_erc20, value=5_000, evm_origin=payer_evm))  # balance too low
    fails(rt, "ERC20TransferFailed", payer, "request", **_req(payment_asset={"Erc20": "0x" + "a1" * 20}, value=100, evm_origin=payer_evm))  # no contract
    rid = request(rt, payer, ["Bob"], value=400, asset=usdc_erc20, evm_origin=payer_evm)
    assert token.balance_of(payer_evm) == 600 and token.balance_of("0x09df6a941ee03b1e632904e382e10862fa9cc0e3") == 400
    approve(rt, "Bob", rid)
    assert token.balance_of(DEFAULT_MBSM_ADDRESS) == 400


def test_exposure_limits_are_not_aggregated() -> None:
    """The same operators serve three services with 50 % exposure each: no aggregate limit."""
    rt = _ready(ops=("Bob", "Charlie"))
    for _ in range(3):
        rid = request(rt, "Eve", ["Bob", "Charlie"], requirements=[requirement(TNT, 50, 50), requirement(WETH, 50, 50)])
        for op in ("Bob", "Charlie"):
            approve(rt, op, rid, [commitment(TNT, 50), commitment(WETH, 50)])
    assert len(storage(rt).Instances.keys()) == 3
