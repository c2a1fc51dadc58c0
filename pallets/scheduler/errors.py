from runtime.errors import DispatchError, ErrorSet


class Error(ErrorSet, pallet="Scheduler"):
    FailedToSchedule = 0
    NotFound = 1
    TargetBlockNumberInPast = 2
    RescheduleNoChange = 3
    Named = 4


class Exhausted(DispatchError):
    """``DispatchError::Exhausted``: the target block's agenda is full."""

    kind = "Exhausted"
    error = "Exhausted"

    @property
    def qualified_name(self) -> str:
        return "Exhausted"
