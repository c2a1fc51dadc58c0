"""slash, dispute and deferred application (slashing.rs): exact timing in both profiles, the per-block
limit, disputes discard, terminate's real quirk, MAD slashing under the intended profile."""

from __future__ import annotations

from svc_helpers import (
    BOB, CHARLIE, MAD, SVC, TNT, WETH, commitment, deploy, fails, join_and_register, make_rt, mad, names,
    scripted, slasher, storage, svc,
)


def _stake(rt, who: str) -> int:  # type: ignore[no-untyped-def]
    return rt.pallets[MAD].storage.Operators.get(rt.account(who)).stake


def _to_round(rt, r: int) -> None:  # type: ignore[no-untyped-def]
    rt.advance_rounds(r - rt.current_round)
    assert rt.current_round == r


def test_slash_records_an_unapplied_slash() -> None:
    rt = make_rt()
    sid = deploy(rt)
    fails(rt, "InvalidSlashPercentage", "Alice", "slash", offender=BOB, service_id=sid, slash_percent=0)
    r = svc(rt, "Alice", "slash", offender=BOB, service_id=sid, slash_percent=10)  # the blueprint owner is the default origin
    assert r.triggered_events[0].attributes == {"index": 0, "operator": BOB, "service_id": sid, "blueprint_id": 0, "slash_percent": 10, "era": 0}
    slash = storage(rt).UnappliedSlashes.get((0, 0))
    assert (slash.era, slash.operator, slash.slash_percent) == (0, BOB, 10)
    assert rt.query(SVC, "UnappliedSlashes", [0, 0]).value["operator"] == BOB
    fails(rt, "OffenderNotOperator", "Alice", "slash", offender=CHARLIE, service_id=sid, slash_percent=10)
    fails(rt, "BadOrigin", "Eve", "slash", offender=BOB, service_id=sid, slash_percent=10)  # the service owner is not the origin
    fails(rt, "ServiceNotFound", "Alice", "slash", offender=BOB, service_id=9, slash_percent=10)


def test_slashing_and_dispute_origins_from_the_manager() -> None:
    rt = make_rt()
    m = scripted(rt)
    sid = deploy(rt)
    m.answers["query_slashing_origin"] = "0x" + "99" * 20  # an H160 answer is mapped to its account
    from runtime.accounts import evm_to_account

    slasher = evm_to_account("0x" + "99" * 20)
    fails(rt, "BadOrigin", "Alice", "slash", offender=BOB, service_id=sid, slash_percent=10)
    svc(rt, slasher, "slash", offender=BOB, service_id=sid, slash_percent=10)
    m.answers["query_slashing_origin"] = None
    fails(rt, "NoSlashingOrigin", slasher, "slash", offender=BOB, service_id=sid, slash_percent=10)
    m.answers.pop("query_slashing_origin")
    m.refuse.add("query_slashing_origin")
    fails(rt, "NoSlashingOrigin", "Alice", "slash", offender=BOB, service_id=sid, slash_percent=10)
    m.refuse = {"query_dispute_origin"}
    fails(rt, "NoDisputeOrigin", "Alice", "dispute", era=0, index=0)
    m.refuse = set()
    m.answers["query_dispute_origin"] = "Charlie"
    fails(rt, "BadOrigin", "Alice", "dispute", era=0, index=0)
    svc(rt, "Charlie", "dispute", era=0, index=0)


def test_offline_offender_is_not_active() -> None:
    """Real: a dynamic joiner's profile is not updated, so it can go offline while serving; then it cannot be slashed."""
    rt = make_rt("real")
    sid = deploy(rt, operators=("Bob",), model={"Dynamic": {"min_operators": 1, "max_operators": None}})
    join_and_register(rt, "Charlie")
    svc(rt, "Charlie", "join_service", instance_id=sid, security_commitments=[commitment(TNT, 10), commitment(WETH, 10)])
    mad(rt, "Charlie", "go_offline")
    fails(rt, "OperatorNotActive", slasher(rt), "slash", offender=CHARLIE, service_id=sid, slash_percent=10)


def test_dispute_and_verify_event() -> None:
    rt = make_rt()
    sid = deploy(rt)
    svc(rt, "Alice", "slash", offender=BOB, service_id=sid, slash_percent=10)
    fails(rt, "BadOrigin", "Eve", "dispute", era=0, index=0)
    r = svc(rt, "Alice", "dispute", era=0, index=0)
    assert names(r) == ["SlashDiscarded"] and r.triggered_events[0]["index"] == 0
    assert not storage(rt).UnappliedSlashes.contains((0, 0))
    fails(rt, "UnappliedSlashNotFound", "Alice", "dispute", era=0, index=0)


