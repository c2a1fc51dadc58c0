"""The QoS/SLA example: challenge-response uptime checks, client-signed receipts cross-checked
against operator reports, slashing for missed challenges and misreporting; a property-based machine."""

from __future__ import annotations

import io

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from blueprints import Deviating, Faulty, Offline, PerJob, Slow
from blueprints.examples import sla_monitor as sla
from runtime import DispatchError


def kinds(sim: sla.SlaSim, name: str) -> list[str]:
    return sorted(f.kind for f in sim.manager.faults(operator=name))


def test_honest_operators_pass_and_an_offline_one_misses_everything() -> None:
    sim = sla.SlaSim(3, behaviours={"Dave": Offline()})
    sim.run(2)
    assert kinds(sim, "Bob") == kinds(sim, "Charlie") == []
    assert kinds(sim, "Dave") == [sla.MISSED] * 4 + [sla.NO_REPORT] * 2
    for call in sim.challenge_calls:
        assert sim.manager.answered(sim.h.service_id, call, "Bob") and not sim.manager.answered(sim.h.service_id, call, "Dave")
    assert sim.manager.reported(sim.h.service_id, 0, "Bob") == sim.manager.receipts(sim.h.service_id, 0, "Bob") == sla.served(0, "Bob")


def test_inflated_usage_is_a_misreport_unless_within_the_tolerance() -> None:
    sim = sla.SlaSim(3, behaviours={"Dave": PerJob({sla.REPORT: Deviating(0.5)})})
    sim.run(1)
    (fault,) = sim.manager.faults()
    truth = sla.served(0, "Dave")
    assert (fault.operator, fault.kind) == ("Dave", sla.MISREPORT)
    assert fault.detail == f"reported {truth + truth // 2} requests in epoch 0, clients signed for {truth}"
    lenient = sla.SlaSim(3, behaviours={"Dave": PerJob({sla.REPORT: Deviating(0.5)})}, tolerance=0.6)
    lenient.run(1)
    assert lenient.manager.faults() == []
    modest = sla.SlaSim(3, behaviours={"Dave": PerJob({sla.REPORT: Deviating(0.5, direction=-1)})})
    modest.run(1)
    assert modest.manager.faults() == []  # claiming less is not a breach


def test_forged_and_late_answers() -> None:
    sim = sla.SlaSim(3, behaviours={"Charlie": PerJob({sla.CHALLENGE: Faulty(1.0)}), "Dave": PerJob({sla.CHALLENGE: Slow(sla.DEADLINE + 1)})},
                     challenges=1)
    sim.run(1)
    assert kinds(sim, "Charlie") == [sla.BAD, sla.MISSED]
    assert kinds(sim, "Dave") == ["late", sla.MISSED]
    assert kinds(sim, "Bob") == []


def test_receipts_must_be_signed_by_a_client_once_and_challenges_closed_after_the_deadline() -> None:
    sim = sla.SlaSim(2, challenges=0)
    h = sim.h
    epoch, operator, count, _client, sig = sla.client_receipt(h.service_id, 0, "Bob", "Alice")
    root = h.rt.state_root()
    with pytest.raises(DispatchError, match="Services.InvalidJobCallInput"):
        h.call_job(sla.RECEIPT, epoch, operator, count + 1, "Alice", sig)  # the count Alice did not sign
    with pytest.raises(DispatchError, match="Services.InvalidJobCallInput"):
        h.call_job(sla.RECEIPT, *sla.client_receipt(h.service_id, 0, "Bob", "Eve"))  # Eve is no client
    assert h.rt.state_root() == root
    h.call_job(sla.RECEIPT, epoch, operator, count, "Alice", sig)
    with pytest.raises(DispatchError, match="Services.InvalidJobCallInput"):
        h.call_job(sla.RECEIPT, epoch, operator, count, "Alice", sig)  # once per client
    out = h.call_job(sla.CHALLENGE, 7)
    with pytest.raises(DispatchError, match="Services.InvalidJobCallInput"):
        h.call_job(sla.CLOSE_CHALLENGE, out.call_id)  # still open
    h.advance(sla.DEADLINE + 1)
    h.call_job(sla.CLOSE_CHALLENGE, out.call_id)
    assert sim.manager.faults() == []


