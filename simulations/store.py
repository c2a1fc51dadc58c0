"""The run store: SQLAlchemy 2.x tables for runs, their arms, per-round metrics, slashes,
checkpoints and call logs. SQLite file by default; any SQLAlchemy URL works (PostgreSQL...).

A *run* is one ``tangle-sim run`` or ``sweep`` invocation. It has *arms*: one per slash-veto rule
(plus what-if branches), or one per (parameter point, Monte Carlo index) in a sweep. The runner
commits each arm's round in **one transaction** (metrics, slash updates, new call-log entries,
the checkpoint with the state root, the arm's progress), so a run killed at any moment leaves the
database at the end of some round: readable and consistent, and resumable from that round
(:func:`simulations.runner.resume`) or discardable (:meth:`RunStore.discard`).

Balances and seeds are stored exactly: integer columns that may exceed 64 bits (u128 balances,
u64 seeds) use :class:`IntText` (decimal text in the database, ``int`` in Python); every other
integer is a BIGINT and every free text is TEXT, so SQLite and PostgreSQL accept the same rows (a
PostgreSQL INTEGER is 32 bits and its VARCHAR(n) enforces n, SQLite checks neither).

A sweep is as durable as a run: its run row and one pending arm per task (with the task itself in
``task_json``) are written in one transaction before anything is simulated, and each task's
result is written in one transaction when it arrives, so a killed sweep keeps every finished task
and ``tangle-sim resume`` plays the rest. ``runs.owner`` names the process that works on a run, so
a run left "running" by a dead process is recognised (:meth:`RunStore.reap`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Iterable, Iterator

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, Text, create_engine, delete, event, func, insert, inspect, select, text, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker
from sqlalchemy.types import TypeDecorator

DEFAULT_STORE = "sqlite:///tangle-sim-runs.db"


class IntText(TypeDecorator):
    """An arbitrary-size integer kept as decimal text (u128 balances do not fit BIGINT)."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Any) -> str | None:
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError(f"IntText stores ints only, got {type(value).__name__}")
        return str(value)

    def process_result_value(self, value: Any, dialect: Any) -> int | None:
        return None if value is None else int(value)


# an autoincrementing key: BIGINT on PostgreSQL, INTEGER (the rowid alias) on SQLite
ID = BigInteger().with_variant(Integer, "sqlite")


class Base(DeclarativeBase):
    pass


class RunRow(Base):
    __tablename__ = "runs"
    id: Mapped[int] = mapped_column(ID, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(Text)  # run | sweep
    scenario_name: Mapped[str] = mapped_column(Text)
    scenario_path: Mapped[str] = mapped_column(Text, default="")
    scenario_text: Mapped[str] = mapped_column(Text, default="")
    overrides_json: Mapped[str] = mapped_column(Text, default="{}")
    seed: Mapped[int] = mapped_column(IntText)
    status: Mapped[str] = mapped_column(Text, default="running")  # running | completed | discarded
    command: Mapped[str] = mapped_column(Text, default="")
    info_json: Mapped[str] = mapped_column(Text, default="{}")
    owner: Mapped[str] = mapped_column(Text, default="")  # host:pid:start of the process working on it (simulations.workers)


class ArmRow(Base):
    __tablename__ = "arms"
    id: Mapped[int] = mapped_column(ID, primary_key=True, autoincrement=True)
    run_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("runs.id"), index=True)
    position: Mapped[int] = mapped_column(BigInteger)
    label: Mapped[str] = mapped_column(Text)
    rule: Mapped[str] = mapped_column(Text)
    branch: Mapped[str | None] = mapped_column(Text, nullable=True)
    params_json: Mapped[str] = mapped_column(Text, default="{}")
    seed: Mapped[int] = mapped_column(IntText)
    run_index: Mapped[int] = mapped_column(BigInteger, default=0)
    status: Mapped[str] = mapped_column(Text, default="pending")  # pending | running | completed
    last_round: Mapped[int] = mapped_column(BigInteger, default=-1)
    last_block: Mapped[int] = mapped_column(BigInteger, default=0)
    state_root: Mapped[str] = mapped_column(Text, default="")
    summary_json: Mapped[str] = mapped_column(Text, default="{}")
    task_json: Mapped[str] = mapped_column(Text, default="")  # a sweep task (simulations.sweep.task_to_json), to resume it


