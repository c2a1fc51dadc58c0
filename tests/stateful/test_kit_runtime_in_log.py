"""A machine whose ``make_runtime`` builds its own runtime (a patched pallet) writes a log whose
replay rebuilds that runtime (new-user report 10, finding 2): the log used to name only the
genesis, so replay rebuilt the stock runtime and said "invariants pass ... as it does once a bug is
fixed" with the bug still there. A machine no import reaches gets a log whose replay, unless it reproduces the run exactly, says it
cannot rebuild the runtime instead of passing."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from runtime import Runtime
from runtime.calllog import read_log, replay
from simulations.cli import app
from simulations.stateful import RuntimeMachine
from simulations.stateful.core import save_failure

#: the planted bug of :class:`PatchedMachine` (a test turns it off: "the fix")
BUG = {"on": True}


def _plant(rt: Runtime) -> Runtime:
    """``System.remark`` credits its signer one planck out of thin air, in this runtime only."""
    spec, pallet = rt._calls[("System", "remark")]
    original = spec.fn

    def remark(self: Any, origin: Any, remark: Any) -> None:
        original(self, origin, remark)
        if BUG["on"]:
            balances = rt.pallets["Balances"]
            old = balances._acc(origin.who)
            balances._write(origin.who, old, old._replace(free=old.free + 1))

    patched = copy.copy(spec)
    patched.fn = remark
    rt._calls[("System", "remark")] = (patched, pallet)
    return rt


class PatchedMachine(RuntimeMachine):
    def make_runtime(self) -> Runtime:
        return _plant(super().make_runtime())


def _text(out: Any) -> str:
    return " ".join(out.output.split())


@pytest.fixture
def patched_log(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("TANGLE_SIM_FAILURE_DIR", str(tmp_path))
    monkeypatch.setitem(BUG, "on", True)
    machine = PatchedMachine()
    machine.call("Alice", "System", "remark", {"remark": "0x01"})
    return save_failure(machine)


def test_a_patched_machines_log_rebuilds_its_runtime_and_fails_while_the_bug_is_there(patched_log: Path, tmp_path: Path,
                                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    [entry] = [e.data for e in read_log(patched_log) if e.kind == "runtime"]
    assert entry["factory"] == f"{__name__}:PatchedMachine" and entry["method"] == "make_runtime"
    assert entry["source"] == str(Path(__file__).resolve()) and entry["setup_records"] == PatchedMachine().world_records > 0
    monkeypatch.chdir(tmp_path)  # replayed from elsewhere
    out = CliRunner().invoke(app, ["replay", str(patched_log)])
    assert out.exit_code == 1, out.output
    assert "invariant simulations.stateful.invariants.tokens:token_conservation fails at line" in _text(out)
    monkeypatch.setitem(BUG, "on", False)  # the fix
    fixed = CliRunner().invoke(app, ["replay", str(patched_log)])
    assert fixed.exit_code == 0 and "invariants pass" in _text(fixed), fixed.output


def test_a_kit_machine_with_the_stock_runtime_writes_no_runtime_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TANGLE_SIM_FAILURE_DIR", str(tmp_path))
    assert "runtime" not in [e.kind for e in read_log(save_failure(RuntimeMachine()))]


def test_a_machine_no_import_reaches_gets_a_log_replay_will_not_pass(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TANGLE_SIM_FAILURE_DIR", str(tmp_path))
    monkeypatch.setitem(BUG, "on", True)

    class LocalMachine(RuntimeMachine):  # defined in a function: no import path names it
        def make_runtime(self) -> Runtime:
            return _plant(super().make_runtime())

    machine = LocalMachine()
    machine.call("Alice", "System", "remark", {"remark": "0x01"})
    path = save_failure(machine)
    [line] = [json.loads(raw) for raw in path.read_text().splitlines() if '"kind": "runtime"' in raw]
    assert line["factory"] is None and "LocalMachine.make_runtime" in line["unrebuildable"]
    out = CliRunner().invoke(app, ["replay", str(path)])
    assert out.exit_code == 2, out.output
    assert "replay cannot rebuild the run's runtime: it was built by" in _text(out) and "LocalMachine.make_runtime" in _text(out)
    assert "invariants pass" not in _text(out) and "once a bug is fixed" not in _text(out)
    result = replay(path)  # the genesis and every record, on the stock runtime: the root differs, the invariants hold
    assert result.unrebuilt is not None and result.violation is None and not result.ok
