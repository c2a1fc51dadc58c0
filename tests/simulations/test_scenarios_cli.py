"""The included scenarios run from the CLI (short lengths here) and their reports are written."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from simulations.cli import app
from simulations.store import RunStore

SCENARIOS = Path(__file__).resolve().parents[2] / "simulations" / "scenarios"
runner = CliRunner()


def invoke(*args: str) -> str:
    result = runner.invoke(app, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


@pytest.mark.parametrize("name,rounds", [("slash-veto", 10), ("mass-exit", 12), ("request-flood", 6), ("lst-validator-exit", 14)])
def test_included_scenario_runs_and_reports(tmp_path, name: str, rounds: int) -> None:
    db = str(tmp_path / "runs.db")
    out = invoke("run", str(SCENARIOS / f"{name}.yaml"), "--store", db, "--no-progress", "--param", f"length.rounds={rounds}")
    assert "reproduce: tangle-sim run" in out and f"run 1: {name}" in out
    store = RunStore(db)
    arms = store.arms(1)
    assert arms and all(a.status == "completed" for a in arms) and store.check_consistency(1) == []
    report_dir = tmp_path / "report"
    out = invoke("report", "1", "--store", db, "--out", str(report_dir))
    html = (report_dir / "report.html").read_text()
    pngs = sorted(report_dir.glob("*.png"))
    assert html.count("data:image/png;base64,") == len(pngs) >= 4 and name in html
    for png in ("stake_per_operator", "slash_timeline", "losses_by_asset"):
        data = (report_dir / f"{png}.png").read_bytes()
        assert data.startswith(b"\x89PNG") and len(data) > 2_000
    # drained runs: nothing pending is said in words, not drawn as an empty panel
    from simulations.report import runs_frame

    if (runs_frame(store, 1).pending_at_end == 0).all():
        assert not (report_dir / "pending_at_end.png").exists() and "no slash was pending at the end" in html
    else:
        assert (report_dir / "pending_at_end.png").read_bytes().startswith(b"\x89PNG")
    assert "arm" in out and "window" in out  # the plain-text summary table
    check_story(name, {a.label: a for a in arms}, store)


def summary(arm):  # type: ignore[no-untyped-def]
    import json

    return json.loads(arm.summary_json)


def check_story(name: str, arms: dict, store: RunStore) -> None:
    """What each scenario is there to show."""
    if name == "mass-exit":
        # the Tangle rule's long defer lets the leaving operators escape (SlashDropped); short windows do not
        tangle = summary(arms["tangle_services"])["slashes"]
        eigen = summary(arms["eigenlayer"])["slashes"]
        assert tangle.get("dropped") == 3 and eigen.get("applied") == 4
        assert summary(arms["eigenlayer"])["losses"]["operator:TNT"] > summary(arms["tangle_services"])["losses"]["operator:TNT"]
    elif name == "request-flood":
        c = summary(arms["tangle_services"])["counters"]
        assert c["requests_sent"] == 4 * 25 * 5  # rounds 1..5
        assert c["requests_refused"] > 0 and c["services_started"] > 0 and c["requests_expired"] > 0
        assert summary(arms["tangle_services"])["failures"] == {"Services.request -> Services.MaxServicesPerOperatorExceeded": c["requests_refused"]}
    elif name == "lst-validator-exit":
        staking = summary(arms["substrate_staking"])
        assert staking["slashes"] == {"vetoed": 1, "applied": 1}
        assert staking["losses"]["pool:TNT"] > 0 and staking["losses"]["pool_member:TNT"] > 0
        # modelled on the Tangle rule the slash comes due after val-1 left the set: nothing to slash
        assert summary(arms["tangle_services"])["slashes"].get("failed") == 1
    elif name == "slash-veto":
        assert any(summary(a)["slashes"].get("vetoed") for a in arms.values())
        assert set(arms) >= {"tangle_services/veto", "tangle_services/no_veto"}


def test_bad_scenario_prints_field_and_line(tmp_path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text((SCENARIOS / "slash-veto.yaml").read_text().replace("seed: 7", "seed: seven"))
    result = runner.invoke(app, ["run", str(bad), "--store", str(tmp_path / "x.db"), "--no-progress"])
    assert result.exit_code == 2
    assert f"{bad}:13:1: seed: Input should be a valid integer" in " ".join(result.output.split())


def test_sweep_cli_writes_frame_and_store(tmp_path) -> None:
    db = str(tmp_path / "runs.db")
    csv = tmp_path / "out.csv"
    out = invoke("sweep", str(SCENARIOS / "slash-veto.yaml"), "--param", "slash_defer_duration=3,7", "--param", "length.rounds=8", "--runs", "2",
                 "--rule", "tangle_services", "--workers", "1", "--store", db, "--out", str(csv), "--no-progress")
    assert "arms ranked by honest operators" in out and "95% CI" in " ".join(out.split()) and csv.exists()
    import pandas as pd

    frame = pd.read_csv(csv)
    assert len(frame) == 4 and sorted(set(frame.slash_defer_duration)) == [3, 7]
    invoke("report", "1", "--store", db, "--out", str(tmp_path / "rep"))
    assert (tmp_path / "rep" / "report.html").exists() and (tmp_path / "rep" / "losses_by_asset.png").exists()


def test_a_rule_chosen_on_the_command_line_runs_without_another_rules_what_if_fork(tmp_path) -> None:
    db = str(tmp_path / "runs.db")
    invoke("run", str(SCENARIOS / "slash-veto.yaml"), "--store", db, "--no-progress", "--param", "length.rounds=6", "--rule", "eigenlayer")
    assert [a.label for a in RunStore(db).arms(1)] == ["eigenlayer"]
    invoke("run", str(SCENARIOS / "slash-veto.yaml"), "--store", db, "--no-progress", "--param", "length.rounds=6", "--rule", "tangle_services")
    assert sorted(a.branch or "" for a in RunStore(db).arms(2)) == ["", "no_veto", "veto"]  # its own rule's fork still runs


def test_a_sweeps_param_seed_is_its_base_seed(tmp_path) -> None:
    """A new user's ``sweep --param seed=N`` was echoed in the reproduce line and arm names, yet
    every run had the default seeds. Now it is the base seed every arm's run seeds derive from:
    the same runs as a copy of the scenario with ``seed: N``, other runs than the default."""
    import pandas as pd

    scenario = SCENARIOS / "slash-veto.yaml"
    common = ["--param", "length.rounds=6", "--runs", "2", "--rule", "tangle_services", "--workers", "1", "--no-progress"]

    def sweep(name: str, path: Path, *extra: str) -> tuple[str, pd.DataFrame]:
        out = invoke("sweep", str(path), *extra, *common, "--store", str(tmp_path / f"{name}.db"), "--out", str(tmp_path / f"{name}.csv"))
        return out, pd.read_csv(tmp_path / f"{name}.csv")

    _, default = sweep("default", scenario)
    out, flagged = sweep("flag", scenario, "--param", "seed=12345")
    edited = tmp_path / "slash-veto-12345.yaml"
    text = scenario.read_text()
    assert "\nseed:" in text
    edited.write_text("\n".join("seed: 12345" if line.startswith("seed:") else line for line in text.splitlines()) + "\n")
    _, by_file = sweep("file", edited)
    assert "--param seed=12345" in out and "seed=12345" not in "".join(flagged["arm"].astype(str))
    assert list(flagged["seed"]) == list(by_file["seed"]) and list(flagged["seed"]) != list(default["seed"])
    assert RunStore(str(tmp_path / "flag.db")).run(1).seed == 12345
    bad = runner.invoke(app, ["sweep", str(scenario), "--param", "seed=1,2", *common, "--store", str(tmp_path / "bad.db")])
    assert bad.exit_code == 2 and "a sweep has one base seed" in bad.output and not (tmp_path / "bad.db").exists()
