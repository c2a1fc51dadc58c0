"""Services: instance limits, request expiry, and the slashing window."""

from __future__ import annotations

from collections import Counter
from typing import Any

from runtime import Runtime
from simulations.stateful.invariants.ledger import Ledger, SlashRecord, new_events, skip_events

SVC = "Services"


def _committed(rt: Runtime) -> Counter[tuple[int, str]]:
    """(blueprint, operator) -> active instances it runs + pending requests it approved."""
    s = rt.pallets[SVC].storage  # type: ignore[attr-defined]
    out: Counter[tuple[int, str]] = Counter()
    for svc in s.Instances.values():
        for op in svc.operators():
            out[(svc.blueprint, op)] += 1
    for req in s.ServiceRequests.values():
        for op, state in req.operators_with_approval_state:
            if state.name == "Approved":
                out[(req.blueprint, op)] += 1
    return out


def instance_limits_respected(rt: Runtime, ledger: Ledger) -> None:
    """No operator takes on an instance beyond its limit (extension ``instance_limits``): whenever an
    operator's commitments on a blueprint (active instances it runs plus pending requests it
    approved) grow, they stay within its ``OperatorInstanceLimits``. (A limit lowered below the
    current count is allowed; the operator just cannot take more.) The pallet's own count
    ``OperatorInstanceCount`` equals the recomputed commitments."""
    services = rt.pallets.get(SVC)
    if services is None or not rt.profile.extensions.instance_limits:
        return
    s = services.storage  # type: ignore[attr-defined]
    committed = _committed(rt)
    counted = {key: n for key, n in s.OperatorInstanceCount.items() if n}
    assert counted == {k: v for k, v in committed.items() if v}, (
        f"OperatorInstanceCount {counted} != active instances + approved requests {dict(committed)}")
    for key, n in committed.items():
        if n > ledger.committed.get(key, 0):
            limit = s.OperatorInstanceLimits.get(key)
            assert limit is None or n <= limit, f"operator {key[1]} committed to {n} instances of blueprint {key[0]}, above its limit {limit}"
    ledger.committed = dict(committed)


def no_service_from_expired_request(rt: Runtime, ledger: Ledger) -> None:
    """Requests expire (extension ``request_expiry``): a pending request is younger than its expiry
    block, it expires no earlier than ``request_expiry_blocks`` after it was made, and no service
    ever starts from a request that expired or from one older than that."""
    services = rt.pallets.get(SVC)
    if services is None:
        return
    _judge_request_events(rt, ledger, new_events(rt, ledger, "no_service_from_expired_request"))
    _pending_requests_unexpired(rt, ledger, services)


def no_service_from_expired_request_incremental(rt: Runtime, ledger: Ledger, touched: frozenset[str] | set[str]) -> None:
    """:func:`no_service_from_expired_request` after steps that touched ``touched``. Without a
    Services event among them (``"event:Services"``: most of its runs come from time passing,
    ``System.Number``), the events since its last check hold none it judges (every step that
    deposits one re-runs it), so they are passed over without being read; the pending requests
    are judged against the clock as always."""
    services = rt.pallets.get(SVC)
    if services is None:
        return
    if "event:Services" in touched or "no_service_from_expired_request" not in ledger.cursors:  # (never checked: in full)
        _judge_request_events(rt, ledger, new_events(rt, ledger, "no_service_from_expired_request"))
    else:
        skip_events(rt, ledger, "no_service_from_expired_request")
    _pending_requests_unexpired(rt, ledger, services)


def _judge_request_events(rt: Runtime, ledger: Ledger, events: list[Any]) -> None:
    enabled = rt.profile.extensions.request_expiry
    lifetime = rt.profile.extensions.request_expiry_blocks
    for ev in events:
        if ev.spec.pallet != SVC:
            continue
        name = ev.spec.name
        if name == "ServiceRequested":
            ledger.request_created[ev["request_id"]] = ev.block
        elif name == "ServiceRequestExpired":
            rid = ev["request_id"]
            assert enabled, f"request {rid} expired with request expiry off"
            created = ledger.request_created.get(rid)
            assert created is None or ev.block >= created + lifetime, f"request {rid} made at block {created} expired at block {ev.block}, before its {lifetime} blocks"
            ledger.expired_requests.add(rid)
        elif name == "ServiceInitiated":
            rid = ev["request_id"]
            assert rid not in ledger.expired_requests, f"service {ev['service_id']} started from request {rid}, which had expired"
            created = ledger.request_created.get(rid)
            if enabled and created is not None:
                assert ev.block < created + lifetime, f"service {ev['service_id']} started at block {ev.block} from request {rid} made at block {created}: expired at {created + lifetime}"


def _pending_requests_unexpired(rt: Runtime, ledger: Ledger, services: Any) -> None:
    if rt.profile.extensions.request_expiry:
        s = services.storage  # type: ignore[attr-defined]
        for rid in s.ServiceRequests.keys():
            at = s.ServiceRequestExpiresAt.get(rid)
            assert at is not None, f"pending request {rid} has no expiry"
            assert at > rt.block_number, f"request {rid} is still pending at block {rt.block_number}, past its expiry block {at}"
            assert rid not in ledger.expired_requests, f"request {rid} expired but is still pending"