def test_slashes_follow_the_sla_policy_and_rewards_skip_the_offline_operator() -> None:
    sim = sla.SlaSim(3, behaviours={"Dave": Offline()})
    sim.run(2)
    h = sim.h
    h.report_faults(policy=sla.SLA_POLICY)
    assert [(o.operator, o.percent, len(o.faults)) for o in h.slash_orders] == [("Dave", 5, 3), ("Dave", 5, 3)]
    h.advance_eras(1)
    h.advance_rounds(h.slash_defer_rounds())
    assert h.operator_stake("Dave") == 1_000 * 10**18 * 95 // 100 * 95 // 100
    assert h.rewards_of("Dave") == 0 < h.rewards_of("Bob")


def test_demo_tells_the_story_at_80_columns() -> None:
    from rich.console import Console

    out = io.StringIO()
    sim = sla.run_demo(Console(file=out, width=80, color_system=None))
    text = out.getvalue()
    assert all(len(line) <= 80 for line in text.splitlines())
    assert "misreport" in text and "missed-challenge" in text and "Operator4: 20% for misreport" in text
    assert kinds(sim, "Bob") == kinds(sim, "Charlie") == []


# ------------------------------------------------------------------------------ property-based machine
BEHAVIOURS = {"honest": lambda: None, "offline": Offline, "inflating": lambda: PerJob({sla.REPORT: Deviating(0.3)}),
              "forging": lambda: PerJob({sla.CHALLENGE: Faulty(1.0)})}


class SlaMachine(RuleBasedStateMachine):
    """Random operator mixes and random interleavings of challenges and epochs: whatever happens,
    faults land only on operators whose behaviour breaches the SLA, each breach is caught, and an
    operator's reported usage is compared with exactly what its clients signed."""

    @initialize(kinds=st.lists(st.sampled_from(sorted(BEHAVIOURS)), min_size=2, max_size=4), seed=st.integers(0, 2**16))
    def deploy(self, kinds: list[str], seed: int) -> None:
        self.kinds = {}
        behaviours = {}
        from blueprints.harness import operator_name

        for i, kind in enumerate(kinds):
            name = operator_name(i)
            self.kinds[name] = kind
            b = BEHAVIOURS[kind]()
            if b is not None:
                behaviours[name] = b
        self.sim = sla.SlaSim(len(kinds), behaviours=behaviours, seed=seed, challenges=0)
        self.epochs = 0
        self.challenges = 0

    @rule()
    def challenge(self) -> None:
        self.sim.challenge()
        self.challenges += 1

    @rule()
    def epoch(self) -> None:
        self.sim.run_epoch()
        self.epochs += 1

    @invariant()
    def faults_only_for_breaches(self) -> None:
        if not hasattr(self, "sim"):
            return
        allowed = {"honest": set(), "offline": {sla.MISSED, sla.NO_REPORT}, "inflating": {sla.MISREPORT}, "forging": {sla.BAD, sla.MISSED}}
        for name, kind in self.kinds.items():
            got = set(kinds(self.sim, name))
            assert got <= allowed[kind], (name, kind, got)

    @invariant()
    def every_breach_is_caught(self) -> None:
        if not hasattr(self, "sim"):
            return
        for name, kind in self.kinds.items():
            found = kinds(self.sim, name)
            if kind in ("offline", "forging"):
                assert found.count(sla.MISSED) == self.challenges, (name, found)
            if kind == "offline":
                assert found.count(sla.NO_REPORT) == self.epochs
            if kind == "inflating":
                assert found.count(sla.MISREPORT) == self.epochs

    @invariant()
    def reports_are_compared_with_signed_receipts(self) -> None:
        if not hasattr(self, "sim"):
            return
        sid = self.sim.h.service_id
        for epoch in range(self.epochs):
            for name in self.kinds:
                assert self.sim.manager.receipts(sid, epoch, name) == sla.served(epoch, name)


TestSlaMachine = SlaMachine.TestCase
TestSlaMachine.settings = settings(max_examples=8, stateful_step_count=4, deadline=None,
                                   suppress_health_check=[HealthCheck.too_slow], database=None)
