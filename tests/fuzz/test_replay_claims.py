"""What `tangle-sim replay` of a saved fuzz failure claims holds (new-user report 10): a panic or a
mishandled bad input fails the printed replay command while the bug is there and passes once it is
fixed; a crash of the shrinker keeps the failure (saved unshrunk); a log cut short, a binary file
and a corpus entry that is not a program get a clear word instead of "passes" or a traceback."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

import worlds
from runtime.calllog import read_log, replay
from simulations.cli import app
from simulations.fuzz import FuzzConfig, World
from simulations.fuzz.derived import DerivedAccounts
from simulations.stateful import world as kit

CHARLIE = kit.SETUP_OPERATORS[1]


def _text(out: object) -> str:
    return " ".join(out.output.split())  # type: ignore[attr-defined]  # rich wraps at the runner's 80 columns


@pytest.mark.parametrize("head, kind", [("call", "panics"), ("bad", "mishandles bad input")])
def test_a_panic_or_bad_input_failure_replays_as_failing_until_it_is_fixed(head: str, kind: str, tmp_path: Path,
                                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    world = World(FuzzConfig(runtime="worlds:panicking_world", out=tmp_path))
    program = [["call", "Alice", "Balances", "transfer_keep_alive", {"dest": "Dave", "value": 10**18}], ["wait", 3],
               [head, CHARLIE, "Balances", "burn", {"value": 7, "keep_alive": False}]]
    _, failure = world.execute(program)
    assert failure is not None and failure.kind == ("panic" if head == "call" else "bad-input") and failure.step == 2
    log, _ = world.save(program, tmp_path, "fuzz-panic-burn")
    entries = list(read_log(log))
    assert [e.kind for e in entries][-2:] == ["step", "end"]
    step = entries[-2]
    assert step.data["step"] == program[2] and step.data["block"] == entries[-1].data["block"]
    out = CliRunner().invoke(app, ["replay", str(log)])
    assert out.exit_code == 1, out.output
    assert f"Balances.burn {kind} at line {step.line}: " in _text(out) and "planted panic" in _text(out)
    monkeypatch.setattr(worlds, "PANIC_FIXED", True)  # the fix
    fixed = CliRunner().invoke(app, ["replay", str(log)])
    assert fixed.exit_code == 0, fixed.output
    assert f"the failing step at line {step.line} ({failure.kind} in Balances.burn when the log was made) no longer fails" in _text(fixed)
    assert "invariants pass" in _text(fixed)


def test_an_invariant_failure_log_gets_no_step_line(tmp_path: Path) -> None:
    """Only failures a call record cannot show ride as a step line: an invariant's calls are all logged."""
    from simulations.stateful.invariants import ALL_INVARIANTS

    world = World(FuzzConfig(runtime="worlds:squaring_world", invariants=[*ALL_INVARIANTS, "worlds:results_are_squares"]))
    log, _ = world.save([["wait", 1]], tmp_path, "fuzz-none")
    assert "step" not in [e.kind for e in read_log(log)]


def test_rebasing_job_call_ids_ignores_a_hostile_steps_unhashable_ids() -> None:
    derived = DerivedAccounts()
    derived._call_alias[(1, 0)] = 1  # a kept Services.call got another id than in the program it was cut from
    for service_id in ({"Uint64": 1}, [1], 1):
        step = ["bad", "Alice", "Services", "submit_result", {"service_id": service_id, "call_id": 0, "result": []}]
        assert derived.rewrite(step)[4]["call_id"] == (1 if service_id == 1 else 0)


def test_a_crash_in_the_shrinker_keeps_the_failure_unshrunk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from simulations.fuzz import engine, shrink

    def broken(*args: object, **kwargs: object) -> list:
        raise TypeError("unhashable type: 'dict'")

    monkeypatch.setattr(shrink, "shrink", broken)
    cfg = FuzzConfig(runtime="worlds:panicking_world", out=tmp_path)
    world = World(cfg)
    program = [["wait", 2], ["call", CHARLIE, "Balances", "burn", {"value": 14, "keep_alive": False}]]
    _, failure = world.execute(program)
    found = engine._handle_failure(world, program, failure, cfg, 0.1, 2)
    assert found.shrink_error == "TypeError: unhashable type: 'dict'" and found.shrunk == program
    assert found.log is not None and found.log.exists() and json.loads(found.program_file.read_text().splitlines()[1]) == program[1]
    assert CliRunner().invoke(app, ["replay", str(found.log)]).exit_code == 1
