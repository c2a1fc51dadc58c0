"""The coverage report's figures say what they count (new-user report 10, finding 12, and the reach
part of finding 5): calls whose body ran apart from calls sent, the calls never sent from root by
design, events and lifecycle transitions as n of N with what was never reached listed in
coverage.txt, and the run length the reach depends on."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from simulations.cli import app
from simulations.fuzz import FuzzConfig, World
from simulations.fuzz.coverage import KNOWN_TRANSITIONS, Coverage, full_report, real_events, report, summary
from simulations.fuzz.engine import DECREES


def _words(text: str) -> str:
    return " ".join(text.split())


def _coverage() -> Coverage:
    coverage = Coverage()
    coverage.observe(["call", "Alice", "System", "remark", {"remark": "0x"}], "ok", ())
    coverage.observe(["call", "Alice", "Sudo", "set_key", {"new": "Bob"}], "Sudo.RequireSudo", ())
    coverage.observe(["call", "Alice", "Balances", "force_set_balance", {"who": "Bob", "new_free": 1}], "BadOrigin", ())
    coverage.observe(["call", "Alice", "Balances", "burn", {"value": 10**30, "keep_alive": False}], "Balances.InsufficientBalance", ())
    coverage.features.add("event:System.Remarked")
    coverage.features.add("state:operator:none>Active")
    return coverage


def test_calls_whose_body_ran_are_counted_apart_from_calls_sent_and_decrees_are_named() -> None:
    rt = World(FuzzConfig()).reset()
    text = report(_coverage(), rt, width=100)
    every = sum(len(c) for c in rt.supported_calls().values())
    assert f"calls reached: 4 of {every}" in text  # sent
    # ran: remark (ok) and burn (failed in its body); set_key and force_set_balance stopped at the origin
    assert f"calls whose body ran (an outcome other than BadOrigin, Sudo.RequireSudo, invalid, refused): 2 of {every}" in _words(text)
    rows = {line.split()[0]: line for line in text.splitlines() if line and not line.startswith(" ")}
    assert rows["Sudo.set_key"].endswith("origin check only") and rows["Balances.force_set_balance"].endswith("never from root: DECREES")
    assert not rows["Balances.burn"].endswith("only")
    named = _words(text).split("so they cannot succeed: ")[1]
    assert all(f"{p}.{c}" in named for p, c in DECREES)


def test_events_and_transitions_are_n_of_n_and_the_full_report_lists_what_was_not_reached() -> None:
    rt = World(FuzzConfig()).reset()
    events = real_events(rt)
    assert "System.Remarked" in events and "Services.SlashDropped" not in events  # a simulator extension is not the metadata's
    known = sum(len(edges) for edges in KNOWN_TRANSITIONS.values())
    text = report(_coverage(), rt, width=100)
    assert f"real events reached: 1 of {len(events)}" in text
    assert f"known state transitions reached: 1 of {known}" in text and f"operator         1 of {len(KNOWN_TRANSITIONS['operator'])}: none>Active" in text
    full = full_report(_coverage(), rt)
    not_events = full[full.index("real events not reached"):].split("\n\n")[0].splitlines()
    assert not_events[0] == f"real events not reached ({len(events) - 1} of {len(events)}):" and "  Staking.Bonded" in not_events
    assert "  System.Remarked" not in not_events
    edges = full[full.index("known state transitions not reached"):].split("\n\n")[0].splitlines()
    assert "  operator:Leaving>none" in edges and "  operator:none>Active" not in edges and "  services slash:queued>applied" in edges
    assert summary(_coverage(), rt).endswith(f"calls whose body ran 2 of {sum(len(c) for c in rt.supported_calls().values())}; "
                                             f"real events reached 1 of {len(events)}; known state transitions reached 1 of {known}")


def test_the_report_states_the_run_length_and_its_reach(tmp_path: Path) -> None:
    out = CliRunner().invoke(app, ["fuzz", "--steps", "60", "--run-length", "30", "--workers", "1", "--out", str(tmp_path)])
    assert out.exit_code == 0, out.output
    said = "runs of 30 steps (--run-length), each from the starting world: a state that takes more steps or many eras to build is out of reach"
    assert said in _words(out.output) and said in _words((tmp_path / "coverage.txt").read_text())


def test_a_lifecycles_n_of_n_counts_only_its_known_transitions() -> None:
    """Second read: the per-lifecycle line counted every edge reached, known or not, so a lifecycle
    with an edge outside ``KNOWN_TRANSITIONS`` could read "15 of 14". The edge is still listed (and
    named in the headline as not in the known list), but n counts the known ones only."""
    rt = World(FuzzConfig()).reset()
    coverage = _coverage()
    coverage.features.add("state:operator:Active>Elsewhere")  # not a known operator transition
    text = report(coverage, rt, width=120)
    assert f"operator         1 of {len(KNOWN_TRANSITIONS['operator'])}: Active>Elsewhere, none>Active" in text
    assert "not in the known list: operator:Active>Elsewhere" in text
