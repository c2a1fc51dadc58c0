"""request_with_signed_price_quotes: signatures over the quote hash, the charged value, real quirks
(sorted pairing, panics, failing when min < n) and the intended rules."""

from __future__ import annotations

import pytest

from runtime import RuntimePanic
from runtime.accounts import account_bytes
from svc_helpers import (
    BOB, CHARLIE, DAVE, TNT, UNIT, WETH, commitment, create_blueprint, fails, join_and_register, join_operator, make_rt, names,
    register, requirement, sign_as, storage, svc,
)

from pallets.services.types import NATIVE, AssetSecurityCommitment, PricingQuote, hash_pricing_quote

OPS = {"Bob": BOB, "Charlie": CHARLIE, "Dave": DAVE}


def quote(rate: int, blueprint_id: int = 0) -> PricingQuote:
    return PricingQuote(blueprint_id, 100, rate, 1_700_000_000, 1_700_000_600, (), (AssetSecurityCommitment(NATIVE, 10),))


def params(ops: list[str], quotes: list[PricingQuote], signers: list[str] | None = None, model=None, **over):  # type: ignore[no-untyped-def]
    signers = signers if signers is not None else ops
    sigs = [sign_as(s, hash_pricing_quote(q)) for s, q in zip(signers, quotes)]
    base = dict(evm_origin=None, blueprint_id=0, permitted_callers=[], operators=[OPS[o] for o in ops], request_args=[],
                asset_security_requirements=[requirement(TNT, 10, 20), requirement(WETH, 10, 20)], ttl=100, payment_asset=TNT,
                membership_model=model or {"Fixed": {"min_operators": len(ops)}}, pricing_quotes=[PricingQuote.__codec__.encode(q) for q in quotes],
                operator_signatures=sigs, security_commitments=[commitment(TNT, 10), commitment(WETH, 10)])
    base.update(over)
    return base


def _ready(profile: str = "intended"):  # type: ignore[no-untyped-def]
    rt = make_rt(profile)
    create_blueprint(rt)
    for op in OPS:
        join_and_register(rt, op)
    return rt


def _sorted_ops(ops: list[str]) -> list[str]:
    return sorted(ops, key=lambda o: account_bytes(OPS[o]))


def test_quoted_request_starts_the_service_and_charges_rate_times_ttl() -> None:
    for profile in ("intended", "real"):
        rt = _ready(profile)
        ops = ["Bob", "Charlie"]
        quotes = [quote(10**15), quote(2 * 10**15)]
        if profile == "real":  # quotes are matched to operators in AccountId order
            order = _sorted_ops(ops)
            quotes = [quotes[ops.index(o)] for o in order]
            p = params(order, quotes)
            p["operators"] = [OPS[o] for o in ops]
            p["operator_signatures"] = [p["operator_signatures"][order.index(o)] for o in ops]
        else:
            p = params(ops, quotes)
        before = rt.free_balance(rt.account("Eve"))
        r = svc(rt, "Eve", "request_with_signed_price_quotes", **p)
        assert names(r).count("ServiceRequestApproved") == 2 and names(r)[-1] == "ServiceInitiated", profile
        assert rt.free_balance(rt.account("Eve")) == before - 3 * 10**15 * 100  # sum of the rates x ttl
        assert storage(rt).Instances.get(0).operators() == (BOB, CHARLIE)


def test_real_fails_whenever_min_is_below_the_operator_count() -> None:
    rt = _ready("real")
    ops = _sorted_ops(["Bob", "Charlie"])
    fails(rt, "ServiceRequestNotFound", "Eve", "request_with_signed_price_quotes",
          **params(ops, [quote(10**12), quote(10**12)], model={"Dynamic": {"min_operators": 1, "max_operators": None}}))
    intended = _ready()
    svc(intended, "Eve", "request_with_signed_price_quotes",
        **params(["Bob", "Charlie"], [quote(10**12), quote(10**12)], model={"Dynamic": {"min_operators": 1, "max_operators": None}}))
    assert storage(intended).Instances.get(0).operators() == (BOB, CHARLIE)  # every operator approved, one start


def test_signature_errors() -> None:
    rt = _ready()
    fails(rt, "MissingQuoteSignature", "Eve", "request_with_signed_price_quotes", **params(["Bob", "Charlie"], [quote(10**12)]))
    fails(rt, "SignatureVerificationFailed", "Eve", "request_with_signed_price_quotes", **params(["Bob"], [quote(10**12)], signers=["Charlie"]))
    p = params(["Bob"], [quote(10**12)])
    p["pricing_quotes"] = [PricingQuote.__codec__.encode(quote(2 * 10**12))]  # signed another quote
    fails(rt, "SignatureVerificationFailed", "Eve", "request_with_signed_price_quotes", **p)
    p = params(["Bob"], [quote(10**12), quote(10**12)], signers=["Bob", "Bob"])
    fails(rt, "SignatureCountMismatch", "Eve", "request_with_signed_price_quotes", **p)  # intended: one quote per operator
    join_operator(rt, "Eve")
    create_blueprint(rt)
    svc(rt, "Eve", "register", blueprint_id=1, preferences={"key": "0x04" + "01" * 64, "rpc_address": ""}, registration_args=[], value=0)
    p = params(["Bob"], [quote(10**12, 1)], blueprint_id=1)
    p["operators"] = [rt.account("Eve")]
    fails(rt, "InvalidKeyForQuote", "Ferdie", "request_with_signed_price_quotes", **p)


def test_operator_checks() -> None:
    rt = _ready()
    p = params(["Bob"], [quote(10**12)])
    fails(rt, "OperatorNotActive", "Eve", "request_with_signed_price_quotes", **{**p, "operators": [rt.account("Ferdie")]})
    fails(rt, "DuplicateOperator", "Eve", "request_with_signed_price_quotes", **{**p, "operators": [BOB, BOB]})
    fails(rt, "BlueprintNotFound", "Eve", "request_with_signed_price_quotes", **{**p, "blueprint_id": 3})
    join_operator(rt, "Alice")
    fails(rt, "NotRegistered", "Eve", "request_with_signed_price_quotes", **{**p, "operators": [rt.account("Alice")]})
    fails(rt, "TooFewOperators", "Eve", "request_with_signed_price_quotes", **{**p, "membership_model": {"Fixed": {"min_operators": 2}}})


def test_real_quote_quirks() -> None:
    rt = _ready("real")
    ops = _sorted_ops(["Bob", "Charlie"])
    p = params(ops, [quote(10**12), quote(10**12)])
    p["pricing_quotes"] = p["pricing_quotes"][:1]
    root = rt.state_root()
    with pytest.raises(RuntimePanic, match="fewer pricing quotes"):
        svc(rt, "Eve", "request_with_signed_price_quotes", **p)
    assert rt.state_root() == root
    # real skips the membership-model checks: Fixed{min 2} with one operator is accepted
    p = params(["Bob"], [quote(UNIT // 1000)], model={"Fixed": {"min_operators": 2}})
    svc(rt, "Eve", "request_with_signed_price_quotes", **p)
    assert storage(rt).ServiceRequests.get(0).membership_model.value.min_operators == 2
