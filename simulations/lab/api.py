"""Notebook API: one call runs a scenario, one call runs a sweep; both return pandas DataFrames.

>>> from simulations.lab.api import run_scenario, run_sweep
>>> one = run_scenario("simulations/scenarios/slash-veto.yaml", rules=["tangle_services"])
>>> one.slashes[["offender", "justified", "status", "resolution_blocks"]]
>>> sweep = run_sweep("simulations/scenarios/slash-veto.yaml", policies=["never", "stock"], runs=50)
>>> sweep.headline                     # arms ranked, with 95% intervals

Nothing here is stored; the CLI (``tangle-sim run`` / ``sweep``) stores, resumes and reports.
Amount columns are exact ints in base units (``*_base``, dtype object), floats in whole tokens
(same name without ``_base``) and floats in the scenario's numeraire (``*_value``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from simulations.lab.arms import grid_arms, resolve_policy
from simulations.lab.frames import losses_frame, rounds_frame, run_frame, slashes_frame
from simulations.lab.summary import HEADLINE_METRICS, arm_summary, headline
from simulations.runner import ArmResult, ArmSpec, Recorder, load_for_run, play


@dataclass
class ScenarioRun:
    """One scenario, one seed, each rule an arm."""

    runs: pd.DataFrame  # one row per arm: ground truth, censoring, losses per role and asset
    rounds: pd.DataFrame  # per-round metrics, long format
    slashes: pd.DataFrame  # one row per slash: label, timings, outcome, what it took
    losses: pd.DataFrame  # one row per (arm, role, asset)
    results: dict[str, ArmResult] = field(repr=False, default_factory=dict)


@dataclass
class SweepRun:
    """A sweep: every arm on the same seeds."""

    runs: pd.DataFrame  # one row per run (arm x seed)
    summary: pd.DataFrame  # one row per (arm, metric): n, mean, std, CI, paired difference to the baseline, runs censored
    headline: pd.DataFrame  # one row per arm, ranked by honest operators' loss, with intervals


def _overrides(sc_path: str | Path, params: dict[str, Any] | None, policy: Any, pending: str | None, text: str | None) -> dict[str, Any]:
    overrides = dict(params or {})
    if pending is not None:
        overrides["end.pending"] = pending
    if policy is not None:
        sc, _ = load_for_run(sc_path, overrides, None, text=text)
        overrides["governance.policy"] = json.loads(resolve_policy(sc, policy, "policy")[1])
    return overrides


def run_scenario(scenario: str | Path, *, seed: int | None = None, params: dict[str, Any] | None = None, rules: list[str] | None = None,
                 policy: Any = None, pending: str | None = None, text: str | None = None) -> ScenarioRun:
    """Run ``scenario`` (a YAML/TOML path; or ``text`` with a name ending in the suffix) under each
    rule. ``params``: overrides as ``--param`` takes them (``{"slash_defer_duration": 14}``);
    ``policy``: a veto policy name, shorthand or mapping (as ``--policy``); ``pending``:
    ``"drain"`` (default) or ``"censor"``."""
    overrides = _overrides(scenario, params, policy, pending, text)
    sc, _ = load_for_run(scenario, overrides, seed, text=text)
    decimals = sc.decimals()
    results: dict[str, ArmResult] = {}
    rows, rounds, slashes, losses = [], [], [], []
    for rule in rules or list(sc.rules):
        commits: list[Any] = []
        res = play(sc, ArmSpec(rule, rule, sc.seed), Recorder(commits.append, with_calls=False))
        results[rule] = res
        rows.append({"arm": rule, "rule": rule, "point": {}, "run_index": 0, "seed": sc.seed, "state_root": res.state_root, "summary": res.summary})
        rounds.append(rounds_frame(commits, decimals, rule))
        slashes.append(slashes_frame(res.slashes, decimals, rule))
        losses.append(losses_frame(res.summary["outcomes"], rule))
    return ScenarioRun(run_frame(rows), pd.concat(rounds, ignore_index=True), pd.concat(slashes, ignore_index=True),
                       pd.concat(losses, ignore_index=True), results)


def run_sweep(scenario: str | Path, *, params: dict[str, list[Any]] | None = None, policies: list[Any] | None = None, rules: list[str] | None = None,
              runs: int = 100, workers: int | None = None, baseline: str | None = None, confidence: float = 0.95, method: str = "t",
              base_params: dict[str, Any] | None = None) -> SweepRun:
    """Every arm (``policies`` × ``rules`` × the ``params`` grid; a parameter only where it matters,
    identical arms once) on ``runs`` common seeds. ``workers``: processes (default every core;
    1 = in this process). ``base_params`` apply to every arm (e.g. ``{"length.rounds": 12}``)."""
    from simulations import sweep as sw

    if runs < 1:
        raise ValueError("runs must be at least 1")
    path = Path(scenario)
    text = path.read_text(encoding="utf-8")
    base = dict(base_params or {})
    sc, _ = load_for_run(path, base, None, text=text)
    grid = {k: list(v) for k, v in (params or {}).items()}
    arms, _ = grid_arms(sc, rules or list(sc.rules), grid, [p if isinstance(p, str) else json.dumps(p) for p in policies] if policies else None)
    tasks = sw.plan(text, path.suffix or ".yaml", base, grid, rules or list(sc.rules), runs, sc.seed, arms=arms)
    results = sw.run_serial(tasks) if workers == 1 else sw.run_processes(tasks, workers)
    frame = run_frame(results)
    return SweepRun(frame, arm_summary(frame, HEADLINE_METRICS, baseline=baseline, confidence=confidence, method=method),
                    headline(frame, confidence=confidence, method=method))
