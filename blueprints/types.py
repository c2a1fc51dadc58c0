"""Type hints for job parameters and results, one-to-one with the chain's ``FieldType``.

An author writes ``def square(x: U64) -> U64`` and the blueprint learns ``params=[Uint64]``,
``result=[Uint64]`` from the hints, so the schema cannot drift from the handler. The mapping:

=========================  ===============================  ==============================
hint                       FieldType                        Python value
=========================  ===============================  ==============================
``U8 U16 U32 U64``         ``Uint8`` ... ``Uint64``         int (range-checked)
``I8 I16 I32 I64``         ``Int8`` ... ``Int64``           int (range-checked)
``bool``                   ``Bool``                         bool
``str``                    ``String``                       str
``bytes``                  ``List(Uint8)``                  bytes (how the SDK sends bytes)
``Array[T, n]``            ``Array(n, T)``                  tuple (bytes when ``T`` is U8)
``list[T]``                ``List(T)``                      list
``T | None``/``Optional``  ``Optional(T)``                  value or None
a ``@dataclass``           ``Struct(fields...)``            an instance of the dataclass
``AccountId``              ``AccountId``                    SS58 str (dev names accepted)
=========================  ===============================  ==============================

Plain ``int`` is refused on purpose: the chain has no "int", and guessing a width is how schemas
drift. There is no ``U128``: the chain's ``FieldType`` stops at 64 bits.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from pallets.services.types import FieldType


@dataclass(frozen=True)
class _Scalar:
    """Marker carried by the integer/account aliases: which FieldType and which range."""

    field_type: FieldType
    lo: int | None = None
    hi: int | None = None


def _uint(name: str, bits: int) -> Any:
    return Annotated[int, _Scalar(FieldType.__units__[name], 0, (1 << bits) - 1)]


def _int(name: str, bits: int) -> Any:
    return Annotated[int, _Scalar(FieldType.__units__[name], -(1 << (bits - 1)), (1 << (bits - 1)) - 1)]


U8 = _uint("Uint8", 8)
U16 = _uint("Uint16", 16)
U32 = _uint("Uint32", 32)
U64 = _uint("Uint64", 64)
I8 = _int("Int8", 8)
I16 = _int("Int16", 16)
I32 = _int("Int32", 32)
I64 = _int("Int64", 64)
AccountId = Annotated[str, _Scalar(FieldType.__units__["AccountId"])]


@dataclass(frozen=True)
class _ArrayOf:
    """Marker for a fixed-length array: element hint and length."""

    element: Any
    length: int


class Array:
    """``Array[U8, 32]``: a fixed-length array (``FieldType.Array(32, Uint8)``)."""

    def __class_getitem__(cls, params: tuple[Any, int]) -> Any:
        if not isinstance(params, tuple) or len(params) != 2 or not isinstance(params[1], int) or params[1] < 0:
            raise TypeError("Array takes an element type and a non-negative length: Array[U8, 32]")
        return Annotated[tuple, _ArrayOf(params[0], params[1])]


class JobContext:
    """What a handler may ask for besides its arguments (the SDK's extractors: ``Caller``,
    ``CallId``, ``ServiceId``...). Annotate a parameter with ``JobContext`` and the operator
    passes one; it is not part of the job's schema.
    """

    __slots__ = ("operator", "operator_name", "caller", "service_id", "blueprint_id", "call_id", "job", "block_number", "rt", "args")

    def __init__(self, operator: str, operator_name: str, caller: str, service_id: int, blueprint_id: int, call_id: int, job: int,
                 block_number: int, rt: Any, args: tuple = ()) -> None:
        self.operator = operator
        self.operator_name = operator_name
        self.caller = caller
        self.service_id = service_id
        self.blueprint_id = blueprint_id
        self.call_id = call_id
        self.job = job
        self.block_number = block_number
        self.rt = rt  # read the chain through it; never dispatch from a handler
        self.args = args  # the call's raw Field arguments (behaviours that forge results need them)

    def __repr__(self) -> str:
        return f"JobContext(operator={self.operator_name}, service={self.service_id}, call={self.call_id}, job={self.job}, block={self.block_number})"


class NoResult(Exception):
    """Raised by a handler that deliberately submits nothing for this call (e.g. a follower that
    only listens). Any *other* exception is recorded as a handler error and reported loudly."""
