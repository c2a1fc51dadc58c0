"""Coverage: what a campaign reached, as features (the corpus keeps runs that reach new ones) and as
the closing report (per call: count and success rate; real error variants reached n of N; the list
never reached)."""

from __future__ import annotations

from collections import Counter
from typing import Any, Iterable

from runtime import Runtime


class Coverage:
    """Features seen: ``call:Pallet.call:outcome``, ``event:Pallet.Event``, ``pair:Event>Event`` (event
    kinds that follow each other within a step: operator and request transitions, slash stages), and
    ``bad:Pallet.call``. Also per-call counts and successes for the report."""

    def __init__(self) -> None:
        self.features: set[str] = set()
        self.calls: Counter[str] = Counter()
        self.successes: Counter[str] = Counter()
        self.errors: Counter[str] = Counter()

    def observe(self, step: list, outcome: str, events: Iterable[Any]) -> int:
        """Record one step; returns how many features were new."""
        before = len(self.features)
        features = self.features
        kind = step[0]
        if kind == "call":
            name = f"{step[2]}.{step[3]}"
            self.calls[name] += 1
            if outcome == "ok":
                self.successes[name] += 1
            elif outcome not in ("refused", "invalid"):
                self.errors[outcome] += 1
            features.add(f"call:{name}:{outcome}")
        elif kind == "bad":
            features.add(f"bad:{step[2]}.{step[3]}:{outcome}")
        previous = None
        for ev in events:
            name = ev.name
            features.add("event:" + name)
            if previous is not None and previous != name:
                features.add(f"pair:{previous}>{name}")
            previous = name
        return len(self.features) - before

    def merge(self, other: "Coverage") -> None:
        self.features |= other.features
        self.calls.update(other.calls)
        self.successes.update(other.successes)
        self.errors.update(other.errors)

    def to_json(self) -> dict[str, Any]:
        return {"features": sorted(self.features), "calls": dict(self.calls), "successes": dict(self.successes), "errors": dict(self.errors)}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "Coverage":
        out = cls()
        out.features = set(data.get("features", ()))
        out.calls.update(data.get("calls", {}))
        out.successes.update(data.get("successes", {}))
        out.errors.update(data.get("errors", {}))
        return out


def error_variants(rt: Runtime) -> list[str]:
    """Every real (non-extension) module error of the runtime's pallets, as ``Pallet.Error``."""
    out = []
    for name, pallet in rt.pallets.items():
        errors = getattr(type(pallet), "Error", None)
        if errors is None or not hasattr(errors, "__errors__"):
            continue
        out += [f"{name}.{e}" for e in errors.__errors__]
    return sorted(out)


def report(coverage: Coverage, rt: Runtime) -> str:
    """The closing coverage report as plain text."""
    lines = ["call                                                 count   success"]
    calls = rt.supported_calls()
    every = [f"{p}.{c}" for p in sorted(calls) for c in calls[p]]
    for name in every:
        n = coverage.calls.get(name, 0)
        ok = coverage.successes.get(name, 0)
        lines.append(f"{name:52s} {n:6d}   {100 * ok / n:5.1f} % ({ok})" if n else f"{name:52s} {0:6d}       -")
    variants = error_variants(rt)
    reached = [v for v in variants if coverage.errors.get(v)]
    never = [v for v in variants if not coverage.errors.get(v)]
    called = sum(1 for name in every if coverage.calls.get(name))
    lines.append(f"calls reached: {called} of {len(every)}; calls that succeeded at least once: "
                 f"{sum(1 for name in every if coverage.successes.get(name))} of {len(every)}")
    lines.append(f"real error variants reached: {len(reached)} of {len(variants)}")
    lines.append("never reached: " + ", ".join(never))
    return "\n".join(lines)
