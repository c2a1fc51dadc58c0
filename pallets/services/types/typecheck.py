"""The type checker of the services pallet (``tangle_primitives::services::jobs::type_checker``).

Every registration argument list, request argument list, job argument list and job result list is
checked against its declared ``FieldType`` list with the same two rules, in this order:

1. the lengths must be equal, else ``NotEnoughArguments{expected, actual}`` (also for too many);
2. each value must match its type (:func:`~pallets.services.types.field.matches`), else
   ``ArgumentTypeMismatch{index, expected, actual}`` for the first mismatch, ``actual`` being the
   chain's ``FieldType::from(value)``. (``ResultTypeMismatch`` exists but the chain never produces
   it: result checks report ``ArgumentTypeMismatch`` too.)

The pallet wraps the error as ``Services.TypeCheck``; the inner error is kept on the raised
DispatchError as ``type_check_error``. (On chain the module error is truncated to 4 bytes.)
"""

from __future__ import annotations

from typing import Sequence

from runtime.codec import ScaleEnum, struct
from runtime.primitives import U8

from pallets.services.types.field import Field, FieldType, field_type_of, matches


@struct(name="ArgumentTypeMismatch")
class ArgumentTypeMismatch:
    index: U8
    expected: FieldType
    actual: FieldType


@struct(name="NotEnoughArguments")
class NotEnoughArguments:
    expected: U8
    actual: U8


class TypeCheckError(ScaleEnum):
    ArgumentTypeMismatch: ArgumentTypeMismatch
    NotEnoughArguments: NotEnoughArguments
    ResultTypeMismatch: ArgumentTypeMismatch


def type_checker(params: Sequence[FieldType], args: Sequence[Field]) -> TypeCheckError | None:
    """None if ``args`` match ``params``, else the chain's TypeCheckError (counts truncated to u8)."""
    n = len(params)
    if n != len(args):
        return TypeCheckError.NotEnoughArguments(NotEnoughArguments(n & 0xFF, len(args) & 0xFF))
    for i in range(n):  # (no enumerate/zip objects: this runs twice per job call and result)
        if not matches(args[i], params[i]):
            return TypeCheckError.ArgumentTypeMismatch(ArgumentTypeMismatch(i & 0xFF, params[i], field_type_of(args[i])))
    return None
