"""A veto policy is user code (``{kind: callable, ref: module:function}``): when it raises, the run
cannot go on, and the user needs one line naming the policy and the slash, not a traceback from a
worker process. :func:`guarded` turns its exception into a :class:`PolicyError` (picklable, so it
crosses a process pool unchanged); :func:`probe_policies` calls every callable policy of a scenario
once on a sample slash before anything is stored, so the common bug (a function that cannot take a
:class:`~simulations.governance.SlashView`) is refused with no store written at all."""

from __future__ import annotations

from typing import Any, Callable, Iterator

from simulations.governance import SlashView, build_policy, describe_policy

MAX_MESSAGE = 300  # characters of the policy's own exception kept in the line


class PolicyError(ValueError):
    """A veto policy raised: the message names the policy and the slash it was deciding."""


def _what(exc: BaseException) -> str:
    text = f"{type(exc).__name__}: {exc}".splitlines()[0] if str(exc) else type(exc).__name__
    return text if len(text) <= MAX_MESSAGE else text[:MAX_MESSAGE] + "…"


def guarded(decide: Callable[[SlashView, Any], bool], spec: Any, who: str = "governance.policy") -> Callable[[SlashView, Any], bool]:
    """``decide`` (from :func:`build_policy`), raising :class:`PolicyError` instead of whatever a
    callable policy raised; built-in policies cannot raise, so they are returned as they are."""
    if not _has_callable(spec):
        return decide
    label = describe_policy(spec)

    def checked(view: SlashView, streams: Any) -> bool:
        try:
            return bool(decide(view, streams))
        except Exception as exc:
            raise PolicyError(f"{who}: the veto policy {label} raised {_what(exc)} deciding slash {view.slash_id} "
                              f"({view.offender}, {view.target}, {view.percent}%, proposed at block {view.proposed_block})") from None

    return checked


def _has_callable(spec: Any) -> bool:
    if spec is None:
        return False
    if getattr(spec, "kind", None) == "callable":
        return True
    return any(_has_callable(p) for p in getattr(spec, "policies", None) or [])


def scenario_policies(sc: Any) -> Iterator[tuple[str, Any]]:
    """(field, policy) of every policy a run of ``sc`` may call: governance's, its agents', the named ones."""
    gov = sc.governance
    yield "governance.policy", gov.policy
    for role in ("council", "voters"):
        for i, agent in enumerate(getattr(gov, role) or []):
            if agent.policy is not None:
                yield f"governance.{role}.{i}.policy", agent.policy
    if gov.sudo is not None and gov.sudo.policy is not None:
        yield "governance.sudo.policy", gov.sudo.policy
    for name, policy in (getattr(sc, "policies", None) or {}).items():
        yield f"policies.{name}", policy


SAMPLE = SlashView(0, "sample", "sample-operator", "services", 10, True, 1, 10, 10)


def probe_policies(sc: Any, where: str = "") -> None:
    """Call every callable policy of ``sc`` once on a sample slash: :class:`PolicyError` (naming the
    field, ``where`` it came from, e.g. ``--policy``) if one raises. It is called again on every real
    slash, so a policy that only fails on some is still caught, by :func:`guarded`, during the run."""
    for field, spec in scenario_policies(sc):
        if not _has_callable(spec):
            continue
        decide = guarded(build_policy(spec), spec, f"{where}{field}")
        try:
            decide(SAMPLE, _NoStreams())
        except PolicyError as exc:
            raise PolicyError(str(exc).replace("deciding slash 0 (sample-operator, services, 10%, proposed at block 1)",
                                               "on a sample slash (checked before the run)")) from None


class _NoStreams:
    """The sample call's streams: a random policy member draws from them (a plain, fixed draw)."""

    def chance(self, actor: str, p: float) -> bool:
        return False
