"""Extrinsic receipts modelled on substrate-interface's ``ExtrinsicReceipt``."""

from __future__ import annotations

from typing import Any

from runtime.errors import DispatchError
from runtime.events import EventRecord


class ExtrinsicReceipt:
    """The outcome of one dispatched call, with the same attribute names a node receipt has."""

    __slots__ = ("call_module", "call_function", "block_number", "extrinsic_idx", "block_hash", "error", "triggered_events", "total_fee_amount", "weight")

    def __init__(self, call_module: str, call_function: str, block_number: int, extrinsic_idx: int, block_hash: str, error: DispatchError | None, events: list[EventRecord], fee: int, weight: int) -> None:
        self.call_module = call_module
        self.call_function = call_function
        self.block_number = block_number
        self.extrinsic_idx = extrinsic_idx
        self.block_hash = block_hash
        self.error = error
        self.triggered_events = events
        self.total_fee_amount = fee
        self.weight = weight

    @property
    def is_success(self) -> bool:
        return self.error is None

    @property
    def error_message(self) -> dict[str, Any] | None:
        """``{"type": "Module", "name": ..., "pallet": ..., "docs": [...]}`` or None on success."""
        return None if self.error is None else self.error.error_message

    @property
    def error_name(self) -> str | None:
        """``Pallet.Error`` (or ``BadOrigin``, ``Token.FundsUnavailable``), None on success."""
        return None if self.error is None else self.error.qualified_name

    def events_named(self, name: str) -> list[EventRecord]:
        return [e for e in self.triggered_events if e.matches(name)]

    def event(self, name: str) -> EventRecord:
        """The single event called ``name`` (``"Transfer"`` or ``"Balances.Transfer"``)."""
        found = self.events_named(name)
        if len(found) != 1:
            raise LookupError(f"expected one {name} event, found {len(found)}: {self.triggered_events}")
        return found[0]

    def raise_for_error(self) -> "ExtrinsicReceipt":
        if self.error is not None:
            raise self.error
        return self

    def __repr__(self) -> str:
        outcome = "ok" if self.error is None else self.error.qualified_name
        return f"<receipt {self.call_module}.{self.call_function} #{self.block_number}-{self.extrinsic_idx} {outcome}>"
