"""The node's chain: real blocks of real extrinsics around a simulator runtime.

Why: a node is more than state. Clients sign against the genesis hash and an era birth block,
hash headers themselves, submit SCALE extrinsics, wait for the block that includes them, then read
that block's extrinsics, events and state. This class keeps that bookkeeping: it checks each
submitted extrinsic the way a transaction pool would (format, signature, nonce, era), dispatches its
call into the simulator as the signer, and seals blocks whose headers are real Substrate headers
(``header.py``): parent hash, number, state root, the V0 ordered trie root of the block's encoded
extrinsics (the ``Timestamp.set`` inherent first), a BABE ``SecondaryPlain`` slot claim, and
hash = blake2-256 of the encoding. The runtime's ``System.BlockHash``/``ParentHash`` carry these
hashes, so mortal eras check against the hashes clients compute.

A bounded window of recent blocks keeps a runtime snapshot each, so queries at those blocks read
their state; ``set_head`` returns the chain to one of them and building continues from there.
Finality trails the head by ``finality_lag`` blocks; with a lag of 0 a block is finalized
``finality_delay`` seconds after it is sealed when a scheduler is attached (the server attaches its
event loop), so clients see InBlock and Finalized as separate notifications.

Pool-level rejections raise :class:`PoolError` with the JSON-RPC code a Substrate node uses
(1001 bad format, 1002 verification error: the runtime cannot decode it, 1010 invalid transaction); a
call the simulator does not model gets 9000.
"""

from __future__ import annotations

import hashlib
import heapq
import logging
import threading
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Callable

from scalecodec.base import ScaleBytes

from runtime.bridge.metadata import RuntimeMetadata
from runtime.bridge.node.fees import declared_info, pays_no_after, payment_refusal
from runtime.bridge.node.events import EventEncodeError, NodeEvent, encode_events, extrinsic_outcome, fee_paid, from_record, is_extension
from runtime.bridge.node.header import Header, babe_secondary_plain, ordered_trie_root, slot_duration_ms
from runtime.bridge.node.storage import StateReader
from runtime.bridge.normalize import chain_call_to_params
from runtime.bridge.signing import SignatureError, era_death, signed_parts, verify_signature
from runtime.codec import ParamError
from runtime.errors import InvalidTransaction, RuntimePanic, UnknownCall
from runtime.runtime import Runtime
from runtime.scale import compact

GENESIS_TIME_MS = 1_735_689_600_000  # 2025-01-01T00:00:00Z: the dev chain's first timestamp (deterministic)
RUNTIME_ENVIRONMENT_UPDATED = b"\x08"  # DigestItem::RuntimeEnvironmentUpdated

log = logging.getLogger("tangle_sim.node")


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


class OpaqueDecodeError(PoolError):
    """The bytes are not even an opaque extrinsic (``Vec<u8>``: a compact length, then that many bytes).

    The node decodes this before the runtime sees anything: ``author_submitExtrinsic`` answers it as
    sc-rpc's ``Error::Client`` (1040 "Client error: ..."), ``author_submitAndWatchExtrinsic`` as
    ``Error::BadFormat`` (1001 "Extrinsic has invalid format: ...")."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(1001, f"Extrinsic has invalid format: {reason}")


def opaque_decode_error(raw: bytes) -> str | None:
    """parity-scale-codec's error decoding ``raw`` as ``Vec<u8>`` (``OpaqueExtrinsic``), or None.
    Trailing bytes are no error there (``Decode::decode``, not ``decode_all``)."""
    if not raw:
        return "Not enough data to fill buffer"
    mode = raw[0] & 3
    if mode == 3:
        extra = (raw[0] >> 2) + 4
        if extra > 4:  # Compact<u32>: more than four bytes cannot be a Vec length
            return "Out of range"
        if len(raw) < 1 + extra:
            return "Not enough data to fill buffer"
        length, head = int.from_bytes(raw[1 : 1 + extra], "little"), 1 + extra
    else:
        head = 1 << mode
        if len(raw) < head:
            return "Not enough data to fill buffer"
        length = int.from_bytes(raw[:head], "little") >> 2
    return "Not enough data to fill buffer" if len(raw) - head < length else None


# a Python error inside scalecodec says nothing about the bytes: the client gets a plain sentence
_INTERNAL_DECODE_ERRORS = (AttributeError, TypeError, KeyError, IndexError, AssertionError)


# InvalidTransaction::Payment's text in the pool's 1010 error (sp-runtime transaction_validity)
PAYMENT_REFUSED = "Inability to pay some fees (e.g. account balance too low)"


def invalid(data: str) -> PoolError:
    return PoolError(1010, "Invalid Transaction", data)


class HistoryError(LookupError):
    """A query at a block whose state is no longer kept (outside the history window)."""


@dataclass
class Block:
    header: Header
    extrinsics: list[bytes] = field(default_factory=list)
    events: list[NodeEvent] = field(default_factory=list)
    events_scale: bytes = b"\x00"
    spec_version: int = 0
    timestamp: int = 0
    fee_multiplier: int = 10**18  # TransactionPayment.NextFeeMultiplier after this block (FixedU128)
    weight: tuple[int, int, int] = (0, 0, 0)  # System.BlockWeight after this block: normal, operational, mandatory ref_time

    def __post_init__(self) -> None:
        self.hash = "0x" + self.header.hash.hex()

    @property
    def number(self) -> int:
        return self.header.number

    @property
    def parent_hash(self) -> str:
        return "0x" + self.header.parent_hash.hex()

    @property
    def state_root(self) -> str:
        return "0x" + self.header.state_root.hex()

    def header_json(self) -> dict[str, Any]:
        """``chain_getHeader``'s JSON."""
        return self.header.to_json()

    def to_json(self) -> dict[str, Any]:
        """``chain_getBlock``'s JSON."""
        return {"block": {"header": self.header.to_json(), "extrinsics": ["0x" + x.hex() for x in self.extrinsics]}, "justifications": None}


