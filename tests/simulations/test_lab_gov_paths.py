"""Veto paths as lab arms (issue 15): a veto governance wants is a real process on the arm's
``governance.path``, through the runtime's own Sudo, Council, Democracy and Scheduler, and the run
records when it started, when its call executed (or would), and whether that was before the slash.

The scenario is ``governance-timing.yaml`` (6 s time base: a staking slash reported in era E applies
at era E + 11's first block) with one equivocation per run; tests fix the agents' delays so each
path's timeline is known exactly."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from simulations.lab.gov_report import render, run
from simulations.lab.loop import Simulation
from simulations.lab.summary import governance_table, wilson
from simulations.runner import load_for_run

ROOT = Path(__file__).resolve().parents[2]
TIMING = str(ROOT / "simulations" / "scenarios" / "governance-timing.yaml")
SLASH_VETO = str(ROOT / "simulations" / "scenarios" / "slash-veto.yaml")
ERA = 3_600
FAST = 28_800


def quick(delay: int = 100) -> dict[str, Any]:
    """Everyone takes part and acts ``delay`` blocks into each stage."""
    fixed = {"kind": "fixed", "blocks": delay}
    return {"governance.sudo": {"id": "sudo-key", "reaction": {"kind": "fixed", "blocks": 10}},
            "governance.council": [{"id": "councillor", "count": 5, "balance": "1_000 TNT", "reaction": fixed}],
            "governance.voters": [{"id": "voter", "count": 3, "balance": "10_000 TNT", "conviction": "Locked1x", "reaction": fixed}]}


def simulate(path: str, seed: int = 3, **extra: Any) -> Simulation:
    overrides = {"governance.path": path, **quick(), **extra}
    sc, _ = load_for_run(TIMING, overrides, seed)
    sim = Simulation(sc, "substrate_staking")
    for _ in sim.rounds():
        pass
    return sim


def only(sim: Simulation) -> tuple[Any, Any]:
    """The run's one slash record and its veto process."""
    (rec,) = sim.queue.records
    (proc,) = sim.state.gov.processes  # type: ignore[union-attr]
    assert proc.slash_id == rec.slash_id and rec.native and rec.status in ("vetoed", "applied")
    return rec, proc


def names(sim: Simulation, name: str) -> list[Any]:
    return sim.rt.events_named(name)


def slashed(sim: Simulation) -> bool:
    who = sim.actors.account("val-bad")
    return any(e["staker"] == who for e in names(sim, "Staking.Slashed"))


def test_sudo_cancels_the_deferred_slash_in_its_reaction_block() -> None:
    sim = simulate("sudo")
    rec, proc = only(sim)
    assert proc.outcome == "landed" and rec.status == "vetoed" and not slashed(sim)
    assert proc.started_block == proc.enact_block == rec.proposed_block + 10 == rec.veto_block
    (sudid,) = names(sim, "Sudo.Sudid")
    assert sudid.block == proc.enact_block and sudid["sudo_result"] is None
    assert not sim.rt.pallets["Staking"].storage.UnappliedSlashes.get(rec.native_key[0])
    assert proc.apply_block == sim.clock.first_block_of_era(sim.clock.era_of(rec.proposed_block) + 11)
    assert "gov sudo" in rec.note and rec.note.endswith("landed")


def test_a_council_motion_cannot_cancel_it_and_the_run_records_bad_origin() -> None:
    sim = simulate("council_motion")
    rec, proc = only(sim)
    assert proc.outcome == "failed" and proc.failure == "BadOrigin"
    assert "veto failed: BadOrigin" in rec.note and rec.decision == "veto_failed"
    proposed = names(sim, "Council.Proposed")
    assert len(proposed) == 1 and proposed[0]["threshold"] == 3  # more than half of five
    assert len(names(sim, "Council.Voted")) == 3  # closed as soon as the threshold was met
    (executed,) = names(sim, "Council.Executed")
    assert executed["result"] == "BadOrigin" and executed.block == rec.proposed_block + 100
    assert rec.status == "applied" and slashed(sim) and rec.applied_block == proc.apply_block


