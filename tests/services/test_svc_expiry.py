"""Request expiry (extension request_expiry): exact block, refund, event, later approvals fail, only
what must change changes; off under the real profile."""

from __future__ import annotations

from svc_helpers import (
    EVE, SVC, TNT, UNIT, USDC, USDC_ID, WETH, approve, commitment, create_blueprint, fails, join_and_register, make_rt,
    request, storage,
)

from runtime.accounts import evm_to_account


def _ready(profile: str = "intended", **kw):  # type: ignore[no-untyped-def]
    rt = make_rt(profile, **kw)
    create_blueprint(rt)
    for op in ("Bob", "Charlie"):
        join_and_register(rt, op)
    return rt


def _items(rt) -> dict:  # type: ignore[no-untyped-def]
    return {key: dict(item._d) for key, item in rt.db.items.items()}


def test_request_expires_exactly_after_the_configured_blocks() -> None:
    rt = _ready()
    created = rt.block_number
    before = rt.free_balance(EVE)
    rid = request(rt, "Eve", ["Bob", "Charlie"], value=3 * UNIT)
    approve(rt, "Bob", rid)
    assert storage(rt).ServiceRequestExpiresAt.get(rid) == created + 1000
    rt.run_to_block(created + 999)
    assert storage(rt).ServiceRequests.contains(rid)
    rt.advance_blocks(1)
    s = storage(rt)
    assert not s.ServiceRequests.contains(rid) and not s.StagingServicePayments.contains(rid)
    assert rt.free_balance(EVE) == before
    ev = rt.events_named("Services.ServiceRequestExpired")
    assert len(ev) == 1 and ev[0].attributes == {"owner": EVE, "request_id": rid, "blueprint_id": 0, "refunded": 3 * UNIT}
    assert ev[0].block == created + 1000 and ev[0].phase == "Initialization"
    fails(rt, "ServiceRequestNotFound", "Charlie", "approve", request_id=rid, security_commitments=[commitment(TNT, 10), commitment(WETH, 10)])
    fails(rt, "ServiceRequestNotFound", "Charlie", "reject", request_id=rid)


def test_expiry_changes_only_what_it_must() -> None:
    rt = _ready(extensions={"request_expiry_blocks": 5})
    r0 = request(rt, "Eve", ["Bob"], value=2 * 10**6, asset=USDC, model={"Fixed": {"min_operators": 1}})
    rt.advance_blocks(1)
    request(rt, "Eve", ["Bob"])  # expires one block later: untouched
    rt.advance_blocks(3)
    snapshot = _items(rt)
    rt.advance_blocks(1)  # r0 expires in this block
    after = _items(rt)
    changed = {k for k in after if after[k] != snapshot.get(k, {})}
    allowed = {("Services", n) for n in ("ServiceRequests", "StagingServicePayments", "ServiceRequestExpiresAt", "RequestExpiryQueue", "RequestExpiryCount")}
    allowed |= {("Assets", "Account"), ("Assets", "Asset")} | {k for k in changed if k[0] == "System"}  # the refund (accounts count)
    assert changed <= allowed, changed - allowed
    assert not storage(rt).ServiceRequests.contains(r0) and storage(rt).ServiceRequests.contains(r0 + 1)
    assert rt.pallets["Assets"].fungibles.balance(USDC_ID, rt.pallets[SVC].pallet_account()) == 0


def test_started_services_do_not_expire() -> None:
    rt = _ready(extensions={"request_expiry_blocks": 3})
    rid = request(rt, "Eve", ["Bob"])
    approve(rt, "Bob", rid)
    rt.advance_blocks(5)
    assert storage(rt).Instances.contains(0) and not rt.events_named("Services.ServiceRequestExpired")


def test_failed_refund_is_retried_next_block() -> None:
    from pallets.services.manager import Erc20Token

    class Frozen(Erc20Token):
        def transfer(self, sender: str, to: str, amount: int) -> bool:
            return False

    rt = _ready(extensions={"request_expiry_blocks": 2})
    services = rt.pallets[SVC]
    token_addr, payer_evm = "0x" + "a0" * 20, "0x" + "77" * 20
    services.register_erc20(token_addr).mint(payer_evm, 1_000)
    rid = request(rt, evm_to_account(payer_evm), ["Bob"], value=500, asset={"Erc20": token_addr}, evm_origin=payer_evm)
    services.register_erc20(token_addr, Frozen())  # the token now refuses every transfer
    rt.advance_blocks(2)
    assert storage(rt).ServiceRequests.contains(rid)  # the refund failed: kept, retried
    services.register_erc20(token_addr)
    rt.advance_blocks(1)
    assert not storage(rt).ServiceRequests.contains(rid)
    assert services.contracts[token_addr].balance_of(payer_evm) == 1_000


def test_no_expiry_in_the_real_profile() -> None:
    rt = _ready("real")
    rid = request(rt, "Eve", ["Bob"])
    rt.advance_blocks(1500)
    assert storage(rt).ServiceRequests.contains(rid) and not storage(rt).ServiceRequestExpiresAt.contains(rid)
    approve(rt, "Bob", rid)


def test_many_requests_expire_in_their_own_blocks() -> None:
    rt = _ready(extensions={"request_expiry_blocks": 10})
    ids = []
    for _ in range(4):
        ids.append([request(rt, "Eve", ["Bob"]) for _ in range(25)])
        rt.advance_blocks(1)
    rt.advance_blocks(6)  # block of the first batch's expiry
    pending = set(storage(rt).ServiceRequests.keys())
    assert not pending & set(ids[0]) and set(ids[1]) <= pending
    rt.advance_blocks(3)
    assert not storage(rt).ServiceRequests.keys() and len(rt.events_named("Services.ServiceRequestExpired")) == 100
    rt.db.check_immutable()