@dataclass
class Submission:
    """A dispatched extrinsic waiting for its block to be sealed."""

    hash: str
    index: int  # position in the block body (the timestamp inherent is 0)
    outcome: str  # "ok" | error name
    events: list[str] = field(default_factory=list)
    raw: bytes = b""
    priority: int = 0  # ChargeTransactionPayment's validity priority (from the tip); unsigned: 0
    signer: str | None = None
    nonce: int = 0


def xt_hash(raw: bytes) -> str:
    return "0x" + hashlib.blake2b(raw, digest_size=32).hexdigest()


class SimChain:
    """Blocks, extrinsics, events and a transaction-pool front for one :class:`Runtime`."""

    # an event that cannot be encoded is always logged; with strict_events sealing also raises
    # (tests/bridge/conftest.py turns it on, so such an event fails the test that emits it)
    strict_events = False

    def __init__(
        self,
        md: RuntimeMetadata,
        rt: Runtime | None = None,
        *,
        sealing: str = "instant",
        history: int = 256,
        finality_lag: int = 0,
        finality_delay: float = 0.5,
        fees: bool = True,
    ) -> None:
        if sealing not in ("instant", "batch", "manual"):
            raise ValueError("sealing must be 'instant', 'batch' or 'manual'")
        if history < 1 or finality_lag < 0 or finality_delay < 0:
            raise ValueError("history must be >= 1, finality_lag and finality_delay >= 0")
        self.md = md
        self.rt = rt if rt is not None else Runtime.dev()
        self.sealing = sealing
        self.history = history
        self.finality_lag = finality_lag
        self.finality_delay = finality_delay
        from runtime.bridge.node.fees import FeeModel

        self.fee_model = FeeModel(md)
        # the node charges the chain's fee (pallet-transaction-payment's formula) unless the runtime
        # was configured to charge its own (GenesisConfig.transaction_fees)
        self.node_fees = fees and not self.rt.genesis.transaction_fees
        self.scheduler: Callable[[float, Callable[[], None]], None] | None = None
        self.lock = threading.RLock()
        self._ts_call = self._timestamp_call_prefix()
        self.slot_ms = slot_duration_ms(md)  # blocks are stamped one slot apart (1 s for the testnet's runtime)
        self.genesis_slot = 0  # Babe.GenesisSlot: block 1's slot once it exists
        self.now_ms = GENESIS_TIME_MS
        self._batch_scheduled = False
        self.time_override: int | None = None  # dev_timeTravel: Timestamp.Now until the next block
        self.listeners: list[Callable[[Block, list[Submission]], None]] = []
        self.finality_listeners: list[Callable[[list[Block]], None]] = []
        self.head_listeners: list[Callable[[Block], None]] = []  # the head moved back (set_head)
        self.invalid_listeners: list[Callable[[list[tuple[Submission, PoolError]]], None]] = []  # left out when the block was built
        self.encode_problems: list[str] = []
        self.extension_events = 0  # simulator-only events left out of System.Events (the chain has no such event)
        self._snapshots: dict[str, Any] = {}  # block hash -> runtime snapshot after that block
        self.state = StateReader(md, self.rt, self.events_at, self._node_value)
        genesis = Block(Header(b"\x00" * 32, 0, _root(self.rt), ordered_trie_root([]), ()), spec_version=self.rt.spec_version, timestamp=self.now_ms)
        self.blocks: list[Block] = [genesis]
        self.by_hash: dict[str, Block] = {genesis.hash: genesis}
        self.finalized_number = 0
        self._set_runtime_hash(genesis)
        # blocks the runtime already went through before the node started (a replayed genesis log)
        for n in range(1, self.rt.block_number):
            self.now_ms += self.slot_ms
            block = self._make_block(n, [self._timestamp_xt()], [], b"\x00")
            self._update_multiplier(block, 0)
            self._append_block(block)
            self._set_runtime_hash(block)
        self.finalized_number = self.head.number
        # the state the node started from, already inside the next block: readable, not a set_head target
        self._snapshots[self.head.hash] = self.rt.snapshot()
        self._opened_snapshots: set[str] = {self.head.hash}
        # the runtime is inside the next block (``_open``) only once something needs that block (a
        # submission or a seal); ``_live_is_head``: the runtime holds exactly the head's sealed state,
        # so reads at the head may use it directly (otherwise they read the head's snapshot)
        self._open = True
        self._live_is_head = True
        self._open_block()

    # --- chain queries
    @property
    def head(self) -> Block:
        return self.blocks[-1]

    @property
    def finalized(self) -> Block:
        return self.blocks[min(self.finalized_number, len(self.blocks) - 1)]

    @property
    def genesis_hash(self) -> str:
        return self.blocks[0].hash

    def block(self, ref: str | int | None = None) -> Block | None:
        """A block by hash (any block ever sealed, also off the current chain), number or None (the head)."""
        if ref is None:
            return self.head
        if isinstance(ref, bool):
            return None
        if isinstance(ref, int):
            return self.blocks[ref] if 0 <= ref < len(self.blocks) else None
        if isinstance(ref, str):
            return self.by_hash.get(ref.lower())
        return None

    def on_chain(self, block: Block) -> bool:
        """Whether ``block`` is on the current chain (not on a branch ``set_head`` abandoned)."""
        return block.number < len(self.blocks) and self.blocks[block.number] is block

    @property
    def next_number(self) -> int:
        """The number of the block being built: what a transaction is validated against."""
        return self.head.number + 1

    def has_state(self, block_hash: str) -> bool:
        """Whether queries at ``block_hash`` can still be answered (the head, or a block of the window)."""
        return block_hash == self.head.hash or block_hash in self._snapshots

    def events_at(self, block_hash: str | None) -> bytes:
        if block_hash is None:
            return self.head.events_scale
        block = self.block(block_hash)
        return block.events_scale if block is not None else b"\x00"

    def nonce(self, who: str) -> int:
        return self.rt.pallets["System"].nonce(who)  # type: ignore[attr-defined]

    def runtime_version(self) -> dict[str, Any]:
        version = self.md.runtime_version()
        version["specVersion"] = self.rt.spec_version
        return version

    def pending(self) -> list[bytes]:
        """Extrinsics submitted to the open block (the inherents left out)."""
        return list(self._pending[self._inherents :])

    def at(self, block_hash: str | None, read: Callable[[], Any]) -> Any:
        """Run ``read`` against the state after block ``block_hash`` (None: the best block).

        As on a real node, the state at hash H is H's sealed state (what its header's stateRoot
        commits to), forever: the pool's pending extrinsics and the next block's initialisation are
        never visible. The head is read live while the runtime holds exactly its sealed state;
        otherwise (pending work in the open block) and for older blocks of the window, the block's
        snapshot is restored and then the current state (under the chain lock). Blocks outside the
        window raise :class:`HistoryError`."""
        with self.lock:
            block = self.head if block_hash is None else self.block(block_hash)
            if block is None:
                raise HistoryError(f"Unknown block {block_hash}")
            if block is self.head and self._live_is_head:
                return read()
            snap = self._snapshots.get(block.hash)
            if snap is None:
                raise HistoryError(f"State already discarded for {block.hash} (block {block.number}); the node keeps the last {self.history} blocks (--history)")
            current, multiplier, flags = self.rt.snapshot(), self.fee_model.multiplier, (self._open, self._live_is_head)
            self.rt.restore(snap)
            self.fee_model.multiplier = block.fee_multiplier
            self._open, self._live_is_head = block.hash in self._opened_snapshots, False
            try:
                return read()
            finally:
                self.rt.restore(current)
                self.fee_model.multiplier = multiplier
                self._open, self._live_is_head = flags

    def write_at_head(self, write: Callable[[], None]) -> None:
        """Apply ``write`` (``dev_setStorage``) to the head's state, as Chopsticks does, and to the
        open block built on it, so reads at the head and the next block both see it."""
        with self.lock:
            head = self.head
            if self._live_is_head:
                write()
                self._snapshots[head.hash] = self.rt.snapshot()
                return
            current, flags = self.rt.snapshot(), (self._open, self._live_is_head)
            self.rt.restore(self._snapshots[head.hash])
            try:
                write()
                self._snapshots[head.hash] = self.rt.snapshot()
            finally:
                self.rt.restore(current)
                self._open, self._live_is_head = flags
            write()

    # --- node-held storage (items the simulator does not model but every chain has)
    def _node_value(self, pallet: str, item: str, block_hash: str | None) -> bytes | None:
        if (pallet, item) == ("Timestamp", "Now"):
            block = self.block(block_hash) or self.head
            if block is self.head and self.time_override is not None:
                return self.time_override.to_bytes(8, "little")
            return block.timestamp.to_bytes(8, "little")
        if (pallet, item) == ("System", "BlockWeight"):  # PerDispatchClass<Weight>, proof sizes 0
            block = self.block(block_hash) or self.head
            return b"".join(compact(w) + compact(0) for w in block.weight)
        if (pallet, item) == ("TransactionPayment", "NextFeeMultiplier"):
            block = self.block(block_hash) or self.head
            return block.fee_multiplier.to_bytes(16, "little")
        if pallet == "Babe":
            return self._babe_value(item, self.block(block_hash) or self.head)
        return None

    def _babe_value(self, item: str, block: Block) -> bytes | None:
        """What pallet_babe holds after ``block`` for the items clients read (polkadot.js
        ``derive.session.progress``: ``CurrentSlot``, ``EpochIndex``, ``GenesisSlot``): the slot of its
        BABE pre-digest, block 1's slot, and one epoch per session (pallet_session ends a session when
        BABE ends an epoch, ``ShouldEndSession = Babe``, and ``enact_epoch_change`` counts them), read
        from the simulator's ``Session.CurrentIndex``. Block 0 holds none of them (0, as on chain)."""
        if block.number == 0:
            return (0).to_bytes(8, "little")
        if item == "CurrentSlot":
            now = self.time_override if block is self.head and self.time_override is not None else block.timestamp
            return (now // self.slot_ms).to_bytes(8, "little")  # dev_timeTravel moves it, as Chopsticks does
        if item == "GenesisSlot":
            return self.genesis_slot.to_bytes(8, "little")
        if item == "EpochIndex":  # the state served is the block's (SimChain.at restored it)
            return int(self.rt.pallets["Session"].current_index()).to_bytes(8, "little")  # type: ignore[attr-defined]
        return None

    # --- the timestamp inherent
    def _timestamp_call_prefix(self) -> bytes | None:
        ts = self.md.pallets.get("Timestamp")
        if ts is None or "set" not in ts.calls:
            return None
        return bytes([ts.index, ts.calls["set"].index])

    def _timestamp_xt(self) -> bytes:
        """``Timestamp.set(now)`` as an unsigned (bare) extrinsic with its length prefix."""
        if self._ts_call is None:
            return b""
        body = bytes([self.md.extrinsic_version & 0x7F]) + self._ts_call + compact(self.now_ms)
        return compact(len(body)) + body

    def _open_block(self) -> None:
        """Start collecting the open block (the runtime has initialised it): the inherent goes first."""
        inherent = self._timestamp_xt()
        self._pending: list[bytes] = [inherent] if inherent else []
        self._inherents = len(self._pending)
        self._pending_node_events: list[NodeEvent] = []
        base = self.fee_model.base_extrinsic
        # frame_system's BlockWeight: initialize_block registers the base block weight (Mandatory;
        # the hooks' own weights are not modelled), each extrinsic its weight + base_extrinsic
        self._mandatory_weight = self.fee_model.base_block
        if inherent:  # Timestamp.set: its call weight is not modelled, the base extrinsic weight is
            self._mandatory_weight += base
            self._pending_node_events.append(extrinsic_outcome(self.md, 0, None, base, pays_fee=False, dispatch_class="Mandatory"))
        self._pending_watch: list[Submission] = []
        self._log_pos = len(self.rt.event_log)
        self._normal_weight = 0  # the open block's normal-class weight (drives the fee multiplier)

    def save_open_block(self) -> tuple[Any, ...]:
        """The open block's bookkeeping, for a dry run that restores the runtime afterwards."""
        return (list(self._pending), self._inherents, list(self._pending_node_events), list(self._pending_watch), self._log_pos, self._normal_weight, self._open, self._live_is_head, self._mandatory_weight)

    def restore_open_block(self, saved: tuple[Any, ...]) -> None:
        self._pending, self._inherents, self._pending_node_events, self._pending_watch, self._log_pos, self._normal_weight, self._open, self._live_is_head, self._mandatory_weight = saved

    def _ensure_open(self) -> None:
        """Initialise the next block (System.Number, ParentHash, on_initialize hooks) in the runtime if
        not done yet: from here on the runtime no longer holds the head's sealed state."""
        if not self._open:
            self.rt._initialize_block(self.head.number + 1)
            self._open = True
        self._live_is_head = False

    # --- submission
    def submit(self, xt_hex: str) -> Submission:
        """Check and dispatch one extrinsic into the open block; seal it at once with instant sealing."""
        with self.lock:
            sub = self._apply(xt_hex)
            self.after_submit()
            return sub

    def after_submit(self) -> None:
        """instant: seal now; batch: seal everything pending 100 ms after the first waiting submission
        (at once without a scheduler); manual: wait for dev_newBlock / engine_createBlock."""
        if self.sealing == "instant" or (self.sealing == "batch" and self.scheduler is None):
            self.seal()
        elif self.sealing == "batch" and not self._batch_scheduled:
            self._batch_scheduled = True
            self.scheduler(0.1, self._seal_batch)  # type: ignore[misc]

    def _seal_batch(self) -> None:
        with self.lock:
            self._batch_scheduled = False
            if self.pending():
                self.seal()

    def _decode(self, raw: bytes) -> Any:
        """Decode as the runtime does. Not an opaque extrinsic: :class:`OpaqueDecodeError`. Opaque but
        not an extrinsic of this runtime: the pool's runtime validation fails, a Verification Error
        (1002), as on a real node (whose message says the same in wasm-executor words)."""
        reason = opaque_decode_error(raw)
        if reason is not None:
            raise OpaqueDecodeError(reason)
        try:
            xt = self.md.runtime_config.create_scale_object("Extrinsic", data=ScaleBytes(bytearray(raw)), metadata=self.md.scale)
            xt.decode()
        except Exception as exc:  # noqa: BLE001
            detail = "the bytes are not an extrinsic of this runtime" if isinstance(exc, _INTERNAL_DECODE_ERRORS) else str(exc)[:300]
            reason = f"could not decode the extrinsic: {detail}"
            raise PoolError(1002, f"Verification Error: Runtime error: Execution failed: {reason}", reason) from None
        return xt

    def check(self, xt_hex: Any) -> tuple[bytes, Any, str | None]:
        """Pool validity checks without dispatching: (raw bytes, decoded extrinsic, signer or None)."""
        if not isinstance(xt_hex, str) or not xt_hex.startswith("0x"):
            raise PoolError(1001, "Extrinsic has invalid format", "expected 0x-prefixed hex")
        try:
            raw = bytes.fromhex(xt_hex[2:])
        except ValueError:
            raise PoolError(1001, "Extrinsic has invalid format", "invalid hex") from None
        xt = self._decode(raw)
        value = xt.value
        current = self.next_number
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
        else:
            module, function, _ = chain_call_to_params(value["call"])
            if (module, function) == ("Timestamp", "set"):
                raise invalid("Transaction call is not expected (Timestamp.set is an inherent)")
        return raw, xt, signer

    def _apply(self, xt_hex: Any) -> Submission:
        raw, xt, signer = self.check(xt_hex)
        module, function, params = chain_call_to_params(xt.value["call"])
        if function not in self.rt.supported_calls().get(module, []):
            raise PoolError(9000, "Not modelled by tangle-sim", f"{module}.{function} is not implemented by the simulator")
        tip = int(xt.value.get("tip") or 0) if signer is not None else 0
        charged_tip = tip if self.node_fees else 0  # the runtime's own fee model (transaction_fees) knows no tip
        self._ensure_open()
        db = self.rt.db
        db.begin()  # the fee and the dispatch stand or fall together
        try:
            fee, resolve_fee = self._charge(signer, module, function, len(raw), charged_tip) if signer is not None else (0, None)
            pays_no = pays_no_after(self.rt, module, function, params, signer)
            receipt = self.rt.dispatch(signer if signer is not None else "none", module, function, params, raise_error=False)
            # post_dispatch: a call that returns Pays::No gets its inclusion fee back (the tip is kept)
            weight, declared_pays = self.dispatch_info(module, function)
            pays = declared_pays and not pays_no(receipt)
            refund = fee - charged_tip if not pays else 0
            if resolve_fee is not None:  # the fee's Deposit after the call's own events
                rt = self.rt
                next_idx, rt._extrinsic_idx = rt._extrinsic_idx, receipt.extrinsic_idx
                try:
                    resolve_fee(refund)
                finally:
                    rt._extrinsic_idx = next_idx
        except InvalidTransaction as exc:
            db.rollback()
            raise invalid(exc.data) from None
        except (ParamError, UnknownCall) as exc:
            db.rollback()
            raise PoolError(1001, "Extrinsic has invalid format", str(exc)) from None
        except RuntimePanic as exc:
            db.rollback()
            raise PoolError(-32603, "Internal error", f"the simulator panicked: {exc}") from None
        except BaseException:
            db.rollback()
            raise
        db.commit()
        idx = receipt.extrinsic_idx + self._inherents
        # frame_system's note_applied_extrinsic: the dispatch info's weight includes base_extrinsic
        self._normal_weight += self.fee_model.block_weight(weight)
        if signer is not None:
            self._pending_node_events.append(fee_paid(idx, signer, fee - refund + receipt.total_fee_amount, charged_tip))
        self._pending_node_events.append(extrinsic_outcome(self.md, idx, receipt.error_name, weight + self.fee_model.base_extrinsic, pays_fee=pays))
        self._pending.append(raw)
        priority = self.fee_model.priority(weight, len(raw), tip) if signer is not None else 0
        nonce = int(xt.value.get("nonce") or 0) if signer is not None else 0
        sub = Submission(xt_hash(raw), idx, receipt.error_name or "ok", [e.name for e in receipt.triggered_events], raw, priority, signer, nonce)
        self._pending_watch.append(sub)
        return sub

    def dispatch_info(self, module: str, function: str) -> tuple[int, bool]:
        """The (ref_time weight, pays fee) the chain declares for a modelled call (``fees.declared_info``)."""
        return declared_info(self.rt.call_spec(module, function), module, function)

    def fee_due(self, module: str, function: str, length: int, tip: int) -> int:
        """``compute_fee(len, info, tip)`` as the node charges it: the inclusion fee when the call's
        declared info pays, plus the tip; 0 with ``--no-fees``."""
        if not self.node_fees:
            return 0
        weight, pays = self.dispatch_info(module, function)
        return (self.fee_model.inclusion_fee(weight, length).total if pays else 0) + tip

    def payment_refusal(self, signer: str, fee: int) -> str | None:
        """Why the chain's fee withdrawal would refuse ``fee`` from ``signer`` now (``fees.payment_refusal``)."""
        balances = self.rt.pallets["Balances"]
        return payment_refusal(balances.free_balance(signer), balances.frozen_balance(signer), balances.existential_deposit(), fee)  # type: ignore[attr-defined]

    def _charge(self, signer: str, module: str, function: str, length: int, tip: int = 0) -> tuple[int, Callable[[int], None] | None]:
        """Withdraw ``compute_fee(len, info, tip)`` = inclusion fee (when the call pays) + tip before
        dispatch, as ``ChargeTransactionPayment``'s pre_dispatch does; returns that amount and what
        resolves it after dispatch (post_dispatch: a refund to the payer, the rest to the treasury).
        Refused as the chain's ``CurrencyAdapter`` refuses it (``payment_refusal``)."""
        fee = self.fee_due(module, function, length, tip)
        if fee == 0:  # withdraw_fee of zero: no imbalance, no Withdraw event
            return 0, None
        if self.payment_refusal(signer, fee) is not None:
            raise InvalidTransaction(PAYMENT_REFUSED)
        balances = self.rt.pallets["Balances"]
        try:
            resolve = balances.withdraw_fee_deferred(signer, fee)  # type: ignore[attr-defined]
        except Exception:  # noqa: BLE001 - DispatchError: cannot pay
            raise InvalidTransaction(PAYMENT_REFUSED) from None
        return fee, resolve

    def _hash_bytes(self, n: int) -> bytes | None:
        block = self.block(n)
        return bytes.fromhex(block.hash[2:]) if block is not None else None

    # --- blocks
    def _make_block(self, n: int, extrinsics: list[bytes], events: list[NodeEvent], events_scale: bytes) -> Block:
        parent = self.head
        slot = self.now_ms // self.slot_ms
        if n == 1:  # pallet_babe's on_initialize of block 1 records it
            self.genesis_slot = slot
        digest = [babe_secondary_plain(slot)]
        if self.rt.spec_version != parent.spec_version:
            digest.append(RUNTIME_ENVIRONMENT_UPDATED)
        header = Header(bytes.fromhex(parent.hash[2:]), n, _root(self.rt), ordered_trie_root(extrinsics, self.md_layout), tuple(digest))
        return Block(header, list(extrinsics), events, events_scale, self.rt.spec_version, self.now_ms)

    @property
    def md_layout(self) -> int:
        """Trie layout of the extrinsics root: runtime ``state_version``/``system_version`` 0 or 1 -> V0, 2+ -> V1."""
        return 1 if self.md.runtime_version().get("stateVersion", 0) >= 2 else 0

    def seal(self, *, auto_finality: bool = True) -> Block:
        """Close the open block (its on_finalize runs), record it with its extrinsics and events.

        ``auto_finality=False`` (``engine_createBlock`` with ``finalize: false``, as manual-seal): this
        block is not finalized by the node's finality delay/lag; ``engine_finalizeBlock`` (or finality
        of a later block) finalizes it."""
        with self.lock:
            self._ensure_open()
            self._order_by_priority()
            rt = self.rt
            n = rt.block_number
            rt._finalize_block()  # split from advance_blocks: the header (state root, hash) sits between
            fresh = [e for e in rt.event_log[self._log_pos :] if e.block == n]
            records = []
            for e in fresh:
                if is_extension(e):
                    continue
                ev = from_record(self.md, e)
                if ev.phase == "ApplyExtrinsic" and ev.extrinsic_idx is not None:
                    ev.extrinsic_idx += self._inherents
                records.append(ev)
            self.extension_events += len(fresh) - len(records)
            events = _in_block_order(records + self._pending_node_events)
            encoded = encode_events(self.md, events)
            if encoded.problems:
                found = [f"block {n}: {p.event} left out of System.Events: {p.error}" for p in encoded.problems]
                self.encode_problems += found
                for line in found:
                    log.error("%s", line)  # on the node's console: a client would never see this event
                if self.strict_events:
                    raise EventEncodeError("; ".join(found))
            block = self._make_block(n, self._pending, events, encoded.data)
            self._update_multiplier(block, self._normal_weight)
            block.weight = (self._normal_weight, 0, self._mandatory_weight)
            self._set_runtime_hash(block)
            self._snapshots[block.hash] = rt.snapshot()
            self._append_block(block)
            # the next block is initialised only when needed (_ensure_open): until then the runtime
            # holds exactly this block's sealed state, which reads at the head see
            self._open, self._live_is_head = False, True
            watched = self._pending_watch
            self.now_ms += self.slot_ms
            self.time_override = None
            self._open_block()
            for listener in list(self.listeners):
                listener(block, watched)
            if auto_finality:
                self._advance_finality()
            return block

    def _order_by_priority(self) -> None:
        """Build the block in the order the real pool's ready queue yields transactions: highest
        priority first, then the oldest (FIFO), each signer's nonces in order (a transaction is ready
        once the one it ``requires`` is in). Submissions were applied on arrival; if that order differs,
        the open block is rebuilt from the head's state in the pool's order. A transaction that is no
        longer valid there (it cannot pay any more) is left out, as the block builder skips it; its
        watchers are told ``invalid`` (``invalid_listeners``)."""
        subs = self._pending_watch
        if len(subs) < 2:
            return
        order = pool_order(subs)
        if [id(s) for s in order] == [id(s) for s in subs]:
            return
        head = self.head
        self.rt.restore(self._snapshots[head.hash])
        self._open, self._live_is_head = head.hash in self._opened_snapshots, True
        self._open_block()
        self._ensure_open()
        dropped = []
        for sub in order:
            try:
                self._apply("0x" + sub.raw.hex())
            except PoolError as exc:
                dropped.append((sub, exc))
        for listener in list(self.invalid_listeners):
            listener(dropped)

    def _update_multiplier(self, block: Block, normal_weight: int) -> None:
        """TransactionPayment's on_finalize: the next block's fee multiplier from this block's weight."""
        from runtime.bridge.node.fees import next_multiplier

        self.fee_model.multiplier = block.fee_multiplier = next_multiplier(self.fee_model.multiplier, normal_weight, self.fee_model.max_normal)

    def _set_runtime_hash(self, block: Block) -> None:
        """Make the runtime use the real header hash for ``System.BlockHash``/``ParentHash`` (and receipts)."""
        self.rt._block_hash_cache[block.number] = block.hash
        if self.rt.block_number == block.number + 1:  # the next block is already initialised: fix its storage
            system = self.rt.pallets["System"].storage  # type: ignore[attr-defined]
            raw = bytes.fromhex(block.hash[2:])
            system.ParentHash.put(raw)
            system.BlockHash.insert(block.number, raw)

    def _append_block(self, block: Block) -> None:
        self.blocks.append(block)
        self.by_hash[block.hash] = block
        keep_from = block.number - self.history
        if keep_from >= 0:
            old = self.blocks[keep_from]
            self._snapshots.pop(old.hash, None)
        if len(self._snapshots) > self.history:  # abandoned forks
            for h in list(self._snapshots)[: len(self._snapshots) - self.history]:
                del self._snapshots[h]

    def create_blocks(self, n: int = 1) -> Block:
        """Seal ``n`` blocks (the first one with whatever is pending)."""
        block = self.head
        for _ in range(max(n, 1)):
            block = self.seal()
        return block

    # --- finality
    def _advance_finality(self) -> None:
        target = self.head.number - self.finality_lag
        if self.finality_lag == 0 and self.scheduler is not None:
            block_hash = self.head.hash
            self.scheduler(self.finality_delay, lambda: self.finalize(block_hash))
            return
        if target > self.finalized_number:
            self.finalize(self.blocks[target].hash)

    def finalize(self, block_hash: str) -> list[Block]:
        """Finalize up to ``block_hash`` (ignored if it left the chain or is final already)."""
        with self.lock:
            block = self.block(block_hash)
            if block is None or block.number >= len(self.blocks) or self.blocks[block.number] is not block:
                return []
            if block.number <= self.finalized_number:
                return []
            newly = self.blocks[self.finalized_number + 1 : block.number + 1]
            self.finalized_number = block.number
            for listener in list(self.finality_listeners):
                listener(newly)
            return newly

    def time_travel(self, when_ms: int) -> None:
        """``dev_timeTravel``: Timestamp.Now = ``when_ms``; the next block is stamped one slot later."""
        with self.lock:
            self.time_override = when_ms
            self.now_ms = when_ms + self.slot_ms
            if self._inherents:
                self._pending[0] = self._timestamp_xt()

    # --- forks
    def set_head(self, ref: str | int) -> Block:
        """Return to an earlier block of the window; new blocks build on it (later blocks stay known by hash).

        A block at or below the finalized one may be chosen (a dev chain), which moves finality back too."""
        with self.lock:
            block = self.block(ref)
            if block is None:
                raise HistoryError(f"Unknown block {ref}")
            if block.number >= len(self.blocks) or self.blocks[block.number] is not block:
                raise HistoryError(f"block {block.hash} is not on the current chain")
            if block is self.head:
                return block
            snap = self._snapshots.get(block.hash)
            if snap is None:
                raise HistoryError(f"State already discarded for {block.hash} (block {block.number}); the node keeps the last {self.history} blocks (--history)")
            self.rt.restore(snap)
            self.fee_model.multiplier = block.fee_multiplier
            del self.blocks[block.number + 1 :]
            self.finalized_number = min(self.finalized_number, block.number)
            self.now_ms = block.timestamp + self.slot_ms
            for n in range(block.number + 1, block.number + 1 + self.history):
                self.rt._block_hash_cache.pop(n, None)
            self._open, self._live_is_head = block.hash in self._opened_snapshots, True
            self._open_block()
            for listener in list(self.head_listeners):
                listener(block)
            return block


# The simulator's block-denominated constants that are set in its 6 s time base (``pallets/democracy/
# constants.py``, ``pallets/collective/constants.py``): ``node_time_base`` scales them to the served
# runtime's slot, so they last as many hours as on chain (and Democracy's equal the constants served).
SIX_SECOND_PERIODS = (("Democracy", "LaunchPeriod"), ("Democracy", "VotingPeriod"), ("Democracy", "FastTrackVotingPeriod"),
                      ("Democracy", "EnactmentPeriod"), ("Democracy", "VoteLockingPeriod"), ("Democracy", "CooloffPeriod"),
                      ("Council", "MotionDuration"))
SIMULATOR_BLOCK_MS = 6000


def node_time_base(md: RuntimeMetadata, session_length: int | None = None) -> dict[str, Any]:
    """Genesis overrides that put the node's runtime on the served runtime's clock.

    A node running the runtime builds one block per BABE slot (``slot_duration_ms``: 1 s for the
    testnet's), and pallet_session rotates when BABE ends an epoch, every ``Babe.EpochDuration`` slots
    (7,200 = 2 h there). So: sessions (MAD rounds) of ``EpochDuration`` blocks unless ``session_length``
    says otherwise; the simulator's staking era clock (``Staking.MillisecsPerBlock``, which times an era
    for its payout) at the slot duration, so eras of the same number of sessions last and pay what they
    do on chain; and the governance periods of ``SIX_SECOND_PERIODS`` in blocks of that slot."""
    from runtime.construct import standard_constants

    slot = slot_duration_ms(md)
    constants: dict[str, dict[str, int]] = {"Staking": {"MillisecsPerBlock": slot}}
    if slot != SIMULATOR_BLOCK_MS:
        defaults = standard_constants()
        for pallet, name in SIX_SECOND_PERIODS:
            if pallet in defaults:
                constants.setdefault(pallet, {})[name] = getattr(defaults[pallet], name) * SIMULATOR_BLOCK_MS // slot
    try:
        epoch: int | None = int(md.constant_value("Babe", "EpochDuration"))
    except Exception:  # noqa: BLE001 - no BABE in this metadata: the simulator's own session length
        epoch = None
    out: dict[str, Any] = {"constants": constants}
    if session_length or epoch:
        out["session_length"] = session_length or epoch
    return out


def pool_order(subs: list[Submission]) -> list[Submission]:
    """The ready queue's order (sc-transaction-pool ``BestIterator``): among the transactions whose
    requirement is met (the signer's previous nonce is not waiting), the highest priority, ties to the
    one submitted first; taking it may make the signer's next nonce ready.

    A heap of the ready ones keyed (-priority, arrival), and per (signer, nonce) how many are still
    waiting: O(n log n) for a pool of n (a full rescan per pick was quadratic: a pool of 10,000 took
    seconds to order)."""
    waiting: Counter[tuple[str, int]] = Counter((s.signer, s.nonce) for s in subs if s.signer is not None)
    successors: dict[tuple[str, int], list[int]] = {}
    heap: list[tuple[int, int]] = []
    for i, s in enumerate(subs):
        if s.signer is not None and (s.signer, s.nonce - 1) in waiting:
            successors.setdefault((s.signer, s.nonce - 1), []).append(i)
        else:
            heap.append((-s.priority, i))
    heapq.heapify(heap)
    out: list[Submission] = []
    while heap:
        _, i = heapq.heappop(heap)
        best = subs[i]
        out.append(best)
        if best.signer is None:
            continue
        key = (best.signer, best.nonce)
        waiting[key] -= 1
        if waiting[key] == 0:
            for j in successors.pop(key, ()):
                heapq.heappush(heap, (-subs[j].priority, j))
    return out


def _root(rt: Runtime) -> bytes:
    return bytes.fromhex(rt.state_root()[2:])


_PHASES = {"Initialization": 0, "ApplyExtrinsic": 1, "Finalization": 2}


def _in_block_order(events: list[NodeEvent]) -> list[NodeEvent]:
    """Initialization, then each extrinsic's events (the node's after the runtime's), then Finalization."""
    keyed = [(_PHASES.get(e.phase, 1), e.extrinsic_idx or 0, 1 if e.origin == "node" else 0, i, e) for i, e in enumerate(events)]
    keyed.sort(key=lambda k: k[:4])
    return [k[4] for k in keyed]