#: the events slashes_respect_windows_and_disputes judges (it tracks the round through Session.NewSession)
_SLASH_EVENTS = frozenset({(SVC, "UnappliedSlash"), (SVC, "SlashDiscarded"), (SVC, "SlashDropped"), ("MultiAssetDelegation", "OperatorSlashed")})
_KIND_OF_SPEC: dict[object, int] = {}  # event spec -> 0 (other), 1 (Session.NewSession), 2 (one of _SLASH_EVENTS)


def _slash_events_with_round(rt: Runtime, ledger: Ledger, consumer: str) -> list[tuple[object, int]]:
    """:func:`events_with_round` keeping only the events in :data:`_SLASH_EVENTS` (the round still
    follows every ``Session.NewSession``): a session rotation's dozens of other events cost one
    lookup each."""
    current = ledger.rounds.get(consumer, 0)
    out = []
    kinds = _KIND_OF_SPEC
    for ev in new_events(rt, ledger, consumer):
        spec = ev.spec
        kind = kinds.get(spec)
        if kind is None:
            kind = _kind_of_spec(spec)
        if kind == 1:
            current = ev["session_index"]
        elif kind == 2:
            out.append((ev, current))
    ledger.rounds[consumer] = current
    return out


#: the labels (:mod:`simulations.fuzz.checks`) of the events a slash's state moves by, and of the queue
_SLASH_LABELS = frozenset({*(f"event:{pallet}.{name}" for pallet, name in _SLASH_EVENTS), f"{SVC}.UnappliedSlashes"})


def slashes_respect_windows_incremental(rt: Runtime, ledger: Ledger, touched: frozenset[str] | set[str]) -> None:
    """:func:`slashes_respect_windows_and_disputes` after steps that touched ``touched``. Most of
    its runs come from a session rotation alone (the round moved, no slash event, the queue not
    written): then the events since its last check hold no slash event (every step that deposits
    one, or writes ``UnappliedSlashes``, re-runs it in full), the slashes it remembers and the
    queue are as its last check left them, and that check left every pending slash queued, so the
    comparison of the two would pass and change nothing. Only the round is followed: it is the
    last ``Session.NewSession``'s index, read from the end of the new events."""
    if not _SLASH_LABELS.isdisjoint(touched) or "slashes_respect_windows_and_disputes" not in ledger.cursors:  # (never checked: in full)
        slashes_respect_windows_and_disputes(rt, ledger)
        return
    if rt.pallets.get(SVC) is None:
        return
    consumer = "slashes_respect_windows_and_disputes"
    if "event:Session.NewSession" not in touched:
        skip_events(rt, ledger, consumer)
        return
    kinds = _KIND_OF_SPEC
    for ev in reversed(new_events(rt, ledger, consumer)):
        spec = ev.spec
        kind = kinds.get(spec)
        if kind is None:
            kind = _kind_of_spec(spec)
        if kind == 1:
            ledger.rounds[consumer] = ev["session_index"]
            return


def _kind_of_spec(spec: Any) -> int:
    """0 (another event), 1 (``Session.NewSession``) or 2 (one of :data:`_SLASH_EVENTS`), remembered."""
    kinds = _KIND_OF_SPEC
    key = (spec.pallet, spec.name)
    if len(kinds) >= 100_000:  # specs of every runtime built so far
        kinds.clear()
    kind = kinds[spec] = 1 if key == ("Session", "NewSession") else 2 if key in _SLASH_EVENTS else 0
    return kind