def test_an_instant_referendum_cancels_it_through_the_scheduler() -> None:
    sim = simulate("referendum_instant")
    rec, proc = only(sim)
    assert proc.outcome == "landed" and rec.status == "vetoed" and not slashed(sim)
    executed = names(sim, "Council.Executed")
    assert [e["result"] for e in executed] == [None, None]  # external_propose_default, then fast_track, each 5 of 5
    assert [e["threshold"] for e in names(sim, "Council.Proposed")] == [5, 5]
    (started,) = names(sim, "Democracy.Started")
    assert started.block == executed[1].block == rec.proposed_block + 200
    (passed,) = names(sim, "Democracy.Passed")
    assert passed.block == started.block + 1  # voting period 1
    (dispatched,) = names(sim, "Scheduler.Dispatched")
    assert dispatched["result"] is None and dispatched.block == passed.block + 1 == proc.enact_block == rec.veto_block
    # the councillor who closed the fast_track motion voted aye in that block; the holders (100 blocks) came too late
    (voted,) = names(sim, "Democracy.Voted")
    assert voted.block == started.block and voted["voter"] == sim.actors.account("councillor-5")
    assert proc.started_block == rec.proposed_block + 100


def test_an_instant_referendum_nobody_votes_in_fails_by_zero_turnout() -> None:
    council = [{"id": "councillor", "count": 5, "reaction": {"kind": "fixed", "blocks": 100}}]  # no balance: no aye in block F
    sim = simulate("referendum_instant", **{"governance.council": council})
    rec, proc = only(sim)
    assert names(sim, "Democracy.NotPassed") and not names(sim, "Scheduler.Dispatched")
    assert proc.outcome == "failed" and proc.failure == "referendum not passed" and rec.status == "applied" and slashed(sim)


def test_a_fast_track_lands_when_the_council_is_quick() -> None:
    sim = simulate("referendum_fast_track")
    rec, proc = only(sim)
    (started,) = names(sim, "Democracy.Started")
    assert [e["threshold"] for e in names(sim, "Council.Proposed")] == [4, 4]  # 3/4 and 2/3 of five
    assert len(names(sim, "Democracy.Voted")) == 4  # the closing councillor at once, the three holders 100 blocks later
    assert proc.enact_block == started.block + FAST + 1 < proc.apply_block
    assert proc.outcome == "landed" and rec.status == "vetoed" and not slashed(sim)
    (dispatched,) = names(sim, "Scheduler.Dispatched")
    assert dispatched["result"] is None and dispatched.block == proc.enact_block


def test_a_fast_track_too_slow_lets_the_slash_land_and_is_recorded_late() -> None:
    sim = simulate("referendum_fast_track", **{"governance.fast_track_voting_period": 12 * ERA})
    rec, proc = only(sim)
    assert rec.status == "applied" and slashed(sim) and rec.applied_block == proc.apply_block
    # late the moment the slash applied (it can no longer land): the run does not drain on for the
    # referendum, which is still running on chain (nothing there knows); its enactment block if it
    # passes is known, so the lateness is too
    assert proc.late_at == rec.applied_block and proc.running and proc.stage == "referendum"
    assert not names(sim, "Democracy.Passed") and not sim.state.gov.open_processes()
    assert proc.outcome == "late" and proc.enact_block == proc.ref_end + 1 > proc.apply_block and not proc.lateness_bound
    assert proc.lateness == proc.enact_block - (proc.apply_block - 1) > 0
    assert rec.decision == "veto_late" and "veto late" in rec.note and "if it passes" in rec.note
    gov = __import__("simulations.lab.outcomes", fromlist=["governance_outcome"]).governance_outcome(sim)
    assert (gov["wanted"], gov["landed"], gov["late"], gov["failed"], gov["pending"]) == (1, 0, 1, 0, 0)
    assert gov["lateness_max"] == proc.lateness and gov["needed_window_max"] == proc.enact_block - rec.proposed_block + 1


def test_a_standard_referendum_is_always_late() -> None:
    sim = simulate("referendum_standard")
    rec, proc = only(sim)
    (proposed,) = names(sim, "Democracy.Proposed")
    (started,) = names(sim, "Democracy.Started")
    assert proposed.block == rec.proposed_block + 100 and started.block % 7_200 == 0 and started.block > proposed.block
    assert proc.outcome == "late" and rec.status == "applied" and slashed(sim)
    assert proc.enact_block == started.block + 100_800 + 43_200
    assert not names(sim, "Scheduler.Dispatched")  # known to be late at the bake: the run stops there


