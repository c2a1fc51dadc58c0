"""Coverage: what a campaign reached, as features (the corpus keeps runs that reach new ones) and as
the closing report (per call: count and success rate; real error variants reached n of N; the list
never reached)."""

from __future__ import annotations

import textwrap
from collections import Counter
from operator import attrgetter
from typing import Any, Callable, Iterable

from runtime import Runtime
from runtime import storage as _storage

_ABSENT = _storage._MISSING  # what the journal records as the old value of a key that did not exist


def _operator(value: Any, events: set[str] | None) -> str:
    if value is _ABSENT:
        return "none"
    return value.status.name + ("+bond-less request" if value.request is not None else "")


def _request(value: Any, events: set[str] | None) -> str:
    if value is _ABSENT:
        if events is None:
            return "none"
        return "initiated" if "Services.ServiceInitiated" in events else "rejected" if "Services.ServiceRequestRejected" in events \
            else "expired" if "Services.ServiceRequestExpired" in events else "removed"
    states = [state.name for _op, state in value.operators_with_approval_state]
    if "Rejected" in states:
        return "rejected by one"
    approved = states.count("Approved")
    return "pending" if approved == 0 else "all approved" if approved == len(states) else "partly approved"


def _services_slash(value: Any, events: set[str] | None) -> str:
    if value is not _ABSENT:
        return "queued"
    if events is None:
        return "none"
    return "discarded" if "Services.SlashDiscarded" in events else "dropped" if "Services.SlashDropped" in events else "applied"


def _staking_slashes(value: Any, events: set[str] | None) -> str:
    if value is _ABSENT or not value:
        return "applied" if events is not None and "Staking.Slashed" in events else "none"
    return f"{min(len(value), 3)}{'+' if len(value) >= 3 else ''} deferred"


#: storage items whose values go through a lifecycle: ``(pallet, item) -> (label, state of a value)``.
#: A step that moves a key from one state to another reaches the feature
#: ``state:<label>:<from>><to>`` (operator A->B, request transitions, slash lifecycle stages).
#: (``events`` is None for the state before the step, the step's event names for the state after)
LIFECYCLES: dict[tuple[str, str], tuple[str, Callable[[Any, set[str] | None], str]]] = {
    ("MultiAssetDelegation", "Operators"): ("operator", _operator),
    ("Services", "ServiceRequests"): ("request", _request),
    ("Services", "UnappliedSlashes"): ("services slash", _services_slash),
    ("Staking", "UnappliedSlashes"): ("staking slash", _staking_slashes),
}
_WATCHED_NAMES = frozenset(name for _, name in LIFECYCLES)


def _operator_transitions() -> tuple[str, ...]:
    """MultiAssetDelegation's operator lifecycle (pallets/multi_asset_delegation/operators.py):
    join, go_offline / go_online, schedule / cancel / execute_leave_operators (cancel returns an
    operator that was offline to Inactive, intended profile), and a bond-less request scheduled,
    executed or cancelled in any status (it travels with the status changes)."""
    request = "+bond-less request"
    out = ["none>Active"]
    for r in ("", request):
        out += [f"Active{r}>Inactive{r}", f"Inactive{r}>Active{r}", f"Active{r}>Leaving{r}", f"Inactive{r}>Leaving{r}",
                f"Leaving{r}>Active{r}", f"Leaving{r}>Inactive{r}", f"Leaving{r}>none"]
    for status in ("Active", "Inactive", "Leaving"):
        out += [f"{status}>{status}{request}", f"{status}{request}>{status}"]
    return tuple(out)


#: every transition the modelled pallets can make, per lifecycle label (the report's "n of N"): read
#: off the pallets' code (the operator's above; Services' approvals.py, expiry.py and slashing.py:
#: a request is approved in part or whole, rejected by one operator and kept, rejected and
#: removed, or expires; Staking's deferred slashes pile up per era, are cancelled (some or all)
#: or applied). A transition reached that is not listed is reported apart, so the list is kept up.
KNOWN_TRANSITIONS: dict[str, tuple[str, ...]] = {
    "operator": _operator_transitions(),
    "request": ("none>pending", "pending>partly approved", "pending>initiated", "partly approved>initiated",
                "pending>rejected by one", "partly approved>rejected by one", "pending>rejected", "partly approved>rejected",
                "rejected by one>partly approved", "rejected by one>initiated", "rejected by one>rejected",
                "pending>expired", "partly approved>expired", "rejected by one>expired"),
    "services slash": ("none>queued", "queued>applied", "queued>discarded", "queued>dropped"),
    "staking slash": ("none>1 deferred", "1 deferred>2 deferred", "2 deferred>3+ deferred",
                      "1 deferred>applied", "2 deferred>applied", "3+ deferred>applied",
                      "1 deferred>none", "2 deferred>1 deferred", "2 deferred>none", "3+ deferred>2 deferred",
                      "3+ deferred>1 deferred", "3+ deferred>none"),
}


