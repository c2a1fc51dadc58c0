"""Placing, cancelling and looking up tasks: the logic behind the extrinsics and the ``Named``/
``Anon`` scheduling traits Democracy uses (pallet-scheduler 38.0.0, ``do_schedule``, ``place_task``,
``do_cancel``, ``cleanup_agenda``)."""

from __future__ import annotations

import dataclasses
from typing import Any

from runtime.calls import RuntimeCall
from runtime.errors import BadOrigin
from runtime.origin import Origin

from pallets.primitives.dispatch import caller_of, decode_call, encode_call, blake2_256
from pallets.scheduler.errors import Error, Exhausted
from pallets.scheduler.events import Event
from pallets.scheduler.types import Bounded, Lookup, Scheduled

MAX_INLINE = 128  # frame-support: calls up to 128 bytes are stored inline


class AgendaLogic:
    preimages: Any  # pallet_preimage (QueryPreimage + StorePreimage), wired by construct_runtime

    # ------------------------------------------------------------------ bounded calls
    def bound(self, call: RuntimeCall) -> Bounded:
        """``StorePreimage::bound``: inline if short, else noted as a system preimage."""
        data = encode_call(call)
        if len(data) <= MAX_INLINE:
            return Bounded.Inline(data)
        self.preimages.note(data)
        return Bounded.Lookup(Lookup(blake2_256(data), len(data)))

    def peek(self, bounded: Bounded) -> RuntimeCall | None:
        if bounded.name == "Inline":
            return decode_call(bounded.value)
        length = bounded.value.len if bounded.name == "Lookup" else None
        data = self.preimages.fetch(bounded.value.hash, length)
        return None if data is None else decode_call(data)

    def drop_call(self, bounded: Bounded) -> None:
        if bounded.name != "Inline":
            self.preimages.unrequest(bounded.value.hash)

    # ------------------------------------------------------------------ placing
    def push_to_agenda(self, when: int, task: Scheduled) -> int:
        agenda = self.storage.Agenda.get(when)  # type: ignore[attr-defined]
        if len(agenda) < self.consts.MaxScheduledPerBlock:  # type: ignore[attr-defined]
            self.storage.Agenda.insert(when, agenda + (task,))  # type: ignore[attr-defined]
            return len(agenda)
        for index, slot in enumerate(agenda):
            if slot is None:
                self.storage.Agenda.insert(when, agenda[:index] + (task,) + agenda[index + 1:])  # type: ignore[attr-defined]
                return index
        raise Exhausted()

    def place_task(self, when: int, task: Scheduled) -> tuple[int, int]:
        index = self.push_to_agenda(when, task)
        if task.maybe_id is not None:
            self.storage.Lookup.insert(task.maybe_id, (when, index))  # type: ignore[attr-defined]
        self.deposit_event(Event.Scheduled(when, index))  # type: ignore[attr-defined]
        return when, index

    def resolve_time(self, when: int, after: bool) -> int:
        now = self.block_number  # type: ignore[attr-defined]
        target = now + when + 1 if after else when
        if target <= now:
            raise Error.TargetBlockNumberInPast()
        return target

    def do_schedule(self, when: int, maybe_periodic: tuple[int, int] | None, priority: int, origin: Origin, call: RuntimeCall | Bounded, *, name: bytes | None = None, after: bool = False) -> tuple[int, int]:
        """Schedule ``call`` (anonymous, or named ``name``): the extrinsics and the trait API."""
        if name is not None and name in self.storage.Lookup:  # type: ignore[attr-defined]
            raise Error.FailedToSchedule()
        target = self.resolve_time(when, after)
        bounded = call if isinstance(call, Bounded) else self.bound(call)
        if maybe_periodic is not None:
            period, count = maybe_periodic
            maybe_periodic = (period, count - 1) if count > 1 and period > 0 else None
        task = Scheduled(name, priority, bounded, maybe_periodic, caller_of(origin))
        address = self.place_task(target, task)
        if bounded.name == "Lookup":
            self.preimages.request(bounded.value.hash)
        return address

    # ------------------------------------------------------------------ cancelling
    def cleanup_agenda(self, when: int) -> None:
        agenda = self.storage.Agenda.get(when)  # type: ignore[attr-defined]
        while agenda and agenda[-1] is None:
            agenda = agenda[:-1]
        if agenda:
            self.storage.Agenda.insert(when, agenda)  # type: ignore[attr-defined]
        else:
            self.storage.Agenda.remove(when)  # type: ignore[attr-defined]

    def ensure_privilege(self, origin: Origin | None, task: Scheduled) -> None:
        """``EqualPrivilegeOnly``: the caller's origin must be the task's (None = the trait API)."""
        if origin is not None and caller_of(origin) != task.origin:
            raise BadOrigin()

    def task_at(self, address: tuple[int, int]) -> Scheduled:
        when, index = address
        agenda = self.storage.Agenda.get(when)  # type: ignore[attr-defined]
        task = agenda[index] if index < len(agenda) else None
        if task is None:
            raise Error.NotFound()
        return task

    def do_cancel(self, origin: Origin | None, address: tuple[int, int]) -> None:
        when, index = address
        agenda = self.storage.Agenda.get(when)  # type: ignore[attr-defined]
        task = agenda[index] if index < len(agenda) else None
        if task is None:
            raise Error.NotFound()
        self.ensure_privilege(origin, task)
        self.storage.Agenda.insert(when, agenda[:index] + (None,) + agenda[index + 1:])  # type: ignore[attr-defined]
        self.drop_call(task.call)
        if task.maybe_id is not None:
            self.storage.Lookup.remove(task.maybe_id)  # type: ignore[attr-defined]
        self.storage.Retries.remove(address)  # type: ignore[attr-defined]
        self.cleanup_agenda(when)
        self.deposit_event(Event.Canceled(when, index))  # type: ignore[attr-defined]

    def address_of(self, name: bytes) -> tuple[int, int]:
        address = self.storage.Lookup.get(name)  # type: ignore[attr-defined]
        if address is None:
            raise Error.NotFound()
        return address

    def do_cancel_named(self, origin: Origin | None, name: bytes) -> None:
        self.do_cancel(origin, self.address_of(name))

    def next_dispatch_time(self, name: bytes) -> int | None:
        address = self.storage.Lookup.get(name)  # type: ignore[attr-defined]
        return None if address is None else address[0]

    def replace_task(self, address: tuple[int, int], task: Scheduled) -> None:
        when, index = address
        agenda = self.storage.Agenda.get(when)  # type: ignore[attr-defined]
        self.storage.Agenda.insert(when, agenda[:index] + (task,) + agenda[index + 1:])  # type: ignore[attr-defined]

    def as_retry(self, task: Scheduled) -> Scheduled:
        return dataclasses.replace(task, maybe_id=None, maybe_periodic=None)
