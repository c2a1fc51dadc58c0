"""Every stored reference resolves: ids and accounts one pallet stores point at something that exists."""

from __future__ import annotations

from runtime import Runtime
from simulations.stateful.invariants.ledger import Ledger, new_events


def services_references_resolve(rt: Runtime, ledger: Ledger) -> None:
    """Services: every service's blueprint exists and lists it as active (``ServiceStatus``), its
    owner's ``UserServices`` holds it, its operators are registered on the blueprint and list it in
    their profile; requests, registrations and unapplied slashes name existing blueprints; job
    calls name services that exist or existed, and every result answers a job call."""
    _services_references(rt, None)


def services_references_incremental(rt: Runtime, ledger: Ledger, touched: frozenset[str] | set[str]) -> None:
    """:func:`services_references_resolve` after steps that touched ``touched`` (labels
    ``"Services.Item"``): only the relations that read an item written since its last check
    (:data:`SERVICES_REFERENCE_PARTS`). Each relation is a function of storage alone (nothing
    kept in the ledger), and every write to an item it reads re-runs the invariant (its reads
    are the union of the parts'), so a relation none of whose items was written holds as it did
    at the last check. The full form, run every full check, judges every relation."""
    _services_references(rt, touched)


#: the relations :func:`services_references_resolve` checks, in its order, each with the
#: ``Services`` items it reads (the incremental form re-checks one only if one of these was written)
SERVICES_REFERENCE_PARTS: tuple[tuple[str, frozenset[str]], ...] = tuple((what, frozenset(f"Services.{item}" for item in items)) for what, items in (
    ("each service's blueprint, status, owner and operators", ("Instances", "Blueprints", "ServiceStatus", "UserServices", "Operators",
                                                                "OperatorsProfile")),
    ("ServiceStatus names services", ("ServiceStatus", "Instances")),
    ("UserServices names owned services", ("UserServices", "Instances")),
    ("operator profiles name services and registrations", ("OperatorsProfile", "Instances", "Operators")),
    ("requests name blueprints", ("ServiceRequests", "Blueprints")),
    ("registrations name blueprints", ("Operators", "Blueprints")),
    ("unapplied slashes name blueprints", ("UnappliedSlashes", "Blueprints")),
    ("job calls name services that existed", ("JobCalls", "NextInstanceId")),
    ("job results answer job calls", ("JobResults", "JobCalls")),
))


