"""``on_initialize``: serve every agenda due (``service_agendas``, ``service_agenda``, ``service_task``).

Each task's call is dispatched with its stored origin in its own nested transaction (a failing
call leaves nothing behind but is served), inside the Scheduler's ``on_initialize`` of the block,
after every pallet with a lower index (Democracy's launches and bakes come first)."""

from __future__ import annotations

import dataclasses

from runtime.calls import CALL_REGISTRY

from pallets.primitives.dispatch import error_name, origin_from_caller, try_dispatch
from pallets.scheduler.errors import Exhausted
from pallets.scheduler.events import Event
from pallets.scheduler.types import RetryConfig, Scheduled

TASK_BASE_WEIGHT = 10_000_000  # the simulator's service_task base weight (ref_time)


class Hooks:
    def next_hook_block(self, after: int) -> int | None:
        """The first block >= ``after`` whose ``on_initialize`` may act (None: nothing scheduled):
        every block while an agenda is left incomplete (``IncompleteSince``), else the first block
        holding an agenda (even one of cancelled slots: serving it removes it). Lets the runtime
        cross the idle blocks of a long enactment or voting period at once."""
        if self.storage.IncompleteSince.value() is not None:  # type: ignore[attr-defined]
            return after
        due = [when for when in self.storage.Agenda.keys() if when >= after]  # type: ignore[attr-defined]
        return min(due) if due else None

    def on_initialize(self, n: int) -> None:
        budget = [self.consts.MaximumWeight]  # type: ignore[attr-defined]
        since = self.storage.IncompleteSince.value()  # type: ignore[attr-defined]
        if since is not None:
            self.storage.IncompleteSince.kill()  # type: ignore[attr-defined]
        when = since if since is not None else n
        incomplete = n + 1
        executed = [0]
        while when <= n and budget[0] >= TASK_BASE_WEIGHT:
            if not self.service_agenda(budget, executed, n, when):
                incomplete = min(incomplete, when)
            when += 1
        incomplete = min(incomplete, when)
        if incomplete <= n:
            self.storage.IncompleteSince.put(incomplete)  # type: ignore[attr-defined]

    def service_agenda(self, budget: list[int], executed: list[int], now: int, when: int) -> bool:
        agenda = list(self.storage.Agenda.get(when))  # type: ignore[attr-defined]
        if not agenda:
            return True
        ordered = sorted((t.priority, i) for i, t in enumerate(agenda) if t is not None)
        postponed = dropped = 0
        for _, index in ordered:
            task = agenda[index]
            if task is None:  # pragma: no cover - filtered above
                continue
            if budget[0] < TASK_BASE_WEIGHT:
                postponed += 1
                break
            outcome = self.service_task(budget, now, when, index, executed[0] == 0, task)
            if outcome == "ok":
                executed[0] += 1
                agenda[index] = None
            elif outcome == "unavailable":
                dropped += 1
            else:
                postponed += 1
        if postponed or dropped:
            # tasks placed at this very block while serving it (a retry with period 0) are kept too
            current = self.storage.Agenda.get(when)  # type: ignore[attr-defined]
            self.storage.Agenda.insert(when, tuple(agenda) + current[len(agenda):])  # type: ignore[attr-defined]
        else:
            current = self.storage.Agenda.get(when)  # type: ignore[attr-defined]
            extra = current[len(agenda):]
            if any(t is not None for t in extra):
                self.storage.Agenda.insert(when, (None,) * len(agenda) + extra)  # type: ignore[attr-defined]
            else:
                self.storage.Agenda.remove(when)  # type: ignore[attr-defined]
        return postponed == 0

    def service_task(self, budget: list[int], now: int, when: int, index: int, is_first: bool, task: Scheduled) -> str:
        address = (when, index)
        if task.maybe_id is not None:
            self.storage.Lookup.remove(task.maybe_id)  # type: ignore[attr-defined]
        call = self.peek(task.call)  # type: ignore[attr-defined]
        if call is None:
            self.deposit_event(Event.CallUnavailable(address, task.maybe_id))  # type: ignore[attr-defined]
            return "unavailable"
        weight = TASK_BASE_WEIGHT + CALL_REGISTRY[(call.call_module, call.call_function)].weight
        if weight > budget[0]:
            if is_first:
                self.drop_call(task.call)  # type: ignore[attr-defined]
                self.deposit_event(Event.PermanentlyOverweight(address, task.maybe_id))  # type: ignore[attr-defined]
                return "unavailable"
            if task.maybe_id is not None:
                self.storage.Lookup.insert(task.maybe_id, address)  # type: ignore[attr-defined]
            return "overweight"
        budget[0] -= weight
        err = try_dispatch(self.ctx, origin_from_caller(task.origin), call)  # type: ignore[attr-defined]
        retry = self.storage.Retries.take(address)  # type: ignore[attr-defined]
        self.deposit_event(Event.Dispatched(address, task.maybe_id, error_name(err)))  # type: ignore[attr-defined]
        if retry is not None and err is not None:
            self.schedule_retry(now, task, retry)
        if task.maybe_periodic is not None:
            period, count = task.maybe_periodic
            next_task = dataclasses.replace(task, maybe_periodic=(period, count - 1) if count > 1 else None)
            try:
                new_address = self.place_task(now + period, next_task)  # type: ignore[attr-defined]
            except Exhausted:
                self.drop_call(task.call)  # type: ignore[attr-defined]
                self.deposit_event(Event.PeriodicFailed(address, task.maybe_id))  # type: ignore[attr-defined]
            else:
                if retry is not None:
                    self.storage.Retries.insert(new_address, retry)  # type: ignore[attr-defined]
        else:
            self.drop_call(task.call)  # type: ignore[attr-defined]
        return "ok"

    def schedule_retry(self, now: int, task: Scheduled, retry: RetryConfig) -> None:
        """A failed task with retries left runs again, unnamed and non-periodic, ``period`` blocks on."""
        if retry.remaining == 0:
            return
        try:
            new_address = self.place_task(now + retry.period, self.as_retry(task))  # type: ignore[attr-defined]
        except Exhausted:
            self.deposit_event(Event.RetryFailed((now, 0), task.maybe_id))  # type: ignore[attr-defined]
            return
        if task.call.name == "Lookup":
            self.preimages.request(task.call.value.hash)  # type: ignore[attr-defined]
        self.storage.Retries.insert(new_address, dataclasses.replace(retry, remaining=retry.remaining - 1))  # type: ignore[attr-defined]