def state_transitions(journal: list[tuple[Any, Any, Any]], events: Iterable[Any]) -> list[str]:
    """The lifecycle transitions a step made: for each watched key it wrote, its state before the
    step (the journal's first old value) and after it (the stored value now)."""
    first: dict[tuple[Any, Any], Any] = {}
    for item, key, old in journal:
        if item.name in _WATCHED_NAMES and (item, key) not in first and (item.prefix, item.name) in LIFECYCLES:
            first[(item, key)] = old
    if not first:
        return []
    names = {ev.name for ev in events}
    out = []
    for (item, key), old in first.items():
        label, state = LIFECYCLES[(item.prefix, item.name)]
        new = item._d.get(key, _ABSENT)
        before, after = state(old, None), state(new, names)
        if old is _ABSENT and new is _ABSENT:
            continue
        if before != after:
            out.append(f"state:{label}:{before}>{after}")
    return out


#: feature strings built once: (pallet, call, outcome) -> (name, feature); an event spec -> its
#: feature; (spec, next spec) -> the features of the second event after the first
_NAMES: dict[Any, Any] = {}


def _remember(key: Any, value: Any) -> Any:
    if len(_NAMES) >= 100_000:  # bounded: outcomes of every runtime built so far
        _NAMES.clear()
    _NAMES[key] = value
    return value


_SPEC = attrgetter("spec")
#: a step's sequence of event kinds -> its event features (:func:`_event_features`); bounded
_BY_KINDS: dict[tuple[Any, ...], frozenset[str]] = {}


def _event_features(kinds: tuple[Any, ...]) -> frozenset[str]:
    """``event:Pallet.Event`` for every kind, and ``pair:A>B`` for every two consecutive kinds that differ."""
    out: set[str] = set()
    previous = None
    for spec in kinds:
        if previous is None:
            got = _NAMES.get(spec)
            if got is None:
                got = _remember(spec, "event:" + spec.qualified)
            out.add(got)
        elif previous is not spec:
            got = _NAMES.get((previous, spec))
            if got is None:
                # one feature set per pair: the event's own, and the pair's when the kinds differ
                name = spec.qualified
                got = _remember((previous, spec), ("event:" + name,) + (() if previous.qualified == name else (f"pair:{previous.qualified}>{name}",)))
            out.update(got)
        previous = spec
    if len(_BY_KINDS) >= 20_000:  # bounded: a long campaign meets few sequences, a hostile one many
        _BY_KINDS.clear()
    result = _BY_KINDS[kinds] = frozenset(out)
    return result