def _services_references(rt: Runtime, touched: frozenset[str] | set[str] | None) -> None:
    """The relations of :func:`services_references_resolve`: all of them (``touched`` None), or
    those whose items ``touched`` names (:data:`SERVICES_REFERENCE_PARTS`, in the same order)."""
    services = rt.pallets.get("Services")
    if services is None:
        return
    if touched is None:
        run = (True,) * len(SERVICES_REFERENCE_PARTS)
    else:
        run = tuple(not items.isdisjoint(touched) for _what, items in SERVICES_REFERENCE_PARTS)
        if not any(run):
            return
    instances_, status_, user_, profiles_, requests_, registrations_, slashes_, calls_, results_ = run
    s = services.storage  # type: ignore[attr-defined]
    silent_membership = rt.ctx.quirk("services.join_leave_silent")
    blueprints = set(s.Blueprints.keys()) if instances_ or requests_ or registrations_ or slashes_ else set()
    if instances_:
        left_after_approving = rt.ctx.quirk("services.unregister_ignores_approved_requests")
        for sid, svc in s.Instances.items():
            assert svc.id == sid, f"service {sid} is stored as {svc.id}"
            assert svc.blueprint in blueprints, f"service {sid} runs blueprint {svc.blueprint}, which does not exist"
            assert s.ServiceStatus.contains((svc.blueprint, sid)), f"service {sid} is missing from ServiceStatus[{svc.blueprint}]"
            assert sid in s.UserServices.get(svc.owner), f"service {sid} is missing from its owner's UserServices"
            for op in svc.operators():
                # real (quirk services.unregister_ignores_approved_requests): an operator that approved,
                # then unregistered, is in the service the request starts; it was registered once
                assert s.Operators.contains((svc.blueprint, op)) or (left_after_approving and op in s.OperatorsProfile), (
                    f"service {sid}'s operator {op} is not registered on blueprint {svc.blueprint}")
                profile = s.OperatorsProfile.get(op)
                if not silent_membership:
                    assert profile is not None and sid in profile.services, f"service {sid} is missing from operator {op}'s profile"
    if status_:
        for (bid, sid) in s.ServiceStatus.keys():
            svc = s.Instances.get(sid)
            assert svc is not None and svc.blueprint == bid, f"ServiceStatus[{bid}][{sid}] names no service of that blueprint"
    if user_:
        for owner, sids in s.UserServices.items():
            for sid in sids:
                svc = s.Instances.get(sid)
                assert svc is not None and svc.owner == owner, f"UserServices[{owner}] lists service {sid}, which it does not own"
    if profiles_ and not silent_membership:
        for op, profile in s.OperatorsProfile.items():
            for sid in profile.services:
                svc = s.Instances.get(sid)
                assert svc is not None and svc.has_operator(op), f"operator {op}'s profile lists service {sid}, which it does not run"
            for bid in profile.blueprints:
                assert s.Operators.contains((bid, op)), f"operator {op}'s profile lists blueprint {bid}, where it is not registered"
    if requests_:
        for rid, req in s.ServiceRequests.items():
            assert req.blueprint in blueprints, f"request {rid} names blueprint {req.blueprint}, which does not exist"
    if registrations_:
        for (bid, _op) in s.Operators.keys():
            assert bid in blueprints, f"an operator is registered on blueprint {bid}, which does not exist"
    if slashes_:
        for (_era, _index), slash in s.UnappliedSlashes.items():
            assert slash.blueprint_id in blueprints, f"unapplied slash names blueprint {slash.blueprint_id}, which does not exist"
    if calls_:
        next_service = s.NextInstanceId.value()
        for (sid, cid) in s.JobCalls.keys():
            assert sid < next_service, f"job call {cid} names service {sid}, which never existed"
    if results_:
        for key in s.JobResults.keys():
            assert s.JobCalls.contains(key), f"job result {key} answers no job call"


def delegation_references_resolve(rt: Runtime, ledger: Ledger) -> None:
    """MultiAssetDelegation: every delegation and pending unstake names an operator that exists,
    or one that left through ``execute_leave_operators`` (delegations never block leaving, spec
    §1.6: such a delegation dangles, and under the intended profile its unstake releases it)."""
    mad = rt.pallets.get("MultiAssetDelegation")
    if mad is None:
        return
    for ev in new_events(rt, ledger, "delegation_references_resolve"):
        if ev.spec.pallet == "MultiAssetDelegation" and ev.spec.name == "OperatorLeaveExecuted":
            ledger.departed_operators.add(ev["who"])
    operators = set(mad.storage.Operators.keys())  # type: ignore[attr-defined]
    known = operators | ledger.departed_operators
    for who, meta in mad.storage.Delegators.items():  # type: ignore[attr-defined]
        for d in meta.delegations:
            assert d.operator in known, f"{who} delegates to {d.operator}, which never was an operator"
        for r in meta.delegator_unstake_requests:
            assert r.operator in known, f"{who} is unstaking from {r.operator}, which never was an operator"


def staking_references_resolve(rt: Runtime, ledger: Ledger) -> None:
    """pallet_staking: ``Bonded`` and ``Ledger`` name each other, and every validator, nominator
    and payee has a ledger."""
    staking = rt.pallets.get("Staking")
    if staking is None:
        return
    s = staking.storage  # type: ignore[attr-defined]
    for stash, controller in s.Bonded.items():
        assert controller == stash, f"{stash} is bonded to controller {controller} (controllers are deprecated)"
        led = s.Ledger.get(stash)
        assert led is not None and led.stash == stash, f"bonded stash {stash} has no ledger"
    for stash in s.Ledger.keys():
        assert s.Bonded.contains(stash), f"ledger of {stash} without a Bonded entry"
    for who in list(s.Validators.keys()) + list(s.Nominators.keys()) + list(s.Payee.keys()):
        assert s.Ledger.contains(who), f"{who} validates, nominates or has a payee without a ledger"
    assert s.CounterForValidators.value() == len(s.Validators), "CounterForValidators is off"
    assert s.CounterForNominators.value() == len(s.Nominators), "CounterForNominators is off"


