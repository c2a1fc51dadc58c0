"""The node's chain: blocks of real extrinsics around a simulator runtime.

Why: a node is more than state. Clients sign against a genesis hash and era birth blocks, submit
SCALE extrinsics, wait for the block that includes them, then read that block's extrinsics and
events. This class keeps that bookkeeping: it decodes and checks each submitted extrinsic the way a
transaction pool would (format, signature, nonce, era), dispatches its call into the simulator as
the signer, and seals blocks (one per extrinsic with ``instant`` sealing; on demand, through
``engine_createBlock``, with ``manual`` sealing). Block numbers and hashes are the simulator's own
(``Runtime.block_hash``), so the chain's ``System.ParentHash``/``BlockHash`` storage agrees.

Pool-level rejections raise :class:`PoolError` with the JSON-RPC code a Substrate node uses
(1001 bad format, 1010 invalid transaction); a call the simulator does not model gets 9000.
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass, field
from typing import Any, Callable

from scalecodec.base import ScaleBytes

from runtime.bridge.metadata import RuntimeMetadata
from runtime.bridge.node.events import NodeEvent, encode_events, extrinsic_outcome, fee_paid, from_record, is_extension
from runtime.bridge.node.storage import StateReader
from runtime.bridge.normalize import chain_call_to_params
from runtime.bridge.signing import SignatureError, era_death, signed_parts, verify_signature
from runtime.codec import ParamError
from runtime.errors import InvalidTransaction, RuntimePanic, UnknownCall
from runtime.runtime import Runtime


class PoolError(Exception):
    """A submission the pool refuses: ``code``/``message``/``data`` form the JSON-RPC error."""

    def __init__(self, code: int, message: str, data: str | None = None) -> None:
        self.code = code
        self.message = message
        self.data = data
        super().__init__(f"{code} {message}: {data}" if data else f"{code} {message}")

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.data is not None:
            out["data"] = self.data
        return out


def invalid(data: str) -> PoolError:
    return PoolError(1010, "Invalid Transaction", data)


@dataclass
class Block:
    number: int
    hash: str
    parent_hash: str
    extrinsics: list[bytes] = field(default_factory=list)
    events: list[NodeEvent] = field(default_factory=list)
    events_scale: bytes = b"\x00"
    state_root: str = "0x" + "00" * 32

    def header(self) -> dict[str, Any]:
        """``chain_getHeader``'s JSON."""
        extrinsics_root = hashlib.blake2b(b"".join(self.extrinsics), digest_size=32).hexdigest()
        return {
            "parentHash": self.parent_hash,
            "number": hex(self.number),
            "stateRoot": self.state_root,
            "extrinsicsRoot": "0x" + extrinsics_root,
            "digest": {"logs": []},
        }

    def to_json(self) -> dict[str, Any]:
        """``chain_getBlock``'s JSON."""
        return {"block": {"header": self.header(), "extrinsics": ["0x" + x.hex() for x in self.extrinsics]}, "justifications": None}


@dataclass
class Submission:
    """A dispatched extrinsic waiting for its block to be sealed."""

    hash: str
    index: int
    outcome: str  # "ok" | error name
    events: list[str] = field(default_factory=list)


