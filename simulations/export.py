"""A stored run or sweep as files: one CSV or Parquet file per table (run, arms, metrics, slashes,
losses, checkpoints) and the per-run outcomes (``outcomes``), for pandas, DuckDB, Spark or a spreadsheet.

Exact integers stay exact. CSV writes them as decimal digits. Parquet has no 128-bit integer, so
u128 amounts (metric values, losses, slash amounts, and any integer column with a value beyond 64
bits) are ``decimal256(40, 0)``, seeds (u64) are ``uint64`` and other integers (ids, percents,
flags) ``int64``; pandas reads them back as ``Decimal`` / ``uint64`` / ``int64`` without rounding. Call logs are
left out (``tangle-sim report`` writes them as replayable JSON lines).
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pandas as pd

from simulations.store import ArmRow, CheckpointRow, LossRow, MetricRow, RunRow, RunStore, SlashRow

FORMATS = ("csv", "parquet")
# columns holding integers that may not fit 64 bits (IntText in the store)
BIG_INT_COLUMNS = {"value", "loss", "amount"}
SEED_COLUMNS = {"seed"}


def _rows(store: RunStore, model: Any, where: Any) -> pd.DataFrame:
    """Rows in arm order, then write order within an arm (a sweep commits arms as they finish,
    so ids alone would follow the workers' timing)."""
    from sqlalchemy import select

    cols = [c.name for c in model.__table__.columns]
    order = (model.arm_id, model.id) if "arm_id" in cols else (model.id,)
    with store.session() as s:
        rows = [{c: getattr(r, c) for c in cols} for r in s.scalars(select(model).where(where).order_by(*order))]
    return pd.DataFrame(rows, columns=cols, dtype=object)  # ints stay ints, NULL stays None (not NaN)


def run_tables(store: RunStore, run_id: int) -> dict[str, pd.DataFrame]:
    """Every stored row of one run, per table (integers as Python ints: exact)."""
    store.run(run_id)  # KeyError if there is no such run
    arm_ids = [a.id for a in store.arms(run_id)]
    tables = {"runs": _rows(store, RunRow, RunRow.id == run_id), "arms": _rows(store, ArmRow, ArmRow.run_id == run_id)}
    for name, model in (("metrics", MetricRow), ("slashes", SlashRow), ("losses", LossRow), ("checkpoints", CheckpointRow)):
        tables[name] = _rows(store, model, model.arm_id.in_(arm_ids))
    return tables


def _exact_int_column(series: pd.Series) -> bool:
    """An object column of Python ints: exact amounts (``loss_*`` in a sweep frame)."""
    if series.dtype != object or series.empty:
        return False
    values = [v for v in series if v is not None]
    return bool(values) and all(isinstance(v, int) and not isinstance(v, bool) for v in values)


def _arrow_table(frame: pd.DataFrame) -> Any:
    import pyarrow as pa

    arrays, names = [], []
    for col in frame.columns:
        values = list(frame[col])
        if col in SEED_COLUMNS:
            arr = pa.array([None if v is None else int(v) for v in values], type=pa.uint64())
        elif col in BIG_INT_COLUMNS or _exact_int_column(frame[col]):
            ints = [None if v is None or (isinstance(v, float) and v != v) else int(v) for v in values]
            if col not in BIG_INT_COLUMNS and all(v is None or -(2**63) <= v < 2**63 for v in ints):
                arr = pa.array(ints, type=pa.int64())  # ids, percents, 0/1 flags: plain integers for pandas
            else:
                arr = pa.array([None if v is None else Decimal(v) for v in ints], type=pa.decimal256(40, 0))
        else:
            arr = pa.array(values, from_pandas=True)
        arrays.append(arr)
        names.append(col)
    return pa.Table.from_arrays(arrays, names=names)


def write_frame(frame: pd.DataFrame, path: str | Path) -> Path:
    """A DataFrame to ``path``: Parquet if it ends in ``.parquet``, else CSV."""
    path = Path(path)
    if path.suffix.lower() == ".parquet":
        import pyarrow.parquet as pq

        pq.write_table(_arrow_table(frame), path)
    else:
        frame.to_csv(path, index=False)
    return path


#: file names of the stored tables: the run's own row is ``run`` (``runs.csv`` is what ``tangle-sim
#: report`` calls its per-run outcomes, exported here as ``outcomes``)
FILE_NAMES = {"runs": "run"}


def export_run(store: RunStore, run_id: int, out_dir: str | Path, fmt: str = "csv") -> list[Path]:
    """Write ``<table>.csv`` or ``<table>.parquet`` for each table of the run into ``out_dir``, and
    ``outcomes``: one row per run of an arm with every outcome it recorded (the frame ``tangle-sim
    report`` and the sweep summary are computed from)."""
    from simulations.report import runs_frame

    if fmt not in FORMATS:
        raise ValueError(f"--format must be one of {', '.join(FORMATS)}, got {fmt!r}")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    files = [write_frame(frame, out / f"{FILE_NAMES.get(name, name)}.{fmt}") for name, frame in run_tables(store, run_id).items()]
    return files + [write_frame(runs_frame(store, run_id), out / f"outcomes.{fmt}")]
