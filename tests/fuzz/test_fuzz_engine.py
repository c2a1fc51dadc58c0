"""The fuzz engine's parts: reproducible workers, incremental invariants, swarm and time steps, the
bad-input share finding boundary crashes by itself, the corpus, custom runtimes and the CLI."""

from __future__ import annotations

import re

import json
import random
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from runtime.calllog import read_log, replay
from simulations.cli import app
from simulations.fuzz import FuzzConfig, World, fuzz, run_worker
from simulations.fuzz.checks import END_ONLY, FULL_ONLY, READS, InvariantSet
from simulations.fuzz.corpus import Corpus, mutate
from simulations.fuzz.engine import Generator
from simulations.fuzz.program import Executor
from simulations.fuzz.values import LiveState
from simulations.stateful.invariants import ALL_INVARIANTS

sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "support"))
from seeded_bugs import BUGS  # noqa: E402


def test_a_worker_is_reproducible_from_its_seed(tmp_path: Path) -> None:
    a = run_worker(FuzzConfig(seed=5, steps=600, out=tmp_path))
    b = run_worker(FuzzConfig(seed=5, steps=600, out=tmp_path))
    c = run_worker(FuzzConfig(seed=6, steps=600, out=tmp_path))
    assert a.steps == b.steps == 600 and a.coverage.features == b.coverage.features and a.coverage.calls == b.coverage.calls
    assert a.coverage.calls != c.coverage.calls


def test_workers_split_the_steps_and_a_campaign_is_reproducible_given_seed_and_workers(tmp_path: Path) -> None:
    one = fuzz(FuzzConfig(seed=3, steps=801, workers=2, out=tmp_path))
    two = fuzz(FuzzConfig(seed=3, steps=801, workers=2, out=tmp_path))
    assert [w.steps for w in one.workers] == [401, 400] and one.steps == 801
    assert [w.coverage.calls for w in one.workers] == [w.coverage.calls for w in two.workers]
    assert one.workers[0].coverage.calls != one.workers[1].coverage.calls  # each worker its own stream


def test_invariants_run_only_when_their_storage_was_touched() -> None:
    world = World(FuzzConfig())
    seen: list[str] = []

    def mine(rt, ledger):  # type: ignore[no-untyped-def]
        seen.append("mine")

    inv = InvariantSet(world.invariant_fns + [mine])
    inv.check(world.rt, Executor(world.rt, inv).ledger, {"Rewards", "Rewards.RewardVaults"})
    ran = {name for name, n in inv.runs.items() if n}
    assert ran == {"rewards_references_resolve", "mine"}  # a user's invariant (no declared reads) always runs
    inv.check(world.rt, Executor(world.rt, inv).ledger, None)
    assert all(n >= 1 for n in inv.runs.values())


def test_a_step_reports_the_pallets_it_wrote() -> None:
    world = World(FuzzConfig())
    inv = InvariantSet(world.invariant_fns)
    ex = Executor(world.rt, inv, full_every=0)
    ex.check(None, -1)
    before = dict(inv.runs)
    ex.run(["call", "Alice", "Balances", "transfer_keep_alive", {"dest": "Bob", "value": 10**18}])
    ran = {name for name in inv.runs if inv.runs[name] > before[name]}
    assert "token_conservation" in ran and "delegation_books_balance" not in ran and "rewards_references_resolve" not in ran


def test_every_storage_item_and_event_pallet_an_invariant_declares_it_reads_exists() -> None:
    """A misspelt read would silently never trigger its invariant between full checks."""
    rt = World(FuzzConfig()).rt
    items = {f"{prefix}.{name}" for prefix, name in rt.db.items}
    for name, reads in READS.items():
        for read in reads - {END_ONLY, FULL_ONLY}:
            if read.startswith("event:"):
                assert read[len("event:"):].split(".")[0] in rt.pallets, (name, read)
            elif read.split(".")[0] in rt.pallets:
                assert read in items, (name, read)
            else:  # a pallet the world may lack (Multisig): a name, not a typo
                assert read.split(".")[0] in {"Multisig", "Democracy", "Proxy"}, (name, read)