def test_nobody_acting_is_a_failure_not_a_success() -> None:
    sim = simulate("sudo", **{"governance.sudo": {"id": "sudo-key", "reaction": {"kind": "never"}}})
    rec, proc = only(sim)
    assert proc.outcome == "failed" and "did not act" in proc.failure and rec.status == "applied" and not names(sim, "Sudo.Sudid")


def test_turnout_and_delays_come_from_each_agents_own_stream() -> None:
    """Adding a voter does not move the council's draws (their motions happen in the same blocks)."""
    noisy = {"governance.council": [{"id": "councillor", "count": 5, "turnout": 1.0, "reaction": {"kind": "exponential", "mean": 600}}]}
    a = simulate("referendum_fast_track", seed=5, **noisy)
    more = dict(noisy, **{"governance.voters": quick()["governance.voters"] + [{"id": "late", "balance": "5 TNT", "reaction": {"kind": "never"}}]})
    b = simulate("referendum_fast_track", seed=5, **more)
    blocks = lambda sim, n: [e.block for e in names(sim, n)]  # noqa: E731
    assert blocks(a, "Council.Voted") == blocks(b, "Council.Voted") and blocks(a, "Council.Executed") == blocks(b, "Council.Executed")
    assert len(set(blocks(a, "Council.Voted"))) > 2  # the delays really vary


def test_same_seed_same_frame_and_the_table_reports_intervals_and_censoring() -> None:
    args = ["governance.path=sudo,council_motion,referendum_instant"]
    first = run(TIMING, 3, args, workers=1)
    again = run(TIMING, 3, args, workers=1)
    pd.testing.assert_frame_equal(first, again)
    assert first["state_root"].nunique() == len(first)  # different seeds, different runs
    table = governance_table(first)
    by = {r["path"]: r for r in table.to_dict("records")}
    assert set(by) == {"sudo", "council_motion", "referendum_instant"}
    cm = by["council_motion"]
    assert cm["landed"] == 0 and cm["failed"] == cm["wanted"] == 3 and "failed: BadOrigin ×3" in cm["why_not"]
    assert (cm["ci_low"], round(cm["ci_high"], 4)) == (0.0, round(wilson(0, 3)[1], 4)) and cm["ci_high"] > 0.3  # never a bare 0 %
    text = render(table)
    assert "| governance.path=council_motion" in text or "council_motion" in text
    assert "3 in 3 runs" in text and "[0.0%," in text


def test_the_default_path_ignores_governance_agents() -> None:
    """Under the shortcut (the default), declaring agents changes nothing: same roots, same slashes."""
    results = []
    for extra in ({}, quick()):
        sc, _ = load_for_run(SLASH_VETO, dict(extra), 7)
        for rule in ("tangle_services", "substrate_staking"):
            sim = Simulation(sc, rule)
            for _ in sim.rounds():
                pass
            assert sim.state.gov is None
            results.append((sim.rt.state_root(), [r.row() for r in sim.queue.records]))
    assert results[:2] == results[2:]


def test_wilson_intervals() -> None:
    low, high = wilson(10, 10)
    assert high == 1.0 and 0.69 < low < 0.73
    low, high = wilson(5, 10)
    assert low < 0.5 < high and abs((0.5 - low) - (high - 0.5)) < 1e-9
    assert all(v != v for v in wilson(0, 0))


@pytest.mark.parametrize("bad,match", [({"governance.path": "telepathy"}, "path"),
                                       ({"governance.council": [{"id": "c", "count": 101}]}, "count"),
                                       ({"governance.voters": [{"id": "v", "reaction": {"kind": "uniform", "low": 9, "high": 2}}]}, "high"),
                                       ({"governance.council": [{"id": "x"}], "governance.voters": [{"id": "x"}]}, "unique"),
                                       ({"governance.voters": [{"id": "val-bad"}]}, "already an actor")])