class MetricRow(Base):
    __tablename__ = "metrics"
    id: Mapped[int] = mapped_column(ID, primary_key=True, autoincrement=True)
    arm_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("arms.id"))
    round: Mapped[int] = mapped_column(BigInteger)
    block: Mapped[int] = mapped_column(BigInteger)
    entity: Mapped[str] = mapped_column(Text)
    role: Mapped[str] = mapped_column(Text)
    metric: Mapped[str] = mapped_column(Text)
    asset: Mapped[str] = mapped_column(Text)
    value: Mapped[int] = mapped_column(IntText)
    __table_args__ = (Index("ix_metrics_arm_round", "arm_id", "round"),)


class SlashRow(Base):
    __tablename__ = "slashes"
    id: Mapped[int] = mapped_column(ID, primary_key=True, autoincrement=True)
    arm_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("arms.id"), index=True)
    slash_id: Mapped[int] = mapped_column(BigInteger)
    rule: Mapped[str] = mapped_column(Text)
    target: Mapped[str] = mapped_column(Text)
    offender: Mapped[str] = mapped_column(Text)
    percent: Mapped[int] = mapped_column(BigInteger)
    disputed: Mapped[int] = mapped_column(BigInteger, default=0)
    fault_block: Mapped[int] = mapped_column(BigInteger)
    proposed_block: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    last_veto_block: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    execute_block: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    resolved_block: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    decision: Mapped[str | None] = mapped_column(Text, nullable=True)  # veto | keep
    veto_block: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    applied_block: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    status: Mapped[str] = mapped_column(Text)  # pending | vetoed | applied | rejected | dropped | late_veto
    amount: Mapped[int] = mapped_column(IntText, default=0)
    note: Mapped[str] = mapped_column(Text, default="")
    justified: Mapped[int] = mapped_column(Integer, default=1)  # ground truth: 1 the offender misbehaved, 0 a false accusation
    closed_block: Mapped[int | None] = mapped_column(Integer, nullable=True)  # applied / vetoed / dropped / failed / rejected in this block
    amounts_json: Mapped[str] = mapped_column(Text, default="{}")  # every asset taken: {"TNT": "<base units>", ...}


class CallRow(Base):
    __tablename__ = "calls"
    id: Mapped[int] = mapped_column(ID, primary_key=True, autoincrement=True)
    arm_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("arms.id"))
    seq: Mapped[int] = mapped_column(BigInteger)
    entry: Mapped[str] = mapped_column(Text)  # one runtime.calllog JSON line
    __table_args__ = (Index("ix_calls_arm_seq", "arm_id", "seq", unique=True),)


class CheckpointRow(Base):
    __tablename__ = "checkpoints"
    id: Mapped[int] = mapped_column(ID, primary_key=True, autoincrement=True)
    arm_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("arms.id"))
    round: Mapped[int] = mapped_column(BigInteger)
    block: Mapped[int] = mapped_column(BigInteger)
    state_root: Mapped[str] = mapped_column(Text)
    calls: Mapped[int] = mapped_column(BigInteger)
    __table_args__ = (Index("ix_checkpoints_arm_round", "arm_id", "round", unique=True),)


class LossRow(Base):
    __tablename__ = "losses"
    id: Mapped[int] = mapped_column(ID, primary_key=True, autoincrement=True)
    arm_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("arms.id"), index=True)
    entity: Mapped[str] = mapped_column(Text)
    role: Mapped[str] = mapped_column(Text)
    asset: Mapped[str] = mapped_column(Text)
    loss: Mapped[int] = mapped_column(IntText)


