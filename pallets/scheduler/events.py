from runtime.calls import DispatchResult
from runtime.events import EventSet
from runtime.primitives import U8, U32, U64

from pallets.scheduler.types import TaskAddress, TaskName


class Event(EventSet, pallet="Scheduler"):
    Scheduled = (0, {"when": U64, "index": U32})
    Canceled = (1, {"when": U64, "index": U32})
    Dispatched = (2, {"task": TaskAddress, "id": TaskName | None, "result": DispatchResult})
    RetrySet = (3, {"task": TaskAddress, "id": TaskName | None, "period": U64, "retries": U8})
    RetryCancelled = (4, {"task": TaskAddress, "id": TaskName | None})
    CallUnavailable = (5, {"task": TaskAddress, "id": TaskName | None})
    PeriodicFailed = (6, {"task": TaskAddress, "id": TaskName | None})
    RetryFailed = (7, {"task": TaskAddress, "id": TaskName | None})
    PermanentlyOverweight = (8, {"task": TaskAddress, "id": TaskName | None})