def test_bad_governance_agents_are_refused_by_field(bad: dict[str, Any], match: str) -> None:
    with pytest.raises(Exception, match=match):
        load_for_run(TIMING, bad, None)


def test_the_enactment_block_against_the_application_block_to_the_block() -> None:
    """Enacted in the block before era E + 11: the veto lands. Enacted in its first block: Session's
    on_initialize (pallet 18) applies the slash before the Scheduler (25) runs the cancel, which then
    fails, and the run records it late, with the chain's error."""
    probe = simulate("referendum_fast_track")
    _, proc = only(probe)
    (started,) = names(probe, "Democracy.Started")
    edge = proc.apply_block - 1 - started.block  # voting period that enacts exactly at the application block
    in_time = simulate("referendum_fast_track", **{"governance.fast_track_voting_period": edge - 1})
    rec, p = only(in_time)
    assert p.enact_block == p.apply_block - 1 and p.outcome == "landed" and rec.status == "vetoed" and not slashed(in_time)
    too_late = simulate("referendum_fast_track", **{"governance.fast_track_voting_period": edge})
    rec, p = only(too_late)
    assert p.enact_block == p.apply_block and p.outcome == "late" and p.lateness == 1
    (dispatched,) = names(too_late, "Scheduler.Dispatched")
    assert dispatched.block == p.apply_block and p.failure.endswith("; then " + dispatched["result"]) and dispatched["result"].startswith("Staking.")
    assert rec.status == "applied" and slashed(too_late)


def services_run(path: str, delay: int) -> Simulation:
    """slash-veto.yaml under the Services rule (a 7-round window of 10-block rounds), vetoes on ``path``."""
    fixed = {"kind": "fixed", "blocks": delay}
    overrides = {"governance.path": path, "governance.sudo": {"id": "sudo-key", "reaction": fixed},
                 "governance.council": [{"id": "councillor", "count": 5, "balance": "10 TNT", "reaction": fixed}]}
    sc, _ = load_for_run(SLASH_VETO, overrides, 7)
    sim = Simulation(sc, "tangle_services")
    for _ in sim.rounds():
        pass
    return sim


def test_services_slashes_are_disputed_as_the_dispute_origin_by_sudo_as() -> None:
    sim = services_run("sudo", 3)
    procs = sim.state.gov.processes  # type: ignore[union-attr]
    landed = [p for p in procs if p.outcome == "landed"]
    assert landed and all(p.target == "services" for p in procs)
    done = names(sim, "Sudo.SudoAsDone")
    assert len(done) == len(procs) and sum(e["sudo_result"] is None for e in done) == len(landed)
    assert len(names(sim, "Services.SlashDiscarded")) == len(landed)
    for p in landed:
        rec = sim.queue.records[p.slash_id]
        assert rec.status == "vetoed" and p.enact_block == rec.proposed_block + 3 < p.apply_block


def test_services_slashes_through_an_instant_referendum_dispatch_as_the_dispute_origin() -> None:
    sim = services_run("referendum_instant", 1)
    procs = sim.state.gov.processes  # type: ignore[union-attr]
    landed = [p for p in procs if p.outcome == "landed"]
    assert landed
    inner = names(sim, "Utility.DispatchedAs")
    assert sum(e["result"] is None for e in inner) == len(landed) == len(names(sim, "Services.SlashDiscarded"))
    for p in landed:
        rec = sim.queue.records[p.slash_id]
        assert rec.status == "vetoed" and p.enact_block == rec.proposed_block + 4  # two 1-block motions, a 1-block vote, enactment the block after
    # a second veto while an external is still waiting for its fast-track is refused by Democracy, and said so
    for p in procs:
        assert p.outcome != "pending"
        if p.outcome == "failed":
            assert p.failure


