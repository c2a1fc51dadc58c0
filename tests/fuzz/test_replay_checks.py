"""A saved failure re-checks its invariants on replay: "invariant X fails at line N" (exit 1) while the
bug is there, "invariants pass" once it is fixed (a divergence from the log is then expected and
reported apart); logs name invariants by import path plus their absolute file, so they replay from
any directory; a later failure never overwrites an earlier log."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from typer.testing import CliRunner

from runtime.calllog import CallLogError, read_log, replay
from simulations.cli import app
from simulations.stateful import RuntimeMachine
from simulations.stateful.core import save_failure
from simulations.stateful.world import USDC_ID

ROOT = Path(__file__).resolve().parents[2]


def sloppy_burn(self, asset_id, who, amount, *, keep_alive, best_effort):  # type: ignore[no-untyped-def]
    actual, dust = self._debit(asset_id, who, amount, keep_alive, best_effort=best_effort, force=True)
    self._apply_debit(asset_id, who, actual + dust)  # bug: supply not lowered
    return actual + dust


@pytest.fixture
def buggy_log(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> tuple[Path, int]:
    """A machine log whose last call burns with the bug on: (path, line of the burn)."""
    from pallets.assets import fungibles

    monkeypatch.setenv("TANGLE_SIM_FAILURE_DIR", str(tmp_path))
    machine = RuntimeMachine()
    monkeypatch.setattr(fungibles.FungiblesImpl, "do_burn", sloppy_burn)
    machine.call("Bob", "Balances", "transfer_keep_alive", {"dest": "Eve", "value": 10**18})
    assert machine.ok(machine.call("Alice", "Assets", "burn", {"id": USDC_ID, "who": "Bob", "amount": 5}))
    path = save_failure(machine)
    burn_line = next(e.line for e in read_log(path) if e.kind == "call" and e.data["call_function"] == "burn")
    return path, burn_line


def test_replay_reports_the_failing_invariant_and_its_line_while_the_bug_is_there(buggy_log: tuple[Path, int]) -> None:
    path, line = buggy_log
    result = replay(path)
    assert result.violation is not None and result.violation.line == line
    assert result.violation.invariant == "simulations.stateful.invariants.tokens:asset_conservation"
    out = CliRunner().invoke(app, ["replay", str(path)])
    assert out.exit_code == 1
    assert f"invariant simulations.stateful.invariants.tokens:asset_conservation fails at line {line}" in " ".join(out.output.split())


def test_replay_passes_once_the_bug_is_fixed_and_reports_the_divergence_apart(buggy_log: tuple[Path, int], monkeypatch: pytest.MonkeyPatch) -> None:
    path, _ = buggy_log
    monkeypatch.undo()  # the fix
    result = replay(path)
    assert result.violation is None and len(result.checked) > 10
    assert [d.what for d in result.divergences] == ["final state root"]  # the fixed burn lowers the supply
    out = CliRunner().invoke(app, ["replay", str(path)])
    text = " ".join(out.output.split())
    assert out.exit_code == 0 and "invariants pass" in text and "divergence" in text and "fails at" not in text
    assert CliRunner().invoke(app, ["replay", str(path), "--strict"]).exit_code == 1


def test_a_later_failure_never_overwrites_an_earlier_log(buggy_log: tuple[Path, int], tmp_path: Path) -> None:
    path, _ = buggy_log
    before = path.read_text()
    machine = RuntimeMachine()
    second = save_failure(machine)
    assert second != path and second.name == "RuntimeMachine-2.jsonl" and path.read_text() == before
    assert save_failure(machine).name == "RuntimeMachine-3.jsonl"


USER_MODULE = '''
from simulations.stateful.invariants import new_events

def no_remark_says_boom(rt, ledger):
    for ev in new_events(rt, ledger, "no_remark_says_boom"):
        pass
    assert all(r.args[0] != b"boom" for r in rt.call_log if r.spec.name == "remark"), "a remark said boom"
'''


def test_a_user_invariant_in_a_module_only_its_runner_knew_replays_from_another_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib.util

    source = tmp_path / "user_checks_mod.py"
    source.write_text(textwrap.dedent(USER_MODULE))
    spec = importlib.util.spec_from_file_location("tangle_sim_user_checks", source)
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    sys.modules["tangle_sim_user_checks"] = module
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    monkeypatch.setenv("TANGLE_SIM_FAILURE_DIR", str(tmp_path / "failures"))

    class Machine(RuntimeMachine):
        checks = RuntimeMachine.checks + [module.no_remark_says_boom]

    machine = Machine()
    machine.call("Bob", "System", "remark", {"remark": "boom"})
    path = save_failure(machine, "UserMachine")
    del sys.modules["tangle_sim_user_checks"]
    entry = [json.loads(line) for line in path.read_text().splitlines() if '"checks"' in line][0]
    assert {"name": "tangle_sim_user_checks:no_remark_says_boom", "source": str(source.resolve())} in entry["invariants"]
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-m", "simulations.cli", "replay", str(path)], cwd=elsewhere, env=env, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "invariant tangle_sim_user_checks:no_remark_says_boom fails at line" in " ".join(done.stdout.split())


@pytest.mark.parametrize("line, message", [
    ({"kind": "checks"}, "lists its 'invariants'"),
    ({"kind": "checks", "invariants": [{"name": "no_colon"}]}, "importable 'package.module:name'"),
    ({"kind": "runtime", "factory": "a.b:c", "setup_records": -1}, "'setup_records' must be a count"),
    ({"kind": "checks", "invariants": [{"name": "no.such.module:fn", "source": None}]}, "cannot be loaded"),
])
def test_malformed_checks_and_runtime_lines_name_the_line(line: dict, message: str) -> None:
    genesis = json.dumps({"kind": "genesis", "format": 1, "genesis": {}})
    with pytest.raises(CallLogError, match="line 2: .*" + message.replace("(", r"\(").replace(")", r"\)")):
        replay([genesis, json.dumps(line)])
