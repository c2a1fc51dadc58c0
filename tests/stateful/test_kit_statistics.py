"""What the Hypothesis kit tells a user about a run: per-rule and per-invariant counts and events in
the statistics (``--hypothesis-show-statistics`` shows them for ``run_machine``), a warning when a rule
or invariant the user wrote never ran, and a sensible share of the draws for the user's own rules."""

from __future__ import annotations

import inspect
from types import SimpleNamespace

import pytest
from hypothesis.stateful import RULE_MARKER, invariant, precondition, rule

from simulations.stateful import RuntimeMachine
from simulations.stateful.plugin import NeverRanWarning, run_with_profile


class RemarkMachine(RuntimeMachine):
    """A user's machine: one rule that runs (weighted up: examples are short), one that never can, one invariant."""

    rule_weights = {"remark": 400}

    @rule()
    def remark(self) -> None:
        self.call("Alice", "System", "remark", {"remark": "0x01"})

    @precondition(lambda self: False)
    @rule()
    def never_possible(self) -> None:
        raise AssertionError("unreachable")

    @invariant()
    def my_check(self) -> None:
        assert self.rt is not None


def slots(machine: type, name: str) -> int:
    return sum(1 for n, f in inspect.getmembers(machine) if getattr(f, RULE_MARKER, None) is getattr(getattr(machine, name), RULE_MARKER))


class Unweighted(RuntimeMachine):
    @rule()
    def one(self) -> None:
        pass

    @rule()
    def two(self) -> None:
        pass


def test_a_users_unweighted_rules_get_a_sensible_share_of_the_draws() -> None:
    total = sum(1 for _, f in inspect.getmembers(Unweighted) if hasattr(f, RULE_MARKER))
    mine = slots(Unweighted, "one") + slots(Unweighted, "two")
    assert 0.2 <= mine / total <= 0.4, (mine, total)  # not 2 of ~160
    assert slots(RemarkMachine, "remark") == 400 and slots(RemarkMachine, "never_possible") > 1  # explicit weights win
    assert slots(RuntimeMachine, "transfer") == 2  # the kit's own weights are untouched


def test_statistics_count_rules_and_invariants_and_a_rule_that_never_ran_is_named() -> None:
    item = SimpleNamespace()
    with pytest.warns(NeverRanWarning, match=r"never ran: rule RemarkMachine\.never_possible"):
        run_with_profile(RemarkMachine, _item=item, max_examples=25, stateful_step_count=10)
    text = item.hypothesis_statistics
    assert "rule remark:" in text and "invariant my_check:" in text and "rule never_possible" not in text
    assert "successful calls" in text  # an event() Hypothesis reports
    # the share of examples each ran in (an event is told once per example: the share is the same)
    assert "100.00%, ran invariant my_check" in text and "%, ran rule remark" in text


def test_no_warning_when_every_user_rule_ran(recwarn: pytest.WarningsRecorder) -> None:
    class OnlyRemarks(RuntimeMachine):
        @rule()
        def remark(self) -> None:
            self.call("Alice", "System", "remark", {"remark": "0x02"})

    run_with_profile(OnlyRemarks, max_examples=25, stateful_step_count=10)
    assert not [w for w in recwarn if issubclass(w.category, NeverRanWarning)]


CANARY_RUNS = {"n": 0}


def canary(rt: object, ledger: object) -> None:
    """A user's check appended to ``checks`` (the documented way to add one)."""
    CANARY_RUNS["n"] += 1


class CanaryMachine(RemarkMachine):
    checks = RemarkMachine.checks + [canary]


def test_a_check_appended_to_checks_is_listed_in_the_statistics_with_its_runs() -> None:
    """New-user report 10, finding 16: only rules and @invariant methods were listed."""
    item = SimpleNamespace()
    CANARY_RUNS["n"] = 0
    with pytest.warns(NeverRanWarning):  # never_possible, as above
        run_with_profile(CanaryMachine, _item=item, max_examples=25, stateful_step_count=10)
    text = item.hypothesis_statistics
    assert f"check canary: {CANARY_RUNS['n']}" in text and CANARY_RUNS["n"] > 0
    assert f"the kit's {len(RemarkMachine.checks)} built-in invariants together:" in text
    assert "check canary" not in text.split("how often each of its checks ran")[0]  # not among the rules


def test_a_users_check_that_never_ran_is_named_by_the_warning() -> None:
    from simulations.stateful.core import RULE_RUNS, never_ran

    RULE_RUNS.pop(CanaryMachine, None)  # as before a run: nothing counted yet
    assert "check canary" in never_ran(CanaryMachine) and not any("token_conservation" in n for n in never_ran(CanaryMachine))
