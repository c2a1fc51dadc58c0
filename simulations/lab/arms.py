"""Arms: named combinations of a veto policy, a timing rule and parameter overrides.

A sweep runs every arm on the same seeds (run ``i`` uses ``run_seed(base, i)`` in every arm:
common random numbers), so differences between arms are paired. A parameter is applied only to
the arms whose rule it affects (``slash_defer_duration`` moves only the Tangle rule, the
EigenLayer window only EigenLayer...), and arms that end up identical (same rule, same policy,
same effective overrides: :meth:`Arm.key`) are run once. So ``--param slash_defer_duration=7,14,28``
adds two Tangle arms, not two copies of every other rule.

Arms come from the scenario's ``arms:`` list, or from the command line: ``--policy`` (names from
the scenario's ``policies:``, a built-in kind, ``veto_under:10``, ``random:0.3``, or an inline
YAML mapping) × ``--rule`` × the ``--param`` grid.
"""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass
from typing import Any, Iterable

from simulations.scenario import RULE_NAMES, GovernanceSpec, Parameters, Scenario

# dotted override keys (or prefixes) that only matter under some rules; anything else moves every arm
RULE_SPECIFIC: dict[str, frozenset[str]] = {
    "parameters.slash_defer_duration": frozenset({"tangle_services"}),  # Services SlashDeferDuration (0 under the other rules)
    "parameters.staking_slash_defer_duration": frozenset({"substrate_staking"}),  # Staking SlashDeferDuration (0 under the others)
    "parameters.symbiotic": frozenset({"symbiotic"}),
    "parameters.eigenlayer": frozenset({"eigenlayer"}),
    "governance.resolver": frozenset({"symbiotic"}),
    # veto paths run through the runtime's own pallets only where the slash is in a pallet's queue
    "governance.path": frozenset({"tangle_services", "substrate_staking"}),
    "governance.sudo": frozenset({"tangle_services", "substrate_staking"}),
    "governance.council": frozenset({"tangle_services", "substrate_staking"}),
    "governance.voters": frozenset({"tangle_services", "substrate_staking"}),
    "governance.fast_track_voting_period": frozenset({"tangle_services", "substrate_staking"}),
}
SIMPLE_POLICIES = ("never", "always", "veto_disputed")


class ArmError(ValueError):
    """An arm or a --policy that cannot be built; the message names the offending value."""


def normalize_key(key: str) -> str:
    """``slash_defer_duration`` -> ``parameters.slash_defer_duration``, ``eigenlayer.veto_window_blocks``
    -> ``parameters.eigenlayer.veto_window_blocks`` (a parameter needs no ``parameters.`` prefix)."""
    parts = key.strip().split(".")
    if parts[0] in Parameters.model_fields and parts[0] not in Scenario.model_fields:
        return "parameters." + key.strip()
    return key.strip()


def affects(key: str, rule: str) -> bool:
    """Does the override ``key`` change anything under ``rule``?"""
    key = normalize_key(key)
    for prefix, rules in RULE_SPECIFIC.items():
        if key == prefix or key.startswith(prefix + "."):
            return rule in rules
    return True


def short_key(key: str) -> str:
    key = normalize_key(key)
    return key[len("parameters."):] if key.startswith("parameters.") else key


@dataclass(frozen=True)
class Arm:
    """One arm. ``policy`` None keeps the scenario's own ``governance.policy``."""

    name: str
    rule: str
    policy_name: str | None
    policy: str | None  # canonical JSON of the policy model, or None
    params: tuple[tuple[str, Any], ...]  # the overrides that affect this rule, keys normalized, sorted

    def key(self) -> str:
        """Identical keys run identical simulations."""
        return json.dumps([self.rule, self.policy, [[k, v] for k, v in self.params]], sort_keys=True, default=str)

    def overrides(self) -> dict[str, Any]:
        out: dict[str, Any] = dict(self.params)
        if self.policy is not None:
            out["governance.policy"] = json.loads(self.policy)
        return out

    def point(self) -> dict[str, Any]:
        """Frame columns: the policy's name (when arms choose one) and the parameters that apply."""
        out: dict[str, Any] = {}
        if self.policy_name is not None:
            out["policy"] = self.policy_name
        out.update({short_key(k): v for k, v in self.params})
        return out