def lst_references_resolve(rt: Runtime, ledger: Ledger) -> None:
    """Lst: every pool has its token (an asset with the pool's id), its reward pool, and a reverse
    lookup from its bonded account; counters match their maps (``LastPoolId`` is not checked against
    the pools: root may set it anywhere with ``set_last_pool_id``, and a create that would reuse an
    id fails on the existing pool token; found by a stress run); an unbonding member's pool exists
    (unless the real depositor-dissolve quirk dissolved it under them).

    One exception, in both profiles: root may destroy a live pool's token (pallet_assets'
    ``ForceOrigin`` may ``start_destroy`` any live asset, and nothing in the runtime asks Lst; the
    token's owner is the pallet's keyless admin, so only root can): the pool lives on without it,
    its joins and unbonds failing. A pool whose token entered ``Destroying`` may lack it (found by
    a 10^7-step campaign, real profile, seed 2830)."""
    lst = rt.pallets.get("Lst")
    if lst is None:
        return
    s = lst.storage  # type: ignore[attr-defined]
    assets = rt.pallets["Assets"].storage  # type: ignore[attr-defined]
    destroyed: set[int] = ledger.extra.setdefault("lst_tokens_destroyed_by_root", set())
    for ev in new_events(rt, ledger, "lst_references_resolve"):
        if ev.spec.pallet == "Assets" and ev.spec.name == "DestructionStarted" and s.BondedPools.contains(ev["asset_id"]):
            destroyed.add(ev["asset_id"])
    pools = set(s.BondedPools.keys())
    for pid in pools:
        assert assets.Asset.contains(pid) or pid in destroyed, f"Lst pool {pid} has no pool token (and root never destroyed it)"
        assert s.RewardPools.contains(pid), f"Lst pool {pid} has no reward pool"
        assert s.ReversePoolIdLookup.get(lst.bonded_account(pid)) == pid, f"Lst pool {pid}'s bonded account does not map back to it"  # type: ignore[attr-defined]
    for name in ("BondedPools", "RewardPools", "SubPoolsStorage", "UnbondingMembers", "ReversePoolIdLookup"):
        counter = getattr(s, f"CounterFor{name}").value()
        assert counter == len(getattr(s, name)), f"Lst CounterFor{name} {counter} != {len(getattr(s, name))}"
    for pid in s.SubPoolsStorage.keys():
        assert pid in pools, f"sub-pools of Lst pool {pid}, which does not exist"
    if not rt.ctx.quirk("lst.depositor_withdraw_dissolves_pool"):
        for member, record in s.UnbondingMembers.items():
            for _era, (pid, _points) in record.unbonding_eras:
                assert pid in pools, f"{member} is unbonding from Lst pool {pid}, which does not exist"


def rewards_references_resolve(rt: Runtime, ledger: Ledger) -> None:
    """Rewards: an asset's vault lookup and the vault's asset list agree, and each vault with
    assets has a config."""
    rewards = rt.pallets.get("Rewards")
    if rewards is None:
        return
    s = rewards.storage  # type: ignore[attr-defined]
    for asset, vault in s.AssetLookupRewardVaults.items():
        assert asset in s.RewardVaults.get(vault, ()), f"{asset} is looked up in vault {vault}, which does not list it"
    for vault, vault_assets in s.RewardVaults.items():
        for asset in vault_assets:
            assert s.AssetLookupRewardVaults.get(asset) == vault, f"vault {vault} lists {asset}, which is looked up elsewhere"


REFERENCE_INVARIANTS = [services_references_resolve, delegation_references_resolve, staking_references_resolve, lst_references_resolve,
                        rewards_references_resolve]
