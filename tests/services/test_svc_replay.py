"""A Services scenario written as a call log replays to the same state root (every argument type
renders to JSON and decodes back)."""

from __future__ import annotations

import io

from runtime.calllog import replay
from svc_helpers import BOB, UNIT, deploy, join_and_register, make_rt, sign_as, svc

from pallets.services.crypto import heartbeat_message
from pallets.services.types import NATIVE, AssetSecurityCommitment, PricingQuote, hash_pricing_quote


def test_services_call_log_replays() -> None:
    rt = make_rt(extensions={"request_expiry_blocks": 30})
    sid = deploy(rt, operators=("Bob",), value=UNIT, model={"Dynamic": {"min_operators": 1, "max_operators": 4}})
    join_and_register(rt, "Charlie")
    svc(rt, "Charlie", "join_service", instance_id=sid, security_commitments=[{"asset": {"Custom": 0}, "exposure_percent": 10},
                                                                               {"asset": {"Custom": 2}, "exposure_percent": 10}])
    svc(rt, "Eve", "call", service_id=sid, job=1, args=[{"Uint64": 5}, {"List": ["Uint8", [{"Uint8": 1}]]}])
    svc(rt, "Bob", "submit_result", service_id=sid, call_id=0, result=[{"List": ["Uint8", [{"Uint8": 2}]]}])
    svc(rt, "Alice", "slash", offender=BOB, service_id=sid, slash_percent=5)
    svc(rt, "root", "update_default_heartbeat_interval", interval=3)
    rt.dispatch("Bob", "Services", "heartbeat", {"service_id": sid, "blueprint_id": 0, "metrics_data": "0x0102",
                                                 "signature": sign_as("Bob", heartbeat_message(sid, 0, rt.block_number, b"\x01\x02"))})
    q = PricingQuote(0, 10, 10**12, 1, 2, (), (AssetSecurityCommitment(NATIVE, 10),))
    svc(rt, "Eve", "request_with_signed_price_quotes", evm_origin=None, blueprint_id=0, permitted_callers=[], operators=[BOB], request_args=[],
        asset_security_requirements=[{"asset": {"Custom": 0}, "min_exposure_percent": 10, "max_exposure_percent": 20}], ttl=10, payment_asset={"Custom": 0},
        membership_model={"Fixed": {"min_operators": 1}}, pricing_quotes=[q], operator_signatures=[sign_as("Bob", hash_pricing_quote(q))],
        security_commitments=[{"asset": {"Custom": 0}, "exposure_percent": 10}])
    svc(rt, "Bob", "set_instance_limit", blueprint_id=0, limit=9)
    from svc_helpers import request

    request(rt, "Eve", ["Charlie"], callers=["Alice"])  # left pending: it expires during the replay's run-out
    rt.advance_rounds(8)
    buf = io.StringIO()
    rt.export_log(buf)
    result = replay(io.StringIO(buf.getvalue()))
    assert result.ok, [str(d) for d in result.divergences]
    assert result.runtime.state_root() == rt.state_root() == result.expected_root
