"""Simulated operators: they watch the chain's events, run the blueprint's job handlers on
``JobCalled`` and answer with ``Services.submit_result``, and send heartbeats on an interval.

Everything they do goes through ``rt.dispatch`` with the real call names, so the call log replays
and encodes like any other. An :class:`OperatorNetwork` drives a set of operators:

* :meth:`OperatorNetwork.poll` reads the events since the last poll (a cursor over the runtime's
  append-only event stream) and, for each ``JobCalled`` of a service the operator serves, runs the
  handler *at that block* (so a slow operator answers late with the state it saw on time) and
  schedules the submissions its behaviour plans;
* :meth:`OperatorNetwork.flush` submits everything due at the current block;
* :meth:`OperatorNetwork.advance` builds blocks one by one, polling, heartbeating and flushing.

A handler that raises is recorded in :attr:`OperatorNetwork.errors` (and the operator submits
nothing): a silently dropped result is the SDK pain this makes loud. ``NoResult`` is the
deliberate "nothing to submit".

Heartbeats: every ``interval`` blocks an online operator signs
keccak(service_id ‖ blueprint_id ‖ block ‖ metrics) with its registered key
(``pallets.services.crypto.sign``) and dispatches ``Services.heartbeat``. The interval is the
manager's ``get_heartbeat_interval`` or the pallet's ``DefaultHeartbeatInterval``; 0 (or
``heartbeats=False``) sends none.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Iterable

from pallets.services.crypto import dev_private_key, heartbeat_message, public_key, sign
from pallets.services.manager import normalize_address
from pallets.services.types import Field
from runtime.accounts import display_name, normalize_account
from runtime.events import EventRecord

from blueprints.behaviours import Behaviour, Honest
from blueprints.definition import Blueprint
from blueprints.types import JobContext, NoResult

SVC = "Services"


class EventCursor:
    """Reads a runtime's events exactly once each, in order (blocks already finalized and the
    current one), without copying the whole history on every read."""

    def __init__(self, rt: Any, from_start: bool = False) -> None:
        self.rt = rt
        self.seen = 0 if from_start else len(rt.event_log) + len(rt.db.events)

    def read(self) -> list[EventRecord]:
        log, current = self.rt.event_log, self.rt.db.events
        n_log = len(log)
        if self.seen < n_log:
            new = log[self.seen:] + list(current)
        else:
            new = list(current[self.seen - n_log:])
        self.seen += len(new)
        return new


class SimulatedOperator:
    """One operator: an account, its ECDSA key (the one registered in its preferences) and a
    behaviour."""

    def __init__(self, name: str, behaviour: Behaviour | None = None, account: str | None = None) -> None:
        self.name = name
        self.account = normalize_account(account if account is not None else name)
        self.private_key = dev_private_key(name)
        self.public_key = public_key(self.private_key)
        self.behaviour = (behaviour or Honest()).bind(self.account)

    def preferences(self) -> dict[str, str]:
        """``OperatorPreferences`` for ``Services.register`` (compose shape)."""
        return {"key": "0x" + self.public_key.hex(), "rpc_address": f"https://{self.name.lower().strip('/')}.operator.example:9944"}

    def sign(self, message: bytes) -> bytes:
        return sign(self.private_key, message)

    def __repr__(self) -> str:
        return f"SimulatedOperator({self.name}, {self.behaviour!r})"


@dataclass(order=True)
class Submission:
    """A result an operator will submit at ``due`` (block)."""

    due: int
    seq: int
    operator: SimulatedOperator = field(compare=False)
    service_id: int = field(compare=False)
    call_id: int = field(compare=False)
    result: tuple[Field, ...] = field(compare=False)


@dataclass
class HandlerError:
    operator: str
    service_id: int
    call_id: int
    job: int
    error: BaseException

    def __str__(self) -> str:
        return f"{display_name(self.operator)} job {self.job} call {self.call_id}: {type(self.error).__name__}: {self.error}"


@dataclass
class Action:
    """Something an operator did (for timelines and assertions)."""

    block: int
    operator: str
    kind: str  # "submit", "heartbeat"
    service_id: int
    call_id: int | None
    ok: bool
    error: str | None = None


class OperatorNetwork:
    """Drives simulated operators for one blueprint (see the module doc)."""

    def __init__(self, rt: Any, blueprint: Blueprint, blueprint_id: int, operators: Iterable[SimulatedOperator], *,
                 heartbeats: bool = True, metrics: Callable[[SimulatedOperator, int], bytes] | None = None) -> None:
        self.rt = rt
        self.blueprint = blueprint
        self.blueprint_id = blueprint_id
        self.operators = {op.account: op for op in operators}
        self.heartbeats = heartbeats
        self.metrics = metrics or (lambda op, block: b"")
        self.cursor = EventCursor(rt)
        self.queue: list[Submission] = []
        self._seq = 0
        self.errors: list[HandlerError] = []
        self.actions: list[Action] = []
        self.services: set[int] = set()
        self.last_heartbeat: dict[tuple[int, str], int] = {}
        self.on_event: list[Callable[[EventRecord], None]] = []
        self.after_poll: list[Callable[[], None]] = []  # called after each batch of events is handled
        self.wake_every: int | None = None  # also wake at least every this many blocks (e.g. once per session)

    # ------------------------------------------------------------------ services
    def serve(self, service_id: int) -> None:
        """Start answering calls of ``service_id`` (its operators that are ours)."""
        self.services.add(service_id)

    def service_operators(self, service_id: int) -> list[SimulatedOperator]:
        service = self.rt.pallets[SVC].storage.Instances.get(service_id)
        if service is None:
            return []
        return [self.operators[a] for a in service.operators() if a in self.operators]

    # ------------------------------------------------------------------ events -> plans
    def poll(self) -> int:
        """Handle new events; returns how many job calls were picked up."""
        picked = 0
        for ev in self.cursor.read():
            for hook in self.on_event:
                hook(ev)
            if ev.spec.pallet == SVC and ev.spec.name == "JobCalled" and ev["service_id"] in self.services:
                self._job_called(ev)
                picked += 1
        for after in self.after_poll:
            after()
        return picked

    def _job_called(self, ev: EventRecord) -> None:
        service_id, call_id, job_index, args = ev["service_id"], ev["call_id"], ev["job"], ev["args"]
        job = self.blueprint.jobs.get(job_index)
        block = self.rt.block_number
        for op in self.service_operators(service_id):
            if job is None or not op.behaviour.runs_handler:
                continue
            ctx = JobContext(op.account, op.name, ev["caller"], service_id, self.blueprint_id, call_id, job_index, block, self.rt, args)
            computed: list[tuple[Field, ...]] = []

            def honest(job=job, ctx=ctx, computed=computed) -> tuple[Field, ...]:
                if not computed:
                    computed.append(job.run(args, ctx))
                return computed[0]

            try:
                plan = op.behaviour.plan(honest, ctx)
            except NoResult:
                continue
            except Exception as exc:  # noqa: BLE001 - a handler bug is reported, not raised into the chain
                self.errors.append(HandlerError(op.account, service_id, call_id, job_index, exc))
                continue
            if not job.results:
                continue  # a job that declares no result (-> None) has nothing to submit; its handler ran for its effects
            for delay, result in plan:
                self._seq += 1
                self.queue.append(Submission(block + delay, self._seq, op, service_id, call_id, result))
        self.queue.sort()

    # ------------------------------------------------------------------ submissions
    def pending(self, call_id: int | None = None) -> list[Submission]:
        return [s for s in self.queue if call_id is None or s.call_id == call_id]

    def flush(self) -> int:
        """Submit every result due at the current block; returns how many were dispatched."""
        now = self.rt.block_number
        due = [s for s in self.queue if s.due <= now]
        if not due:
            return 0
        self.queue = [s for s in self.queue if s.due > now]
        for s in due:
            receipt = self.rt.dispatch(s.operator.account, SVC, "submit_result",
                                       {"service_id": s.service_id, "call_id": s.call_id, "result": s.result}, raise_error=False)
            err = receipt.error_name if receipt.error is not None else None
            self.actions.append(Action(now, s.operator.account, "submit", s.service_id, s.call_id, err is None, err))
        return len(due)

    # ------------------------------------------------------------------ heartbeats
    def heartbeat_interval(self, service_id: int) -> int:
        pallet = self.rt.pallets[SVC]
        manager = pallet.contracts.get(normalize_address(self.blueprint.manager_address))
        if manager is not None:
            try:
                use_default, value = manager.get_heartbeat_interval(self.blueprint_id, service_id)
            except Exception:  # noqa: BLE001 - a reverting getter means "default", as in the pallet
                use_default, value = True, 0
            if not use_default:
                return value
        return pallet.storage.DefaultHeartbeatInterval.value()

    def send_heartbeats(self) -> int:
        """Every online operator whose interval has passed sends one heartbeat per served service."""
        if not self.heartbeats:
            return 0
        now = self.rt.block_number
        sent = 0
        for service_id in sorted(self.services):
            interval = self.heartbeat_interval(service_id)
            if interval <= 0:
                continue
            for op in self.service_operators(service_id):
                if not op.behaviour.heartbeats:
                    continue
                last = self.last_heartbeat.get((service_id, op.account))
                if last is not None and now - last < interval:
                    continue
                if not op.behaviour.sends_heartbeat(now):
                    self.last_heartbeat[(service_id, op.account)] = now  # skipped this one; the next is due an interval later
                    continue
                metrics = self.metrics(op, now)
                sig = op.sign(heartbeat_message(service_id, self.blueprint_id, now, metrics))
                receipt = self.rt.dispatch(op.account, SVC, "heartbeat", {"service_id": service_id, "blueprint_id": self.blueprint_id,
                                                                           "metrics_data": metrics, "signature": sig}, raise_error=False)
                ok = receipt.error is None
                self.last_heartbeat[(service_id, op.account)] = now  # a failed attempt also waits an interval
                self.actions.append(Action(now, op.account, "heartbeat", service_id, None, ok, receipt.error_name if not ok else None))
                sent += 1
        return sent

    # ------------------------------------------------------------------ time
    def step(self) -> None:
        """React to everything so far in the current block: events, heartbeats, due submissions
        (repeated until quiet, so a submission's own events are seen)."""
        self.poll()
        self.send_heartbeats()
        while self.flush():
            self.poll()

    def advance(self, n: int = 1) -> None:
        """Build ``n`` blocks, letting the operators act in every block where they have something
        to do (a due submission or heartbeat). Blocks where nothing is due are built in one go:
        nothing but a dispatch can call a job, so skipping idle blocks changes nothing."""
        rt = self.rt
        target = rt.block_number + n
        while rt.block_number < target:
            wake = self._next_wakeup()
            stop = target if wake is None else min(max(wake, rt.block_number + 1), target)
            rt.advance_blocks(stop - rt.block_number)
            self.step()

    def _next_wakeup(self) -> int | None:
        """The next block at which an operator must act (None: nothing scheduled)."""
        wake = self.queue[0].due if self.queue else None
        if self.wake_every:
            boundary = (self.rt.block_number // self.wake_every + 1) * self.wake_every
            wake = boundary if wake is None else min(wake, boundary)
        if self.heartbeats:
            for service_id in self.services:
                interval = self.heartbeat_interval(service_id)
                if interval <= 0:
                    continue
                for op in self.service_operators(service_id):
                    if op.behaviour.heartbeats:
                        last = self.last_heartbeat.get((service_id, op.account))
                        due = self.rt.block_number if last is None else last + interval
                        wake = due if wake is None else min(wake, due)
        return wake

    def handler_errors(self) -> list[str]:
        return [str(e) for e in self.errors]


def check_no_handler_errors(network: OperatorNetwork) -> None:
    """Raise if any handler failed (what the harness does after each call by default)."""
    if network.errors:
        raise RuntimeError("job handlers failed: " + "; ".join(network.handler_errors()))


__all__ = ["Action", "EventCursor", "HandlerError", "OperatorNetwork", "SimulatedOperator", "Submission", "check_no_handler_errors"]
