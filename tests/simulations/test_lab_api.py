"""The Python API example in simulations/README.md runs as written and returns what it says."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[2]


def readme_example() -> str:
    text = (ROOT / "simulations" / "README.md").read_text()
    section = text.split("## Python API", 1)[1]
    (code,) = re.findall(r"```python\n(.*?)```", section, flags=re.S)[:1]
    return code


def test_the_readme_example_runs_and_returns_frames(monkeypatch, capsys) -> None:
    monkeypatch.chdir(ROOT)
    scope: dict = {}
    exec(compile(readme_example(), "simulations/README.md", "exec"), scope)  # noqa: S102 - our own documentation
    printed = capsys.readouterr().out
    one, sweep = scope["one"], scope["sweep"]
    assert list(one.runs.arm) == ["tangle_services", "eigenlayer"] and "honest_slashed" in printed
    assert {"justified", "status", "resolution_blocks", "taken_TNT_base", "taken_USDC"} <= set(one.slashes.columns)
    assert one.losses.loss_base.dtype == object and all(isinstance(v, int) for v in one.losses.loss_base)
    assert (one.rounds["round"].max() >= 11) and set(one.rounds.arm) == {"tangle_services", "eigenlayer"}
    # the sweep: 3 policies x 2 windows on Symbiotic, 5 common seeds each
    assert sweep.runs.groupby("arm").seed.apply(frozenset).nunique() == 1 and len(sweep.runs) == 6 * 5
    s = sweep.summary[sweep.summary.metric == "honest_slashed_value"].set_index("arm")
    never10, always10, always30 = (f"symbiotic/{p}/symbiotic.veto_blocks={w}" for p, w in (("never", 10), ("always", 10), ("always", 30)))
    assert (s.n == 5).all() and s.loc[never10, "mean"] > 0 and s.loc[always30, "mean"] == 0
    assert pd.isna(s.loc[never10, "diff_mean"])  # the baseline itself
    assert s.loc[always30, "diff_mean"] == -s.loc[never10, "mean"]
    # a 10-block window is shorter than governance's 15-block reaction: vetoing everything changes nothing there
    assert s.loc[always10, "mean"] == s.loc[never10, "mean"] and (sweep.runs[sweep.runs.arm == always10].late_vetoes > 0).all()
    assert list(sweep.headline["rank"])[0] == 1 and {"verdict", "runs_censored", "honest_slashed_value_ci_low"} <= set(sweep.headline.columns)