def test_intended_slash_applies_exactly_after_the_defer_duration() -> None:
    rt = make_rt()
    sid = deploy(rt)
    _to_round(rt, 2)
    svc(rt, "Alice", "slash", offender=BOB, service_id=sid, slash_percent=10)
    stake = _stake(rt, "Bob")
    _to_round(rt, 8)
    rt.advance_blocks(9)  # the last block of round 8: one round early
    assert rt.current_round == 8 and storage(rt).UnappliedSlashes.contains((2, 0)) and _stake(rt, "Bob") == stake
    rt.advance_blocks(1)  # first block of round 9 = 2 + SlashDeferDuration
    assert rt.current_round == 9
    assert not storage(rt).UnappliedSlashes.contains((2, 0))
    assert _stake(rt, "Bob") == stake - stake // 10
    ev = [e for e in rt.events if e.name == "MultiAssetDelegation.OperatorSlashed"]
    assert ev and ev[0]["amount"] == stake // 10 and ev[0]["service_id"] == sid


def test_intended_round_zero_slash_also_waits() -> None:
    rt = make_rt()
    sid = deploy(rt)
    svc(rt, "Alice", "slash", offender=BOB, service_id=sid, slash_percent=10)
    _to_round(rt, 6)
    rt.advance_blocks(9)
    assert storage(rt).UnappliedSlashes.contains((0, 0))
    rt.advance_blocks(1)
    assert rt.current_round == 7 and not storage(rt).UnappliedSlashes.contains((0, 0))


def test_real_slash_is_deleted_without_effect_in_the_exact_round() -> None:
    rt = make_rt("real")
    sid = deploy(rt)
    _to_round(rt, 2)
    svc(rt, slasher(rt), "slash", offender=BOB, service_id=sid, slash_percent=10)
    stake = _stake(rt, "Bob")
    _to_round(rt, 8)
    rt.advance_blocks(9)
    assert storage(rt).UnappliedSlashes.contains((2, 0))
    rt.advance_blocks(1)
    assert not storage(rt).UnappliedSlashes.contains((2, 0)) and _stake(rt, "Bob") == stake  # SlashManager = ()
    assert not [e for e in rt.all_events() if e.name == "MultiAssetDelegation.OperatorSlashed"]


def test_real_round_zero_slash_applies_at_once() -> None:
    rt = make_rt("real")
    sid = deploy(rt)
    svc(rt, slasher(rt), "slash", offender=BOB, service_id=sid, slash_percent=10)
    rt.advance_blocks(1)
    assert not storage(rt).UnappliedSlashes.contains((0, 0))


def test_max_slashes_per_block_and_real_orphans() -> None:
    for profile in ("intended", "real"):
        rt = make_rt(profile, constants={"Services": {"MaxSlashesPerBlock": 1}})
        sid = deploy(rt, operators=("Bob",))
        _to_round(rt, 1)
        for _ in range(12):
            svc(rt, slasher(rt), "slash", offender=BOB, service_id=sid, slash_percent=1)
        _to_round(rt, 8)  # due from round 1 + 7: one per block
        left = [len(storage(rt).UnappliedSlashes)]
        for _ in range(10):  # blocks 82..90 of round 8, then block 91 (round 9)
            rt.advance_blocks(1)
            left.append(len(storage(rt).UnappliedSlashes))
        assert left[:10] == list(range(11, 1, -1)), (profile, left)
        assert left[10] == (2 if profile == "real" else 1), (profile, left)
        rt.advance_blocks(5)
        assert rt.current_round == 9
        remaining = len(storage(rt).UnappliedSlashes)
        assert remaining == (2 if profile == "real" else 0), profile  # real: round 1's leftovers are never looked at again


def test_disputed_slash_never_applies() -> None:
    rt = make_rt()
    sid = deploy(rt)
    svc(rt, "Alice", "slash", offender=BOB, service_id=sid, slash_percent=50)
    svc(rt, "Alice", "slash", offender=BOB, service_id=sid, slash_percent=10)
    svc(rt, "Alice", "dispute", era=0, index=0)
    stake = _stake(rt, "Bob")
    _to_round(rt, 8)
    assert _stake(rt, "Bob") == stake - stake // 10  # only the undisputed 10 % slash applied


def test_terminate_real_clears_every_slash_of_two_rounds() -> None:
    for profile in ("intended", "real"):
        rt = make_rt(profile)
        s0 = deploy(rt, operators=("Bob",))
        s1 = deploy(rt, operators=("Charlie",))
        _to_round(rt, 3)
        svc(rt, slasher(rt), "slash", offender=BOB, service_id=s0, slash_percent=10)
        svc(rt, slasher(rt), "slash", offender=CHARLIE, service_id=s1, slash_percent=10)  # another service's slash
        svc(rt, "Eve", "terminate", service_id=s0)
        left = len(storage(rt).UnappliedSlashes)
        assert left == (0 if profile == "real" else 2), profile
        if profile == "real":
            fails(rt, "UnappliedSlashNotFound", slasher(rt), "dispute", era=3, index=1)
        else:
            svc(rt, slasher(rt), "dispute", era=3, index=0)  # intended: a terminated service's slash can still be disputed
            stake = _stake(rt, "Charlie")
            _to_round(rt, 10)
            assert _stake(rt, "Charlie") == stake - stake // 10  # and the other one applies on schedule