def test_a_wait_step_reports_the_writes_of_every_block_it_built() -> None:
    """Blocks finalized inside the step keep their writes in the step's journal: a session rotation
    three blocks before the wait ends still triggers the invariants that read the round."""
    world = World(FuzzConfig())
    inv = InvariantSet(world.invariant_fns)
    rt = world.reset()
    ex = Executor(rt, inv, full_every=0)
    ex.check(None, -1)
    session = rt.pallets["Session"]
    index = session.current_index()
    before = inv.runs["slashes_respect_windows_and_disputes"]
    ex.run(["wait", session.blocks_until_next_session() + 3])
    assert session.current_index() == index + 1
    assert {"Session.CurrentIndex", "MultiAssetDelegation.CurrentRound", "event:Session"} <= ex.last_touched
    assert inv.runs["slashes_respect_windows_and_disputes"] == before + 1


def test_swarms_differ_between_runs_and_time_jumps_to_the_next_expiry() -> None:
    world = World(FuzzConfig())
    gen = Generator(world, random.Random(1))
    first = {(c[0], c[1]) for c in gen.enabled}
    gen.new_swarm()
    assert {(c[0], c[1]) for c in gen.enabled} != first and len(first) < len(gen.calls)
    rt = world.reset()
    expires = min(rt.pallets["Services"].storage.ServiceRequestExpiresAt.values())
    jumps = {gen._blocks(rt) for _ in range(300)}
    assert any(expires - rt.block_number <= j <= expires - rt.block_number + 2 for j in jumps)
    assert 1 in jumps and rt.pallets["Session"].blocks_until_next_session() in jumps


