"""The run's what-if table never cuts a number (``1,983.477929…``): too wide for the console, it is
printed as several tables, each number whole."""

from __future__ import annotations

from pathlib import Path

import pytest
from rich.console import Console

from simulations.commands import print_summary
from simulations.store import RunStore

TINY = Path(__file__).resolve().parent / "data" / "tiny.yaml"
BIG = 1_983_477_929_048_064_412_688  # 1,983.477929048064412688 TNT


def _store(tmp_path: Path) -> RunStore:
    diff = [{"entity": f"holder-{i}", "role": "delegator", "asset": "TNT", "loss_no_veto": BIG + i, "loss_veto": BIG - 1_436_701_821_907_442_374,
             "saved_by_veto": 1_436_701_821_907_442_374 + i} for i in range(3)]
    diff.append({"entity": "mover", "role": "delegator", "asset": "TNT", "loss_no_veto": 5, "loss_veto": 15_690_529_804_500_000_005,
                 "saved_by_veto": -15_690_529_804_500_000_000})
    store = RunStore(str(tmp_path / "runs.db"))
    store.create_run(kind="run", scenario_name="tiny", scenario_path=str(TINY), scenario_text=TINY.read_text(), overrides={}, seed=11,
                     command="c", info={"branch_difference": diff})
    return store


@pytest.mark.parametrize("width", [80, 100, 200])
def test_every_number_is_printed_whole(tmp_path, width: int) -> None:
    console = Console(width=width, record=True, color_system=None)
    print_summary(console, _store(tmp_path), 1)
    text = console.export_text()
    assert "…" not in text
    for number in ("1,983.477929048064412688", "1,983.47792904806441269", "1,982.041227226156970314", "1.436701821907442376",
                   "0.000000000000000005", "15.690529804500000005", "-15.6905298045"):
        assert number in text, number
    tables = text.count("what-if: the fork slash vetoed vs applied")
    assert tables == (1 if width == 200 else 3 if width == 80 else 2)
    assert all(len(line) <= width for line in text.splitlines())