class Coverage:
    """Features seen: ``call:Pallet.call:outcome``, ``event:Pallet.Event``, ``pair:Event>Event`` (event
    kinds that follow each other within a step), ``state:<lifecycle>:<from>><to>`` (operator state
    A->B, request transitions, slash lifecycle stages: :data:`LIFECYCLES`) and ``bad:Pallet.call``.
    Also per-call counts and successes for the report."""

    def __init__(self) -> None:
        self.features: set[str] = set()
        self.calls: Counter[str] = Counter()
        self.successes: Counter[str] = Counter()
        self.errors: Counter[str] = Counter()
        #: ``Services.call`` / ``submit_result`` per service: ``("Services.call", 1)`` -> count (and
        #: successes; service None: no integer id), so a blueprint author sees how often *their*
        #: service's jobs ran, not the kit's service and theirs together
        self.service_calls: Counter[tuple[str, int | None]] = Counter()
        self.service_successes: Counter[tuple[str, int | None]] = Counter()

    def observe(self, step: list, outcome: str, events: Iterable[Any], transitions: Iterable[str] = ()) -> int:
        """Record one step (its outcome, events and :func:`state_transitions`); returns how many
        features were new. Feature strings are built once per call and outcome, event kind and
        pair of kinds (:data:`_NAMES`), not per step."""
        features = self.features
        before = len(features)
        if transitions:
            features.update(transitions)
        kind = step[0]
        if kind == "call":
            names = _NAMES.get((step[2], step[3], outcome))
            if names is None:
                names = _remember((step[2], step[3], outcome), (f"{step[2]}.{step[3]}", f"call:{step[2]}.{step[3]}:{outcome}"))
            name = names[0]
            self.calls[name] += 1
            if outcome == "ok":
                self.successes[name] += 1
            elif outcome != "refused" and outcome != "invalid":
                self.errors[outcome] += 1
            if name in _PER_SERVICE:
                params = step[4]
                sid = params.get("service_id") if type(params) is dict else None
                key = (name, sid if type(sid) is int else None)
                self.service_calls[key] += 1
                if outcome == "ok":
                    self.service_successes[key] += 1
            features.add(names[1])
        elif kind == "bad":
            features.add(f"bad:{step[2]}.{step[3]}:{outcome}")
        if events:
            # the features of a step's events depend only on the sequence of their kinds, and a
            # campaign meets the same few sequences again and again (a session rotation's): built
            # once per sequence
            kinds = tuple(map(_SPEC, events))
            got = _BY_KINDS.get(kinds)
            if got is None:
                got = _event_features(kinds)
            features.update(got)
        return len(features) - before

    def merge(self, other: "Coverage") -> None:
        self.features |= other.features
        self.calls.update(other.calls)
        self.successes.update(other.successes)
        self.errors.update(other.errors)
        self.service_calls.update(other.service_calls)
        self.service_successes.update(other.service_successes)

    def copy(self) -> "Coverage":
        out = Coverage()
        out.merge(self)
        return out

    def since(self, earlier: "Coverage") -> "Coverage":
        """What this coverage added to ``earlier`` (a copy of it taken before): the new features and
        the count increments, so merging it elsewhere counts each step once."""
        out = Coverage()
        out.features = self.features - earlier.features
        for name in ("calls", "successes", "errors", "service_calls", "service_successes"):
            getattr(out, name).update(getattr(self, name) - getattr(earlier, name))
        return out

    def to_json(self) -> dict[str, Any]:
        return {"features": sorted(self.features), "calls": dict(self.calls), "successes": dict(self.successes), "errors": dict(self.errors),
                "service_calls": _by_text(self.service_calls), "service_successes": _by_text(self.service_successes)}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "Coverage":
        out = cls()
        out.features = set(data.get("features", ()))
        out.calls.update(data.get("calls", {}))
        out.successes.update(data.get("successes", {}))
        out.errors.update(data.get("errors", {}))
        out.service_calls.update(_from_text(data.get("service_calls", {})))
        out.service_successes.update(_from_text(data.get("service_successes", {})))
        return out


def _by_text(counts: Counter[tuple[str, int | None]]) -> dict[str, int]:
    """JSON keys for per-service counts: ``"Services.call 1"`` (``"Services.call ?"``: no id)."""
    return {f"{name} {'?' if sid is None else sid}": n for (name, sid), n in counts.items()}


def _from_text(data: dict[str, int]) -> dict[tuple[str, int | None], int]:
    out: dict[tuple[str, int | None], int] = {}
    for key, n in data.items():
        name, _, sid = key.rpartition(" ")
        out[(name, int(sid) if sid.isdigit() else None)] = n
    return out


#: the calls counted per service too (:attr:`Coverage.service_calls`)
_PER_SERVICE = frozenset({"Services.call", "Services.submit_result"})


def error_variants(rt: Runtime) -> list[str]:
    """Every real (non-extension) module error of the runtime's pallets, as ``Pallet.Error``."""
    out = []
    for name, pallet in rt.pallets.items():
        errors = getattr(type(pallet), "Error", None)
        if errors is None or not hasattr(errors, "__errors__"):
            continue
        out += [f"{name}.{e}" for e in errors.__errors__]
    return sorted(out)


#: call outcomes that stop before the call's body: the origin check (``BadOrigin``; Sudo's
#: ``RequireSudo`` for any signer but the key) and input refused before dispatch
NOT_RUN = frozenset({"BadOrigin", "Sudo.RequireSudo", "refused", "invalid"})


def body_ran(coverage: Coverage) -> set[str]:
    """Calls with an outcome other than :data:`NOT_RUN`: their body ran (it succeeded, or failed
    past the origin check). "Sent" alone counted a call only ever refused at its origin as reached."""
    out = set()
    for feature in coverage.features:
        if feature.startswith("call:"):
            _, name, outcome = feature.split(":", 2)
            if outcome not in NOT_RUN:
                out.add(name)
    return out


def decrees(rt: Runtime) -> list[str]:
    """The runtime's calls the engine never sends from root by design (``engine.DECREES``: they
    rewrite balances or raw storage by decree, which breaks the custody invariants on purpose), so
    they can only fail at their origin check."""
    from simulations.fuzz.engine import DECREES

    calls = rt.supported_calls()
    return sorted(f"{p}.{c}" for p, c in DECREES if c in calls.get(p, ()))


