"""Governance veto policies: decide, for each proposed slash, whether governance vetoes it.

A policy sees a :class:`SlashView` (who, how much, whether the evidence is disputed, which rule,
how long the veto window is) and answers True (veto) or False. Policies that need randomness draw
from governance's own stream, so its decisions do not move when actors are added. The decision is
made when the slash is proposed; under the ``shortcut`` path the veto itself lands ``reaction_blocks``
later, and only counts if that is not after the rule's last veto block (see
:mod:`simulations.lab.slash_queue`); on the other ``governance.path`` values it is a real process
run by governance agents (:mod:`simulations.lab.governors`), each deciding with these policies.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any, Callable

from simulations.rng import Streams

GOVERNANCE_ACTOR = "governance"


@dataclass(frozen=True)
class SlashView:
    """What governance knows about a proposed slash."""

    slash_id: int
    rule: str
    offender: str  # actor id
    target: str  # services | staking
    percent: int
    disputed: bool
    proposed_block: int
    last_veto_block: int | None
    veto_window_blocks: int


Decider = Callable[[SlashView, Streams], bool]


def check_callable(ref: str) -> Callable[[SlashView], Any]:
    """Import ``package.module:function`` and check it can be called with one SlashView: done when
    the scenario or ``--policy`` is validated, so a bad ref is refused before anything is stored
    or run. Errors say what was wrong (without the field's name: the caller knows where it is)."""
    import inspect

    module_name, _, attr = ref.partition(":")
    try:
        module = importlib.import_module(module_name)
    except Exception as exc:  # ImportError, or whatever importing the user's module raised
        raise ValueError(f"cannot import {module_name!r}: {type(exc).__name__}: {exc}") from None
    fn = getattr(module, attr, None)
    if not callable(fn):
        raise ValueError(f"{module_name!r} has no callable {attr!r}")
    try:
        signature = inspect.signature(fn)
    except (TypeError, ValueError):
        return fn  # a builtin without a signature: it can only be checked by calling it
    try:
        signature.bind(None)
    except TypeError:
        raise ValueError(f"{ref} cannot be called with one argument (a simulations.governance.SlashView): its signature is "
                         f"{attr}{signature}") from None
    return fn


def resolve_callable(ref: str) -> Callable[[SlashView], Any]:
    """Import ``package.module:function``; errors say what was wrong."""
    try:
        return check_callable(ref)
    except ValueError as exc:
        raise ValueError(f"governance.policy.ref: {exc}") from None


def build_policy(spec: Any, actor: str = GOVERNANCE_ACTOR) -> Decider:
    """A decision function from a scenario ``governance.policy`` model; ``random`` draws from
    ``actor``'s stream (governance's own, or a governance agent's: ``gov/<id>``)."""
    kind = spec.kind
    if kind == "never":
        return lambda view, streams: False
    if kind == "always":
        return lambda view, streams: True
    if kind == "veto_under":
        limit = spec.percent
        return lambda view, streams: view.percent < limit
    if kind == "veto_disputed":
        return lambda view, streams: view.disputed
    if kind == "random":
        p = spec.p
        return lambda view, streams: streams.chance(actor, p)
    if kind == "callable":
        fn = resolve_callable(spec.ref)
        return lambda view, streams: bool(fn(view))
    if kind == "any_of":
        parts = [build_policy(p, actor) for p in spec.policies]

        def any_of(view: SlashView, streams: Streams) -> bool:
            # evaluate all (no short-circuit) so random members always draw the same way
            votes = [part(view, streams) for part in parts]
            return any(votes)

        return any_of
    raise ValueError(f"unknown governance policy {kind!r}")


def describe_policy(spec: Any) -> str:
    """A short label for reports (``veto_under(10%)``, ``random(p=0.3)``...)."""
    kind = spec.kind
    if kind == "veto_under":
        return f"veto_under({spec.percent}%)"
    if kind == "random":
        return f"random(p={spec.p})"
    if kind == "callable":
        return f"callable({spec.ref})"
    if kind == "any_of":
        return "any_of(" + ", ".join(describe_policy(p) for p in spec.policies) + ")"
    return kind


# an example callable policy, usable from scenario files as "simulations.governance:veto_small_disputed"
def veto_small_disputed(view: SlashView) -> bool:
    """Veto disputed slashes of at most 20%, but only when governance has at least one round to act."""
    return view.disputed and view.percent <= 20 and view.veto_window_blocks > 0
