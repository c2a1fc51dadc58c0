"""pallet_scheduler's extrinsics: all need Root (``ScheduleOrigin = EnsureRoot``); cancelling and
retry changes also need the task's own origin (``EqualPrivilegeOnly``)."""

from __future__ import annotations

from runtime.calls import Call
from runtime.origin import Origin, ensure_root
from runtime.pallet import call
from runtime.primitives import U8, U32, U64

from pallets.scheduler.events import Event
from pallets.scheduler.types import Period, RetryConfig, TaskAddress, TaskName


class Calls:
    @call(0)
    def schedule(self, origin: Origin, when: U64, maybe_periodic: Period | None, priority: U8, call: Call) -> None:
        ensure_root(origin)
        self.do_schedule(when, maybe_periodic, priority, origin, call)  # type: ignore[attr-defined]

    @call(1)
    def cancel(self, origin: Origin, when: U64, index: U32) -> None:
        ensure_root(origin)
        self.do_cancel(origin, (when, index))  # type: ignore[attr-defined]

    @call(2)
    def schedule_named(self, origin: Origin, id: TaskName, when: U64, maybe_periodic: Period | None, priority: U8, call: Call) -> None:  # type: ignore[valid-type]  # noqa: A002
        ensure_root(origin)
        self.do_schedule(when, maybe_periodic, priority, origin, call, name=id)  # type: ignore[attr-defined]

    @call(3)
    def cancel_named(self, origin: Origin, id: TaskName) -> None:  # type: ignore[valid-type]  # noqa: A002
        ensure_root(origin)
        self.do_cancel_named(origin, id)  # type: ignore[attr-defined]

    @call(4)
    def schedule_after(self, origin: Origin, after: U64, maybe_periodic: Period | None, priority: U8, call: Call) -> None:
        ensure_root(origin)
        self.do_schedule(after, maybe_periodic, priority, origin, call, after=True)  # type: ignore[attr-defined]

    @call(5)
    def schedule_named_after(self, origin: Origin, id: TaskName, after: U64, maybe_periodic: Period | None, priority: U8, call: Call) -> None:  # type: ignore[valid-type]  # noqa: A002
        ensure_root(origin)
        self.do_schedule(after, maybe_periodic, priority, origin, call, name=id, after=True)  # type: ignore[attr-defined]

    def _set_retry(self, origin: Origin, address: tuple[int, int], retries: int, period: int, name: bytes | None) -> None:
        ensure_root(origin)
        task = self.task_at(address)  # type: ignore[attr-defined]
        self.ensure_privilege(origin, task)  # type: ignore[attr-defined]
        self.storage.Retries.insert(address, RetryConfig(retries, retries, period))  # type: ignore[attr-defined]
        self.deposit_event(Event.RetrySet(address, name, period, retries))  # type: ignore[attr-defined]

    @call(6)
    def set_retry(self, origin: Origin, task: TaskAddress, retries: U8, period: U64) -> None:
        self._set_retry(origin, task, retries, period, None)

    @call(7)
    def set_retry_named(self, origin: Origin, id: TaskName, retries: U8, period: U64) -> None:  # type: ignore[valid-type]  # noqa: A002
        ensure_root(origin)
        self._set_retry(origin, self.address_of(id), retries, period, id)  # type: ignore[attr-defined]

    def _cancel_retry(self, origin: Origin, address: tuple[int, int], name: bytes | None) -> None:
        ensure_root(origin)
        task = self.task_at(address)  # type: ignore[attr-defined]
        self.ensure_privilege(origin, task)  # type: ignore[attr-defined]
        self.storage.Retries.remove(address)  # type: ignore[attr-defined]
        self.deposit_event(Event.RetryCancelled(address, name))  # type: ignore[attr-defined]

    @call(8)
    def cancel_retry(self, origin: Origin, task: TaskAddress) -> None:
        self._cancel_retry(origin, task, None)

    @call(9)
    def cancel_retry_named(self, origin: Origin, id: TaskName) -> None:  # type: ignore[valid-type]  # noqa: A002
        ensure_root(origin)
        self._cancel_retry(origin, self.address_of(id), id)  # type: ignore[attr-defined]