def _policy_models() -> dict[str, Any]:
    """The policy models by ``kind``."""
    import typing

    from simulations.scenario import Policy

    union = typing.get_args(Policy)[0]
    return {typing.get_args(m.model_fields["kind"].annotation)[0]: m for m in typing.get_args(union)}


def _allowed(kind: Any, field: Any) -> str:
    """`` (allowed: 1 to 100)`` from the field's bounds, or ``""``."""
    model = _policy_models().get(kind)
    info = model.model_fields.get(field) if model is not None and isinstance(field, str) else None
    if info is None:
        return ""
    low = next((m.ge for m in info.metadata if getattr(m, "ge", None) is not None), None)
    high = next((m.le for m in info.metadata if getattr(m, "le", None) is not None), None)
    if low is None and high is None:
        return ""
    if low is not None and high is not None:
        return f" (allowed: {low} to {high})"
    return f" (allowed: at least {low})" if low is not None else f" (allowed: at most {high})"


def policy_problems(exc: Any) -> list[str]:
    """A pydantic error of a policy as ``field: problem (allowed: range) (got value)`` lines: the
    field named as the user wrote it (``random.p``, ``any_of.policies[0].percent``), never the
    model's name."""
    kinds = set(_policy_models())
    lines = []
    for err in exc.errors(include_url=False):
        loc = list(err["loc"])[1:]  # under GovernanceSpec.policy
        name = ""
        kind = field = None
        for i, item in enumerate(loc):
            if isinstance(item, str) and item in kinds and (i == 0 or isinstance(loc[i - 1], int)):
                kind = item  # the discriminator's tag: which model, not a field the user wrote (but a top-level kind names it)
                name = name or item
                continue
            field = item
            name += f"[{item}]" if isinstance(item, int) else ("." if name else "") + str(item)
        name = name or "policy"
        msg = str(err["msg"]).removeprefix("Value error, ")
        if err["type"] == "union_tag_invalid":
            lines.append(f"{name}: unknown kind {err['ctx']['tag']!r}; kinds: {', '.join(sorted(kinds))}")
            continue
        got = "" if err["type"] == "missing" else f" (got {err['input']!r})"
        lines.append(f"{name}: {msg}{_allowed(kind, field)}{got}")
    return lines


def _policy_json(spec: Any, where: str) -> str:
    from pydantic import ValidationError

    try:
        model = GovernanceSpec.model_validate({"policy": spec}).policy
    except ValidationError as exc:
        raise ArmError(f"{where}: not a veto policy: " + "; ".join(policy_problems(exc))) from None
    return json.dumps(model.model_dump(mode="json"), sort_keys=True)


def inline_policy_name(data: Any) -> str:
    """The name of an inline policy mapping: its kind and the fields it sets, e.g.
    ``veto_under(percent=10)``. The kind alone named two different inline policies alike, and a
    sweep then summed both arms' runs under one name (session 29)."""
    if not isinstance(data, dict):
        return "policy"
    fields = [(k, v) for k, v in sorted(data.items(), key=lambda kv: str(kv[0])) if k != "kind"]
    shown = ",".join(f"{k}={v if isinstance(v, (str, int, float)) else json.dumps(v, sort_keys=True, separators=(',', ':'), default=str)}"
                     for k, v in fields)
    return f"{data.get('kind', 'policy')}({shown})" if fields else str(data.get("kind", "policy"))


def resolve_policy(sc: Scenario, text: Any, where: str = "--policy") -> tuple[str, str]:
    """(name, canonical JSON) of a policy given by name, shorthand or mapping."""
    if isinstance(text, dict):
        return inline_policy_name(text), _policy_json(text, where)
    if not isinstance(text, str) or not text.strip():
        raise ArmError(f"{where}: expected a policy name, got {text!r}")
    text = text.strip()
    if text in sc.policies:
        return text, json.dumps(sc.policies[text].model_dump(mode="json"), sort_keys=True)
    if text == "scenario":
        return text, json.dumps(sc.governance.policy.model_dump(mode="json"), sort_keys=True)
    if text in SIMPLE_POLICIES:
        return text, _policy_json({"kind": text}, where)
    kind, sep, arg = text.partition(":")
    if sep and kind in ("veto_under", "random"):
        try:
            value: Any = int(arg) if kind == "veto_under" else float(arg)
        except ValueError:
            raise ArmError(f"{where}: {text!r}: {kind} takes a number ({'percent' if kind == 'veto_under' else 'probability'})") from None
        return text, _policy_json({"kind": kind, ("percent" if kind == "veto_under" else "p"): value}, where)
    if text.startswith("{"):
        import yaml

        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise ArmError(f"{where}: cannot read {text!r}: {exc}".splitlines()[0]) from None
        return inline_policy_name(data), _policy_json(data, where)
    known = sorted(set(sc.policies) | set(SIMPLE_POLICIES) | {"scenario"})
    raise ArmError(f"{where}: unknown policy {text!r}; named in the scenario or built in: {known}; or veto_under:N, random:P, or an inline {{kind: ...}}")