def test_real_dispute_after_termination_fails() -> None:
    rt = make_rt("real")
    sid = deploy(rt)
    _to_round(rt, 3)
    svc(rt, slasher(rt), "slash", offender=BOB, service_id=sid, slash_percent=10)
    _to_round(rt, 5)  # the slash's round is neither the current nor the previous one: terminate keeps it
    svc(rt, "Eve", "terminate", service_id=sid)
    assert storage(rt).UnappliedSlashes.contains((3, 0))
    fails(rt, "ServiceNotFound", slasher(rt), "dispute", era=3, index=0)


def test_slash_of_departed_operator_is_dropped() -> None:
    """Intended: the operator left MultiAssetDelegation before the slash was due: it can never apply."""
    rt = make_rt(constants={"Services": {"SlashDeferDuration": 30}})
    sid = deploy(rt)
    svc(rt, "Alice", "slash", offender=BOB, service_id=sid, slash_percent=10)
    svc(rt, "Eve", "terminate", service_id=sid)
    svc(rt, "Bob", "unregister", blueprint_id=0)
    mad(rt, "Bob", "schedule_leave_operators")
    _to_round(rt, 10)
    mad(rt, "Bob", "execute_leave_operators")
    _to_round(rt, 30)
    assert not storage(rt).UnappliedSlashes.contains((0, 0))
    assert rt.events_named("Services.SlashDropped")[0]["operator"] == BOB


def test_due_slash_reaches_delegators_by_blueprint_selection() -> None:
    """Intended (mad_slashing): the operator's self-stake and every delegation whose blueprint selection
    covers the service's blueprint lose the slashed percentage; a delegation selecting no blueprint is untouched."""
    from svc_helpers import USDC

    rt = make_rt()
    sid = deploy(rt, operators=("Bob",))  # Ferdie delegated USDC and WETH to Bob with selection All
    mad(rt, "Charlie", "deposit", asset=USDC, amount=500 * 10**6, evm_address=None, lock_multiplier=None)
    mad(rt, "Charlie", "delegate", operator=BOB, asset=USDC, amount=500 * 10**6, blueprint_selection={"Fixed": []})
    svc(rt, "Alice", "slash", offender=BOB, service_id=sid, slash_percent=20)
    _to_round(rt, 7)
    delegations = {(e["delegator"], e["asset"].value): e["amount"] for e in rt.events if e.name == "MultiAssetDelegation.DelegatorSlashed"}
    ferdie = rt.account("Ferdie")
    assert delegations == {(ferdie, 1): 200 * 10**6, (ferdie, 2): 2 * 10**18}  # 20 % of 1,000 USDC and of 10 WETH
    charlie = rt.pallets[MAD].storage.Delegators.get(CHARLIE)
    assert [d.amount for d in charlie.delegations] == [500 * 10**6]


def test_two_services_on_two_blueprints_slashed_in_one_round() -> None:
    from svc_helpers import create_blueprint, register, request, approve

    rt = make_rt()
    s0 = deploy(rt, operators=("Bob",))
    create_blueprint(rt)
    register(rt, "Bob", blueprint_id=1)
    rid = request(rt, "Eve", ["Bob"], blueprint_id=1)
    approve(rt, "Bob", rid)
    svc(rt, "Alice", "slash", offender=BOB, service_id=s0, slash_percent=10)
    svc(rt, "Alice", "slash", offender=BOB, service_id=1, slash_percent=10)
    assert [(e, i, sl.blueprint_id) for e, i, sl in rt.pallets[SVC].pending_slashes()] == [(0, 0, 0), (0, 1, 1)]
    stake = _stake(rt, "Bob")
    _to_round(rt, 7)
    assert _stake(rt, "Bob") == stake - stake // 10 - (stake - stake // 10) // 10


def test_the_default_managers_origins_per_profile() -> None:
    """The stock tnt-core manager names itself (address(this)) as slashing and dispute origin (real,
    quirk services.default_manager_names_itself); the intended default names the blueprint owner."""
    from runtime.accounts import evm_to_account

    for profile in ("intended", "real"):
        rt = make_rt(profile)
        sid = deploy(rt, operators=("Bob",))
        manager = evm_to_account(storage(rt).Blueprints.get(0)[1].manager_address)
        owner, other = ("Alice", manager) if profile == "intended" else (manager, "Alice")
        pallet = rt.pallets[SVC]
        assert pallet.slashing_origin_of(sid) == pallet.dispute_origin_of(0, sid) == rt.account(owner)
        assert pallet.slashing_origin_of(sid + 1) is None
        fails(rt, "BadOrigin", other, "slash", offender=BOB, service_id=sid, slash_percent=10)
        svc(rt, owner, "slash", offender=BOB, service_id=sid, slash_percent=10)
        fails(rt, "BadOrigin", other, "dispute", era=0, index=0)
        svc(rt, owner, "dispute", era=0, index=0)
        assert [e.spec.name for e in rt.events if e.spec.name in ("UnappliedSlash", "SlashDiscarded")] == ["UnappliedSlash", "SlashDiscarded"], profile
