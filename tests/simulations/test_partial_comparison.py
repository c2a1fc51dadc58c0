"""A partial sweep compares arms on the seeds every arm completed (paired), says how many seeds that
is and how many runs it left out, and never calls means over different seed sets "common seeds"."""

from __future__ import annotations

import html
import io

import pandas as pd
from rich.console import Console

from simulations.commands import print_sweep_summary
from simulations.lab.pairing import common_seeds
from simulations.lab.summary import headline, headline_table
from simulations.report import write_report
from tests.simulations.test_report import _sweep_store


def _frame(extra: dict[str, list[int]]) -> pd.DataFrame:
    """Arm ``good`` loses 100 on seeds 1-8, ``bad`` 110; ``extra`` adds runs per arm (seed -> value 0)."""
    base = {"faulty_escaped": 1, "late_vetoes": 0, "loss_total_value": 200.0, "honest_slashed": 1, "pending_at_end": 0, "numeraire": "USD"}
    rows = [{"arm": arm, "seed": s, "honest_slashed_value": value + s % 3, **base} for arm, value in (("good", 100.0), ("bad", 110.0)) for s in range(1, 9)]
    rows += [{"arm": arm, "seed": s, "honest_slashed_value": 0.0, **base} for arm, seeds in extra.items() for s in seeds]
    return pd.DataFrame(rows)


def _text(frame: pd.DataFrame) -> str:
    buf = io.StringIO()
    print_sweep_summary(Console(file=buf, width=200, color_system=None), frame, [], {"TNT": 18}, (len(frame), 20))
    return " ".join(buf.getvalue().split())


def test_an_arm_with_an_extra_seed_is_not_ranked_on_it() -> None:
    # bad finished a 9th seed (a run with no loss): over its own 9 runs it averages less than good's 8
    frame = _frame({"bad": [9]})
    assert frame[frame.arm == "bad"].honest_slashed_value.mean() < frame[frame.arm == "good"].honest_slashed_value.mean()
    h = headline(frame)
    assert h.attrs["best"] == "good" and list(h.arm) == ["good", "bad"]
    assert h.attrs["common_seeds"] == 8 and h.attrs["left_out"] == 1 and list(h.n) == [8, 8]
    text = _text(frame)
    assert "common seeds" not in text
    assert "on the 8 seeds every arm completed (paired; 1 of 17 stored runs left out)" in text
    assert "arms compared paired on the 8 seeds every arm completed; 1 of the 17 stored runs" in text
    assert text.index("good") < text.index("bad")


def test_a_complete_sweep_keeps_every_run_and_says_common_seeds() -> None:
    frame = _frame({"bad": [9], "good": [9]})
    c = common_seeds(frame)
    assert (c.seeds, c.left_out, len(c.frame)) == (9, 0, 18)
    text = _text(frame)
    assert "common seeds" in text and "left out" not in text


def test_arms_without_a_common_seed_cannot_be_compared_yet() -> None:
    frame = _frame({})
    frame.loc[frame.arm == "bad", "seed"] += 100  # no seed in common
    text = _text(frame)
    assert "the arms cannot be compared yet: no seed has a completed run in every one of the 2 arms" in text
    assert "vs best" not in text and "ranked" not in text


def test_the_html_report_of_a_partial_sweep_compares_on_common_seeds(tmp_path) -> None:
    # 3 arms x 3 runs, stored run by run: 5 results are run 0 of every arm and run 1 of two arms
    store = _sweep_store(tmp_path / "p.db", keep=5)
    write_report(store, 1, tmp_path / "rep")
    page = html.unescape((tmp_path / "rep" / "report.html").read_text())
    assert "Arms compared paired on the 1 seed every arm completed; 2 of the 5 stored runs (seeds some arm has not finished) left out" in page
    assert "covers those 3 runs only (sweep.csv holds all 5)" in page
    assert "n = 1 runs per arm" in page and "n = 1 to 2" not in page
    assert len(pd.read_csv(tmp_path / "rep" / "sweep.csv")) == 5


def test_the_html_report_says_when_no_seed_is_common(tmp_path) -> None:
    from sqlalchemy import update

    from simulations.store import ArmRow

    store = _sweep_store(tmp_path / "p.db", keep=5)
    first = store.arms(1)[0]  # run 0 of the first arm: unfinished, so it has run 1 only, the third arm run 0 only
    with store.session() as s, s.begin():
        s.execute(update(ArmRow).where(ArmRow.id == first.id).values(status="pending", summary_json="{}"))
    write_report(store, 1, tmp_path / "rep")
    page = html.unescape((tmp_path / "rep" / "report.html").read_text())
    assert "The arms cannot be compared yet: no seed has a completed run in every one of the 3 arms" in page
    assert "Which arm loses the least" not in page and "vs best" not in page