def test_the_bad_input_share_finds_a_boundary_that_crashes(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from runtime import codec

    monkeypatch.setattr(codec, "_describe", lambda value: f"{type(value).__name__} {value!r}")  # the old, unbounded repr()
    # a candidate budget, not a time budget: the shrunk length must not depend on the machine's load
    result = run_worker(FuzzConfig(seed=0, steps=20_000, bad_share=0.5, out=tmp_path, shrink_time=60, shrink_candidates=300))
    assert result.failures and result.failures[0].kind == "bad-input", [f.summary() for f in result.failures]
    assert "Recursion" in result.failures[0].message or "-character error message" in result.failures[0].message
    program = [json.loads(line) for line in result.failures[0].program_file.read_text().splitlines()]
    assert program[-1][0] == "bad" and len(program) <= 3


def test_the_corpus_keeps_new_coverage_and_a_campaign_resumes_from_it(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    first = run_worker(FuzzConfig(seed=1, steps=1_000, corpus=corpus, out=tmp_path))
    entries = Corpus(corpus).load()
    assert first.corpus_added == len(entries) > 0
    saved = json.loads((corpus / "coverage.json").read_text())
    assert set(saved["features"]) == first.coverage.features
    steps = [json.dumps(s) for e in entries for s in e]
    rng = random.Random(0)
    for _ in range(20):  # mutants are made of corpus steps (perturbed arguments aside)
        mutant = mutate(rng, entries)
        assert all(s[0] in ("call", "wait", "bad") for s in mutant)
    resumed = run_worker(FuzzConfig(seed=1, steps=1_000, corpus=corpus, out=tmp_path))
    assert resumed.coverage.calls != first.coverage.calls  # it mutated the corpus instead of repeating the first campaign
    assert steps  # entries hold steps


def test_a_resumed_campaign_says_its_coverage_is_its_own_and_gives_the_corpus_total(tmp_path: Path) -> None:
    """A new user read a resumed campaign's own figures (569 features, 84 of 374 errors) as the
    corpus's (979 features): the CLI now labels them and prints the corpus's total beside them."""
    corpus = tmp_path / "corpus"
    args = ["fuzz", "--steps", "400", "--workers", "1", "--out", str(tmp_path), "--corpus", str(corpus)]
    CliRunner().invoke(app, [*args, "--seed", "1"])
    second = CliRunner().invoke(app, [*args, "--seed", "2"])
    assert second.exit_code == 0, second.output
    text = " ".join(second.output.split())  # rich wraps at the runner's 80 columns
    own = int(re.search(r"([\d,]+) coverage features \(this campaign\)", text).group(1).replace(",", ""))
    total = re.search(r"the corpus .* \(every campaign on it, .*coverage.json\): ([\d,]+) features; calls reached (\d+) of (\d+); "
                      r"real error variants reached (\d+) of (\d+)", text)
    assert total is not None, second.output[-600:]
    saved = json.loads((corpus / "coverage.json").read_text())
    assert int(total.group(1).replace(",", "")) == len(saved["features"]) > own
    assert "coverage of this campaign" in text


def test_a_custom_runtime_is_named_in_the_log_and_replay_rebuilds_it(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    BUGS["asset_burn_forgets_supply"].patch(monkeypatch)
    result = run_worker(FuzzConfig(seed=0, steps=5_000, runtime="worlds:custom_world", out=tmp_path, shrink_time=2))
    failure = result.failures[0]
    [entry] = [e.data for e in read_log(failure.log) if e.kind == "runtime"]
    assert entry["factory"] == "worlds:custom_world" and entry["source"].endswith("tests/fuzz/worlds.py") and entry["setup_records"] == 23
    replayed = replay(failure.log)
    assert replayed.violation is not None and replayed.runtime.genesis.profile == "real"
    # what the campaign reports is what the saved (shrunk) log's replay says, not the unshrunk run's numbers
    assert failure.message == replayed.violation.message
    monkeypatch.undo()
    assert replay(failure.log).violation is None


def test_the_cli_exits_non_zero_on_a_failure_and_prints_the_replay_command(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    clean = CliRunner().invoke(app, ["fuzz", "--steps", "300", "--workers", "1", "--out", str(tmp_path)])
    assert clean.exit_code == 0, clean.output
    assert "real error variants reached:" in clean.output and "never reached:" in clean.output
    # not a terminal (a log file): the first progress line is printed, not a spinner nobody sees
    assert re.search(r"^[\d,]+ steps\s+[\d,]+ steps/s\s+[\d,]+ features\s+corpus \d+\s+failures 0$", clean.output, re.M), clean.output[:300]
    BUGS["delegation_missing_operator_side"].patch(monkeypatch)
    found = CliRunner().invoke(app, ["fuzz", "--steps", "3000", "--workers", "1", "--out", str(tmp_path), "--no-report"])
    assert found.exit_code == 1
    text = " ".join(found.output.split())
    assert "invariant delegation_books_balance" in text and f"tangle-sim replay {tmp_path}" in text
    assert CliRunner().invoke(app, ["fuzz", "--runtime", "no.such:thing", "--steps", "10"]).exit_code == 2


def test_a_panic_the_real_runtime_has_is_an_outcome_and_any_other_panic_a_failure(monkeypatch: pytest.MonkeyPatch) -> None:
    world = World(FuzzConfig(profile="real"))
    op = world.rt.account("Bob")
    quoted = ["call", "Charlie", "Services", "request_with_signed_price_quotes", {
        "evm_origin": None, "blueprint_id": 0, "permitted_callers": [], "operators": [op], "request_args": [],
        "asset_security_requirements": [], "ttl": 0, "payment_asset": {"Custom": 0}, "membership_model": {"Fixed": {"min_operators": 1}},
        "pricing_quotes": [], "operator_signatures": ["0x" + "11" * 65], "security_commitments": []}]
    ex, failure = world.execute([quoted])  # real: fewer quotes than operators panics (quirk services.quoted_request_quirks)
    assert failure is None and ex.last_outcome == "panic (modelled)"
    # the same call drawn by the bad-input share (its quotes cut to none) is the same modelled panic,
    # not a crash at the boundary (a 10^7-step campaign under real reported it as a bad-input failure)
    ex, failure = world.execute([["bad", *quoted[1:]]])
    assert failure is None and ex.last_outcome == "panic (modelled)"

    from pallets.balances import Balances

    def broken(self, origin, dest, value):  # type: ignore[no-untyped-def]
        raise ZeroDivisionError("a simulator bug")
    monkeypatch.setattr(Balances.call_specs()["transfer_keep_alive"], "fn", broken)
    _, failure = world.execute([["call", "Alice", "Balances", "transfer_keep_alive", {"dest": "Bob", "value": 1}]])
    assert failure is not None and failure.kind == "panic" and "ZeroDivisionError" in failure.message


def test_lifecycle_transitions_are_coverage_features_and_in_the_report() -> None:
    """Operator state A->B, request transitions and slash stages are features of their own: a join,
    the last approval of the world's pending request, a slash proposal and its dispute."""
    from simulations.fuzz.coverage import Coverage, report
    from simulations.stateful import world as kit

    w = World(FuzzConfig())
    rt = w.reset()
    ex = Executor(rt, InvariantSet(), 64)
    ex.transitions = True
    coverage = Coverage()

    def run(step: list) -> list[str]:
        outcome = ex.run(step)
        coverage.observe(step, outcome, ex.last_events, ex.last_transitions)
        return ex.last_transitions

    assert run(["call", "Ferdie", "MultiAssetDelegation", "join_operators", {"bond_amount": kit.OPERATOR_BOND}]) == ["state:operator:none>Active"]
    dave = kit.SETUP_OPERATORS[2]
    started = run(["call", dave, "Services", "approve", {"request_id": 1, "security_commitments": [{"asset": kit.TNT, "exposure_percent": 20}]}])
    assert started == ["state:request:pending>initiated"]
    assert run(["call", "Alice", "Balances", "transfer_allow_death", {"dest": "Bob", "value": 1}]) == []  # no lifecycle moved
    assert run(["call", kit.BLUEPRINT_OWNER, "Services", "slash", {"offender": kit.SETUP_OPERATORS[0], "service_id": 0, "slash_percent": 10}]) \
        == ["state:services slash:none>queued"]
    slash = next(ev for ev in ex.last_events if ev.name == "Services.UnappliedSlash")
    assert run(["call", kit.BLUEPRINT_OWNER, "Services", "dispute", {"era": slash["era"], "index": slash["index"]}]) == ["state:services slash:queued>discarded"]
    text = report(coverage, rt)
    assert "known state transitions reached: 4 of 51" in text and "services slash   2 of  4: none>queued, queued>discarded" in text


def test_job_calls_and_results_get_through_and_a_users_result_bug_is_found(tmp_path: Path) -> None:
    """Arguments and results are drawn to the job's declared types (recipes ``call_job`` and
    ``submit_job_result``): job calls succeed, so a blueprint author's invariant on results runs and
    the planted bug of docs/stateful.md (any result accepted) is found and shrunk to a call and a result."""
    result = run_worker(FuzzConfig(seed=2, steps=20_000, runtime="worlds:squaring_world", invariants=[*ALL_INVARIANTS, "worlds:results_are_squares"],
                                   out=tmp_path, shrink_time=5))
    assert result.coverage.successes["Services.call"] > 0 and result.failures
    failure = result.failures[0]
    assert failure.kind == "invariant" and "results_are_squares" in failure.what
    steps = [e.data for e in read_log(failure.log) if e.kind == "call" and e.data["call_module"] == "Services"]
    assert [s["call_function"] for s in steps][-2:] == ["call", "submit_result"]


def test_a_runtime_function_that_raises_is_named_with_its_file_and_line(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A user's --runtime function that fails: one line, exit 2, naming the error and the line of
    the user's module that raised (it printed the bare message: no file, no line)."""
    (tmp_path / "bad_rt.py").write_text("from runtime import Runtime\n\n\ndef broken_world():\n    rt = Runtime.dev(seed=0)\n    return rt.no_such_attribute\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    out = CliRunner().invoke(app, ["fuzz", "--runtime", "bad_rt:broken_world", "--steps", "10", "--out", str(tmp_path)])
    assert out.exit_code == 2, out.output
    text = " ".join(out.output.split())
    assert "'Runtime' object has no attribute 'no_such_attribute'" in text
    assert f"(AttributeError at {tmp_path / 'bad_rt.py'}:6 in broken_world: return rt.no_such_attribute)" in text, text
    assert "Traceback" not in out.output