def test_services_slashes_disputed_by_the_councillors_multisig() -> None:
    """The dispute origin is the 3-of-5 multisig of the councillors: the third approval's
    ``as_multi`` executes ``Services.dispute`` as the multisig account."""
    sim = services_run("multisig_dispute", 2)
    procs = sim.state.gov.processes  # type: ignore[union-attr]
    landed = [p for p in procs if p.outcome == "landed"]
    assert landed and all(p.outcome in ("landed", "late", "failed") for p in procs)
    executed = names(sim, "Multisig.MultisigExecuted")
    assert len(names(sim, "Multisig.NewMultisig")) == len(procs) and len(names(sim, "Multisig.MultisigApproval")) == len(procs)
    multisig = sim.actors.account("oracle-owner")
    assert {e["multisig"] for e in executed} == {multisig}
    assert sum(e["result"] is None for e in executed) == len(landed) == len(names(sim, "Services.SlashDiscarded"))
    for p in landed:
        assert sim.queue.records[p.slash_id].status == "vetoed" and p.enact_block == p.started_block


def test_a_multisig_short_of_its_threshold_cannot_dispute() -> None:
    sc, _ = load_for_run(SLASH_VETO, {"governance.path": "multisig_dispute", "governance.multisig_threshold": 4,
                                      "governance.council": [{"id": "councillor", "count": 5, "turnout": 0.0}]}, 7)
    sim = Simulation(sc, "tangle_services")
    for _ in sim.rounds():
        pass
    procs = sim.state.gov.processes  # type: ignore[union-attr]
    assert procs and all(p.outcome == "failed" and p.failure == "only 0 of the 4 signatories needed approve" for p in procs)
    assert not names(sim, "Services.SlashDiscarded") and not names(sim, "Multisig.NewMultisig")


def test_the_timing_scenario_runs_on_the_testnets_6s_constants() -> None:
    sc, _ = load_for_run(TIMING, {"governance.path": "sudo"}, 11)
    sim = Simulation(sc, "substrate_staking")
    dem, council = sim.rt.constants("Democracy"), sim.rt.constants("Council")
    assert (dem.LaunchPeriod, dem.VotingPeriod, dem.FastTrackVotingPeriod, dem.EnactmentPeriod, dem.InstantAllowed) == (7_200, 100_800, 28_800, 43_200, True)
    assert council.MotionDuration == 72_000 and sim.rt.constants("Staking").SlashDeferDuration == 10
    assert (sc.parameters.session_length, sc.parameters.sessions_per_era) == (1_200, 3)
    for _ in sim.rounds():
        pass
    rec, proc = only(sim)
    assert 36_001 <= proc.apply_block - rec.proposed_block <= 39_600  # reported in era E, applied as era E + 11 starts


def test_a_process_still_running_at_the_horizon_is_censored_not_counted() -> None:
    """Stopped at the horizon (end.pending: censor) before the slash applies, a standard referendum
    is still being voted on: pending, neither landed nor late. With a drain, once the slash applied
    the veto is late at once (it can no longer land), while the referendum still runs on chain."""
    outcome = __import__("simulations.lab.outcomes", fromlist=["governance_outcome"]).governance_outcome
    sim = simulate("referendum_standard", **{"end.pending": "censor"})
    (rec,) = sim.queue.records
    (proc,) = sim.state.gov.processes
    assert proc.outcome == "pending" and proc.running and rec.status == "pending"
    gov = outcome(sim)
    assert (gov["wanted"], gov["landed"], gov["late"], gov["failed"], gov["pending"]) == (1, 0, 0, 0, 1)
    assert gov["lateness_max"] is None and gov["processes"][0]["lateness"] is None
    sim = simulate("referendum_standard", **{"end.max_drain_rounds": 40})
    rec, proc = only(sim)
    assert proc.outcome == "late" and proc.late_at == rec.applied_block and proc.stage == "referendum" and proc.running
    gov = outcome(sim)
    assert (gov["wanted"], gov["landed"], gov["late"], gov["failed"], gov["pending"]) == (1, 0, 1, 0, 0)
    assert gov["lateness_max"] == proc.lateness > 0


