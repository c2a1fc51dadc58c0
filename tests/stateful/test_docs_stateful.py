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