def slashes_respect_windows_and_disputes(rt: Runtime, ledger: Ledger) -> None:
    """A Services slash is applied no earlier than ``SlashDeferDuration`` rounds after it was
    recorded, never after it was disputed (``SlashDiscarded``), and a slash leaves the unapplied
    queue only by being applied (``OperatorSlashed`` through MultiAssetDelegation), dropped
    (``SlashDropped``) or disputed. A disputed slash is gone for good."""
    services = rt.pallets.get(SVC)
    if services is None:
        return
    defer = services.consts.SlashDeferDuration  # type: ignore[attr-defined]
    exact = rt.ctx.quirk("services.slash_applied_only_in_exact_round")
    on_terminate = rt.ctx.quirk("services.terminate_clears_all_round_slashes")
    silent = rt.ctx.quirk("services.slash_manager_noop") or not rt.profile.extensions.mad_slashing
    slashes = ledger.slashes
    removed_by_event: set[tuple[int, int]] = set()
    for ev, round_now in _slash_events_with_round(rt, ledger, "slashes_respect_windows_and_disputes"):
        pallet, name = ev.spec.pallet, ev.spec.name
        if pallet == SVC and name == "UnappliedSlash":
            key = (ev["era"], ev["index"])
            slashes[key] = SlashRecord(ev["era"], ev["index"], ev["operator"], ev["service_id"], ev["blueprint_id"])
        elif pallet == SVC and name in ("SlashDiscarded", "SlashDropped"):
            key = (ev["era"], ev["index"])
            rec = slashes.get(key)
            assert rec is not None and rec.state == "pending", f"{name} for slash {key}, which was not pending ({rec.state if rec else 'unknown'})"
            rec.state = "discarded" if name == "SlashDiscarded" else "dropped"
            removed_by_event.add(key)
        elif pallet == "MultiAssetDelegation" and name == "OperatorSlashed":
            era = ev["era"]
            candidates = [r for r in slashes.values() if r.era == era and r.operator == ev["operator"] and r.service_id == ev["service_id"]]
            pending = [r for r in candidates if r.state == "pending"]
            if not pending and any(r.state == "discarded" for r in candidates):
                raise AssertionError(f"operator {ev['operator']} slashed at round {round_now} for a slash of service {ev['service_id']} (round {era}) that was disputed")
            assert pending, f"OperatorSlashed for {ev['operator']} (service {ev['service_id']}, round {era}) with no pending slash"
            if not on_terminate:
                earliest = 0 if exact and era == 0 else era + defer
                assert round_now >= earliest, f"slash of {ev['operator']} recorded in round {era} applied in round {round_now}, before its window ends (round {earliest})"
            rec = pending[0]
            rec.state = "applied"
            removed_by_event.add((rec.era, rec.index))
    stored = set(services.storage.UnappliedSlashes.keys())  # type: ignore[attr-defined]
    for key, rec in slashes.items():
        if rec.state != "pending":
            assert key not in stored, f"slash {key} was {rec.state} but is still queued"
        elif key not in stored:
            # gone without an event: only a no-op SlashManager (or a real terminate) deletes silently
            assert silent or on_terminate, f"slash {key} of {rec.operator} vanished without being applied, dropped or disputed"
            # (the real exact-round rule saturates: round-0 slashes go at once while the round is <= the deferral)
            earliest = 0 if exact and rec.era == 0 else rec.era + defer
            if not on_terminate:
                assert rt.current_round >= earliest, f"slash {key} recorded in round {rec.era} removed by round {rt.current_round}, before its window ends"
            rec.state = "applied"
    unknown = stored - set(slashes)
    assert not unknown, f"unapplied slashes with no UnappliedSlash event: {sorted(unknown)}"


def staking_slashes_wait_for_their_era(rt: Runtime, ledger: Ledger) -> None:
    """pallet_staking deferred slashes: a slash queued for era ``e`` (``UnappliedSlashes[e]``) is
    applied when era ``e`` starts, never earlier (``Staking.Slashed`` of its validator while it is
    still queued for a later era), and never forgotten (no queue entry for an era already active).
    A slash removed before its era without being applied was cancelled by governance."""
    staking = rt.pallets.get("Staking")
    if staking is None:
        return
    era = rt.current_era
    now = {key: tuple(s.validator for s in slashes) for key, slashes in staking.storage.UnappliedSlashes.items()}  # type: ignore[attr-defined]
    before: dict[int, tuple[str, ...]] = ledger.extra.get("staking_unapplied", {})
    fresh = new_events(rt, ledger, "staking_slashes_wait_for_their_era")  # consumed either way
    # who was slashed matters only for slashes queued at the last check (none, most of the time)
    slashed = {ev["staker"] for ev in fresh if ev.spec.pallet == "Staking" and ev.spec.name == "Slashed"} if before else set()
    due_now = {v for key, vs in before.items() if key <= era for v in vs}
    for key, validators in before.items():
        if key <= era:
            continue
        still = list(now.get(key, ()))
        for v in validators:
            if v in still:
                still.remove(v)
            elif v in slashed and v not in due_now:
                raise AssertionError(f"deferred staking slash of {v} due in era {key} was applied in era {era}, before its era")
    overdue = sorted(key for key in now if key <= era)
    assert not overdue, f"deferred staking slashes of eras {overdue} are still queued in era {era}: never applied"
    ledger.extra["staking_unapplied"] = now


def staking_slashes_incremental(rt: Runtime, ledger: Ledger, touched: frozenset[str] | set[str]) -> None:
    """:func:`staking_slashes_wait_for_their_era` after steps that touched ``touched``. Nearly all
    of its runs come from an era starting or Staking's events, with no slash queued: when the
    queue (``Staking.UnappliedSlashes``, a write to which re-runs it) was not written and held
    nothing at its last check, it holds nothing now, no queued slash can be due or applied, and
    the full form would find nothing and remember the same empty queue; its events (the
    ``Slashed`` it reads only while a slash is queued) are passed over unread."""
    consumer = "staking_slashes_wait_for_their_era"
    if "Staking.UnappliedSlashes" in touched or ledger.extra.get("staking_unapplied", True) or consumer not in ledger.cursors:
        staking_slashes_wait_for_their_era(rt, ledger)
    elif rt.pallets.get("Staking") is not None:
        skip_events(rt, ledger, consumer)
