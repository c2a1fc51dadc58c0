from runtime.primitives import U64
from runtime.storage import PalletStorage, StorageMap, StorageValue

from pallets.scheduler.types import RetryConfig, Scheduled, TaskAddress, TaskName


class SchedulerStorage(PalletStorage, prefix="Scheduler"):
    IncompleteSince = StorageValue(U64)
    Agenda = StorageMap(U64, tuple[Scheduled | None, ...], default=())
    Retries = StorageMap(TaskAddress, RetryConfig)
    Lookup = StorageMap(TaskName, TaskAddress)
