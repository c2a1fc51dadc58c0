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


@pytest.fixture
def saved_log(tmp_path: Path) -> Path:
    """A kit world's log with a call after its setup, and the module of an invariant that fails once
    the chain passes block 5 (a failure in the hooks of a time step, which no log line holds)."""
    from runtime.calllog import Checks, write_log

    (tmp_path / "late_check.py").write_text("def no_block_past_5(rt):\n    assert rt.block_number <= 5, f'block {rt.block_number}'\n")
    rt = kit.build_world()
    rt.dispatch("Alice", "System", "remark", {"remark": "0x01"})
    rt.run_to_block(rt.block_number + 3)
    rt.dispatch("Alice", "System", "remark", {"remark": "0x02"})
    rt.run_to_block(12)
    path = tmp_path / "log.jsonl"
    write_log(rt, path, checks=Checks((("late_check:no_block_past_5", str(tmp_path / "late_check.py")),)))
    return path


def test_a_failure_in_the_blocks_before_a_line_says_so(saved_log: Path) -> None:
    end = len(saved_log.read_text().splitlines())
    out = CliRunner().invoke(app, ["replay", str(saved_log)])
    assert out.exit_code == 1
    assert f"invariant late_check:no_block_past_5 fails during the blocks before line {end}: block 12" in _text(out)


def test_a_log_cut_short_is_incomplete_not_passing(saved_log: Path, tmp_path: Path) -> None:
    lines = saved_log.read_text().splitlines()
    cut = tmp_path / "cut.jsonl"
    cut.write_text("\n".join(line for line in lines[:-2] if '"checks"' not in line) + "\n")  # no end line, no checks
    with_checks = tmp_path / "cut_checked.jsonl"
    with_checks.write_text("\n".join(lines[:2] + [line for line in lines[2:-2] if '"block": 1' in line]) + "\n")
    for path in (cut, with_checks):
        for args in ([], ["--strict"]):
            out = CliRunner().invoke(app, ["replay", *args, str(path)])
            assert out.exit_code == 2, (path, args, out.output)
            assert "the log has no end line: it is incomplete" in _text(out) and "invariants pass" not in _text(out)
    assert replay(cut).complete is False and replay(saved_log).complete is True


def test_a_binary_file_or_a_directory_given_to_replay_is_one_error_line(tmp_path: Path) -> None:
    binary = tmp_path / "binary.jsonl"
    binary.write_bytes(bytes(range(256)) * 4)
    for path, why in ((binary, "not a call log (byte 128 is not UTF-8 text: a binary file?)"), (tmp_path, "a directory, not a call log")):
        out = CliRunner().invoke(app, ["replay", str(path)])
        assert out.exit_code == 2 and _text(out) == f"error: {path}: {why}", out.output


@pytest.mark.parametrize("kind", ["file", "unmakeable"])
def test_an_out_that_cannot_hold_logs_is_refused_at_start(kind: str, tmp_path: Path) -> None:
    out_dir = tmp_path / "afile"
    out_dir.write_text("")
    target = out_dir if kind == "file" else out_dir / "below"
    out = CliRunner().invoke(app, ["fuzz", "--steps", "20", "--workers", "1", "--no-report", "--out", str(target)])
    assert out.exit_code == 2, out.output
    assert _text(out).startswith("error: --out: ") and len(out.output.strip().splitlines()) <= 2
    assert ("is a file, not a directory" if kind == "file" else "cannot make the directory") in _text(out)


def test_a_corpus_entry_that_is_json_but_not_a_program_is_skipped_and_counted(tmp_path: Path) -> None:
    from simulations.fuzz.corpus import Corpus

    corpus = Corpus(tmp_path / "c")
    corpus.add([["wait", 1], ["call", "Alice", "System", "remark", {"remark": "0x01"}]])
    (corpus.entries / "0-not.jsonl").write_text('{"not": "a program"}\n')
    (corpus.entries / "1-head.jsonl").write_text('["call", "Alice"]\n')
    (corpus.entries / "2-bin.jsonl").write_bytes(b"\xff\xfe\x00")
    (corpus.entries / "3-dir.jsonl").mkdir()
    assert corpus.load() == [[["wait", 1], ["call", "Alice", "System", "remark", {"remark": "0x01"}]]] and corpus.skipped == 4
    out = CliRunner().invoke(app, ["fuzz", "--steps", "400", "--run-length", "50", "--workers", "1", "--seed", "3", "--no-report",
                                   "--corpus", str(tmp_path / "c"), "--out", str(tmp_path / "o")])
    assert out.exit_code == 0, out.output
    assert f"note: 4 corpus entries in {tmp_path / 'c'}/entries skipped: not a program" in _text(out)
    assert " 1 worker, seed 3)" in _text(out)  # "1 worker", not "1 workers"


def test_a_module_the_log_names_that_does_not_import_is_named_as_such(tmp_path: Path) -> None:
    from runtime.factories import FactoryError, load_factory

    (tmp_path / "elsewhere.py").write_text("def other():\n    return 1\n")
    with pytest.raises(FactoryError, match=r"nosuch\.mod:fn: no module named 'nosuch\.mod' can be imported, and its file .*elsewhere\.py "
                                           r"\(loaded in its place\) has no 'fn'"):
        load_factory("nosuch.mod:fn", str(tmp_path / "elsewhere.py"))


def test_a_crash_of_the_fuzzer_is_not_exit_1_which_says_a_bug_was_found(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from simulations.fuzz import workers

    def crashed(*args: object, **kwargs: object) -> None:
        raise RuntimeError("worker 1: TypeError: unhashable type: 'dict'")

    monkeypatch.setattr(workers, "fuzz", crashed)
    out = CliRunner().invoke(app, ["fuzz", "--steps", "20", "--workers", "2", "--no-report", "--out", str(tmp_path)])
    assert out.exit_code == 2, out.output
    assert _text(out).startswith("error: the campaign crashed, a bug of the fuzzer rather than a failure it found: "
                                 "RuntimeError: worker 1: TypeError: unhashable type: 'dict'") and len(out.output.splitlines()) <= 3


def test_replaying_a_program_file_points_at_its_call_log(tmp_path: Path) -> None:
    program = tmp_path / "fuzz-panic-burn.program.jsonl"
    program.write_text('["call", "Alice", "Balances", "burn", {"value": 7, "keep_alive": false}]\n')
    out = CliRunner().invoke(app, ["replay", str(program)])
    assert out.exit_code == 2 and "a fuzz program's step, not a call log line: replay the call log saved next to" in _text(out)


def test_replay_says_which_code_outside_tangle_sim_the_log_makes_it_run(saved_log: Path, tmp_path: Path) -> None:
    out = CliRunner().invoke(app, ["replay", str(saved_log)])
    assert f"replay imports and runs late_check:no_block_past_5 ({tmp_path / 'late_check.py'}), named by the log" in _text(out)
    assert _text(out).index("replay imports and runs") < _text(out).index("fails during")
    own = World(FuzzConfig())  # the built-in invariants only: nothing to announce
    log, _ = own.save([["wait", 1]], tmp_path, "own")
    assert "replay imports and runs" not in _text(CliRunner().invoke(app, ["replay", str(log)]))
