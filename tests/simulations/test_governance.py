"""Governance veto policies."""

from __future__ import annotations

import pytest

from simulations.governance import SlashView, build_policy, describe_policy, resolve_callable
from simulations.rng import Streams
from simulations.scenario import GovernanceSpec


def view(percent: int = 10, disputed: bool = False, window: int = 50) -> SlashView:
    return SlashView(0, "tangle_services", "op", "services", percent, disputed, 5, 5 + window - 1, window)


def policy(spec: dict):  # type: ignore[no-untyped-def]
    return GovernanceSpec.model_validate({"policy": spec}).policy


def test_threshold_and_dispute_policies() -> None:
    under = build_policy(policy({"kind": "veto_under", "percent": 10}))
    assert under(view(9), Streams(0)) and not under(view(10), Streams(0))
    disputed = build_policy(policy({"kind": "veto_disputed"}))
    assert disputed(view(disputed=True), Streams(0)) and not disputed(view(), Streams(0))
    assert not build_policy(policy({"kind": "never"}))(view(), Streams(0))
    assert build_policy(policy({"kind": "always"}))(view(), Streams(0))


def test_random_policy_uses_governance_stream_only() -> None:
    rnd = build_policy(policy({"kind": "random", "p": 0.3}))
    s = Streams(9)
    votes = [rnd(view(), s) for _ in range(2000)]
    assert 0.25 < sum(votes) / len(votes) < 0.35
    assert s.actors() == ["governance"]
    again = Streams(9)
    assert [rnd(view(), again) for _ in range(2000)] == votes


def test_any_of_always_draws_its_random_members() -> None:
    combo = build_policy(policy({"kind": "any_of", "policies": [{"kind": "always"}, {"kind": "random", "p": 0.5}]}))
    s, ref = Streams(1), Streams(1)
    for _ in range(10):
        assert combo(view(), s)
        ref.random("governance")
    assert s.random("governance") == ref.random("governance")  # the random member drew every time


def test_callable_policy_and_its_errors() -> None:
    fn = build_policy(policy({"kind": "callable", "ref": "simulations.governance:veto_small_disputed"}))
    assert fn(view(20, disputed=True), Streams(0)) and not fn(view(30, disputed=True), Streams(0)) and not fn(view(5), Streams(0))
    with pytest.raises(ValueError, match="cannot import"):
        resolve_callable("no_such_module_xyz:f")
    with pytest.raises(ValueError, match="no callable 'nope'"):
        resolve_callable("simulations.governance:nope")
    assert describe_policy(policy({"kind": "any_of", "policies": [{"kind": "veto_under", "percent": 5}, {"kind": "random", "p": 0.1}]})) == "any_of(veto_under(5%), random(p=0.1))"
