"""The example in docs/stateful.md runs as written, and its invariant finds the bug it is about."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import Phase, settings
from hypothesis.stateful import run_state_machine_as_test

from simulations.stateful.determinism import freeze_constant_pool
from simulations.stateful.plugin import run_with_profile

DOC = Path(__file__).resolve().parents[2] / "docs" / "stateful.md"


def example() -> dict[str, Any]:
    match = re.search(r"<!-- example -->\s*```python\n(.*?)```\s*<!-- /example -->", DOC.read_text(), re.S)
    assert match, "docs/stateful.md lost its example block"
    namespace: dict[str, Any] = {"__name__": "stateful_example"}
    exec(compile(match.group(1), str(DOC), "exec"), namespace)
    return namespace


def test_the_documented_machine_passes() -> None:
    ns = example()
    ns["test_squaring"](run_with_profile)


def test_the_documented_invariant_catches_a_manager_that_accepts_anything(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    ns = example()
    assert freeze_constant_pool()
    monkeypatch.setenv("TANGLE_SIM_FAILURE_DIR", str(tmp_path))
    monkeypatch.setattr(ns["SquaresOnly"], "validate_result", lambda self, *args: None)  # the bug: no check
    find_only = settings(max_examples=200, stateful_step_count=50, deadline=None, derandomize=True, database=None,
                         phases=[Phase.explicit, Phase.generate])
    with pytest.raises(AssertionError, match=r"accepted for \d+\^2"):
        run_state_machine_as_test(ns["SquaringMachine"], settings=find_only)
    assert (tmp_path / "SquaringMachine.jsonl").exists()
    # the saved log deploys the example's manager; defined in a module no import reaches, it must be
    # named on replay, and then the failing run replays exactly
    from runtime.calllog import CallLogError, replay

    saved = tmp_path / "SquaringMachine.jsonl"
    [deploy] = [e for e in map(json.loads, saved.read_text().splitlines()) if e["kind"] == "contract"]
    assert deploy["factory"] is None
    with pytest.raises(CallLogError, match="--contract " + deploy["address"]):
        replay(saved)
    result = replay(saved, contracts={deploy["address"]: ns["SquaresOnly"]})
    assert result.ok and result.calls > 0, [str(d) for d in result.divergences]


def test_run_machine_shrinks_the_documented_bug_by_its_calls(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Under run_machine a failure is shrunk by its calls (the fuzz engine's shrinker from the
    machine's world snapshot): the planted bug comes down to the job call and the wrong answer."""
    from runtime.calllog import read_log, replay

    ns = example()
    monkeypatch.setenv("TANGLE_SIM_FAILURE_DIR", str(tmp_path))
    monkeypatch.setattr(ns["SquaresOnly"], "validate_result", lambda self, *args: None)
    with pytest.raises(AssertionError, match=r"invariant results_are_squares fails: .* accepted for \d+\^2\n\(shrunk from \d+ steps to 2") as failed:
        run_with_profile(ns["SquaringMachine"], max_examples=200, stateful_step_count=50, deadline=None, derandomize=True, database=None)
    # what pytest prints: the shrunk failure first (no chained unshrunk error before it, no plugin
    # source), then Hypothesis's unshrunk example under a line that says so
    assert failed.value.__cause__ is None and failed.value.__suppress_context__
    report = [line for line in str(failed.getrepr()).splitlines() if line.startswith("E ")]
    assert "shrunk from" in report[1] and "replay the shrunk failure with: tangle-sim replay" in report[2]
    assert "Hypothesis's UNSHRUNK example" in report[3] and "unshrunk: InvariantFailure" in report[4]
    assert any("Falsifying example" in line for line in report[5:])
    assert "def run_with_profile" not in str(failed.getrepr())  # the plugin frame is hidden
    [shrunk] = tmp_path.glob("SquaringMachine-shrunk*.jsonl")
    setup = len(ns["SquaringMachine"]().rt.call_log)
    calls = [e.data for e in read_log(shrunk) if e.kind == "call"]
    assert [(c["call_module"], c["call_function"]) for c in calls[setup:]] == [("Services", "call"), ("Services", "submit_result")]
    address = next(e.data["address"] for e in read_log(shrunk) if e.kind == "contract")
    result = replay(shrunk, contracts={address: ns["SquaresOnly"]})
    assert result.ok and result.calls == setup + 2, [str(d) for d in result.divergences]


def test_a_failure_the_calls_do_not_reproduce_falls_back_to_hypothesis_shrinking(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A rule's own assertion is not something the calls replay: Hypothesis shrinks it as before
    (no call-level log is written)."""
    from hypothesis.stateful import rule

    from simulations.stateful.core import MachineCore

    class Exploding(MachineCore):
        @rule()
        def transfer(self) -> None:
            self.call("Alice", "Balances", "transfer_allow_death", {"dest": "Bob", "value": 10**18})

        @rule()
        def explode(self) -> None:
            if len(self.rt.call_log) > self.setup_calls:
                raise AssertionError("the rule itself objects")

    monkeypatch.setenv("TANGLE_SIM_FAILURE_DIR", str(tmp_path))
    with pytest.raises(AssertionError, match="the rule itself objects"):
        run_with_profile(Exploding, max_examples=50, stateful_step_count=20, deadline=None, derandomize=True, database=None)
    assert not list(tmp_path.glob("*shrunk*"))