def real_events(rt: Runtime) -> list[str]:
    """Every real (non-extension) event of the runtime's pallets, as ``Pallet.Event``: the metadata's
    events of the modelled pallets (the conformance check holds them to the metadata)."""
    out = []
    for name, pallet in rt.pallets.items():
        events = getattr(type(pallet), "Event", None)
        if events is None or not hasattr(events, "__events__"):
            continue
        out += [f"{name}.{e}" for e, spec in events.__events__.items() if not spec.extension]
    return sorted(out)


def summary(coverage: Coverage, rt: Runtime) -> str:
    """One line: features, calls reached, real error variants reached (what a corpus holds), calls
    whose body ran, real events and known transitions reached."""
    calls = rt.supported_calls()
    every = [f"{p}.{c}" for p in sorted(calls) for c in calls[p]]
    variants = error_variants(rt)
    ran = body_ran(coverage)
    events = real_events(rt)
    known, reached_known, _ = _transitions(coverage)
    return (f"{len(coverage.features):,} features; calls reached {sum(1 for n in every if coverage.calls.get(n))} of {len(every)}; "
            f"real error variants reached {sum(1 for v in variants if coverage.errors.get(v))} of {len(variants)}; "
            f"calls whose body ran {sum(1 for n in every if n in ran)} of {len(every)}; "
            f"real events reached {sum(1 for e in events if 'event:' + e in coverage.features)} of {len(events)}; "
            f"known state transitions reached {len(reached_known)} of {len(known)}")


def report(coverage: Coverage, rt: Runtime, full: str | None = None, width: int = 100, run_length: int | None = None) -> str:
    """The closing coverage report as plain text: per call, the job calls of each service, error
    variants, events and lifecycle transitions (n of N each). The names never reached are counts
    per pallet (all of them made one ~9,000-character line); ``full`` names the file that has every
    name (:func:`full_report`). ``run_length``: the campaign's, stated (states that take longer
    than a run to build are out of its reach)."""
    lines = []
    if run_length is not None:
        lines += textwrap.wrap(f"runs of {run_length:,} steps (--run-length), each from the starting world: a state that takes more steps "
                               "or many eras to build is out of reach; a longer --run-length reaches it", width, break_on_hyphens=False)
    lines.append("call                                                 count   success")
    calls = rt.supported_calls()
    every = [f"{p}.{c}" for p in sorted(calls) for c in calls[p]]
    ran = body_ran(coverage)
    by_decree = set(decrees(rt))
    for name in every:
        n = coverage.calls.get(name, 0)
        ok = coverage.successes.get(name, 0)
        note = "  never from root: DECREES" if name in by_decree else "  origin check only" if n and name not in ran else ""
        lines.append((f"{name:52s} {n:6d}   {100 * ok / n:5.1f} % ({ok})" if n else f"{name:52s} {0:6d}       -") + note)
    lines += service_lines(coverage, rt)
    variants = error_variants(rt)
    reached = [v for v in variants if coverage.errors.get(v)]
    never = [v for v in variants if not coverage.errors.get(v)]
    called = sum(1 for name in every if coverage.calls.get(name))
    lines.append(f"calls reached: {called} of {len(every)}; calls that succeeded at least once: "
                 f"{sum(1 for name in every if coverage.successes.get(name))} of {len(every)}")
    lines += textwrap.wrap(f"calls whose body ran (an outcome other than {', '.join(sorted(NOT_RUN))}): {sum(1 for n in every if n in ran)} of "
                           f"{len(every)}; the others were sent but stopped at the origin check or the input", width,
                           subsequent_indent="  ", break_on_hyphens=False)
    if by_decree:
        lines += textwrap.wrap(f"never sent from root by design (simulations/fuzz/engine.py DECREES: they rewrite balances or storage by decree), "
                               f"so they cannot succeed: {', '.join(sorted(by_decree))}", width, subsequent_indent="  ", break_on_hyphens=False)
    lines.append(f"real error variants reached: {len(reached)} of {len(variants)}")
    where = f"; every name in {full}" if full else ""
    lines += _never_lines(never, where, width)
    events = real_events(rt)
    no_event = [e for e in events if "event:" + e not in coverage.features]
    lines.append(f"real events reached: {len(events) - len(no_event)} of {len(events)} (the modelled pallets' events in the metadata)")
    lines += _never_lines(no_event, where, width)
    lines += _transition_lines(coverage, width)
    return "\n".join(lines)