# every column of a slash row a bulk insert must name (the ORM fills defaults itself)
SLASH_DEFAULTS: dict[str, Any] = {c.name: (c.default.arg if c.default is not None else None) for c in SlashRow.__table__.columns if c.name not in ("id", "arm_id")}


# ---------------------------------------------------------------------------------------- API
@dataclass
class Metric:
    entity: str
    role: str
    metric: str
    asset: str
    value: int


@dataclass
class RoundCommit:
    """Everything one round of one arm adds to the store (committed atomically)."""

    round: int
    block: int
    state_root: str
    metrics: list[Metric]
    slashes: list[dict[str, Any]]  # full rows of slashes that changed (upserted by slash_id)
    calls: list[str]  # new call-log JSON lines, in order
    total_calls: int


def _sqlite_pragmas(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _: Any) -> None:  # pragma: no cover - driver callback
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=30000")  # a report reading while a sweep writes waits instead of failing
        cur.close()


def _add_missing_columns(engine: Engine) -> None:
    """Stores written by an older tangle-sim lack the newer nullable/defaulted columns: add them
    (``ALTER TABLE ... ADD COLUMN``), so old runs stay readable and resumable."""
    insp = inspect(engine)
    with engine.begin() as conn:
        for table in Base.metadata.sorted_tables:
            have = {c["name"] for c in insp.get_columns(table.name)}
            for col in table.columns:
                if col.name not in have:
                    default = col.default.arg if col.default is not None and not callable(col.default.arg) else None
                    ddl = f"ALTER TABLE {table.name} ADD COLUMN {col.name} {col.type.compile(engine.dialect)}"
                    if isinstance(default, str):
                        ddl += " DEFAULT '" + default.replace("'", "''") + "'"
                    elif isinstance(default, int):
                        ddl += f" DEFAULT {default}"
                    conn.execute(text(ddl))


def normalize_url(url: str) -> str:
    """A bare path is a SQLite file; anything with ``://`` is a SQLAlchemy URL."""
    return url if "://" in url else f"sqlite:///{url}"


class StoreNotFound(LookupError):
    """``RunStore(url, create=False)`` of a store that does not exist (a mistyped path)."""


def _sqlite_file(url: str) -> str | None:
    """The file of a ``sqlite:///path`` URL (None for other databases and in-memory SQLite)."""
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if not parsed.drivername.startswith("sqlite"):
        return None
    db = parsed.database or ""
    return None if db in ("", ":memory:") or db.startswith("file:") else db