def test_the_sweep_prints_the_veto_path_table(tmp_path) -> None:
    """`tangle-sim sweep governance-timing.yaml` answers the question it was built for: per veto
    path, the share landed with its interval and counts, and why the others did not land."""
    from typer.testing import CliRunner

    from simulations.cli import app

    timing = Path(__file__).resolve().parents[2] / "simulations" / "scenarios" / "governance-timing.yaml"
    out = CliRunner().invoke(app, ["sweep", str(timing), "--runs", "2", "--workers", "1", "--store", str(tmp_path / "g.db"), "--no-progress"],
                             catch_exceptions=False, env={"COLUMNS": "250"})
    assert out.exit_code == 0, out.output
    text = " ".join(out.output.split())
    assert "veto paths: did the vetoes governance wanted land in time?" in text and "Wilson CI" in text
    assert "BadOrigin ×2" in text  # the council cannot call a Root-only cancel: both runs say why
    assert "late: slash applied while the process was open ×2" in text  # a standard referendum is always late
    # the HTML report carries the same table
    from simulations.report import write_report
    from simulations.store import RunStore

    write_report(RunStore(str(tmp_path / "g.db")), 1, tmp_path / "report")
    page = (tmp_path / "report" / "report.html").read_text()
    assert "Veto paths: did the vetoes governance wanted land before the slash applied?" in page
    assert "BadOrigin ×2" in page and "referendum_standard" in page and "Wilson CI" in page


def test_the_terminal_the_report_and_the_markdown_table_say_the_same_words() -> None:
    """One row renderer (governance_cells) for the three tables: a path with vetoes and one whose
    governance never wanted one read the same everywhere."""
    import json

    from rich.console import Console

    from simulations.lab.summary import governance_cells, governance_console_table
    from simulations.report import _veto_paths

    frame = pd.DataFrame([
        {"arm": "fast", "gov_path": "referendum_fast_track", "gov_wanted": 3, "gov_landed": 2, "gov_late": 1, "gov_failed": 0,
         "gov_pending": 0, "gov_lateness_max": 1234.0, "gov_needed_window_max": 5000.0, "gov_reasons": json.dumps({"late: slash applied before enactment": 1})},
        {"arm": "quiet", "gov_path": "sudo", "gov_wanted": 0, "gov_landed": 0, "gov_late": 0, "gov_failed": 0,
         "gov_pending": 0, "gov_lateness_max": float("nan"), "gov_needed_window_max": float("nan"), "gov_reasons": "{}"},
    ])
    table = governance_table(frame)
    console = Console(width=250, record=True)
    console.print(governance_console_table(table))
    terminal = " ".join(console.export_text().split())
    page, markdown = _veto_paths(frame), render(table)
    fast, quiet = (governance_cells(r) for r in table.to_dict("records"))
    low, high = wilson(2 / 3, 1)  # one run: its three vetoes count as one trial (nothing shows they are independent)
    assert fast["share"] == f"66.7% [{low:.1%}, {high:.1%}] of 3 resolved" and fast["vetoes"] == "3 in 1 run"
    for cells in (fast, quiet):
        for key in ("share", "why_not"):
            assert cells[key] in terminal and cells[key] in page and cells[key] in markdown, (key, cells[key])
    assert quiet["share"] == "no veto wanted" and fast["share"].startswith("66.7% [")
    assert fast["lateness"] == "1,234 / 1,234" and fast["lateness"] in terminal and fast["lateness"] in page
    assert fast["vetoes"] == "3 in 1 run" and fast["vetoes"] in page and fast["vetoes"] in markdown


def test_vetoes_of_one_run_are_not_independent_trials() -> None:
    """The user's case: 20 vetoes from 3 runs all landed; pooled as 20 trials Wilson said [83.9%, 100%]."""
    from simulations.lab.summary import effective_vetoes

    assert effective_vetoes([7, 7, 6], [7, 7, 6]) == 3  # all landed: each run counts once
    assert wilson(3, 3)[0] < 0.5 < wilson(20, 20)[0]
    # whole runs fail together (a governor who never acts): the runs are the trials
    assert effective_vetoes([5] * 10, [5, 0] * 5) == 10
    # within-run outcomes that vary as independent ones would: close to the number of vetoes
    wanted, landed = [10] * 20, [5, 6, 4, 5, 5, 6, 4, 5, 5, 5, 6, 4, 5, 5, 6, 4, 5, 5, 4, 6]
    assert 150 < effective_vetoes(wanted, landed) <= 200
    assert effective_vetoes([0, 0], [0, 0]) == 0 and effective_vetoes([4, 0], [2, 0]) == 1