def _never_lines(never: list[str], where: str, width: int) -> list[str]:
    per_pallet = Counter(v.partition(".")[0] for v in never)
    return textwrap.wrap(f"never reached: {len(never)} ({', '.join(f'{p} {n}' for p, n in sorted(per_pallet.items()))}){where}",
                         width, subsequent_indent="  ", break_on_hyphens=False)


def full_report(coverage: Coverage, rt: Runtime, run_length: int | None = None) -> str:
    """:func:`report` with every error variant, event and known state transition never reached
    named, one per line (the file the console report points to)."""
    variants = error_variants(rt)
    never = [v for v in variants if not coverage.errors.get(v)]
    events = real_events(rt)
    no_event = [e for e in events if "event:" + e not in coverage.features]
    known, reached_known, _ = _transitions(coverage)
    no_edge = [t for t in known if t not in reached_known]
    return (report(coverage, rt, run_length=run_length)
            + f"\n\nreal events not reached ({len(no_event)} of {len(events)}):\n" + "".join(f"  {e}\n" for e in no_event)
            + f"\nknown state transitions not reached ({len(no_edge)} of {len(known)}):\n" + "".join(f"  {t}\n" for t in no_edge)
            + f"\nreal error variants never reached ({len(never)} of {len(variants)}):\n" + "".join(f"  {v}\n" for v in never))


def _transitions(coverage: Coverage) -> tuple[list[str], set[str], list[str]]:
    """Known transitions (``label:A>B``), those reached, and those reached that are not known."""
    known = [f"{label}:{edge}" for label, edges in KNOWN_TRANSITIONS.items() for edge in edges]
    reached = {f[len("state:"):] for f in coverage.features if f.startswith("state:")}
    return known, reached & set(known), sorted(reached - set(known))


def _transition_lines(coverage: Coverage, width: int) -> list[str]:
    reached_states = sorted(f[len("state:"):] for f in coverage.features if f.startswith("state:"))
    by_lifecycle: dict[str, list[str]] = {}
    for item in reached_states:
        label, _, edge = item.partition(":")
        by_lifecycle.setdefault(label, []).append(edge)
    known, reached_known, unknown = _transitions(coverage)
    lines = [f"known state transitions reached: {len(reached_known)} of {len(known)}"
             + (f" (and {len(unknown)} not in the known list: {', '.join(unknown)})" if unknown else "")]
    for label, _fn in LIFECYCLES.values():
        edges = by_lifecycle.get(label, [])
        of = len(KNOWN_TRANSITIONS.get(label, ()))
        n = sum(f"{label}:{edge}" in reached_known for edge in edges)  # n of the N known (others are listed, not counted)
        lines += textwrap.wrap(f"  {label:15s} {n:2d} of {of:2d}: " + (", ".join(edges) if edges else "-"), width,
                               subsequent_indent=" " * 26, break_on_hyphens=False) or [""]
    return lines


def service_lines(coverage: Coverage, rt: Runtime) -> list[str]:
    """``Services.call`` and ``submit_result`` per service of the starting world (its blueprint
    named), then the services the campaign created, together: the table above counts every
    service at once, which left an author unable to tell how often their own jobs ran."""
    if not coverage.service_calls:
        return []
    storage = rt.pallets["Services"].storage
    per: dict[Any, dict[str, tuple[int, int]]] = {}
    for key, n in coverage.service_calls.items():
        name, sid = key
        service = sid if sid is not None and storage.Instances.get(sid) is not None else None
        row = per.setdefault(service, {})
        count, ok = row.get(name, (0, 0))
        row[name] = (count + n, ok + coverage.service_successes.get(key, 0))
    lines = ["job calls and results per service (Services.call / Services.submit_result: count, success):"]
    for service in sorted(per, key=lambda s: (s is None, s or 0)):
        row = per[service]
        cells = "; ".join(f"{name.partition('.')[2]} {count:,} ({100 * ok / count:.1f} % ok)" for name, (count, ok) in sorted(row.items()) if count)
        lines.append(f"  {_service_label(rt, service):50s} {cells}")
    return lines


def _service_label(rt: Runtime, service: int | None) -> str:
    if service is None:
        return "services the campaign created (or no such id)"
    storage = rt.pallets["Services"].storage
    instance = storage.Instances.get(service)
    entry = storage.Blueprints.get(instance.blueprint)
    name = entry[1].metadata.name if entry is not None else None
    text = name.decode(errors="replace") if isinstance(name, (bytes, bytearray)) else str(name) if name is not None else "?"
    return f"service {service} (blueprint {instance.blueprint} {text[:24]!r})"