def make_arm(rule: str, params: Iterable[tuple[str, Any]], policy_name: str | None = None, policy: str | None = None, name: str | None = None,
             named: set[str] | None = None) -> Arm:
    """An arm keeping only the overrides that affect ``rule``; its default name is
    ``rule/policy/key=value...`` over the keys in ``named`` (default: all)."""
    if rule not in RULE_NAMES:
        raise ArmError(f"unknown rule {rule!r}; rules: {list(RULE_NAMES)}")
    effective = tuple(sorted((normalize_key(k), v) for k, v in params if affects(k, rule)))
    if name is None:
        shown = [(k, v) for k, v in effective if named is None or k in named]
        name = "/".join([rule] + ([policy_name] if policy_name else []) + [f"{short_key(k)}={v}" for k, v in shown])
    return Arm(name, rule, policy_name, policy, effective)


def dedupe(arms: Iterable[Arm]) -> list[Arm]:
    """Identical arms once, the first name kept, order preserved."""
    seen: dict[str, Arm] = {}
    for arm in arms:
        seen.setdefault(arm.key(), arm)
    return list(seen.values())


def grid_arms(sc: Scenario, rules: list[str], grid: dict[str, list[Any]], policies: list[str] | None = None) -> tuple[list[Arm], int]:
    """policy × rule × parameter grid, deduplicated; returns (arms, combinations before dedup)."""
    if policies and any(normalize_key(k).startswith("governance.policy") for k in grid):
        raise ArmError("--param governance.policy... and --policy both choose the policy; use one")
    keys = sorted(grid)
    points = [tuple(zip(keys, combo)) for combo in itertools.product(*(grid[k] for k in keys))] or [()]
    resolved: list[tuple[str | None, str | None]] = [resolve_policy(sc, p) for p in policies] if policies else [(None, None)]
    varied = {normalize_key(k) for k, values in grid.items() if len(values) > 1}  # a single value is applied, not named
    arms = [make_arm(rule, point, name_, pol, named=varied) for name_, pol in resolved for rule in rules for point in points]
    return unique_names(dedupe(arms)), len(arms)


def unique_names(arms: list[Arm]) -> list[Arm]:
    """``arms``, refused if two different arms share a name: results are summarised by name, so
    they would be pooled into one row."""
    by_name: dict[str, Arm] = {}
    for arm in arms:
        other = by_name.setdefault(arm.name, arm)
        if other is not arm:
            raise ArmError(f"two different arms are both named {arm.name!r} (policies {other.policy} and {arm.policy}, "
                           f"parameters {dict(other.params)} and {dict(arm.params)}); give them distinct names")
    return arms


def declared_arms(sc: Scenario) -> list[Arm]:
    """The scenario's ``arms:`` (deduplicated; parameters that do not affect an arm's rule dropped)."""
    out = []
    for i, decl in enumerate(sc.arms):
        if decl.policy is None:
            name_, pol = None, None
        elif isinstance(decl.policy, str):
            name_, pol = resolve_policy(sc, decl.policy, f"arms[{i}].policy")
        else:
            set_fields = {"kind": decl.policy.kind, **decl.policy.model_dump(mode="json", exclude_defaults=True)}
            name_, pol = inline_policy_name(set_fields), json.dumps(decl.policy.model_dump(mode="json"), sort_keys=True)
        out.append(make_arm(decl.rule, decl.params.items(), name_, pol, name=decl.name))
    return unique_names(dedupe(out))