class RunStore:
    """Access to one store. Cheap to create; ``RunStore(url)`` creates the store and its tables if
    needed (run, sweep); ``create=False`` (report, export, resume, discard) refuses a store that does
    not exist instead of creating an empty one: StoreNotFound naming the path."""

    def __init__(self, url: str = DEFAULT_STORE, create: bool = True) -> None:
        import os

        self.url = normalize_url(url)
        path = _sqlite_file(self.url)
        if not create and path is not None and not os.path.isfile(path):
            raise StoreNotFound(f"no run store at {path!r}: the file does not exist (tangle-sim run or sweep creates one; --store names it)")
        self.engine = create_engine(self.url, future=True, pool_pre_ping=not self.url.startswith("sqlite"))
        if self.engine.dialect.name == "sqlite":
            _sqlite_pragmas(self.engine)
        if not create and not inspect(self.engine).has_table(RunRow.__tablename__):
            self.engine.dispose()
            raise StoreNotFound(f"{self.url} is not a run store: it has no {RunRow.__tablename__!r} table (tangle-sim run or sweep creates one)")
        Base.metadata.create_all(self.engine)
        _add_missing_columns(self.engine)
        self._session = sessionmaker(self.engine, expire_on_commit=False)

    def session(self) -> Session:
        return self._session()

    def close(self) -> None:
        self.engine.dispose()

    # -------------------------------------------------------------------- runs and arms
    def create_run(self, *, kind: str, scenario_name: str, scenario_path: str, scenario_text: str, overrides: dict[str, Any], seed: int, command: str,
                   info: dict[str, Any] | None = None, arms: Iterable[dict[str, Any]] = (), owner: str = "") -> int:
        """A new run, with its ``arms`` (see :meth:`add_arms`) in the same transaction: a kill
        leaves either nothing or a run that knows all its work."""
        with self.session() as s, s.begin():
            row = RunRow(kind=kind, scenario_name=scenario_name, scenario_path=scenario_path, scenario_text=scenario_text,
                         overrides_json=json.dumps(overrides, sort_keys=True), seed=seed, status="running", command=command,
                         info_json=json.dumps(info or {}, sort_keys=True), owner=owner)
            s.add(row)
            s.flush()
            self._add_arms(s, row.id, arms)
            return row.id

    def add_arms(self, run_id: int, arms: Iterable[dict[str, Any]]) -> list[int]:
        """Add arms (dicts with label, rule, branch, params, seed, run_index, task); returns their ids."""
        with self.session() as s, s.begin():
            return self._add_arms(s, run_id, arms)

    @staticmethod
    def _add_arms(s: Session, run_id: int, arms: Iterable[dict[str, Any]]) -> list[int]:
        start = s.scalar(select(func.count()).select_from(ArmRow).where(ArmRow.run_id == run_id)) or 0
        rows = []
        for i, arm in enumerate(arms):
            row = ArmRow(run_id=run_id, position=start + i, label=arm["label"], rule=arm["rule"], branch=arm.get("branch"),
                         params_json=json.dumps(arm.get("params", {}), sort_keys=True), seed=arm["seed"],
                         run_index=arm.get("run_index", 0), status="pending", task_json=arm.get("task", ""))
            s.add(row)
            rows.append(row)
        s.flush()
        return [r.id for r in rows]

    # -------------------------------------------------------------------- ownership
    def claim(self, run_id: int, owner: str) -> None:
        """``owner`` (a :func:`simulations.workers.process_identity`) now works on the run."""
        with self.session() as s, s.begin():
            s.execute(update(RunRow).where(RunRow.id == run_id).values(owner=owner, status="running"))

    def reap(self, run_id: int, is_alive: Any) -> RunRow:
        """A run still marked running whose owner is dead becomes ``interrupted`` (never stuck at
        running). ``is_alive(owner)`` -> True, False, or None (cannot tell: another host)."""
        with self.session() as s, s.begin():
            row = s.get(RunRow, run_id)
            if row is None:
                raise KeyError(f"no run {run_id} in {self.url}")
            if row.status == "running" and is_alive(row.owner) is False:
                row.status = "interrupted"
            return row

    def progress(self, run_id: int) -> tuple[int, int]:
        """(completed arms, all arms) of a run: a sweep with fewer completed than planned is partial."""
        with self.session() as s:
            total = s.scalar(select(func.count()).select_from(ArmRow).where(ArmRow.run_id == run_id)) or 0
            done = s.scalar(select(func.count()).select_from(ArmRow).where(ArmRow.run_id == run_id, ArmRow.status == "completed")) or 0
            return done, total

    def set_run_status(self, run_id: int, status: str, info: dict[str, Any] | None = None) -> None:
        with self.session() as s, s.begin():
            values: dict[str, Any] = {"status": status}
            if info is not None:
                values["info_json"] = json.dumps(info, sort_keys=True)
            s.execute(update(RunRow).where(RunRow.id == run_id).values(**values))

    def run(self, run_id: int) -> RunRow:
        with self.session() as s:
            row = s.get(RunRow, run_id)
            if row is None:
                raise KeyError(f"no run {run_id} in {self.url}")
            return row

    def runs(self) -> list[RunRow]:
        with self.session() as s:
            return list(s.scalars(select(RunRow).order_by(RunRow.id)))

    def latest_run_id(self) -> int | None:
        with self.session() as s:
            return s.scalar(select(func.max(RunRow.id)).where(RunRow.status != "discarded"))

    def arms(self, run_id: int) -> list[ArmRow]:
        with self.session() as s:
            return list(s.scalars(select(ArmRow).where(ArmRow.run_id == run_id).order_by(ArmRow.position)))

    def arm(self, arm_id: int) -> ArmRow:
        with self.session() as s:
            row = s.get(ArmRow, arm_id)
            if row is None:
                raise KeyError(f"no arm {arm_id}")
            return row

    def start_arm(self, arm_id: int) -> None:
        with self.session() as s, s.begin():
            s.execute(update(ArmRow).where(ArmRow.id == arm_id, ArmRow.status == "pending").values(status="running"))

    # -------------------------------------------------------------------- per-round commits
    def commit_round(self, arm_id: int, commit: RoundCommit) -> None:
        """Write one round of an arm in a single transaction (all or nothing)."""
        with self.session() as s, s.begin():
            self._commit_round(s, arm_id, commit)

    def _commit_round(self, s: Session, arm_id: int, commit: RoundCommit) -> None:
        arm = s.get(ArmRow, arm_id)
        if arm is None:
            raise KeyError(f"no arm {arm_id}")
        if commit.round <= arm.last_round:
            raise ValueError(f"arm {arm_id}: round {commit.round} already committed (last {arm.last_round})")
        # per-entity metrics are most of a round's rows (10^4 accounts: ~10^4 a round): one Core
        # executemany, not an ORM object per row (which was ~85 % of `tangle-sim run`'s time)
        if commit.metrics:
            r, b = commit.round, commit.block
            s.execute(insert(MetricRow), [{"arm_id": arm_id, "round": r, "block": b, "entity": m.entity, "role": m.role, "metric": m.metric,
                                           "asset": m.asset, "value": m.value} for m in commit.metrics])
        self._upsert_slashes(s, arm_id, commit.slashes)
        first_seq = s.scalar(select(func.count()).select_from(CallRow).where(CallRow.arm_id == arm_id)) or 0
        if commit.calls:
            s.execute(insert(CallRow), [{"arm_id": arm_id, "seq": first_seq + i, "entry": line} for i, line in enumerate(commit.calls)])
        if first_seq + len(commit.calls) != commit.total_calls:
            raise ValueError(f"arm {arm_id}: call log out of step ({first_seq} stored + {len(commit.calls)} new != {commit.total_calls})")
        s.add(CheckpointRow(arm_id=arm_id, round=commit.round, block=commit.block, state_root=commit.state_root, calls=commit.total_calls))
        arm.last_round = commit.round
        arm.last_block = commit.block
        arm.state_root = commit.state_root
        arm.status = "running"

    @staticmethod
    def _upsert_slashes(s: Session, arm_id: int, slashes: list[dict[str, Any]]) -> None:
        if not slashes:
            return
        ids = [row["slash_id"] for row in slashes]
        s.execute(delete(SlashRow).where(SlashRow.arm_id == arm_id, SlashRow.slash_id.in_(ids)))
        s.add_all(SlashRow(arm_id=arm_id, **row) for row in slashes)

    def finish_arm(self, arm_id: int, *, losses: list[Metric], summary: dict[str, Any], slashes: list[dict[str, Any]]) -> None:
        with self.session() as s, s.begin():
            self._finish_arm(s, arm_id, losses, summary, slashes)

    def _finish_arm(self, s: Session, arm_id: int, losses: list[Metric], summary: dict[str, Any], slashes: list[dict[str, Any]]) -> None:
        arm = s.get(ArmRow, arm_id)
        if arm is None:
            raise KeyError(f"no arm {arm_id}")
        s.execute(delete(LossRow).where(LossRow.arm_id == arm_id))
        s.add_all(LossRow(arm_id=arm_id, entity=m.entity, role=m.role, asset=m.asset, loss=m.value) for m in losses)
        self._upsert_slashes(s, arm_id, slashes)
        arm.summary_json = json.dumps(summary, sort_keys=True)
        arm.status = "completed"

    def store_finished_arm(self, arm_id: int, *, commits: list[RoundCommit], losses: list[Metric], summary: dict[str, Any], slashes: list[dict[str, Any]],
                           hold: Any = None) -> None:
        """A whole arm computed elsewhere (a sweep worker), its rounds and its losses, in **one**
        transaction: a kill while saving leaves the arm pending and empty, never half written.
        Bulk inserts (no ORM objects): the sweep's parent process stores every task through here,
        so this is on the sweep's critical path. ``hold`` is a test hook called inside the
        transaction before it commits."""
        with self.engine.begin() as conn:
            arm = conn.execute(select(ArmRow.status, ArmRow.last_round).where(ArmRow.id == arm_id)).first()
            if arm is None:
                raise KeyError(f"no arm {arm_id}")
            if arm.status == "completed" or arm.last_round >= 0:
                raise ValueError(f"arm {arm_id} already has results (status {arm.status}, last round {arm.last_round})")
            metric_rows: list[dict[str, Any]] = []
            call_rows: list[dict[str, Any]] = []
            checkpoint_rows: list[dict[str, Any]] = []
            latest: dict[int, dict[str, Any]] = {}  # slash rows by id: later rounds and the final list supersede earlier ones
            last = -1
            for c in commits:
                if c.round <= last:
                    raise ValueError(f"arm {arm_id}: round {c.round} after round {last}")
                if len(call_rows) + len(c.calls) != c.total_calls:
                    raise ValueError(f"arm {arm_id}: call log out of step ({len(call_rows)} + {len(c.calls)} new != {c.total_calls})")
                metric_rows += [{"arm_id": arm_id, "round": c.round, "block": c.block, "entity": m.entity, "role": m.role, "metric": m.metric,
                                 "asset": m.asset, "value": m.value} for m in c.metrics]
                call_rows += [{"arm_id": arm_id, "seq": len(call_rows) + i, "entry": line} for i, line in enumerate(c.calls)]
                checkpoint_rows.append({"arm_id": arm_id, "round": c.round, "block": c.block, "state_root": c.state_root, "calls": c.total_calls})
                latest.update((row["slash_id"], row) for row in c.slashes)
                last = c.round
            latest.update((row["slash_id"], row) for row in slashes)
            for table, rows in ((MetricRow, metric_rows), (CallRow, call_rows), (CheckpointRow, checkpoint_rows),
                                (SlashRow, [{**SLASH_DEFAULTS, **row, "arm_id": arm_id} for row in latest.values()]),
                                (LossRow, [{"arm_id": arm_id, "entity": m.entity, "role": m.role, "asset": m.asset, "loss": m.value} for m in losses])):
                if rows:
                    conn.execute(insert(table), rows)
            progress = {"last_round": commits[-1].round, "last_block": commits[-1].block, "state_root": commits[-1].state_root} if commits else {}
            conn.execute(update(ArmRow).where(ArmRow.id == arm_id).values(status="completed", summary_json=json.dumps(summary, sort_keys=True), **progress))
            if hold is not None:
                hold()

    # -------------------------------------------------------------------- reading
    def checkpoints(self, arm_id: int) -> list[CheckpointRow]:
        with self.session() as s:
            return list(s.scalars(select(CheckpointRow).where(CheckpointRow.arm_id == arm_id).order_by(CheckpointRow.round)))

    def calls(self, arm_id: int) -> list[str]:
        with self.session() as s:
            return list(s.scalars(select(CallRow.entry).where(CallRow.arm_id == arm_id).order_by(CallRow.seq)))

    def call_log(self, arm_id: int) -> list[str]:
        """The arm's call log as ``runtime.calllog`` JSON lines up to its last committed round,
        closed with an ``end`` line (block and state root of that round): replayable as it is."""
        lines = self.calls(arm_id)
        cps = self.checkpoints(arm_id)
        if cps and lines:
            lines.append(json.dumps({"kind": "end", "block": cps[-1].block, "state_root": cps[-1].state_root}))
        return lines

    def slashes(self, arm_id: int) -> list[SlashRow]:
        with self.session() as s:
            return list(s.scalars(select(SlashRow).where(SlashRow.arm_id == arm_id).order_by(SlashRow.slash_id)))

    def metrics(self, arm_ids: Iterable[int]) -> Iterator[MetricRow]:
        ids = list(arm_ids)
        with self.session() as s:
            yield from s.scalars(select(MetricRow).where(MetricRow.arm_id.in_(ids)).order_by(MetricRow.arm_id, MetricRow.round, MetricRow.id))

    def losses(self, arm_ids: Iterable[int]) -> list[LossRow]:
        ids = list(arm_ids)
        with self.session() as s:
            return list(s.scalars(select(LossRow).where(LossRow.arm_id.in_(ids)).order_by(LossRow.arm_id, LossRow.id)))

    def check_consistency(self, run_id: int) -> list[str]:
        """Problems that would mean a torn write (empty list = consistent): every arm's progress
        matches its last checkpoint, checkpoints are contiguous, the call count matches."""
        problems: list[str] = []
        with self.session() as s:
            for arm in s.scalars(select(ArmRow).where(ArmRow.run_id == run_id)):
                cps = list(s.scalars(select(CheckpointRow).where(CheckpointRow.arm_id == arm.id).order_by(CheckpointRow.round)))
                n_calls = s.scalar(select(func.count()).select_from(CallRow).where(CallRow.arm_id == arm.id)) or 0
                if not cps:
                    if arm.last_round != -1 or n_calls:
                        problems.append(f"arm {arm.id}: progress without checkpoints")
                    continue
                last = cps[-1]
                if (arm.last_round, arm.last_block, arm.state_root) != (last.round, last.block, last.state_root):
                    problems.append(f"arm {arm.id}: progress {arm.last_round} != last checkpoint {last.round}")
                if [c.round for c in cps] != list(range(cps[0].round, last.round + 1)):
                    problems.append(f"arm {arm.id}: checkpoints not contiguous")
                if n_calls != last.calls:
                    problems.append(f"arm {arm.id}: {n_calls} calls stored, checkpoint says {last.calls}")
                max_round = s.scalar(select(func.max(MetricRow.round)).where(MetricRow.arm_id == arm.id))
                if max_round is not None and max_round > last.round:
                    problems.append(f"arm {arm.id}: metrics past the last checkpoint")
        return problems

    # -------------------------------------------------------------------- discarding
    def discard(self, run_id: int) -> None:
        """Delete everything a run wrote and mark it discarded."""
        with self.session() as s, s.begin():
            arm_ids = list(s.scalars(select(ArmRow.id).where(ArmRow.run_id == run_id)))
            for table in (MetricRow, SlashRow, CallRow, CheckpointRow, LossRow):
                s.execute(delete(table).where(table.arm_id.in_(arm_ids)))
            s.execute(delete(ArmRow).where(ArmRow.run_id == run_id))
            # the row stays as a tombstone (ids are never reused); what the run computed (info's
            # results, such as the what-if table) goes with the rest
            s.execute(update(RunRow).where(RunRow.id == run_id).values(status="discarded", info_json="{}"))

    def rollback_arm_to(self, arm_id: int, round_: int) -> None:
        """Forget what an arm wrote after ``round_`` (used when a resume starts over at a round)."""
        with self.session() as s, s.begin():
            cps = list(s.scalars(select(CheckpointRow).where(CheckpointRow.arm_id == arm_id, CheckpointRow.round <= round_).order_by(CheckpointRow.round)))
            keep_calls = cps[-1].calls if cps else 0
            s.execute(delete(MetricRow).where(MetricRow.arm_id == arm_id, MetricRow.round > round_))
            s.execute(delete(CheckpointRow).where(CheckpointRow.arm_id == arm_id, CheckpointRow.round > round_))
            s.execute(delete(CallRow).where(CallRow.arm_id == arm_id, CallRow.seq >= keep_calls))
            arm = s.get(ArmRow, arm_id)
            arm.last_round = cps[-1].round if cps else -1
            arm.last_block = cps[-1].block if cps else 0
            arm.state_root = cps[-1].state_root if cps else ""
