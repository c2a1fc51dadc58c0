"""tangle-sim runtime core: one deterministic, journaled state machine that all pallets share."""

from runtime.accounts import DEV_ACCOUNTS, normalize_account
from runtime.errors import BadOrigin, DispatchError, InvalidTransaction, RuntimePanic, UnknownCall
from runtime.codec import ParamError
from runtime.genesis import UNIT, GenesisConfig
from runtime.origin import Origin
from runtime.receipt import ExtrinsicReceipt
from runtime.runtime import Runtime

__all__ = [
    "Runtime",
    "GenesisConfig",
    "DispatchError",
    "BadOrigin",
    "InvalidTransaction",
    "RuntimePanic",
    "UnknownCall",
    "ParamError",
    "ExtrinsicReceipt",
    "Origin",
    "UNIT",
    "DEV_ACCOUNTS",
    "normalize_account",
]
