"""``System.Events`` as a real node stores it: ``Vec<EventRecord<RuntimeEvent, H256>>`` per metadata.

Why: substrate-interface reads a block's events (and so an extrinsic's success, error and triggered
events) from that storage item. The simulator's events are rendered in substrate-interface's value
shape already; this module adds what only the node knows (``System.ExtrinsicSuccess`` /
``ExtrinsicFailed`` with the dispatch info and the module error *by metadata index*,
``TransactionPayment.TransactionFeePaid``) and SCALE-encodes the records: phase, the pallet's index
byte, the pallet event encoded with the pallet's event type, no topics.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from runtime.bridge.downgrade import compact
from runtime.bridge.keys import encode_value
from runtime.bridge.metadata import RuntimeMetadata
from runtime.calls import DispatchResultCodec
from runtime.events import EventRecord
from pallets.primitives.dispatch import DispatchErrorCodec


@dataclass
class NodeEvent:
    """An event in the node's block: where it happened and its attributes (substrate-interface shape)."""

    pallet: str
    name: str
    attributes: dict[str, Any]
    phase: str  # Initialization | ApplyExtrinsic | Finalization
    extrinsic_idx: int | None = None
    origin: str = "runtime"  # runtime (the simulator emitted it) | node (the node adds it)

    @property
    def qualified(self) -> str:
        return f"{self.pallet}.{self.name}"


@dataclass
class EncodeProblem:
    event: str
    error: str


class EventEncodeError(RuntimeError):
    """An event the runtime emitted that the node could not put in ``System.Events``."""


@dataclass
class EncodedEvents:
    data: bytes
    problems: list[EncodeProblem] = field(default_factory=list)


def dispatch_error_value(md: RuntimeMetadata, qualified: str) -> Any:
    """A simulator error name (``Services.ServiceNotFound``, ``BadOrigin``, ``Token.FundsUnavailable``)
    as ``sp_runtime::DispatchError`` in substrate-interface's shape, module errors by metadata index."""
    if "." in qualified:
        head, name = qualified.split(".", 1)
        if head in ("Token", "Arithmetic", "Transactional"):
            return {head: name}
        pallet = md.pallet(head)
        err = pallet.errors.get(name)
        if err is None:
            raise KeyError(f"{qualified}: no such error in the metadata")
        return {"Module": {"index": pallet.index, "error": f"0x{err.index:02x}000000"}}
    return qualified  # BadOrigin, CannotLookup, Other, ...


def is_extension(record: EventRecord) -> bool:
    """Is this a simulator-only event (``EventSet.__extensions__``)? The chain never emits it."""
    return bool(getattr(record.spec, "extension", False))


def from_record(md: RuntimeMetadata, record: EventRecord) -> NodeEvent:
    """A simulator event as a node event (dispatch results become real ``DispatchError`` values)."""
    attrs = record.encoded_attributes()
    for fname, codec in zip(record.spec.fields, record.spec.codecs):
        if isinstance(codec, DispatchErrorCodec):  # a bare DispatchError (Utility.BatchInterrupted, ItemFailed)
            attrs[fname] = dispatch_error_value(md, attrs[fname])
        elif isinstance(codec, DispatchResultCodec):
            value = attrs[fname]
            if isinstance(value, dict) and "Err" in value:
                attrs[fname] = {"Err": dispatch_error_value(md, value["Err"])}
            else:
                attrs[fname] = {"Ok": ()}  # Result<(), _>: scalecodec encodes the unit as an empty tuple
    return NodeEvent(record.spec.pallet, record.spec.name, attrs, record.phase, record.extrinsic_idx)


def dispatch_info(weight: int, pays_fee: bool = True, dispatch_class: str = "Normal") -> dict[str, Any]:
    return {"weight": {"ref_time": weight, "proof_size": 0}, "class": dispatch_class, "pays_fee": "Yes" if pays_fee else "No"}


def extrinsic_outcome(md: RuntimeMetadata, idx: int, error: str | None, weight: int, pays_fee: bool = True, dispatch_class: str = "Normal") -> NodeEvent:
    """``System.ExtrinsicSuccess`` or ``System.ExtrinsicFailed`` for extrinsic ``idx``."""
    info = dispatch_info(weight, pays_fee, dispatch_class)
    if error is None:
        return NodeEvent("System", "ExtrinsicSuccess", {"dispatch_info": info}, "ApplyExtrinsic", idx, "node")
    return NodeEvent("System", "ExtrinsicFailed", {"dispatch_error": dispatch_error_value(md, error), "dispatch_info": info}, "ApplyExtrinsic", idx, "node")


def fee_paid(idx: int, who: str, fee: int, tip: int = 0) -> NodeEvent:
    """``TransactionPayment.TransactionFeePaid``: ``actual_fee`` is what the signer paid in the end,
    the tip included (``compute_actual_fee``), ``tip`` the tip alone."""
    return NodeEvent("TransactionPayment", "TransactionFeePaid", {"who": who, "actual_fee": fee, "tip": tip}, "ApplyExtrinsic", idx, "node")


def _phase_bytes(event: NodeEvent) -> bytes:
    if event.phase == "ApplyExtrinsic":
        return b"\x00" + int(event.extrinsic_idx or 0).to_bytes(4, "little")
    if event.phase == "Finalization":
        return b"\x01"
    return b"\x02"


def encode_event(md: RuntimeMetadata, event: NodeEvent) -> bytes:
    """One ``EventRecord``: phase, ``RuntimeEvent`` (pallet index ++ pallet event), empty topics."""
    pallet = md.pallet(event.pallet)
    info = pallet.events.get(event.name)
    if info is None or pallet.event_type_id is None:
        raise KeyError(f"{event.qualified}: no such event in the metadata")
    if info.fields and info.fields[0].name is None:
        payload: Any = [event.attributes[k] for k in event.attributes] if isinstance(event.attributes, dict) else list(event.attributes)
        payload = payload[0] if len(payload) == 1 else tuple(payload)
        value: Any = {event.name: payload}
    elif info.fields:
        value = {event.name: {f.name: event.attributes[f.name] for f in info.fields}}
    else:
        value = event.name
    body = encode_value(md, pallet.event_type_id, value)
    return _phase_bytes(event) + bytes([pallet.index]) + body + b"\x00"


def encode_events(md: RuntimeMetadata, events: list[NodeEvent]) -> EncodedEvents:
    """The ``System.Events`` value; events that cannot be encoded are left out and returned as
    problems, which the chain logs (and raises under ``SimChain.strict_events``, as the tests run)."""
    parts = []
    problems = []
    for event in events:
        try:
            parts.append(encode_event(md, event))
        except Exception as exc:  # noqa: BLE001 - a simulator event the metadata cannot carry
            problems.append(EncodeProblem(event.qualified, f"{type(exc).__name__}: {exc}"))
    return EncodedEvents(compact(len(parts)) + b"".join(parts), problems)