class SimChain:
    """Blocks, extrinsics, events and a transaction-pool front for one :class:`Runtime`."""

    def __init__(self, md: RuntimeMetadata, rt: Runtime | None = None, *, sealing: str = "instant") -> None:
        if sealing not in ("instant", "manual"):
            raise ValueError("sealing must be 'instant' or 'manual'")
        self.md = md
        self.rt = rt if rt is not None else Runtime.dev()
        self.sealing = sealing
        self.lock = threading.RLock()
        genesis = Block(0, self.rt.block_hash(0), "0x" + "00" * 32, state_root=self.rt.state_root())
        self.blocks: list[Block] = [genesis]
        self.by_hash: dict[str, Block] = {genesis.hash: genesis}
        self._pending: list[bytes] = []
        self._pending_node_events: list[NodeEvent] = []
        self._pending_watch: list[Submission] = []
        self._log_pos = len(self.rt.event_log)
        self.listeners: list[Callable[[Block, list[Submission]], None]] = []
        self.encode_problems: list[str] = []
        self.extension_events = 0  # simulator-only events left out of System.Events (the chain has no such event)
        self.state = StateReader(md, self.rt, self.events_at)
        # blocks the runtime already went through before the node started (a replayed genesis log)
        for n in range(1, self.rt.block_number):
            self._append_block(Block(n, self.rt.block_hash(n), self.rt.block_hash(n - 1), state_root=self.rt.state_root()))

    # --- chain queries
    @property
    def head(self) -> Block:
        return self.blocks[-1]

    @property
    def genesis_hash(self) -> str:
        return self.blocks[0].hash

    def block(self, ref: str | int | None = None) -> Block | None:
        """A block by hash, number or None (the head)."""
        if ref is None:
            return self.head
        if isinstance(ref, int):
            return self.blocks[ref] if 0 <= ref < len(self.blocks) else None
        return self.by_hash.get(ref)

    def events_at(self, block_hash: str | None) -> bytes:
        block = self.block(block_hash)
        return block.events_scale if block is not None else b"\x00"

    def nonce(self, who: str) -> int:
        return self.rt.pallets["System"].nonce(who)  # type: ignore[attr-defined]

    def runtime_version(self) -> dict[str, Any]:
        version = self.md.runtime_version()
        version["specVersion"] = self.rt.spec_version
        return version

    def pending(self) -> list[bytes]:
        return list(self._pending)

    # --- submission
    def submit(self, xt_hex: str) -> Submission:
        """Check and dispatch one extrinsic into the open block; seal it at once with instant sealing."""
        with self.lock:
            sub = self._apply(xt_hex)
            if self.sealing == "instant":
                self.seal()
            return sub

    def _decode(self, raw: bytes) -> Any:
        try:
            xt = self.md.runtime_config.create_scale_object("Extrinsic", data=ScaleBytes(bytearray(raw)), metadata=self.md.scale)
            xt.decode()
        except Exception as exc:  # noqa: BLE001
            raise PoolError(1001, "Extrinsic has invalid format", f"could not decode the extrinsic: {exc}") from None
        return xt

    def _apply(self, xt_hex: str) -> Submission:
        if not isinstance(xt_hex, str) or not xt_hex.startswith("0x"):
            raise PoolError(1001, "Extrinsic has invalid format", "expected 0x-prefixed hex")
        try:
            raw = bytes.fromhex(xt_hex[2:])
        except ValueError:
            raise PoolError(1001, "Extrinsic has invalid format", "invalid hex") from None
        xt = self._decode(raw)
        value = xt.value
        current = self.rt.block_number
        signer = None
        if value.get("signature"):
            parts = signed_parts(raw, xt)
            signer = value["address"] if isinstance(value["address"], str) else value["address"].get("Id")
            era = parts.era
            if era not in ("00", None) and era_death(era, current) <= current:
                raise invalid("Transaction is outdated")
            try:
                verify_signature(parts, self.md, bytes.fromhex(self.genesis_hash[2:]), self._hash_bytes, current, spec_version=self.rt.spec_version)
            except SignatureError as exc:
                raise invalid(str(exc)) from None
            expected = self.nonce(signer)
            if parts.nonce < expected:
                raise invalid("Transaction is outdated")
            if parts.nonce > expected:
                raise invalid(f"Transaction will be valid in the future (nonce {parts.nonce}, account nonce {expected}); tangle-sim keeps no future queue")
        module, function, params = chain_call_to_params(value["call"])
        if function not in self.rt.supported_calls().get(module, []):
            raise PoolError(9000, "Not modelled by tangle-sim", f"{module}.{function} is not implemented by the simulator")
        try:
            receipt = self.rt.dispatch(signer if signer is not None else "none", module, function, params, raise_error=False)
        except InvalidTransaction as exc:
            raise invalid(exc.data) from None
        except (ParamError, UnknownCall) as exc:
            raise PoolError(1001, "Extrinsic has invalid format", str(exc)) from None
        except RuntimePanic as exc:
            raise PoolError(-32603, "Internal error", f"the simulator panicked: {exc}") from None
        idx = receipt.extrinsic_idx
        if signer is not None:
            self._pending_node_events.append(fee_paid(idx, signer, receipt.total_fee_amount))
        self._pending_node_events.append(extrinsic_outcome(self.md, idx, receipt.error_name, receipt.weight))
        self._pending.append(raw)
        sub = Submission("0x" + hashlib.blake2b(raw, digest_size=32).hexdigest(), idx, receipt.error_name or "ok", [e.name for e in receipt.triggered_events])
        self._pending_watch.append(sub)
        return sub

    def _hash_bytes(self, n: int) -> bytes | None:
        block = self.block(n)
        return bytes.fromhex(block.hash[2:]) if block is not None else None

    # --- blocks
    def seal(self) -> Block:
        """Close the open block (its on_finalize runs), record it with its extrinsics and events."""
        with self.lock:
            rt = self.rt
            n = rt.block_number
            rt.advance_blocks(1)
            fresh = [e for e in rt.event_log[self._log_pos :] if e.block == n]
            records = [from_record(self.md, e) for e in fresh if not is_extension(e)]
            self.extension_events += len(fresh) - len(records)
            self._log_pos = len(rt.event_log)
            events = _in_block_order(records + self._pending_node_events)
            encoded = encode_events(self.md, events)
            self.encode_problems += [f"block {n}: {p.event}: {p.error}" for p in encoded.problems]
            block = Block(n, rt.block_hash(n), rt.block_hash(n - 1), list(self._pending), events, encoded.data, rt.state_root())
            watched = self._pending_watch
            self._pending, self._pending_node_events, self._pending_watch = [], [], []
            self._append_block(block)
            for listener in list(self.listeners):
                listener(block, watched)
            return block

    def _append_block(self, block: Block) -> None:
        self.blocks.append(block)
        self.by_hash[block.hash] = block

    def create_blocks(self, n: int = 1) -> Block:
        """Seal ``n`` blocks (the first one with whatever is pending)."""
        block = self.head
        for _ in range(max(n, 1)):
            block = self.seal()
        return block


_PHASES = {"Initialization": 0, "ApplyExtrinsic": 1, "Finalization": 2}


def _in_block_order(events: list[NodeEvent]) -> list[NodeEvent]:
    """Initialization, then each extrinsic's events (the node's after the runtime's), then Finalization."""
    keyed = [(_PHASES.get(e.phase, 1), e.extrinsic_idx or 0, 1 if e.origin == "node" else 0, i, e) for i, e in enumerate(events)]
    keyed.sort(key=lambda k: k[:4])
    return [k[4] for k in keyed]
