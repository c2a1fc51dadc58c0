from runtime.calls import DispatchResult
from runtime.events import EventSet
from runtime.primitives import U32

from pallets.primitives.dispatch import DispatchErrorField


class Event(EventSet, pallet="Utility"):
    BatchInterrupted = (0, {"index": U32, "error": DispatchErrorField})
    BatchCompleted = (1, {})
    BatchCompletedWithErrors = (2, {})
    ItemCompleted = (3, {})
    ItemFailed = (4, {"error": DispatchErrorField})
    DispatchedAs = (5, {"result": DispatchResult})
